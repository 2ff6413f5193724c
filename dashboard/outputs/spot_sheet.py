"""The 抽查复核 worksheet: a plan's sampled forms in their printed layout (form_sheet.py), with the reviewer's
columns, and reading it back after the reviewer filled it in Excel or WPS.

Layout. The first sheet (计划) names the plan in B1 and lists its forms: sheet, 表编号 (the entry's form id),
project, unit, 自评总分, why chosen, and the entry's 版本 (its saves so far; a workbook exported before
someone else saved the form is refused on import). Each form's sheet is the national grid (columns A–J) with,
on every indicator row and on the 年度资金总额 row, 复核完成值 (K), 复核得分 (L), 复核意见 (M) and the row's
number (N: the indicator's position, 0 for the 年度资金总额 row); K1/L1 hold 表编号, and below the 总分 row the
header block: 复核人 (C), 复核日期 (I), 复核结论 (C, the next row).

Reading back checks the whole workbook before anything is saved: a sheet whose 表编号 is not in the plan, a
复核得分 that is not a number or lies outside 0–分值, a 复核日期 that is not a date — each is a message naming the
sheet and the cell, and the workbook is refused whole (spot_check.SpotCheckError). Text from forms is written as
text, never as a formula (untrusted.spreadsheet_value).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date, datetime

import duckdb
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.audit import spot_check
from dashboard.audit.spot_check import FUND_ROW, FormReview, RowReview, SpotCheckError
from dashboard.core import texts
from dashboard.outputs import form_sheet
from dashboard.outputs.form_sheet import BORDER, FONT_NAME, FONT_SIZE, WRAP, SheetWriter
from dashboard.security import untrusted
from dashboard.store import reads

ACTUAL_COLUMN, SCORE_COLUMN, NOTE_COLUMN, ROW_COLUMN = 11, 12, 13, 14  # K, L, M, N
REVIEW_WIDTHS = (14.0, 9.0, 28.0, 5.0)
ENTRY_FILL = PatternFill("solid", fgColor="FFF7D6")  # the cells the reviewer fills
PLAN_SHEET = texts.SPOT_SHEET_PLAN
PLAN_HEADING_ROW = 3
_SHEET_TITLE_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\'"})
MAX_WORKBOOK_BYTES = 50 * 1024 * 1024  # the upload limit
MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # a worksheet of a few hundred forms unpacks to a few MB
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


# --- writing ------------------------------------------------------------------------------------------------


def _text_cell(sheet: Worksheet, row: int, column: int, value, bold: bool = False, fill: bool = False) -> None:
    cell = sheet.cell(row=row, column=column, value=untrusted.spreadsheet_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, never a formula
    cell.font = Font(name=FONT_NAME, size=FONT_SIZE, bold=bold)
    cell.alignment = WRAP
    cell.border = BORDER
    if fill:
        cell.fill = ENTRY_FILL


def _entry_cell(sheet: Worksheet, row: int, column: int, value, text: bool) -> None:
    """A cell for the reviewer: filled-in colour; text cells formatted as text, the score cell left General."""
    _text_cell(sheet, row, column, value, fill=True)
    if text:
        sheet.cell(row=row, column=column).number_format = "@"


def sheet_title(position: int, name: str) -> str:
    return f"{position} {untrusted.visible_text(name)}".translate(_SHEET_TITLE_FORBIDDEN)[:31].strip()


def workbook_bytes(con: duckdb.DuckDBPyConnection, plan_name: str) -> bytes:
    """The plan's worksheet (.xlsx bytes), with whatever has been entered already."""
    plan = spot_check.plan_id(con, plan_name)
    entries = spot_check.entries(con, plan)
    rule = spot_check.plans(con).set_index("plan_id").loc[plan, "rule"]
    book = Workbook()
    plan_sheet = book.active
    plan_sheet.title = PLAN_SHEET
    _text_cell(plan_sheet, 1, 1, texts.SPOT_SHEET_PLAN_LABEL, bold=True)
    _text_cell(plan_sheet, 1, 2, plan_name)
    _text_cell(plan_sheet, 2, 1, texts.SPOT_SHEET_RULE_LABEL, bold=True)
    _text_cell(plan_sheet, 2, 2, spot_check.plan_rule_text(rule))
    plan_sheet.merge_cells(start_row=2, start_column=2, end_row=2, end_column=9)
    for column, heading in enumerate(texts.SPOT_SHEET_PLAN_COLUMNS, 1):
        _text_cell(plan_sheet, PLAN_HEADING_ROW, column, heading, bold=True)
    forms = {form.id: form for form in reads.load_forms(con, entries["form_id"].tolist(), versions="all")}
    stored_rows = con.execute(
        "SELECT r.* FROM spot_rows r JOIN spot_entries e ON e.entry_id = r.entry_id WHERE e.plan_id = ?", [plan]
    ).df()
    for index, entry in enumerate(entries.to_dict("records"), 1):
        title = sheet_title(index, entry["project_name"])
        values = [index, title, entry["form_id"], entry["project_name"], entry["department"] or "",
                  entry["unit"] or "", _score(entry["self_score"]), texts.SPOT_BASIS_LABELS[entry["basis"]],
                  entry["basis_note"], int(entry["version"])]  # fmt: skip
        for column, value in enumerate(values, 1):
            _text_cell(plan_sheet, PLAN_HEADING_ROW + index, column, value)
        form = forms.get(entry["form_id"])
        if form is None:
            continue
        stored = stored_rows[stored_rows["entry_id"] == entry["entry_id"]]
        _form_sheet(book.create_sheet(title=title), form.to_record(), entry, stored)
    for column, width in enumerate((6, 24, 30, 30, 16, 16, 10, 10, 40, 6), 1):
        plan_sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _score(value):
    return None if value is None or pd.isna(value) else value


def _form_sheet(sheet: Worksheet, record: dict, entry: dict, stored) -> None:
    writer = SheetWriter(sheet, typed=True)
    form_sheet.write_title(writer, record, title_year=True)
    form_sheet.write_header(writer, record)
    funds_heading = writer.row
    form_sheet.write_funds(writer, record["funds"])
    form_sheet.write_goals(writer, record)
    indicators_heading = writer.row
    form_sheet.write_indicators(writer, record)
    total_row = writer.row - 1
    form_sheet.setup_page(sheet, total_row)
    values = {int(row["position"]): row for row in stored.to_dict("records")} if not stored.empty else {}
    for heading_row in (funds_heading, indicators_heading):
        for column, heading in zip(
            (ACTUAL_COLUMN, SCORE_COLUMN, NOTE_COLUMN, ROW_COLUMN), texts.SPOT_SHEET_REVIEW_COLUMNS, strict=True
        ):
            _text_cell(sheet, heading_row, column, heading, bold=True)
    rows = [(funds_heading + 1, FUND_ROW)]
    rows += [(indicators_heading + index, index) for index in range(1, len(record["indicators"]) + 1)]
    for row, position in rows:
        kept = values.get(position, {})
        _entry_cell(sheet, row, ACTUAL_COLUMN, kept.get("reviewed_actual"), text=True)
        _entry_cell(sheet, row, SCORE_COLUMN, _score(kept.get("reviewed_score")), text=False)
        _entry_cell(sheet, row, NOTE_COLUMN, kept.get("note"), text=True)
        _text_cell(sheet, row, ROW_COLUMN, position)
    _text_cell(sheet, 1, ACTUAL_COLUMN, texts.SPOT_SHEET_FORM_ID, bold=True)
    _text_cell(sheet, 1, SCORE_COLUMN, entry["form_id"])
    sheet.merge_cells(start_row=1, start_column=SCORE_COLUMN, end_row=1, end_column=ROW_COLUMN)
    block = total_row + 2
    reviewed_on = entry.get("reviewed_on")
    _text_cell(sheet, block, 1, texts.SPOT_SHEET_REVIEWER, bold=True)
    sheet.merge_cells(start_row=block, start_column=1, end_row=block, end_column=2)
    _entry_cell(sheet, block, 3, entry.get("reviewer"), text=True)
    sheet.merge_cells(start_row=block, start_column=3, end_row=block, end_column=6)
    _text_cell(sheet, block, 7, texts.SPOT_SHEET_DATE, bold=True)
    sheet.merge_cells(start_row=block, start_column=7, end_row=block, end_column=8)
    _entry_cell(sheet, block, 9, None if pd.isna(reviewed_on) else pd.Timestamp(reviewed_on).date(), text=False)
    sheet.cell(row=block, column=9).number_format = "yyyy-mm-dd"
    sheet.merge_cells(start_row=block, start_column=9, end_row=block, end_column=10)
    _text_cell(sheet, block + 1, 1, texts.SPOT_SHEET_CONCLUSION, bold=True)
    sheet.merge_cells(start_row=block + 1, start_column=1, end_row=block + 1, end_column=2)
    _entry_cell(sheet, block + 1, 3, entry.get("conclusion"), text=True)
    sheet.merge_cells(start_row=block + 1, start_column=3, end_row=block + 1, end_column=NOTE_COLUMN)
    sheet.row_dimensions[block + 1].height = 60
    for column, width in zip(range(ACTUAL_COLUMN, ROW_COLUMN + 1), REVIEW_WIDTHS, strict=True):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.print_area = f"A1:{get_column_letter(ROW_COLUMN)}{block + 1}"
    for row in sheet.iter_rows(min_row=1, max_row=block + 1, min_col=ACTUAL_COLUMN, max_col=ROW_COLUMN):
        for cell in row:
            if cell.alignment is None:
                cell.alignment = Alignment(wrap_text=True)


# --- reading back -------------------------------------------------------------------------------------------


def _where(sheet: str, cell: str) -> str:
    return texts.SPOT_SHEET_WHERE.format(sheet=untrusted.visible_text(sheet), cell=cell)


def _number(value) -> tuple[float | None, bool]:
    """(number, ok): a number cell, or text that is a plain decimal number; blank is (None, True)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        return (float(value), True) if math.isfinite(value) else (None, False)
    text = str(value).strip()
    if _NUMBER.match(text):
        return float(text), True
    return None, False


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _entry_text(value) -> str | None:
    """A reviewer's text cell: the apostrophe the export put before formula-like text (untrusted.spreadsheet_value)
    taken off again, so that a worksheet exported, left alone and read back changes nothing."""
    text = _text(value)
    if text and text.startswith("'") and text[1:].startswith(untrusted.FORMULA_TRIGGERS):
        return text[1:]
    return text


def _date(value) -> tuple[date | None, bool]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    text = str(value).strip().replace("/", "-").replace(".", "-")
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", text) or re.match(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", text)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3))), True
        except ValueError:
            return None, False
    return None, False


def read_workbook(con: duckdb.DuckDBPyConnection, data: bytes) -> tuple[str, list[FormReview]]:
    """The plan's name and the reviews a filled-in worksheet holds (forms with nothing entered are left out).

    Raises SpotCheckError listing every problem (sheet and cell) when any is found: nothing is to be saved then.
    """
    if len(data) > MAX_WORKBOOK_BYTES or _unpacked_size(data) > MAX_UNPACKED_BYTES:
        raise SpotCheckError(texts.SPOT_SHEET_TOO_BIG.format(limit=MAX_UNPACKED_BYTES // (1024 * 1024)))
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # not an .xlsx, damaged: one message, never a traceback
        raise SpotCheckError(texts.SPOT_SHEET_UNREADABLE) from None
    if PLAN_SHEET not in book.sheetnames:
        raise SpotCheckError(texts.SPOT_SHEET_NO_PLAN_SHEET.format(sheet=PLAN_SHEET))
    plan_sheet = book[PLAN_SHEET]
    plan_name = _text(plan_sheet["B1"].value) or ""
    plan = first_plan(con, plan_name)
    entries = spot_check.entries(con, plan)
    by_form = {row["form_id"]: row for row in entries.to_dict("records")}
    versions = _exported_versions(plan_sheet)
    problems: list[str] = []
    reviews: list[FormReview] = []
    seen: dict[str, str] = {}
    for sheet in book.worksheets:
        if sheet.title == PLAN_SHEET:
            continue
        form_id = _text(sheet.cell(row=1, column=SCORE_COLUMN).value)
        cell = f"{get_column_letter(SCORE_COLUMN)}1"
        if form_id is None or form_id not in by_form:
            problems.append(
                _where(sheet.title, cell) + texts.SPOT_SHEET_NOT_IN_PLAN.format(form=form_id or "", plan=plan_name)
            )
            continue
        if form_id in seen:
            problems.append(
                _where(sheet.title, cell) + texts.SPOT_SHEET_TWICE.format(form=form_id, sheet=seen[form_id])
            )
            continue
        seen[form_id] = untrusted.visible_text(sheet.title)
        entry = by_form[form_id]
        base = spot_check.base_rows(con, int(entry["entry_id"]), form_id)
        review = _read_sheet(sheet, entry, base, problems)
        if review is None or review.empty():
            continue
        review.version = versions.get(form_id, int(entry["version"]))
        if review.version != int(entry["version"]):
            when = entry["saved_at"].strftime("%Y-%m-%d %H:%M") if entry["saved_at"] is not None else "—"
            problems.append(
                texts.SPOT_SHEET_STALE.format(
                    sheet=untrusted.visible_text(sheet.title), by=entry["saved_by"] or texts.SPOT_SOMEONE, at=when
                )
            )
            continue
        reviews.append(review)
    if problems:
        raise SpotCheckError(texts.SPOT_SHEET_REFUSED.format(count=len(problems), problems="\n".join(problems)))
    return plan_name, reviews


def _unpacked_size(data: bytes) -> int:
    """The sum of the package's parts as unpacked (a small file may unpack to gigabytes); 0 for no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # not a package: load_workbook says so


def first_plan(con: duckdb.DuckDBPyConnection, name: str) -> int:
    try:
        return spot_check.plan_id(con, name)
    except SpotCheckError:
        raise SpotCheckError(_where(PLAN_SHEET, "B1") + texts.SPOT_NO_PLAN.format(name=name)) from None


def _exported_versions(sheet: Worksheet) -> dict[str, int]:
    versions = {}
    for row in sheet.iter_rows(min_row=PLAN_HEADING_ROW + 1, values_only=True):
        if len(row) >= 10 and row[2] and isinstance(row[9], int | float):
            versions[str(row[2])] = int(row[9])
    return versions


def _read_sheet(sheet: Worksheet, entry: dict, base: dict, problems: list[str]) -> FormReview | None:
    before = len(problems)
    rows: list[RowReview] = []
    header_row = None
    for row in range(1, sheet.max_row + 1):
        label = _text(sheet.cell(row=row, column=1).value)
        if label == texts.SPOT_SHEET_REVIEWER:
            header_row = row
        position, ok = _number(sheet.cell(row=row, column=ROW_COLUMN).value)
        if position is None or not ok or row == 1 or not float(position).is_integer():
            continue
        position_int = int(position)
        if position_int not in base:
            continue
        _name, weight, _own = base[position_int]
        score_cell = f"{get_column_letter(SCORE_COLUMN)}{row}"
        score, ok = _number(sheet.cell(row=row, column=SCORE_COLUMN).value)
        if not ok:
            problems.append(_where(sheet.title, score_cell) + texts.SPOT_SHEET_NOT_NUMBER)
        elif score is not None and (score < 0 or (weight is not None and score > weight + 1e-9)):
            shown = form_sheet.plain(weight) if weight is not None else "—"
            problems.append(
                _where(sheet.title, score_cell)
                + texts.SPOT_SHEET_ABOVE_WEIGHT.format(score=form_sheet.plain(score), weight=shown)
            )
        rows.append(
            RowReview(
                position_int,
                _entry_text(sheet.cell(row=row, column=ACTUAL_COLUMN).value),
                score if ok else None,
                _entry_text(sheet.cell(row=row, column=NOTE_COLUMN).value),
            )
        )
    review = FormReview(int(entry["entry_id"]), int(entry["version"]), rows=rows)
    if header_row is not None:
        review.reviewer = _entry_text(sheet.cell(row=header_row, column=3).value)
        reviewed_on, ok = _date(sheet.cell(row=header_row, column=9).value)
        if not ok:
            problems.append(_where(sheet.title, f"I{header_row}") + texts.SPOT_SHEET_NOT_DATE)
        review.reviewed_on = reviewed_on
        review.conclusion = _entry_text(sheet.cell(row=header_row + 1, column=3).value)
    return None if len(problems) > before else review


def import_workbook(con: duckdb.DuckDBPyConnection, data: bytes, by: str | None) -> tuple[str, int]:
    """Check a filled-in worksheet whole, then save its reviews in one transaction: (plan name, forms saved)."""
    plan_name, reviews = read_workbook(con, data)
    return plan_name, spot_check.save_reviews(con, reviews, by)
