"""DuckDB store: schema, one-transaction-per-file saves, forms back out as model objects.

Who writes: one process at a time (DuckDB takes an exclusive lock for a read-write
open). Pages open the file read-only; writes go through `dashboard.importer` only,
from the command line or the 导入 page. `open_db` turns DuckDB's lock and file errors
into `StoreError` with a message that says what to do.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import accounts, texts
from dashboard.model import FUND_ROW_KEYS, Check, Form, FundRow, Funds, Indicator

DEFAULT_DB = Path("data/forms.duckdb")
DB_ENV_VAR = "DASHBOARD_DB"

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS batch_id_seq;
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id     BIGINT PRIMARY KEY DEFAULT nextval('batch_id_seq'),
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR,
    imported_at  TIMESTAMP NOT NULL,
    outcome      VARCHAR NOT NULL,      -- imported | error
    form_count   INTEGER NOT NULL,
    message      VARCHAR
);
CREATE TABLE IF NOT EXISTS forms (
    form_id          VARCHAR PRIMARY KEY,
    batch_id         BIGINT NOT NULL,
    position         INTEGER NOT NULL,  -- the form's place in its file
    source_file      VARCHAR NOT NULL,
    source_pages     INTEGER[],
    year             INTEGER,
    department       VARCHAR,
    unit             VARCHAR,
    project_name     VARCHAR NOT NULL,
    project_type     VARCHAR NOT NULL,
    status           VARCHAR,
    project_amount   DECIMAL(18, 2),
    unit_printed     VARCHAR NOT NULL,
    goal_expected    VARCHAR,
    goal_actual      VARCHAR,
    total_weight     DOUBLE,
    total_score      DOUBLE,
    recomputed_score DOUBLE             -- the 总分 the scoring rules give (audit)
);
CREATE TABLE IF NOT EXISTS fund_rows (
    form_id        VARCHAR NOT NULL,
    row_key        VARCHAR NOT NULL,    -- total | current_year | carryover | other
    position       INTEGER NOT NULL,
    initial_budget DECIMAL(18, 2),
    annual_budget  DECIMAL(18, 2),
    executed       DECIMAL(18, 2),
    weight         DOUBLE,
    rate_pct       DOUBLE,
    score          DOUBLE
);
CREATE TABLE IF NOT EXISTS indicators (
    form_id   VARCHAR NOT NULL,
    position  INTEGER NOT NULL,
    level1    VARCHAR,
    level2    VARCHAR,
    name      VARCHAR,
    target    VARCHAR,
    actual    VARCHAR,
    weight    DOUBLE,
    score     DOUBLE,
    reason    VARCHAR
);
CREATE TABLE IF NOT EXISTS checks (
    form_id    VARCHAR NOT NULL,
    position   INTEGER NOT NULL,
    rule       VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL,
    indicator  VARCHAR,
    message    VARCHAR NOT NULL,
    claimed    DOUBLE,
    recomputed DOUBLE
);
"""

_FORM_COLUMNS = [
    "form_id", "batch_id", "position", "source_file", "source_pages", "year", "department", "unit",
    "project_name", "project_type", "status", "project_amount", "unit_printed", "goal_expected",
    "goal_actual", "total_weight", "total_score", "recomputed_score",
]  # fmt: skip
_FUND_COLUMNS = ["initial_budget", "annual_budget", "executed", "weight", "rate_pct", "score"]
_INDICATOR_COLUMNS = ["level1", "level2", "name", "target", "actual", "weight", "score", "reason"]
_CHECK_COLUMNS = ["rule", "severity", "indicator", "message", "claimed", "recomputed"]


class StoreError(Exception):
    """The database cannot be opened or written; the message says why and what to do."""


def default_db_path() -> Path:
    """The database file: $DASHBOARD_DB, else data/forms.duckdb."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB)


def open_db(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and for writers, create) the database, translating lock errors for people."""
    db_path = Path(path) if path else default_db_path()
    if read_only and not db_path.exists():
        raise StoreError(texts.DB_MISSING.format(path=db_path))
    try:
        if not read_only:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise StoreError(texts.DB_LOCKED.format(path=db_path)) from error
        raise StoreError(texts.DB_UNREADABLE.format(path=db_path, detail=error)) from error
    except duckdb.Error as error:
        raise StoreError(texts.DB_UNREADABLE.format(path=db_path, detail=error)) from error
    if not read_only:
        con.execute(SCHEMA)
        accounts.ensure_schema(con)  # the users table (dashboard/accounts.py)
    return con


def find_imported(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """The file name under which content with this sha256 was imported, or None."""
    row = con.execute(
        "SELECT file_name FROM import_batches WHERE sha256 = ? AND outcome = 'imported' LIMIT 1",
        [sha256],
    ).fetchone()
    return row[0] if row else None


def save_file(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str, forms: list[Form]) -> int:
    """Store all forms of one file in one transaction; returns the batch id.

    Form ids are `<sha256 prefix>-<place in file>`: stable across re-imports of the same
    content into a fresh database.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        batch_id = _insert_batch(con, file_name, sha256, "imported", len(forms), None)
        for position, form in enumerate(forms, start=1):
            form.id = f"{sha256[:12]}-{position:03d}"
            form.source_file = form.source_file or file_name
        _insert_forms(con, batch_id, forms)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return batch_id


def record_failure(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str | None, message: str) -> None:
    """Log a file that could not be imported (no form rows are written)."""
    _insert_batch(con, file_name, sha256, "error", 0, message)


def replace_checks(con: duckdb.DuckDBPyConnection, checks_by_form: dict[str, list[Check]]) -> None:
    """Replace the stored checks of the given forms (used when the audit is re-run)."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM checks WHERE form_id IN (SELECT unnest(?))", [list(checks_by_form)])
        frames = [_checks_frame(form_id, checks) for form_id, checks in checks_by_form.items()]
        _append_frame(con, "checks", pd.concat(frames, ignore_index=True) if frames else None)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def set_recomputed_scores(con: duckdb.DuckDBPyConnection, scores: dict[str, float | None]) -> None:
    frame = pd.DataFrame({"form_id": list(scores), "score": list(scores.values())}, dtype=object)
    con.register("recomputed_frame", frame)
    try:
        con.execute(
            "UPDATE forms SET recomputed_score = CAST(r.score AS DOUBLE) "
            "FROM recomputed_frame r WHERE forms.form_id = r.form_id"
        )
    finally:
        con.unregister("recomputed_frame")


def load_forms(con: duckdb.DuckDBPyConnection, form_ids: Iterable[str] | None = None) -> list[Form]:
    """Rebuild model.Form objects from the tables, in import order."""
    where, params = "", []
    if form_ids is not None:
        ids = list(form_ids)
        if not ids:
            return []
        where, params = "WHERE form_id IN (SELECT unnest(?))", [ids]
    forms_frame = con.execute(f"SELECT * FROM forms {where} ORDER BY batch_id, position", params).df()
    children = {
        table: _group_by_form(con.execute(f"SELECT * FROM {table} {where} ORDER BY form_id, position", params).df())
        for table in ("fund_rows", "indicators", "checks")
    }
    return [_form_from_row(row, children) for row in forms_frame.to_dict("records")]


def import_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM import_batches ORDER BY batch_id").df()


# --- writing ---------------------------------------------------------------------------------------------


def _insert_batch(con, file_name, sha256, outcome, form_count, message) -> int:
    row = con.execute(
        "INSERT INTO import_batches (file_name, sha256, imported_at, outcome, form_count, message) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING batch_id",
        [file_name, sha256, datetime.now(), outcome, form_count, message],
    ).fetchone()
    return int(row[0])


def _insert_forms(con, batch_id: int, forms: list[Form]) -> None:
    form_rows, fund_frames, indicator_frames, check_frames = [], [], [], []
    for position, form in enumerate(forms, start=1):
        form_rows.append(_form_row(form, batch_id, position))
        fund_frames.append(_funds_frame(form))
        indicator_frames.append(_indicators_frame(form))
        check_frames.append(_checks_frame(form.id, form.checks))
    _append_frame(con, "forms", pd.DataFrame(form_rows, columns=_FORM_COLUMNS, dtype=object))
    for table, frames in (("fund_rows", fund_frames), ("indicators", indicator_frames), ("checks", check_frames)):
        _append_frame(con, table, pd.concat(frames, ignore_index=True) if frames else None)


def _append_frame(con, table: str, frame: pd.DataFrame | None) -> None:
    """INSERT a DataFrame whose columns are named like the table's (object dtype keeps NULLs)."""
    if frame is None or frame.empty:
        return
    columns = ", ".join(frame.columns)
    con.register("incoming_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_frame")
    finally:
        con.unregister("incoming_frame")


def _form_row(form: Form, batch_id: int, position: int) -> list:
    return [
        form.id, batch_id, position, form.source_file, list(form.source_pages), form.year, form.department,
        form.unit, form.project_name, form.project_type, form.status, form.project_amount,
        form.funds.unit_printed, form.goal_expected, form.goal_actual, form.total_weight, form.total_score,
        form.recomputed_score,
    ]  # fmt: skip


def _funds_frame(form: Form) -> pd.DataFrame:
    rows = [
        [form.id, key, position, *(getattr(fund_row, column) for column in _FUND_COLUMNS)]
        for position, (key, fund_row) in enumerate(form.funds.rows().items(), start=1)
    ]
    return pd.DataFrame(rows, columns=["form_id", "row_key", "position", *_FUND_COLUMNS], dtype=object)


def _indicators_frame(form: Form) -> pd.DataFrame:
    rows = [
        [form.id, position, *(getattr(indicator, column) for column in _INDICATOR_COLUMNS)]
        for position, indicator in enumerate(form.indicators, start=1)
    ]
    return pd.DataFrame(rows, columns=["form_id", "position", *_INDICATOR_COLUMNS], dtype=object)


def _checks_frame(form_id: str, checks: list[Check]) -> pd.DataFrame:
    rows = [
        [form_id, position, *(getattr(check, column) for column in _CHECK_COLUMNS)]
        for position, check in enumerate(checks, start=1)
    ]
    return pd.DataFrame(rows, columns=["form_id", "position", *_CHECK_COLUMNS], dtype=object)


# --- reading ---------------------------------------------------------------------------------------------


def _group_by_form(frame: pd.DataFrame) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in frame.to_dict("records"):
        grouped.setdefault(record["form_id"], []).append(record)
    return grouped


def _value(value):
    """A stored value back as a plain Python value (NaN/NA → None, numpy scalars → Python)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _number(value) -> float | None:
    value = _value(value)
    return None if value is None else float(value)


def _form_from_row(row: dict, children: dict[str, dict[str, list[dict]]]) -> Form:
    form_id = row["form_id"]
    funds = Funds(unit_printed=row["unit_printed"])
    for fund in children["fund_rows"].get(form_id, []):
        if fund["row_key"] in FUND_ROW_KEYS:
            setattr(funds, fund["row_key"], FundRow(**{c: _number(fund[c]) for c in _FUND_COLUMNS}))
    indicators = [
        Indicator(
            **{c: _value(item[c]) for c in ("level1", "level2", "name", "target", "actual", "reason")},
            weight=_number(item["weight"]),
            score=_number(item["score"]),
        )
        for item in children["indicators"].get(form_id, [])
    ]
    checks = [
        Check(
            rule=item["rule"],
            severity=item["severity"],
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
    )
