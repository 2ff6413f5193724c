"""Files to download: tables as CSV / Excel, one whole form as an Excel workbook.

The builders are pure functions (frame or form in, bytes out) so they can be tested
without Streamlit; `download_buttons` is the one widget helper the pages call under a
table. CSV is UTF-8 with a BOM: without it, Excel opens Chinese text as mojibake.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable

import pandas as pd
import streamlit as st
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard import audit, export, form_sheet, texts, untrusted
from dashboard.model import Form

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Column widths in Excel's units (about one Latin character): CJK characters count double.
MIN_COLUMN_WIDTH = 6
MAX_COLUMN_WIDTH = 60
# Rows looked at to size a column: enough to be representative, cheap on big tables.
WIDTH_SAMPLE_ROWS = 500
# An Excel sheet holds 1,048,576 rows, the header included.
EXCEL_MAX_ROWS = 1_048_576 - 1
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV, UTF-8 with BOM, without the index, formula-like text neutralised."""
    return export.csv_bytes(frame)


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = texts.XLSX_DEFAULT_SHEET) -> bytes:
    """The table as a one-sheet .xlsx: bold frozen header row, columns wide enough to read."""
    return _workbook_bytes([(sheet_name, frame)])


def form_workbook_bytes(form: Form) -> bytes:
    """One whole form as a workbook: header, fund block, goals, indicators, findings (one sheet each)."""
    return _workbook_bytes(
        [
            (texts.FORM_SHEET_HEADER, form_header_frame(form)),
            (texts.FORM_SHEET_FUNDS, form_funds_frame(form)),
            (texts.FORM_SHEET_GOALS, form_goals_frame(form)),
            (texts.FORM_SHEET_INDICATORS, form_indicators_frame(form)),
            (texts.FORM_SHEET_CHECKS, form_checks_frame(form)),
            (texts.EXPLAIN_TITLE, form_explanation_frame(form)),
        ]
    )


def download_buttons(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    """Two download buttons (CSV, Excel) for a table; the files are built only when clicked."""
    snapshot = frame.copy()
    stem = safe_file_stem(file_stem)
    buttons = (
        ("csv", texts.DOWNLOAD_CSV, texts.DOWNLOAD_CSV_HELP, to_csv_bytes, CSV_MIME),
        ("xlsx", texts.DOWNLOAD_XLSX, texts.DOWNLOAD_XLSX_HELP, to_xlsx_bytes, XLSX_MIME),
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
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            texts.DOWNLOAD_CSV, data=lambda: to_csv_bytes(build()), file_name=f"{stem}.csv", mime=CSV_MIME,
            key=f"{key}_csv", help=texts.DOWNLOAD_BUILT_ON_CLICK.format(rows=f"{rows:,}"), on_click="ignore",
            icon=":material/download:",
        )  # fmt: skip
        too_big = rows > EXCEL_MAX_ROWS
        st.download_button(
            texts.DOWNLOAD_XLSX, data=b"" if too_big else lambda: to_xlsx_bytes(build()), file_name=f"{stem}.xlsx",
            mime=XLSX_MIME, key=f"{key}_xlsx", on_click="ignore", icon=":material/download:", disabled=too_big,
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
    from dashboard import db, queries, store  # pages' modules: only when asked for

    with db.cursor() as cur:
        ids = queries.form_ids(cur, filters)[:MAX_PRINTED_FORMS]
        return forms_as_printed_bytes(store.load_forms(cur, ids))


def report_button(filters, key: str) -> None:
    """下载汇总报告: the Word report for the current filters (dashboard/report.py), built when clicked."""
    st.download_button(
        texts.DOWNLOAD_REPORT,
        data=_deferred(report_bytes, filters),
        file_name=f"{texts.REPORT_FILE_STEM}.docx",
        mime=DOCX_MIME,
        key=key,
        on_click="ignore",
        icon=":material/description:",
    )


def report_bytes(filters) -> bytes:
    from dashboard import db, report  # the report pulls in the pages' queries: only when asked for

    with db.cursor() as cur:
        return report.build_report(cur, filters)


def forms_as_printed_bytes(forms: list[Form]) -> bytes:
    """The forms in their printed layout, a sheet each, and every form's findings on one more sheet."""
    rows = []
    for form in forms:
        checks = form_checks_frame(form)
        rows.extend([form.project_name or "", *values] for values in checks.itertuples(index=False))
    heading = [texts.COL["project_name"], *texts.CHECK_COLUMNS.values()]
    return form_sheet.workbook_bytes([form.to_record() for form in forms], [(heading, rows)])


# --- the form as tables ------------------------------------------------------------------------------------


def form_header_frame(form: Form) -> pd.DataFrame:
    values = form.to_record()
    values["source_pages"] = "、".join(str(page) for page in form.source_pages)
    values["unit_printed"] = form.funds.unit_printed
    values["score_gap"] = score_gap(form.total_score, form.recomputed_score)
    if form.recomputed_score is None and form.total_score is not None:
        values["recomputed_score"] = texts.NOT_EVALUABLE
    rows = [(label, values[key]) for key, label in texts.FORM_HEADER_FIELDS.items()]
    rows.append((texts.FORM_HEADER_SCHEME, audit.scheme_of(form).label))
    return pd.DataFrame(rows, columns=[texts.FORM_FIELD, texts.FORM_VALUE], dtype=object)


def score_gap(claimed: float | None, recomputed: float | None) -> float | None:
    """Claimed 总分 minus the recomputed one, rounded to 0.01; None where either is missing."""
    if claimed is None or recomputed is None:
        return None
    return round(claimed - recomputed, 2)


def form_funds_frame(form: Form) -> pd.DataFrame:
    rows = []
    for key, fund_row in form.funds.rows().items():
        row = {"row": texts.FUND_ROW_LABELS[key]}
        row.update({column: getattr(fund_row, column) for column in list(texts.FUND_COLUMNS)[1:]})
        rows.append(row)
    return pd.DataFrame(rows, columns=list(texts.FUND_COLUMNS)).rename(columns=texts.FUND_COLUMNS)


def form_goals_frame(form: Form) -> pd.DataFrame:
    return pd.DataFrame(
        [(texts.GOAL_EXPECTED, form.goal_expected), (texts.GOAL_ACTUAL, form.goal_actual)],
        columns=[texts.FORM_FIELD, texts.FORM_VALUE],
    )


def form_indicators_frame(form: Form) -> pd.DataFrame:
    """One row per indicator, with 序号 and 扣分, headed like the per-indicator export."""
    keys = ["position", "level1", "level2", "name", "target", "actual", "weight", "score", "points_lost", "reason"]
    frame = export.indicator_rows([form])[keys]
    return frame.rename(columns={key: texts.EXPORT_COLUMNS[key] for key in keys})


def form_explanation_frame(form: Form) -> pd.DataFrame:
    """How the recomputed 总分 was reached, one row per step (audit.explain_total), headed in Chinese."""
    columns = texts.EXPLAIN_COLUMNS
    rows = [
        {columns["row"]: step.row, columns["rule"]: step.rule, columns["formula"]: step.formula,
         columns["result"]: step.result}
        for step in audit.explain_total(form)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(columns.values()))


def form_checks_frame(form: Form) -> pd.DataFrame:
    keys = list(texts.CHECK_COLUMNS)
    rows = [check.to_record() for check in form.checks]
    frame = pd.DataFrame(rows, columns=keys)
    frame["severity"] = frame["severity"].map(lambda value: texts.SEVERITY_LABELS.get(value, value))
    return frame.rename(columns=texts.CHECK_COLUMNS)


# --- helpers -----------------------------------------------------------------------------------------------


def safe_file_stem(stem: str) -> str:
    """A file name part without path separators or characters Windows refuses."""
    cleaned = re.sub(r'[\\/:*?"<>|\s]+', "_", stem.strip()).strip("._")
    return cleaned[:80] or "download"


def sheet_title(name: str) -> str:
    """A valid Excel sheet name: no []:*?/\\, at most 31 characters, not empty."""
    return (_SHEET_NAME_FORBIDDEN.sub("_", name).strip("'") or texts.XLSX_DEFAULT_SHEET)[:31]


def _deferred(builder: Callable, argument) -> Callable[[], bytes]:
    return lambda: builder(argument)


def _workbook_bytes(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, frame in sheets:
            title = _unique_title(sheet_title(name), used)
            clean = _excel_safe(frame)
            clean.to_excel(writer, sheet_name=title, index=False)
            _text_cells_as_text(writer.sheets[title])
            _style_sheet(writer.sheets[title], clean)
    return buffer.getvalue()


def _unique_title(title: str, used: set[str]) -> str:
    candidate, number = title, 2
    while candidate in used:
        suffix = f"_{number}"
        candidate, number = title[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate)
    return candidate


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store time zones; lists and dicts are written as text; formula-like text is neutralised."""
    clean = frame.copy()
    clean.columns = [str(column) for column in clean.columns]
    for column in clean.columns:
        series = clean[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            clean[column] = series.dt.tz_localize(None)
        elif series.dtype == object:
            clean[column] = series.map(lambda v: "、".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return untrusted.spreadsheet_frame(clean)


def _text_cells_as_text(sheet: Worksheet) -> None:
    """Every cell holding text is a string cell, never a formula (openpyxl reads a leading "=" as one)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _display_width(value) -> int:
    if value is None:
        return 0
    text = str(value)
    longest_line = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in longest_line)


def _style_sheet(sheet: Worksheet, frame: pd.DataFrame) -> None:
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
    sample = frame.head(WIDTH_SAMPLE_ROWS)
    for index, column in enumerate(frame.columns, start=1):
        values = [column, *sample[column].tolist()]
        widest = max(_display_width(None if _is_missing(value) else value) for value in values)
        width = min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, widest + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
        if widest > MAX_COLUMN_WIDTH:
            for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
