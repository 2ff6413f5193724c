"""Backups of the database while the dashboard runs, and restoring one (python -m dashboard backup | restore).

A backup is a new DuckDB file made by DuckDB itself: an in-memory connection ATTACHes the database
READ_ONLY and a new file, and `COPY FROM DATABASE` copies every table, sequence and row in one transaction
(DuckDB's documented way to copy a database; a copy of the file alone would miss what its .wal holds —
committed imports not yet checkpointed). Read-only, it works beside the app's pages and other readers;
while an import writes, DuckDB's lock refuses it and the message says so. The copy is written beside the
target (output_files.temporary_path), reopened and compared table by table (row counts) with the
database, and only then renamed into place, owner-only (0600).

Restoring copies the backup the same way into a new file beside the database, then, holding the database
read-write (so refused while an import, a page or any other program holds it), moves the database aside as
`<name>.before-restore-<time>` and renames the copy into its place. Nothing is deleted.

The 整改 attachments live in a folder beside the database (rectify.attachments_folder), not in it: a backup
copies that folder beside the backup file (`<backup>.attachments`, owner-only, into a `.partial` folder first,
then renamed), and a restore moves the database's folder aside with it and copies the backup's into its place.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from dashboard.audit import rectify
from dashboard.core import texts
from dashboard.core.dialect import sql_text
from dashboard.core.transactions import only_row
from dashboard.outputs import output_files
from dashboard.security.untrusted import display_name
from dashboard.store import schema

SOURCE, COPY, VERIFY = "backup_source", "backup_copy", "backup_verify"  # aliases of the ATTACHed files


@dataclass(frozen=True)
class Copied:
    """What a copy holds: forms and rows per table (equal in the database and the copy)."""

    forms: int
    tables: dict[str, int]
    attachments: int = 0  # 整改 attachment files copied with it


def backup(database: Path, target: Path) -> Copied:
    """Copy `database` to `target` (replaced whole, or left as it was); StoreError / OutputError say why not."""
    _require_file(database)
    _refuse_same_file(database, target)
    with output_files.temporary_path(target) as temporary:
        copied = _copy(database, temporary)
    attachments = _copy_attachments(rectify.attachments_folder(database), rectify.attachments_folder(target))
    return dataclasses.replace(copied, attachments=attachments)


def restore(backup_file: Path, database: Path, now: datetime | None = None) -> tuple[Copied, Path | None]:
    """Put `backup_file` in the place of `database`; returns what it holds and where the old database went."""
    _require_file(backup_file)
    _refuse_same_file(database, backup_file)
    with output_files.temporary_path(database) as temporary:
        copied = _copy(backup_file, temporary)
        aside = _swap(database, temporary, now or datetime.now())
    folder = rectify.attachments_folder(database)
    if folder.exists():  # the attachments of the database that went aside go with it
        os.rename(folder, rectify.attachments_folder(aside) if aside is not None else _free_name(folder))
    attachments = _copy_attachments(rectify.attachments_folder(backup_file), folder)
    return dataclasses.replace(copied, attachments=attachments), aside


def _copy_attachments(source: Path, target: Path) -> int:
    """The files of the attachments folder `source` copied to `target` (replaced whole; nothing where `source`
    holds nothing); the number of files."""
    files = sorted(path for path in source.iterdir() if path.is_file()) if source.is_dir() else []
    if not files:
        if target.is_dir():
            shutil.rmtree(target)  # a replaced backup's own attachments: it has none now
        return 0
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(mode=output_files.OWNER_ONLY_FOLDER)
        for path in files:
            shutil.copyfile(path, partial / path.name)
            os.chmod(partial / path.name, output_files.OWNER_ONLY_FILE)
        if target.is_dir():
            shutil.rmtree(target)
        os.rename(partial, target)
    except OSError as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise output_files.OutputError(texts.BACKUP_ATTACHMENTS_FAILED.format(path=_shown(target))) from error
    return len(files)


def _free_name(folder: Path) -> Path:
    """Where an attachments folder goes aside when there was no database file to go with it."""
    now = datetime.now()
    return folder.with_name(f"{folder.name}.before-restore-{now:%Y%m%d-%H%M%S}")


def _refuse_same_file(database: Path, other: Path) -> None:
    """A backup written over the database (or its .wal), or a restore from the database itself, would replace
    the file the copy is read from."""
    paths = {database.resolve(), Path(f"{database}.wal").resolve()}
    if other.resolve() in paths or (other.exists() and any(p.exists() and other.samefile(p) for p in paths)):
        raise schema.StoreError(texts.BACKUP_SAME_FILE.format(path=_shown(other)))


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise schema.StoreError(texts.DB_MISSING.format(path=_shown(path)))


def _copy(source: Path, temporary: Path) -> Copied:
    """COPY FROM DATABASE `source` into a new file `temporary`, then reopen it and compare row counts."""
    con = duckdb.connect()
    try:
        _attach(con, source, SOURCE, read_only=True)
        _check_version(con, source)
        expected = _counts(con, SOURCE)
        try:
            _attach(con, temporary, COPY, read_only=False)
            con.execute(f"COPY FROM DATABASE {SOURCE} TO {COPY}")
            con.execute(f"DETACH {COPY}")
        except duckdb.Error as error:
            raise output_files.OutputError(_write_failure(error, temporary)) from error
    finally:
        con.close()
    os.chmod(temporary, output_files.OWNER_ONLY_FILE)
    _verify(temporary, expected)
    return Copied(forms=expected.get("forms", 0), tables=expected)


def _attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str, read_only: bool) -> None:
    try:
        con.execute(f"ATTACH {sql_text(path)} AS {alias}" + (" (READ_ONLY)" if read_only else ""))
    except duckdb.Error as error:
        if read_only and "lock" in str(error).lower():
            raise schema.StoreError(texts.DB_LOCKED.format(path=_shown(path))) from error
        if read_only:
            raise schema.StoreError(texts.BACKUP_NOT_DATABASE.format(path=_shown(path))) from error
        raise output_files.OutputError(_write_failure(error, path)) from error


def _check_version(con: duckdb.DuckDBPyConnection, source: Path) -> None:
    sql = f"SELECT table_name FROM duckdb_tables() WHERE database_name = '{SOURCE}'"
    tables = {row[0] for row in con.execute(sql).fetchall()}
    if "forms" not in tables:
        raise schema.StoreError(texts.BACKUP_NOT_DATABASE.format(path=_shown(source)))
    if "meta" in tables:
        row = con.execute(f"SELECT value FROM {SOURCE}.meta WHERE key = 'schema_version'").fetchone()
        if row and int(row[0]) > schema.SCHEMA_VERSION:
            raise schema.StoreError(
                texts.DB_TOO_NEW.format(path=_shown(source), version=row[0], supported=schema.SCHEMA_VERSION)
            )


def _counts(con: duckdb.DuckDBPyConnection, alias: str) -> dict[str, int]:
    sql = f"SELECT table_name FROM duckdb_tables() WHERE database_name = '{alias}' ORDER BY table_name"
    names = [row[0] for row in con.execute(sql).fetchall()]
    return {name: only_row(con, f'SELECT count(*) FROM {alias}."{name}"')[0] for name in names}


def _verify(temporary: Path, expected: dict[str, int]) -> None:
    """Reopen the copy, as a new connection, and check it holds every table with the same number of rows."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {sql_text(temporary)} AS {VERIFY} (READ_ONLY)")
        found = _counts(con, VERIFY)
    finally:
        con.close()
    if found != expected:
        differing = sorted(name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name))
        raise output_files.OutputError(texts.BACKUP_MISMATCH.format(tables="、".join(differing)))


def _swap(database: Path, temporary: Path, now: datetime) -> Path | None:
    """Move `database` aside and `temporary` into its place while holding `database` read-write."""
    if not database.exists():
        os.replace(temporary, database)
        return None
    try:
        holder = duckdb.connect(str(database))  # refused while any other program holds the file
    except duckdb.Error as error:
        if "lock" in str(error).lower():
            raise schema.StoreError(texts.RESTORE_BUSY.format(path=_shown(database))) from error
        holder = None  # a damaged file (what a restore is for): nobody can hold it, it goes aside as it is
    try:
        if holder is not None:
            holder.execute("CHECKPOINT")  # the .wal's content into the file that goes aside
        aside = database.with_name(f"{database.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        wal = database.with_name(database.name + ".wal")
        os.rename(database, aside)
        if wal.exists():  # none after CHECKPOINT; were one left, it belongs to the old file
            os.rename(wal, aside.with_name(aside.name + ".wal"))
        os.replace(temporary, database)
    finally:
        if holder is not None:
            holder.close()
    return aside


def _write_failure(error: duckdb.Error, path: Path) -> str:
    detail = str(error)
    if "No space left" in detail or "Disk quota" in detail or "File too large" in detail:
        return texts.OUTPUT_DISK_FULL.format(path=_shown(path))
    return texts.OUTPUT_FAILED.format(path=_shown(path), reason=type(error).__name__)


def _shown(path: Path) -> str:
    return display_name(str(path), limit=200)
