"""Reads: forms back out as model objects, the SQL saying which forms count, and the tables the import
page and the history show."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pandas as pd

from dashboard.core import domain
from dashboard.core.domain import Severity
from dashboard.core.model import FUND_ROW_KEYS, Check, Form, FundRow, Funds, Indicator, OcrCell
from dashboard.core.transactions import first_row, only_row
from dashboard.store.schema import FUND_COLUMNS

# Where a form counts: the current version, complete, not waiting to be settled as 可能重复.
COUNTED_SQL = "({alias}.superseded_by IS NULL AND {alias}.complete AND NOT {alias}.pending_duplicate)"


def counted_sql(alias: str = "f") -> str:
    """SQL condition: the form row `alias` counts in totals (current, complete, settled)."""
    return COUNTED_SQL.format(alias=alias)


def project_form_sql(alias: str = "f") -> str:
    """SQL condition: the form row `alias` is a 项目支出 form (部门整体 forms stay out of project totals)."""
    return f"{alias}.form_kind = '{domain.FormKind.PROJECT}'"


def department_form_sql(alias: str = "f") -> str:
    """SQL condition: the form row `alias` is a 部门整体支出 form."""
    return f"{alias}.form_kind = '{domain.FormKind.DEPARTMENT}'"


def find_imported(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """The file name under which content with this sha256 is stored (not removed), or None."""
    row = first_row(
        con,
        "SELECT file_name FROM import_batches WHERE sha256 = ? AND outcome IN (SELECT unnest(?)) LIMIT 1",
        [sha256, list(domain.STORED_OUTCOMES)],
    )
    return row[0] if row else None


def load_forms(
    con: duckdb.DuckDBPyConnection, form_ids: Iterable[str] | None = None, versions: str = "all"
) -> list[Form]:
    """Rebuild model.Form objects from the tables, in import order.

    `versions`: "all" (every stored version), "current" (not replaced: complete or not, settled or
    not) or "counted" (what the totals count: current, complete, settled).
    """
    return forms_from_rows(fetch_form_rows(con, form_ids, versions))


@dataclass(frozen=True)
class StoredRows:
    """The stored rows of some forms, as DuckDB hands them back: per table its column names and row tuples
    (forms in import order, children by form and position). Plain values only, so that it crosses to a worker
    process cheaply; `forms_from_rows` makes the forms of it there."""

    tables: dict[str, tuple[tuple[str, ...], list[tuple]]]


def fetch_form_rows(
    con: duckdb.DuckDBPyConnection, form_ids: Iterable[str] | None = None, versions: str = "all"
) -> StoredRows:
    """The rows of the forms `load_forms` would load (same arguments), not yet made into forms."""
    conditions, params = [], []
    if form_ids is not None:
        ids = list(form_ids)
        if not ids:
            return StoredRows({})
        conditions.append("form_id IN (SELECT unnest(?))")
        params.append(ids)
    if versions == "current":
        conditions.append("superseded_by IS NULL")
    elif versions == "counted":
        conditions.append(counted_sql("forms"))
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    forms = _rows(con, f"SELECT * FROM forms {where} ORDER BY batch_id, position", params)
    if not forms[1]:
        return StoredRows({})
    form_id, read_by = forms[0].index("form_id"), forms[0].index("read_by") if "read_by" in forms[0] else None
    children_where, children_params = "WHERE form_id IN (SELECT unnest(?))", [[row[form_id] for row in forms[1]]]
    any_ocr = read_by is not None and any(row[read_by] == "ocr" for row in forms[1])
    tables = {"forms": forms}
    for table in ("fund_rows", "indicators", "checks", *(_OCR_TABLE if any_ocr else ())):
        sql = f"SELECT * FROM {table} {children_where} ORDER BY form_id, position"
        tables[table] = _rows(con, sql, children_params)
    return StoredRows(tables)


def forms_from_rows(stored: StoredRows) -> list[Form]:
    """The forms of `fetch_form_rows`' rows, in the same order."""
    if "forms" not in stored.tables:
        return []
    children = {table: _group_by_form(_as_records(rows)) for table, rows in stored.tables.items() if table != "forms"}
    return [_form_from_row(row, children) for row in _as_records(stored.tables["forms"])]


_OCR_TABLE = ("ocr_cells",)  # read only where a form was read by OCR (and so exists: an older file migrating has none)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple[tuple[str, ...], list[tuple]]:
    """Column names and row tuples of plain Python values, straight from DuckDB (no DataFrame: loading a chunk
    of forms through pandas took as long as auditing it)."""
    cursor = con.execute(sql, params)
    return tuple(column[0] for column in cursor.description), cursor.fetchall()


def _as_records(rows: tuple[tuple[str, ...], list[tuple]]) -> list[dict]:
    names, values = rows
    return [dict(zip(names, row, strict=True)) for row in values]


def not_counted(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Current forms kept out of the totals: incomplete, and 可能重复 waiting to be settled."""
    row = only_row(
        con,
        "SELECT count(*) FILTER (WHERE NOT complete), count(*) FILTER (WHERE complete AND pending_duplicate) "
        "FROM forms WHERE superseded_by IS NULL",
    )
    return {"incomplete": int(row[0] or 0), "pending": int(row[1] or 0)}


def incomplete_forms(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pd.DataFrame:
    """Current forms kept out of the totals as incomplete (newest first, at most `limit`), with the
    finding that says what is missing."""
    return con.execute(
        """
        SELECT f.form_id, f.source_file, f.position, f.project_name, c.message
        FROM forms f LEFT JOIN checks c ON c.form_id = f.form_id AND c.rule = 'incomplete'
        WHERE f.superseded_by IS NULL AND NOT f.complete
        ORDER BY f.batch_id DESC, f.position
        LIMIT ?
        """,
        [limit],
    ).df()


# What the 导入 page shows of a 可能重复 form and of each stored form it may replace, side by side.
_PENDING_SIDE = (
    "{a}.source_file AS {p}file, {a}.project_name AS {p}name, {a}.department AS {p}department, {a}.unit AS {p}unit, "
    "{a}.year AS {p}year, CAST({a}.project_amount AS DOUBLE) AS {p}amount, "
    "CAST({t}.initial_budget AS DOUBLE) AS {p}initial_budget, CAST({a}.budget AS DOUBLE) AS {p}budget, "
    "CAST({a}.executed AS DOUBLE) AS {p}executed, {a}.total_score AS {p}score, {a}.indicator_count AS {p}indicators"
)


def pending_duplicates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Forms held as 可能重复, one row per (form, candidate), with what a person needs to decide: the same
    facts of both forms (file, name, 主管部门, 实施单位, year, amounts, 总分, indicator rows), the new form's
    columns unprefixed (project_name, project_amount as before) and the candidate's prefixed `candidate_`."""
    new_side = _PENDING_SIDE.format(a="p", t="pt", p="")
    stored_side = _PENDING_SIDE.format(a="s", t="st", p="candidate_")
    return con.execute(
        f"""
        SELECT p.form_id, p.source_file, p.project_name, CAST(p.project_amount AS DOUBLE) AS project_amount,
               c.candidate_id, {new_side}, {stored_side}
        FROM forms p
        JOIN duplicate_candidates c ON c.form_id = p.form_id
        JOIN forms s ON s.form_id = c.candidate_id
        LEFT JOIN fund_rows pt ON pt.form_id = p.form_id AND pt.row_key = 'total'
        LEFT JOIN fund_rows st ON st.form_id = s.form_id AND st.row_key = 'total'
        WHERE p.pending_duplicate
        ORDER BY p.batch_id, p.position, s.batch_id, s.position
        """
    ).df()


def version_history(con: duckdb.DuckDBPyConnection, form_id: str) -> pd.DataFrame:
    """Every stored version of the form `form_id` belongs to, oldest first: file, time, what changed."""
    return con.execute(
        """
        WITH RECURSIVE back(form_id, replaces) AS (
            SELECT form_id, replaces FROM forms WHERE form_id = ?
            UNION ALL SELECT f.form_id, f.replaces FROM forms f JOIN back b ON f.form_id = b.replaces
        ), forward(form_id, superseded_by) AS (
            SELECT form_id, superseded_by FROM forms WHERE form_id = ?
            UNION ALL SELECT f.form_id, f.superseded_by FROM forms f JOIN forward w ON f.form_id = w.superseded_by
        )
        SELECT f.form_id, f.source_file, b.imported_at, b.batch_id, f.superseded_by, f.changes
        FROM forms f JOIN import_batches b ON b.batch_id = f.batch_id
        WHERE f.form_id IN (SELECT form_id FROM back UNION SELECT form_id FROM forward)
        ORDER BY b.batch_id
        """,
        [form_id, form_id],
    ).df()


def batches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every import, newest first, with its counts of new, replaced, 可能重复 and incomplete forms."""
    return con.execute(
        """
        SELECT batch_id, imported_at, file_name, outcome, form_count, new_count, replaced_count,
               duplicate_count, incomplete_count, imported_by, removed_at, message
        FROM import_batches ORDER BY batch_id DESC
        """
    ).df()


def _group_by_form(records: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(record["form_id"], []).append(record)
    return grouped


_PLAIN = frozenset({str, bool, int, list, Decimal})  # what DuckDB hands back that needs no conversion


def _value(value):
    """A stored value back as a plain Python value (NaN/NA → None, numpy scalars → Python)."""
    kind = type(value)
    if value is None or kind in _PLAIN:
        return value
    if kind is float:
        return None if value != value else value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _number(value) -> float | None:
    if type(value) is float:  # most stored figures: no conversion but NaN → None
        return None if value != value else value
    value = _value(value)
    return None if value is None else float(value)


def _form_from_row(row: dict, children: dict[str, dict[str, list[dict]]]) -> Form:
    form_id = row["form_id"]
    funds = Funds(unit_printed=row["unit_printed"])
    for fund in children["fund_rows"].get(form_id, []):
        if fund["row_key"] in FUND_ROW_KEYS:
            setattr(funds, fund["row_key"], FundRow(**{c: _number(fund[c]) for c in FUND_COLUMNS}))
    indicators = [
        Indicator(  # text columns come back from DuckDB as str or None: nothing to convert
            level1=item["level1"],
            level2=item["level2"],
            name=item["name"],
            target=item["target"],
            actual=item["actual"],
            reason=item["reason"],
            weight=_number(item["weight"]),
            score=_number(item["score"]),
            target_parts=None if item["target_parts"] is None else json.loads(item["target_parts"]),
            ocr_confidence=_number(item.get("ocr_confidence")),
        )
        for item in children["indicators"].get(form_id, [])
    ]
    checks = [
        Check(
            rule=item["rule"],
            severity=Severity(item["severity"]),
            message=item["message"],
            indicator=_value(item["indicator"]),
            claimed=_number(item["claimed"]),
            recomputed=_number(item["recomputed"]),
        )
        for item in children["checks"].get(form_id, [])
    ]
    pages = row["source_pages"]
    year = _value(row["year"])
    return Form(
        id=form_id,
        source_file=row["source_file"],
        source_pages=[] if pages is None else [int(page) for page in pages],
        year=None if year is None else int(year),
        department=_value(row["department"]),
        unit=_value(row["unit"]),
        project_name=row["project_name"],
        project_type=row["project_type"],
        status=_value(row["status"]),
        project_amount=_number(row["project_amount"]),
        funds=funds,
        goal_expected=_value(row["goal_expected"]) or "",
        goal_actual=_value(row["goal_actual"]) or "",
        indicators=indicators,
        total_weight=_number(row["total_weight"]),
        total_score=_number(row["total_score"]),
        checks=checks,
        recomputed_score=_number(row["recomputed_score"]),
        form_kind=domain.FormKind(_value(row["form_kind"]) or domain.FormKind.PROJECT),
        project_code=_value(row["project_code"]),
        scheme=_value(row["scheme"]),
        scheme_title=_value(row.get("scheme_title")),  # absent while an older file migrates (its first steps)
        complete=bool(_value(row["complete"]) if _value(row["complete"]) is not None else True),
        superseded_by=_value(row["superseded_by"]),
        read_by=_value(row.get("read_by")),
        ocr_cells=[
            OcrCell(
                page=int(item["page"]),
                box=(float(item["x0"]), float(item["top"]), float(item["x1"]), float(item["bottom"])),
                text=item["text"],
                confidence=float(item["confidence"]),
                crop=bytes(item["crop"]) if _value(item["crop"]) is not None else b"",
                confirmed_text=_value(item["confirmed_text"]),
                confirmed_by=_value(item["confirmed_by"]),
                confirmed_at=_time_text(item["confirmed_at"]),
            )
            for item in children.get("ocr_cells", {}).get(form_id, [])
        ],
        ocr_confirmed_by=_value(row.get("ocr_confirmed_by")),
        ocr_confirmed_at=_time_text(row.get("ocr_confirmed_at")),
    )


def _time_text(value) -> str | None:
    value = _value(value)
    if value is None:
        return None
    return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "isoformat") else str(value)
