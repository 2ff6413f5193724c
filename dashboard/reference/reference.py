"""Reference data kept by the office, and the SQL that makes every view use it.

Two kinds (dashboard/reference/organisations.py, dashboard/reference/project_types.py): the organisations
that forms print as 主管部门 and 实施单位 (shown as "name（code）", all spellings of one together), and project types by
rule. Both are resolved per distinct printed value into small tables at import and whenever the office
changes them, and the values every view shows are written beside what each form printed in the same transaction
(shown.py), so every page, filter, chart and download follows at once. Forms keep what they printed.
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
    create_tables(con)
    project_types.seed_defaults(con)
    reason_classes.ensure_schema(con)
    marked = first_row(con, "SELECT 1 FROM meta WHERE key = ?", [_REASONS_ALL_RESOLVED]) is not None
    refresh(con, reason_batches if marked else None)
    if not marked:
        dialect.put_meta(con, _REASONS_ALL_RESOLVED, datetime.now().isoformat())


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The organisations' and project types' tables, where missing (what reference/shown.py reads)."""
    dialect.execute_ddl(con, organisations.DDL)
    dialect.execute_ddl(con, project_types.DDL)


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


# --- SQL for the page queries: the values every view shows, kept on each form (shown.py) ----------------------


def resolved_forms_sql(condition: str = "TRUE", columns: tuple[str, ...] | None = None) -> str:
    """A subquery of the forms rows under `condition` (on alias f) whose department, unit and project_type
    are the ones every view shows (shown.py): for queries that read `forms` directly. `columns` keeps only those
    (a narrow read at 10⁵ forms); None keeps every column."""
    resolved = {"department": "f.shown_department", "unit": "f.shown_unit", "project_type": "f.shown_type"}
    if columns is None:
        replaced = ", ".join(f"{sql} AS {name}" for name, sql in resolved.items())
        selected = f"f.* REPLACE ({replaced})"
    else:
        selected = ", ".join(f"{resolved.get(name, f'f.{name}')} AS {name}" for name in columns)
    return f"(SELECT {selected} FROM forms f WHERE {condition})"


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
