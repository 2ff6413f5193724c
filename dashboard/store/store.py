"""DuckDB store: schema, one-transaction-per-file saves, forms back out as model objects.

Who writes: one process at a time (DuckDB takes an exclusive lock for a read-write
open). Pages open the file read-only; writes go through `dashboard.importing.importer` only,
from the command line or the 导入 page. `open_db` turns DuckDB's lock and file errors
into `StoreError` with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard.core import domain, texts
from dashboard.core.model import FUND_ROW_KEYS, Check, Form, FundRow, Funds, Indicator
from dashboard.core.transactions import first_row
from dashboard.reference import reference
from dashboard.security import accounts, signin_guard

DEFAULT_DB = Path("data/forms.duckdb")
DB_ENV_VAR = "DASHBOARD_DB"

# The schema this code writes. Bump it with every change below, and add the step in `_MIGRATIONS`.
SCHEMA_VERSION = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS batch_id_seq;
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id     BIGINT PRIMARY KEY DEFAULT nextval('batch_id_seq'),
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR,
    imported_at  TIMESTAMP NOT NULL,
    outcome      VARCHAR NOT NULL,      -- imported | partial (stored, with problems) | error | removed
    form_count   INTEGER NOT NULL,
    message      VARCHAR,
    new_count        INTEGER,           -- forms seen for the first time
    replaced_count   INTEGER,           -- forms that replaced a stored version
    duplicate_count  INTEGER,           -- forms held as 可能重复 for a person to settle
    incomplete_count INTEGER,
    imported_by  VARCHAR,
    removed_at   TIMESTAMP
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
    recomputed_score DOUBLE,            -- the 总分 the scoring rules give (audit)
    form_kind        VARCHAR DEFAULT 'project',
    project_code     VARCHAR,
    scheme           VARCHAR,           -- the scoring scheme the audit used
    complete         BOOLEAN DEFAULT true,
    exec_rate        DOUBLE,            -- domain.execution_rate of the 年度资金总额 row
    superseded_by    VARCHAR,           -- the version that replaced this one; NULL while current
    replaces         VARCHAR,           -- the version this one replaced
    changes          VARCHAR,           -- JSON list: what changed against the replaced version
    pending_duplicate BOOLEAN DEFAULT false,  -- 可能重复: waits for a person to settle it
    identity_name    VARCHAR,           -- domain.identity_text of the fields that identify a form
    identity_department VARCHAR,
    identity_unit    VARCHAR,
    identity_code    VARCHAR,
    indicator_count  INTEGER DEFAULT 0, -- sums of the form's indicator rows (FORM_INDICATOR_SUMS_SQL),
    deducted_count   INTEGER DEFAULT 0, -- stored so that pages sum forms, not millions of indicators
    points_lost      DOUBLE DEFAULT 0,
    unexplained_count INTEGER DEFAULT 0,
    budget           DECIMAL(18, 2),    -- the 年度资金总额 row's 全年预算数 and 全年执行数 (fund_rows 'total'),
    executed         DECIMAL(18, 2),    -- kept with the form so that totals need no join
    not_graded       VARCHAR            -- domain.not_graded_reason: why the 总分 is not graded; NULL: graded
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
    reason    VARCHAR,
    target_parts VARCHAR,               -- JSON {"op", "value", "unit"} or NULL
    deducted     BOOLEAN,               -- domain.is_deducted
    points_lost  DOUBLE,                -- domain.points_lost
    no_reason    BOOLEAN,               -- domain.is_no_reason (of the reason, deducted or not)
    not_measured BOOLEAN                -- domain.is_not_measured (of the actual)
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
CREATE TABLE IF NOT EXISTS duplicate_candidates (
    form_id      VARCHAR NOT NULL,      -- a form held as 可能重复
    candidate_id VARCHAR NOT NULL       -- a stored form it may replace
);
"""

# Where a form counts: the current version, complete, not waiting to be settled as 可能重复.
COUNTED_SQL = "({alias}.superseded_by IS NULL AND {alias}.complete AND NOT {alias}.pending_duplicate)"


def counted_sql(alias: str = "f") -> str:
    """SQL condition: the form row `alias` counts in totals (current, complete, settled)."""
    return COUNTED_SQL.format(alias=alias)


def project_form_sql(alias: str = "f") -> str:
    """SQL condition: the form row `alias` is a 项目支出 form (部门整体 forms stay out of project totals)."""
    return f"{alias}.form_kind = '{domain.FORM_KIND_PROJECT}'"


def department_form_sql(alias: str = "f") -> str:
    """SQL condition: the form row `alias` is a 部门整体支出 form."""
    return f"{alias}.form_kind = '{domain.FORM_KIND_DEPARTMENT}'"


_FORM_COLUMNS = [
    "form_id", "batch_id", "position", "source_file", "source_pages", "year", "department", "unit",
    "project_name", "project_type", "status", "project_amount", "unit_printed", "goal_expected",
    "goal_actual", "total_weight", "total_score", "recomputed_score", "form_kind", "project_code", "scheme",
    "complete", "exec_rate", "superseded_by", "replaces", "changes", "pending_duplicate",
    "identity_name", "identity_department", "identity_unit", "identity_code", "budget", "executed", "not_graded",
]  # fmt: skip
_FUND_COLUMNS = ["initial_budget", "annual_budget", "executed", "weight", "rate_pct", "score"]
_INDICATOR_COLUMNS = ["level1", "level2", "name", "target", "actual", "weight", "score", "reason"]
_INDICATOR_DERIVED = ["target_parts", "deducted", "points_lost", "no_reason", "not_measured"]
_CHECK_COLUMNS = ["rule", "severity", "indicator", "message", "claimed", "recomputed"]


STATUS_NEW = "new"
STATUS_REPLACED = "replaced"
STATUS_DUPLICATE = "duplicate"
STATUSES = (STATUS_NEW, STATUS_REPLACED, STATUS_DUPLICATE)


@dataclass
class Placement:
    """Where a newly read form goes (decided by dashboard.importing.versions): new, replacing a stored form,
    可能重复."""

    form: Form
    status: str = STATUS_NEW
    replaces: str | None = None  # the stored form it replaces
    candidates: list[str] = field(default_factory=list)  # stored forms it may replace (可能重复)
    changes: list[str] = field(default_factory=list)  # what changed against `replaces`, for people


class StoreError(Exception):
    """The database cannot be opened or written; the message says why and what to do.

    `kind` says which: LOCKED (another program writes it), DAMAGED, NOT_DUCKDB, TOO_NEW, TOO_OLD, or "".
    """

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind


# What is wrong with a database file that cannot be opened (StoreError.kind).
LOCKED, DAMAGED, NOT_DUCKDB, TOO_NEW, TOO_OLD = "locked", "damaged", "not_duckdb", "too_new", "too_old"
# No page can use the file, and waiting does not help: it must be replaced, or the program upgraded. (A file
# of an older version, TOO_OLD, the 导入 page's writer migrates.)
BROKEN_KINDS = (DAMAGED, NOT_DUCKDB, TOO_NEW)


def default_db_path() -> Path:
    """The database file: $DASHBOARD_DB, else data/forms.duckdb."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB)


def open_db(
    path: Path | str | None = None, read_only: bool = False, wait: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open (and for writers, create or migrate) the database, translating errors for people.

    A writer brings an older file up to SCHEMA_VERSION; a reader of an older file is told to run
    `python -m dashboard migrate`. A file from a newer version of the program is refused either way.
    `wait`: how long to wait while another handle holds the file (default: READER_WAIT_SECONDS for a
    reader, WRITER_WAIT_SECONDS for a writer).
    """
    db_path = Path(path) if path else default_db_path()
    if read_only and not db_path.exists():
        raise StoreError(texts.DB_MISSING.format(path=db_path))
    created = not read_only and not db_path.exists()
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new folder: owner-only
    con = _connect_or_explain(db_path, read_only, wait)
    if created:
        _owner_only(db_path)
    try:
        _bring_schema_up_to_date(con, db_path, read_only)
        if not read_only:
            accounts.ensure_schema(con)  # the users table (dashboard/security/accounts.py)
            reference.ensure_schema(con)  # organisations and project types (dashboard/reference/reference.py)
            if unit_findings_pending(con) is not None:  # a writer was killed before it refreshed them
                from dashboard.audit import review  # review builds on this module

                review.finish_unit_findings(con)
    except duckdb.Error as error:  # the file opened, but its catalogue cannot be read?
        con.close()
        damaged = damage_error(error, db_path)
        if damaged is None:
            raise
        raise damaged from error
    except BaseException:
        con.close()
        raise
    return con


def open_for_small_write(db_path: Path) -> duckdb.DuckDBPyConnection:
    """The file opened read-write without what open_db does for writers (migration, reference refresh): for
    a one-row write (the sign-in log) to a file of this schema version, which a reader has just opened."""
    try:
        con = _connect(db_path, read_only=False)
    except duckdb.Error as error:
        raise open_error(error, db_path) from error
    version = schema_version(con)
    if version != SCHEMA_VERSION:
        con.close()
        raise StoreError(texts.DB_NEEDS_MIGRATION.format(path=db_path, version=version), TOO_OLD)
    return con


# DuckDB's words for a file it cannot read because the file is damaged (not because someone holds it).
_TRUNCATION_MARKER = "could not read enough bytes"  # a block lies (partly) beyond the end of the file
_DAMAGE_MARKERS = (_TRUNCATION_MARKER, "corrupt", "checksum", "failed to deserialize", "invalid block")
_NOT_DUCKDB_MARKER = "not a valid duckdb database file"


def open_error(error: duckdb.Error, db_path: Path) -> StoreError:
    """The StoreError for a DuckDB error met opening or reading the file: held by another program,
    damaged, not a DuckDB file at all, or (the rest) unreadable with DuckDB's words."""
    words = str(error).lower()
    if isinstance(error, duckdb.IOException) and "lock" in words:
        return StoreError(texts.DB_LOCKED.format(path=db_path), LOCKED)
    if _NOT_DUCKDB_MARKER in words:
        return StoreError(texts.DB_NOT_DUCKDB.format(path=db_path), NOT_DUCKDB)
    if isinstance(error, duckdb.InternalException | duckdb.SerializationException) or any(
        marker in words for marker in _DAMAGE_MARKERS
    ):
        reason = texts.DB_TRUNCATED if _TRUNCATION_MARKER in words else texts.DB_DAMAGED_READ
        return StoreError(texts.DB_DAMAGED.format(path=db_path, reason=reason), DAMAGED)
    return StoreError(texts.DB_UNREADABLE.format(path=db_path, detail=error))


def damage_error(error: duckdb.Error, db_path: Path) -> StoreError | None:
    """open_error for an error met while reading, when it says the file is damaged or not a DuckDB file;
    None for any other error (a bug, a lock), which the caller lets through."""
    found = open_error(error, db_path)
    return found if found.kind in (DAMAGED, NOT_DUCKDB) else None


def _owner_only(db_path: Path) -> None:
    """A database this program creates is readable by its owner only (0600): it holds every form and the
    users' password hashes. Its .wal gets the same; DuckDB makes a new one under the process's umask,
    which the command line and the app set to 077 (output_files.owner_only_files)."""
    for path in (db_path, db_path.with_name(db_path.name + ".wal")):
        if path.exists():
            os.chmod(path, 0o600)


def _connect_or_explain(db_path: Path, read_only: bool, wait: float | None) -> duckdb.DuckDBPyConnection:
    """_connect, its errors as StoreError with a message for people."""
    try:
        return _connect(db_path, read_only, wait)
    except duckdb.Error as error:
        raise open_error(error, db_path) from error


@contextmanager
def writer_claim(path: Path | str | None = None) -> Iterator[None]:
    """One writing session (an import, the 导入 page's write) at a time per database file, across processes.

    An import that lets go of the file between files (StepWriter) must not let another import in between:
    the claim is an exclusive lock on a file beside the database (<name>.writer, owner-only), held for
    the whole session and let go by the system when the process ends, however it ends. Readers ignore it.
    Raises StoreError (DB_LOCKED) when another session holds it.
    """
    import fcntl

    db_path = Path(path) if path else default_db_path()
    db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = os.open(db_path.with_name(db_path.name + ".writer"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise StoreError(texts.DB_LOCKED.format(path=db_path), LOCKED) from error
        yield
    finally:
        os.close(handle)  # lets go of the lock


class StepWriter:
    """The database opened read-write for one short step at a time (an import: each file's store), closed
    between steps, so that readers of other processes (the pages, an export) get in between files and
    while files are parsed. `with writer:` claims the file for the session (writer_claim), `with
    writer.step() as con:` is one step.

    The first step opens with open_db (the schema brought up to date); later steps only connect, and
    wait longer for readers (STEP_WAIT_SECONDS): an import that has begun should not fail because a page
    was reading. Between two steps the file is left alone for at least GAP_SECONDS, so that readers, who
    try again every _WAIT_STEP_SECONDS, get in even when files were parsed ahead of their store.
    """

    GAP_SECONDS = 0.1
    STEP_WAIT_SECONDS = 60.0

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else default_db_path()
        self._opened_before = False
        self._closed_at = 0.0
        self._claims: list[contextlib.AbstractContextManager] = []  # nested `with writer:` claim once

    def __enter__(self) -> StepWriter:
        claim = writer_claim(self.path) if not self._claims else contextlib.nullcontext()
        claim.__enter__()
        self._claims.append(claim)
        return self

    def __exit__(self, *exc) -> None:
        self._claims.pop().__exit__(*exc)

    @contextmanager
    def step(self) -> Iterator[duckdb.DuckDBPyConnection]:
        time.sleep(max(0.0, self._closed_at + self.GAP_SECONDS - time.monotonic()))
        if self._opened_before:
            con = _connect_or_explain(self.path, read_only=False, wait=self.STEP_WAIT_SECONDS)
        else:
            con = open_db(self.path)
            self._opened_before = True
        try:
            yield con
        finally:
            con.close()
            self._closed_at = time.monotonic()


# How long a writer waits for the file while readers hold it: a page's run reads for about a second
# (db.shared_reads), another process's import holds it for as long as it imports (then: DB_LOCKED).
WRITER_WAIT_SECONDS = 5.0
# How long a reader waits while a writer holds the file: an import holds it only while it stores a file
# (StepWriter), so a page waits for that store instead of saying the database is busy.
READER_WAIT_SECONDS = 3.0
_WAIT_STEP_SECONDS = 0.05


def _connect(db_path: Path, read_only: bool, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, tried again while the file is held (another process's lock, or this process's
    handle of the other kind: "different configuration") for up to `wait` seconds."""
    if wait is None:
        wait = READER_WAIT_SECONDS if read_only else WRITER_WAIT_SECONDS
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as error:
            held = "lock" in str(error).lower() or "different configuration" in str(error)
            if not held or time.monotonic() >= deadline:
                raise
            time.sleep(_WAIT_STEP_SECONDS)


# DuckDB's own memory in the whole-database jobs (audit, export): left alone, it keeps every block it has
# read cached, so a job's memory grew with the file (audit at 10⁶ forms: 1.9 GiB). Beyond it DuckDB evicts.
BULK_JOB_MEMORY = "768MB"


def cap_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Bound DuckDB's memory on this connection's database to BULK_JOB_MEMORY (a whole-database job)."""
    con.execute(f"SET memory_limit = '{BULK_JOB_MEMORY}'")


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The file's schema version: None for an empty file, 1 for files made before versions were recorded."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "meta" in tables:
        row = first_row(con, "SELECT value FROM meta WHERE key = 'schema_version'")
        if row:
            return int(row[0])
    return 1 if "forms" in tables else None


def _bring_schema_up_to_date(con, db_path: Path, read_only: bool) -> None:
    version = schema_version(con)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(texts.DB_TOO_NEW.format(path=db_path, version=version, supported=SCHEMA_VERSION), TOO_NEW)
    if read_only:
        if version is not None and version < SCHEMA_VERSION:
            raise StoreError(texts.DB_NEEDS_MIGRATION.format(path=db_path, version=version), TOO_OLD)
        return
    if version is not None and version < SCHEMA_VERSION:
        con.execute("BEGIN TRANSACTION")
        try:
            for step in range(version, SCHEMA_VERSION):
                _MIGRATIONS[step](con)
            con.execute("COMMIT")
        except BaseException as error:
            con.execute("ROLLBACK")
            if isinstance(error, duckdb.Error):
                raise StoreError(texts.DB_MIGRATION_FAILED.format(path=db_path, detail=error)) from error
            raise
    con.execute(SCHEMA)
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
        [str(SCHEMA_VERSION)],
    )


def _migrate_1_to_2(con) -> None:
    """Version 1 (no versions, no derived columns): add the columns, then fill them from the rows."""
    added = {
        "import_batches": ["new_count INTEGER", "replaced_count INTEGER", "duplicate_count INTEGER",
                           "incomplete_count INTEGER", "imported_by VARCHAR", "removed_at TIMESTAMP"],
        "forms": ["form_kind VARCHAR DEFAULT 'project'", "project_code VARCHAR", "scheme VARCHAR",
                  "complete BOOLEAN DEFAULT true", "exec_rate DOUBLE", "superseded_by VARCHAR", "replaces VARCHAR",
                  "changes VARCHAR", "pending_duplicate BOOLEAN DEFAULT false", "identity_name VARCHAR",
                  "identity_department VARCHAR", "identity_unit VARCHAR", "identity_code VARCHAR"],
        "indicators": ["target_parts VARCHAR", "deducted BOOLEAN", "points_lost DOUBLE", "no_reason BOOLEAN",
                       "not_measured BOOLEAN"],
    }  # fmt: skip
    for table, columns in added.items():
        for column in columns:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    con.execute("UPDATE import_batches SET new_count = form_count WHERE outcome = 'imported'")
    ids = [row[0] for row in con.execute("SELECT form_id FROM forms ORDER BY form_id").fetchall()]
    for start in range(0, len(ids), _MIGRATION_CHUNK):
        refresh_derived(con, load_forms(con, ids[start : start + _MIGRATION_CHUNK]))


def _migrate_2_to_3(con) -> None:
    """Version 3 adds the reference tables (organisations, project types); reference.ensure_schema, which
    every writer's open runs next, creates and fills them. The step exists so that a reader of a version-2
    file, which has none of them, is told to migrate instead of failing on the page queries' joins."""


def _migrate_3_to_4(con) -> None:
    """Version 4 stores each form's indicator sums as columns of `forms`."""
    for column in _FORM_SUM_COLUMNS:
        con.execute(f"ALTER TABLE forms ADD COLUMN {column}")
    refresh_indicator_sums(con)


def _migrate_4_to_5(con) -> None:
    """Version 5 keeps the 年度资金总额 row's 全年预算数 and 全年执行数 in `forms`."""
    con.execute("ALTER TABLE forms ADD COLUMN budget DECIMAL(18, 2)")
    con.execute("ALTER TABLE forms ADD COLUMN executed DECIMAL(18, 2)")
    con.execute(
        "UPDATE forms SET budget = t.annual_budget, executed = t.executed FROM fund_rows t "
        "WHERE t.form_id = forms.form_id AND t.row_key = 'total'"
    )


def _migrate_5_to_6(con) -> None:
    """Version 6 stores 项目金额 in 元 where the form printed it in 万元 (earlier readers stored the printed figure).

    A stored form keeps no label of its 项目金额, so the unit is told by the form's own money: the figure was
    printed in 万元 when, taken as 万元, it lies within a factor of 100 of the form's largest fund amount
    (年初预算数, 全年预算数 or 全年执行数 of any fund row, stored in 元), and taken as 元 it does not (it would be
    less than a hundredth of it). The two readings differ by 10 000, so no figure meets both; a form with no
    fund amount above zero, or 项目金额 0, is left as stored.
    """
    con.execute(
        f"""
        UPDATE forms SET project_amount = CAST(CAST(forms.project_amount AS DECIMAL(38, 2)) * 10000 AS DECIMAL(18, 2))
        FROM (
            SELECT form_id, max(greatest(coalesce(abs(initial_budget), 0), coalesce(abs(annual_budget), 0),
                                         coalesce(abs(executed), 0))) AS largest
            FROM fund_rows GROUP BY form_id
        ) AS money
        WHERE money.form_id = forms.form_id AND money.largest > 0 AND forms.project_amount > 0
          AND forms.project_amount * 10000 >= money.largest / 100
          AND forms.project_amount * 10000 <= money.largest * 100
          AND forms.project_amount * 10000 < {int(domain.MAX_AMOUNT_YUAN)}
        """
    )


def _migrate_6_to_7(con) -> None:
    """Version 7 keeps with each form why its 总分 is not graded (domain.not_graded_reason), read from its rows."""
    con.execute("ALTER TABLE forms ADD COLUMN IF NOT EXISTS not_graded VARCHAR")
    ids = [row[0] for row in con.execute("SELECT form_id FROM forms ORDER BY form_id").fetchall()]
    for start in range(0, len(ids), _MIGRATION_CHUNK):
        forms = load_forms(con, ids[start : start + _MIGRATION_CHUNK])
        frame = pd.DataFrame(
            [[form.id, domain.not_graded_reason(form)] for form in forms],
            columns=["form_id", "not_graded"],
            dtype=object,
        )
        _update_from_frame(con, "forms", frame, "not_graded = d.not_graded", "forms.form_id = d.form_id")


def _migrate_7_to_8(con) -> None:
    """Version 8 gives each account a credential stamp (a password or role change ends its sessions) and
    adds the sign-in log (dashboard/security/signin_guard.py). Stamps start at 0: sessions signed in before keep on
    until the account's next change."""
    users = first_row(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'users'")
    if users[0]:
        con.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS credential_stamp BIGINT DEFAULT 0")
    con.execute(signin_guard.SIGNIN_LOG_DDL)


_MIGRATIONS = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
    4: _migrate_4_to_5,
    5: _migrate_5_to_6,
    6: _migrate_6_to_7,
    7: _migrate_7_to_8,
}
_MIGRATION_CHUNK = 2000


# A form's indicator sums, from the stored domain columns of its indicator rows (dashboard/core/domain.py):
# how many rows, how many deducted, the points they lost, how many deducted without a reason.
_FORM_SUM_COLUMNS = [
    "indicator_count INTEGER DEFAULT 0", "deducted_count INTEGER DEFAULT 0", "points_lost DOUBLE DEFAULT 0",
    "unexplained_count INTEGER DEFAULT 0",
]  # fmt: skip
FORM_INDICATOR_SUMS_SQL = """
UPDATE forms SET indicator_count = s.indicator_count, deducted_count = s.deducted_count,
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
WHERE forms.form_id = s.form_id
"""


def refresh_indicator_sums(con: duckdb.DuckDBPyConnection, batch_id: int | None = None) -> None:
    """Store the indicator sums of the forms of one batch (every form where None) in their `forms` row."""
    if batch_id is None:
        con.execute(FORM_INDICATOR_SUMS_SQL.replace("{forms}", "TRUE"))
    else:
        con.execute(FORM_INDICATOR_SUMS_SQL.replace("{forms}", "f.batch_id = ?"), [int(batch_id)])


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
    _update_from_frame(con, "forms", form_frame, assignments, "forms.form_id = d.form_id")
    rows = [
        [form.id, position, *_derived_indicator_values(row)]
        for form in forms
        for position, row in enumerate(form.indicators, start=1)
    ]
    if rows:
        frame = pd.DataFrame(rows, columns=["form_id", "position", *_INDICATOR_DERIVED], dtype=object)
        assignments = ", ".join(f"{column} = d.{column}" for column in _INDICATOR_DERIVED)
        condition = "indicators.form_id = d.form_id AND indicators.position = d.position"
        _update_from_frame(con, "indicators", frame, assignments, condition)


def _update_from_frame(con, table: str, frame: pd.DataFrame, assignments: str, condition: str) -> None:
    con.register("derived_frame", frame)
    try:
        con.execute(f"UPDATE {table} SET {assignments} FROM derived_frame d WHERE {condition}")
    finally:
        con.unregister("derived_frame")


def find_imported(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """The file name under which content with this sha256 is stored (not removed), or None."""
    row = first_row(
        con,
        "SELECT file_name FROM import_batches WHERE sha256 = ? AND outcome IN ('imported', 'partial') LIMIT 1",
        [sha256],
    )
    return row[0] if row else None


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
    outcome: str = "imported",
    message: str | None = None,
    imported_by: str | None = None,
) -> int:
    """Store one file's forms, placed as versions (dashboard.importing.versions.place), in one transaction.

    A placement that replaces a stored form marks that form superseded; one held as 可能重复 keeps
    its candidates for a person to settle. Forms without an id get `assign_ids`'. Returns the batch id.
    """
    if any(not p.form.id for p in placements):
        assign_ids([p.form for p in placements], sha256, file_name)
    counts = {status: sum(p.status == status for p in placements) for status in STATUSES}
    incomplete = sum(not p.form.complete for p in placements)
    con.execute("BEGIN TRANSACTION")
    try:
        batch_id = _insert_batch(
            con, file_name, sha256, outcome, len(placements), message,
            counts[STATUS_NEW], counts[STATUS_REPLACED], counts[STATUS_DUPLICATE], incomplete, imported_by,
        )  # fmt: skip
        _insert_forms(con, batch_id, placements)
        refresh_indicator_sums(con, batch_id)
        replaced = [[p.replaces, p.form.id] for p in placements if p.replaces]
        if replaced:
            frame = pd.DataFrame(replaced, columns=["form_id", "successor"], dtype=object)
            _update_from_frame(con, "forms", frame, "superseded_by = d.successor", "forms.form_id = d.form_id")
        candidates = [[p.form.id, candidate] for p in placements for candidate in p.candidates]
        if candidates:
            _append_frame(con, "duplicate_candidates", pd.DataFrame(candidates, columns=["form_id", "candidate_id"]))
        mark_unit_findings_pending(con, [batch_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return batch_id


# Unit findings (rule 10) compare a unit's forms, so they are refreshed after a file's forms are stored. What
# still needs refreshing is recorded in `meta` in the same transaction that stores, removes or settles forms,
# and cleared only once the refresh is done (review.finish_unit_findings): a process killed in between leaves
# the record, and the next writer to open the file (store.open_db) finishes the work.
_UNIT_FINDINGS_PENDING = "unit_findings_pending"


def mark_unit_findings_pending(con: duckdb.DuckDBPyConnection, batches: list[int] | None) -> None:
    """Record (inside the caller's transaction) that the unit findings of these imports' groups, or (None)
    of every group, are to be refreshed."""
    pending = unit_findings_pending(con)
    if batches is None or (pending is not None and pending.get("all")):
        value = {"all": True}
    else:
        value = {"batches": sorted({*(pending or {}).get("batches", []), *(int(b) for b in batches)})}
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_UNIT_FINDINGS_PENDING, json.dumps(value)])


def unit_findings_pending(con: duckdb.DuckDBPyConnection) -> dict | None:
    """What is recorded as still to refresh: {"all": True}, {"batches": [ids]}, or None (nothing)."""
    row = first_row(con, "SELECT value FROM meta WHERE key = ?", [_UNIT_FINDINGS_PENDING])
    return None if row is None else json.loads(row[0])


def clear_unit_findings_pending(con: duckdb.DuckDBPyConnection, done: dict) -> None:
    """The refresh `done` (as read by unit_findings_pending) is finished; a record that changed since stays."""
    con.execute("DELETE FROM meta WHERE key = ? AND value = ?", [_UNIT_FINDINGS_PENDING, json.dumps(done)])


def record_failure(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str | None, message: str) -> None:
    """Log a file that could not be imported (no form rows are written)."""
    _insert_batch(con, file_name, sha256, "error", 0, message)


def remove_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[str]:
    """Undo one import: its forms leave, the versions they replaced become current again.

    The batch stays in the history as removed (so its file can be imported again). Returns the ids
    of the forms that became current again. Raises StoreError where there is no such import.
    """
    row = first_row(con, "SELECT outcome FROM import_batches WHERE batch_id = ?", [batch_id])
    if row is None or row[0] not in ("imported", "partial"):
        raise StoreError(texts.BATCH_NOT_REMOVABLE.format(batch=batch_id))
    con.execute("BEGIN TRANSACTION")
    try:
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
        removed = "(SELECT form_id FROM forms WHERE batch_id = ?)"
        con.execute(
            f"DELETE FROM duplicate_candidates WHERE form_id IN {removed} OR candidate_id IN {removed}",
            [batch_id, batch_id],
        )
        for table in ("fund_rows", "indicators", "checks"):
            con.execute(f"DELETE FROM {table} WHERE form_id IN {removed}", [batch_id])
        con.execute("DELETE FROM forms WHERE batch_id = ?", [batch_id])
        # A form held as 可能重复 whose every candidate left has nothing to settle: it is new.
        con.execute(
            "UPDATE forms SET pending_duplicate = false WHERE pending_duplicate "
            "AND form_id NOT IN (SELECT form_id FROM duplicate_candidates)"
        )
        con.execute(
            "UPDATE import_batches SET outcome = 'removed', removed_at = ? WHERE batch_id = ?",
            [datetime.now(), batch_id],
        )
        mark_unit_findings_pending(con, None)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return restored


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
    con.execute("BEGIN TRANSACTION")
    try:
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
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _rewrite_header(con, form: Form) -> None:
    """Year, 主管部门, 实施单位 and the identity columns of a stored form, from `form` (inside the caller's
    transaction)."""
    _complete, _rate, name, department, unit, code = derived_form_values(form)
    con.execute(
        "UPDATE forms SET year = ?, department = ?, unit = ?, identity_name = ?, identity_department = ?, "
        "identity_unit = ?, identity_code = ? WHERE form_id = ?",
        [form.year, form.department, form.unit, name, department, unit, code, form.id],
    )


def replace_checks(con: duckdb.DuckDBPyConnection, checks_by_form: dict[str, list[Check]]) -> None:
    """Replace the stored checks of the given forms (used when the audit is re-run)."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM checks WHERE form_id IN (SELECT unnest(?))", [list(checks_by_form)])
        rows = [row for form_id, checks in checks_by_form.items() for row in _check_rows(form_id, checks)]
        _append_rows(con, "checks", _CHECK_FRAME_COLUMNS, rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


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


def load_forms(
    con: duckdb.DuckDBPyConnection, form_ids: Iterable[str] | None = None, versions: str = "all"
) -> list[Form]:
    """Rebuild model.Form objects from the tables, in import order.

    `versions`: "all" (every stored version), "current" (not replaced: complete or not, settled or
    not) or "counted" (what the totals count: current, complete, settled).
    """
    conditions, params = [], []
    if form_ids is not None:
        ids = list(form_ids)
        if not ids:
            return []
        conditions.append("form_id IN (SELECT unnest(?))")
        params.append(ids)
    if versions == "current":
        conditions.append("superseded_by IS NULL")
    elif versions == "counted":
        conditions.append(counted_sql("forms"))
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    form_rows = _records(con, f"SELECT * FROM forms {where} ORDER BY batch_id, position", params)
    if not form_rows:
        return []
    children_where, children_params = "WHERE form_id IN (SELECT unnest(?))", [[row["form_id"] for row in form_rows]]
    children = {
        table: _group_by_form(
            _records(con, f"SELECT * FROM {table} {children_where} ORDER BY form_id, position", children_params)
        )
        for table in ("fund_rows", "indicators", "checks")
    }
    return [_form_from_row(row, children) for row in form_rows]


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    """Rows as dicts of plain Python values, straight from DuckDB (no DataFrame: loading a chunk of forms
    through pandas took as long as auditing it)."""
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def import_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM import_batches ORDER BY batch_id").df()


def not_counted(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Current forms kept out of the totals: incomplete, and 可能重复 waiting to be settled."""
    row = first_row(
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


# --- writing ---------------------------------------------------------------------------------------------


def _insert_batch(
    con, file_name, sha256, outcome, form_count, message,
    new=None, replaced=None, duplicate=None, incomplete=None, imported_by=None,
) -> int:  # fmt: skip
    row = first_row(
        con,
        "INSERT INTO import_batches (file_name, sha256, imported_at, outcome, form_count, message, new_count, "
        "replaced_count, duplicate_count, incomplete_count, imported_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING batch_id",
        [file_name, sha256, datetime.now(), outcome, form_count, message, new, replaced, duplicate, incomplete,
         imported_by],
    )  # fmt: skip
    return int(row[0])


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
        _append_frame(con, table, pd.DataFrame(rows, columns=columns, dtype=object))
        return
    names = ", ".join(columns)
    con.register("incoming_rows", data)
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM incoming_rows")
    finally:
        con.unregister("incoming_rows")


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
    columns = ", ".join(frame.columns)
    con.register("incoming_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_frame")
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
        None, placement.replaces, changes, placement.status == STATUS_DUPLICATE, *identity,
        form.funds.total.annual_budget, form.funds.total.executed, domain.not_graded_reason(form),
    ]  # fmt: skip


def _fund_rows(form: Form) -> list[list]:
    return [
        [form.id, key, position, *(getattr(fund_row, column) for column in _FUND_COLUMNS)]
        for position, (key, fund_row) in enumerate(form.funds.rows().items(), start=1)
    ]


def _indicator_rows(form: Form) -> list[list]:
    return [
        [form.id, position, *(getattr(row, column) for column in _INDICATOR_COLUMNS), *_derived_indicator_values(row)]
        for position, row in enumerate(form.indicators, start=1)
    ]


_CHECK_FRAME_COLUMNS = ["form_id", "position", *_CHECK_COLUMNS]


def _check_rows(form_id: str, checks: list[Check]) -> list[list]:
    return [
        [form_id, position, *(getattr(check, column) for column in _CHECK_COLUMNS)]
        for position, check in enumerate(checks, start=1)
    ]


# The columns `form_rows` fills, per table.
FORM_TABLE_COLUMNS = {
    "forms": _FORM_COLUMNS,
    "fund_rows": ["form_id", "row_key", "position", *_FUND_COLUMNS],
    "indicators": ["form_id", "position", *_INDICATOR_COLUMNS, *_INDICATOR_DERIVED],
    "checks": _CHECK_FRAME_COLUMNS,
}


# --- reading ---------------------------------------------------------------------------------------------


def _group_by_form(records: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(record["form_id"], []).append(record)
    return grouped


def _value(value):
    """A stored value back as a plain Python value (NaN/NA → None, numpy scalars → Python)."""
    if value is None or isinstance(value, (str, bool, int, list, Decimal)):
        return value
    if isinstance(value, float):
        return None if value != value else value
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
            target_parts=None if _value(item["target_parts"]) is None else json.loads(item["target_parts"]),
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
        form_kind=_value(row["form_kind"]) or domain.FORM_KIND_PROJECT,
        project_code=_value(row["project_code"]),
        scheme=_value(row["scheme"]),
        complete=bool(_value(row["complete"]) if _value(row["complete"]) is not None else True),
        superseded_by=_value(row["superseded_by"]),
    )
