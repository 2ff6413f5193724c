"""The 主管部门, 实施单位 and project type as every view shows them, kept on each form beside what it printed.

The reference data (organisations.py, project_types.py) resolves each distinct printed value into a small table;
the expressions below read those tables for one forms row: "name（code）" of the organisation, else as printed, and
the resolved type. They are the one definition; `sync` writes their values into the form's `shown_department`,
`shown_unit` and `shown_type` wherever these differ, so the pages group and filter on plain columns (joining the
tables for every form on every query was a third of the pages' time at 10⁶ forms). It runs where the values can
change: when a file's forms are stored or a form's header rewritten (store/writes.py), and when the spellings or
resolved types change (organisations.rebuild_spellings, project_types.resolve), in the same transaction.
"""

from __future__ import annotations

import duckdb

from dashboard.core import domain, texts
from dashboard.core.dialect import sql_text
from dashboard.core.transactions import only_row

# The forms columns `sync` writes (schema.py declares them).
COLUMNS = ("shown_department", "shown_unit", "shown_type")


def organisation_joins(f: str = "f") -> str:
    """LEFT JOINs of the resolved organisations (ref_d, ref_u) of the forms row `f` (its 主管部门 and 实施单位 are
    stored trimmed, as the spellings are: schema.STORED_AS): what department_sql and unit_sql read."""
    return f"""
    LEFT JOIN ref_org_spellings ref_d ON ref_d.spelling = {f}.department
    LEFT JOIN ref_org_spellings ref_u ON ref_u.spelling = {f}.unit"""


def type_join(f: str = "f") -> str:
    """LEFT JOIN of the resolved type (ref_t) of the forms row `f`: what type_sql reads."""
    return f"""
    LEFT JOIN ref_project_types ref_t ON ref_t.project_name = {f}.project_name
         AND ref_t.printed_type = {f}.project_type AND ref_t.project_code = coalesce({f}.project_code, '')"""


def department_sql(f: str = "f") -> str:
    """The 主管部门 as every view shows it: "name（code）" of its organisation, else as printed."""
    return f"coalesce(ref_d.label, nullif({f}.department, ''))"


def unit_sql(f: str = "f") -> str:
    """The 实施单位 as every view shows it; NULL where the form leaves it blank."""
    return f"coalesce(ref_u.label, nullif({f}.unit, ''))"


def type_sql(f: str = "f") -> str:
    """The project type: 部门整体 for department forms, the resolved type, else 未分类."""
    return (
        f"CASE WHEN {f}.form_kind = {sql_text(domain.FormKind.DEPARTMENT)} THEN {sql_text(texts.REF_TYPE_DEPARTMENT)} "
        f"ELSE coalesce(ref_t.resolved_type, {sql_text(texts.REF_TYPE_UNCLASSIFIED)}) END"
    )


def _parts(organisations: bool, types: bool) -> tuple[dict[str, str], str]:
    columns: dict[str, str] = {}
    joins = ""
    if organisations:
        columns |= {"shown_department": department_sql(), "shown_unit": unit_sql()}
        joins += organisation_joins()
    if types:
        columns["shown_type"] = type_sql()
        joins += type_join()
    return columns, joins


def sync(
    con: duckdb.DuckDBPyConnection,
    condition: str = "TRUE",
    params: list | None = None,
    *,
    organisations: bool = True,
    types: bool = True,
) -> None:
    """Write the shown values of the forms under `condition` (on alias f) where they differ from what the
    reference data gives now: the organisations', the type's, or both. Rows already right are not written (on a
    lake, a write conflicts with other writers')."""
    columns, joins = _parts(organisations, types)
    if not columns:
        return
    differs = " OR ".join(f"f.{column} IS DISTINCT FROM {sql}" for column, sql in columns.items())
    selected = ", ".join(f"{sql} AS {column}" for column, sql in columns.items())
    assigned = ", ".join(f"{column} = x.{column}" for column in columns)
    con.execute(  # the condition on the target too: its scan skips the files of other forms (on a lake, 0.2 s a call)
        f"UPDATE forms AS f SET {assigned} FROM (SELECT f.form_id, {selected} FROM forms f {joins} "
        f"WHERE ({condition}) AND ({differs})) x WHERE f.form_id = x.form_id AND ({condition})",
        (params or []) * 2,
    )


def out_of_sync(con: duckdb.DuckDBPyConnection) -> int:
    """How many forms show something other than what the reference data gives now (0 when all is right)."""
    columns, joins = _parts(True, True)
    differs = " OR ".join(f"f.{column} IS DISTINCT FROM {sql}" for column, sql in columns.items())
    return int(only_row(con, f"SELECT count(*) FROM forms f {joins} WHERE {differs}")[0])
