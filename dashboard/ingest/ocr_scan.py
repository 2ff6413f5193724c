"""Scanned files → forms: image files (.png .jpg .jpeg .tif .tiff) and the PDF pages without a text layer.

Each page is a raster: an image file's frames as they are (no larger than MAX_PIXELS: an image bomb is refused
before it is decoded), a PDF page rendered by pdfium at OCR_DPI. `ocr_image.read_page` turns a page into
blocks and cells; the blocks go to the PDF reader's `blocks_to_forms` (the one grid reader), and every form
printed on a scanned page is marked `read_by` "ocr" with the cells of its pages (`Form.ocr_cells`) and each
indicator's lowest cell confidence. Pages are read in parallel threads (the model and OpenCV release the GIL);
`PAGE_PROGRESS`, where the worker sets it, hears of each page read.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from dashboard.core import texts
from dashboard.core.model import Form, FormReadError
from dashboard.ingest import ocr_image, ocr_text
from dashboard.ingest.cells import join_wrapped, label_key

OCR_DPI = 200  # PDF pages are rendered at this resolution: 150 dpi reads as well; more only costs time
MAX_PIXELS = 40_000_000  # one page: A4 at 600 dpi is 35 million pixels; more is no scan of a form
MAX_IMAGE_PAGES = 200  # frames of one .tif
A4_WIDTH_POINTS = 595.3  # an image file that does not say its resolution is taken to be an A4 page wide
PAGE_THREADS = max(1, min(2, os.cpu_count() or 1))

# Set by the parser worker (ingest/files.py): called with (pages read, pages) after each scanned page.
PAGE_PROGRESS: Callable[[int, int], None] | None = None


def limit_pillow() -> None:
    """Pillow's own bomb guard at our limit (it warns above it and refuses at twice it)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def image_pages(path: Path) -> Iterator[tuple[np.ndarray, float]]:
    """(grey page, points per pixel) for each frame of an image file; FormReadError where it is too large,
    damaged, or no image."""
    from PIL import Image, ImageOps

    limit_pillow()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            image = Image.open(path)
    except Image.DecompressionBombError as error:
        raise FormReadError(texts.REASON_IMAGE_TOO_LARGE.format(limit=MAX_PIXELS // 10_000)) from error
    except Exception as error:  # not an image, or a header Pillow cannot parse
        raise FormReadError(texts.REASON_IMAGE_DAMAGED, f"{type(error).__name__}: {error}"[:200]) from error
    with image:
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_IMAGE_PAGES:
            raise FormReadError(texts.REASON_IMAGE_TOO_MANY_PAGES.format(limit=MAX_IMAGE_PAGES))
        for frame in range(frames):
            try:
                image.seek(frame)
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise FormReadError(texts.REASON_IMAGE_TOO_LARGE.format(limit=MAX_PIXELS // 10_000))
                gray = np.asarray(ImageOps.exif_transpose(image).convert("L"))
            except FormReadError:
                raise
            except MemoryError:
                raise
            except Exception as error:  # truncated data, a bad compression stream
                raise FormReadError(texts.REASON_IMAGE_DAMAGED, f"{type(error).__name__}: {error}"[:200]) from error
            dpi = image.info.get("dpi")
            per_pixel = 72 / float(dpi[0]) if dpi and float(dpi[0]) > 30 else A4_WIDTH_POINTS / gray.shape[1]
            yield gray, per_pixel


def pdf_pages(path: Path, numbers: list[int]) -> Iterator[tuple[int, np.ndarray | None, float]]:
    """(page, grey page or None where it is too large to render, points per pixel) for the given pages."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        for number in numbers:
            page = document[number - 1]
            try:
                width, height = page.get_size()
                scale = OCR_DPI / 72
                if width * height * scale * scale > MAX_PIXELS:
                    yield number, None, 0.0
                    continue
                bitmap = page.render(scale=scale, grayscale=True)
                gray = bitmap.to_numpy().copy()
                if gray.ndim == 3:
                    gray = gray[:, :, 0]
                yield number, gray, 1 / scale
            finally:
                page.close()
    finally:
        document.close()


def read_pages(pages: Iterator[tuple[int, np.ndarray | None, float]], total: int) -> list[ocr_image.ScanPage]:
    """Each page read, in parallel threads (at most two pages rendered ahead), in page order. A page too large to
    render gives a ScanPage with no tables."""
    ocr_text.engine()  # load the model once, before the threads share it
    if PAGE_PROGRESS is not None:
        PAGE_PROGRESS(0, total)  # OCR starts: from now on the file is timed page by page (files.OCR_PAGE_SECONDS)
    done: list[ocr_image.ScanPage] = []
    with ThreadPoolExecutor(PAGE_THREADS, thread_name_prefix="ocr-page") as pool:
        pending: list[Future] = []

        def collect(future: Future) -> None:
            done.append(future.result())
            if PAGE_PROGRESS is not None:
                PAGE_PROGRESS(len(done), total)

        for number, gray, per_pixel in pages:
            if gray is None:
                done.append(ocr_image.ScanPage(page=number, too_large=True))
                continue
            pending.append(pool.submit(ocr_image.read_page, gray, number, per_pixel))
            while len(pending) > PAGE_THREADS:
                collect(pending.pop(0))
        for future in pending:
            collect(future)
    return sorted(done, key=lambda scan: scan.page)


def mark_forms(forms: list[Form], scans: list[ocr_image.ScanPage], blocks: list) -> None:
    """Forms printed on a scanned page: read_by "ocr", the cells of those pages, each indicator's confidence (the
    lowest of the cells in its row), and the blocks of the form's pages (text pages' too), read again when a person
    corrects a cell."""
    scanned = {scan.page: scan for scan in scans}
    for form in forms:
        pages = [page for page in form.source_pages if page in scanned]
        if not pages:
            continue
        form.read_by = "ocr"
        form.ocr_cells = [cell for page in pages for cell in scanned[page].cells]
        form.ocr_blocks = [block_record(block) for block in blocks if block.page in form.source_pages]
        for row in form.indicators:
            row.ocr_confidence = row_confidence(form.ocr_cells, row.name)


def block_record(block) -> dict:
    """A pdf.Block as plain data (JSON): what importing/ocr_confirm.py reads again."""
    return {"page": block.page, "top": block.top, "texts": block.texts, "boxes": block.boxes}


def row_confidence(cells: list, name: str) -> float | None:
    """The lowest confidence of the cells in the row whose cell reads `name` (None where no cell does)."""
    key = label_key(join_wrapped(name))
    homes = [cell for cell in cells if key and label_key(join_wrapped(cell.text)) == key]
    if not homes:
        return None
    home = homes[0]
    row = [cell for cell in cells if cell.page == home.page and home.box[1] <= centre(cell) < home.box[3]]
    return min(cell.confidence for cell in row)


def centre(cell) -> float:
    return (cell.box[1] + cell.box[3]) / 2


def scan_problem(scans: list[ocr_image.ScanPage]) -> str:
    """Why scanned pages gave no form: too large, no ruled table, or a table that is no 自评表."""
    if scans and all(scan.too_large for scan in scans):
        return texts.REASON_IMAGE_TOO_LARGE.format(limit=MAX_PIXELS // 10_000)
    if not any(scan.grids for scan in scans):
        return texts.REASON_SCAN_NO_GRID
    return texts.REASON_SCAN_NOT_A_FORM


def read_image_file(path: Path, source_file: str):
    """Every form in an image file (a page per frame): a pdf.PdfRead."""
    from dashboard.ingest import pages as page_kinds
    from dashboard.ingest.grid import shows_form
    from dashboard.ingest.pdf import PdfRead, blocks_to_forms

    frames = ((number, gray, per_pixel) for number, (gray, per_pixel) in enumerate(image_pages(path), start=1))
    scans = read_pages(frames, total=0)
    blocks = [block for scan in scans for block in scan.blocks]
    try:
        forms = blocks_to_forms(blocks, source_file)
    except Exception as exc:  # a bug in the grid reading must not look like a crash of the app
        raise FormReadError(texts.REASON_INTERNAL, f"{type(exc).__name__}: {exc}") from exc
    if not forms:
        raise FormReadError(scan_problem(scans))
    mark_forms(forms, scans, blocks)
    used = {page for form in forms for page in form.source_pages}
    skipped = {}
    for scan in scans:
        if scan.page in used:
            continue
        if not scan.tables:
            skipped[scan.page] = page_kinds.PageKind.SCANNED
        elif shows_form([row for block in scan.blocks for row in block.texts]):
            skipped[scan.page] = page_kinds.PageKind.FORM_UNREAD
        else:
            skipped[scan.page] = page_kinds.PageKind.OTHER_TABLE
    return PdfRead(forms, [], skipped)
