"""A database that is a DuckLake: tables as Parquet files in a shared data folder, the catalog (which files
make which table at which snapshot) in PostgreSQL. Many processes on many machines read and write it at once.

The location is `ducklake:postgres:<libpq conninfo>` (DASHBOARD_DB or --db), e.g.
`ducklake:postgres:dbname=jixiao host=/run/postgresql port=5432 user=dashboard`; the data folder is
DASHBOARD_LAKE_DATA. connect.py asks `is_lake` and opens one through `connect_lake`; everything after that
runs the same SQL on both, except what core/dialect.py translates (keys, sequences).

The DuckDB extensions come from their wheels (duckdb-extension-ducklake, -postgres-scanner, -parquet), built
for exactly the installed DuckDB version, and are loaded by path: nothing is downloaded, and DuckDB's own
automatic installs are switched off.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dashboard.core import texts
from dashboard.core.dialect import LAKE_ALIAS, sql_text
from dashboard.store.schema import TOO_NEW, TOO_OLD, StoreError

LAKE_PREFIX = "ducklake:"
LAKE_DATA_ENV_VAR = "DASHBOARD_LAKE_DATA"
# The wheels' packages, in loading order: ducklake reads and writes Parquet and keeps its catalog in PostgreSQL.
EXTENSION_PACKAGES = {
    "parquet": "duckdb_extension_parquet",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "ducklake": "duckdb_extension_ducklake",
}


# DuckDB's words when a reader attaches a catalog database in which no writer has made the lake yet (1.5.5):
# "Existing DuckLake at metadata catalog … does not exist - and creating a new DuckLake is explicitly disabled".
NOT_MADE_MARKER = "creating a new ducklake is explicitly disabled"


def not_made_yet(error: Exception) -> bool:
    """Whether a reader's error (or the StoreError quoting it) says the lake has not been made yet: nothing was
    imported into it. The first writer (an import) makes it."""
    return NOT_MADE_MARKER in str(error).lower()


def is_lake(location: Path | str | None) -> bool:
    """Whether a database location names a DuckLake rather than a DuckDB file."""
    return location is not None and str(location).startswith(LAKE_PREFIX)


def without_password(text: str) -> str:
    """A location, or an error quoting one, for messages and logs: a connection string's password as ***."""
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s\"]+)", r"\1***", text)


def extension_file(name: str) -> Path:
    """The .duckdb_extension file of one extension, from its wheel, for the installed DuckDB version."""
    package = EXTENSION_PACKAGES[name]
    wheel = package.replace("_", "-")
    missing = StoreError(texts.LAKE_EXTENSION_MISSING.format(package=wheel, version=duckdb.__version__))
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise missing
    path = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise missing
    return path


def data_folder() -> str:
    """The lake's data folder: $DASHBOARD_LAKE_DATA (a path every server and importer sees alike)."""
    folder = os.environ.get(LAKE_DATA_ENV_VAR, "")
    if not folder:
        raise StoreError(texts.LAKE_DATA_MISSING.format(variable=LAKE_DATA_ENV_VAR))
    return folder


def connect_lake(location: str, read_only: bool, snapshot: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as its current database (LAKE_ALIAS); with `snapshot`,
    read-only as it was at that snapshot (store/snapshots.py). Raises duckdb.Error where the catalog cannot
    be reached (connect.open_db explains it with `explain`), StoreError where a writer's data folder cannot
    be written (before anything is attached, so nothing is written)."""
    folder = None if read_only or snapshot is not None else data_folder()
    if folder is not None:
        check_writable(folder)
    con = _with_extensions(*EXTENSION_PACKAGES)
    try:
        # A reader finds the data folder in the catalog; a writer names it (and a new lake records it).
        options = "READ_ONLY" if folder is None else f"DATA_PATH {sql_text(folder)}"
        if snapshot is not None:
            options = f"READ_ONLY, SNAPSHOT_VERSION {int(snapshot)}"
        con.execute(f"ATTACH {sql_text(location)} AS {LAKE_ALIAS} ({options})")
        con.execute(f"USE {LAKE_ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def _with_extensions(*names: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with these extensions loaded from their wheels, and DuckDB's own downloads off."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        for name in names:
            con.execute(f"LOAD '{extension_file(name)}'")
    except BaseException:
        con.close()
        raise
    return con


def check_writable(folder: str) -> None:
    """Raise StoreError (LAKE_DATA_READ_ONLY) unless a file can be made in the data folder: a writer learns
    it before its first write, not halfway through a file's Parquet files. A folder not there yet is the
    lake's to make (DuckLake makes it on the first write)."""
    if not os.path.isdir(folder):
        return
    try:
        handle, probe = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
    except OSError as error:
        shown = texts.LAKE_DATA_READ_ONLY.format(folder=folder, variable=LAKE_DATA_ENV_VAR)
        raise StoreError(shown) from error
    os.close(handle)
    os.unlink(probe)


# DuckLake's words when the catalog was written by another DuckLake version (1.5.5: "DuckLake catalog version
# mismatch: catalog version is 9.9, but the extension requires version 1.0. …").
_FORMAT_MISMATCH = re.compile(r"catalog version is ([\d.]+), but the extension requires version ([\d.]+)")
_BAD_PASSWORD = ("password authentication failed", "no password supplied")


def explain(error: duckdb.Error, location: str) -> StoreError:
    """The StoreError for a lake that cannot be attached: a wrong password, a catalog of another DuckLake
    version, or (the rest) unreachable with DuckDB's words. No message carries the password."""
    shown, detail = without_password(location), without_password(str(error))
    if any(words in detail for words in _BAD_PASSWORD):
        return StoreError(texts.LAKE_BAD_PASSWORD.format(path=shown))
    mismatch = _FORMAT_MISMATCH.search(detail)
    if mismatch:
        found, supported = mismatch.groups()
        newer = _version(found) > _version(supported)
        text = texts.LAKE_FORMAT_NEWER if newer else texts.LAKE_FORMAT_OLDER
        return StoreError(text.format(path=shown, found=found, supported=supported), TOO_NEW if newer else TOO_OLD)
    return StoreError(texts.LAKE_UNREACHABLE.format(path=shown, detail=detail))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part)


def creation_race(error: BaseException) -> bool:
    """Whether an error is one writer meeting another that is making the same new lake at that moment:
    PostgreSQL refusing a second copy of a catalog table or sequence being created ("duplicate key value"),
    or a table or column another writer has just added ("already exists")."""
    words = str(error).lower()
    return isinstance(error, duckdb.Error) and ("duplicate key value" in words or "already exists" in words)


# --- the first writers of a new lake ------------------------------------------------------------------------
#
# Importers started together on a lake nobody has made yet would each make DuckLake's catalog, our tables and
# the default rules; DuckLake does not see two inserts of the same default rows as a conflict. So the making is
# done by one writer at a time, under a PostgreSQL advisory lock held by a transaction of a connection of its
# own (postgres_query outside a transaction takes a new connection each time: a lock would not stay held), and
# recorded in a one-row marker table of the catalog database: writers of a made lake never wait for the lock.
_POSTGRES_PREFIX = LAKE_PREFIX + "postgres:"
_GUARD_ALIAS = "lake_guard"
_MADE_MARKER = "dashboard_lake_made"
_MAKING_LOCK = 7_351_002  # an advisory lock key of this program's own


@contextmanager
def making_guard(location: str) -> Iterator[None]:
    """Around a writer's open: where the lake is not yet made, holds the making lock until the block ends, then
    records the lake as made (where the block did not raise); where it is made, holds nothing."""
    if not location.startswith(_POSTGRES_PREFIX):
        yield
        return
    try:
        con = _with_extensions("postgres_scanner")
    except duckdb.Error as error:
        raise explain(error, location) from None
    try:
        try:
            conninfo = location[len(_POSTGRES_PREFIX) :]
            con.execute(f"ATTACH {sql_text(conninfo)} AS {_GUARD_ALIAS} (TYPE postgres)")
            made = _made(con)
        except duckdb.Error as error:  # the catalog unreachable, a wrong password: said as the lake's own open says it
            raise explain(error, location) from None
        if made:
            yield
            return
        con.execute("BEGIN TRANSACTION")
        con.execute(
            f"SELECT * FROM postgres_query('{_GUARD_ALIAS}', "
            f"'SELECT 1 AS held FROM (SELECT pg_advisory_xact_lock({_MAKING_LOCK})) AS lock')"
        ).fetchall()  # waits while another writer makes the lake
        yield
        con.execute(
            "CALL postgres_execute(?, ?)", [_GUARD_ALIAS, f"CREATE TABLE IF NOT EXISTS {_MADE_MARKER} (made BOOLEAN)"]
        )
        con.execute("COMMIT")
    finally:
        con.close()


def _made(con: duckdb.DuckDBPyConnection) -> bool:
    sql = f"SELECT to_regclass(''public.{_MADE_MARKER}'') IS NOT NULL AS made"
    return bool(con.execute(f"SELECT * FROM postgres_query('{_GUARD_ALIAS}', '{sql}')").fetchall()[0][0])
