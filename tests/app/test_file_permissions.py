"""Files the program creates are owner-only; upload folders do not outlive their import (issue 24, point 10).

Modes are read with os.stat from real files made by the real command line and the 导入 page's import, in
a process whose umask is the usual 022 (which made the database 0644 before).
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.importing.importer import ImportOptions
from dashboard.security import uploads
from dashboard.ui.pages import import_page

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
SEED = SAMPLES / "000_4b30dd1c6dd4a20d.txt"
APP = str(ROOT / "dashboard" / "app.py")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def temporary_root(tmp_path, monkeypatch) -> Path:
    """The system's temporary folder, as tempfile.gettempdir() reports it, moved under tmp_path."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_command_line_creates_database_folder_and_wal_owner_only(tmp_path):
    db = tmp_path / "新目录" / "forms.duckdb"
    wal = db.with_name(db.name + ".wal")
    command = [sys.executable, "-m", "dashboard", "import", "--db", str(db), "--year", "2021", str(SAMPLES)]
    importing = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wal_modes = set()
    while importing.poll() is None:  # the .wal exists from the first file's commit until the import closes
        with contextlib.suppress(FileNotFoundError):
            wal_modes.add(mode(wal))
        time.sleep(0.005)
    assert importing.returncode == 0, importing.stderr.read()
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700
    assert wal_modes == {0o600}


def test_upload_folder_is_owner_only_and_removed_after_the_import(db_file, temporary_root):
    seen = []

    def look(done, total, outcome):
        seen.extend((folder, mode(folder)) for folder in temporary_root.glob("jixiao-upload-*"))

    outcomes = import_page.run_import([("a.txt", SEED.read_bytes())], ImportOptions(year=2021), on_progress=look)
    assert [outcome.form_count for outcome in outcomes] == [22]
    assert [folder_mode for _folder, folder_mode in seen] == [0o700]
    assert seen[0][0].name.startswith(f"jixiao-upload-{os.getpid()}-")
    assert list(temporary_root.iterdir()) == []  # removed after the import
    assert mode(db_file) == 0o600


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leftover(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    for number in range(7):
        (folder / f"{number:04d}.docx").write_bytes(b"x" * 1024)
    return folder


def test_leftover_folders_of_dead_servers_are_removed(temporary_root):
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = _leftover(temporary_root, f"jixiao-upload-{_dead_pid()}-abc")
        old_style = _leftover(temporary_root, "jixiao-upload-k2j3h4")  # named before folders carried a pid
        reused = _leftover(temporary_root, f"jixiao-upload-{os.getpid()}-x")  # a dead server's number came round
        running = _leftover(temporary_root, f"jixiao-upload-{alive.pid}-def")
        other = _leftover(temporary_root, "somebody-else")
        removed = uploads.remove_leftovers()
    finally:
        alive.kill()
        alive.wait()
    assert sorted(removed) == sorted([dead, old_style, reused])
    assert sorted(temporary_root.iterdir()) == sorted([running, other])


def test_app_start_up_removes_leftovers(temporary_root, db_file):
    dead = _leftover(temporary_root, f"jixiao-upload-{_dead_pid()}-abc")
    import streamlit as st

    st.cache_resource.clear()  # a new server process: start-up runs again
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not dead.exists()
