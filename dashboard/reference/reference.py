"""Reference data kept by the office, and the SQL that makes every view use it.

Two kinds (dashboard/reference/organisations.py, dashboard/reference/project_types.py): the organisations
that forms print as 主管部门 and 实施单位 (shown as "name（code）", all spellings of one together), and project types by
rule. Both are resolved per distinct printed value into small tables at import and whenever the office
changes them; the page SQL joins those tables through `JOINS` and the column expressions below, so no
form is rewritten and every page, filter, chart and download follows at once. Forms keep what they printed.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from dashboard.core import dialect, domain, texts
from dashboard.core.model import Form
from dashboard.core.transactions import first_row, only_row, transaction
from dashboard.reference import organisations, project_types, reason_classes

_TABLES = ("ref_organisations", "ref_org_spellings", "ref_type_rules", "ref_type_assignments", "ref_project_types",
           "ref_reason_rules", "ref_reason_assignments", "ref_reason_classes")  # fmt: skip


# Set once every reason the stored indicators give has been resolved by this program (a database made or first
# opened by a writer of it): from then on a writer's open resolves only the reasons of imports whose work is still
# recorded as pending (connect.open_db passes them), where a pass over every indicator cost 0.8 s and 0.6 GB at 10⁶.
_REASONS_ALL_RESOLVED = "reasons_all_resolved"


def ensure_schema(con: duckdb.DuckDBPyConnection, reason_batches: list[int] | None = None) -> None:
    """Create the reference tables if missing, give them the default rules once, and resolve what the
    stored forms print that is not resolved yet (called by connect.open_db for writers). `reason_batches`: the
    imports whose reasons may still be unresolved (a writer killed before its import's last step); None: all."""
    dialect.execute_ddl(con, organisations.DDL)
    dialect.execute_ddl(con, project_types.DDL)
    project_types.seed_defaults(con)
    reason_classes.ensure_schema(con)
    marked = first_row(con, "SELECT 1 FROM meta WHERE key = ?", [_REASONS_ALL_RESOLVED]) is not None
    refresh(con, reason_batches if marked else None)
    if not marked:
        dialect.put_meta(con, _REASONS_ALL_RESOLVED, datetime.now().isoformat())


# Rewritten by every refresh that learned something: on a lake, two refreshes that both learned conflict at
# commit, and the later runs again on what the first wrote (the tables have no keys; two at once would both
# add the same project name's type). A refresh that learned nothing writes nothing and conflicts with none.
_LEARNED_KEY = "reference_learned_at"


def refresh(con: duckdb.DuckDBPyConnection, batches: list[int] | None = None) -> None:
    """After an import: learn organisations from what the new forms print, resolve new project names and
    reasons (`batches`: only the reasons of these imports' forms; every writer's open resolves them all);
    in one transaction."""
    if first_row(con, "SELECT value FROM meta WHERE key = ?", [_LEARNED_KEY]) is None:
        dialect.put_meta(con, _LEARNED_KEY, "")  # a row to rewrite: deleting no row conflicts with no one
    with transaction(con):
        learned = organisations.learn_from_forms(con)
        learned = project_types.resolve(con) > 0 or learned
        learned = reason_classes.resolve(con, batches=batches) > 0 or learned
        if learned:
            dialect.put_meta(con, _LEARNED_KEY, datetime.now().isoformat())


def present(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the file has the reference tables (a file no writer of this version has opened has not)."""
    found = only_row(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name IN (SELECT unnest(?))",
        [list(_TABLES)],
    )[0]
    return found == len(_TABLES)


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --- SQL for the page queries: `FROM forms f {joins("f")}` then the expressions --------------------------


def joins(f: str = "f") -> str:
    """LEFT JOINs of the resolved organisations (ref_d, ref_u) and type (ref_t) of the forms row `f` (its 主管部门 and
    实施单位 are stored trimmed, as the spellings are: schema.STORED_AS)."""
    return organisation_joins(f) + type_join(f)


def organisation_joins(f: str = "f") -> str:
    """The organisations' part of `joins`: what department_sql and unit_sql read."""
    return f"""
    LEFT JOIN ref_org_spellings ref_d ON ref_d.spelling = {f}.department
    LEFT JOIN ref_org_spellings ref_u ON ref_u.spelling = {f}.unit"""


def type_join(f: str = "f") -> str:
    """The project type's part of `joins`: what type_sql reads."""
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
        f"CASE WHEN {f}.form_kind = {_text(domain.FormKind.DEPARTMENT)} THEN {_text(texts.REF_TYPE_DEPARTMENT)} "
        f"ELSE coalesce(ref_t.resolved_type, {_text(project_types.UNCLASSIFIED)}) END"
    )


def resolved_forms_sql(condition: str = "TRUE", columns: tuple[str, ...] | None = None) -> str:
    """A subquery of the forms rows under `condition` (on alias f) whose department, unit and project_type
    are the resolved ones: for queries that read `forms` directly (e.g. the filter choices). `columns`
    keeps only those (a narrow read at 10⁵ forms); None keeps every column."""
    resolved = {"department": department_sql(), "unit": unit_sql(), "project_type": type_sql()}
    if columns is None:
        replaced = ", ".join(f"{sql} AS {name}" for name, sql in resolved.items())
        selected = f"f.* REPLACE ({replaced})"
    else:
        selected = ", ".join(f"{resolved.get(name, f'f.{name}')} AS {name}" for name in columns)
    return f"(SELECT {selected} FROM forms f {joins()} WHERE {condition})"


def organisations_of_spellings(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str | None]]:
    """Printed spelling (trimmed) → (code, name) of its organisation: for choosing settings per department
    (e.g. an audit scheme) by code even where a form prints only the name. Empty before the tables exist."""
    if not present(con):
        return {}
    rows = con.execute(
        "SELECT s.spelling, o.code, o.name FROM ref_org_spellings s JOIN ref_organisations o USING (org_id)"
    ).fetchall()
    return {spelling: (code, name) for spelling, code, name in rows}


# --- the export --------------------------------------------------------------------------------------------


def annotate(con: duckdb.DuckDBPyConnection, forms: list[Form]) -> None:
    """Give loaded forms their resolved project type and the names of their 主管部门 and 实施单位 (for the
    export: department/unit stay as printed, department_name/unit_name carry the names)."""
    if not forms or not present(con):
        return
    names = dict(con.execute("SELECT spelling, name FROM ref_org_spellings").fetchall())
    types = {
        (name, printed, code): resolved
        for name, printed, code, resolved in con.execute(
            "SELECT project_name, printed_type, project_code, resolved_type FROM ref_project_types"
        ).fetchall()
    }
    for form in forms:
        department, unit = (form.department or "").strip(), (form.unit or "").strip()
        form.department_name = names.get(department) or (organisations.parse(department)[1] if department else None)
        form.unit_name = names.get(unit) or (organisations.parse(unit)[1] if unit else None)
        if form.form_kind == domain.FormKind.DEPARTMENT:
            continue
        key = (form.project_name, form.project_type, form.project_code or "")
        form.project_type = types.get(key, project_types.UNCLASSIFIED)
    reason_classes.annotate(con, forms)  # every indicator's reason_class and reason_subclass


def printed_with_name(printed: str | None, name: str | None) -> str | None:
    """A printed 主管部门/实施单位 with the reference name beside it where the print lacks it: "0402009（某局）"."""
    if not printed or not name or name in printed:
        return printed
    return texts.REF_PRINTED_WITH_NAME.format(printed=printed, name=name)
