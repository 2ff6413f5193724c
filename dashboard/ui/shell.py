"""The dashboard's frame, run by dashboard/app.py on every run: page setup, the shared sidebar filters, and the
pages. Each page is one file under ui/pages/ (paths relative to app.py, the script Streamlit runs). The filters are
drawn here, before the page runs, so that every page sees the same filters and they survive page switches; they are
also bound to the URL.
"""

from __future__ import annotations

import contextlib

import duckdb
import streamlit as st

from dashboard.audit import config as audit_config
from dashboard.core import texts
from dashboard.outputs import output_files
from dashboard.queries import queries
from dashboard.security import uploads
from dashboard.security.untrusted import hide_paths, markdown_literal
from dashboard.store import schema
from dashboard.ui import as_of_view, auth, data_gate, db, filter_widgets, page_data, styles


@st.cache_resource
def _start_up() -> bool:
    """Once per server process: files it creates are owner-only (the database, its .wal, uploads), and
    upload folders a killed server left behind are removed (uploads.remove_leftovers)."""
    output_files.make_files_owner_only()
    uploads.remove_leftovers()
    return True


def run() -> None:
    """One run of the app: the frame, then the page the visitor is on."""
    st.set_page_config(page_title=texts.APP_TITLE, page_icon=texts.APP_ICON, layout="wide")
    styles.apply()  # print on A4 without the sidebar, cards two per row on a phone, grade colours

    _start_up()
    # Every page, every run: a bad $DASHBOARD_AUDIT_CONFIG is a message, not a trace (no module reads it at import).
    try:
        audit_config.active_config()
    except audit_config.AuditConfigError as error:
        st.error(markdown_literal(hide_paths(str(error))), icon=":material/settings_alert:")
        st.stop()

    overview_page = st.Page(
        "ui/pages/overview.py", title=texts.PAGE_OVERVIEW, icon=":material/dashboard:", default=True
    )
    view_pages = [
        overview_page,
        st.Page("ui/pages/projects.py", title=texts.PAGE_PROJECTS, icon=":material/table_view:"),
        st.Page("ui/pages/deductions.py", title=texts.PAGE_DEDUCTIONS, icon=":material/trending_down:"),
        st.Page("ui/pages/department_page.py", title=texts.DEPARTMENT_PAGE_TITLE, icon=":material/account_balance:"),
    ]
    review_page = st.Page("ui/pages/review_page.py", title=texts.PAGE_REVIEW, icon=":material/fact_check:")
    pages = {
        texts.NAV_SECTION_VIEW: view_pages,
        texts.NAV_SECTION_WORK: [
            st.Page("ui/pages/import_page.py", title=texts.PAGE_IMPORT, icon=":material/upload_file:"),
            review_page,
            st.Page("ui/pages/spot_check_page.py", title=texts.PAGE_SPOT_CHECK, icon=":material/rule:"),
            st.Page("ui/pages/rectify_page.py", title=texts.PAGE_RECTIFY, icon=":material/assignment_turned_in:"),
            st.Page("ui/pages/reference_page.py", title=texts.PAGE_REFERENCE, icon=":material/category:"),
        ],
    }
    # Pages that never write: the reads of one run share one read-only connection (db.shared_reads); on a lake, one
    # snapshot; 总览 may be shown as of a past one (as_of_view).
    reading_pages = [*view_pages, review_page]

    page = st.navigation(pages)
    try:
        as_of = as_of_view.chosen() if page is overview_page else None
        with db.shared_reads(as_of) if page in reading_pages else contextlib.nullcontext():
            broken = db.broken_message()  # a damaged file: said before the sign-in form, which could not work
            if broken is not None:
                st.error(broken, icon=":material/error:")
                st.stop()
            if not auth.require_for_every_page():  # draws the sign-in form when the setting asks for one
                st.stop()
            options = page_data.read(queries.filter_options) if data_gate.readable() else None
            filter_widgets.render_sidebar(options)
            auth.sidebar_status()
            page.run()
    except (duckdb.Error, schema.StoreError) as error:
        # No stack trace for the visitor: an import (in this app or the command line) holding the file is said
        # so (the next run opens the file anew), a damaged file is said to be damaged, anything else is a short
        # error while its traceback goes to the server's log (db.failure_message).
        busy = db.held_by_import(error)
        st.error(db.failure_message(error), icon=":material/hourglass_top:" if busy else ":material/error:")
