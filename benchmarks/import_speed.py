"""Import speed on the sample PDFs, against one bare pdfplumber text pass over the same pages.

Prints forms/second for (a) parsing in this process with the project's reader and (b) the
whole import (worker processes, checks, DuckDB writes) into a fresh database, each as a
ratio to the baseline measured in the same run. Not a test: run it with `make bench`.
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


if __name__ == "__main__":
    main()
