"""整改: the ledger of problems found on forms or units, tracked until fixed (issue 20).

An item names a problem, the responsible unit, a due date and where it came from (a finding, a risk signal, a
spot-check result, or by hand). Its status moves 待整改 → 已反馈 (the unit's feedback) → 已核验 (the bureau
checked it), or 退回 (sent back; the unit answers again). Every step is one transaction adding a history line —
who, when, the text, and an attached file where the feedback names one — and raising the item's `version`: a step
naming an older version than the stored one is refused (ConflictError), so two people acting on the same item
at once do not overwrite each other silently.

Attachments are kept like uploads (security/uploads.py): under a generated name (`<item>-<line><suffix>`, the
suffix only from ATTACHMENT_SUFFIXES) in an owner-only folder beside the database (`<db>.attachments`); the
original name, cleaned by untrusted.display_name, is kept for people to read.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.audit import spot_check
from dashboard.audit.audit import RISK_SIGNAL_IDS, RULES
from dashboard.audit.spot_check import ConflictError, SpotCheckError
from dashboard.core import dialect, domain, texts
from dashboard.core.domain import RectifyStatus
from dashboard.core.transactions import first_row, only_row, transaction
from dashboard.security.untrusted import display_name
from dashboard.store import lake

ATTACHMENT_SUFFIXES = frozenset({".pdf", ".docx", ".doc", ".xlsx", ".xls", ".wps", ".et", ".jpg", ".jpeg", ".png",
                                 ".txt", ".zip", ".ofd"})  # fmt: skip
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_TEXT = 4000
MAX_MESSAGES = 5  # findings quoted in an item made from them


class Source(StrEnum):
    """Where an item came from (rectify_items.source)."""

    FINDING = "finding"
    SIGNAL = "signal"
    SPOT_CHECK = "spot_check"
    MANUAL = "manual"


class Action(StrEnum):
    """A history line's step (rectify_history.action)."""

    ADD = "add"
    FEEDBACK = "feedback"
    VERIFY = "verify"
    RETURN = "return"


# Which status each step may start from, and where it leads.
STEPS = {
    Action.FEEDBACK: ((RectifyStatus.OPEN, RectifyStatus.RETURNED), RectifyStatus.ANSWERED),
    Action.VERIFY: ((RectifyStatus.ANSWERED,), RectifyStatus.VERIFIED),
    Action.RETURN: ((RectifyStatus.ANSWERED,), RectifyStatus.RETURNED),
}


class RectifyError(SpotCheckError):
    """An item that cannot be added or moved; the message says why."""


def attachments_folder(db_path: Path | str) -> Path:
    """Where the feedback attachments are kept: beside a database file; in a lake's data folder (which every
    server and importer sees alike), not under a folder named after its connection string."""
    if lake.is_lake(db_path):
        return Path(lake.data_folder()) / "attachments"
    return Path(f"{db_path}.attachments")


def _text(value: str | None, what: str, required: bool = False) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise RectifyError(texts.RECTIFY_WANT_TEXT.format(what=what))
    if len(text) > MAX_TEXT:
        raise RectifyError(texts.RECTIFY_TOO_LONG.format(what=what, limit=MAX_TEXT))
    return text or None


def add_item(
    con: duckdb.DuckDBPyConnection,
    problem: str,
    by: str | None,
    unit: str | None = None,
    form_id: str | None = None,
    due: date | None = None,
    source: Source = Source.MANUAL,
    source_ref: str | None = None,
) -> int:
    """A new item (待整改), on a form (its unit, 主管部门, year and name copied in) or on a unit, in one
    transaction; returns its id."""
    with transaction(con):
        return _insert_item(con, problem, by, unit, form_id, due, source, source_ref)


def _insert_item(con, problem, by, unit, form_id, due, source, source_ref) -> int:
    problem_text = _text(problem, texts.RECTIFY_PROBLEM, required=True)
    header: tuple = (None, None, None, None)
    if form_id is not None:
        row = first_row(con, "SELECT year, department, unit, project_name FROM forms WHERE form_id = ?", [form_id])
        if row is None:
            raise RectifyError(texts.RECTIFY_NO_FORM.format(form=form_id))
        header = row
    year, department, form_unit, project_name = header
    responsible = _text(unit, texts.RECTIFY_UNIT) or form_unit or department
    if not responsible:
        raise RectifyError(texts.RECTIFY_WANT_TEXT.format(what=texts.RECTIFY_UNIT))
    now = datetime.now()
    item = dialect.next_id(con, "rectify_seq")
    con.execute(
        """
        INSERT INTO rectify_items (item_id, form_id, year, department, unit, project_name, source, source_ref,
                                   problem, due, status, created_by, created_at, updated_by, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [item, form_id, year, department, responsible, project_name, Source(source).value, source_ref,
         problem_text, due, RectifyStatus.OPEN.value, by, now, by, now],
    )  # fmt: skip
    _history(con, int(item), Action.ADD, RectifyStatus.OPEN, by, problem_text, None, None, now)
    return int(item)


def _history(con, item: int, action: Action, status: RectifyStatus, by, text, name, stored, at) -> None:
    seq = only_row(con, "SELECT coalesce(max(seq), 0) + 1 FROM rectify_history WHERE item_id = ?", [item])[0]
    con.execute(
        "INSERT INTO rectify_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [item, seq, at, by, action.value, status.value, text, name, stored],
    )


def step(
    con: duckdb.DuckDBPyConnection,
    item: int,
    action: Action,
    by: str | None,
    text: str | None = None,
    version: int | None = None,
    attachment: tuple[str, bytes] | None = None,
    folder: Path | None = None,
) -> RectifyStatus:
    """Feedback, verify or return an item (STEPS), as one transaction; returns the new status.

    `version`: the item's version the person saw (None: the stored one, for scripts); an older one raises
    ConflictError. `attachment`: (the file's own name, its bytes), kept in `folder` under a generated name.
    """
    starts, leads_to = STEPS[action]
    body = _text(text, texts.RECTIFY_TEXT, required=action in (Action.FEEDBACK, Action.RETURN))
    now = datetime.now()
    written: Path | None = None
    try:
        with transaction(con):
            row = first_row(
                con, "SELECT status, version, updated_by, updated_at FROM rectify_items WHERE item_id = ?", [item]
            )
            if row is None:
                raise RectifyError(texts.RECTIFY_NO_ITEM.format(item=item))
            status, stored_version, updated_by, updated_at = row
            if version is not None and version != stored_version:
                when = updated_at.strftime("%Y-%m-%d %H:%M") if updated_at else "—"
                raise ConflictError(
                    texts.RECTIFY_CONFLICT.format(item=item, by=updated_by or texts.SPOT_SOMEONE, at=when)
                )
            if status not in starts:
                raise RectifyError(
                    texts.RECTIFY_BAD_STEP.format(
                        item=item,
                        status=texts.RECTIFY_STATUS_LABELS[status],
                        action=texts.RECTIFY_ACTION_LABELS[action],
                    )
                )
            name = stored = None
            if attachment is not None:
                if folder is None:
                    raise RectifyError(texts.RECTIFY_NO_FOLDER)
                name, stored, written = _keep_attachment(con, item, attachment, folder)
            con.execute(
                "UPDATE rectify_items SET status = ?, updated_by = ?, updated_at = ?, version = version + 1 "
                "WHERE item_id = ?",
                [leads_to.value, by, now, item],
            )
            _history(con, item, action, leads_to, by, body, name, stored, now)
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)  # the step was not saved: neither is its file
        raise
    return leads_to


def _keep_attachment(con, item: int, attachment: tuple[str, bytes], folder: Path) -> tuple[str, str, Path]:
    original, data = attachment
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise RectifyError(texts.RECTIFY_ATTACHMENT_TOO_BIG.format(limit=MAX_ATTACHMENT_BYTES // (1024 * 1024)))
    seq = only_row(con, "SELECT coalesce(max(seq), 0) + 1 FROM rectify_history WHERE item_id = ?", [item])[0]
    base = original.replace("\\", "/").split("/")[-1].strip()
    suffix = Path(base).suffix.lower()
    stored = f"{item:06d}-{seq:03d}{suffix if suffix in ATTACHMENT_SUFFIXES else ''}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / stored
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    shown = display_name(base) if base not in ("", ".", "..") else stored
    return shown, stored, target


def items(con: duckdb.DuckDBPyConnection, today: date | None = None) -> pd.DataFrame:
    """Every item, newest first, with `overdue` (past its due date and not 已核验) and its history's length."""
    today = today or date.today()
    done = [status.value for status in domain.RECTIFY_DONE]
    return con.execute(
        """
        SELECT i.*, (i.due IS NOT NULL AND i.due < ? AND i.status NOT IN (SELECT unnest(?))) AS overdue,
               (SELECT count(*) FROM rectify_history h WHERE h.item_id = i.item_id) AS steps
        FROM rectify_items i ORDER BY i.item_id DESC
        """,
        [today, done],
    ).df()


def history(con: duckdb.DuckDBPyConnection, item: int) -> pd.DataFrame:
    return con.execute("SELECT * FROM rectify_history WHERE item_id = ? ORDER BY seq", [item]).df()


def counts(con: duckdb.DuckDBPyConnection, today: date | None = None) -> dict[str, int]:
    """{"open": not yet 已核验, "overdue": of those, past their due date} for the 总览 page."""
    done = [status.value for status in domain.RECTIFY_DONE]
    row = only_row(
        con,
        """
        SELECT count(*) FILTER (WHERE status NOT IN (SELECT unnest(?))),
               count(*) FILTER (WHERE status NOT IN (SELECT unnest(?)) AND due IS NOT NULL AND due < ?)
        FROM rectify_items
        """,
        [done, done, today or date.today()],
    )
    return {"open": int(row[0]), "overdue": int(row[1])}


def from_finding(
    con: duckdb.DuckDBPyConnection, form_id: str, rule: str, by: str | None, due: date | None = None
) -> int:
    """An item on a form for its findings of one rule (a risk signal's rule makes it a signal item): the problem
    text is the rule's title and the findings' messages; returns the item's id."""
    messages = [row[0] for row in con.execute(
        "SELECT message FROM checks WHERE form_id = ? AND rule = ? ORDER BY position", [form_id, rule]
    ).fetchall()]  # fmt: skip
    if not messages:
        raise RectifyError(texts.RECTIFY_NO_FINDING.format(form=form_id, rule=rule))
    titles = {rule_id: title for rule_id, _severity, title in RULES}
    shown = messages[:MAX_MESSAGES] + ([texts.RECTIFY_MORE.format(count=len(messages) - MAX_MESSAGES)]
                                       if len(messages) > MAX_MESSAGES else [])  # fmt: skip
    problem = texts.RECTIFY_FROM_FINDING.format(title=titles.get(rule, rule), messages="；".join(shown))
    source = Source.SIGNAL if rule in RISK_SIGNAL_IDS else Source.FINDING
    return add_item(con, problem[:MAX_TEXT], by, form_id=form_id, due=due, source=source, source_ref=rule)


def from_spot_check(con: duckdb.DuckDBPyConnection, plan_name: str, by: str | None, due: date | None) -> int:
    """An item for every reviewed form of a plan whose |偏离度| ≥ domain.DEVIATION_MARKED or whose grade changed
    (and that has no item from this plan yet), all in one transaction; returns how many were added."""
    frame = spot_check.entries(con, spot_check.plan_id(con, plan_name))
    existing = {
        row[0]
        for row in con.execute(
            "SELECT form_id FROM rectify_items WHERE source = ? AND source_ref = ?",
            [Source.SPOT_CHECK.value, plan_name],
        ).fetchall()
    }
    wanted: list[tuple[str, str]] = []
    for entry in frame.to_dict("records"):
        deviation = entry["deviation"]
        marked = deviation is not None and abs(deviation) >= domain.DEVIATION_MARKED - 1e-12
        if not (marked or entry["grade_changed"]) or entry["form_id"] in existing or not entry["stored"]:
            continue
        problem = texts.RECTIFY_FROM_SPOT.format(
            plan=plan_name,
            own=entry["self_score"],
            reviewed=entry["reviewed_score"],
            deviation=f"{deviation:.2%}" if deviation is not None else texts.DASH,
            conclusion=entry["conclusion"] or "",
        )
        wanted.append((problem, entry["form_id"]))
    with transaction(con):
        for problem, form_id in wanted:
            _insert_item(con, problem, by, None, form_id, due, Source.SPOT_CHECK, plan_name)
    return len(wanted)
