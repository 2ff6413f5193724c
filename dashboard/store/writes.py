"""Writes: one file's forms saved in one transaction, derived columns kept up to date, batches removed,
duplicates settled, findings replaced."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard.core import dialect, domain, texts
from dashboard.core.model import Check, Form
from dashboard.core.transactions import first_row, only_row, transaction
from dashboard.reference import shown
from dashboard.store.schema import (
    CHECK_COLUMNS,
    COPY_KEY_COLUMNS,
    FORM_COLUMNS,
    FUND_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATOR_DERIVED,
    INDICATOR_OCR,
    OCR_BLOCK_COLUMNS,
    OCR_CELL_COLUMNS,
    STORED_AS,
    StoreError,
)


class PlacementStatus(StrEnum):
    """Where a newly read form goes."""

    NEW = "new"  # a form not stored before
    REPLACED = "replaced"  # a new version of a stored form, which it supersedes
    DUPLICATE = "duplicate"  # 可能重复: held for a person to settle against its candidates


@dataclass
class Placement:
    """Where a newly read form goes (decided by dashboard.importing.versions): new, replacing a stored form,
    可能重复."""

    form: Form
    status: PlacementStatus = PlacementStatus.NEW
    replaces: str | None = None  # the stored form it replaces
    candidates: list[str] = field(default_factory=list)  # stored forms it may replace (可能重复)
    changes: list[str] = field(default_factory=list)  # what changed against `replaces`, for people


# A form's indicator sums, from the stored domain columns of its indicator rows (dashboard/core/domain.py):
# how many rows, how many deducted, the points they lost, how many deducted without a reason.
FORM_SUM_COLUMNS = [
    "indicator_count INTEGER DEFAULT 0", "deducted_count INTEGER DEFAULT 0", "points_lost DOUBLE DEFAULT 0",
    "unexplained_count INTEGER DEFAULT 0",
]  # fmt: skip


FORM_INDICATOR_SUMS_SQL = """
UPDATE forms AS f SET indicator_count = s.indicator_count, deducted_count = s.deducted_count,
                      points_lost = s.points_lost, unexplained_count = s.unexplained_count
FROM (
    SELECT i.form_id,
           count(*) AS indicator_count,
           count(*) FILTER (WHERE i.deducted) AS deducted_count,
           coalesce(sum(i.points_lost) FILTER (WHERE i.deducted), 0) AS points_lost,
           count(*) FILTER (WHERE i.deducted AND i.no_reason) AS unexplained_count
    FROM indicators i WHERE i.form_id IN (SELECT form_id FROM forms f WHERE {forms})
    GROUP BY i.form_id
) s
WHERE f.form_id = s.form_id AND ({forms})  -- the condition on the target too: its scan skips other forms' files
"""


# A form's findings per severity (domain.SEVERITIES), from its stored checks; forms of `{forms}` (alias f) with none
# get zeros. Only rows whose counts change are written (on a lake, a write conflicts with other writers'). The
# findings are picked by a semi-join on those forms, so a few forms' counts read a few forms' findings (a scan that
# can skip the files and row groups of others), where a join from the forms read every finding.
FINDING_COUNTS = {f"{severity.value}_count": severity.value for severity in domain.SEVERITIES}  # column → severity
# And its findings of a risk signal: the 复核 page ranks and counts the signalled forms by it.
SIGNAL_COUNT = "signal_count"
# Each stored count, by the findings (rows of checks c) it counts.
_COUNT_CONDITIONS = {
    **{column: f"c.severity = {dialect.sql_text(severity)}" for column, severity in FINDING_COUNTS.items()},
    SIGNAL_COUNT: f"c.rule IN ({', '.join(dialect.sql_text(rule) for rule in domain.RISK_SIGNAL_IDS)})",
}
FINDING_COUNT_COLUMNS = [f"{column} INTEGER DEFAULT 0" for column in _COUNT_CONDITIONS]
# A form's counts, over its rows of checks c (none: 0).
_COUNTED = ", ".join(
    f"count(c.form_id) FILTER (WHERE {condition}) AS {column}" for column, condition in _COUNT_CONDITIONS.items()
)
FORM_FINDING_COUNTS_SQL = f"""
UPDATE forms AS f SET {", ".join(f"{column} = s.{column}" for column in _COUNT_CONDITIONS)}
FROM (
    SELECT f.form_id, {", ".join(f"coalesce(c.{column}, 0) AS {column}" for column in _COUNT_CONDITIONS)}
    FROM (SELECT f.form_id FROM forms f WHERE {{forms}}) f
    LEFT JOIN (
        SELECT c.form_id, {_COUNTED}
        FROM checks c WHERE c.form_id IN (SELECT f.form_id FROM forms f WHERE {{forms}})
        GROUP BY c.form_id
    ) c ON c.form_id = f.form_id
) s
WHERE f.form_id = s.form_id AND ({{forms}})  -- the condition on the target too: its scan skips other forms' files
  AND ({" OR ".join(f"f.{column} IS DISTINCT FROM s.{column}" for column in _COUNT_CONDITIONS)})
"""


def refresh_finding_counts(con: duckdb.DuckDBPyConnection, condition: str = "TRUE", params: list | None = None) -> None:
    """Store the findings per severity and of risk signals of the forms under `condition` (on alias f; every form by
    default)."""
    con.execute(FORM_FINDING_COUNTS_SQL.replace("{forms}", condition), (params or []) * 3)


def finding_counts_out_of_step(con: duckdb.DuckDBPyConnection) -> int:
    """How many forms keep findings per severity or risk signals other than their stored checks give (0 when all is
    right)."""
    differs = " OR ".join(f"f.{column} IS DISTINCT FROM l.{column}" for column in _COUNT_CONDITIONS)
    return int(
        only_row(
            con,
            f"SELECT count(*) FROM forms f JOIN (SELECT f.form_id, {_COUNTED} FROM forms f LEFT JOIN checks c "
            f"ON c.form_id = f.form_id GROUP BY f.form_id) l ON l.form_id = f.form_id WHERE {differs}",
        )[0]
    )


def refresh_indicator_sums(con: duckdb.DuckDBPyConnection, batch_id: int | None = None) -> None:
    """Store the indicator sums of the forms of one batch (every form where None) in their `forms` row."""
    if batch_id is None:
        con.execute(FORM_INDICATOR_SUMS_SQL.replace("{forms}", "TRUE"))
    else:
        con.execute(FORM_INDICATOR_SUMS_SQL.replace("{forms}", "f.batch_id = ?"), [int(batch_id)] * 2)


def refresh_derived(con: duckdb.DuckDBPyConnection, forms: list[Form]) -> None:
    """Rewrite the columns derived from domain definitions (flags, rates, identity) for these forms."""
    if not forms:
        return
    form_frame = pd.DataFrame(
        [[form.id, *derived_form_values(form)] for form in forms],
        columns=["form_id", *_FORM_DERIVED],
        dtype=object,
    )
    assignments = ", ".join(f"{column} = d.{column}" for column in _FORM_DERIVED)
    update_from_frame(con, "forms", form_frame, assignments, "forms.form_id = d.form_id")
    rows = [
        [form.id, position, *_derived_indicator_values(row)]
        for form in forms
        for position, row in enumerate(form.indicators, start=1)
    ]
    if rows:
        frame = pd.DataFrame(rows, columns=["form_id", "position", *INDICATOR_DERIVED], dtype=object)
        assignments = ", ".join(f"{column} = d.{column}" for column in INDICATOR_DERIVED)
        condition = "indicators.form_id = d.form_id AND indicators.position = d.position"
        update_from_frame(con, "indicators", frame, assignments, condition)


def update_from_frame(con, table: str, frame: pd.DataFrame, assignments: str, condition: str) -> None:
    con.register("derived_frame", frame)
    try:
        con.execute(f"UPDATE {table} SET {assignments} FROM derived_frame d WHERE {condition}")
    finally:
        con.unregister("derived_frame")


def assign_ids(forms: list[Form], sha256: str, file_name: str) -> None:
    """Form ids are `<sha256 prefix>-<place in file>`: stable across re-imports into a fresh database."""
    for position, form in enumerate(forms, start=1):
        form.id = f"{sha256[:12]}-{position:03d}"
        form.source_file = form.source_file or file_name


def save_file(
    con: duckdb.DuckDBPyConnection,
    file_name: str,
    sha256: str,
    placements: list[Placement],
    *,
    outcome: domain.Outcome = domain.Outcome.IMPORTED,
    message: str | None = None,
    imported_by: str | None = None,
) -> int:
    """Store one file's forms, placed as versions (dashboard.importing.versions.place), in one transaction.

    A placement that replaces a stored form marks that form superseded; one held as 可能重复 keeps
    its candidates for a person to settle. Forms without an id get `assign_ids`'. Returns the batch id.
    """
    if any(not p.form.id for p in placements):
        assign_ids([p.form for p in placements], sha256, file_name)
    counts = {status: sum(p.status == status for p in placements) for status in PlacementStatus}
    incomplete = sum(not p.form.complete for p in placements)
    with transaction(con):
        batch_id = _insert_batch(
            con, file_name, sha256, outcome, len(placements), message,
            counts[PlacementStatus.NEW], counts[PlacementStatus.REPLACED], counts[PlacementStatus.DUPLICATE],
            incomplete, imported_by,
        )  # fmt: skip
        _insert_forms(con, batch_id, placements)
        refresh_indicator_sums(con, batch_id)
        refresh_finding_counts(con, "f.batch_id = ?", [batch_id])
        shown.sync(con, "f.batch_id = ?", [batch_id])  # what the pages show of them, as the reference data has it
        replaced = [[p.replaces, p.form.id] for p in placements if p.replaces]
        if replaced:
            frame = pd.DataFrame(replaced, columns=["form_id", "successor"], dtype=object)
            update_from_frame(con, "forms", frame, "superseded_by = d.successor", "forms.form_id = d.form_id")
        candidates = [[p.form.id, candidate] for p in placements for candidate in p.candidates]
        if candidates:
            _append_frame(con, "duplicate_candidates", pd.DataFrame(candidates, columns=["form_id", "candidate_id"]))
        mark_unit_findings_pending(con, [batch_id])
    return batch_id


# Unit findings (rule 10) compare a unit's forms, so they are refreshed after a file's forms are stored. What
# still needs refreshing is recorded in the same transaction that stores, removes or settles forms, and marked
# done only once the refresh is done (review.finish_unit_findings): a process killed in between leaves the
# record, and the next writer to open the database (connect.open_db) finishes the work.
#
# Each write adds a row of its own to `unit_findings_marks`, and a finished refresh adds a done row per token: on
# a DuckLake, rows only added never conflict, where one shared `meta` value (rewritten by every save) made any
# two saves conflict and serialised concurrent importers. A `meta` row of that older kind is still honoured.
_LEGACY_PENDING = "unit_findings_pending"


@dataclass(frozen=True)
class PendingFindings:
    """The unit findings recorded as still to refresh: every group, or the groups of these imports."""

    everything: bool
    batches: list[int]
    tokens: list[str]  # the marks this covers, marked done together
    legacy: str | None = None  # the older `meta` value it includes


def mark_unit_findings_pending(con: duckdb.DuckDBPyConnection, batches: list[int] | None) -> None:
    """Record (inside the caller's transaction) that the unit findings of these imports' groups, or (None)
    of every group, are to be refreshed."""
    listed = None if batches is None else json.dumps(sorted({int(batch) for batch in batches}))
    con.execute("INSERT INTO unit_findings_marks VALUES (?, ?, false)", [uuid.uuid4().hex, listed])


def unit_findings_pending(con: duckdb.DuckDBPyConnection) -> PendingFindings | None:
    """What is recorded as still to refresh, or None (nothing)."""
    rows = con.execute(
        "SELECT token, batches FROM unit_findings_marks m WHERE NOT done "
        "AND NOT EXISTS (SELECT 1 FROM unit_findings_marks d WHERE d.done AND d.token = m.token) ORDER BY token"
    ).fetchall()
    legacy = first_row(con, "SELECT value FROM meta WHERE key = ?", [_LEGACY_PENDING])
    if not rows and legacy is None:
        return None
    everything, batches = False, set[int]()
    for value in [listed for _token, listed in rows] + ([] if legacy is None else [legacy[0]]):
        parsed = json.loads(value) if value is not None else None
        if parsed is None or (isinstance(parsed, dict) and parsed.get("all")):
            everything = True
        else:
            batches.update(parsed if isinstance(parsed, list) else parsed.get("batches", []))
    tokens = [token for token, _listed in rows]
    return PendingFindings(everything, sorted(batches), tokens, None if legacy is None else legacy[0])


def clear_unit_findings_pending(con: duckdb.DuckDBPyConnection, done: PendingFindings) -> None:
    """The refresh `done` (as read by unit_findings_pending) is finished: its marks get done rows (marks added
    since stay pending)."""
    if done.tokens:
        con.execute("INSERT INTO unit_findings_marks SELECT unnest(?), '', true", [done.tokens])
    if done.legacy is not None:
        con.execute("DELETE FROM meta WHERE key = ? AND value = ?", [_LEGACY_PENDING, done.legacy])


def record_failure(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str | None, message: str) -> None:
    """Log a file that could not be imported (no form rows are written)."""
    _insert_batch(con, file_name, sha256, domain.Outcome.ERROR, 0, message)


def remove_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[str]:
    """Undo one import: its forms leave, the versions they replaced become current again.

    The batch stays in the history as removed (so its file can be imported again). Returns the ids
    of the forms that became current again. Raises StoreError where there is no such import.
    """
    row = first_row(con, "SELECT outcome FROM import_batches WHERE batch_id = ?", [batch_id])
    if row is None or row[0] not in domain.STORED_OUTCOMES:
        raise StoreError(texts.BATCH_NOT_REMOVABLE.format(batch=batch_id))
    with transaction(con):
        restored = [
            r[0]
            for r in con.execute(
                "SELECT o.form_id FROM forms o JOIN forms r ON o.superseded_by = r.form_id WHERE r.batch_id = ?",
                [batch_id],
            ).fetchall()
        ]
        # A replaced version goes back to where the removed one stood: current, or superseded by its successor.
        con.execute(
            "UPDATE forms SET superseded_by = r.superseded_by "
            "FROM (SELECT form_id, superseded_by FROM forms WHERE batch_id = ?) r "
            "WHERE forms.superseded_by = r.form_id",
            [batch_id],
        )
        con.execute(
            "UPDATE forms SET replaces = r.replaces "
            "FROM (SELECT form_id, replaces FROM forms WHERE batch_id = ?) r WHERE forms.replaces = r.form_id",
            [batch_id],
        )
        # 抽查 entries and 整改 items on a removed version move to the version it replaced (schema.CYCLE_DDL); with
        # none, they keep the removed id and their own copy of what people read.
        for table in ("spot_entries", "rectify_items"):
            con.execute(
                f"UPDATE {table} SET form_id = r.replaces "
                "FROM (SELECT form_id, replaces FROM forms WHERE batch_id = ? AND replaces IS NOT NULL) r "
                f"WHERE {table}.form_id = r.form_id",
                [batch_id],
            )
        removed = "(SELECT form_id FROM forms WHERE batch_id = ?)"
        con.execute(
            f"DELETE FROM duplicate_candidates WHERE form_id IN {removed} OR candidate_id IN {removed}",
            [batch_id, batch_id],
        )
        for table in FORM_CHILD_TABLES:
            con.execute(f"DELETE FROM {table} WHERE form_id IN {removed}", [batch_id])
        con.execute("DELETE FROM forms WHERE batch_id = ?", [batch_id])
        # A form held as 可能重复 whose every candidate left has nothing to settle: it is new.
        con.execute(
            "UPDATE forms SET pending_duplicate = false WHERE pending_duplicate "
            "AND form_id NOT IN (SELECT form_id FROM duplicate_candidates)"
        )
        con.execute(
            "UPDATE import_batches SET outcome = ?, removed_at = ? WHERE batch_id = ?",
            [domain.Outcome.REMOVED, datetime.now(), batch_id],
        )
        mark_unit_findings_pending(con, None)
    return restored


def rewrite_form(con: duckdb.DuckDBPyConnection, form: Form, unconfirmed: bool = False) -> None:
    """Store `form` in place of the stored form with its id, in one transaction: same import, place in the file
    and version links; its rows, findings and sums anew. `unconfirmed`: only while the stored form's OCR cells
    are not confirmed (someone who confirmed it first wins; the second is told, nothing written)."""
    with transaction(con):
        row = first_row(
            con,
            "SELECT batch_id, position, superseded_by, replaces, changes, pending_duplicate, ocr_confirmed_by "
            "FROM forms WHERE form_id = ?",
            [form.id],
        )
        if row is None:
            raise StoreError(texts.OCR_CONFIRM_NOT_HELD)
        batch_id, position, superseded_by, replaces, changes, pending, confirmed_by = row
        if unconfirmed and confirmed_by:
            raise StoreError(texts.OCR_CONFIRM_ALREADY.format(user=confirmed_by))
        status = PlacementStatus.DUPLICATE if pending else PlacementStatus.REPLACED if replaces else PlacementStatus.NEW
        placement = Placement(form, status, replaces, changes=json.loads(changes) if changes else [])
        for table in FORM_CHILD_TABLES:
            con.execute(f"DELETE FROM {table} WHERE form_id = ?", [form.id])
        con.execute("DELETE FROM forms WHERE form_id = ?", [form.id])
        _insert_forms(con, batch_id, [placement])
        con.execute(
            "UPDATE forms SET position = ?, superseded_by = ? WHERE form_id = ?", [position, superseded_by, form.id]
        )
        refresh_indicator_sums(con, batch_id)
        refresh_finding_counts(con, "f.form_id = ?", [form.id])
        shown.sync(con, "f.form_id = ?", [form.id])
        con.execute(
            "UPDATE import_batches SET incomplete_count = "
            "(SELECT count(*) FROM forms WHERE batch_id = ? AND NOT complete) WHERE batch_id = ?",
            [batch_id, batch_id],
        )
        mark_unit_findings_pending(con, [batch_id])


def settle_duplicate(
    con: duckdb.DuckDBPyConnection, form_id: str, replaces: str | None, changes: list[str], carried: Form | None = None
) -> None:
    """A person's decision on a form held as 可能重复: it replaces `replaces`, or (None) it is a new form.

    `carried`: the form as it is to be kept (versions.carry_over took year, 主管部门 and 实施单位 from the
    version it replaces); its header and identity columns are written in the same transaction."""
    candidates = {r[0] for r in con.execute(
        "SELECT candidate_id FROM duplicate_candidates WHERE form_id = ?", [form_id]
    ).fetchall()}  # fmt: skip
    if not candidates or (replaces is not None and replaces not in candidates):
        raise StoreError(texts.DUPLICATE_NOT_PENDING.format(form=form_id))
    with transaction(con):
        if replaces is not None:
            con.execute("UPDATE forms SET superseded_by = ? WHERE form_id = ?", [form_id, replaces])
        con.execute(
            "UPDATE forms SET pending_duplicate = false, replaces = ?, changes = ? WHERE form_id = ?",
            [replaces, json.dumps(changes, ensure_ascii=False) if replaces else None, form_id],
        )
        con.execute("DELETE FROM duplicate_candidates WHERE form_id = ?", [form_id])
        if carried is not None:
            _rewrite_header(con, carried)
        mark_unit_findings_pending(con, None)


def hold_as_duplicates(con: duckdb.DuckDBPyConnection, batch_id: int, held: dict[str, list[str]], message: str) -> None:
    """Forms of import `batch_id` stored as new held as 可能重复 after all ({form id: candidates}: another importer
    stored the same forms at the same time, versions.recheck_new), the import's counts and message with them."""
    with transaction(con):
        con.execute("UPDATE forms SET pending_duplicate = true WHERE form_id IN (SELECT unnest(?))", [list(held)])
        pairs = [[form_id, candidate] for form_id, candidates in held.items() for candidate in candidates]
        _append_frame(con, "duplicate_candidates", pd.DataFrame(pairs, columns=["form_id", "candidate_id"]))
        con.execute(
            "UPDATE import_batches SET new_count = new_count - ?, duplicate_count = duplicate_count + ?, message = ? "
            "WHERE batch_id = ?",
            [len(held), len(held), message, batch_id],
        )
        mark_unit_findings_pending(con, [batch_id])


def _rewrite_header(con, form: Form) -> None:
    """Year, 主管部门, 实施单位 and the identity columns of a stored form, from `form` (inside the caller's
    transaction)."""
    _complete, _rate, name, department, unit, code = derived_form_values(form)
    con.execute(
        f"UPDATE forms SET year = ?, department = {stored_sql('forms', 'department', '?')}, "
        f"unit = {stored_sql('forms', 'unit', '?')}, identity_name = ?, identity_department = ?, "
        "identity_unit = ?, identity_code = ? WHERE form_id = ?",
        [form.year, form.department, form.unit, name, department, unit, code, form.id],
    )
    shown.sync(con, "f.form_id = ?", [form.id])


def replace_checks(con: duckdb.DuckDBPyConnection, checks_by_form: dict[str, list[Check]]) -> None:
    """Replace the stored checks of the given forms (used when the audit is re-run)."""
    with transaction(con):
        con.execute("DELETE FROM checks WHERE form_id IN (SELECT unnest(?))", [list(checks_by_form)])
        rows = [row for form_id, checks in checks_by_form.items() for row in _check_rows(form_id, checks)]
        _append_rows(con, "checks", _CHECK_FRAME_COLUMNS, rows)
        refresh_finding_counts(con, "f.form_id IN (SELECT unnest(?))", [list(checks_by_form)])


def replace_rule_checks(
    con: duckdb.DuckDBPyConnection, rule: str, form_ids: list[str] | None, checks: list[tuple]
) -> None:
    """The findings of one `rule` on the forms `form_ids` (None: every form) replaced by `checks` ((form_id, Check)
    pairs), in one transaction; the forms' other findings stay, the new ones are numbered after them."""
    with transaction(con):
        if form_ids is None:  # the forms holding one before: their counts change too
            had = [
                row[0] for row in con.execute("SELECT DISTINCT form_id FROM checks WHERE rule = ?", [rule]).fetchall()
            ]
            con.execute("DELETE FROM checks WHERE rule = ?", [rule])
        else:
            con.execute("DELETE FROM checks WHERE rule = ? AND form_id IN (SELECT unnest(?))", [rule, list(form_ids)])
        holders = sorted({form_id for form_id, _ in checks})
        if checks:
            last = dict(
                con.execute(
                    "SELECT form_id, max(position) FROM checks WHERE form_id IN (SELECT unnest(?)) GROUP BY form_id",
                    [holders],
                ).fetchall()
            )
            rows = []
            for form_id, check in checks:
                last[form_id] = (last.get(form_id) or 0) + 1
                rows.append([form_id, last[form_id], *(getattr(check, column) for column in CHECK_COLUMNS)])
            _append_rows(con, "checks", _CHECK_FRAME_COLUMNS, rows)
        changed = sorted({*(had if form_ids is None else form_ids), *holders})
        refresh_finding_counts(con, "f.form_id IN (SELECT unnest(?))", [changed])


def set_recomputed_scores(
    con: duckdb.DuckDBPyConnection, scores: dict[str, float | None], schemes: dict[str, str | None] | None = None
) -> None:
    """Store the audit's recomputed 总分 (None: 不可评价) and, where given, the scheme each form was judged by."""
    frame = pd.DataFrame({"form_id": list(scores), "score": list(scores.values())}, dtype=object)
    frame["scheme"] = [None if schemes is None else schemes.get(form_id) for form_id in scores]
    con.register("recomputed_frame", frame)
    try:
        con.execute(
            "UPDATE forms SET recomputed_score = CAST(r.score AS DOUBLE), "
            "scheme = CASE WHEN ? THEN CAST(r.scheme AS VARCHAR) ELSE forms.scheme END "
            "FROM recomputed_frame r WHERE forms.form_id = r.form_id",
            [schemes is not None],
        )
    finally:
        con.unregister("recomputed_frame")


def _insert_batch(
    con, file_name, sha256, outcome, form_count, message,
    new=None, replaced=None, duplicate=None, incomplete=None, imported_by=None,
) -> int:  # fmt: skip
    batch_id = dialect.next_id(con, "batch_id_seq")  # a lake has no sequence default (core/dialect.py)
    con.execute(
        "INSERT INTO import_batches (batch_id, file_name, sha256, imported_at, outcome, form_count, message, "
        "new_count, replaced_count, duplicate_count, incomplete_count, imported_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, file_name, sha256, datetime.now(), outcome, form_count, message, new, replaced, duplicate,
         incomplete, imported_by],
    )  # fmt: skip
    return batch_id


def _insert_forms(con, batch_id: int, placements: list[Placement]) -> None:
    """One INSERT per table for all of a file's forms."""
    for table, rows in form_rows(placements, batch_id).items():
        _append_rows(con, table, FORM_TABLE_COLUMNS[table], rows)


def form_rows(placements: list[Placement], batch_id: int) -> dict[str, list[list]]:
    """The rows the forms take in each table (`FORM_TABLE_COLUMNS` order), positions counted from 1."""
    rows: dict[str, list[list]] = {table: [] for table in FORM_TABLE_COLUMNS}
    for position, placement in enumerate(placements, start=1):
        form = placement.form
        rows["forms"].append(_form_row(placement, batch_id, position))
        rows["fund_rows"] += _fund_rows(form)
        rows["indicators"] += _indicator_rows(form)
        rows["checks"] += _check_rows(form.id, form.checks)
        rows["ocr_cells"] += _ocr_cell_rows(form)
        if form.ocr_blocks:
            rows["ocr_blocks"].append([form.id, json.dumps(form.ocr_blocks, ensure_ascii=False)])
        rows["copy_keys"] += copy_key_rows(form)
    return rows


def _append_rows(con, table: str, columns: list[str], rows: list[list]) -> None:
    """INSERT rows (values in `columns` order) by way of an Arrow table.

    DuckDB reads Arrow columns natively; a pandas frame of objects it reads value by value
    through Python, which made the frames most of the time a file took to store. Where Arrow
    cannot hold a column (mixed types, text that is not valid UTF-8) the rows go as such a frame,
    so DuckDB converts or refuses them as it always did (a `duckdb.Error`, which the importer reports).
    """
    if not rows:
        return
    try:
        data = rows_table(columns, rows)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        _refuse_text_without_utf8(rows)
        _append_frame(con, table, pd.DataFrame(rows, columns=columns, dtype=object))
        return
    con.register("incoming_rows", data)
    try:
        insert_registered(con, table, columns, "incoming_rows")
    finally:
        con.unregister("incoming_rows")


def insert_registered(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], relation: str) -> None:
    """INSERT INTO `table` (`columns`) the rows of the registered `relation`, each column as stored
    (schema.STORED_AS): the one INSERT of rows as read, for the import, its fallback frame and the demo data."""
    stored = STORED_AS.get(table, {})
    selected = ", ".join(f"{stored_sql(table, c, c)} AS {c}" if c in stored else c for c in columns)
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} FROM {relation}")


def stored_sql(table: str, column: str, value: str) -> str:
    """SQL of what `table`.`column` stores for `value` (a column of rows as read, or "?"): schema.STORED_AS."""
    template = STORED_AS.get(table, {}).get(column)
    return template.format(value=value) if template else value


def _refuse_text_without_utf8(rows: list[list]) -> None:
    """Raise duckdb.ConversionException for text with no UTF-8 form (a lone surrogate) before DuckDB sees it:
    DuckDB 1.5 takes such text from a frame as a fatal error that leaves the connection unusable (2.0 refused it
    as a conversion error); the importer reports a duckdb.Error as 写入数据库失败 and rolls the file back."""
    for row in rows:
        for value in row:
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as error:
                    raise duckdb.ConversionException(f"text that is not valid UTF-8: {error}") from error


def rows_table(columns: list[str], rows: list[list]) -> pa.Table:
    """An Arrow table of rows (values in `columns` order); no rows give columns of type null."""
    if not rows:
        return pa.table({column: pa.array([], pa.null()) for column in columns})
    return pa.table(
        {column: pa.array(list(values)) for column, values in zip(columns, zip(*rows, strict=True), strict=True)}
    )


def _append_frame(con, table: str, frame: pd.DataFrame | None) -> None:
    """INSERT a DataFrame whose columns are named like the table's (object dtype keeps NULLs)."""
    if frame is None or frame.empty:
        return
    con.register("incoming_frame", frame)
    try:
        insert_registered(con, table, list(frame.columns), "incoming_frame")
    finally:
        con.unregister("incoming_frame")


_FORM_DERIVED = ["complete", "exec_rate", "identity_name", "identity_department", "identity_unit", "identity_code"]


def derived_form_values(form: Form) -> list:
    total = form.funds.total
    return [
        not domain.missing_parts(form),
        domain.execution_rate(total.annual_budget, total.executed),
        domain.identity_text(form.project_name),
        domain.identity_text(form.department),
        domain.identity_text(form.unit),
        domain.identity_text(form.project_code),
    ]


def _derived_indicator_values(row) -> list:
    return [
        None if row.target_parts is None else json.dumps(row.target_parts, ensure_ascii=False),
        domain.is_deducted(row.weight, row.score),
        domain.points_lost(row.weight, row.score),
        domain.is_no_reason(row.reason),
        domain.is_not_measured(row.actual),
    ]


def _form_row(placement: Placement, batch_id: int, position: int) -> list:
    form = placement.form
    changes = json.dumps(placement.changes, ensure_ascii=False) if placement.replaces else None
    complete, exec_rate, *identity = derived_form_values(form)
    return [
        form.id, batch_id, position, form.source_file, list(form.source_pages), form.year, form.department,
        form.unit, form.project_name or "", form.project_type or "", form.status, form.project_amount,
        form.funds.unit_printed, form.goal_expected, form.goal_actual, form.total_weight, form.total_score,
        form.recomputed_score, form.form_kind, form.project_code, form.scheme, complete, exec_rate,
        None, placement.replaces, changes, placement.status == PlacementStatus.DUPLICATE, *identity,
        form.funds.total.annual_budget, form.funds.total.executed, domain.not_graded_reason(form),
        form.scheme_title, form.read_by, form.ocr_confirmed_by, form.ocr_confirmed_at,
    ]  # fmt: skip


def _fund_rows(form: Form) -> list[list]:
    return [
        [form.id, key, position, *(getattr(fund_row, column) for column in FUND_COLUMNS)]
        for position, (key, fund_row) in enumerate(form.funds.rows().items(), start=1)
    ]


def _indicator_rows(form: Form) -> list[list]:
    return [
        [
            form.id,
            position,
            *(getattr(row, column) for column in INDICATOR_COLUMNS),
            *_derived_indicator_values(row),
            row.ocr_confidence,
        ]
        for position, row in enumerate(form.indicators, start=1)
    ]


def _confirmation(cell) -> list:
    return [cell.confirmed_text, cell.confirmed_by, cell.confirmed_at]


def _ocr_cell_rows(form: Form) -> list[list]:
    return [
        [form.id, position, cell.page, *cell.box, cell.text, cell.confidence, cell.crop or None, *_confirmation(cell)]
        for position, cell in enumerate(form.ocr_cells, start=1)
    ]


_CHECK_FRAME_COLUMNS = ["form_id", "position", *CHECK_COLUMNS]


def _check_rows(form_id: str, checks: list[Check]) -> list[list]:
    return [
        [form_id, position, *(getattr(check, column) for column in CHECK_COLUMNS)]
        for position, check in enumerate(checks, start=1)
    ]


# Characters of a copied text kept to show in the finding.
_EXCERPT_CHARS = 30


def copy_key_rows(form: Form) -> list[list]:
    """The form's texts copied_text compares, one row per (field, key) (COPY_KEY_COLUMNS order): each
    distinct 偏差原因 (with the first indicator giving it), the 年度总体目标 and the 实际完成情况."""
    texts_of: list[tuple[str, str | None, str | None]] = [
        (domain.COPY_FIELD_REASON, row.reason, row.name) for row in form.indicators
    ]
    texts_of += [
        (domain.COPY_FIELD_GOAL_EXPECTED, form.goal_expected, None),
        (domain.COPY_FIELD_GOAL_ACTUAL, form.goal_actual, None),
    ]
    rows, seen = [], set()
    for field_name, text, indicator in texts_of:
        key = domain.copy_key(text)
        if key is None or (field_name, key[0]) in seen:
            continue
        seen.add((field_name, key[0]))
        excerpt = " ".join(str(text).split())
        excerpt = excerpt if len(excerpt) <= _EXCERPT_CHARS else excerpt[:_EXCERPT_CHARS] + "…"
        rows.append([form.id, field_name, key[0], key[1], indicator, excerpt])
    return rows


# The tables holding a form's rows beside `forms` (all keyed by form_id).
FORM_CHILD_TABLES = ("fund_rows", "indicators", "checks", "ocr_cells", "ocr_blocks", "copy_keys")


# The columns `form_rows` fills, per table.
FORM_TABLE_COLUMNS = {
    "forms": FORM_COLUMNS,
    "fund_rows": ["form_id", "row_key", "position", *FUND_COLUMNS],
    "indicators": ["form_id", "position", *INDICATOR_COLUMNS, *INDICATOR_DERIVED, *INDICATOR_OCR],
    "checks": _CHECK_FRAME_COLUMNS,
    "ocr_cells": OCR_CELL_COLUMNS,
    "ocr_blocks": OCR_BLOCK_COLUMNS,
    "copy_keys": COPY_KEY_COLUMNS,
}
