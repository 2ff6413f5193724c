"""Files uploaded through the 导入 page: stored under generated names, shown under their own.

A browser sends any name it likes: "../../etc/passwd", a NUL, a newline, 300 Chinese characters
(over the file system's 255-byte limit). None of it reaches the file system: each upload is
written as `<number><suffix>` (the suffix only when the readers know it: files.SUPPORTED_SUFFIXES), and its
original name, cleaned by `untrusted.display_name`, is kept for people to read. A file that cannot be written
costs that file, with a reason, never the other files of the upload.

Each import's uploads live in a folder of their own (`upload_folder`): owner-only (0700), named after
the server process (`jixiao-upload-<pid>-…` in the system's temporary folder), removed when the import
ends however it ends. A server killed mid-import (kill -9, a power cut) cannot remove its folder;
`remove_leftovers`, run when the app starts, removes the folders of processes that no longer run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dashboard.core import texts
from dashboard.ingest.files import SUPPORTED_SUFFIXES
from dashboard.security.untrusted import display_name

_PATH_SEPARATORS = re.compile(r"[\\/]")


@dataclass(frozen=True)
class StoredUpload:
    """One upload on disk (path None when it could not be written, with the reason in `error`)."""

    path: Path | None
    name: str  # the original name, cleaned for display
    error: str | None = None


def upload_display_name(name: str, number: int) -> str:
    """The name people see: the last part of the path the browser sent, control characters escaped, cut short."""
    base = _PATH_SEPARATORS.split(name)[-1].strip()
    if base in ("", ".", ".."):
        return f"{texts.UPLOAD_UNNAMED}-{number}"
    return display_name(base)


def stored_name(name: str, number: int) -> str:
    """The generated file name: the upload's number and, when it is one the readers take, its suffix."""
    suffix = Path(_PATH_SEPARATORS.split(name)[-1]).suffix.lower()
    known = suffix in SUPPORTED_SUFFIXES
    return f"{number:04d}{suffix if known else ''}"


def store_uploads(folder: Path, uploads: Iterable[tuple[str, bytes]]) -> list[StoredUpload]:
    """Write (browser's name, content) pairs into `folder`, one result per upload, in order."""
    stored = []
    for number, (name, data) in enumerate(uploads, start=1):
        shown = upload_display_name(name, number)
        target = folder / stored_name(name, number)
        try:
            target.write_bytes(data)
        except OSError as error:  # disk full, quota: this file fails, the others go on
            reason = texts.UPLOAD_FAILED.format(kind=type(error).__name__)
            stored.append(StoredUpload(None, shown, reason))
            continue
        stored.append(StoredUpload(target, shown))
    return stored


# --- the folder of one import's uploads --------------------------------------------------------------------

UPLOAD_FOLDER_PREFIX = "jixiao-upload-"


def upload_root() -> Path:
    """Where upload folders are made: the system's temporary folder ($TMPDIR)."""
    return Path(tempfile.gettempdir())


@contextlib.contextmanager
def upload_folder() -> Iterator[Path]:
    """A new owner-only folder (tempfile.mkdtemp: 0700) for one import's uploads, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"{UPLOAD_FOLDER_PREFIX}{os.getpid()}-", dir=upload_root()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(root: Path | None = None) -> list[Path]:
    """Remove upload folders whose server process no longer runs (killed mid-import); returns them.

    Run once, when the server starts (no import of its own runs yet: a folder with this process's number
    is a dead server's whose number came round again, as it does in a container). A folder without a
    process number (made before they carried one) counts as left over too.
    """
    removed = []
    for folder in (root or upload_root()).glob(f"{UPLOAD_FOLDER_PREFIX}*"):
        if folder.is_dir() and not folder.is_symlink() and not _owner_runs(folder.name):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _owner_runs(name: str) -> bool:
    number = name.removeprefix(UPLOAD_FOLDER_PREFIX).split("-", 1)[0]
    if not number.isdigit():
        return False
    pid = int(number)
    if pid == os.getpid():
        return False  # at start-up no import runs here: a dead process's folder, its number reused
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: it runs
    return True
