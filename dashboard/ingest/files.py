"""Which reader for which file, and reading untrusted files safely.

Every file is checked (exists, extension, empty, size) before any parser sees it, then
parsed in a worker process with a time limit and a memory cap: a hostile or broken
PDF can hang or balloon pdfminer, and that must cost one file, not the whole import.
Whatever goes wrong comes back as a `ReadResult` with a Chinese reason, never as an
exception.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import Any

from dashboard.core import texts
from dashboard.core.model import Form, FormReadError
from dashboard.ingest import consistency, pages
from dashboard.ingest.legacy import SUFFIXES as LEGACY_SUFFIXES
from dashboard.ingest.legacy import WEB_SUFFIXES

MAX_FILE_BYTES = 50 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")  # scans and photos, read by OCR (ingest/ocr_scan.py)
# .xls/.et/.doc/.wps and web pages are read by what their content is (ingest/legacy.py).
SUPPORTED_SUFFIXES = (".pdf", ".txt", ".xlsx", ".docx", *IMAGE_SUFFIXES, *LEGACY_SUFFIXES)
PARSE_TIMEOUT_SECONDS = 120
# A file being read by OCR is timed page by page: each scanned page may take this long (a 200 dpi A4 page takes
# 3–10 s on an idle 2-core machine, and more than 120 s was seen with ten other processes on the two cores).
OCR_PAGE_SECONDS = 300
# The memory cap of all parser workers together; each worker gets its share (cap ÷ workers).
WORKER_MEMORY_BYTES = 4 * 1024**3
# glibc's malloc arenas in a worker. By default each thread that allocates (the two OCR page threads, new for every
# file, and onnxruntime's) may get its own arena, up to eight per core, each reserving 64 MiB heaps that stay
# mapped: over twenty scanned files a worker's address space grew to its 2 GiB cap (onnxruntime std::bad_alloc).
WORKER_MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # mallopt's option number (glibc's malloc.h)
WATCHDOG_SECONDS = 0.5  # how often a worker checks that the process that started it is still alive
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class ReadResult:
    """What reading one file gave: its forms, or the reason it could not be read."""

    path: Path
    source_file: str
    forms: list[Form] = field(default_factory=list)
    error: str | None = None  # Chinese reason, None on success
    # page (1-based) → why it holds no form
    skipped_pages: dict[int, pages.PageKind] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # Chinese, for the file's line (macros not run …)

    @property
    def unreadable_pages(self) -> list[int]:
        """PDF pages that could not be decoded."""
        return pages.pages_of(self.skipped_pages, pages.PageKind.UNREADABLE)


def precheck(path: Path) -> str | None:
    """A reason to refuse the file before parsing, or None."""
    if not path.is_file():
        return texts.REASON_NOT_FOUND
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return texts.REASON_UNSUPPORTED
    size = path.stat().st_size
    if size == 0:
        return texts.REASON_EMPTY
    if size > MAX_FILE_BYTES:
        too_large = texts.REASON_WEB_TOO_LARGE if path.suffix.lower() in WEB_SUFFIXES else texts.REASON_TOO_LARGE
        return too_large.format(limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    return None


def parse_file(path: Path, source_file: str) -> ReadResult:
    """Parse one checked file in this process: its forms and unreadable pages; raises FormReadError. The
    checks every reader shares (ingest/consistency.py) add their findings to the forms."""
    result = _read_file(path, source_file)
    read_by = "text" if path.suffix.lower() == ".txt" else path.suffix.lower().lstrip(".")
    for form in result.forms:
        form.read_by = form.read_by or read_by  # "ocr" set by the scan reader, else the file's kind
    consistency.check_forms(result.forms)
    return result


def _read_file(path: Path, source_file: str) -> ReadResult:
    if path.suffix.lower() == ".pdf":
        from dashboard.ingest.pdf import read_pdf_file

        read = read_pdf_file(path, source_file)
        return ReadResult(path, source_file, forms=read.forms, skipped_pages=read.skipped_pages)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        from dashboard.ingest.ocr_scan import read_image_file

        read = read_image_file(path, source_file)
        return ReadResult(path, source_file, forms=read.forms, skipped_pages=read.skipped_pages)
    if path.suffix.lower() in (".xlsx", ".docx"):
        from dashboard.ingest.office import read_docx, read_xlsx

        reader = read_xlsx if path.suffix.lower() == ".xlsx" else read_docx
        return ReadResult(path, source_file, forms=reader(path, source_file))
    if path.suffix.lower() in LEGACY_SUFFIXES:
        from dashboard.ingest.legacy import read_legacy

        forms, notes = read_legacy(path, source_file)
        return ReadResult(path, source_file, forms=forms, notes=notes)
    from dashboard.ingest.text import read_text

    return ReadResult(path, source_file, forms=read_text(decode_text(path.read_bytes()), source_file))


def decode_text(data: bytes) -> str:
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormReadError(texts.REASON_UNREADABLE_TEXT)


def _start_worker(memory_bytes: int, parent_pid: int, progress=None) -> None:
    """Worker initializer: cap this worker's memory, end it when the process that started it dies, and report each
    scanned page read (OCR) on the `progress` queue: (path, pages read, pages)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    _limit_malloc_arenas(WORKER_MALLOC_ARENAS)
    threading.Thread(target=_end_with_parent, args=(parent_pid,), daemon=True, name="parent-watchdog").start()
    global _PROGRESS
    _PROGRESS = progress


def _limit_malloc_arenas(arenas: int) -> None:
    """At most `arenas` glibc malloc arenas in this process (mallopt M_ARENA_MAX); nothing where the C library is
    not glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):  # musl, macOS: no mallopt, or no such option
        pass


_PROGRESS = None  # in a worker: the queue its page progress goes to (a multiprocessing queue), None elsewhere


def _report_pages(path_text: str):
    """The ocr_scan.PAGE_PROGRESS hook of a worker parsing `path_text`."""
    queue = _PROGRESS
    if queue is None:
        return None
    return lambda done, total: queue.put((path_text, done, total))


def _end_with_parent(parent_pid: int) -> None:
    """A killed import (or server) must not leave parsers running: once the parent is gone, exit.

    The parent's death re-parents this process, so os.getppid() changes. (PR_SET_PDEATHSIG would
    fire when the parent *thread* that started the worker ends, which under Streamlit is not the
    parent process ending.)
    """
    while os.getppid() == parent_pid:
        time.sleep(WATCHDOG_SECONDS)
    # What a terminated pool sends: a reader running a program of its own (LibreOffice) ends it on SIGTERM.
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(WATCHDOG_SECONDS * 4)
    os._exit(1)


def _caused_by_memory(error: BaseException) -> bool:
    """True when a MemoryError is anywhere in the error's causes (pdfminer wraps them as damage)."""
    from dashboard.ingest.pdf import error_chain

    return any(isinstance(cause, MemoryError) for cause in error_chain(error))


def _parse_in_worker(path_text: str, source_file: str) -> tuple[str, object]:
    """Runs in the worker: ("ok", ReadResult) or ("error", reason). Never raises."""
    from dashboard.ingest import ocr_scan

    ocr_scan.PAGE_PROGRESS = _report_pages(path_text)
    try:
        return "ok", parse_file(Path(path_text), source_file)
    except FormReadError as error:
        return "error", texts.REASON_TOO_MUCH_MEMORY if _caused_by_memory(error) else str(error)
    except MemoryError:
        return "error", texts.REASON_TOO_MUCH_MEMORY
    except Exception as error:  # a parser bug must cost one file, with a reason, not the import
        return "error", f"{texts.REASON_INTERNAL}（{type(error).__name__}: {error}）"


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start workers without re-running the main script.

    A "spawn" worker re-runs `sys.modules["__main__"]` to set itself up; under `streamlit run`
    (or AppTest) that is the app script, which would draw pages and open the database in every
    worker. The workers need only this module, so the main module is hidden while they start.
    """
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    """A spawned worker that starts with the main module hidden, also when the pool replaces one."""

    def start(self) -> None:
        with _main_module_hidden():
            super().start()


class _WorkerContext(multiprocessing.context.SpawnContext):
    Process = _WorkerProcess


class SafeReader:
    """A pool of worker processes that parse files with a time limit and a memory cap."""

    def __init__(
        self,
        workers: int | None = None,
        timeout: float = PARSE_TIMEOUT_SECONDS,
        memory_bytes: int = WORKER_MEMORY_BYTES,
        on_page: Callable[[str, int, int], None] | None = None,
    ):
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        self.timeout = timeout  # seconds a file may take; one read by OCR gets OCR_PAGE_SECONDS anew for each page
        self.memory_bytes = memory_bytes  # for all workers together
        self.on_page = on_page  # (source_file, pages read, pages) for each scanned page read by OCR
        self._pool: Pool | None = None
        self._pool_size = 0  # the workers the pool was started with
        self._progress: Any = None  # the workers' page-progress queue (a multiprocessing SimpleQueue)
        self._last_page: dict[str, float] = {}  # path → when its worker last reported a page
        self._names: dict[str, str] = {}  # path → the name shown for it

    def __enter__(self) -> SafeReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._progress is not None:
            self._progress.close()
            self._progress = None

    def _ensure_pool(self, files: int) -> Pool:
        """The pool, with a worker per file up to `workers`: a worker that would get no file is not started (each
        start costs about half a second of CPU, which importers running side by side share). A pool smaller than
        `files` now asks for is started again; each worker keeps its share of the memory cap either way."""
        wanted = max(1, min(self.workers, files))
        if self._pool is not None and self._pool_size < wanted:
            self.close()
        if self._pool is None:
            share = self.memory_bytes // self.workers
            context = _WorkerContext()
            self._progress = context.SimpleQueue()  # put writes to the pipe at once: no report trails the result
            self._pool = context.Pool(wanted, initializer=_start_worker, initargs=(share, os.getpid(), self._progress))
            self._pool_size = wanted
        return self._pool

    def _result(self, job, path: Path, source_file: str) -> tuple[str, Any]:
        """The job's result; multiprocessing.TimeoutError once the file has had `timeout` seconds since it was
        waited for or since its last scanned page was read, whichever is later."""
        started = time.monotonic()
        while True:
            try:
                result = job.get(WATCHDOG_SECONDS)
                self._take_progress()
                return result
            except multiprocessing.TimeoutError:
                self._take_progress()
                last = max(started, self._last_page.get(str(path), started))
                limit = max(self.timeout, OCR_PAGE_SECONDS) if str(path) in self._last_page else self.timeout
                if time.monotonic() - last > limit:
                    raise

    def _take_progress(self) -> None:
        """Drain the page reports the workers sent: note when each file last read a page, tell `on_page`."""
        while self._progress is not None:
            try:
                if self._progress.empty():
                    return
                path_text, done, total = self._progress.get()
            except (OSError, EOFError):
                return
            self._last_page[path_text] = time.monotonic()
            if self.on_page is not None:
                self.on_page(self._names.get(path_text, Path(path_text).name), done, total)

    def read_all(self, files: list[tuple[Path, str]]) -> Iterator[ReadResult]:
        """Read (path, source_file) pairs, yielding results in the given order.

        Files are parsed two at a time on two cores, the largest file started first (`_start_order`).
        A file that overruns the time limit is reported and the pool restarted; the files queued
        behind it are parsed again.
        """
        pending = list(files)
        while pending:
            submitted = self._submit(pending)
            pending = []
            for index, (path, source_file, job) in enumerate(submitted):
                if isinstance(job, ReadResult):
                    yield job
                    continue
                try:
                    status, payload = self._result(job, path, source_file)
                except multiprocessing.TimeoutError:
                    self.close()
                    yield ReadResult(path, source_file, error=texts.REASON_TIMEOUT.format(seconds=self.timeout))
                    pending = [(p, s) for p, s, _ in submitted[index + 1 :]]
                    break
                if status == "ok":
                    yield payload
                else:
                    yield ReadResult(path, source_file, error=payload)

    def _submit(self, files: list[tuple[Path, str]]) -> list[tuple[Path, str, ReadResult | AsyncResult]]:
        """Queue the files that pass the precheck; the list keeps the given order, with a job or a result."""
        checked = [(path, source_file, precheck(path)) for path, source_file in files]
        queued = [index for index, (_, _, reason) in enumerate(checked) if reason is None]
        jobs: dict[int, AsyncResult] = {}
        for index in self._start_order(queued, [checked[i][0] for i in queued]):
            path, source_file, _ = checked[index]
            jobs[index] = self._ensure_pool(len(queued)).apply_async(_parse_in_worker, (str(path), source_file))
            self._names[str(path)] = source_file
        return [
            (path, source_file, jobs[index] if reason is None else ReadResult(path, source_file, error=reason))
            for index, (path, source_file, reason) in enumerate(checked)
        ]

    def _start_order(self, queued: list[int], paths: list[Path]) -> list[int]:
        """The order the queued files start in: the largest (workers − 1) files first, then the rest as given.

        A large file at the end of the list would be parsed alone while the other workers idle;
        started first, it is parsed alongside the others. One worker at least is left to the
        files in the given order, so each file starts by the time its turn comes to be collected
        and its time limit still counts its own parse, not the wait for a large file.
        """
        sizes = [path.stat().st_size for path in paths]
        first = sorted(range(len(queued)), key=lambda position: -sizes[position])[: self.workers - 1]
        return [queued[position] for position in first] + [
            index for position, index in enumerate(queued) if position not in first
        ]


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to the files of the types read (sorted, recursive)."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            expanded.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            )
        else:
            expanded.append(path)
    return expanded
