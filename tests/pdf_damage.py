"""Damaged copies of real PDFs: bytes flipped inside one stream, or the file cut short.

The streams are found with pdfminer's parser (which object is page N's content stream, or a
font's ToUnicode map); the damage is then done on the file's bytes, as a bad disk or a broken
download would do it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1


def page_content_objids(path: Path) -> list[int]:
    """Object id of each page's (first) content stream, page 1 first."""
    with path.open("rb") as handle:
        document = PDFDocument(PDFParser(handle))
        ids = []
        for page in PDFPage.create_pages(document):
            contents = page.attrs["Contents"]
            first = contents[0] if isinstance(contents, list) else contents
            ids.append(first.objid)
        return ids


def to_unicode_objid(path: Path, font_name: str, page: int = 1) -> int:
    """Object id of the ToUnicode map of the font the page's resources call `font_name` ("F1")."""
    with path.open("rb") as handle:
        document = PDFDocument(PDFParser(handle))
        for number, pdf_page in enumerate(PDFPage.create_pages(document), start=1):
            if number == page:
                fonts = resolve1(resolve1(pdf_page.resources)["Font"])
                return resolve1(fonts[font_name])["ToUnicode"].objid
    raise ValueError(f"no page {page}")


def object_body(data: bytes, objid: int) -> int:
    """Offset just after "N 0 obj" of object `objid` in the file."""
    header = re.search(rb"(?<![0-9])%d 0 obj" % objid, data)
    if header is None:
        raise ValueError(f"object {objid} not found")
    return header.end()


def stream_span(data: bytes, objid: int) -> tuple[int, int]:
    """(start, end) of the raw bytes of object `objid`'s stream in the file."""
    body = object_body(data, objid)
    start = data.index(b"stream", body) + len(b"stream")
    start += 2 if data[start : start + 2] == b"\r\n" else 1
    return start, data.index(b"endstream", start)


def flip_stream_bytes(source: Path, target: Path, objid: int, fraction: float, count: int = 2) -> Path:
    """A copy of `source` with `count` bytes inverted at `fraction` of object `objid`'s stream."""
    data = bytearray(source.read_bytes())
    start, end = stream_span(bytes(data), objid)
    at = start + int((end - start) * fraction)
    for offset in range(count):
        data[at + offset] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def page_objids(path: Path) -> list[int]:
    """Object id of each page's dictionary, page 1 first."""
    with path.open("rb") as handle:
        return [page.pageid for page in PDFPage.create_pages(PDFDocument(PDFParser(handle)))]


def blank_page_object(source: Path, target: Path, page: int) -> Path:
    """A copy of `source` whose page `page` dictionary is overwritten with spaces, size and offsets kept (a
    zeroed disk block): the page tree still counts the page, but its leaf is no page any more."""
    data = bytearray(source.read_bytes())
    objid = page_objids(source)[page - 1]
    body = object_body(bytes(data), objid)
    end = data.index(b"endobj", body)
    data[body:end] = b" " * (end - body)
    target.write_bytes(bytes(data))
    return target


def damage_page(source: Path, target: Path, page: int, fraction: float, count: int = 2) -> Path:
    """A copy of `source` whose page `page` (1-based) has bytes flipped inside its compressed content."""
    return flip_stream_bytes(source, target, page_content_objids(source)[page - 1], fraction, count)


def cut_in_page(source: Path, target: Path, page: int, fraction: float = 0.5) -> Path:
    """A copy of `source` that ends `fraction` of the way through page `page`'s content stream."""
    data = source.read_bytes()
    start, end = stream_span(data, page_content_objids(source)[page - 1])
    target.write_bytes(data[: start + int((end - start) * fraction)])
    return target


def zero_font_widths(source: Path, target: Path, nth: int) -> Path:
    """A copy of `source` whose `nth` (0-based) /Widths array has every width overwritten with 0, size and
    offsets kept (as a zeroed disk block does): the font's glyphs are drawn with no width."""
    data = bytearray(source.read_bytes())
    start = [match.end() for match in re.finditer(rb"/Widths\s*\[", bytes(data))][nth]
    end = data.index(b"]", start)
    data[start:end] = re.sub(rb"[0-9.]+", lambda number: b"0".ljust(len(number.group())), bytes(data[start:end]))
    target.write_bytes(bytes(data))
    return target


def shift_offsets(source: Path, target: Path) -> Path:
    """A copy of `source` with a comment line inserted after the header: every offset of the cross-reference
    table now points a few bytes off (a block repeated by a bad copy), and readers must rebuild it."""
    data = source.read_bytes()
    first_line = data.index(b"\n") + 1
    target.write_bytes(data[:first_line] + b"%" + b"x" * 40 + b"\n" + data[first_line:])
    return target


def damage_filter_key(source: Path, target: Path, page: int) -> Path:
    """A copy of `source` whose page `page` content stream has two bytes of its /Filter key flipped (as a bad disk
    does): the stream is then read as if uncompressed."""
    data = bytearray(source.read_bytes())
    objid = page_content_objids(source)[page - 1]
    body = object_body(bytes(data), objid)
    at = data.index(b"/Filter", body) + 1
    data[at] ^= 0xFF
    data[at + 1] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def damage_stream_keyword(source: Path, target: Path, page: int) -> Path:
    """A copy of `source` whose page `page` content object has a byte of its "stream" keyword flipped: pdfminer
    no longer sees a stream there, and the page would look blank."""
    data = bytearray(source.read_bytes())
    objid = page_content_objids(source)[page - 1]
    body = object_body(bytes(data), objid)
    data[data.index(b"stream", body) + 1] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def damage_dictionary_end(source: Path, target: Path, page: int) -> Path:
    """A copy of `source` whose page `page` content stream has the last bytes of its dictionary flipped
    ("/FlateDecode>>" → "/FlateDeco\x9b\x9a\xc1>"): pdfminer parses the dictionary as empty, with no /Length and
    no data, and the page would look blank (fuzz seed 2031)."""
    data = bytearray(source.read_bytes())
    objid = page_content_objids(source)[page - 1]
    body = object_body(bytes(data), objid)
    end = data.index(b">>", body)
    for at in range(end - 2, end + 1):
        data[at] ^= 0xFF
    target.write_bytes(bytes(data))
    return target
