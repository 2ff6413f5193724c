"""Opening the DuckDB file: read-only for pages, read-write for one writer at a time, brought up to the
current schema (migrations.py) on a writer's open. The tables are in schema.py, saves in writes.py, forms
back out in reads.py.

The location is a file path, or a DuckLake (`ducklake:postgres:<conninfo>`, store/lake.py): this module
alone decides which (`lake.is_lake`), and opens a lake through `lake.connect_lake`; the DDL goes through
core/dialect.py, which translates it for a lake.

Who writes (a file): one process at a time (DuckDB takes an exclusive lock for a read-write
open); a lake takes many writers at once (no claim; its catalog in PostgreSQL orders their commits).
Pages open the database read-only; writes go through `dashboard.importing.importer` only,
from the command line or the 导入 page. `open_db` turns DuckDB's lock and file errors
into `StoreError` with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dashboard.core import dialect, texts
from dashboard.core.transactions import is_conflict, transaction
from dashboard.reference import reference
from dashboard.security import accounts
from dashboard.store import lake, lake_layout
from dashboard.store.migrations import MIGRATIONS
from dashboard.store.schema import (
    DAMAGED,
    LOCKED,
    NOT_DUCKDB,
    SCHEMA,
    SCHEMA_VERSION,
    TOO_NEW,
    TOO_OLD,
    StoreError,
    schema_version,
)
from dashboard.store.writes import unit_findings_pending

DEFAULT_DB = Path("data/forms.duckdb")
_META_DDL = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"  # as in SCHEMA
DB_ENV_VAR = "DASHBOARD_DB"


def default_db_path() -> Path:
    """The database file: $DASHBOARD_DB, else data/forms.duckdb."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB)


def database_location(path: Path | str | None = None) -> Path | str:
    """Where the database is: `path`, else $DASHBOARD_DB, else data/forms.duckdb; a lake's location as its
    string (`ducklake:…`, store/lake.py), a file's as a Path."""
    location = str(path) if path else os.environ.get(DB_ENV_VAR) or str(DEFAULT_DB)
    return location if lake.is_lake(location) else Path(location)


def open_db(
    path: Path | str | None = None, read_only: bool = False, wait: float | None = None, snapshot: int | None = None
) -> duckdb.DuckDBPyConnection:
    """Open (and for writers, create or migrate) the database, translating errors for people.

    A writer brings an older file up to SCHEMA_VERSION; a reader of an older file is told to run
    `python -m dashboard migrate`. A file from a newer version of the program is refused either way.
    `wait`: how long to wait while another handle holds the file (default: READER_WAIT_SECONDS for a
    reader, WRITER_WAIT_SECONDS for a writer). `snapshot`: a lake read-only as it was then (store/snapshots.py);
    a file has no snapshots (StoreError).
    """
    db_path = database_location(path)
    if snapshot is not None and not lake.is_lake(db_path):
        raise StoreError(texts.AS_OF_NEEDS_LAKE)
    if not lake.is_lake(db_path) or read_only or snapshot is not None:
        return _open(db_path, read_only, wait, snapshot)
    # A lake's writer: several may be the first at once (importers started together on a new lake). A new lake
    # is made by one of them at a time (lake.making_guard); what a writer still meets of another's making (a lake
    # made by an older version, without the guard's marker) it waits out and opens again on what was committed.
    for attempt in range(1, LAKE_MAKING_ATTEMPTS + 1):
        try:
            with lake.making_guard(str(db_path)):  # a new lake is made by one writer at a time
                return _open(db_path, read_only, wait, snapshot)
        except (LakeBeingMade, duckdb.Error) as error:
            if isinstance(error, duckdb.Error) and not (is_conflict(error) or lake.creation_race(error)):
                raise
            if attempt == LAKE_MAKING_ATTEMPTS:
                raise StoreError(texts.LAKE_BEING_MADE.format(path=lake.without_password(str(db_path)))) from None
            time.sleep(random.uniform(0.5, 1.5) * LAKE_MAKING_WAIT_SECONDS * attempt)
    raise AssertionError("unreachable")


# How often, and how long at first, a lake's writer opens again while another writer is making the lake.
LAKE_MAKING_ATTEMPTS = 8
LAKE_MAKING_WAIT_SECONDS = 0.3


class LakeBeingMade(Exception):
    """A lake's tables are there but not yet its schema version: another writer is making it right now."""


def _open(db_path: Path | str, read_only: bool, wait: float | None, snapshot: int | None) -> duckdb.DuckDBPyConnection:
    """open_db's work for one location, once."""
    read_only = read_only or snapshot is not None
    created = False
    if isinstance(db_path, Path):
        if read_only and not db_path.exists():
            raise StoreError(texts.DB_MISSING.format(path=db_path))
        created = not read_only and not db_path.exists()
        if not read_only:
            db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new folder: owner-only
    con = _connect_or_explain(db_path, read_only, wait, snapshot)
    if isinstance(db_path, Path) and created:
        _owner_only(db_path)
    shown = db_path if isinstance(db_path, Path) else lake.without_password(db_path)  # no password in messages
    try:
        _bring_schema_up_to_date(con, shown, read_only)
        if not read_only:
            accounts.ensure_schema(con)  # the users table (dashboard/security/accounts.py)
            pending = unit_findings_pending(con)  # imports whose last steps a killed writer left undone
            undone = [] if pending is None else None if pending.everything else pending.batches
            reference.ensure_schema(con, undone)  # organisations, types, and the reasons of `undone` (None: all)
            if pending is not None:  # a writer was killed before it refreshed them
                from dashboard.audit import review  # review builds on this module

                review.finish_unit_findings(con)
    except duckdb.Error as error:  # the file opened, but its catalogue cannot be read?
        con.close()
        damaged = damage_error(error, shown)
        if damaged is None:
            raise
        raise damaged from error
    except BaseException:
        con.close()
        raise
    return con


def open_for_small_write(db_path: Path | str) -> duckdb.DuckDBPyConnection:
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
_NEWER_DUCKDB_MARKER = "newer version of duckdb"  # "…was created with an newer version of DuckDB" (1.5.5)
# A file another handle holds: "lock" as a word start (DuckDB 1.5 reports a damaged block "… in block at …").
_HELD_MARKER = re.compile(r"\block")


def open_error(error: duckdb.Error, db_path: Path | str) -> StoreError:
    """The StoreError for a DuckDB error met opening or reading the file: held by another program,
    damaged, not a DuckDB file at all, or (the rest) unreadable with DuckDB's words."""
    words = str(error).lower()
    if isinstance(error, duckdb.IOException) and _HELD_MARKER.search(words):
        return StoreError(texts.DB_LOCKED.format(path=db_path), LOCKED)
    if _NOT_DUCKDB_MARKER in words:
        return StoreError(texts.DB_NOT_DUCKDB.format(path=db_path), NOT_DUCKDB)
    if _NEWER_DUCKDB_MARKER in words:
        return StoreError(texts.DB_NEWER_DUCKDB.format(path=db_path, version=duckdb.__version__), TOO_NEW)
    if isinstance(error, duckdb.InternalException | duckdb.SerializationException) or any(
        marker in words for marker in _DAMAGE_MARKERS
    ):
        reason = texts.DB_TRUNCATED if _TRUNCATION_MARKER in words else texts.DB_DAMAGED_READ
        return StoreError(texts.DB_DAMAGED.format(path=db_path, reason=reason), DAMAGED)
    return StoreError(texts.DB_UNREADABLE.format(path=db_path, detail=error))


def damage_error(error: duckdb.Error, db_path: Path | str) -> StoreError | None:
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


def _connect_or_explain(
    db_path: Path | str, read_only: bool, wait: float | None, snapshot: int | None = None
) -> duckdb.DuckDBPyConnection:
    """_connect, its errors as StoreError with a message for people."""
    try:
        return _connect(db_path, read_only, wait, snapshot)
    except duckdb.Error as error:
        if lake.is_lake(db_path) and not read_only and lake.creation_race(error):
            raise  # open_db opens again once the other writer has made the lake
        if lake.is_lake(db_path):
            raise lake.explain(error, str(db_path)) from None  # no password: not even in the chained error
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

    db_path = database_location(path)
    if not isinstance(db_path, Path):  # a lake takes many writers at once
        yield
        return
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

    A lake is held by no one: inside `with writer:` one connection serves every step and is closed when the
    session ends (attaching a lake costs about 0.2 s of CPU, and an import has four steps), with no gap.
    """

    GAP_SECONDS = 0.1
    STEP_WAIT_SECONDS = 60.0

    def __init__(self, path: Path | str | None = None):
        self.path = database_location(path)
        self._opened_before = False
        self._closed_at = 0.0
        self._claims: list[contextlib.AbstractContextManager] = []  # nested `with writer:` claim once
        self._kept: duckdb.DuckDBPyConnection | None = None  # a lake's one connection for the session

    def __enter__(self) -> StepWriter:
        claim = writer_claim(self.path) if not self._claims else contextlib.nullcontext()
        claim.__enter__()
        self._claims.append(claim)
        return self

    def __exit__(self, *exc) -> None:
        if len(self._claims) == 1 and self._kept is not None:
            self._kept.close()
            self._kept = None
        self._claims.pop().__exit__(*exc)

    @contextmanager
    def step(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._claims and lake.is_lake(self.path):
            if self._kept is None:
                self._kept = open_db(self.path)
            yield self._kept
            return
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


def _connect(
    db_path: Path | str, read_only: bool, wait: float | None = None, snapshot: int | None = None
) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, tried again while the file is held (another process's lock, or this process's
    handle of the other kind: "different configuration") for up to `wait` seconds. A lake is not held by
    anyone: lake.connect_lake."""
    if lake.is_lake(db_path):
        return lake.connect_lake(str(db_path), read_only, snapshot)
    if wait is None:
        wait = READER_WAIT_SECONDS if read_only else WRITER_WAIT_SECONDS
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as error:
            held = _HELD_MARKER.search(str(error).lower()) is not None or "different configuration" in str(error)
            if not held or time.monotonic() >= deadline:
                raise
            time.sleep(_WAIT_STEP_SECONDS)


# DuckDB's own memory in the whole-database jobs (audit, export): left alone, it keeps every block it has
# read cached, so a job's memory grew with the file (audit at 10⁶ forms: 1.9 GiB). Beyond it DuckDB evicts.
BULK_JOB_MEMORY = "768MB"


def cap_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Bound DuckDB's memory on this connection's database to BULK_JOB_MEMORY (a whole-database job)."""
    con.execute(f"SET memory_limit = '{BULK_JOB_MEMORY}'")


def _bring_schema_up_to_date(con, db_path: Path | str, read_only: bool) -> None:
    version = schema_version(con)
    if version == 1 and lake.is_lake(db_path):  # no lake predates recorded versions: one is being made now
        raise LakeBeingMade(db_path)
    if version is not None and version > SCHEMA_VERSION:
        too_new = texts.LAKE_TOO_NEW if lake.is_lake(db_path) else texts.DB_TOO_NEW
        raise StoreError(too_new.format(path=db_path, version=version, supported=SCHEMA_VERSION), TOO_NEW)
    if read_only:
        if version is not None and version < SCHEMA_VERSION:
            raise StoreError(texts.DB_NEEDS_MIGRATION.format(path=db_path, version=version), TOO_OLD)
        return
    # One transaction per step, the version it reaches recorded in it: DuckDB 1.5 cannot commit a transaction
    # that alters a table after updating it, which a chain of steps does. A step that fails leaves the file
    # whole at the version the steps before it reached; the next writer goes on from there.
    for step in range(version, SCHEMA_VERSION) if version is not None else ():
        try:
            with transaction(con):
                MIGRATIONS[step](con)
                con.execute(_META_DDL)  # a version-1 file has none before step 10 → 11 makes it
                dialect.put_meta(con, "schema_version", str(step + 1))
        except duckdb.Error as error:
            if step == version:
                raise StoreError(texts.DB_MIGRATION_FAILED.format(path=db_path, detail=error)) from error
            stopped = texts.DB_MIGRATION_STOPPED.format(path=db_path, version=step + 1, reached=step, detail=error)
            raise StoreError(stopped) from error
    if version is not None:
        dialect.execute_ddl(con, SCHEMA)  # tables added since without a step of their own (CREATE IF NOT EXISTS)
    else:  # a new database: its tables and its version in one commit, so no other writer sees one without the other
        with transaction(con):  # (the version written only when it changes: on a lake, a write conflicts)
            dialect.execute_ddl(con, SCHEMA)
            dialect.put_meta(con, "schema_version", str(SCHEMA_VERSION))
        if dialect.is_lake(con):
            lake_layout.set_layout(con)  # a new lake writes its files partitioned and sorted from the start


# --- writing ---------------------------------------------------------------------------------------------


# --- reading ---------------------------------------------------------------------------------------------
