"""Excel and Word files made from form records (form-json.md), the way units make them.

- `xlsx_workbook`: the national layout (dashboard/outputs/form_sheet.py: merged cells, a form per sheet), with
  text cells as typed by hand, or with numbers as numbers and 执行率 as percent-formatted fractions, or
  with every form stacked down one sheet.
- `docx_document`: a Word layout of its own (a title paragraph, a 9-column table with vertically merged
  side labels, a 填报人 line after it), not shared with any other fixture.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.shared import Pt
from openpyxl import Workbook

from dashboard.outputs import form_sheet as layout

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")


def xlsx_workbook(records: list[dict], path: Path, numbers: bool = False, one_sheet: bool = False) -> Path:
    book = layout.build_workbook(records, title_year=True)
    if numbers:
        for sheet in book.worksheets:
            _type_numbers(sheet)
    if one_sheet:
        book = _stacked(book)
    book.save(path)
    return path


def _type_numbers(sheet) -> None:
    """Cells that hold a plain number or a percent become numeric cells, as a unit's own workbook has them."""
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str):
                continue
            if _NUMBER.match(cell.value) and not re.match(r"^0\d", cell.value):  # codes such as 0402009 stay text
                cell.value = float(cell.value) if "." in cell.value else int(cell.value)
                cell.number_format = "General"
            elif _PERCENT.match(cell.value):
                cell.value = float(cell.value[:-1]) / 100
                cell.number_format = "0.00%"


def _stacked(book: Workbook) -> Workbook:
    """Every sheet's cells and merges copied down one sheet, one blank row between forms."""
    stacked = Workbook()
    target = stacked.active
    offset = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    copy = target.cell(row=cell.row + offset, column=cell.column, value=cell.value)
                    copy.number_format = cell.number_format
        for merged in sheet.merged_cells.ranges:
            target.merge_cells(
                start_row=merged.min_row + offset,
                start_column=merged.min_col,
                end_row=merged.max_row + offset,
                end_column=merged.max_col,
            )
        offset += sheet.max_row + 1
    return stacked


# --- Word ----------------------------------------------------------------------------------------------------

_COLUMNS = 9


def docx_document(records: list[dict], path: Path) -> Path:
    document = docx.Document()
    for number, record in enumerate(records):
        if number:
            document.add_page_break()
        title = document.add_paragraph(
            f"{record['year']}年度项目支出绩效自评表" if record.get("year") else "项目支出绩效自评表"
        )
        title.runs[0].font.size = Pt(16)
        _form_table(document, record)
        document.add_paragraph("填报人：张三    联系电话：0755-12345678    填报日期：2022年3月1日")
    document.save(path)
    return path


def _form_table(document, record: dict) -> None:
    funds, indicators = record["funds"], record["indicators"]
    unit = funds.get("unit_printed") or "元"
    rows: list[list[str]] = []
    merges: list[tuple[int, int, int, int]] = []  # (row, column, last row, last column)

    def add(cells: list[tuple[str, int]]) -> None:
        """One row: (text, columns spanned) pairs filling all the columns."""
        row, column = [], 0
        for text, span in cells:
            row.append(text)
            row.extend([""] * (span - 1))
            if span > 1:
                merges.append((len(rows), column, len(rows), column + span - 1))
            column += span
        rows.append(row)

    add([("项目名称", 2), (record["project_name"], 3), ("项目金额", 1), (_plain(record.get("project_amount")), 3)])
    add([("主管部门", 2), (record.get("department") or "", 3), ("实施单位", 1), (record.get("unit") or "", 3)])
    first = len(rows)
    add([(f"项目资金（{unit}）", 1), ("", 2), ("年初预算数", 1), ("全年预算数", 1), ("全年执行数", 1), ("分值", 1),
         ("执行率", 1), ("得分", 1)])  # fmt: skip
    for key, label in layout.FUND_LABELS.items():
        row = funds[key]
        add([("", 1), (label, 2), (layout.money(row.get("initial_budget"), unit), 1),
             (layout.money(row.get("annual_budget"), unit), 1), (layout.money(row.get("executed"), unit), 1),
             (layout.plain(row.get("weight")), 1), (layout.percent(row.get("rate_pct")), 1),
             (layout.plain(row.get("score")), 1)])  # fmt: skip
    merges.append((first, 0, len(rows) - 1, 0))
    first = len(rows)
    add([("年度总体目标", 1), ("预期目标", 4), ("实际完成情况", 4)])
    add([("", 1), (record.get("goal_expected") or "", 4), (record.get("goal_actual") or "", 4)])
    merges.append((first, 0, len(rows) - 1, 0))
    first = len(rows)
    add([("年度绩效指标", 1), ("一级指标", 1), ("二级指标", 1), ("三级指标", 1), ("年度指标值", 1), ("实际完成值", 1),
         ("分值", 1), ("得分", 1), ("偏差原因分析及改进措施", 1)])  # fmt: skip
    for indicator in indicators:
        add([("", 1), (indicator["level1"], 1), (indicator["level2"], 1), (indicator["name"], 1),
             (indicator["target"], 1), (indicator["actual"], 1), (layout.plain(indicator.get("weight")), 1),
             (layout.plain(indicator.get("score")), 1), (indicator.get("reason") or "", 1)])  # fmt: skip
    merges.append((first, 0, len(rows) - 1, 0))
    add([("总分", 6), (layout.plain(record.get("total_weight")), 1), (layout.plain(record.get("total_score")), 1),
         ("—", 1)])  # fmt: skip

    table = document.add_table(rows=len(rows), cols=_COLUMNS)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    for r1, c1, r2, c2 in merges:
        origin = table.cell(r1, c1)
        text = origin.text
        merged = origin.merge(table.cell(r2, c2))
        merged.text = text  # merge joins the texts of the cells it takes in; keep the origin's


def _plain(value) -> str:
    return "" if value is None else layout.plain(value)
