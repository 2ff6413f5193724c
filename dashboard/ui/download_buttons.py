"""Download buttons under the pages' tables and forms: each file is built (dashboard/outputs/downloads.py)
only when its button is clicked."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.core import texts
from dashboard.core.model import Form
from dashboard.outputs.downloads import (
    CSV_MIME,
    DOCX_MIME,
    EXCEL_MAX_ROWS,
    XLSX_MIME,
    form_workbook_bytes,
    forms_as_printed_bytes,
    safe_file_stem,
    to_csv_bytes,
    to_xlsx_bytes,
)
from dashboard.queries.filters import summary as filters_summary
from dashboard.ui import db, filter_widgets


def download_title(file_stem: str) -> str:
    """The Excel download's first row: what the table is, the scope (the sidebar's filters in words) and when
    it was made: "扣分指标　范围：年度 2021；等级 优　导出时间：2026-12-04 17:30"."""
    current = filter_widgets.current()
    scope = filters_summary(current) if current.active else texts.DOWNLOAD_SCOPE_ALL
    made = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return texts.DOWNLOAD_TITLE.format(table=file_stem.replace("_", " "), scope=scope, time=made)


def download_buttons(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    """Two download buttons (CSV, Excel) for a table; the files are built only when clicked. The Excel file
    has a title row (download_title); the CSV file has none (docs/export-notes.md)."""
    snapshot = frame.copy()
    stem = safe_file_stem(file_stem)
    title = download_title(file_stem)
    buttons = (
        ("csv", texts.DOWNLOAD_CSV, texts.DOWNLOAD_CSV_HELP, to_csv_bytes, CSV_MIME),
        ("xlsx", texts.DOWNLOAD_XLSX, texts.DOWNLOAD_XLSX_HELP, lambda f: to_xlsx_bytes(f, title=title), XLSX_MIME),
    )
    with st.container(horizontal=True, gap="small"):
        for suffix, label, help_text, builder, mime in buttons:
            st.download_button(
                label,
                data=_deferred(builder, snapshot),
                file_name=f"{stem}.{suffix}",
                mime=mime,
                key=f"{key}_{suffix}",
                help=help_text,
                on_click="ignore",
                icon=":material/download:",
            )


def table_download_buttons(build: Callable[[], pd.DataFrame], rows: int, file_stem: str, key: str) -> None:
    """CSV and Excel buttons for a table too big to hold in the page: `build` runs the query and makes
    the whole table only when a button is clicked. Excel is refused past its row limit, CSV offered."""
    stem = safe_file_stem(file_stem)
    title = download_title(file_stem)
    as_csv, as_xlsx = _deferred(lambda: to_csv_bytes(build())), _deferred(lambda: to_xlsx_bytes(build(), title=title))
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            texts.DOWNLOAD_CSV, data=as_csv, file_name=f"{stem}.csv", mime=CSV_MIME,
            key=f"{key}_csv", help=texts.DOWNLOAD_BUILT_ON_CLICK.format(rows=f"{rows:,}"), on_click="ignore",
            icon=":material/download:",
        )  # fmt: skip
        too_big = rows > EXCEL_MAX_ROWS
        st.download_button(
            texts.DOWNLOAD_XLSX, data=b"" if too_big else as_xlsx,
            file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
            disabled=too_big,
            help=texts.DOWNLOAD_XLSX_TOO_BIG.format(rows=f"{rows:,}") if too_big else texts.DOWNLOAD_XLSX_HELP,
        )  # fmt: skip


def form_download_button(form: Form, key: str) -> None:
    """Two buttons: the form in its own printed layout (findings on a second sheet), and the form as
    tables (one sheet per part); each built when clicked."""
    stem = safe_file_stem(form.project_name or form.id)
    for label, builder, suffix, button_key in (
        (texts.DOWNLOAD_FORM_AS_PRINTED, forms_as_printed_bytes, "", f"{key}_printed"),
        (texts.DOWNLOAD_FORM_XLSX, form_workbook_bytes, texts.DOWNLOAD_FORM_TABLES_SUFFIX, key),
    ):
        st.download_button(
            label,
            data=_deferred(builder, [form] if builder is forms_as_printed_bytes else form),
            file_name=f"{stem}{suffix}.xlsx",
            mime=XLSX_MIME,
            key=button_key,
            on_click="ignore",
            icon=":material/download:",
        )


# Forms in their printed layout in one workbook: a sheet each, so a bounded number.
MAX_PRINTED_FORMS = 200


def printed_forms_button(filters, total: int, key: str) -> None:
    """The filtered forms in their printed layout, a sheet per form (at most MAX_PRINTED_FORMS)."""
    too_many = total > MAX_PRINTED_FORMS
    st.download_button(
        texts.DOWNLOAD_FORMS_AS_PRINTED.format(limit=MAX_PRINTED_FORMS),
        data=b"" if too_many else _deferred(printed_forms_bytes, filters),
        file_name=f"{texts.PRINTED_FORMS_FILE_STEM}.xlsx",
        mime=XLSX_MIME,
        key=key,
        on_click="ignore",
        icon=":material/download:",
        disabled=too_many,
        help=texts.DOWNLOAD_FORMS_AS_PRINTED_TOO_MANY.format(limit=MAX_PRINTED_FORMS, total=total)
        if too_many
        else None,
    )


def printed_forms_bytes(filters) -> bytes:
    from dashboard.queries import queries
    from dashboard.store import reads
    from dashboard.ui import db  # pages' modules: only when asked for

    with db.cursor() as cur:
        ids = queries.form_ids(cur, filters)[:MAX_PRINTED_FORMS]
        return forms_as_printed_bytes(reads.load_forms(cur, ids))


def report_button(filters, key: str, as_of=None) -> None:
    """下载汇总报告: the report for the current filters (dashboard/outputs/report.py) as Word, and as PDF where
    LibreOffice is installed (report_pdf.py); each built when clicked. `as_of` (store/snapshots.AsOf): a lake
    as it was then, the report saying so."""
    from dashboard.outputs import report_pdf

    with st.container(horizontal=True, gap="small"):
        st.download_button(
            texts.DOWNLOAD_REPORT,
            data=_deferred(report_bytes, filters, as_of),
            file_name=f"{texts.REPORT_FILE_STEM}.docx",
            mime=DOCX_MIME,
            key=key,
            on_click="ignore",
            icon=":material/description:",
        )
        if report_pdf.available():
            st.download_button(
                texts.DOWNLOAD_REPORT_PDF,
                data=_deferred(report_pdf_bytes, filters, as_of),
                file_name=f"{texts.REPORT_FILE_STEM}.pdf",
                mime=report_pdf.PDF_MIME,
                key=f"{key}_pdf",
                on_click="ignore",
                icon=":material/picture_as_pdf:",
                help=texts.DOWNLOAD_REPORT_PDF_HELP,
            )


def report_bytes(filters, as_of=None) -> bytes:
    from dashboard.outputs import report  # the report pulls in the pages' queries: only when asked for

    with db.cursor(snapshot=as_of.snapshot if as_of else None) as cur:
        return report.build_report(cur, filters, as_of=as_of)


def report_pdf_bytes(filters, as_of=None) -> bytes:
    from dashboard.outputs import report_pdf

    return report_pdf.pdf_bytes(report_bytes(filters, as_of))


def _deferred(builder: Callable, *arguments) -> Callable[[], bytes]:
    """`builder(*arguments)` when the button is clicked, after the run: on a page shown as of a past snapshot
    (db.run_as_of), its reads see that snapshot too, so the file holds what the page showed."""
    as_of = db.run_as_of()

    def build() -> bytes:
        with db.reading_as_of(as_of):
            return builder(*arguments)

    return build
