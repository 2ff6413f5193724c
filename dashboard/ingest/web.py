"""Web pages (.html, .htm, .mhtml) → the grid of cells that `grid.forms_from_grid` reads.

Finance bureaus publish 自评表 as HTML tables on their websites, often in GBK, and report systems save their
"Excel" exports as HTML. This reader only turns a page into rows of cells, in the order the page shows them,
and leaves every label and field to the grid reader, as the Word reader does:

- text outside tables (a title, "（2022年度）", "单位：万元", a 填报人 line) as one-cell rows, a line per block
  (<p>, <div>, <br> …); a table's <caption> as such a row above it;
- a table row by row, its cells placed as a browser places them (rowspan and colspan resolved: the cell's text
  where it starts, None where a span covers; rowspan="0" to the end of its row group; thead first, tfoot last);
- a table that holds other tables lays out the page (the old way of making a website): its cells are read as
  blocks of the page, and the tables inside them as tables.

Navigation, banners and footers are tables and lines like any other: the grid reader starts a form only at a
form's title or name row, so they are never a form. Scripts, styles, forms' controls and hidden elements are
not page text. The page is data: it is parsed by libxml2's HTML parser (lxml.html) with network access off,
no DTD loaded and no entity resolved; nothing it links to is fetched and no script runs.

Encoding: a byte-order mark, else the charset the container declares (an .mhtml part's header), else the
page's own <meta charset> or <meta http-equiv="Content-Type">, else by content: UTF-8 when the bytes are valid
UTF-8, otherwise GB18030 (a superset of GBK and GB2312). A declared charset the bytes do not decode with, or a
Western single-byte one (a Chinese form is never written in it: such a label is a server's default), gives
way to the content.
"""

from __future__ import annotations

import codecs
import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

from dashboard.core import texts
from dashboard.core.model import Form, FormReadError
from dashboard.ingest.grid import Cell, forms_from_grid

# The most cells (positions a span covers included) one table may have: a real 自评表 has a few hundred;
# a page of tens of thousands of colspan="1000" cells would otherwise fill the worker's memory before any check.
MAX_TABLE_CELLS = 2_000_000
MAX_COLSPAN = 1000  # the HTML standard's limits
MAX_ROWSPAN = 65534
# Where a page's <meta charset> is looked for (the standard says 1024 bytes; Chinese CMSs put it further down).
META_PRESCAN_BYTES = 8192

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# The labels pages use for the GB family (WHATWG maps them all to GBK; GB18030 decodes every GBK byte sequence).
_GB_LABELS = {
    "gb2312",
    "gbk",
    "x-gbk",
    "gb18030",
    "gb_2312",
    "gb_2312-80",
    "chinese",
    "csgb2312",
    "csiso58gb231280",
    "iso-ir-58",
    "cp936",
    "windows-936",
    "ms936",
}
# Western single-byte charsets: a server's default label, never what a Chinese form is written in.
_WESTERN = {"iso8859-1", "cp1252", "ascii", "iso8859-15", "latin-1"}

_NOT_TEXT = {  # elements whose content is no page text a person reads
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "title",
    "select",
    "option",
    "button",
    "input",
    "textarea",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "nav",
}
_BLOCKS = {  # elements that start a new line
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "center",
    "address",
    "hr",
    "form",
    "fieldset",
    "figure",
    "figcaption",
    "caption",
    "tr",
    "td",
    "th",
    "table",
    "body",
    "html",
}
_WHITESPACE = " \t\n\r\f"


# ---------------------------------------------------------------- reading a file


def read_html(path: Path, source_file: str) -> list[Form]:
    """Every form on an HTML page (.html, .htm, or an HTML export named .xls/.doc)."""
    return forms_of_page(path.read_bytes(), None, source_file)


def read_mhtml(path: Path, source_file: str) -> list[Form]:
    """Every form on a page saved as one file (.mhtml/.mht: MIME multipart, the page as its HTML part)."""
    payload, charset = mhtml_page(path.read_bytes())
    return forms_of_page(payload, charset, source_file)


def forms_of_page(data: bytes, declared: str | None, source_file: str) -> list[Form]:
    rows = page_rows(data, declared)
    forms = forms_from_grid(rows, None, source_file)
    if not forms:
        raise FormReadError(texts.REASON_NOT_A_FORM if _has_table(rows) else texts.REASON_WEB_NO_TABLE)
    return forms


def _has_table(rows: list[list[Cell]]) -> bool:
    return any(len(row) > 1 for row in rows)


def mhtml_page(data: bytes) -> tuple[bytes, str | None]:
    """The HTML part of an .mhtml file (its transfer encoding undone) and the charset its header declares.

    The page is the multipart's root: the part its "start" parameter names, else the first text/html part.
    """
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    start = message.get_param("start") if message.is_multipart() else None
    pages = [part for part in message.walk() if part.get_content_type() == "text/html"]
    if isinstance(start, str) and start:
        named = [part for part in pages if (part.get("Content-ID") or "").strip() == start.strip()]
        pages = named + [part for part in pages if part not in named]
    if not pages:
        raise FormReadError(texts.REASON_MHTML_NO_PAGE)
    page = pages[0]
    payload = page.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        raise FormReadError(texts.REASON_MHTML_NO_PAGE)
    return payload, page.get_content_charset()


# ---------------------------------------------------------------- encoding


def decode_page(data: bytes, declared: str | None = None) -> str:
    """The page's text: by its byte-order mark, the declared charset, its <meta>, or its content."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise FormReadError(texts.REASON_WEB_ENCODING) from error
    for label in (declared, meta_charset(data)):
        codec = codec_of(label)
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue  # a wrong label (a GBK page declared UTF-8): the content decides
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormReadError(texts.REASON_WEB_ENCODING)


def codec_of(label: str | None) -> str | None:
    """Python's codec for a charset label; None for no label, an unknown one or a Western single-byte one."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _GB_LABELS:
        return "gb18030"
    if name.startswith("utf-16") or name in ("utf8", "unicode-1-1-utf-8"):  # a page declaring UTF-16 is UTF-8
        return "utf-8"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return None if codec in _WESTERN else codec


def meta_charset(data: bytes) -> str | None:
    """The charset a page's <meta> declares in its first bytes: <meta charset> or http-equiv Content-Type.

    The prefix is parsed as Latin-1 (every byte a character; the markup is ASCII in every charset a page may use)
    by the same HTML parser, never searched as text.
    """
    prefix = data[:META_PRESCAN_BYTES].decode("latin-1")
    if not prefix.strip():
        return None
    try:
        root = lxml.html.document_fromstring(prefix.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError):
        return None
    for meta in root.iter("meta"):
        charset = meta.get("charset")
        if charset:
            return charset
        if (meta.get("http-equiv") or "").strip().lower() == "content-type":
            charset = _content_charset(meta.get("content") or "")
            if charset:
                return charset
    return None


def _content_charset(content: str) -> str | None:
    """The charset parameter of a Content-Type value ("text/html; charset=gb2312")."""
    for parameter in content.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip()
    return None


# ---------------------------------------------------------------- the page as rows


def _parser() -> lxml.html.HTMLParser:
    """libxml2's HTML parser as data: no network, no DTD, no entities beyond HTML's own, comments dropped."""
    return lxml.html.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        huge_tree=False,
        default_doctype=False,
    )


def page_rows(data: bytes, declared: str | None = None) -> list[list[Cell]]:
    """The page as grid rows: lines outside tables as one-cell rows, tables row by row, in page order."""
    text = decode_page(data, declared)
    if not text.strip():
        raise FormReadError(texts.REASON_EMPTY)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as error:  # "Document is empty" …
        raise FormReadError(texts.REASON_WEB_UNREADABLE) from error
    body = root.find("body")
    return list(_block_rows(body if body is not None else root))


@dataclass
class _Line:
    """Text gathered for the line being read, shown as a browser shows it: runs of HTML whitespace (space, tab,
    line feed …; not the ideographic space) as one space, &nbsp; kept as a space, no space at either end."""

    parts: list[str]

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts).translate(_TO_SPACE)
        self.parts.clear()
        return " ".join(word for word in text.split(" ") if word).replace("\xa0", " ").strip(" ")


_TO_SPACE = str.maketrans({char: " " for char in _WHITESPACE})


def _block_rows(container) -> Iterator[list[Cell]]:
    """The rows of a block of the page: its lines and tables in order."""
    line = _Line([])
    for kind, item in _flow_with_text(container):
        if kind == "text":
            line.add(str(item))
            continue
        if text := line.take():
            yield [text]
        if kind == "table":
            yield from _table_or_layout(item)
    if text := line.take():
        yield [text]


def _flow(element) -> Iterator[tuple[str, object]]:
    """("text", str), ("break", None) and ("table", element) in page order, for `_block_rows`."""
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        tag = tag.lower()
        if tag and tag not in _NOT_TEXT and not _hidden(child):
            if tag == "table":
                yield "table", child
            else:
                block = tag in _BLOCKS
                if block:
                    yield "break", None
                yield from _flow_with_text(child)
                if block:
                    yield "break", None
        if child.tail:
            yield "text", child.tail


def _flow_with_text(element) -> Iterator[tuple[str, object]]:
    if element.text:
        yield "text", element.text
    yield from _flow(element)


def _hidden(element) -> bool:
    """An element the browser does not show: the hidden attribute, or display:none in its style."""
    if element.get("hidden") is not None:
        return True
    style = "".join((element.get("style") or "").lower().split())
    return "display:none" in style


def _table_or_layout(table) -> Iterator[list[Cell]]:
    caption = next((child for child in table if isinstance(child.tag, str) and child.tag.lower() == "caption"), None)
    if caption is not None:
        yield from _block_rows(caption)
    if _holds_table(table):  # a layout table: its cells are blocks of the page
        for row in _table_rows(table):
            for cell in row:
                yield from _block_rows(cell)
        return
    yield from table_grid(table)


def _holds_table(table) -> bool:
    return any(
        isinstance(node.tag, str) and node.tag.lower() == "table"
        for node in table.iterdescendants()
        if node is not table
    )


def _row_groups(table) -> list[list]:
    """The table's rows by row group, in the order they are shown: thead, the bodies and bare rows, tfoot."""
    head: list[list] = []
    bodies: list[list] = []
    foot: list[list] = []
    bare: list = []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            bare.append(child)
            continue
        if bare:
            bodies.append(bare)
            bare = []
        rows = [tr for tr in child if isinstance(tr.tag, str) and tr.tag.lower() == "tr"]
        if tag == "thead":
            head.append(rows)
        elif tag == "tbody":
            bodies.append(rows)
        elif tag == "tfoot":
            foot.append(rows)
    if bare:
        bodies.append(bare)
    return head[:1] + bodies + foot[:1] + head[1:] + foot[1:]


def _table_rows(table) -> Iterator[list]:
    """The cell elements of each row, in order (spans not resolved)."""
    for group in _row_groups(table):
        for tr in group:
            yield [cell for cell in tr if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")]


def table_grid(table) -> list[list[Cell]]:
    """A table's rows as the grid: a cell's text where it starts, None where its rowspan or colspan covers."""
    out: list[list[Cell]] = []
    used = 0
    for group in _row_groups(table):
        placed: dict[tuple[int, int], Cell] = {}
        width = 0
        for r, tr in enumerate(group):
            col = 0
            for cell in (c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")):
                while (r, col) in placed:
                    col += 1
                colspan = _span(cell.get("colspan"), 1, MAX_COLSPAN)
                rowspan = _span(cell.get("rowspan"), 0, MAX_ROWSPAN)
                rowspan = len(group) - r if rowspan == 0 else min(rowspan, len(group) - r)
                used += colspan * rowspan
                if used > MAX_TABLE_CELLS:
                    raise FormReadError(texts.REASON_WEB_TABLE_TOO_LARGE.format(limit=MAX_TABLE_CELLS))
                for dr in range(rowspan):
                    for dc in range(colspan):
                        placed.setdefault((r + dr, col + dc), None)
                placed[(r, col)] = cell_text(cell)
                col += colspan
                width = max(width, col)
        for r in range(len(group)):
            row: list[Cell] = [placed.get((r, c), "") for c in range(width)]
            while row and row[-1] == "" and (r, len(row) - 1) not in placed:
                row.pop()  # no cell there: a row shorter than the others
            out.append(row)
    return out


def _span(value: str | None, zero: int, largest: int) -> int:
    """A rowspan/colspan as a browser reads it: its leading digits, 1 when there are none, `zero` for 0 (a
    rowspan of 0 runs to the end of its row group; a colspan of 0 is 1), at most `largest`."""
    digits = ""
    for char in (value or "").strip():
        if not ("0" <= char <= "9"):
            break
        digits += char
    if not digits:
        return 1
    number = int(digits[:6])
    return zero if number == 0 else min(number, largest)


def cell_text(cell) -> str:
    """A cell's text as shown: whitespace collapsed, one line per block or <br>."""
    rows = list(_block_rows(cell))
    return "\n".join(row[0] or "" for row in rows if row)
