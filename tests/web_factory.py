"""Web pages holding 自评表, written here by hand the way finance bureaus' websites publish them.

The forms come from form records (the hand-written truth, tests/fixtures/seed_forms.json) laid out as the
national form (dashboard/outputs/form_sheet.py's cells and merges, as tests/layout_factory.Table); this module
writes the HTML itself, in two styles sites use:

- `cms`: an old government CMS page: GB2312 declared by <meta http-equiv>, upper-case tags, attributes
  unquoted, end tags of cells and rows left out (HTML allows it), the whole page inside a layout table with
  a navigation bar, a banner table and a footer table, the title in a <p><b> with &nbsp; padding, header
  cells as <th>, a cell's lines as <p> paragraphs and <br>;
- `modern`: <meta charset>, <nav> and <footer> elements, the title as the table's <caption>, thead/tbody,
  a script writing text into the page (never run, never read).

A page holds one form or many (each with its own title); `mhtml` wraps a page as a browser saves it in one file.
"""

from __future__ import annotations

import base64
import html
import quopri
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart

from dashboard.outputs import form_sheet
from tests.layout_factory import Table, from_worksheet

WIDTHS = tuple(width * 6.0 for width in form_sheet.COLUMN_WIDTHS)
NAV = "<TABLE width=100% class=nav><TR><TD><A href=/>首页</A><TD><A href=/zwgk/>政务公开</A><TD>财政资金</TABLE>"
BANNER = (
    '<TABLE width=100%><TR><TD><IMG src="/images/logo.gif" alt="某某县财政局"><TD>当前位置：首页 &gt; 绩效管理</TABLE>'
)
HEADINGS = {"年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "一级指标", "二级指标", "三级指标"}
FOOTER = (
    "<TABLE width=100% class=footer><TR><TD>主办：某某县财政局&nbsp;&nbsp;地址：某某县人民路1号"
    "<TR><TD>网站标识码：5100000001&nbsp;&nbsp;技术支持：某某网络公司</TABLE>"
)


def form_tables(records: list[dict]) -> list[tuple[str, Table]]:
    """(title, table) per record: the title line as printed above the form, the form's cells and merges."""
    book = form_sheet.build_workbook(records, title_year=True)
    return [
        (f"{record['year']}年度项目支出绩效自评表", from_worksheet(sheet, WIDTHS, skip_rows=1))
        for record, sheet in zip(records, book.worksheets, strict=True)
    ]


def _cell_html(text: str) -> str:
    """A cell's text: lines as paragraphs (a cell typed with Enter in the CMS editor), or &nbsp; when empty."""
    if not text:
        return "&nbsp;"
    lines = [html.escape(line) for line in text.split("\n")]
    return lines[0] if len(lines) == 1 else "".join(f"<P>{line}</P>" for line in lines)


def _rows(table: Table, header_cells: bool, closed: bool) -> list[str]:
    rows: list[list[str]] = [[] for _ in range(table.rows)]
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        spans = (f" colspan={cell.colspan}" if cell.colspan > 1 else "") + (
            f" rowspan={cell.rowspan}" if cell.rowspan > 1 else ""
        )
        tag = "TH" if header_cells and cell.text in HEADINGS else "TD"
        end = f"</{tag}>" if closed else ""
        rows[cell.row].append(f"<{tag}{spans} align=center>{_cell_html(cell.text)}{end}")
    return [f"<TR>{''.join(row)}{'</TR>' if closed else ''}" for row in rows]


def cms_form(title: str, table: Table) -> str:
    return (
        f"<P align=center><B>&nbsp;{html.escape(title)}&nbsp;</B></P>\n<P align=right>填报日期：2022年3月1日</P>\n"
        f"<TABLE border=1 cellspacing=0 cellpadding=2 width=100%>\n"
        + "\n".join(_rows(table, True, False))
        + "\n</TABLE>"
    )


def modern_form(title: str, table: Table) -> str:
    rows = _rows(table, False, True)
    return (
        f'<table class="zpb"><caption>{html.escape(title)}</caption><thead>{rows[0]}</thead>'
        f"<tbody>{''.join(rows[1:])}</tbody></table><p>填报人：张三　联系电话：0838-1234567</p>"
    )


def cms_page(records: list[dict], charset: str = "gb2312") -> str:
    forms = "\n<P>&nbsp;</P>\n".join(cms_form(title, table) for title, table in form_tables(records))
    return (
        f'<HTML><HEAD><META http-equiv="Content-Type" content="text/html; charset={charset}">'
        "<TITLE>项目支出绩效自评表公开</TITLE><SCRIPT>var 项目名称 = '不是表格';</SCRIPT></HEAD>\n"
        f"<BODY>{BANNER}\n{NAV}\n<TABLE width=980 align=center><TR><TD width=200>{NAV}<TD>\n{forms}\n</TABLE>\n"
        f"{FOOTER}</BODY></HTML>"
    )


def modern_page(records: list[dict], charset: str = "utf-8") -> str:
    forms = "".join(modern_form(title, table) for title, table in form_tables(records))
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="{charset}"><title>绩效自评</title>'
        '<link rel="stylesheet" href="http://127.0.0.1:9/style.css"></head><body>'
        '<nav><ul><li><a href="/">首页</a></li><li>政务公开</li></ul></nav>'
        "<script>document.write('<table><tr><td>项目名称</td><td>脚本写的</td></tr></table>')</script>"
        f"<main><h1>2021年度项目支出绩效自评结果</h1>{forms}</main>"
        "<footer><p>主办单位：某某县财政局</p></footer></body></html>"
    )


PAGES = {"cms": cms_page, "modern": modern_page}


def mhtml(page: bytes, charset: str, encoding: str = "quoted-printable") -> bytes:
    """The page saved as one file (.mhtml) by a browser: multipart/related, the page first, then an image."""
    message = MIMEMultipart("related", type="text/html")
    message["Subject"] = "项目支出绩效自评表"
    message["Snapshot-Content-Location"] = "http://czj.example.gov.cn/zwgk/202203/t20220301_1.html"
    part = MIMENonMultipart("text", "html", charset=charset)
    encoded = quopri.encodestring(page) if encoding == "quoted-printable" else base64.encodebytes(page)
    part.set_payload(encoded.decode("ascii"))
    part["Content-Transfer-Encoding"] = encoding
    part["Content-Location"] = "http://czj.example.gov.cn/zwgk/202203/t20220301_1.html"
    message.attach(part)
    image = MIMEImage(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "gif")
    image["Content-Location"] = "http://czj.example.gov.cn/images/logo.gif"
    message.attach(image)
    return message.as_bytes()


# --- XML Spreadsheet 2003 (what report systems save as ".xls") -------------------------------------------------

_SS = "urn:schemas-microsoft-com:office:spreadsheet"


def xml_spreadsheet(records: list[dict]) -> bytes:
    """The forms as an Excel 2003 XML workbook, a worksheet per form: numbers typed (percents with a Percent
    style), merged cells as MergeAcross/MergeDown, the cells a merge covers left out and the next one's
    ss:Index given, as Excel writes them."""
    sheets = []
    for number, (title, table) in enumerate(form_tables(records), start=1):
        starts = {(cell.row, cell.col): cell for cell in table.cells}
        rows = [
            f'<Row><Cell ss:MergeAcross="{len(table.widths) - 1}"><Data ss:Type="String">{title}</Data></Cell></Row>'
        ]
        for r in range(table.rows):
            cells, expected = [], 0
            for c in range(len(table.widths)):
                cell = starts.get((r, c))
                if cell is None:
                    continue
                index = f' ss:Index="{c + 1}"' if c != expected else ""
                merge = (f' ss:MergeAcross="{cell.colspan - 1}"' if cell.colspan > 1 else "") + (
                    f' ss:MergeDown="{cell.rowspan - 1}"' if cell.rowspan > 1 else ""
                )
                cells.append(f"<Cell{index}{merge}{_xml_data(cell.text)}</Cell>")
                expected = c + cell.colspan
            rows.append(f"<Row>{''.join(cells)}</Row>")
        sheets.append(f'<Worksheet ss:Name="表{number}"><Table>{"".join(rows)}</Table></Worksheet>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        f'<Workbook xmlns="{_SS}" xmlns:ss="{_SS}" xmlns:o="urn:schemas-microsoft-com:office:office">'
        '<Styles><Style ss:ID="Default"/><Style ss:ID="pct"><NumberFormat ss:Format="Percent"/></Style></Styles>'
        f"{''.join(sheets)}</Workbook>"
    ).encode()


def _xml_data(text: str) -> str:
    """' ss:StyleID=…><Data …>…</Data>' for a cell's text: numbers as numbers, "96.37%" as 0.9637 in Percent."""
    plain = text.replace(",", "")
    if plain and plain.rstrip("%").replace(".", "", 1).lstrip("-").isdigit() and not plain.startswith("0" * 2):
        if plain.endswith("%"):
            value = repr(float(plain[:-1]) / 100)
            return f' ss:StyleID="pct"><Data ss:Type="Number">{value}</Data>'
        if not (plain.startswith("0") and len(plain) > 1 and plain[1] != "."):  # codes such as 0402009 stay text
            return f'><Data ss:Type="Number">{plain}</Data>'
    escaped = html.escape(text, quote=False).replace("\n", "&#10;")
    return f'><Data ss:Type="String">{escaped}</Data>'
