"""The pages' one read-only DuckDB handle.

Who writes: only `dashboard.importer` (the 导入 page or the command line). The pages read
through one cached read-only connection per database file, and every query runs on its
own `.cursor()`, because a DuckDBPyConnection is not thread-safe and Streamlit serves each
session from its own thread.

DuckDB cannot hold the same file open read-only and read-write in one process, so the 导入
page calls `reset_connection()` before it opens the file for writing and `clear_caches()`
after; the next page run opens a fresh read-only handle.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import streamlit as st

from dashboard import store, texts
from dashboard.untrusted import hide_paths, markdown_literal

IMPORT_PAGE = "app_pages/import_page.py"


@st.cache_resource(show_spinner=False, on_release=lambda con: con.close())
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return store.open_db(path, read_only=True)


def db_path() -> Path:
    return store.default_db_path()


def cache_key() -> str:
    """Keys the cached query results: the file and when it (or its write-ahead log) last changed."""
    path = db_path()
    stamps = [str(p.stat().st_mtime_ns) for p in (path, path.with_name(path.name + ".wal")) if p.exists()]
    return ":".join([str(path), *stamps])


def connection() -> duckdb.DuckDBPyConnection:
    """The cached read-only connection; raises StoreError when the file cannot be opened."""
    return _connection(str(db_path()))


@contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the shared connection, closed afterwards. Reopens once if an import closed it."""
    try:
        cur = connection().cursor()
    except duckdb.ConnectionException:
        reset_connection()
        cur = connection().cursor()
    try:
        yield cur
    finally:
        cur.close()


def reset_connection() -> None:
    """Close the read-only handle (before the import opens the file for writing)."""
    _connection.clear()


def clear_caches() -> None:
    """Forget every cached query result and the handle (after an import changed the data)."""
    st.cache_data.clear()
    reset_connection()


def problem() -> tuple[str, str] | None:
    """Why the pages cannot read the database, or None: ("missing" | "busy" | "error", message).

    The message is for visitors: Markdown-safe, and the server's folders cut from any path in it.
    """
    path = db_path()
    if not path.exists():
        return "missing", markdown_literal(hide_paths(texts.DB_MISSING_SHORT.format(path=path)))
    try:
        connection()
    except store.StoreError as error:
        cause = error.__cause__
        if isinstance(cause, duckdb.ConnectionException) and "different configuration" in str(cause):
            return "busy", texts.DB_BUSY_IMPORTING
        return "error", markdown_literal(hide_paths(str(error)))
    return None


def form_count() -> int:
    """Forms that count (current, complete, settled)."""
    with cursor() as cur:
        try:
            return int(cur.execute(f"SELECT count(*) FROM forms f WHERE {store.counted_sql('f')}").fetchone()[0])
        except duckdb.CatalogException:  # a file without the schema: nothing imported yet
            return 0


def not_counted_note() -> str | None:
    """"另有 N 张不完整的表未计入" where current forms are kept out of the totals, else None."""
    with cursor() as cur:
        try:
            counts = store.not_counted(cur)
        except duckdb.CatalogException:
            return None
    incomplete, pending = counts["incomplete"], counts["pending"]
    if incomplete and pending:
        return texts.NOT_COUNTED_NOTE.format(incomplete=incomplete, pending=pending)
    if incomplete:
        return texts.NOT_COUNTED_INCOMPLETE.format(count=incomplete)
    if pending:
        return texts.NOT_COUNTED_PENDING.format(count=pending)
    return None


def readable() -> bool:
    """True when the database opens and holds at least one form."""
    return problem() is None and form_count() > 0


def require_data() -> None:
    """Stop the page with an explanation when there is no database, it is locked, or it is empty."""
    found = problem()
    if found is not None:
        kind, message = found
        if kind == "missing":
            _empty_state(message)
        else:
            st.error(message, icon=":material/lock:")
            if kind == "error":
                st.caption(texts.DB_WHAT_TO_DO)
        st.stop()
    if form_count() == 0:
        _empty_state("")
        st.stop()


def _empty_state(detail: str) -> None:
    with st.container(border=True):
        st.subheader(texts.DB_EMPTY_TITLE)
        st.write(texts.DB_EMPTY_BODY)
        if detail:
            st.caption(detail)
        st.page_link(IMPORT_PAGE, label=texts.GO_IMPORT, icon=":material/upload_file:")
