"""Pages read on while an import runs: the command line's (another process) and the 导入 page's (this one).

The import is of READ_FILES copies of the sample text export (22 forms each, each copy a file of its own),
which takes several seconds here. Meanwhile the pages' own read path (db.problem, db.cursor) reads the
database over and over: every read must answer, promptly, and some must see the import half done —
each file is visible once it is stored, not only at the end.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.importing.importer import ImportOptions
from dashboard.security import accounts
from dashboard.store import connect, schema
from dashboard.ui import auth, db
from dashboard.ui.pages import import_page
from tests.app.test_auth import APP, PASSWORD, db_with_accounts, sign_in  # noqa: F401 (db_with_accounts: a fixture)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TXT = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"
READ_FILES = 24
FORMS_PER_FILE = 22
# A read (db.problem, then db.cursor: two opens) answers within this: an import holds the file only while
# it stores one file (0.1–0.9 s on 2 busy cores), and a page's open waits up to connect.READER_WAIT_SECONDS.
READ_ANSWER_SECONDS = 2 * connect.READER_WAIT_SECONDS


def sample_copies(folder: Path) -> list[Path]:
    """READ_FILES copies of the sample text, each with different bytes (not a duplicate of another)."""
    folder.mkdir()
    text = SAMPLE_TXT.read_text(encoding="utf-8")
    paths = []
    for number in range(READ_FILES):
        path = folder / f"第{number:02d}批.txt"
        path.write_text(text + "\n" * (number + 1), encoding="utf-8")
        paths.append(path)
    return paths


def read_until(done: threading.Event) -> list[tuple[float, int | None]]:
    """What the pages' read path answers while the import runs: (seconds the read took, files stored)
    per read; None where the read was refused."""
    reads = []
    while not done.is_set():
        began = time.monotonic()
        try:
            assert db.problem() is None
            with db.cursor() as cur:
                stored = cur.execute("SELECT count(*) FROM import_batches WHERE outcome = 'imported'").fetchone()[0]
        except schema.StoreError:
            stored = None
        reads.append((time.monotonic() - began, stored))
        done.wait(0.05)
    return reads


def assert_read_on(reads: list[tuple[float, int | None]]) -> None:
    assert len(reads) >= 10, "the import was over before the reads began: make it bigger"
    refused = [seconds for seconds, stored in reads if stored is None]
    assert refused == [], f"{len(refused)} of {len(reads)} reads refused during the import"
    assert max(seconds for seconds, _ in reads) < READ_ANSWER_SECONDS
    seen = {stored for _, stored in reads}
    assert seen & set(range(1, READ_FILES)), f"no read saw the import half done: {sorted(seen)}"
    stored = [stored for _, stored in reads]
    assert stored == sorted(stored)  # what is committed stays committed


def test_pages_read_while_the_command_line_imports(tmp_path, monkeypatch):
    path = tmp_path / "forms.duckdb"
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    connect.open_db(path).close()
    files = sample_copies(tmp_path / "files")
    command = [sys.executable, "-m", "dashboard", "import", "--db", str(path), "--year", "2021", *map(str, files)]
    importer = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (importer.wait(), done.set()))
    waiter.start()
    try:
        reads = read_until(done)
    finally:
        waiter.join(timeout=600)
    out, err = importer.communicate()
    assert importer.returncode == 0, err
    assert out.count("导入") >= READ_FILES
    assert_read_on(reads)
    with db.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM forms").fetchone()[0] == READ_FILES * FORMS_PER_FILE


def test_pages_read_while_the_import_page_imports(db_file):
    connect.open_db(db_file).close()
    uploads = [(path.name, path.read_bytes()) for path in sample_copies(db_file.parent / "files")]
    done = threading.Event()
    outcomes = []

    def run() -> None:
        try:
            outcomes.extend(import_page.run_import(uploads, ImportOptions(year=2021)))
        finally:
            done.set()

    writer = threading.Thread(target=run)
    writer.start()
    try:
        reads = read_until(done)
    finally:
        writer.join(timeout=600)
    assert [outcome.outcome for outcome in outcomes] == ["imported"] * READ_FILES
    assert_read_on(reads)
    with db.cursor() as cur:  # the writer let go: reads open the file read-only again
        assert cur.execute("SELECT count(*) FROM forms").fetchone()[0] == READ_FILES * FORMS_PER_FILE


def test_sign_in_and_a_page_work_while_the_import_page_imports(db_with_accounts, monkeypatch):  # noqa: F811
    """Another session signs in and draws 总览 while the 导入 page of a signed-in importer is mid-import
    (held there, its writer's connection open, until the page has been drawn)."""
    monkeypatch.setenv(auth.REQUIRE_ENV_VAR, "1")
    uploads = [(path.name, path.read_bytes()) for path in sample_copies(db_with_accounts.parent / "files")[:3]]
    mid_import, page_drawn = threading.Event(), threading.Event()
    outcomes = []
    con = connect.open_db(db_with_accounts, read_only=True)
    try:
        importer_account = accounts.stored(con, "录入员")
    finally:
        con.close()

    def on_progress(done: int, total: int, outcome) -> None:
        if done == 1:
            mid_import.set()
            page_drawn.wait(timeout=600)

    def run() -> None:
        # The importing session, signed in as the stored account (its credential stamp included).
        st.session_state[auth.SESSION_KEY] = importer_account
        try:
            outcomes.extend(import_page.run_import(uploads, ImportOptions(year=2021), on_progress))
        finally:
            mid_import.set()
            st.session_state.pop(auth.SESSION_KEY, None)

    writer = threading.Thread(target=run)
    writer.start()
    try:
        assert mid_import.wait(timeout=600) and writer.is_alive()
        app = AppTest.from_file(APP, default_timeout=120).run()
        assert [header.value for header in app.subheader] == [texts.SIGNIN_TITLE]
        sign_in(app, "领导", PASSWORD)
        assert not app.exception and not app.error, [error.value for error in app.error]
        assert [title.value for title in app.title] == [texts.OVERVIEW_TITLE]
        assert app.metric  # the forms stored before the import began, and its first file
        assert writer.is_alive()  # all of it while the import was still going on
    finally:
        page_drawn.set()
        writer.join(timeout=600)
    assert [outcome.outcome for outcome in outcomes] == ["imported"] * 3
