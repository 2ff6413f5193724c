"""The pages' reads: connections let go right after; none is kept between runs.

Who writes: only `dashboard.importing.importer` (the 导入 page or the command line). The app holds no
handle between runs of a page, so the command line can import while the dashboard is up (DuckDB lets
one process write a file, and none other open it meanwhile). The command-line import holds the file
only while it stores a file (connect.StepWriter), so a page read waits at most that long
(connect.READER_WAIT_SECONDS) and sees each file once it is stored. A page that only reads shares one
connection across the reads of one run (`shared_reads`, about a second); a writer that finds the
file held waits for it (connect.WRITER_WAIT_SECONDS). The next run after an import sees the new data
(`cache_key` changes with the file).

DuckDB cannot hold the same file open read-only and read-write in one process: while the 导入 page
writes (`writing`), this server's pages read through cursors of its connection; `clear_caches()`
after it drops results.

A lake (store/lake.py) has no lock and no file stamp: this process keeps one read-only connection to it
(_LakeReader), each read a cursor of it; `cache_key` is the catalog's latest snapshot; a run of a reading
page reads one snapshot (`shared_reads` holds a transaction from its first read), or a past one (as_of).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import streamlit as st

from dashboard.core import dialect, texts
from dashboard.security.untrusted import hide_paths, markdown_literal
from dashboard.store import connect, lake, schema, snapshots


def location() -> Path | str:
    """The database the pages read: a file's Path, or a lake's `ducklake:` string (connect.database_location)."""
    return connect.database_location()


def on_lake() -> bool:
    return lake.is_lake(location())


def cache_key() -> str:
    """Keys the cached query results: the file and when it (or its write-ahead log) last changed; on a lake,
    the snapshot read: the run's (shared_reads), else the catalog's latest."""
    where = location()
    if isinstance(where, str):
        return f"{where}@{run_snapshot() if _sharing() else _LAKE.latest(where)}"
    stamps = [str(p.stat().st_mtime_ns) for p in (where, where.with_name(where.name + ".wal")) if p.exists()]
    return ":".join([str(where), *stamps])


_T = TypeVar("_T")
_RUN = threading.local()  # the connection a run of a reading page shares (shared_reads), per session thread


def _sharing() -> bool:
    return getattr(_RUN, "sharing", False)


@contextmanager
def cursor(snapshot: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to read with, let go afterwards; raises StoreError when the file cannot be opened.

    While this process writes (`writing`: the 导入 page), a cursor of the writer's connection: it reads
    the last committed state. Otherwise a read-only connection of its own (which waits a moment while
    another process stores a file: connect.READER_WAIT_SECONDS). On a lake, a cursor of this process's
    lake connection (_LakeReader); `snapshot`: a lake as it was then (a download built after its run).

    Inside `shared_reads` (one run of a page that only reads) every read of the run uses one connection,
    opened at the first read: it keeps DuckDB's cache warm between the run's queries, and on a lake it
    reads one snapshot throughout.
    """
    snapshot = snapshot if snapshot is not None else getattr(_RUN, "at", None)
    if snapshot is not None:
        con = connect.open_db(location(), snapshot=snapshot)
        try:
            yield con
        finally:
            con.close()
        return
    if _sharing():
        con = _run_connection()
        try:
            yield con
        except duckdb.Error:
            _after_failed_read(con)
            raise
        return
    with _reading() as con:
        yield con


def _after_failed_read(con: duckdb.DuckDBPyConnection) -> None:
    """A read of the run failed. On a lake its transaction may now be aborted ("please ROLLBACK"): the run's next
    read opens a connection pinned to the snapshot the run began on, so it still reads that one snapshot."""
    if isinstance(location(), Path) or _RUN.as_of is not None or con is not _RUN.con:
        return
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")
    _RUN.con, _RUN.repin = None, _RUN.snapshot


def _run_connection() -> duckdb.DuckDBPyConnection:
    """The run's shared connection, opened at its first read (on a lake: pinned to one snapshot)."""
    if _RUN.con is None:
        where = location()
        if isinstance(where, Path):
            _RUN.con = _RUN.held.enter_context(_reading())
        elif _RUN.as_of is not None or _RUN.repin is not None:
            snapshot = _RUN.as_of.snapshot if _RUN.as_of is not None else _RUN.repin
            _RUN.con = _RUN.held.enter_context(contextlib.closing(connect.open_db(where, snapshot=snapshot)))
            _RUN.snapshot = snapshot
        else:
            con = _RUN.held.enter_context(contextlib.closing(_LAKE.cursor(where)))
            con.execute("BEGIN TRANSACTION")  # DuckLake: a transaction reads the snapshot it began on
            _RUN.snapshot = snapshots.current(con)
            _RUN.con = con
    return _RUN.con


def run_as_of() -> snapshots.AsOf | None:
    """The past state this run reads (shared_reads(as_of)), or None: the latest."""
    return getattr(_RUN, "as_of", None) if _sharing() else None


@contextmanager
def reading_as_of(as_of: snapshots.AsOf | None) -> Iterator[None]:
    """Every read (cursor) inside the block sees `as_of`'s snapshot (None: as usual): a download built when
    its button is clicked, after the run that showed a past snapshot, holds what that run showed."""
    previous = getattr(_RUN, "at", None)
    _RUN.at = as_of.snapshot if as_of is not None else None
    try:
        yield
    finally:
        _RUN.at = previous


def latest_key() -> str:
    """cache_key outside any run's snapshot: on a lake, the catalog's latest snapshot now."""
    where = location()
    return f"{where}@{_LAKE.latest(where)}" if isinstance(where, str) else cache_key()


@contextmanager
def catalog_cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A lake read at its latest snapshot even inside a run reading an older one (the list of past states)."""
    where = location()
    if isinstance(where, Path):
        with cursor() as con:
            yield con
        return
    with contextlib.closing(_LAKE.cursor(where)) as con:
        yield con


def run_snapshot() -> int:
    """The lake snapshot this run reads (inside shared_reads, on a lake): the past one asked for (known without
    attaching it, so a run whose reads are all cached attaches nothing), else its first read fixes it."""
    if _RUN.as_of is not None:
        return _RUN.as_of.snapshot
    _run_connection()
    return int(_RUN.snapshot)


@contextmanager
def shared_reads(as_of: snapshots.AsOf | None = None) -> Iterator[None]:
    """One run of a page that never writes: its reads share a connection, let go when the run ends (also
    when it stops or reruns), so the app still holds no handle between runs. A writer that finds the file
    held meanwhile waits for it (connect.open_db). On a lake every read of the run sees one snapshot: the
    latest at its first read, or `as_of` (a past one, 总览's choice)."""
    _RUN.sharing, _RUN.con, _RUN.held, _RUN.as_of, _RUN.snapshot = True, None, ExitStack(), as_of, None
    _RUN.repin = None  # set by _after_failed_read: the snapshot to read on after a failed read
    try:
        yield
    finally:
        held, _RUN.sharing, _RUN.con, _RUN.held, _RUN.repin = _RUN.held, False, None, None, None
        held.close()


# --- a lake: one read-only connection per process -----------------------------------------------------------
#
# Attaching a lake loads three extensions and reaches PostgreSQL (about 0.4 s); a page run reads a dozen
# times. So this process attaches it once and reads through cursors of that connection (one DuckDB
# database, each cursor its own connection to it). Another location (a test's lake) replaces it; a
# connection whose catalog went away (PostgreSQL restarted) is dropped and attached again once.


class _LakeReader:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.where: str | None = None
        self.con: duckdb.DuckDBPyConnection | None = None

    def _connection(self, where: str) -> duckdb.DuckDBPyConnection:
        with self.lock:
            if self.con is not None and self.where != where:
                self.con.close()
                self.con = None
            if self.con is None:
                self.con, self.where = connect.open_db(where, read_only=True), where
            return self.con

    def _drop(self, con: duckdb.DuckDBPyConnection) -> None:
        with self.lock:
            if self.con is con:
                self.con = None
                con.close()

    def cursor(self, where: str) -> duckdb.DuckDBPyConnection:
        """A cursor of this process's lake connection, reading the lake (USE: a cursor starts in memory)."""
        return self._attempt(where, _lake_cursor)

    def latest(self, where: str) -> int:
        """The catalog's latest snapshot id: asked on every run, one query to PostgreSQL."""
        return self._attempt(where, snapshots.current)

    def _attempt(self, where: str, action: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
        """`action` on the connection; where it fails (the catalog went away), once more on a new one."""
        con = self._connection(where)
        try:
            with self.lock:
                return action(con)
        except duckdb.Error:
            self._drop(con)
        con = self._connection(where)  # StoreError (lake.explain) when the catalog still does not answer
        try:
            with self.lock:
                return action(con)
        except duckdb.Error as error:
            self._drop(con)
            raise lake.explain(error, where) from None


def _lake_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    cur = con.cursor()
    try:
        cur.execute(f"USE {dialect.LAKE_ALIAS}")
    except BaseException:
        cur.close()
        raise
    return cur


_LAKE = _LakeReader()


# --- reading while this process writes ----------------------------------------------------------------------
#
# DuckDB lets one process hold a file read-write or read-only, not both: while the 导入 page writes, a
# read-only open in this server fails ("different configuration"). So while it writes, the pages read
# through cursors of the writer's own connection: one database, and DuckDB gives each cursor the last
# committed state (MVCC) while the import's transaction is open. The writer closes its connection only
# once the cursors it lent are given back (or after _LENT_WAIT_SECONDS, for a run that hangs).

_LENT_WAIT_SECONDS = 10.0


class _ProcessWriter:
    """This process's writer: its connection while open, and the cursors lent to readers."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.opening = False  # the writer waits for read-only handles to close: new reads wait for it
        self.lent = 0

    def borrow(self) -> duckdb.DuckDBPyConnection | None:
        """A cursor of the writer's connection, or None when this process is not writing."""
        with self.changed:
            self.changed.wait_for(lambda: not self.opening, timeout=connect.WRITER_WAIT_SECONDS + 1)
            if self.con is None:
                return None
            self.lent += 1
            return self.con.cursor()

    def give_back(self, borrowed: duckdb.DuckDBPyConnection) -> None:
        borrowed.close()
        with self.changed:
            self.lent -= 1
            self.changed.notify_all()


_WRITER = _ProcessWriter()


@contextmanager
def _reading() -> Iterator[duckdb.DuckDBPyConnection]:
    where = location()
    if isinstance(where, str):  # a lake: no lock, so no lending either
        with contextlib.closing(_LAKE.cursor(where)) as con:
            yield con
        return
    borrowed = _WRITER.borrow()
    if borrowed is not None:
        try:
            yield borrowed
        finally:
            _WRITER.give_back(borrowed)
        return
    con = connect.open_db(where, read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def writing(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database open read-write in this process for one piece of work (an import, a removal); the
    pages of this server read on meanwhile, through cursors of this connection (a file), or as always (a
    lake: many writers and readers at once)."""
    if lake.is_lake(connect.database_location(path)):
        with contextlib.closing(connect.open_db(path)) as con:
            yield con
        return
    with _WRITER.changed:
        if _WRITER.con is not None or _WRITER.opening:
            raise schema.StoreError(texts.IMPORT_BUSY)
        _WRITER.opening = True
    claim = ExitStack()
    try:
        claim.enter_context(connect.writer_claim(path))  # not while the command line imports, not even between files
        con = connect.open_db(path)  # waits for the read-only handles of runs already reading
    except BaseException:
        claim.close()
        with _WRITER.changed:
            _WRITER.opening = False
            _WRITER.changed.notify_all()
        raise
    with _WRITER.changed:
        _WRITER.con, _WRITER.opening = con, False
        _WRITER.changed.notify_all()
    try:
        yield con
    finally:
        with _WRITER.changed:
            _WRITER.con = None  # no new cursors; those lent are given back first
            _WRITER.changed.wait_for(lambda: _WRITER.lent == 0, timeout=_LENT_WAIT_SECONDS)
            con.close()
            claim.close()
            _WRITER.changed.notify_all()


@contextmanager
def small_write() -> Iterator[duckdb.DuckDBPyConnection]:
    """The database open read-write for a one-row write from a page (the sign-in log), closed afterwards.
    This run's shared read connection is closed first: DuckDB cannot hold both in one process."""
    where = location()
    if _sharing() and _RUN.con is not None and isinstance(where, Path):
        _RUN.con, shared = None, _RUN.con
        shared.close()
    con = connect.open_for_small_write(where)
    try:
        yield con
    finally:
        con.close()


def clear_caches() -> None:
    """Forget every cached query result (after an import changed the data)."""
    st.cache_data.clear()


# The file stamp (cache_key) at which the database last opened: no need to open it again to know.
_OPENED: set[str] = set()


def problem() -> tuple[str, str] | None:
    """Why the pages cannot read the database, or None: ("missing" | "busy" | "broken" | "unreachable" | "error",
    message); "unreachable": a lake whose catalog does not answer.

    The message is for visitors: Markdown-safe, and the server's folders cut from any path in it.
    """
    path = location()
    if isinstance(path, Path) and not path.exists():
        return "missing", markdown_literal(hide_paths(texts.DB_MISSING_SHORT.format(path=path)))
    try:
        stamp = cache_key()  # on a lake, this reaches the catalog
    except schema.StoreError as error:
        if lake.not_made_yet(error):  # a catalog database no import has made a lake in: like a missing file
            shown = lake.without_password(str(path))
            return "missing", markdown_literal(hide_paths(texts.LAKE_NOT_MADE_SHORT.format(path=shown)))
        return "unreachable", shown_error(error)  # a lake whose catalog does not answer
    if stamp in _OPENED:  # opened since the file last changed: a writer would have changed it
        return None
    try:
        with cursor():
            pass
        _OPENED.clear()
        _OPENED.add(stamp)
    except schema.StoreError as error:
        cause = error.__cause__
        if isinstance(cause, duckdb.ConnectionException) and "different configuration" in str(cause):
            return "busy", texts.DB_BUSY_IMPORTING  # this process is writing (the 导入 page)
        kind = "broken" if error.kind in schema.BROKEN_KINDS else "error"
        return kind, shown_error(error)
    return None


def shown_error(error: schema.StoreError) -> str:
    """A StoreError's message for visitors: Markdown-safe, no server folder, no lake password."""
    return markdown_literal(hide_paths(lake.without_password(str(error))))


def broken_message() -> str | None:
    """The message when the file is damaged, not a DuckDB file, or from a newer program (waiting will not
    help), or a lake's catalog does not answer (no one can sign in, either way), else None."""
    found = problem()
    return found[1] if found is not None and found[0] in ("broken", "unreachable") else None


log = logging.getLogger("dashboard")


def held_by_import(error: Exception) -> bool:
    """The read failed because an import holds the file: another process's lock (DuckDB's "Could not set
    lock", or the writer claim), or this server's own import, which closed the shared read-only handle or
    holds the file read-write (DuckDB: "different configuration"). The next run opens the file anew."""
    if isinstance(error, schema.StoreError):
        return error.kind == schema.LOCKED or str(error) == texts.IMPORT_BUSY
    words = str(error).lower()
    if isinstance(error, duckdb.IOException):
        return "could not set lock" in words
    if isinstance(error, duckdb.ConnectionException):
        return "closed" in words or "different configuration" in words
    return False


def failure_message(error: Exception) -> str:
    """What a page says when a read failed: the file's damage (or its old version) when that is the cause;
    that an import holds the file when one does (held_by_import); else a short error for the visitor, with
    no path or trace, the traceback going to the server's log (logger "dashboard")."""
    where = location()
    if isinstance(error, duckdb.Error) and isinstance(where, Path):
        error = connect.damage_error(error, where) or error
    if isinstance(error, schema.StoreError) and error.kind in (*schema.BROKEN_KINDS, schema.TOO_OLD):
        return shown_error(error)
    if held_by_import(error):
        return texts.DB_BUSY_IMPORTING
    if isinstance(error, schema.StoreError) and isinstance(where, str):  # a lake: its catalog out of reach
        return shown_error(error)
    log.error("A page could not read the database", exc_info=error)
    return texts.DB_READ_FAILED
