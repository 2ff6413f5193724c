"""Test PDFs drawn with reportlab: ruled 自评表 grids with real lines, merged cells as spans.

A `FormSpec` says what a form prints (texts exactly as printed, wraps as "\\n"); `sheet_for`
lays it out on a 10-column grid like the sample forms; `write_pdf` paginates the grids on
A4 pages. A merged cell cut by a page break is drawn the way LibreOffice prints it: one
fragment per page, no border at the cut, its text in one fragment only.

Bad inputs (encrypted, truncated, image-only, plain text, missing character map) are made
by the functions at the end.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

FONT_SIZE = 7.0
LINE = 9.0  # points per text line
PAD = 3.0
MARGIN = 36.0
COLUMN_WIDTHS = (30, 38, 46, 110, 52, 52, 40, 34, 55, 55)  # points, columns A..J
STANDARD_FUND_LABELS = ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")


# ---------------------------------------------------------------- form content


@dataclass
class FormSpec:
    """Everything a form prints, as strings; None in a fund row prints "—"."""

    project_name: str = "购置费"
    project_amount: str = "118800"
    amount_label: str = "项目金额"  # "项目金额（万元）" where the form prints it in 万元
    department: str = "0402009"
    unit: str = ""
    title: str = "项目支出绩效自评表"
    title_in_table: bool = True
    fund_heading: str = "项目资金\n（元）"
    fund_labels: tuple[str, ...] = STANDARD_FUND_LABELS
    fund_rows: list[list[str]] = field(
        default_factory=lambda: [
            ["39600.00", "39600.00", "37592.00", "10", "94.93%", "9.49"],
            ["39600.00", "39600.00", "37592.00", "—", "94.93%", "—"],
            ["0.00", "0.00", "0.00", "—", "0.00%", "—"],
            ["0.00", "0.00", "0.00", "—", "0.00%", "—"],
        ]
    )
    goal_expected: str = "通过本项目的实施，保障本单位各项工作正常开展。"
    goal_actual: str = "已按计划完成各项工作。"
    # (一级 as printed, 二级, 三级, 指标值, 实际完成值, 分值, 得分, 偏差原因)
    indicators: list[tuple[str, str, str, str, str, str, str, str]] = field(default_factory=list)
    total: tuple[str, str] = ("100", "99.49")
    stars: bool = True  # "*实际完成值", "*分值" … as the samples print
    letter_spacing: float = 0.0  # extra points between the characters of labels
    fake_bold_labels: bool = False  # labels drawn twice, as some producers do


@dataclass
class SheetCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    label: bool = False  # drawn with the form's letter spacing / fake bold
    widths: tuple[float, ...] = COLUMN_WIDTHS  # the grid's column widths (other layouts have other grids)


@dataclass
class Sheet:
    """One form laid out: rows (heights computed at drawing time) and cells."""

    spec: FormSpec
    cells: list[SheetCell] = field(default_factory=list)
    rows: int = 0

    def add(self, col: int, text: str, colspan: int = 1, rowspan: int = 1, label: bool = False) -> None:
        self.cells.append(SheetCell(self.rows, col, text, rowspan, colspan, label))

    def next_row(self) -> None:
        self.rows += 1


def star(spec: FormSpec, text: str) -> str:
    return f"*{text}" if spec.stars else text


def sheet_for(spec: FormSpec) -> Sheet:
    sheet = Sheet(spec)
    if spec.title_in_table:
        sheet.add(0, spec.title, colspan=10, label=True)
        sheet.next_row()
    for left, left_value, right, right_value in (
        ("项目名称", spec.project_name, spec.amount_label, spec.project_amount),
        ("主管部门", spec.department, "实施单位", spec.unit),
    ):
        sheet.add(0, left, colspan=2, label=True)
        sheet.add(2, left_value, colspan=4)
        sheet.add(6, right, colspan=2, label=True)
        sheet.add(8, right_value, colspan=2)
        sheet.next_row()
    add_funds(sheet, spec)
    add_goals(sheet, spec)
    add_indicators(sheet, spec)
    return sheet


def add_funds(sheet: Sheet, spec: FormSpec) -> None:
    sheet.add(0, spec.fund_heading, colspan=2, rowspan=1 + len(spec.fund_rows), label=True)
    sheet.add(2, "", colspan=2)
    for col, heading in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), 4):
        sheet.add(col, heading, label=True)
    sheet.next_row()
    for label, values in zip(spec.fund_labels, spec.fund_rows, strict=True):
        sheet.add(2, label, colspan=2, label=True)
        for col, value in enumerate(values, 4):
            sheet.add(col, value)
        sheet.next_row()


def add_goals(sheet: Sheet, spec: FormSpec) -> None:
    sheet.add(0, "年度总体\n目标", colspan=2, rowspan=2, label=True)
    sheet.add(2, "预期目标", colspan=4, label=True)
    sheet.add(6, star(spec, "实际完成情况"), colspan=4, label=True)
    sheet.next_row()
    sheet.add(2, spec.goal_expected, colspan=4)
    sheet.add(6, spec.goal_actual, colspan=4)
    sheet.next_row()


def add_indicators(sheet: Sheet, spec: FormSpec) -> None:
    rows = spec.indicators
    sheet.add(0, "年度绩效\n指标", rowspan=len(rows) + 1, label=True)
    headings = ("一级指标", "二级指标", "三级指标", "年度指标值")
    headings += tuple(star(spec, text) for text in ("实际完成值", "分值", "得分"))
    for col, heading in enumerate(headings, 1):
        sheet.add(col, heading, label=True)
    sheet.add(8, "偏差原因分析及改进措施", colspan=2, label=True)
    sheet.next_row()
    spans1 = run_lengths([row[0] for row in rows])
    spans2 = run_lengths([(row[0], row[1]) for row in rows])
    for index, row in enumerate(rows):
        if index in spans1:
            sheet.add(1, row[0], rowspan=spans1[index])
        if index in spans2:
            sheet.add(2, row[1], rowspan=spans2[index])
        for col, text in enumerate(row[2:7], 3):
            sheet.add(col, text)
        sheet.add(8, row[7], colspan=2)
        sheet.next_row()
    sheet.add(0, "总分", colspan=6, label=True)
    sheet.add(6, spec.total[0])
    sheet.add(7, spec.total[1])
    sheet.add(8, "—", colspan=2)
    sheet.next_row()


def run_lengths(values: list) -> dict[int, int]:
    """{index where a run of equal values starts: run length}."""
    starts: dict[int, int] = {}
    first = 0
    for index in range(1, len(values) + 1):
        if index == len(values) or values[index] != values[first]:
            starts[first] = index - first
            first = index
    return starts


# ---------------------------------------------------------------- drawing


def wrap(text: str, width: float) -> list[str]:
    """Lines of `text` that fit `width` points (explicit "\\n" kept)."""
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for char in part:
            if line and pdfmetrics.stringWidth(line + char, FONT, FONT_SIZE) > width - 2 * PAD:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


def cell_width(cell: SheetCell) -> float:
    return sum(cell.widths[cell.col : cell.col + cell.colspan])


def row_heights(sheet: Sheet) -> list[float]:
    heights = [LINE + 2 * PAD] * sheet.rows
    for cell in sheet.cells:
        if cell.rowspan == 1:
            needed = len(wrap(cell.text, cell_width(cell))) * LINE + 2 * PAD
            heights[cell.row] = max(heights[cell.row], needed)
    return heights


@dataclass
class Placed:
    """Where each row of a sheet landed: page index and top y (reportlab coordinates)."""

    page: list[int]
    top: list[float]
    height: list[float]


class PdfWriter:
    """Paginates sheets on A4 pages, top to bottom."""

    def __init__(self, path: Path, page_height: float = A4[1], encrypt=None):
        self.page_size = (A4[0], page_height)
        self.canvas = canvas.Canvas(str(path), pagesize=self.page_size, encrypt=encrypt)
        self.page = 0
        self.y = page_height - MARGIN
        self.drawings: list[list] = [[]]  # per page: drawing calls, run at close()

    def new_page(self) -> None:
        self.page += 1
        self.y = self.page_size[1] - MARGIN

    def text_line(self, text: str, size: float = 12.0) -> None:
        """A line of plain text (not in a ruled cell), centred."""
        self.y -= size + 6
        self.defer(self.page, lambda y=self.y: self.centred_title(text, size, y))
        self.y -= 6

    def centred_title(self, text: str, size: float, y: float) -> None:
        self.canvas.setFont(FONT, size)
        self.canvas.drawCentredString(self.page_size[0] / 2, y, text)

    def sheet(self, sheet: Sheet) -> None:
        placed = self.place_rows(row_heights(sheet))
        for cell in sheet.cells:
            self.draw_cell(sheet.spec, cell, placed)
        self.y -= 12

    def place_rows(self, heights: list[float]) -> Placed:
        placed = Placed([], [], heights)
        for height in heights:
            if self.y - height < MARGIN:
                self.new_page()
            placed.page.append(self.page)
            placed.top.append(self.y)
            self.y -= height
        return placed

    def draw_cell(self, spec: FormSpec, cell: SheetCell, placed: Placed) -> None:
        rows = range(cell.row, cell.row + cell.rowspan)
        pages = sorted({placed.page[row] for row in rows})
        x0 = MARGIN + sum(cell.widths[: cell.col])
        x1 = x0 + cell_width(cell)
        text_page = max(pages, key=lambda page: sum(placed.height[r] for r in rows if placed.page[r] == page))
        for page in pages:
            on_page = [row for row in rows if placed.page[row] == page]
            top = placed.top[on_page[0]]
            bottom = placed.top[on_page[-1]] - placed.height[on_page[-1]]
            closed = (on_page[0] == cell.row, on_page[-1] == rows[-1])
            text = cell.text if page == text_page else ""
            self.defer(page, lambda t=top, b=bottom, c=closed, s=text: self.frame(spec, cell, x0, x1, t, b, c, s))

    def defer(self, page: int, draw) -> None:
        while len(self.drawings) <= page:
            self.drawings.append([])
        self.drawings[page].append(draw)

    def frame(self, spec, cell, x0, x1, top, bottom, closed, text) -> None:
        c = self.canvas
        c.setLineWidth(0.6)
        c.line(x0, top, x0, bottom)
        c.line(x1, top, x1, bottom)
        if closed[0]:
            c.line(x0, top, x1, top)
        if closed[1]:
            c.line(x0, bottom, x1, bottom)
        lines = wrap(text, x1 - x0)
        y = (top + bottom) / 2 + (len(lines) * LINE) / 2 - LINE + 2
        for line in lines:
            self.centred(spec, cell, line, (x0 + x1) / 2, y)
            y -= LINE

    def centred(self, spec: FormSpec, cell: SheetCell, line: str, x: float, y: float) -> None:
        plain_width = pdfmetrics.stringWidth(line, FONT, FONT_SIZE)
        gaps = max(len(line) - 1, 1)
        room = (cell_width(cell) - 2 * PAD - plain_width) / gaps  # spacing stays inside the cell
        spacing = max(0.0, min(spec.letter_spacing, room)) if cell.label else 0.0
        width = plain_width + spacing * (len(line) - 1)
        passes = (0.0, 0.3) if cell.label and spec.fake_bold_labels else (0.0,)
        for shift in passes:
            text = self.canvas.beginText(x - width / 2 + shift, y)
            text.setFont(FONT, FONT_SIZE)
            text.setCharSpace(spacing)
            text.textOut(line)
            self.canvas.drawText(text)

    def close(self) -> None:
        for drawings in self.drawings:
            for draw in drawings:
                draw()
            self.canvas.showPage()
        self.canvas.save()


def write_pdf(
    path: Path,
    specs: list[FormSpec],
    page_height: float = A4[1],
    new_page_per_form: bool = True,
    encrypt=None,
) -> Path:
    """The forms one after another; pages are cut where a row no longer fits."""
    writer = PdfWriter(path, page_height, encrypt)
    for number, spec in enumerate(specs):
        if number and new_page_per_form:
            writer.new_page()
        if not spec.title_in_table:
            writer.text_line(spec.title)
        writer.sheet(sheet_for(spec))
    writer.close()
    return path


# ---------------------------------------------------------------- bad inputs


def write_plain_text_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 12)
    c.drawString(72, 760, "关于召开年度工作会议的通知")
    c.drawString(72, 740, "各科室：定于下周一上午九时召开会议，请准时参加。")
    c.save()
    return path


def scanned_page_image() -> ImageReader:
    """A picture of a ruled table, as a scanner would give it."""
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for y in range(100, 700, 40):
        draw.line([(50, y), (550, y)], fill="black", width=2)
    for x in range(50, 600, 100):
        draw.line([(x, 100), (x, 660)], fill="black", width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def write_image_only_pdf(path: Path) -> Path:
    """A 'scan': one page holding only a picture of a ruled table."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(scanned_page_image(), 40, 80, width=515, height=690)
    c.save()
    return path


def write_form_then_scan_pdf(path: Path, spec: FormSpec) -> Path:
    """A form with text, followed by a scanned page (no text layer)."""
    writer = PdfWriter(path)
    writer.sheet(sheet_for(spec))
    writer.new_page()
    writer.defer(writer.page, lambda: writer.canvas.drawImage(scanned_page_image(), 40, 80, width=515, height=690))
    writer.close()
    return path


def write_encrypted_pdf(path: Path, spec: FormSpec) -> Path:
    from reportlab.lib.pdfencrypt import StandardEncryption

    return write_pdf(path, [spec], encrypt=StandardEncryption("user-secret", "owner-secret", strength=128))


def write_truncated_pdf(path: Path, whole: Path) -> Path:
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def write_no_cmap_pdf(path: Path) -> Path:
    """A PDF whose only font is an Identity-H CID font without ToUnicode: text reads as (cid:N)."""
    content = b"BT /F1 12 Tf 72 760 Td <0123045606780abc0def> Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(zlib.compress(content))
        + zlib.compress(content)
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NoMap /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoMap"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
        b" /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /NoMap /Flags 4 /FontBBox [0 0 1000 1000]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    return write_raw_pdf(path, objects)


def write_raw_pdf(path: Path, objects: list[bytes]) -> Path:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path
