"""PDF → forms: pdfplumber ruled tables → one grid of cells → `grid.forms_from_grid`.

Each page's ruled tables are read with the "lines" strategies (fake-bold characters
de-duplicated first). Tables that follow each other with the same left and right edges
(one form, or a form continuing on the next page) are put on one common column grid,
so a continuation page without header rows keeps the columns of the page before.
A title printed as text above a table (not in a ruled cell) becomes a one-cell row.

A character belongs to the cell holding its centre, except that a line hanging over the
bottom rule of a table (browsers print the last line of a row cut by a page break that
way) belongs to the bottom cell it hangs from. Every text is passed through
`fix_lookalikes`: fonts that draw two code points with one glyph make producers write the
rarer one (⼾ for 户, ⻰ for 龙, ∕ for ／).

Every failure of pdfminer/pdfplumber becomes a `FormReadError` with a reason from
`texts`; nothing from pdfminer escapes. A page that cannot be decoded (pdfminer raises on it,
its compressed content stream is corrupt, or it draws text that yields no characters) costs
that page, not the file: it is named in `PdfRead.unreadable_pages`, no form is joined across
it, and each form it cuts carries a page_unreadable error. pdfminer's own log (a warning per
glyph of a damaged font) is kept out of the output.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import TypedDict

import pdfplumber
from pdfminer.pdfdocument import PDFXRefFallback
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1
from pdfplumber import table as plumber_table
from pdfplumber import utils as plumber_utils

from dashboard.core import texts
from dashboard.core.domain import Severity
from dashboard.core.model import Check, Form, FormReadError
from dashboard.core.rule_ids import PAGE_UNREADABLE, PARSE_UNCERTAIN
from dashboard.ingest import labels, pages
from dashboard.ingest.cells import fix_lookalikes, label_key
from dashboard.ingest.grid import TITLE_KEY, is_title_row, parse_form, shows_form, split_forms, to_form

TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}


class _TextSettings(TypedDict):
    x_tolerance: float
    y_tolerance: float


# Text inside a cell: a gap wider than x_tolerance is printed as a space. Letter-spaced
# labels ("项 目 名 称") therefore keep spaces, which label_key ignores.
TEXT_SETTINGS: _TextSettings = {"x_tolerance": 3, "y_tolerance": 3}
EDGE_TOLERANCE = 3.0  # points: table edges / column boundaries closer than this are the same
CID_MARK = "(cid:"
# pdfplumber's dedupe_chars defaults: copies share these attributes and lie within the tolerance.
DEDUPE_KEY = itemgetter("upright", "text", "fontname", "size")
DEDUPE_POSITION = itemgetter("doctop", "x0")
DEDUPE_TOP, DEDUPE_LEFT = itemgetter("doctop"), itemgetter("x0")
DEDUPE_TOLERANCE = 1
TEXT_SHOWING_RE = re.compile(rb"(?<![A-Za-z])(?:Tj|TJ)(?![A-Za-z])")  # content-stream operators that draw text

logging.getLogger("pdfminer").setLevel(logging.ERROR)

Bbox = tuple[float, float, float, float]


@dataclass
class Block:
    """A table (or a title line) on a page: its rows as texts and cell boxes."""

    page: int
    top: float
    texts: list[list[str | None]]
    boxes: list[list[Bbox | None]] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        return bool(self.boxes)

    def edges(self) -> tuple[float, float]:
        cells = [box for row in self.boxes for box in row if box]
        return min(box[0] for box in cells), max(box[2] for box in cells)


@dataclass
class PageStats:
    pages: int = 0  # pages in the file
    chars: int = 0
    cid_chars: int = 0
    images: int = 0
    scanned_pages: list[int] = field(default_factory=list)  # pages with a picture and no text
    unreadable_pages: list[int] = field(default_factory=list)  # pages whose content could not be decoded
    corrupt_streams: dict[int, bool] = field(default_factory=dict)  # object id → corrupt, for shared fonts
    text_pages: list[int] = field(default_factory=list)  # pages that print any text
    table_pages: set[int] = field(default_factory=set)  # pages with a ruled table that holds text
    contents_pages: set[int] = field(default_factory=set)  # pages that print a table of contents
    xref_rebuilt: bool = False  # the cross-reference table did not match the file: pdfminer rebuilt it


@dataclass
class PdfRead:
    """The forms of one PDF and why each other page (1-based) holds none (`pages`: page → pages.PageKind)."""

    forms: list[Form]
    unreadable_pages: list[int] = field(default_factory=list)
    skipped_pages: dict[int, pages.PageKind] = field(default_factory=dict)

    @property
    def pages_without_form(self) -> list[int]:
        """Pages that print text but gave no form (narrative, contents, other tables, a form not read)."""
        text_kinds = (*pages.SKIPPED, pages.PageKind.FORM_UNREAD)
        return sorted(page for page, kind in self.skipped_pages.items() if kind in text_kinds)


# ---------------------------------------------------------------- public


def read_pdf(path: Path, source_file: str) -> list[Form]:
    """Every 自评表 in the PDF at `path`; FormReadError where none can be read."""
    return read_pdf_file(path, source_file).forms


def read_pdf_file(path: Path, source_file: str) -> PdfRead:
    """Every 自评表 in the PDF at `path` and the pages that could not be read; FormReadError where none can be."""
    blocks, stats = load_blocks(path)
    damaged = texts.REASON_PAGES_UNREADABLE.format(pages=page_list(stats.unreadable_pages))
    scans = read_scanned_pages(path, blocks, stats)
    if stats.chars == 0 and not any(scan.blocks for scan in scans):
        if stats.unreadable_pages:
            raise FormReadError(texts.REASON_DAMAGED, damaged)
        raise FormReadError(scan_problem(scans) if scans else texts.REASON_NOT_A_FORM)
    try:
        forms = blocks_to_forms(blocks, source_file, stats.unreadable_pages)
    except Exception as exc:  # a bug in the grid reading must not look like a crash of the app
        raise FormReadError(texts.REASON_INTERNAL, f"{type(exc).__name__}: {exc}") from exc
    if not forms:
        if stats.unreadable_pages:
            raise FormReadError(texts.REASON_DAMAGED, damaged)
        if scans and stats.chars == 0:
            raise FormReadError(scan_problem(scans))
        raise FormReadError(texts.REASON_NO_CMAP if stats.cid_chars else texts.REASON_NOT_A_FORM)
    mark_forms(forms, scans, blocks)
    for form in forms:
        if stats.xref_rebuilt:
            form.checks.append(
                Check(rule=PARSE_UNCERTAIN, severity=Severity.WARNING, message=texts.UNCERTAIN_XREF_REBUILT)
            )
        flag_missing_cmap(form)
        flag_scanned_pages(form, stats.scanned_pages)
    flag_unreadable_pages(forms, stats.unreadable_pages)
    return PdfRead(forms, list(stats.unreadable_pages), skipped_pages(forms, blocks, stats))


def read_scanned_pages(path: Path, blocks: list[Block], stats: PageStats) -> list:
    """OCR the pages that are a picture without text (ocr_scan): their blocks join `blocks` in page order, and a
    page that gave a ruled table is a page with text and a table from now on (only a page where OCR found no
    table stays "scanned")."""
    if not stats.scanned_pages:
        return []
    from dashboard.ingest.ocr_scan import pdf_pages, read_pages

    scans = read_pages(pdf_pages(path, stats.scanned_pages), total=len(stats.scanned_pages))
    blocks.extend(block for scan in scans for block in scan.blocks)
    blocks.sort(key=lambda block: block.page)  # stable: each page keeps its own top-to-bottom order
    for scan in scans:
        if scan.tables:
            stats.scanned_pages.remove(scan.page)
            stats.text_pages.append(scan.page)
            stats.table_pages.add(scan.page)
    stats.text_pages.sort()
    return scans


def scan_problem(scans: list) -> str:
    from dashboard.ingest.ocr_scan import scan_problem as problem

    return problem(scans)


def mark_forms(forms: list[Form], scans: list, blocks: list[Block]) -> None:
    if scans:
        from dashboard.ingest.ocr_scan import mark_forms as mark

        mark(forms, scans, blocks)


def page_list(numbers: list[int]) -> str:
    return "、".join(str(page) for page in numbers)


def skipped_pages(forms: list[Form], blocks: list[Block], stats: PageStats) -> dict[int, pages.PageKind]:
    """Why each page no form was read from holds none (an unreadable page always: it may have lost part of one)."""
    used = {page for form in forms for page in form.source_pages}
    rows_of: dict[int, list[list[str | None]]] = {}
    for block in blocks:
        rows_of.setdefault(block.page, []).extend(block.texts)
    scanned, unreadable, text = set(stats.scanned_pages), set(stats.unreadable_pages), set(stats.text_pages)
    kinds: dict[int, pages.PageKind] = {}
    for page in range(1, stats.pages + 1):
        if page in unreadable:
            kinds[page] = pages.PageKind.UNREADABLE
        elif page in used:
            continue
        elif page in scanned:
            kinds[page] = pages.PageKind.SCANNED
        elif page not in text:
            kinds[page] = pages.PageKind.BLANK
        elif shows_form(rows_of.get(page, [])):
            kinds[page] = pages.PageKind.FORM_UNREAD
        elif page in stats.contents_pages:
            kinds[page] = pages.PageKind.CONTENTS
        elif page in stats.table_pages:
            kinds[page] = pages.PageKind.OTHER_TABLE
        else:
            kinds[page] = pages.PageKind.NARRATIVE
    return kinds


# ---------------------------------------------------------------- loading


def load_blocks(path: Path) -> tuple[list[Block], PageStats]:
    """All tables and title lines of the file, in reading order, plus character counts."""
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        raise open_error(exc) from exc
    try:
        with pdf:
            rebuilt = any(isinstance(xref, PDFXRefFallback) for xref in pdf.doc.xrefs)
            numbers, lost = page_numbers(pdf.doc, len(pdf.pages))
            blocks, stats = read_pages(pdf.pages, numbers)
            stats.pages = max(stats.pages, len(numbers) + len(lost))
            stats.unreadable_pages = sorted({*stats.unreadable_pages, *lost})
            stats.xref_rebuilt = rebuilt
            return blocks, stats
    except FormReadError:
        raise
    except Exception as exc:  # pdfminer fails lazily, page by page: same mapping as on open
        raise open_error(exc) from exc


def open_error(exc: BaseException) -> FormReadError:
    """Encrypted where pdfminer asks for a password; otherwise damaged, with pdfminer's words."""
    for error in error_chain(exc):
        name = type(error).__name__
        if "Password" in name or "Encryption" in name:
            return FormReadError(texts.REASON_ENCRYPTED)
    return FormReadError(texts.REASON_DAMAGED, error_detail(exc))


def error_chain(exc: BaseException) -> Iterable[BaseException]:
    """The exception, what pdfplumber wrapped in it, and its causes."""
    seen: list[BaseException] = []
    queue: list[BaseException | None] = [exc]
    while queue:
        error = queue.pop()
        if error is None or any(error is known for known in seen):
            continue
        seen.append(error)
        queue.extend([error.__cause__, error.__context__])
        queue.extend(arg for arg in error.args if isinstance(arg, BaseException))
    return seen


def error_detail(exc: BaseException) -> str:
    inner = [error for error in error_chain(exc) if error is not exc]
    shown = inner[0] if inner else exc
    return f"{type(shown).__name__}: {shown}"[:200]


def page_numbers(document, readable: int) -> tuple[list[int], list[int]]:
    """(the printed page number of each page pdfminer yields, the pages it silently skipped).

    pdfminer walks the page tree and passes over a leaf that is not a page dictionary (a damaged object)
    without a word, so the file would lose a page and every later page would take the wrong number. The
    tree is walked here the same way; a leaf that is not a page, and pages the root's /Count declares
    beyond the leaves found, are lost pages. Where the two walks disagree (pdfminer fell back to scanning
    objects), the pages are numbered in order and the shortfall against /Count is lost at the end.
    """
    leaves: list[bool] = []
    try:
        root = resolve1(document.catalog.get("Pages"))
        _walk_page_tree(root, leaves, set(), 0)
        declared = resolve1(root.get("Count")) if isinstance(root, dict) else None
    except Exception:  # a tree too damaged to walk: pdfminer's own count is all there is
        leaves, declared = [True] * readable, None
    if isinstance(declared, int) and 0 <= declared - len(leaves) <= MAX_DECLARED_PAGES:
        leaves.extend([False] * (declared - len(leaves)))
    numbers = [number for number, ok in enumerate(leaves, start=1) if ok]
    if len(numbers) != readable:
        total = max(readable, len(leaves))
        return list(range(1, readable + 1)), list(range(readable + 1, total + 1))
    return numbers, [number for number, ok in enumerate(leaves, start=1) if not ok]


MAX_DECLARED_PAGES = 10_000  # a /Count beyond this many missing pages is itself garbage, not pages


def _walk_page_tree(node, leaves: list[bool], seen: set[int], depth: int) -> None:
    """Append True for each page leaf of `node` (a resolved /Pages or /Page dictionary), False for a leaf
    that is neither, in pdfminer's order."""
    if depth > 64 or not isinstance(node, dict):
        leaves.append(False)
        return
    kind = getattr(node.get("Type") or node.get("type"), "name", None)
    if kind == "Pages" and "Kids" in node:
        for child in resolve1(node["Kids"]) or []:
            ident = getattr(child, "objid", None)
            if ident is not None:
                if ident in seen:
                    continue
                seen.add(ident)
            try:
                resolved = resolve1(child)
            except Exception:  # an object that cannot be parsed: a lost page
                resolved = None
            _walk_page_tree(resolved, leaves, seen, depth + 1)
    else:
        leaves.append(kind == "Page")


def read_pages(pdf_pages: Sequence, numbers: Sequence[int] | None = None) -> tuple[list[Block], PageStats]:
    blocks: list[Block] = []
    stats = PageStats()
    numbers = numbers if numbers is not None else range(1, len(pdf_pages) + 1)
    for number, page in zip(numbers, pdf_pages, strict=False):
        stats.pages = number
        try:
            corrupt, draws_text = content_health(page.page_obj)
            bad_fonts = fonts_with_corrupt_map(page.page_obj, stats.corrupt_streams)  # before pdfminer decodes them
            chars_before = stats.chars
            blocks.extend(read_page(page, number, stats))
            lost_text = draws_text and stats.chars == chars_before
            lost_map = bool(bad_fonts) and any(char.get("fontname") in bad_fonts for char in page.chars)
            if corrupt or lost_text or lost_map or zero_width_glyphs(page.chars):
                stats.unreadable_pages.append(number)
        except Exception as exc:  # pdfminer gave up on this page: read the others
            memory = any(isinstance(error, MemoryError) for error in error_chain(exc))
            if memory or open_error(exc).reason == texts.REASON_ENCRYPTED:
                raise  # the file's problem, not the page's (the worker's memory cap, a password)
            stats.unreadable_pages.append(number)
        finally:
            page.close()
    return blocks, stats


ZERO_WIDTH_GLYPHS = 3  # visible characters drawn with no width on one page: the font's width table is damaged


def zero_width_glyphs(chars: Sequence[dict]) -> bool:
    """Whether the page draws several visible characters with no width. A damaged width table (/W zeroed)
    lets characters overlap, so pdfplumber orders them wrongly ("刊 物编印" for 刊物编印, names swapped into
    the next cell) with no error anywhere; no producer prints a form's text that way."""
    found = 0
    for char in chars:
        if char.get("width", 1) <= 0.01 and char["text"].strip():
            found += 1
            if found >= ZERO_WIDTH_GLYPHS:
                return True
    return False


def content_health(page_obj) -> tuple[bool, bool]:
    """(corrupt, draws text) of a page's content streams.

    Corrupt: a Flate-compressed stream that does not decompress cleanly (pdfminer then reads what it
    can, or nothing, without saying so). Draws text: the decoded content shows text, so a page that
    yields no characters lost them to a damaged font or stream.
    """
    corrupt, draws_text = False, False
    for stream in page_obj.contents:
        stream = resolve1(stream)
        if not isinstance(stream, PDFStream):  # its "stream" keyword or dictionary damaged: the content is lost
            corrupt = True
            continue
        data = stream_data(stream)
        damaged = damaged_dictionary(stream) or (not stream.get_filters() and is_binary(data))
        corrupt = corrupt or data is None or damaged
        draws_text = draws_text or bool(data and TEXT_SHOWING_RE.search(data))
    return corrupt, draws_text


# The filters PDF defines (ISO 32000 7.4, with the abbreviations inline images use).
KNOWN_FILTERS = frozenset(
    [
        "FlateDecode",
        "LZWDecode",
        "ASCII85Decode",
        "ASCIIHexDecode",
        "RunLengthDecode",
        "CCITTFaxDecode",
        "DCTDecode",
        "JBIG2Decode",
        "JPXDecode",
        "Crypt",
        "Fl",
        "LZW",
        "A85",
        "AHx",
        "RL",
        "CCF",
        "DCT",
    ]
)


def damaged_dictionary(stream: PDFStream) -> bool:
    """Whether a content stream's dictionary holds what no PDF writes: a key with bytes outside printable ASCII
    ("/\xb9\x96lter" for /Filter: pdfminer then takes the compressed bytes for the content, and the page looks
    blank), a filter PDF does not define ("/FlateDecodf"), or no /Length, which every stream must have (a
    dictionary damaged past reading comes out empty, its data lost: the page looked blank)."""
    if "Length" not in stream.attrs:
        return True
    if any(not str(key).isascii() or not str(key).isprintable() for key in stream.attrs):
        return True
    try:
        names = [getattr(name, "name", name) for name, _params in stream.get_filters()]
    except Exception:  # a filter entry that is no name at all
        return True
    return any(str(name) not in KNOWN_FILTERS for name in names)


BINARY_SHARE = 0.3  # content operators are text: this share of other bytes is a stream read undecoded


def is_binary(data: bytes | None) -> bool:
    if not data:
        return False
    sample = data[:4096]
    text_bytes = sum(32 <= byte < 127 or byte in b"\t\r\n\f" for byte in sample)
    return (len(sample) - text_bytes) / len(sample) > BINARY_SHARE


def fonts_with_corrupt_map(page_obj, known: dict[int, bool]) -> set[str]:
    """Names of the page's fonts whose ToUnicode map does not decode: their text comes out as (cid:…)
    or as wrong characters. A page is unreadable where it draws text in one of them."""
    fonts = resolve1(resolve1(page_obj.resources or {}).get("Font")) or {}
    names: set[str] = set()
    for font in fonts.values() if isinstance(fonts, dict) else ():
        font = resolve1(font)
        to_unicode = font.get("ToUnicode") if isinstance(font, dict) else None
        stream = resolve1(to_unicode)
        if not isinstance(stream, PDFStream):
            continue
        objid = getattr(to_unicode, "objid", id(stream))
        if objid not in known:
            known[objid] = stream_data(stream) is None
        if known[objid]:
            names |= font_names(font)
    return names


def font_names(font: dict) -> set[str]:
    """The names pdfminer may give a font's characters: its BaseFont and its descriptors' FontName."""
    parts = [font, *(resolve1(part) for part in resolve1(font.get("DescendantFonts")) or [])]
    found = [resolve1(part.get("BaseFont")) for part in parts if isinstance(part, dict)]
    for part in parts:
        descriptor = resolve1(part.get("FontDescriptor")) if isinstance(part, dict) else None
        if isinstance(descriptor, dict):
            found.append(resolve1(descriptor.get("FontName")))
    return {getattr(name, "name", name) for name in found if name is not None}


def stream_data(stream: PDFStream) -> bytes | None:
    """The stream's data, decompressed strictly: None where its Flate data is corrupt.

    Streams with other filters are left to pdfminer (b"" here). pdfminer itself decodes a corrupt
    Flate stream as far as it can, or to nothing, without saying so.
    """
    if stream.data is not None:
        return stream.data
    data = stream.rawdata or b""
    if stream.decipher is not None:
        if stream.objid is None or stream.genno is None:  # the key needs the object's number (pdfminer asserts it)
            return None
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    filters = [name for name, _params in stream.get_filters()]
    if not filters:
        return data
    if not all(name in LITERALS_FLATE_DECODE for name in filters):
        return b""
    try:
        for _ in filters:
            data = zlib.decompress(data)
    except zlib.error:
        return None
    return data


def read_page(page, number: int, stats: PageStats) -> list[Block]:
    """The tables and title lines of one page, top to bottom."""
    stats.images += len(page.images)
    page = without_duplicate_chars(page)
    chars = page.chars
    stats.chars += len(chars)
    if chars:
        stats.text_pages.append(number)
    stats.cid_chars += sum(1 for char in chars if char["text"].startswith(CID_MARK))
    if not chars:
        if page.images:
            stats.scanned_pages.append(number)
        return []
    tables = TableFinder(page, {**TABLE_SETTINGS, "explicit_horizontal_lines": closing_lines(page)}).tables
    found = [(table, table_block(table, number)) for table in tables]
    found = [(table, block) for table, block in found if any(text for row in block.texts for text in row)]
    blocks = [block for _, block in found]  # tables with no text at all are dropped
    if blocks:
        stats.table_pages.add(number)
    titles, contents = title_blocks(page, [table.bbox for table, _ in found], number)
    blocks.extend(titles)
    if contents:
        stats.contents_pages.add(number)
    return sorted(blocks, key=lambda block: block.top)


def without_duplicate_chars(page):
    """The page without fake-bold copies of characters: what pdfplumber's `page.dedupe_chars()` keeps.

    The same clustering (same text, upright, font and size; `doctop`, then `x0`, within
    DEDUPE_TOLERANCE; the copy nearest the top left kept), but only for characters whose
    (text, upright, font, size) occurs more than once on the page: most characters of a
    Chinese form are unique there. pdfplumber clusters every one and then puts the survivors
    back in page order with `list.index`, quadratic in the page's characters. A page without
    copies (most pages) is returned as it is.
    """
    dropped = duplicate_copies(page.chars)
    return page.filter(lambda obj: id(obj) not in dropped) if dropped else page


def unique_chars(chars: list[dict]) -> list[dict]:
    """The characters pdfplumber's `utils.dedupe_chars` keeps, in page order."""
    dropped = duplicate_copies(chars)
    return [char for char in chars if id(char) not in dropped]


def duplicate_copies(chars: list[dict]) -> set[int]:
    """The ids of the characters pdfplumber's `utils.dedupe_chars` drops."""
    groups: dict[tuple, list[dict]] = {}
    for char in chars:
        groups.setdefault(DEDUPE_KEY(char), []).append(char)
    dropped: set[int] = set()
    for group in groups.values():
        for line in chains(group, DEDUPE_TOP) if len(group) > 1 else ():
            for copies in chains(line, DEDUPE_LEFT) if len(line) > 1 else ():
                kept = min(copies, key=DEDUPE_POSITION)  # the first of the top-left copies, as sorted()[0]
                dropped.update(id(char) for char in copies if char is not kept)
    return dropped


def chains(objects: list[dict], key) -> list[list[dict]]:
    """The clusters of pdfplumber's `cluster_objects`, found without its per-call dictionaries: the
    objects sorted by `key` and cut where two neighbours lie more than DEDUPE_TOLERANCE apart. The
    sort is stable, so objects with equal keys keep their order (which copy `min` keeps)."""
    ordered = sorted(objects, key=key)
    found = [[ordered[0]]]
    for before, after in pairwise(ordered):
        if key(after) <= key(before) + DEDUPE_TOLERANCE:
            found[-1].append(after)
        else:
            found.append([after])
    return found


def closing_lines(page) -> list[float]:
    """Horizontal lines at the top and bottom ends of each run of vertical rules.

    A merged cell cut by a page break is printed without its top (or bottom) border;
    closing the ruled area there turns each fragment back into a cell. Vertical rules
    that overlap or touch form one run (one ruled area): rules drawn apart from the
    table (a browser paints cut cells on into the page margin, where its clip hides
    them) close their own area, not the table's.
    """
    verticals = sorted(
        (edge["top"], edge["bottom"]) for edge in page.edges if edge["orientation"] == "v" and edge["height"] > 1
    )
    runs: list[list[float]] = []
    for top, bottom in verticals:
        if runs and top <= runs[-1][1] + EDGE_TOLERANCE:
            runs[-1][1] = max(runs[-1][1], bottom)
        else:
            runs.append([top, bottom])
    return [end for run in runs for end in run]


class TableFinder(plumber_table.TableFinder):
    """pdfplumber's `page.find_tables`, with the cells found by `intersections_to_cells` below.

    The steps are pdfplumber's own (TableFinder.__init__, version 0.11): edges, their
    intersections, the cells they close, the cells grouped into tables.
    """

    def __init__(self, page, settings: dict):
        self.page = page
        self.settings = plumber_table.TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = plumber_table.edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance
        )
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [plumber_table.Table(page, cells) for cells in plumber_table.cells_to_tables(self.cells)]


def intersections_to_cells(intersections: dict) -> list[Bbox]:
    """The cells of pdfplumber's `table.intersections_to_cells`, in its order.

    For each intersection (sorted), the smallest cell it is the top left corner of: the first point
    below it and the first point right of it that an edge joins to it, with the corner they close
    joined to both. pdfplumber searches all later points for those below and right, and rebuilds
    each point's edge set per test (quadratic in a page's intersections); here each point's edges
    are a set once, and the points of each column and row are listed once.
    """
    points = sorted(intersections)
    verticals = {point: set(map(plumber_utils.obj_to_bbox, edges["v"])) for point, edges in intersections.items()}
    horizontals = {point: set(map(plumber_utils.obj_to_bbox, edges["h"])) for point, edges in intersections.items()}
    columns: dict[float, list[tuple]] = {}
    rows: dict[float, list[tuple]] = {}
    for point in points:
        columns.setdefault(point[0], []).append(point)
        rows.setdefault(point[1], []).append(point)
    after = {point: (columns[point[0]].index(point), rows[point[1]].index(point)) for point in points}

    def joined(first: tuple, second: tuple) -> bool:
        if first[0] == second[0] and not verticals[first].isdisjoint(verticals[second]):
            return True
        return first[1] == second[1] and not horizontals[first].isdisjoint(horizontals[second])

    def smallest_cell(point: tuple) -> Bbox | None:
        in_column, in_row = after[point]
        for below in columns[point[0]][in_column + 1 :]:
            if not joined(point, below):
                continue
            for right in rows[point[1]][in_row + 1 :]:
                if not joined(point, right):
                    continue
                corner = (right[0], below[1])
                if corner in intersections and joined(corner, right) and joined(corner, below):
                    return (point[0], point[1], corner[0], corner[1])
        return None

    return [cell for cell in map(smallest_cell, points) if cell is not None]


def table_block(table, number: int) -> Block:
    rows = table.rows
    return Block(
        page=number,
        top=table.bbox[1],
        texts=table_texts(table),
        boxes=[list(row.cells) for row in rows],
    )


def table_texts(table) -> list[list[str | None]]:
    """The text of every cell (None where a merged cell covers the position)."""
    grid = CellGrid([cell for row in table.rows for cell in row.cells if cell is not None])
    found: dict[Bbox, list[dict]] = {cell: [] for cell in grid.cells}
    hanging: list[tuple[dict, Bbox]] = []
    bottom = grid.box[3]
    for char in table.page.chars:
        home = grid.char_cell(char)
        if home is not None and (char["top"] + char["bottom"]) / 2 >= bottom:
            hanging.append((char, home))
        elif home is not None:
            found[home].append(char)
    for char, home in hanging_cell_lines(hanging):
        found[home].append(char)
    return [[None if cell is None else cell_text(found[cell]) for cell in row.cells] for row in table.rows]


def hanging_cell_lines(hanging: list[tuple[dict, Bbox]]) -> list[tuple[dict, Bbox]]:
    """The hanging characters that are the last line of a cut row, not a line printed right under the table.

    A line under the table (填报人：… 联系电话：…, printed with no space after the table) may touch its
    bottom rule too; unlike a cell's own line it runs on across a cell's edge: two neighbouring
    characters of it lie in different cells with no gap between them, or, short enough to fit in one
    cell ("填报人：李四"), it is a margin line (labels.is_margin_line), which no cell of a form prints.
    """
    lines: dict[float, list[tuple[dict, Bbox]]] = {}
    for char, home in hanging:
        lines.setdefault(round(char["top"]), []).append((char, home))
    kept = []
    for line in lines.values():
        line.sort(key=lambda pair: pair[0]["x0"])
        runs_on = any(
            a_home != b_home and b["x0"] - a["x1"] < EDGE_TOLERANCE for (a, a_home), (b, b_home) in pairwise(line)
        )
        if not runs_on and not labels.is_margin_line("".join(char["text"] for char, _ in line)):
            kept.extend(line)
    return kept


class CellGrid:
    """The cells of one table, indexed by the grid their edges draw: the cell holding a point is found
    by bisecting the edges, not by testing every cell (pages hold hundreds of cells and thousands of
    characters).

    A cell holds a point when its left and top edges are at or before it and its right and bottom
    edges after it. Every cell edge is a grid line, so a cell holds either all points of a grid slot
    or none; each slot keeps the first cell (in reading order) holding it, as a scan of the cells would.
    """

    def __init__(self, cells: list[Bbox]):
        self.cells = cells
        self.box = (
            min(cell[0] for cell in cells),
            min(cell[1] for cell in cells),
            max(cell[2] for cell in cells),
            max(cell[3] for cell in cells),
        )  # Table.bbox, which pdfplumber computes anew on every access
        self.xs = sorted({x for cell in cells for x in (cell[0], cell[2])})
        self.ys = sorted({y for cell in cells for y in (cell[1], cell[3])})
        self.slots: dict[tuple[int, int], Bbox] = {}
        for cell in cells:
            for column in range(self.xs.index(cell[0]), self.xs.index(cell[2])):
                for row in range(self.ys.index(cell[1]), self.ys.index(cell[3])):
                    self.slots.setdefault((column, row), cell)
        self.bottom_cells = [cell for cell in cells if abs(cell[3] - self.box[3]) <= EDGE_TOLERANCE]

    def holding(self, x: float, y: float) -> Bbox | None:
        """The first cell holding the point, or None."""
        return self.slots.get((bisect_right(self.xs, x) - 1, bisect_right(self.ys, y) - 1))

    def char_cell(self, char: dict) -> Bbox | None:
        """The cell a character belongs to: the one holding its centre, else the bottom cell it hangs from.

        A character hangs from the table when its centre is below the bottom rule and its top
        above it; it belongs to the bottom cell whose columns hold its centre.
        """
        x_mid = (char["x0"] + char["x1"]) / 2
        y_mid = (char["top"] + char["bottom"]) / 2
        left, top, right, bottom = self.box
        if not (left <= x_mid < right) or char["top"] >= bottom or char["bottom"] <= top:
            return None
        if y_mid < bottom:
            return self.holding(x_mid, y_mid)
        return next((cell for cell in self.bottom_cells if cell[0] <= x_mid < cell[2]), None)


def cell_text(chars: list[dict]) -> str:
    """The characters' text, lines joined by "\\n", look-alike code points mapped back."""
    return fix_lookalikes(plumber_utils.extract_text(chars, **TEXT_SETTINGS)) if chars else ""


def title_blocks(page, table_boxes: list[Bbox], number: int) -> tuple[list[Block], bool]:
    """Title lines printed outside every table ("2021年度项目支出绩效自评表" above the grid), and the year
    printed on a line of its own under a title ("（2022年度）"); and whether the page prints a table of
    contents. Other lines (narrative, 填报人, page numbers) are no part of a form."""
    outside = page
    for box in table_boxes:
        outside = outside.outside_bbox(box, strict=False)
    lines = outside.extract_text_lines(**TEXT_SETTINGS)
    titles = [
        Block(page=number, top=line["top"], texts=[[fix_lookalikes(line["text"])]])
        for line in lines
        if TITLE_KEY in label_key(line["text"]) or labels.year_line(line["text"]) is not None
    ]
    return titles, any(labels.is_contents_line(line["text"]) for line in lines)


# ---------------------------------------------------------------- grid


def blocks_to_forms(blocks: list[Block], source_file: str, unreadable_pages: Sequence[int] = ()) -> list[Form]:
    """The forms of the blocks; nothing is joined across an unreadable page.

    A form that opens the blocks after an unreadable page without its title or its 项目名称 may have
    started on that page: it gets a page_unreadable error.
    """
    forms: list[Form] = []
    for after_page, segment in split_at_pages(blocks, unreadable_pages):
        rows: list[list[str | None]] = []
        pages: list[int] = []
        for run in table_runs(segment):
            for row, page in regrid(run):
                rows.append(row)
                pages.append(page)
        chunks = split_forms(rows, pages)
        found = [to_form(parse_form(chunk), source_file) for chunk in chunks]
        if after_page is not None and chunks and (not is_title_row(chunks[0].rows[0]) or not found[0].project_name):
            found[0].checks.append(page_unreadable(after_page))  # begun on that page (a repeated title is not a start)
        forms.extend(found)
    return forms


def split_at_pages(blocks: list[Block], breaks: Sequence[int]) -> list[tuple[int | None, list[Block]]]:
    """The blocks cut after each page in `breaks`, each part with the unreadable page before it (None
    for the first part): what an unreadable page keeps joins what comes before it (a corrupt stream
    loses its end), what follows it starts anew."""
    segments: list[tuple[int | None, list[Block]]] = [(None, [])]
    for block in blocks:
        last = segments[-1][1]
        passed = [page for page in breaks if last and last[-1].page <= page < block.page]
        if passed:
            segments.append((passed[-1], []))
        segments[-1][1].append(block)
    return [(after, segment) for after, segment in segments if segment]


def table_runs(blocks: list[Block]) -> list[list[Block]]:
    """Consecutive tables with the same left and right edges share a run; title lines stand alone."""
    runs: list[list[Block]] = []
    for block in blocks:
        previous = runs[-1][-1] if runs else None
        if previous is not None and block.is_table and previous.is_table and same_edges(previous, block):
            runs[-1].append(block)
        else:
            runs.append([block])
    return runs


def same_edges(first: Block, second: Block) -> bool:
    """Same left and right edges, or every column edge of `second` is one of `first`'s."""
    (left_a, right_a), (left_b, right_b) = first.edges(), second.edges()
    if abs(left_a - left_b) <= EDGE_TOLERANCE and abs(right_a - right_b) <= EDGE_TOLERANCE:
        return True
    known = column_bounds([first])
    return all(any(abs(x - bound) <= EDGE_TOLERANCE for bound in known) for x in column_bounds([second]))


def regrid(run: list[Block]) -> list[tuple[list[str | None], int]]:
    """The rows of a run of tables on their common column boundaries.

    A cell's text goes to the column where it starts; the other columns it spans, and
    columns no cell of the row starts in (covered from a row above), are None.
    """
    if not run[0].is_table:
        return [(run[0].texts[0], run[0].page)]
    bounds = column_bounds(run)
    out = []
    for block in run:
        for texts_row, boxes_row in zip(block.texts, block.boxes, strict=True):
            row: list[str | None] = [None] * (len(bounds) - 1)
            for text, box in zip(texts_row, boxes_row, strict=True):
                if box is not None:
                    row[bound_index(bounds, box[0])] = text
            out.append((row, block.page))
    return out


def column_bounds(run: list[Block]) -> list[float]:
    """Every distinct vertical cell edge of the run, near-equal edges merged."""
    xs = sorted(x for block in run for row in block.boxes for box in row if box for x in (box[0], box[2]))
    bounds: list[float] = []
    for x in xs:
        if not bounds or x - bounds[-1] > EDGE_TOLERANCE:
            bounds.append(x)
    return bounds


def bound_index(bounds: list[float], x: float) -> int:
    """Index of the boundary nearest to `x` (a cell's left edge → its first column)."""
    nearest = min(range(len(bounds)), key=lambda index: abs(bounds[index] - x))
    return min(nearest, len(bounds) - 2)


# ---------------------------------------------------------------- findings


def flag_missing_cmap(form: Form) -> None:
    """A warning on a form some of whose text came out as (cid:…)."""
    if CID_MARK in json.dumps(form.to_record(), ensure_ascii=False):
        form.checks.append(Check(rule=PARSE_UNCERTAIN, severity=Severity.WARNING, message=texts.UNCERTAIN_CID))


def flag_unreadable_pages(forms: list[Form], unreadable_pages: list[int]) -> None:
    """A page_unreadable error on each form printed on an unreadable page, and on the form just
    before the page when its 总分 row was not reached. (The form after it: `blocks_to_forms`.)"""
    for page in unreadable_pages:
        before = [form for form in forms if form.source_pages and max(form.source_pages) < page]
        cut = [form for form in forms if page in form.source_pages]
        if before and before[-1].total_weight is None and before[-1].total_score is None:
            cut.append(before[-1])
        for form in cut:
            form.checks.append(page_unreadable(page))


def page_unreadable(page: int) -> Check:
    return Check(rule=PAGE_UNREADABLE, severity=Severity.ERROR, message=texts.PAGE_UNREADABLE.format(page=page))


def flag_scanned_pages(form: Form, scanned_pages: list[int]) -> None:
    """A file that mixes text pages with scanned ones: say which pages could not be read."""
    if scanned_pages:
        pages = "、".join(str(page) for page in scanned_pages)
        form.checks.append(Check(PARSE_UNCERTAIN, Severity.WARNING, texts.UNCERTAIN_SCANNED_PAGES.format(pages=pages)))
