"""The 自评表 in its own printed layout, as an .xlsx: the national template's grid, print-ready on A4.

Title with the year, merged header cells, the 项目资金 block, 年度总体目标, the indicator grid with merged
一级/二级 cells and the 总分 row — one sheet per form, built from form records (form-json.md) — and, for
the dashboard's downloads, the audit's findings on a sheet of their own. The .xlsx reader reads these
workbooks back as the same forms (tests check it), and scripts/print_forms_libreoffice.py prints them
as PDFs, the way a department prints its forms from Excel.

`typed`: numbers as numbers (amounts in the form's own unit, 执行率 as a percent-formatted fraction), as a
unit's own workbook holds them; or, for the print script, every cell as the text a form prints. Text from
forms is written as text, never as a formula (untrusted.spreadsheet_value).
"""

from __future__ import annotations

import io
import math
import unicodedata
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.core import texts
from dashboard.security import untrusted

# Column widths (Excel character units) of columns A..J, in the proportions of the samples.
COLUMN_WIDTHS = (6.5, 8.5, 9.5, 23.0, 11.5, 11.5, 10.5, 6.5, 13.5, 13.5)
FONT_NAME = "Noto Sans CJK SC"
FONT_SIZE = 9
TITLE_SIZE = 13
LINE_HEIGHT = 13.5  # points per printed line at FONT_SIZE, with leading
ROW_PADDING = 5.0
MAX_ROW_HEIGHT = 400.0  # Excel's limit is 409 points; longer goal texts are split over rows
FUND_LABELS = {
    "total": "年度资金总额",
    "current_year": "其中：当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP_LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")


# ---------------------------------------------------------------- text sizes


def text_width_units(text: str) -> float:
    """Printed width of `text` in units of one Latin character (a CJK character counts 2)."""
    return sum(2.0 if unicodedata.east_asian_width(char) in "WF" else 1.1 for char in text)


def column_span_units(first: int, last: int) -> float:
    """Usable width of columns first..last (1-based) in the units of text_width_units."""
    return sum(COLUMN_WIDTHS[first - 1 : last]) * 0.92 - 1.0


def line_count(text: str, first: int, last: int) -> int:
    per_line = max(column_span_units(first, last), 2.0)
    return sum(max(1, math.ceil(text_width_units(line) / per_line)) for line in text.split("\n"))


def row_height(cells: list[tuple[str, int, int]]) -> float:
    """Height that shows every (text, first column, last column) of a row in full."""
    lines = max((line_count(text, first, last) for text, first, last in cells if text), default=1)
    return min(lines * LINE_HEIGHT + ROW_PADDING, MAX_ROW_HEIGHT)


def split_for_rows(text: str, first: int, last: int) -> list[str]:
    """Cut a long text into pieces that each fit one row (cut between two CJK characters)."""
    per_row = int((MAX_ROW_HEIGHT - ROW_PADDING) / LINE_HEIGHT) - 1
    pieces: list[str] = []
    rest = text
    while line_count(rest, first, last) > per_row:
        cut = cut_point(rest, first, last, per_row)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return [*pieces, rest]


def cut_point(text: str, first: int, last: int, lines: int) -> int:
    """The last position before `lines` lines are full where both neighbours are not Latin letters."""
    budget = lines * column_span_units(first, last) * 0.9
    width, cut = 0.0, 1
    for index, char in enumerate(text):
        width += text_width_units(char)
        if width > budget:
            break
        if index + 1 < len(text) and not (char.isascii() and text[index + 1].isascii()):
            cut = index + 1
    return cut


# ---------------------------------------------------------------- numbers


def plain(value: float | None) -> str:
    """A number as a form prints it: 200000, 2.5, 99.86; "—" where there is none."""
    if value is None:
        return "—"
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def money(value: float | None, unit: str) -> str:
    """A fund amount with two decimals, in the unit the form prints (万元 ÷ 10 000)."""
    if value is None:
        return "—"
    amount = Decimal(str(value))
    if unit == "万元":
        amount = amount / Decimal(10000)
        return format(amount.normalize(), "f")
    return format(amount.quantize(Decimal("0.01")), "f")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{Decimal(str(value)).quantize(Decimal('0.01'))}%"


# ---------------------------------------------------------------- sheet writing


class SheetWriter:
    """Writes one form on a worksheet, row by row, merging and ruling as it goes."""

    def __init__(self, sheet: Worksheet, typed: bool = False):
        self.sheet = sheet
        self.row = 1
        self.typed = typed

    def put(self, text: str | Number, first: int, last: int, rows: int = 1, align: Alignment = WRAP) -> None:
        """Write `text` (a Number from `number` where typed) over columns first..last and `rows` rows."""
        if isinstance(text, Number):
            cell = self.sheet.cell(row=self.row, column=first, value=text.value)
            cell.number_format = text.number_format
        else:
            cell = self.sheet.cell(row=self.row, column=first, value=untrusted.spreadsheet_value(text))
            cell.data_type = "s"  # text, never a formula
            cell.number_format = "@"
        cell.alignment = align
        cell.font = Font(name=FONT_NAME, size=FONT_SIZE)
        for row in range(self.row, self.row + rows):
            for column in range(first, last + 1):
                self.sheet.cell(row=row, column=column).border = BORDER
        if rows > 1 or last > first:
            self.sheet.merge_cells(start_row=self.row, start_column=first, end_row=self.row + rows - 1, end_column=last)

    def end_row(self, cells: list[tuple[str, int, int]], minimum: float = 0.0) -> None:
        self.sheet.row_dimensions[self.row].height = max(row_height(cells), minimum)
        self.row += 1


def write_form(sheet: Worksheet, record: dict, title_year: bool, typed: bool = False) -> None:
    writer = SheetWriter(sheet, typed)
    write_title(writer, record, title_year)
    write_header(writer, record)
    write_funds(writer, record["funds"])
    write_goals(writer, record)
    write_indicators(writer, record)
    setup_page(sheet, writer.row - 1)


def write_title(writer: SheetWriter, record: dict, title_year: bool) -> None:
    year = record.get("year")
    title = f"{year}年度项目支出绩效自评表" if title_year and year else "项目支出绩效自评表"
    writer.put(title, 1, 10)
    writer.sheet.cell(row=writer.row, column=1).font = Font(name=FONT_NAME, size=TITLE_SIZE, bold=True)
    writer.end_row([], minimum=26)


def write_header(writer: SheetWriter, record: dict) -> None:
    pairs = (
        ("项目名称", record["project_name"] or "", "项目金额", number(writer, record.get("project_amount"), "")),
        ("主管部门", record.get("department") or "", "实施单位", record.get("unit") or ""),
    )
    for left_label, left, right_label, right in pairs:
        writer.put(left_label, 1, 2)
        writer.put(left, 3, 6)
        writer.put(right_label, 7, 8)
        writer.put(right, 9, 10)
        writer.end_row([(left, 3, 6), (str(right), 9, 10)])


class Number:
    """A number written as a number cell, with the format that prints it as the form does."""

    def __init__(self, value: float, number_format: str = "General"):
        self.value = value
        self.number_format = number_format

    def __str__(self) -> str:  # for row heights: the width it prints at
        return plain(self.value)


def number(writer: SheetWriter, value: float | None, missing: str = "—") -> str | Number:
    """A weight, score or 项目金额: a Number where the writer is typed, else the printed text."""
    if value is None:
        return missing
    return Number(value) if writer.typed else plain(value)


def amount(writer: SheetWriter, value: float | None, unit: str) -> str | Number:
    """A fund amount in the unit the form prints (万元 ÷ 10 000)."""
    if value is None or not writer.typed:
        return money(value, unit)
    shown = Decimal(str(value)) / Decimal(10000) if unit == "万元" else Decimal(str(value))
    return Number(float(shown), "0.00####" if unit == "万元" else "0.00")


def rate(writer: SheetWriter, value: float | None) -> str | Number:
    """执行率: a percent-formatted fraction where typed (96.37% is 0.9637), else "96.37%"."""
    if value is None or not writer.typed:
        return percent(value)
    return Number(float(Decimal(str(value)) / Decimal(100)), "0.00%")


def write_funds(writer: SheetWriter, funds: dict) -> None:
    unit = funds.get("unit_printed") or "元"
    writer.put(f"项目资金\n（{unit}）", 1, 2, rows=5)
    writer.put("", 3, 4)
    for column, heading in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), 5):
        writer.put(heading, column, column)
    writer.end_row([])
    for key, label in FUND_LABELS.items():
        row = funds[key]
        values = [
            amount(writer, row.get("initial_budget"), unit),
            amount(writer, row.get("annual_budget"), unit),
            amount(writer, row.get("executed"), unit),
            number(writer, row.get("weight")),
            rate(writer, row.get("rate_pct")),
            number(writer, row.get("score")),
        ]
        writer.put(label, 3, 4)
        for column, value in enumerate(values, 5):
            writer.put(value, column, column)
        writer.end_row([(label, 3, 4)] + [(str(value), column, column) for column, value in enumerate(values, 5)])


def write_goals(writer: SheetWriter, record: dict) -> None:
    expected = split_for_rows(record.get("goal_expected") or "", 3, 6)
    actual = split_for_rows(record.get("goal_actual") or "", 7, 10)
    count = max(len(expected), len(actual))
    writer.put("年度总体\n目标", 1, 2, rows=count + 1)
    writer.put("预期目标", 3, 6)
    writer.put("实际完成情况", 7, 10)
    writer.end_row([])
    for index in range(count):
        left = expected[index] if index < len(expected) else ""
        right = actual[index] if index < len(actual) else ""
        writer.put(left, 3, 6, align=WRAP_LEFT)
        writer.put(right, 7, 10, align=WRAP_LEFT)
        writer.end_row([(left, 3, 6), (right, 7, 10)])


def level_spans(indicators: list[dict], key: str, within: str | None = None) -> list[int]:
    """Row counts of consecutive runs with the same `key` (and the same `within` value)."""
    spans: list[int] = []
    previous = None
    for indicator in indicators:
        current = (indicator.get(within) if within else None, indicator[key])
        if spans and current == previous:
            spans[-1] += 1
        else:
            spans.append(1)
        previous = current
    return spans


def write_indicators(writer: SheetWriter, record: dict) -> None:
    indicators = record["indicators"]
    level1_weights = level1_totals(indicators)
    writer.put("年度绩效\n指标", 1, 1, rows=len(indicators) + 1)
    headings = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
    for column, heading in enumerate(headings, 2):
        writer.put(heading, column, column)
    writer.put("偏差原因分析及改进措施", 9, 10)
    writer.end_row([("偏差原因分析及改进措施", 9, 10), ("年度指标值", 5, 5), ("实际完成值", 6, 6)])
    starts1 = span_starts(level_spans(indicators, "level1"))
    starts2 = span_starts(level_spans(indicators, "level2", within="level1"))
    for index, indicator in enumerate(indicators):
        if index in starts1:
            label = f"{indicator['level1']}\n（{plain(level1_weights[indicator['level1']])}分）"
            writer.put(label, 2, 2, rows=starts1[index])
        if index in starts2:
            writer.put(indicator["level2"], 3, 3, rows=starts2[index])
        cells = [
            (indicator["name"], 4, 4),
            (indicator["target"], 5, 5),
            (indicator["actual"], 6, 6),
            (number(writer, indicator.get("weight")), 7, 7),
            (number(writer, indicator.get("score")), 8, 8),
            (indicator.get("reason") or "", 9, 10),
        ]
        for text, first, last in cells:
            writer.put(text, first, last)
        writer.end_row([(str(text), first, last) for text, first, last in cells])
    writer.put("总分", 1, 6)
    writer.put(number(writer, record.get("total_weight")), 7, 7)
    writer.put(number(writer, record.get("total_score")), 8, 8)
    writer.put("—", 9, 10)
    writer.end_row([])


def span_starts(spans: list[int]) -> dict[int, int]:
    """{first row index of a span: its length}."""
    starts, position = {}, 0
    for length in spans:
        starts[position] = length
        position += length
    return starts


def level1_totals(indicators: list[dict]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for indicator in indicators:
        totals[indicator["level1"]] = totals.get(indicator["level1"], 0.0) + (indicator.get("weight") or 0.0)
    return {key: round(value, 4) for key, value in totals.items()}


def setup_page(sheet: Worksheet, last_row: int) -> None:
    for column, width in enumerate(COLUMN_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.print_area = f"A1:J{last_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.page_margins.top = sheet.page_margins.bottom = 0.8


# ---------------------------------------------------------------- workbook → PDF


def build_workbook(records: list[dict], title_year: bool, typed: bool = False) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for position, record in enumerate(records, 1):
        write_form(book.create_sheet(title=f"表{position}"), record, title_year, typed)
    return book


# --- the dashboard's download: forms as forms, findings beside them ----------------------------------------

_SHEET_TITLE_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\'"})


def workbook_bytes(records: list[dict], findings: list[tuple[list[str], list[list]]] | None = None) -> bytes:
    """Forms in their printed layout, a sheet each (numbers typed), then a findings sheet.

    `findings`: (heading row, rows) pairs, one per table of findings, written one after another on the
    findings sheet; text is written as text, never as a formula.
    """
    book = Workbook()
    book.remove(book.active)
    for position, record in enumerate(records, 1):
        name = untrusted.visible_text(record.get("project_name") or "")
        title = f"{position} {name}".translate(_SHEET_TITLE_FORBIDDEN)[:31].strip()
        write_form(book.create_sheet(title=title), record, title_year=True, typed=True)
    if findings is not None:
        sheet = book.create_sheet(title=texts.FORM_SHEET_CHECKS)
        for heading, rows in findings:
            sheet.append([untrusted.spreadsheet_value(text) for text in heading])
            for row in rows:
                sheet.append([untrusted.spreadsheet_value(value) for value in row])
            sheet.append([])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        for column, width in enumerate((24, 10, 26, 24, 60), 1):
            sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
