"""`python -m dashboard migrate --to <location>`: a whole database copied to a new place, a DuckDB file into a
DuckLake or a lake into a file (a local copy): every table (imports, form versions, users, reference data,
spot checks, 整改 and its attachments' names), ids kept, in one transaction, then checked.

The target must be new: a file that does not exist yet, or a lake with no tables. It is made by a writer's
open_db (the schema of this version), its rows replaced by the source's table by table inside one transaction
(nothing of the copy is visible until all of it is), and its sequences moved past the copied ids. The copy
is then checked: each table's row count on both sides, and the JSON export of every stored version of both
byte for byte (as sha256).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.core import dialect, texts
from dashboard.core.transactions import only_row, transaction
from dashboard.outputs import export
from dashboard.reference import organisations
from dashboard.store import connect, lake
from dashboard.store.schema import SCHEMA, StoreError

_SOURCE, _TARGET = "copy_source", "copy_target"  # the aliases a file is attached under for the copy
# The sequences of the DDL, each with the (table, column) its numbers go to.
SEQUENCES = dialect.sequence_columns(SCHEMA + organisations.DDL)


@dataclass(frozen=True)
class Copied:
    """What a copy moved: rows per table (the same on both sides, checked) and the forms the exports hold."""

    rows: dict[str, int]
    forms: int


TableCallback = Callable[[str, int], None]


def copy_database(source: Path | str, target: Path | str, on_table: TableCallback | None = None) -> Copied:
    """Copy the database at `source` (a file or lake of this schema version) to the new `target`; StoreError
    (a message for people) where the target is not new, both are lakes, or the check finds a difference."""
    if lake.is_lake(source) and lake.is_lake(target):
        raise StoreError(texts.MIGRATE_LAKE_TO_LAKE)
    if str(source) == str(target):
        raise StoreError(texts.MIGRATE_SAME)
    shown = _shown(target)
    _refuse_unless_new(target, shown)
    connect.open_db(source, read_only=True).close()  # the source's version is this program's (else: the message)
    connect.open_db(target).close()  # the target's schema
    con, source_db, target_db = _copy_connection(source, target)
    # A lake sorts a table's rows as it writes them (lake_layout.SORTED): 4.9 GB at 10⁶ forms uncapped.
    connect.cap_memory(con)
    try:
        tables = _tables(con, source_db)
        missing = sorted(set(tables) - set(_tables(con, target_db)))
        if missing:
            raise StoreError(texts.MIGRATE_TABLES_DIFFER.format(tables="、".join(missing)))
        rows: dict[str, int] = {}
        with transaction(con):
            for table in tables:
                columns = ", ".join(_columns(con, target_db, table))
                con.execute(f"DELETE FROM {target_db}.main.{table}")
                con.execute(
                    f"INSERT INTO {target_db}.main.{table} ({columns}) SELECT {columns} FROM {source_db}.main.{table}"
                )
                rows[table] = only_row(con, f"SELECT count(*) FROM {source_db}.main.{table}")[0]
                if on_table:
                    on_table(table, rows[table])
        for table, count in rows.items():
            copied = only_row(con, f"SELECT count(*) FROM {target_db}.main.{table}")[0]
            if copied != count:
                raise StoreError(texts.MIGRATE_COUNT_DIFFERS.format(table=table, source=count, target=copied))
        last_ids = {
            sequence: only_row(con, f"SELECT coalesce(max({column}), 0) FROM {target_db}.main.{table}")[0]
            for sequence, (table, column) in SEQUENCES.items()
        }
    finally:
        con.close()
    _advance_sequences(target, last_ids)
    forms, source_digest = export_digest(source)
    _forms, target_digest = export_digest(target)
    if source_digest != target_digest:
        raise StoreError(texts.MIGRATE_EXPORT_DIFFERS.format(target=shown))
    return Copied(rows, forms)


def _shown(location: Path | str) -> str:
    return lake.without_password(str(location))


def _refuse_unless_new(target: Path | str, shown: str) -> None:
    if not lake.is_lake(target):
        if Path(target).exists():
            raise StoreError(texts.MIGRATE_TARGET_NOT_EMPTY.format(target=shown))
        return
    try:
        con = lake.connect_lake(str(target), read_only=False)
    except duckdb.Error as error:
        raise lake.explain(error, str(target)) from None
    try:
        if _tables(con, dialect.LAKE_ALIAS):
            raise StoreError(texts.MIGRATE_TARGET_NOT_EMPTY.format(target=shown))
    finally:
        con.close()


def _copy_connection(source: Path | str, target: Path | str) -> tuple[duckdb.DuckDBPyConnection, str, str]:
    """One connection that reads the source and writes the target, and the two's database names: the lake's
    own connection (store/lake.py) with the file attached, or the target file with the source attached."""
    if lake.is_lake(target):
        con = lake.connect_lake(str(target), read_only=False)
        con.execute(f"ATTACH {dialect.sql_text(source)} AS {_SOURCE} (READ_ONLY)")
        return con, _SOURCE, dialect.LAKE_ALIAS
    if lake.is_lake(source):
        con = lake.connect_lake(str(source), read_only=True)
        con.execute(f"ATTACH {dialect.sql_text(target)} AS {_TARGET}")
        return con, dialect.LAKE_ALIAS, _TARGET
    con = duckdb.connect()
    con.execute(f"ATTACH {dialect.sql_text(source)} AS {_SOURCE} (READ_ONLY)")
    con.execute(f"ATTACH {dialect.sql_text(target)} AS {_TARGET}")
    return con, _SOURCE, _TARGET


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name",
        [database],
    ).fetchall()
    return [row[0] for row in rows]


def _columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index",
        [database, table],
    ).fetchall()
    return [row[0] for row in rows]


def _advance_sequences(target: Path | str, last_ids: dict[str, int]) -> None:
    """The target's sequences past the copied ids: a lake's PostgreSQL sequences set; a file's DuckDB sequences
    (which cannot be set) drawn up to them."""
    con = connect.open_db(target)
    try:
        for sequence, last in last_ids.items():
            if dialect.is_lake(con):
                dialect.set_sequence(con, sequence, last)
            elif last:  # drawn only as the result is read
                con.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [int(last)]).fetchall()
    finally:
        con.close()


class _Digest:
    """A binary stream that keeps only the sha256 of what is written to it."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)

    def flush(self) -> None:
        pass


def export_digest(location: Path | str) -> tuple[int, str]:
    """(forms, sha256) of the JSON export of every stored version (`export --format json --all-versions`)."""
    con = connect.open_db(location, read_only=True)
    connect.cap_memory(con)
    try:
        digest = _Digest()
        forms = export.write_export(con, export.ExportFormat.JSON, digest, with_versions=True)  # type: ignore[arg-type]
    finally:
        con.close()
    return forms, digest.hash.hexdigest()
