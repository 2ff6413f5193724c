"""A 4,000-form Word document: the parser worker's peak memory, and how long a page read waits meanwhile.

Builds a .docx of FORMS distinct forms (tests/office_factory.py's Word layout, demo forms), then
  1. parses it in a real parser worker (files.SafeReader) and prints the worker's peak RSS against
     the target (a quarter of the worker's cap), and
  2. imports it from the command line (`python -m dashboard import`, another process), then as the
     导入 page does (import_page.run_import, in this process), while this process reads the database as
     the pages do (db.cursor), one read every READ_EVERY seconds, and prints the longest a read waited
     against the target (READ_TARGET_SECONDS).
Not a test (it takes minutes): `.venv/bin/python benchmarks/big_docx.py [--forms N] [--keep FILE]`.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.importing import demo  # noqa: E402
from dashboard.ingest import files  # noqa: E402
from dashboard.store import connect, schema  # noqa: E402
from tests import office_factory  # noqa: E402

FORMS = 4000
DISTINCT = 40  # forms made by python-docx; the rest are copies of their XML with the project name numbered
MEMORY_TARGET_BYTES = files.WORKER_MEMORY_BYTES // 2 // 4  # a quarter of one worker's cap (2 workers)
READ_TARGET_SECONDS = 1.0
READ_EVERY = 0.25
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def demo_records(count: int, seed: int = 7) -> list[dict]:
    """`count` demo forms as form-json records, each project name numbered so that no two are the same."""
    rng = random.Random(seed)
    orgs = demo.organisations(rng)
    records = []
    for number in range(count):
        form = demo.make_form(rng, number, seed, orgs, set(), "big.docx")
        form.project_name = f"{form.project_name}{number:04d}"
        records.append(form.to_record())
    return records


def write_big_docx(path: Path, forms: int = FORMS, distinct: int = DISTINCT) -> Path:
    """A Word document with `forms` forms: `distinct` made by office_factory, copied with new project names."""
    records = demo_records(min(forms, distinct))
    office_factory.docx_document(records, path)
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(f"{_W}body")
    section = body[-1] if body[-1].tag == f"{_W}sectPr" else None
    originals = [child for child in body if child is not section]
    names = {record["project_name"] for record in records}
    for copy_number in range(1, -(-forms // len(records))):  # forms rounded up to a multiple of `distinct`
        for child in originals:
            duplicate = copy.deepcopy(child)
            for text in duplicate.iter(f"{_W}t"):
                if text.text in names:
                    text.text = f"{text.text}-{copy_number:03d}"
            if section is not None:
                section.addprevious(duplicate)
            else:
                body.append(duplicate)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def worker_peak(path: Path) -> tuple[int, float, int]:
    """(forms, seconds, the parser worker's peak RSS in bytes) for one parse in a real worker."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    with files.SafeReader(workers=1, timeout=1800) as reader:
        (result,) = reader.read_all([(path, path.name)])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # kB on Linux; children now reaped
    if result.error:
        raise SystemExit(f"the document did not parse: {result.error}")
    if peak <= before * 1024:
        print("note: an earlier child had a higher peak; the figure below is that earlier peak")
    return len(result.forms), seconds, peak


def reads_during_cli_import(path: Path, database: Path) -> tuple[float, int, float, int]:
    """Import `path` with the command line (another process) while reading as the pages do."""
    connect.open_db(database).close()
    os.environ[connect.DB_ENV_VAR] = str(database)
    command = [sys.executable, "-m", "dashboard", "import", "--db", str(database), "--year", "2022", str(path)]
    importer = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    figures = reads_while(importer.wait)
    if importer.returncode not in (0, 1):
        raise SystemExit(f"the import failed: {importer.stderr.read()[-2000:]}")
    return figures


def reads_during_app_import(path: Path, database: Path) -> tuple[float, int, float, int]:
    """Import `path` as the 导入 page does (in this process) while reading as the other sessions' pages do."""
    from dashboard.importing.importer import ImportOptions
    from dashboard.ui.pages import import_page

    connect.open_db(database).close()
    os.environ[connect.DB_ENV_VAR] = str(database)
    upload = [(path.name, path.read_bytes())]
    return reads_while(lambda: import_page.run_import(upload, ImportOptions(year=2022)))


def reads_while(work) -> tuple[float, int, float, int]:
    """Run `work` in a thread and read as the pages do (db.cursor) every READ_EVERY seconds until it ends:
    (seconds, reads, the longest a reader waited for an answer, reads refused). A refused read is tried
    again; its wait counts from the first refused try to the answer."""
    from dashboard.ui import db

    done = threading.Event()
    threading.Thread(target=lambda: (work(), done.set()), daemon=True).start()
    started = time.monotonic()
    reads = refused = 0
    longest = 0.0
    waiting_since: float | None = None
    while not done.is_set():
        began = time.monotonic()
        reads += 1
        try:
            with db.cursor() as cur:
                cur.execute("SELECT count(*) FROM forms").fetchone()
        except schema.StoreError:
            refused += 1
            waiting_since = waiting_since or began
        else:
            longest = max(longest, time.monotonic() - (waiting_since or began))
            waiting_since = None
        done.wait(READ_EVERY)
    if waiting_since is not None:
        longest = max(longest, time.monotonic() - waiting_since)
    return time.monotonic() - started, reads, longest, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=FORMS)
    parser.add_argument("--keep", type=Path, help="write the document here (and reuse it if it exists)")
    parser.add_argument("--skip-import", action="store_true", help="only the memory figure")
    parser.add_argument("--skip-memory", action="store_true", help="only the reads during an import")
    args = parser.parse_args()
    print(f"load: {Path('/proc/loadavg').read_text().strip()}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "big.docx"
        if not path.exists():
            started = time.perf_counter()
            write_big_docx(path, args.forms)
            print(f"document: {args.forms} forms, {path.stat().st_size / 1e6:.1f} MB, made in "
                  f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        if not args.skip_memory:
            report_memory(path)
        if args.skip_import:
            return
        for name, measure in (("command-line", reads_during_cli_import), ("导入 page", reads_during_app_import)):
            seconds, reads, longest, refused = measure(path, Path(folder) / f"{name}.duckdb")
            verdict = "ok" if longest <= READ_TARGET_SECONDS and not refused else "OVER"
            print(f"reads during the {name} import ({seconds:.1f} s): {reads} reads, longest {longest:.2f} s, "
                  f"{refused} refused (target ≤ {READ_TARGET_SECONDS:.1f} s, none refused): {verdict}")  # fmt: skip
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"this process (the app's side of the 导入 page import, with the readers): peak RSS {peak:.0f} MiB")


def report_memory(path: Path) -> None:
    forms, seconds, peak = worker_peak(path)
    verdict = "ok" if peak <= MEMORY_TARGET_BYTES else "OVER"
    print(f"parse: {forms} forms in {seconds:.1f} s; worker peak RSS {peak / 2**20:.0f} MiB "
          f"(target ≤ {MEMORY_TARGET_BYTES / 2**20:.0f} MiB, cap {files.WORKER_MEMORY_BYTES // 2 / 2**20:.0f} MiB)"
          f": {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
