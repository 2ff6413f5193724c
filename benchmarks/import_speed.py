"""Import speed on the sample PDFs, against one bare pdfplumber text pass over the same pages.

Prints forms/second for (a) parsing in this process with the project's reader and (b) the
whole import (worker processes, checks, DuckDB writes) into a fresh database, each as a
ratio to the baseline measured in the same run. Not a test: run it with `make bench`.

Then scans: seconds per scanned A4 page at 200 dpi (seed forms scanned as a copier does, tests/scan_factory.py),
read in this process (one page at a time) and through the parser pool (two workers, pages of two files at once),
beside the target (OCR_TARGET_SECONDS) and a baseline measured in the same run: RapidOCR's own whole-page
pipeline (text detection, orientation, recognition) on the same pages. `--ocr-only` runs this part alone.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.importing import importer  # noqa: E402
from dashboard.ingest.pdf import read_pdf  # noqa: E402
from dashboard.store import connect  # noqa: E402

PDF_FOLDERS = [ROOT / "data" / "samples", ROOT / "tests" / "fixtures" / "libreoffice"]
REPEATS = 3
OCR_PAGES = 6  # scanned seed forms, one A4 page each
OCR_TARGET_SECONDS = 3.0


def sample_pdfs() -> list[Path]:
    return sorted(p for folder in PDF_FOLDERS if folder.is_dir() for p in folder.glob("*.pdf"))


def bare_text_pass(paths: list[Path]) -> int:
    pages = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    return pages


def parse_only(paths: list[Path]) -> int:
    return sum(len(read_pdf(path, path.name)) for path in paths)


def full_import(paths: list[Path]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        con = connect.open_db(Path(folder) / "bench.duckdb")
        outcomes = importer.import_files(con, [(p, p.name) for p in paths])
        con.close()
    return sum(outcome.form_count for outcome in outcomes)


def timed(function, paths: list[Path]) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        count = function(paths)
        times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main() -> None:
    paths = sample_pdfs()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"files: {len(paths)} PDFs; median of {REPEATS} runs each")
    base_seconds, pages = timed(bare_text_pass, paths)
    parse_seconds, forms = timed(parse_only, paths)
    import_seconds, stored = timed(full_import, paths)
    print(
        f"baseline  pdfplumber extract_text: {pages} pages in {base_seconds:.2f} s ({pages / base_seconds:.1f} pages/s)"
    )
    print(f"parse     read_pdf in process:     {forms} forms in {parse_seconds:.2f} s "
          f"({forms / parse_seconds:.1f} forms/s, {parse_seconds / base_seconds:.2f}x baseline)")  # fmt: skip
    print(f"import    whole import to DuckDB:  {stored} forms in {import_seconds:.2f} s "
          f"({stored / import_seconds:.1f} forms/s, {import_seconds / base_seconds:.2f}x baseline)")  # fmt: skip


def scanned_pages(folder: Path) -> list[Path]:
    from tests import scan_factory

    copier = scan_factory.Copier(dpi=200, angle=1.0)
    return [
        scan_factory.write_scanned_pdf(scan_factory.seed_pdf(position), folder / f"scan_{position}.pdf", copier)
        for position in range(1, OCR_PAGES + 1)
    ]


def whole_page_baseline(paths: list[Path]) -> float:
    """Seconds per page of RapidOCR's whole-page pipeline (detection + orientation + recognition)."""
    import numpy as np
    import pypdfium2
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()
    times = []
    for path in paths:
        document = pypdfium2.PdfDocument(str(path))
        gray = document[0].render(scale=200 / 72, grayscale=True).to_numpy()
        document.close()
        image = np.stack([gray if gray.ndim == 2 else gray[:, :, 0]] * 3, axis=-1)
        start = time.perf_counter()
        engine(image)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ocr_in_process(paths: list[Path]) -> float:
    from dashboard.ingest import ocr_text
    from dashboard.ingest.pdf import read_pdf_file

    ocr_text.engine()  # loaded once per worker in use; not a page's cost
    times = []
    for path in paths:
        start = time.perf_counter()
        read_pdf_file(path, path.name)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ocr_through_pool(paths: list[Path]) -> float:
    from dashboard.ingest.files import SafeReader

    with SafeReader() as reader:
        list(reader.read_all([(path, path.name) for path in paths[:2]]))  # start the workers, load their models
        start = time.perf_counter()
        results = list(reader.read_all([(path, path.name) for path in paths]))
        seconds = time.perf_counter() - start
    assert all(result.error is None for result in results), [result.error for result in results]
    return seconds / len(paths)


def ocr_main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = scanned_pages(Path(folder))
        baseline = whole_page_baseline(paths)
        in_process = ocr_in_process(paths)
        pooled = ocr_through_pool(paths)
    print(f"ocr       scanned A4 page, 200 dpi: {len(paths)} pages; target < {OCR_TARGET_SECONDS:.0f} s per page")
    print(f"baseline  RapidOCR whole page:      {baseline:.2f} s per page (detection + orientation + recognition)")
    print(f"ocr       one page in process:      {in_process:.2f} s per page ({in_process / baseline:.2f}x baseline)")
    print(f"ocr       two workers, parallel:    {pooled:.2f} s per page ({pooled / baseline:.2f}x baseline)")


if __name__ == "__main__":
    if "--ocr-only" not in sys.argv:
        main()
    ocr_main()
