"""Form identity: which stored form a newly read form is a new version of, and what changed.

A form is the same form as a stored one when form kind, year, 主管部门, 实施单位, project code and
project name agree (compared by `domain.identity_text`); a field that one side leaves blank does not
stop a match; a printed 项目金额 on both sides separates same-named projects. Where several stored forms
still match, the exact printed name decides; where it cannot, nothing is replaced: the new form is held
as 可能重复 with its candidates, for a person to settle.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard import audit, store, texts
from dashboard.model import FUND_ROW_KEYS, Form
from dashboard.store import STATUS_DUPLICATE, STATUS_REPLACED, Placement

# How many changes a replacement lists before it says "and N more".
MAX_CHANGES = 12


_CANDIDATES_SQL = """
SELECT n.position, f.form_id, (f.project_name = n.project_name) AS same_printed_name
FROM incoming_identity n
JOIN forms f
  ON f.form_kind = n.form_kind
 AND f.identity_name = n.identity_name
 AND (f.year IS NULL OR n.year IS NULL OR f.year = n.year)
 AND (f.identity_department = '' OR n.identity_department = '' OR f.identity_department = n.identity_department)
 AND (f.identity_unit = '' OR n.identity_unit = '' OR f.identity_unit = n.identity_unit)
 AND (f.identity_code = '' OR n.identity_code = '' OR f.identity_code = n.identity_code)
 AND (f.project_amount IS NULL OR n.project_amount IS NULL
      OR CAST(f.project_amount AS DOUBLE) = CAST(n.project_amount AS DOUBLE))
WHERE f.superseded_by IS NULL AND NOT f.pending_duplicate
ORDER BY n.position, f.batch_id, f.position
"""


def place(con: duckdb.DuckDBPyConnection, forms: list[Form]) -> list[Placement]:
    """Decide for each form of one file whether it is new, replaces a stored form, or is 可能重复.

    Incomplete forms never replace a stored form (a damaged resubmission must not push out a good
    version); they are stored as new and kept out of the totals.
    """
    placements = [Placement(form) for form in forms]
    candidates = _candidates(con, [p.form for p in placements if p.form.complete], placements)
    claimed: dict[str, list[Placement]] = {}
    for index, found in candidates.items():
        placement = placements[index]
        exact = [form_id for form_id, same in found if same]
        if len(found) == 1:
            chosen = [found[0][0]]
        elif len(exact) == 1:
            chosen = exact
        else:
            chosen = [form_id for form_id, _ in found]
        if len(chosen) == 1:
            placement.status, placement.replaces = STATUS_REPLACED, chosen[0]
            claimed.setdefault(chosen[0], []).append(placement)
        else:
            placement.status, placement.candidates = STATUS_DUPLICATE, chosen
    # Two forms of one file claiming the same stored form: neither replaces it silently.
    for stored_id, claimants in claimed.items():
        if len(claimants) > 1:
            for placement in claimants:
                placement.status, placement.replaces, placement.candidates = STATUS_DUPLICATE, None, [stored_id]
    replaced = [p for p in placements if p.status == STATUS_REPLACED]
    old = {form.id: form for form in store.load_forms(con, [p.replaces for p in replaced])}
    for placement in replaced:
        placement.changes = describe_changes(old[placement.replaces], placement.form)
    return placements


def _candidates(con, forms: list[Form], placements: list[Placement]) -> dict[int, list[tuple[str, bool]]]:
    """Stored current forms each form may be a version of: {index in placements: [(form_id, same name)]}."""
    if not forms:
        return {}
    index_of = {id(p.form): index for index, p in enumerate(placements)}
    rows = []
    for form in forms:
        _complete, _rate, name, department, unit, code = store.derived_form_values(form)
        rows.append([index_of[id(form)], form.form_kind, form.year, name, department, unit, code,
                     form.project_amount, form.project_name or ""])  # fmt: skip
    columns = ["position", "form_kind", "year", "identity_name", "identity_department", "identity_unit",
               "identity_code", "project_amount", "project_name"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    con.register("incoming_identity", frame)
    try:
        found = con.execute(_CANDIDATES_SQL).fetchall()
    finally:
        con.unregister("incoming_identity")
    result: dict[int, list[tuple[str, bool]]] = {}
    for position, form_id, same in found:
        result.setdefault(int(position), []).append((form_id, bool(same)))
    return result


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
