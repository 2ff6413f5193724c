"""自评表 of other layouts (docs: layouts.md B, C, the Chongqing variant) and long 决算公开 reports, as units make them.

A form is built once as a `Table` (cells with row and column spans on a grid, as typed into Excel or Word) and
written by several producers:

- `write_xlsx`: an openpyxl workbook, one sheet per document part list, merged cells;
- `write_docx`: a python-docx document, lines as paragraphs, tables with merged cells (Word's own layout);
- `print_chromium`: an HTML page printed by headless Chromium (A4, cells top-aligned as Word prints them,
  page numbers "— N —" in the footer), the producer of the long report whose rows break across pages;
- `write_reportlab`: tests/pdf_factory's ruled grid with this table's own column widths;
- `print_libreoffice`: the .docx or .xlsx printed to PDF by LibreOffice (a Word report as units print it).

A document is a list of parts: a `str` is a line outside any table (title, "（2022年度）", 填报人 line,
narrative), a `Table` a ruled table.
"""

from __future__ import annotations

import html
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tests import pdf_factory, tools

CHROMIUM = tools.CHROMIUM
_THIN = Side(style="thin", color="000000")
RULED = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAPPED = Alignment(wrap_text=True, vertical="center", horizontal="center")
SMALL = Font(name="Noto Sans CJK SC", size=9)


@dataclass
class Cell:
    row: int
    col: int
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    """A ruled table: cells placed row by row on a grid of `widths` (points)."""

    widths: tuple[float, ...]
    cells: list[Cell] = field(default_factory=list)
    rows: int = 0

    def add(self, col: int, text: str, colspan: int = 1, rowspan: int = 1) -> Table:
        self.cells.append(Cell(self.rows, col, text, colspan, rowspan))
        return self

    def end(self) -> Table:
        self.rows += 1
        return self

    def row(self, *texts: str | tuple[str, int]) -> Table:
        """A row of cells left to right from the first free column; (text, colspan) spans columns."""
        covered = self.covered()
        col = 0
        for item in texts:
            while (self.rows, col) in covered:
                col += 1
            text, span = item if isinstance(item, tuple) else (item, 1)
            self.add(col, text, span)
            col += span
        return self.end()

    def covered(self) -> set[tuple[int, int]]:
        return {
            (cell.row + r, cell.col + c)
            for cell in self.cells
            for r in range(cell.rowspan)
            for c in range(cell.colspan)
        }

    def grid(self) -> list[list[str | None]]:
        """The rows as the readers' grid: text where a cell starts, None where a merge covers, "" for none."""
        out: list[list[str | None]] = [[""] * len(self.widths) for _ in range(self.rows)]
        for cell in self.cells:
            for r in range(cell.rowspan):
                for c in range(cell.colspan):
                    out[cell.row + r][cell.col + c] = None
            out[cell.row][cell.col] = cell.text
        return out


Part = str | Table


def from_worksheet(sheet: Worksheet, widths: tuple[float, ...], skip_rows: int = 0) -> Table:
    """A worksheet's cells and merges (dashboard/form_sheet's national layout) as a Table."""
    spans = {(m.min_row, m.min_col): (m.max_row - m.min_row + 1, m.max_col - m.min_col + 1) for m in sheet.merged_cells}
    covered = {position for merged in sheet.merged_cells for position in merged.cells}
    table = Table(widths)
    for row in sheet.iter_rows(min_row=1 + skip_rows):
        for cell in row:
            key = (cell.row, cell.column)
            if key in covered and key not in spans:
                continue
            rowspan, colspan = spans.get(key, (1, 1))
            table.add(cell.column - 1, "" if cell.value is None else str(cell.value), colspan, rowspan)
        table.end()
    return table


# ---------------------------------------------------------------- producers


def write_xlsx(sheets: list[list[Part]], path: Path) -> Path:
    """One worksheet per part list; lines are merged across the table's width."""
    book = Workbook()
    book.remove(book.active)
    for number, parts in enumerate(sheets, 1):
        sheet = book.create_sheet(f"表{number}")
        at = 1
        width = max((len(part.widths) for part in parts if isinstance(part, Table)), default=10)
        for part in parts:
            if isinstance(part, str):
                sheet.cell(row=at, column=1, value=part)
                sheet.merge_cells(start_row=at, start_column=1, end_row=at, end_column=width)
                at += 1
                continue
            for cell in part.cells:
                sheet.cell(row=at + cell.row, column=cell.col + 1, value=cell.text)
                for r in range(cell.rowspan):  # ruled, as a form is printed
                    for c in range(cell.colspan):
                        sheet.cell(row=at + cell.row + r, column=cell.col + c + 1).border = RULED
                sheet.cell(row=at + cell.row, column=cell.col + 1).alignment = WRAPPED
                sheet.cell(row=at + cell.row, column=cell.col + 1).font = SMALL
                if cell.rowspan > 1 or cell.colspan > 1:
                    sheet.merge_cells(
                        start_row=at + cell.row,
                        start_column=cell.col + 1,
                        end_row=at + cell.row + cell.rowspan - 1,
                        end_column=cell.col + cell.colspan,
                    )
            for row, height in enumerate(row_heights(part)):
                sheet.row_dimensions[at + row].height = height
            at += part.rows + 1
        for index, width in enumerate(max((p.widths for p in parts if isinstance(p, Table)), key=len), 1):
            sheet.column_dimensions[get_column_letter(index)].width = width / 5.25  # points → characters
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    book.save(path)
    return path


def row_heights(table: Table, size: float = 9.0) -> list[float]:
    """Row heights (points) that fit each one-row cell's wrapped text at `size` (CJK glyphs ~ one em wide)."""
    heights = [size + 6] * table.rows
    for cell in table.cells:
        if cell.rowspan == 1:
            per_line = max(1, int(sum(table.widths[cell.col : cell.col + cell.colspan]) / size) - 1)
            lines = sum(max(1, -(-len(part) // per_line)) for part in cell.text.split("\n"))
            heights[cell.row] = max(heights[cell.row], lines * (size + 3) + 6)
    return heights


def write_docx(parts: list[Part], path: Path, page_breaks_before: set[int] = frozenset()) -> Path:
    """A Word document: lines as paragraphs, tables with merged cells, "— N —" page numbers in the footer
    (a PAGE field); `page_breaks_before` start a new page before those parts."""
    document = docx.Document()
    add_page_number_footer(document)
    for index, part in enumerate(parts):
        if index in page_breaks_before and index:
            document.add_page_break()
        if isinstance(part, str):
            document.add_paragraph(part)
            continue
        table = document.add_table(rows=part.rows, cols=len(part.widths))
        table.style = "Table Grid"
        for cell in part.cells:
            target = table.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            target.text = cell.text
            target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
            for paragraph in target.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)
    document.save(path)
    return path


def add_page_number_footer(document) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def print_libreoffice(document: Path) -> Path:
    """The .docx or .xlsx printed to PDF by LibreOffice beside it (soffice; tests calling it are marked
    `libreoffice`; .ci/run installs it)."""
    return save_libreoffice(document, "pdf")


def save_libreoffice(document: Path, target: str) -> Path:
    """The document saved by LibreOffice beside it as `target` ("pdf", "xls", "doc" …)."""
    soffice = tools.soffice()
    assert soffice, "LibreOffice (soffice) is needed: mark the test `libreoffice` (.ci/run installs it)"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", target,
             "--outdir", str(document.parent), str(document)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return document.with_suffix(f".{target}")


def write_reportlab(parts: list[Part], path: Path) -> Path:
    """Tables drawn by tests/pdf_factory (ruled lines, merged cells cut at page breaks), lines centred."""
    writer = pdf_factory.PdfWriter(path)
    spec = pdf_factory.FormSpec()
    for part in parts:
        if isinstance(part, str):
            writer.text_line(part, size=10.0)
            continue
        sheet = pdf_factory.Sheet(spec, rows=part.rows)
        sheet.cells = [
            pdf_factory.SheetCell(c.row, c.col, c.text, c.rowspan, c.colspan, widths=part.widths) for c in part.cells
        ]
        writer.sheet(sheet)
    writer.close()
    return path


def html_page(parts: list[Part], page_breaks_before: set[int] = frozenset()) -> str:
    body = []
    for index, part in enumerate(parts):
        style = ' style="break-before: page"' if index in page_breaks_before else ""
        if isinstance(part, str):
            body.append(f"<p{style}>{html.escape(part)}</p>")
            continue
        rows: list[list[str]] = [[] for _ in range(part.rows)]
        for cell in sorted(part.cells, key=lambda c: (c.row, c.col)):
            spans = f' colspan="{cell.colspan}" rowspan="{cell.rowspan}"'
            text = html.escape(cell.text).replace("\n", "<br>")
            rows[cell.row].append(f"<td{spans}>{text}</td>")
        cols = "".join(f'<col style="width:{width}pt">' for width in part.widths)
        trs = "".join(f"<tr>{''.join(row)}</tr>" for row in rows)
        body.append(f"<table{style}><colgroup>{cols}</colgroup>{trs}</table>")
    css = (
        "body{font-family:'Noto Sans CJK SC';font-size:9pt} p{margin:4pt 0;text-align:center}"
        "table{border-collapse:collapse;table-layout:fixed;margin:6pt auto}"
        "td{border:0.6pt solid #000;padding:2pt;vertical-align:top;text-align:center}"
    )
    head = f"<head><meta charset='utf-8'><style>{css}</style></head>"
    return f"<!doctype html><html>{head}<body>{''.join(body)}</body></html>"


def print_chromium(parts: list[Part], path: Path, page_breaks_before: set[int] = frozenset()) -> Path:
    """The page printed by headless Chromium on A4 with "— N —" page numbers in the footer."""
    from playwright.sync_api import sync_playwright

    footer = '<div style="font-size:9px;width:100%;text-align:center">— <span class="pageNumber"></span> —</div>'
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page()
            page.set_content(html_page(parts, page_breaks_before))
            page.pdf(
                path=str(path),
                format="A4",
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=footer,
                margin={"top": "40px", "bottom": "60px", "left": "30px", "right": "30px"},
            )
        finally:
            browser.close()
    return path
