"""A full disk never costs an existing file (issue 24, point 7).

`export` (every format), `report`, `reference export-rules` and `backup` write to a real, nearly full file system: a
256 KiB tmpfs mounted for the test (root can mount one; elsewhere that case is skipped), filled to the last
page. Also, without root, a process-wide file-size limit (RLIMIT_FSIZE: writes past it fail with EFBIG),
which every machine offers. Either way the old file must come out byte for byte as it was, no temporary
file may be left beside it, and the command must say the disk is full, exit non-zero, print no traceback.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OLD_CONTENT = "旧文件，应当原样保留\n".encode() * 100  # about 3 KiB: one tmpfs page
DISK_FULL = "磁盘已满"


def _mount_tmpfs(folder: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True)
    return result.returncode == 0


def _fill(folder: Path) -> None:
    """Write a filler file until the file system refuses another byte."""
    with open(folder / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass
        try:
            while True:
                filler.write(b"\0")
        except OSError:
            pass


@pytest.fixture
def full_tmpfs(tmp_path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    folder.mkdir()
    if not _mount_tmpfs(folder):
        pytest.skip("a tmpfs cannot be mounted here (needs root); the RLIMIT_FSIZE tests cover the same path")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture(scope="module")
def writable_db(tmp_path_factory, sample_db) -> Path:
    """A copy of the sample database (export-rules opens it for writing)."""
    copy = tmp_path_factory.mktemp("full") / "forms.duckdb"
    shutil.copyfile(sample_db, copy)
    return copy


COMMANDS = {
    "export-json": lambda db, out: ["export", "--db", str(db), "--format", "json", "--output", str(out)],
    "export-csv": lambda db, out: ["export", "--db", str(db), "--format", "csv", "--output", str(out)],
    "export-parquet": lambda db, out: ["export", "--db", str(db), "--format", "parquet", "--output", str(out)],
    "report": lambda db, out: ["report", "--db", str(db), "--output", str(out)],
    "export-rules": lambda db, out: ["reference", "export-rules", str(out), "--db", str(db)],
    "backup": lambda db, out: ["backup", "--db", str(db), "--output", str(out)],
}


def _run(arguments: list[str], file_size_limit: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    command = [sys.executable, "-m", "dashboard", *arguments]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, preexec_fn=limit)


def _assert_refused_and_old_file_whole(result: subprocess.CompletedProcess, target: Path) -> None:
    assert result.returncode != 0, result.stdout
    assert DISK_FULL in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert target.read_bytes() == OLD_CONTENT  # the old file, whole
    assert sorted(path.name for path in target.parent.iterdir() if path.name != "filler") == [target.name]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_full_tmpfs_keeps_the_old_file(command, full_tmpfs, writable_db):
    target = full_tmpfs / "output.bin"
    target.write_bytes(OLD_CONTENT)
    _fill(full_tmpfs)
    result = _run(COMMANDS[command](writable_db, target))
    _assert_refused_and_old_file_whole(result, target)


@pytest.mark.parametrize("command", ["export-json", "export-csv", "export-parquet", "report", "backup"])
def test_file_size_limit_keeps_the_old_file(command, tmp_path, sample_db):
    target = tmp_path / "output.bin"
    target.write_bytes(OLD_CONTENT)
    result = _run(COMMANDS[command](sample_db, target), file_size_limit=len(OLD_CONTENT))
    _assert_refused_and_old_file_whole(result, target)


def test_with_room_the_file_is_replaced_whole_and_owner_only(tmp_path, sample_db):
    target = tmp_path / "forms.json"
    target.write_bytes(OLD_CONTENT)
    os.chmod(target, 0o640)
    result = _run(COMMANDS["export-json"](sample_db, target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"[\n  {")
    assert (target.stat().st_mode & 0o777) == 0o640  # a replaced file keeps its permissions
    fresh = tmp_path / "new.csv"
    assert _run(COMMANDS["export-csv"](sample_db, fresh)).returncode == 0
    assert (fresh.stat().st_mode & 0o777) == 0o600  # a new one is owner-only, like the database
    assert sorted(path.name for path in tmp_path.iterdir()) == ["forms.json", "new.csv"]
