"""Form identity: which stored form a newly read form is a new version of, and what changed.

Identity fields: form kind and project name (both must agree: `domain.identity_text`, so width variants
compare equal), and year, 主管部门, 实施单位, project code and 项目金额. A stored form is replaced only on
evidence:

- **Printed on both sides** (a field both forms print): it must agree, else the forms are different forms.
- **Not printed by the source** (`SOURCE_FIELDS`): a field that no form of a file prints — the file
  (for a stored form: its import batch) never prints it, as the sample text never prints 实施单位 and a
  yearless PDF never prints its year — is unknown, neither a difference nor evidence of sameness.
  A value given at import (--year, the 导入 page's 年度/主管部门/实施单位) counts as printed.
- **A blank**: a field one form leaves blank while other forms of its file print it, facing a printed
  value on the other side. It is no evidence of sameness, so such a match is never made by the program:
  the new form is held as 可能重复 for a person.

A match that rests on the other fields is still not taken where the two forms differ in what a
correction rarely changes (`unlike`: a budget of the 年度资金总额 row AND most indicator rows at once):
the new form is held as 可能重复 with the stored form beside it. Where several stored forms match, the
exact printed name decides; where it cannot, nothing is replaced and the new form is held as 可能重复
with its candidates.

A replacement keeps what the new copy does not print: year, 主管部门 and 实施单位 carry over from the
replaced form (`carry_over`), and the change list does not show them.
"""

from __future__ import annotations

from collections import Counter

import duckdb
import pandas as pd

from dashboard.audit import audit, review
from dashboard.core import domain, texts
from dashboard.core.model import FUND_ROW_KEYS, Form
from dashboard.store import reads, writes
from dashboard.store.writes import Placement, PlacementStatus

# How many changes a replacement lists before it says "and N more".
MAX_CHANGES = 12

# The identity fields besides kind and name: (incoming column, stored column as SQL, SQL test for "blank").
SOURCE_FIELDS = (
    ("year", "f.year", "{} IS NULL"),
    ("identity_department", "f.identity_department", "coalesce({}, '') = ''"),
    ("identity_unit", "f.identity_unit", "coalesce({}, '') = ''"),
    ("identity_code", "f.identity_code", "coalesce({}, '') = ''"),
    ("project_amount", "CAST(f.project_amount AS DOUBLE)", "{} IS NULL"),
)
# Fields a replacement takes from the replaced form where the new copy leaves them blank.
CARRIED_FIELDS = ("year", "department", "unit")


def _candidates_sql(other_batches: bool = False) -> str:
    """Stored current forms of the same kind and name, agreeing on every field both print; per match, whether
    it rests on a blank (a field printed on one side and left blank on the other where its source prints it)."""
    agree, blank_link, source_columns = [], [], []
    for column, stored, blank in SOURCE_FIELDS:
        new_value, new_blank, stored_blank = f"n.{column}", blank.format(f"n.{column}"), blank.format(stored)
        agree.append(f"({new_blank} OR {stored_blank} OR {stored} = {new_value})")
        blank_link.append(
            f"({new_blank} AND NOT {stored_blank} AND n.source_{column}) "
            f"OR ({stored_blank} AND NOT {new_blank} AND s.source_{column})"
        )
        source_columns.append(f"bool_or(NOT {blank.format(stored)}) AS source_{column}")
    return f"""
WITH matches AS (
    SELECT n.position, f.form_id, f.batch_id, f.position AS stored_position, f.project_name, f.year,
           f.identity_department, f.identity_unit, f.identity_code, f.project_amount
    FROM incoming_identity n
    JOIN forms f ON f.form_kind = n.form_kind AND f.identity_name = n.identity_name
    WHERE f.superseded_by IS NULL AND NOT f.pending_duplicate{" AND f.batch_id <> ?" if other_batches else ""}
), sources AS (
    SELECT f.batch_id, {", ".join(source_columns)}
    FROM forms f WHERE f.batch_id IN (SELECT batch_id FROM matches)
    GROUP BY f.batch_id
)
SELECT n.position, f.form_id, (f.project_name = n.project_name) AS same_printed_name,
       ({" OR ".join(blank_link)}) AS blank_link
FROM incoming_identity n
JOIN matches f ON f.position = n.position
JOIN sources s ON s.batch_id = f.batch_id
WHERE {" AND ".join(agree)}
ORDER BY n.position, f.batch_id, f.stored_position
"""


_CANDIDATES_SQL = _candidates_sql()
_OTHER_BATCHES_SQL = _candidates_sql(other_batches=True)  # recheck_new: not the forms of the file itself


def place(con: duckdb.DuckDBPyConnection, forms: list[Form]) -> list[Placement]:
    """Decide for each form of one file whether it is new, replaces a stored form, or is 可能重复.

    `forms` are all the forms of one file (which fields the file prints is judged over all of them).
    Incomplete forms never replace a stored form (a damaged resubmission must not push out a good
    version); they are stored as new and kept out of the totals.
    """
    placements = [Placement(form) for form in forms]
    candidates = _candidates(con, forms, placements)
    claimed: dict[str, list[Placement]] = {}
    for index, found in candidates.items():
        placement = placements[index]
        exact = [form_id for form_id, same, _blank in found if same]
        if len(found) == 1:
            chosen = [found[0][0]]
        elif len(exact) == 1:
            chosen = exact
        else:
            chosen = [form_id for form_id, _, _ in found]
        rests_on_blank = any(blank for form_id, _same, blank in found if form_id in chosen)
        if len(chosen) == 1 and not rests_on_blank:
            placement.status, placement.replaces = PlacementStatus.REPLACED, chosen[0]
            claimed.setdefault(chosen[0], []).append(placement)
        else:
            placement.status, placement.candidates = PlacementStatus.DUPLICATE, chosen
    # Two forms of one file claiming the same stored form: neither replaces it silently.
    for stored_id, claimants in claimed.items():
        if len(claimants) > 1:
            for placement in claimants:
                placement.status, placement.replaces, placement.candidates = (
                    PlacementStatus.DUPLICATE,
                    None,
                    [stored_id],
                )
    replaced = [(p, p.replaces) for p in placements if p.status == PlacementStatus.REPLACED and p.replaces is not None]
    old = {form.id: form for form in reads.load_forms(con, [stored_id for _, stored_id in replaced])}
    for placement, stored_id in replaced:
        previous = old[stored_id]
        if unlike(previous, placement.form):  # the same name, but not what a correction looks like
            placement.status, placement.replaces, placement.candidates = PlacementStatus.DUPLICATE, None, [previous.id]
            continue
        carry_over(previous, placement.form)
        placement.changes = describe_changes(previous, placement.form)
    return placements


def recheck_new(con: duckdb.DuckDBPyConnection, batch_id: int, placements: list[Placement]) -> dict[str, list[str]]:
    """After a file's forms were stored (batch `batch_id`) as placed on an older snapshot: the forms placed as
    new that now have stored candidates outside the file, {form id: candidates}.

    On a DuckLake two importers add rows without conflicting, so each can place a form as new while the other
    stores the same form: neither saw the other's. The importer that finds such a candidate after its commit
    holds its own form as 可能重复 (writes.hold_as_duplicates); whoever commits second always finds the first's,
    so the two are never both new (both may be held, for a person to settle)."""
    forms = [placement.form for placement in placements]
    found = _candidates(con, forms, placements, other_than=batch_id)
    return {
        placements[index].form.id: [form_id for form_id, _same, _blank in matches]
        for index, matches in found.items()
        if placements[index].status == PlacementStatus.NEW and matches
    }


def _candidates(
    con, forms: list[Form], placements: list[Placement], other_than: int | None = None
) -> dict[int, list[tuple[str, bool, bool]]]:
    """Stored current forms each complete form may be a version of (`other_than`: not of that import batch):
    {index in placements: [(form_id, same printed name, the match rests on a blank)]}."""
    complete = [(index, form) for index, form in enumerate(forms) if form.complete]
    if not complete:
        return {}
    printed = _printed_by_source(forms)
    rows = []
    for index, form in complete:
        _complete, _rate, name, department, unit, code = writes.derived_form_values(form)
        rows.append([index, form.form_kind, form.year, name, department, unit, code, form.project_amount,
                     form.project_name or "", *printed])  # fmt: skip
    columns = ["position", "form_kind", "year", "identity_name", "identity_department", "identity_unit",
               "identity_code", "project_amount", "project_name",
               *(f"source_{column}" for column, _, _ in SOURCE_FIELDS)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame["year"] = frame["year"].astype("Int64")
    frame["project_amount"] = frame["project_amount"].astype("Float64")
    for column, _, _ in SOURCE_FIELDS:
        frame[f"source_{column}"] = frame[f"source_{column}"].astype(bool)
    con.register("incoming_identity", frame)
    try:
        if other_than is None:
            found = con.execute(_CANDIDATES_SQL).fetchall()
        else:
            found = con.execute(_OTHER_BATCHES_SQL, [int(other_than)]).fetchall()
    finally:
        con.unregister("incoming_identity")
    result: dict[int, list[tuple[str, bool, bool]]] = {}
    for position, form_id, same, blank in found:
        result.setdefault(int(position), []).append((form_id, bool(same), bool(blank)))
    return result


def _printed_by_source(forms: list[Form]) -> list[bool]:
    """For each of SOURCE_FIELDS: does any form of the file print it (or was it given at import)?"""
    values = [writes.derived_form_values(form)[2:] for form in forms]  # name, department, unit, code
    return [
        any(form.year is not None for form in forms),
        any(department for _name, department, _unit, _code in values),
        any(unit for _name, _department, unit, _code in values),
        any(code for _name, _department, _unit, code in values),
        any(form.project_amount is not None for form in forms),
    ]


# Indicator rows are "the same row" when name and 指标值 agree (domain.identity_text); a correction keeps
# most of them, a different project's form keeps few.
def _row_keys(form: Form) -> Counter:
    return Counter((domain.identity_text(row.name), domain.identity_text(row.target)) for row in form.indicators)


def unlike(old: Form, new: Form) -> bool:
    """True where two forms of one name differ in what a correction rarely changes: a budget of the 年度资金总额
    row (年初预算数 or 全年预算数, printed on both) AND most indicator rows (more than half of the longer form's
    rows have no row of the same name and 指标值 in the other) at once."""
    budget_differs = any(
        before is not None and after is not None and abs(before - after) > 0.005
        for before, after in (
            (old.funds.total.initial_budget, new.funds.total.initial_budget),
            (old.funds.total.annual_budget, new.funds.total.annual_budget),
        )
    )
    if not budget_differs:
        return False
    shared = sum((_row_keys(old) & _row_keys(new)).values())
    longest = max(len(old.indicators), len(new.indicators))
    return longest > 0 and longest - shared > longest / 2


def carry_over(old: Form, new: Form, recheck: bool = True) -> None:
    """What the new copy does not print is taken from the version it replaces (year, 主管部门, 实施单位); where
    anything was taken and `recheck`, the form's checks are run again (a scheme may follow the 主管部门)."""
    taken = False
    for name in CARRIED_FIELDS:
        if getattr(new, name) in (None, "") and getattr(old, name) not in (None, ""):
            setattr(new, name, getattr(old, name))
            taken = True
    if taken and recheck:
        review.check_form(new, layout=new.layout_title)


# --- What changed between two versions ---------------------------------------------------------------------

_HEADER_FIELDS = (
    ("project_name", texts.VERSION_FIELD["project_name"]),
    ("year", texts.VERSION_FIELD["year"]),
    ("department", texts.VERSION_FIELD["department"]),
    ("unit", texts.VERSION_FIELD["unit"]),
    ("project_amount", texts.VERSION_FIELD["project_amount"]),
    ("goal_expected", texts.VERSION_FIELD["goal_expected"]),
    ("goal_actual", texts.VERSION_FIELD["goal_actual"]),
    ("total_weight", texts.VERSION_FIELD["total_weight"]),
    ("total_score", texts.VERSION_FIELD["total_score"]),
)
_FUND_FIELDS = ("initial_budget", "annual_budget", "executed", "weight", "rate_pct", "score")
_ROW_FIELDS = ("level1", "level2", "target", "actual", "weight", "score", "reason")


def describe_changes(old: Form, new: Form) -> list[str]:
    """What differs between two versions of a form, one short Chinese line each (at most MAX_CHANGES)."""
    changes = [
        texts.VERSION_CHANGED_FIELD.format(field=label, old=_shown(getattr(old, key)), new=_shown(getattr(new, key)))
        for key, label in _HEADER_FIELDS
        if getattr(old, key) != getattr(new, key)
    ]
    for key in FUND_ROW_KEYS:
        old_row, new_row = getattr(old.funds, key), getattr(new.funds, key)
        for name in _FUND_FIELDS:
            if getattr(old_row, name) != getattr(new_row, name):
                changes.append(
                    texts.VERSION_CHANGED_FUND.format(
                        row=texts.VERSION_FUND_ROW[key],
                        field=texts.VERSION_FUND_FIELD[name],
                        old=_shown(getattr(old_row, name)),
                        new=_shown(getattr(new_row, name)),
                    )
                )
    changes.extend(_row_changes(old, new))
    if len(changes) > MAX_CHANGES:
        changes = [*changes[:MAX_CHANGES], texts.VERSION_MORE_CHANGES.format(count=len(changes) - MAX_CHANGES)]
    return changes


def _row_changes(old: Form, new: Form) -> list[str]:
    """Indicator rows matched by name in order: changed fields, rows added, rows dropped."""
    remaining = list(old.indicators)
    changes = []
    for row in new.indicators:
        match = next((candidate for candidate in remaining if candidate.name == row.name), None)
        if match is None:
            changes.append(texts.VERSION_ROW_ADDED.format(name=row.name))
            continue
        remaining.remove(match)
        for name in _ROW_FIELDS:
            if getattr(match, name) != getattr(row, name):
                changes.append(
                    texts.VERSION_CHANGED_ROW.format(
                        name=row.name,
                        field=texts.VERSION_ROW_FIELD[name],
                        old=_shown(getattr(match, name)),
                        new=_shown(getattr(row, name)),
                    )
                )
    changes.extend(texts.VERSION_ROW_DROPPED.format(name=row.name) for row in remaining)
    return changes


def _shown(value, limit: int = 24) -> str:
    """A value in a change line: "—" for none, numbers without trailing zeros, long texts cut."""
    if value is None or value == "":
        return "—"
    text = audit.fmt(value) if isinstance(value, float) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
