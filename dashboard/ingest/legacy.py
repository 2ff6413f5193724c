"""Old Office and WPS files (.xls, .et, .doc, .wps) and web pages (.html, .htm, .mhtml, .mht): what the file
really is, decided by its content, and the reader for it.

Report systems save HTML or XML under ".xls", Word saves web pages under ".doc", WPS's .et and .wps are Excel's
and Word's binary formats; so the name only says which family a file claims, and its first bytes say what it is:

- an OLE2 compound file: a workbook (a "Workbook"/"Book" stream) is read by xlrd (Excel 97–2003 and 5.0, BIFF)
  into the grid reader; one xlrd cannot read, and a Word or WPS document, is converted by LibreOffice
  (ingest/libreoffice.py) and read as .xlsx/.docx. A VBA project in it is named in the file's line: its cells
  are read, its macros never run (neither xlrd nor a headless conversion runs them);
- a zip package: an .xlsx/.docx under an old name, read as such;
- XML Spreadsheet 2003 (`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`): parsed here, safely
  (no DTD, no entity resolved, nothing fetched), merged cells (MergeAcross, MergeDown) and percents as Excel
  shows them;
- Word 2003 XML and RTF: converted by LibreOffice;
- HTML, and MHTML (a page saved as one MIME file): ingest/web.py.

Every reader here hands a grid to `grid.forms_from_grid`, as the .xlsx and .docx readers do.
"""

from __future__ import annotations

import datetime
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

from dashboard.core import texts
from dashboard.core.model import Form, FormReadError
from dashboard.ingest import libreoffice, web
from dashboard.ingest.grid import Cell, forms_from_grid
from dashboard.ingest.office import read_docx, read_xlsx, xlsx_text

WEB_SUFFIXES = (".html", ".htm", ".mhtml", ".mht")
SPREADSHEET_SUFFIXES = (".xls", ".et")
WORD_SUFFIXES = (".doc", ".wps")
SUFFIXES = (*SPREADSHEET_SUFFIXES, *WORD_SUFFIXES, *WEB_SUFFIXES)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 65536
SPREADSHEET_NS = "urn:schemas-microsoft-com:office:spreadsheet"
WORD_2003_NS = "http://schemas.microsoft.com/office/word/2003/wordml"
# Kinds of content.
OLE, ZIP, RTF, XML_SPREADSHEET, WORD_XML, MHTML, HTML, UNKNOWN = (
    "ole",
    "zip",
    "rtf",
    "xml_spreadsheet",
    "word_xml",
    "mhtml",
    "html",
    "unknown",
)
_HTML_MARKS = ("<html", "<!doctype html", "<table", "<body", "<head", "<meta")
_MACRO_STORAGES = {"_vba_project_cur", "_vba_project", "macros"}  # Excel's, Word's VBA project storages
_SAFE_XML = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def read_legacy(path: Path, source_file: str) -> tuple[list[Form], list[str]]:
    """The forms of an old Office/WPS file or a web page, and notes for the file's line (macros not run)."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    kind = content_kind(data)
    if kind == HTML or (kind == UNKNOWN and suffix in WEB_SUFFIXES):
        return web.forms_of_page(data, None, source_file), []
    if kind == MHTML:
        payload, charset = web.mhtml_page(data)
        return web.forms_of_page(payload, charset, source_file), []
    if kind == XML_SPREADSHEET:
        return _forms_of_sheets(xml_spreadsheet_grids(data), source_file), []
    if kind == ZIP:
        return _read_package(path, source_file, suffix), []
    if kind == OLE:
        return _read_compound(path, data, source_file, suffix)
    if kind == RTF:
        return _convert(path, source_file, libreoffice.WORD, ".rtf", suffix), []
    if kind == WORD_XML:
        return _convert(path, source_file, libreoffice.WORD, ".xml", suffix), []
    raise FormReadError(texts.REASON_NOT_OFFICE.format(suffix=suffix))


# ---------------------------------------------------------------- what the content is


def content_kind(data: bytes) -> str:
    """What the bytes are, by their magic number or their first markup (never by the file's name)."""
    if data.startswith(OLE_MAGIC):
        return OLE
    if data.startswith(ZIP_MAGIC):
        return ZIP
    head = _head_text(data[:SNIFF_BYTES])
    if head.startswith("{\\rtf"):
        return RTF
    if _is_mime(head):
        return MHTML
    if "<workbook" in head and SPREADSHEET_NS in head:
        return XML_SPREADSHEET
    if head.startswith("<?xml") and WORD_2003_NS in head and "<html" not in head:
        return WORD_XML
    if any(mark in head for mark in _HTML_MARKS):
        return HTML
    return UNKNOWN


def _head_text(head: bytes) -> str:
    """The first bytes as lower-case text for the checks above: UTF-16 by its byte-order mark, else each byte a
    character (markup is ASCII in UTF-8, GBK and Latin-1 alike)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")
    return text.lstrip("\ufeffï»¿ \t\r\n").lower()


def _is_mime(head: str) -> bool:
    """A MIME message (an .mhtml page): its header block names MIME-Version or a multipart Content-Type."""
    block = head.replace("\r\n", "\n").split("\n\n", 1)[0]
    for line in block.split("\n"):
        name, colon, value = line.partition(":")
        if not colon or " " in name.strip() or not name.strip():
            if line[:1] in (" ", "\t"):  # a folded header line
                continue
            return False
        if name.strip() == "mime-version" or (name.strip() == "content-type" and "multipart/" in value):
            return True
    return False


# ---------------------------------------------------------------- zip packages and compound files


def _read_package(path: Path, source_file: str, suffix: str) -> list[Form]:
    """An .xlsx or .docx under an old name (or a .html that is one): read by what the package holds."""
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise FormReadError(texts.REASON_NOT_OFFICE.format(suffix=suffix)) from error
    spreadsheet = "xl/workbook.xml" in names or (suffix in SPREADSHEET_SUFFIXES and "word/document.xml" not in names)
    with tempfile.TemporaryDirectory(prefix="jixiao-package-") as folder:  # openpyxl reads only an .xlsx by name
        named = Path(folder) / ("source.xlsx" if spreadsheet else "source.docx")
        shutil.copyfile(path, named)
        return read_xlsx(named, source_file) if spreadsheet else read_docx(named, source_file)


def ole_streams(data: bytes) -> list[str] | None:
    """The lower-case names in a compound file's directory; None where the directory cannot be read."""
    from xlrd.compdoc import CompDoc

    try:
        return [entry.name.lower() for entry in CompDoc(data, logfile=io.StringIO()).dirlist]
    except MemoryError:
        raise
    except Exception:  # CompDocError, struct.error, IndexError … on a damaged directory
        return None


def _read_compound(path: Path, data: bytes, source_file: str, suffix: str) -> tuple[list[Form], list[str]]:
    names = ole_streams(data)
    if names is None:  # the compound file's own directory is damaged: no reader or converter can trust it
        if suffix in SPREADSHEET_SUFFIXES:
            raise FormReadError(texts.REASON_XLS_DAMAGED.format(suffix=suffix))
        raise FormReadError(texts.REASON_OFFICE_DAMAGED.format(kind="Word"))
    notes = [texts.NOTE_MACROS_NOT_RUN] if _MACRO_STORAGES & set(names) else []
    if "worddocument" in names:
        return _convert(path, source_file, libreoffice.WORD, ".doc", suffix), notes
    if "workbook" in names or "book" in names:
        book = _open_book(data)
        if book is not None:
            return _forms_of_sheets(xls_grids(book), source_file), notes
        if libreoffice.soffice() is None:
            raise FormReadError(texts.REASON_XLS_DAMAGED.format(suffix=suffix))
        return _convert(path, source_file, libreoffice.SPREADSHEET, ".xls", suffix), notes
    target, shown = (libreoffice.SPREADSHEET, ".xls") if suffix in SPREADSHEET_SUFFIXES else (libreoffice.WORD, ".doc")
    return _convert(path, source_file, target, shown, suffix), notes


def _convert(path: Path, source_file: str, target: str, source_suffix: str, suffix: str) -> list[Form]:
    with libreoffice.converted(path, target, source_suffix, suffix) as result:
        return read_xlsx(result, source_file) if target == libreoffice.SPREADSHEET else read_docx(result, source_file)


def _forms_of_sheets(grids: list[list[list[Cell]]], source_file: str) -> list[Form]:
    """Every form on every sheet, sheet by sheet (`source_pages`: the sheet's number), as read_xlsx does."""
    forms: list[Form] = []
    for number, rows in enumerate(grids, start=1):
        forms.extend(forms_from_grid(rows, [number] * len(rows), source_file))
    if not forms:
        raise FormReadError(texts.REASON_NOT_A_FORM)
    return forms


# ---------------------------------------------------------------- .xls (BIFF) through xlrd


def _open_book(data: bytes):
    """The xlrd workbook, with formatting (merged cells, number formats) where xlrd can read it; None where xlrd
    cannot read the file at all (LibreOffice may). A workbook with a password is refused."""
    import xlrd

    for formatting in (True, False):
        try:
            return xlrd.open_workbook(
                file_contents=data, formatting_info=formatting, logfile=io.StringIO(), on_demand=False
            )
        except MemoryError:
            raise
        except xlrd.XLRDError as error:
            if "encrypt" in str(error).lower():
                raise FormReadError(texts.REASON_ENCRYPTED) from error
        except Exception:  # xlrd's own asserts and struct errors on records it does not expect
            continue
    return None


def xls_grids(book) -> list[list[list[Cell]]]:
    """Each sheet's rows of cells: values as the cells hold them (numbers in plain decimals, percent-formatted
    numbers as "96.37%", as office.xlsx_text gives them), None where a merged cell covers."""
    import xlrd

    grids = []
    for sheet in book.sheets():
        covered: set[tuple[int, int]] = set()
        for rlo, rhi, clo, chi in sheet.merged_cells:
            covered.update((r, c) for r in range(rlo, rhi) for c in range(clo, chi))
            covered.discard((rlo, clo))
        rows: list[list[Cell]] = []
        for r in range(sheet.nrows):
            row: list[Cell] = []
            for c in range(sheet.row_len(r)):
                if (r, c) in covered:
                    row.append(None)
                    continue
                cell = sheet.cell(r, c)
                row.append(_xls_text(book, cell, xlrd))
            rows.append(row)
        grids.append(rows)
    return grids


def _xls_text(book, cell, xlrd) -> str:
    kind = cell.ctype
    if kind == xlrd.XL_CELL_NUMBER:
        return xlsx_text(cell.value, _number_format(book, cell.xf_index))
    if kind == xlrd.XL_CELL_TEXT:
        return cell.value
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlsx_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode), None)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return xlsx_text(cell.value, None)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return xlsx_text(bool(cell.value), None)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    return ""


def _number_format(book, xf_index: int | None) -> str | None:
    if xf_index is None or not book.xf_list or xf_index >= len(book.xf_list):
        return None
    found = book.format_map.get(book.xf_list[xf_index].format_key)
    return found.format_str if found is not None else None


# ---------------------------------------------------------------- XML Spreadsheet 2003


def _ss(name: str) -> str:
    return f"{{{SPREADSHEET_NS}}}{name}"


def xml_spreadsheet_grids(data: bytes) -> list[list[list[Cell]]]:
    """Each worksheet's rows of cells; FormReadError where the XML is damaged or not a workbook."""
    try:
        root = etree.fromstring(data, etree.XMLParser(**_SAFE_XML))
        info = root.getroottree().docinfo
        if info.doctype or info.internalDTD is not None:
            raise ValueError("a DOCTYPE in an XML workbook")
        if root.tag != _ss("Workbook"):
            raise ValueError("not an XML Spreadsheet workbook")
        formats = _xml_formats(root)
        return [
            _xml_sheet(table, formats) for sheet in root.iter(_ss("Worksheet")) for table in sheet.iter(_ss("Table"))
        ]
    except MemoryError:
        raise
    except (etree.XMLSyntaxError, ValueError, TypeError) as error:
        raise FormReadError(texts.REASON_XML_SHEET_DAMAGED) from error


def _xml_formats(root) -> dict[str, str]:
    """Style id → number format ("Percent" and the like as Excel names them, or a format code)."""
    formats = {}
    for style in root.iter(_ss("Style")):
        number = style.find(_ss("NumberFormat"))
        if number is not None and number.get(_ss("Format")):
            formats[style.get(_ss("ID")) or ""] = number.get(_ss("Format"))
    return formats


def _xml_sheet(table, formats: dict[str, str]) -> list[list[Cell]]:
    placed: dict[tuple[int, int], Cell] = {}
    r = -1
    cells = 0
    for row in table.iterchildren(_ss("Row")):
        r = _index(row, r)
        c = -1
        for cell in row.iterchildren(_ss("Cell")):
            c = _index(cell, c)
            across = _count(cell.get(_ss("MergeAcross")))
            down = _count(cell.get(_ss("MergeDown")))
            cells += (across + 1) * (down + 1)
            if cells > web.MAX_TABLE_CELLS:
                raise ValueError("too many cells")
            for dr in range(down + 1):
                for dc in range(across + 1):
                    placed.setdefault((r + dr, c + dc), None)
            placed[(r, c)] = _xml_text(cell, formats)
            c += across
    if not placed:
        return []
    height = max(row for row, _ in placed) + 1
    width = max(col for _, col in placed) + 1
    grid: list[list[Cell]] = []
    for row_at in range(height):
        line: list[Cell] = [placed.get((row_at, col), "") for col in range(width)]
        grid.append(line)
    return grid


def _index(element, previous: int) -> int:
    """The 0-based row or column of a Row/Cell: its ss:Index (1-based) or the one after the previous."""
    given = element.get(_ss("Index"))
    if given is None:
        return previous + 1
    number = int(given) - 1
    if number < 0 or number > 1_048_576:
        raise ValueError("an index outside the sheet")
    return number


def _count(value: str | None) -> int:
    number = int(value) if value else 0
    if number < 0 or number > 16384:
        raise ValueError("a merge outside the sheet")
    return number


def _xml_text(cell, formats: dict[str, str]) -> str:
    data = cell.find(_ss("Data"))
    if data is None:
        return ""
    text = "".join(data.itertext())
    kind = data.get(_ss("Type"))
    if kind == "Number":
        try:
            value = float(text)
        except ValueError:
            return text
        number_format = formats.get(cell.get(_ss("StyleID")) or "")
        if number_format in ("Percent", "Percentage"):
            number_format = "0.00%"
        return xlsx_text(value, number_format)
    if kind == "Boolean":
        return xlsx_text(text.strip() in ("1", "true", "TRUE"), None)
    if kind == "DateTime":
        try:
            return xlsx_text(datetime.datetime.fromisoformat(text.strip()), None)
        except ValueError:
            return text
    return text
