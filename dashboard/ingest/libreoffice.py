"""Old Word, WPS and Excel files LibreOffice converts (.doc, .wps, .et, a .xls xlrd cannot read), read as
.docx/.xlsx by ingest/office.py.

The conversion runs inside the parser worker (ingest/files.py: its memory cap holds for LibreOffice too) as
`soffice --headless --convert-to docx|xlsx` with:

- a private profile folder made for this one conversion (`-env:UserInstallation`): two workers convert at
  once without meeting, and no user's LibreOffice settings, macros or recent files are read or changed;
- the source copied under a plain name into that folder (the name a user gave is never on a command line);
- its own time limit (`CONVERT_TIMEOUT_SECONDS`, below the worker's): LibreOffice runs in a process group of
  its own, killed whole on timeout, and also when the worker is ended (SIGTERM from the pool, or its parent
  gone) while it converts;
- macros never run: LibreOffice's default security runs no document macro, and headless conversion has
  nobody to allow one.

Where LibreOffice is not installed the file's message says so and how to install it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from dashboard.core import texts
from dashboard.core.model import FormReadError

CONVERT_TIMEOUT_SECONDS = 90  # below the parse worker's limit (files.PARSE_TIMEOUT_SECONDS), so that this one says why
TIMEOUT_ENV = "DASHBOARD_SOFFICE_TIMEOUT"  # seconds, to change the limit (tests set a tiny one)
COMMANDS = ("soffice", "libreoffice")
WORD, SPREADSHEET = "docx", "xlsx"


def soffice() -> str | None:
    """LibreOffice's command on PATH, or None where it is not installed."""
    return next((found for name in COMMANDS if (found := shutil.which(name))), None)


def timeout_seconds() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV, "")) or CONVERT_TIMEOUT_SECONDS
    except ValueError:
        return CONVERT_TIMEOUT_SECONDS


@contextlib.contextmanager
def converted(path: Path, target: str, source_suffix: str, shown_suffix: str) -> Iterator[Path]:
    """The file converted to `target` ("docx" or "xlsx") in a private folder, removed afterwards.

    `source_suffix` is the suffix LibreOffice is shown (what the content is: ".doc", ".xls", ".rtf" …);
    `shown_suffix` the file's own, for the messages. Raises FormReadError: LibreOffice missing, timed out,
    or unable to open the file.
    """
    command = soffice()
    if command is None:
        raise FormReadError(texts.REASON_NO_LIBREOFFICE.format(suffix=shown_suffix))
    with tempfile.TemporaryDirectory(prefix="jixiao-soffice-") as folder:
        work = Path(folder)
        source = work / f"source{source_suffix}"
        shutil.copyfile(path, source)
        seconds = timeout_seconds()
        result = convert_in(command, work, source, target, seconds)
        if result is None:
            raise FormReadError(texts.REASON_CONVERT_TIMEOUT.format(suffix=shown_suffix, seconds=_plain(seconds)))
        if not result.is_file() or result.stat().st_size == 0:
            raise FormReadError(texts.REASON_CONVERT_FAILED.format(suffix=shown_suffix))
        yield result


def convert_in(
    command: str, work: Path, source: Path, target: str, seconds: float, env: dict[str, str] | None = None
) -> Path | None:
    """`source` (a file in the private folder `work`) converted by LibreOffice to `target` ("docx", "pdf" …)
    with a profile of its own in `work`: the converted file's path (check that it exists: LibreOffice says
    nothing when it cannot open a file), or None where it overran `seconds`. Also used by the report's PDF
    (outputs/report_pdf.py), with `env` naming its font stand-ins."""
    out = work / "out"
    arguments = [
        command,
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(out),
        str(source),
    ]
    if not _run(arguments, work, seconds, env):
        return None
    return out / f"{source.stem}.{target}"


def _run(arguments: list[str], home: Path, seconds: float, env: dict[str, str] | None = None) -> bool:
    """Run LibreOffice in a process group of its own; False when it overran `seconds` (the group killed)."""
    process = subprocess.Popen(
        arguments,
        cwd=home,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=None if env is None else {**os.environ, **env},
        start_new_session=True,  # its own process group: LibreOffice starts soffice.bin under a launcher
    )
    restore = _kill_group_on_term(process.pid)
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                process.wait(timeout=min(0.2, max(0.0, deadline - time.monotonic())))
                return True
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    return False
    finally:
        _kill_group(process.pid)
        with contextlib.suppress(ChildProcessError):
            process.wait()
        restore()


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _kill_group_on_term(pgid: int):
    """While LibreOffice runs, a SIGTERM to this process (the pool ending its worker, or the worker's watchdog
    when the import is gone) kills LibreOffice's group first. Returns the function that restores the handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame) -> None:
        _kill_group(pgid)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _plain(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)
