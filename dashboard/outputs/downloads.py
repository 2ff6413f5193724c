"""Files to download: tables as CSV / Excel, one whole form as an Excel workbook.

The builders are pure functions (frame or form in, bytes out) so they can be tested
without Streamlit; the buttons that call them are in dashboard/ui/download_buttons.py.
CSV is UTF-8 with a BOM: without it, Excel opens Chinese text as mojibake.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.audit import audit
from dashboard.core import texts
from dashboard.core.model import Form
from dashboard.outputs import export, form_sheet
from dashboard.security import untrusted

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


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = texts.XLSX_DEFAULT_SHEET, title: str | None = None) -> bytes:
    """The table as a one-sheet .xlsx: `title` (what the table is, its scope and filters) in the first row when
    given, then the bold header row, frozen and with an autofilter, numbers as numbers, columns wide enough to
    read."""
    return _workbook_bytes([(sheet_name, frame)], title=title)


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


def forms_as_printed_bytes(forms: list[Form]) -> bytes:
    """The forms in their printed layout, a sheet each, and every form's findings on one more sheet."""
    rows: list[list] = []
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


def _workbook_bytes(sheets: list[tuple[str, pd.DataFrame]], title: str | None = None) -> bytes:
    """Each (sheet name, frame) on a sheet; `title`: a first row above the header of each sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, frame in sheets:
            sheet_name = _unique_title(sheet_title(name), used)
            clean = _excel_safe(frame)
            header_row = 2 if title else 1
            clean.to_excel(writer, sheet_name=sheet_name, index=False, startrow=header_row - 1)
            sheet = writer.sheets[sheet_name]
            if title:
                cell = sheet.cell(row=1, column=1, value=untrusted.spreadsheet_value(title))
                cell.font = Font(bold=True, size=12)
            _text_cells_as_text(sheet)
            _style_sheet(sheet, clean, header_row)
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


def _style_sheet(sheet: Worksheet, frame: pd.DataFrame, header_row: int = 1) -> None:
    """Header row `header_row` bold, frozen (with the rows above it) and with an autofilter; column widths."""
    sheet.freeze_panes = f"A{header_row + 1}"
    if len(frame.columns):
        last = get_column_letter(len(frame.columns))
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + len(frame)}"
    bold = Font(bold=True)
    for cell in sheet[header_row]:
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
    sample = frame.head(WIDTH_SAMPLE_ROWS)
    for index, column in enumerate(frame.columns, start=1):
        values = [column, *sample[column].tolist()]
        widest = max(_display_width(None if _is_missing(value) else value) for value in values)
        width = min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, widest + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
        if widest > MAX_COLUMN_WIDTH:
            for row in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
