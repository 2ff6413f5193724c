"""What every reading page checks first: is there a database with forms to show (else the page says why
and stops), and are forms kept out of the totals (said in a note). Reads go through page_data's cache."""

from __future__ import annotations

import duckdb
import streamlit as st

from dashboard.core import texts
from dashboard.core.transactions import only_row
from dashboard.store import reads
from dashboard.ui import page_data
from dashboard.ui.db import problem

IMPORT_PAGE = "ui/pages/import_page.py"


def _counted_forms(con: duckdb.DuckDBPyConnection) -> int:
    try:
        return int(only_row(con, f"SELECT count(*) FROM forms f WHERE {reads.counted_sql('f')}")[0])
    except duckdb.CatalogException:  # a file without the schema: nothing imported yet
        return 0


def not_counted(con: duckdb.DuckDBPyConnection) -> dict[str, int] | None:
    """reads.not_counted, None for a file without the schema (read through page_data.read)."""
    try:
        return reads.not_counted(con)
    except duckdb.CatalogException:
        return None


def form_count() -> int:
    """Forms that count (current, complete, settled); read once per state of the file."""
    return page_data.read(_counted_forms)


def not_counted_note() -> str | None:
    """ "另有 N 张不完整的表未计入" where current forms are kept out of the totals, else None."""
    counts = page_data.read(not_counted)
    if counts is None:
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
        _empty_state(not_counted_note() or "")  # held scans, incomplete forms: said, not silently empty
        st.stop()


def _empty_state(detail: str) -> None:
    with st.container(border=True):
        st.subheader(texts.DB_EMPTY_TITLE)
        st.write(texts.DB_EMPTY_BODY)
        if detail:
            st.caption(detail)
        st.page_link(IMPORT_PAGE, label=texts.GO_IMPORT, icon=":material/upload_file:")
