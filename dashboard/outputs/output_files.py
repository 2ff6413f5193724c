"""Files the program writes for people (exports, the Word report, rule files, backups): whole or not at all.

`replace_atomically(path)` hands out a temporary file beside the target (same folder, so same file
system); only when the writer finished and the bytes are on disk (fsync) does `os.replace` put it in
the target's place, in one step. A full disk, a quota, a size limit or Ctrl-C leaves the old file as
it was and no temporary file behind; the error comes back as `OutputError`, whose message says what
happened in Chinese (the disk is full, or the system's reason) and names the file.

New files are owner-only (0600: they hold every form, like the database); a file that is replaced keeps
its permissions. The same goes for every file the program creates: the command line runs each command
under `owner_only_files` (umask 077), the app sets it for its process at start-up
(`make_files_owner_only`), so the database, its .wal (DuckDB makes it at the first write), backups and
upload folders are 0600/0700 whoever opens them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dashboard.core import texts
from dashboard.security.untrusted import display_name

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700
OWNER_ONLY_UMASK = 0o077  # no bits for group and others
# errno values that mean "no room": the disk, the user's quota, the process's file-size limit.
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class OutputError(Exception):
    """A file could not be written; the message says why, the old file (if any) is unchanged."""


@contextlib.contextmanager
def replace_atomically(path: Path | str) -> Iterator[BinaryIO]:
    """A binary file to write; on normal exit it replaces `path` whole, else `path` stays as it was."""
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".part")
    except OSError as error:
        raise OutputError(message(error, target)) from error
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except OSError as error:
        _remove(temporary)
        raise OutputError(message(error, target)) from error
    except BaseException:
        _remove(temporary)
        raise


@contextlib.contextmanager
def owner_only_files() -> Iterator[None]:
    """Files and folders created inside the block are owner-only (umask 077); the old umask comes back after."""
    previous = os.umask(OWNER_ONLY_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def make_files_owner_only() -> None:
    """From now on this process creates files and folders owner-only (the app's server, at start-up)."""
    os.umask(OWNER_ONLY_UMASK)


@contextlib.contextmanager
def temporary_path(path: Path | str) -> Iterator[Path]:
    """A name beside `path` that does not exist yet, for a writer that makes the file itself (DuckDB); on
    normal exit the file made there (if still there) replaces `path`; on any error it is removed (with the
    .wal DuckDB may have left), and an OSError comes back as OutputError."""
    target = Path(path)
    try:
        folder = tempfile.mkdtemp(dir=target.parent or ".", prefix=f".{target.name}.")  # a name nobody else has
    except OSError as error:
        raise OutputError(message(error, target)) from error
    temporary = Path(folder + ".part")
    os.rmdir(folder)
    try:
        yield temporary
        if temporary.exists():
            os.replace(temporary, target)
    except BaseException as error:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            _remove(str(leftover))
        if isinstance(error, OSError):
            raise OutputError(message(error, target)) from error
        raise


def write_bytes(path: Path | str, data: bytes) -> None:
    """`data` as the whole content of `path`, written by `replace_atomically`."""
    with replace_atomically(path) as out:
        out.write(data)


def message(error: OSError, path: Path) -> str:
    """What went wrong, for people: the disk is full (ENOSPC, quota, size limit), or the system's reason."""
    shown = display_name(str(path), limit=200)
    if error.errno in NO_SPACE:
        return texts.OUTPUT_DISK_FULL.format(path=shown)
    reason = error.strerror or type(error).__name__
    return texts.OUTPUT_FAILED.format(path=shown, reason=reason)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return OWNER_ONLY_FILE


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
