"""Excel (.xlsx) and Word (.docx) files → the grid of cells that `grid.forms_from_grid` reads.

Units make their 自评表 in Excel and Word; these readers only turn a workbook's sheets or a document's
body into rows of cells (text; "" for an empty cell; None for a position covered by a merged cell) and
leave every label and field to the grid reader, as the PDF reader does.

- .xlsx (openpyxl): one grid per sheet (a form per sheet, or several down one sheet); values as the
  cells hold them, not as formatted — except that a percent-formatted number is a percent (0.9637 → "96.37%");
  formulas give their cached values. `source_pages` holds the sheet's number.
- .docx (lxml, streamed: one body element at a time): the body in order — paragraphs as one-cell rows
  (titles, "（2022年度）" lines), tables row by row with merged cells (gridSpan, vMerge) as None where
  covered. Headers and footers (page numbers) are not read.
"""

from __future__ import annotations

import datetime
import warnings
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from dashboard.core import texts
from dashboard.core.model import Form, FormReadError
from dashboard.ingest.grid import Cell, forms_from_grid

EXCEL, WORD = "Excel", "Word"


def damaged(kind: str, detail: str) -> FormReadError:
    return FormReadError(texts.REASON_OFFICE_DAMAGED.format(kind=kind), detail)


def check_package(path: Path, kind: str) -> None:
    """The file is a whole zip package: every part's data decompresses and matches its checksum.

    A workbook or document is read whole or not at all (like a PDF): openpyxl and python-docx would read
    what they can of a broken package, and say nothing or raise their own exceptions.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            bad_part = archive.testzip()
    except MemoryError:
        raise
    except Exception as error:  # BadZipFile, a truncated member (EOFError), a bad compression stream (zlib.error)
        raise damaged(kind, texts.OFFICE_NOT_A_PACKAGE) from error
    if bad_part is not None:
        raise damaged(kind, texts.OFFICE_PART_DAMAGED.format(part=bad_part))


def xlsx_grids(path: Path) -> list[list[list[Cell]]]:
    """Each sheet's rows of cells; FormReadError where the workbook is damaged or a sheet it lists is missing."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.reader.excel import ExcelReader

    check_package(path, EXCEL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's warnings on parts it skips: checked below instead
            reader = ExcelReader(path, read_only=False, data_only=True)
            reader.read()
            book = reader.wb
            declared = list(reader.parser.find_sheets())
            missing = [
                (number, sheet.name)
                for number, (sheet, rel) in enumerate(declared, start=1)
                if rel.target not in reader.valid_files
            ]
            if missing:
                number, name = missing[0]
                raise damaged(EXCEL, texts.OFFICE_SHEET_MISSING.format(number=number, name=name))
            try:
                return [
                    [
                        [
                            None if isinstance(cell, MergedCell) else xlsx_text(cell.value, cell.number_format)
                            for cell in row
                        ]
                        for row in sheet.iter_rows()
                    ]
                    for sheet in book.worksheets
                ]
            finally:
                book.close()
    except (FormReadError, MemoryError):
        raise
    except Exception as error:  # invalid XML in a part, a part of the wrong kind, a broken reference …
        raise damaged(EXCEL, texts.OFFICE_CONTENT_UNREADABLE) from error


def read_xlsx(path: Path, source_file: str) -> list[Form]:
    """Every form on every sheet of an .xlsx workbook, sheet by sheet."""
    forms: list[Form] = []
    for number, rows in enumerate(xlsx_grids(path), start=1):
        forms.extend(forms_from_grid(rows, [number] * len(rows), source_file))
    if not forms:
        raise FormReadError(texts.REASON_NOT_A_FORM)
    return forms


def xlsx_text(value, number_format: str | None) -> str:
    """A cell's value as the grid reads it: numbers in plain decimal notation, percents as "96.37%"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        try:
            # Excel keeps 15 significant digits; a double written by other programs may carry a 16th
            # digit of binary noise (0.9521999999999999 for 95.22%).
            number = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return str(value)
        if not number.is_finite():
            return str(value)
        if number_format and "%" in number_format:
            return _plain(number * 100) + "%"
        return _plain(number)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _plain(number: Decimal) -> str:
    """10012516.44, 200000, 2.5: no exponent, no trailing zeros after the point."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def read_docx(path: Path, source_file: str) -> list[Form]:
    """Every form in a Word document: its paragraphs and tables in body order, as one grid."""
    forms = forms_from_grid(docx_grid(path), None, source_file)
    if not forms:
        raise FormReadError(texts.REASON_NOT_A_FORM)
    return forms


def docx_grid(path: Path) -> list[list[Cell]]:
    """The document body as rows of cells, read as a stream (docx_body_rows); FormReadError where the
    document is damaged."""
    check_package(path, WORD)
    try:
        return list(docx_body_rows(path))
    except MemoryError:
        raise
    except Exception as error:  # a missing or invalid part (KeyError, XMLSyntaxError, not a Word body …)
        raise damaged(WORD, texts.OFFICE_CONTENT_UNREADABLE) from error


def docx_body_rows(path: Path) -> Iterator[list[Cell]]:
    """The grid rows of a Word document's body, read as a stream: one body element at a time.

    A 4,000-form document holds over 100 MB of XML; parsed whole (python-docx) its tree took 1.1 GB of
    the parser worker's 2 GiB cap. Here each paragraph or table is let go once its rows are taken.
    Raises ValueError for a package that is not a Word document, KeyError for a missing part,
    zipfile/zlib/lxml errors for damage.
    """
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE

    with zipfile.ZipFile(path) as package:
        main = _main_part(package, RELATIONSHIP_TYPE.OFFICE_DOCUMENT)
        if _content_type(package, main) != CONTENT_TYPE.WML_DOCUMENT_MAIN:
            raise ValueError("not a Word document")
        with package.open(main) as stream:
            body = _qn("w:body")
            parsed = etree.iterparse(stream, events=("end",), **_SAFE_XML)
            for _event, element in parsed:
                parent = element.getparent()
                if parent is None or parent.tag != body:
                    continue
                _refuse_doctype(element)
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "p":
                    text = _paragraph_text(element)
                    if text.strip():
                        yield [text]
                elif tag == "tbl":
                    yield from _table_rows(element)
                element.clear()
                while element.getprevious() is not None:  # the body keeps no element already read
                    del parent[0]


# Office parts never carry a DTD: entities are not expanded, nothing is fetched, no tree deeper than libxml2's limit.
_SAFE_XML = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _refuse_doctype(element) -> None:
    """A part with a DOCTYPE is not what Word writes (and the way in for entity tricks): damaged."""
    info = element.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise ValueError("a DOCTYPE in an Office part")


def _main_part(package: zipfile.ZipFile, relationship: str) -> str:
    """The member name of the package's main part, from _rels/.rels (OPC)."""
    rels = etree.fromstring(package.read("_rels/.rels"), etree.XMLParser(**_SAFE_XML))
    _refuse_doctype(rels)
    for rel in rels:
        if rel.get("Type") == relationship and rel.get("TargetMode") != "External":
            return rel.get("Target", "").lstrip("/")
    raise KeyError("no main document part")


def _content_type(package: zipfile.ZipFile, member: str) -> str | None:
    """The content type [Content_Types].xml gives the member: its Override, else its extension's Default."""
    types = etree.fromstring(package.read("[Content_Types].xml"), etree.XMLParser(**_SAFE_XML))
    _refuse_doctype(types)
    defaults = {}
    for entry in types:
        tag = entry.tag.rsplit("}", 1)[-1]
        if tag == "Override" and entry.get("PartName", "").lstrip("/") == member:
            return entry.get("ContentType")
        if tag == "Default":
            defaults[(entry.get("Extension") or "").lower()] = entry.get("ContentType")
    return defaults.get(member.rsplit(".", 1)[-1].lower())


def _paragraph_text(paragraph) -> str:
    """The text of a w:p: its runs' w:t, tabs as spaces, breaks as line wraps."""
    parts = []
    for node in paragraph.iter():
        tag = node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""  # comments, processing instructions
        if tag == "t" and node.text:
            parts.append(node.text)
        elif tag == "tab":
            parts.append(" ")
        elif tag in ("br", "cr"):
            parts.append("\n")
    return "".join(parts)


def _table_rows(table) -> list[list[Cell]]:
    """A w:tbl as grid rows: a cell's paragraphs joined by line wraps; merged positions None."""
    rows: list[list[Cell]] = []
    for tr in table.findall(_qn("w:tr")):
        row: list[Cell] = []
        for tc in tr.findall(_qn("w:tc")):
            span = _grid_span(tc)
            continued = _v_merge(tc) == "continue"
            text = None if continued else "\n".join(_paragraph_text(p) for p in tc.findall(_qn("w:p")))
            row.append(text)
            row.extend([None] * (span - 1))
        rows.append(row)
    return rows


def _grid_span(tc) -> int:
    node = tc.find(f"{_qn('w:tcPr')}/{_qn('w:gridSpan')}")
    try:
        return max(1, int(node.get(_qn("w:val")))) if node is not None else 1
    except (TypeError, ValueError):
        return 1


def _v_merge(tc) -> str | None:
    node = tc.find(f"{_qn('w:tcPr')}/{_qn('w:vMerge')}")
    if node is None:
        return None
    return node.get(_qn("w:val")) or "continue"  # a bare <w:vMerge/> continues the cell above


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn  # python-docx's namespace map; importing docx is slow, so not at module level

    return qn(tag)
