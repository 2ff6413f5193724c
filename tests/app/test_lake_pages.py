"""The pages on a lake (ui/db.py, store/snapshots.py): one snapshot per run, 总览 and the report as of a past
snapshot or import batch, accounts added while a page reads, an unreachable catalog said in Chinese.

Writes come from other processes (the command line), as they would from an importer on another machine.
Expected counts are written by hand: a.txt holds seed forms 1–4, b.txt seed forms 5–6 (tests/seed_truth.py).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from docx import Document

from dashboard.core import texts
from dashboard.security import accounts
from dashboard.store import connect, lake, reads
from dashboard.ui import auth, db
from tests.app.test_auth import PASSWORD, sign_in
from tests.app.test_pages import run_app
from tests.cli_runner import ROOT, run_cli
from tests.conftest import SAMPLE_YEAR
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy

pytestmark = pytest.mark.lake

FIRST_FORMS, LATER_FORMS = 4, 2  # a.txt, b.txt


def import_text(location: str, path: Path, records: list[dict]) -> None:
    path.write_text(pipe_copy(records), encoding="utf-8")
    result = run_cli("import", "--year", str(SAMPLE_YEAR), str(path), db=location)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def two_batches(new_lake, tmp_path, monkeypatch) -> tuple[str, list[int]]:
    """A lake named in $DASHBOARD_DB holding two import batches (a.txt, then b.txt): (location, batch ids)."""
    location = new_lake()
    monkeypatch.setenv(connect.DB_ENV_VAR, location)
    records = seed_records()
    import_text(location, tmp_path / "a.txt", records[:FIRST_FORMS])
    import_text(location, tmp_path / "b.txt", records[FIRST_FORMS : FIRST_FORMS + LATER_FORMS])
    con = connect.open_db(location, read_only=True)
    try:
        batches = sorted(int(batch) for batch in reads.batches(con)["batch_id"])
    finally:
        con.close()
    assert len(batches) == 2
    return location, batches


def counted(con) -> int:
    return int(con.execute(f"SELECT count(*) FROM forms f WHERE {reads.counted_sql('f')}").fetchall()[0][0])


def add_user(location: str, name: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "dashboard", "user", "add", name, "--role", "importer", "--password-stdin"]
    process = subprocess.Popen(
        [*command, "--db", location], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    return process


def test_one_run_reads_one_snapshot_and_the_next_run_sees_the_write(two_batches, tmp_path):
    location, _ = two_batches
    with db.shared_reads():
        with db.cursor() as cur:
            before = counted(cur)
        key = db.cache_key()
        import_text(location, tmp_path / "c.txt", seed_records()[10:12])  # another process, between two reads
        with db.cursor() as cur:
            during = counted(cur)
        assert db.cache_key() == key  # the run's cached reads stay those of its snapshot
    with db.shared_reads():
        with db.cursor() as cur:
            after = counted(cur)
        assert db.cache_key() != key
    assert (before, during, after) == (FIRST_FORMS + LATER_FORMS, FIRST_FORMS + LATER_FORMS, FIRST_FORMS + 4)
    assert db.latest_key() == db.cache_key()  # outside a run: the catalog's latest


def test_a_read_that_fails_mid_run_leaves_the_runs_later_reads_working_on_its_snapshot(two_batches, tmp_path):
    """A query failing while it runs (not while it is bound) aborts the run's lake transaction; the run's next reads
    still answer, from the snapshot the run began on (a write by another process meanwhile stays out)."""
    location, _ = two_batches
    with db.shared_reads():
        with db.cursor() as cur:
            before = counted(cur)
        import_text(location, tmp_path / "c.txt", seed_records()[10:12])
        with pytest.raises(duckdb.ConversionException), db.cursor() as cur:
            cur.execute("SELECT CAST(v AS INTEGER) FROM (VALUES ('x')) t(v)").fetchall()
        with db.cursor() as cur:
            after_error = counted(cur)
    assert before == after_error == FIRST_FORMS + LATER_FORMS


def test_overview_as_of_the_first_batch_leaves_the_later_import_out(two_batches):
    _, (first, _second) = two_batches
    at = run_app()
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown[texts.KPI_FORMS] == str(FIRST_FORMS + LATER_FORMS)
    assert at.sidebar.selectbox(key="as_of_batch").options[0] == texts.AS_OF_LATEST
    at.sidebar.selectbox(key="as_of_batch").set_value(first).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown[texts.KPI_FORMS] == str(FIRST_FORMS)
    (note,) = [info.value for info in at.info if "快照" in info.value]
    assert f"导入批次 {first} 之后" in note
    at.sidebar.selectbox(key="as_of_batch").set_value(None).run()  # back to the latest
    assert {metric.label: metric.value for metric in at.metric}[texts.KPI_FORMS] == str(FIRST_FORMS + LATER_FORMS)
    at.sidebar.number_input(key="as_of_snapshot").set_value(999999).run()  # a snapshot the lake does not keep
    assert any("没有快照 999999" in error.value for error in at.sidebar.error)
    assert {metric.label: metric.value for metric in at.metric}[texts.KPI_FORMS] == str(FIRST_FORMS + LATER_FORMS)


def report_paragraphs(data: bytes) -> list[str]:
    return [paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs]


def report_forms(data: bytes) -> str:
    """The 自评表 figure of the report's key-figures table."""
    for table in Document(io.BytesIO(data)).tables:
        for row in table.rows:
            cells = [cell.text for cell in row.cells]
            if texts.KPI_FORMS in cells[1:2]:
                return cells[2]
    raise AssertionError("no 自评表 row")


def test_the_report_as_of_a_batch_states_the_snapshot_and_leaves_the_later_import_out(two_batches, tmp_path):
    location, (first, _second) = two_batches
    output = tmp_path / "then.docx"
    result = run_cli("report", "--as-of", f"batch:{first}", "--output", str(output), db=location)
    assert result.returncode == 0, result.stderr
    stated = [text for text in report_paragraphs(output.read_bytes()) if text.startswith("数据截至数据湖快照")]
    assert len(stated) == 1 and f"导入批次 {first} 之后" in stated[0]
    snapshot = int(stated[0].removeprefix("数据截至数据湖快照 ").split("（")[0])
    assert report_forms(output.read_bytes()) == str(FIRST_FORMS)

    by_number = tmp_path / "by_number.docx"
    result = run_cli("report", "--as-of", str(snapshot), "--output", str(by_number), db=location)
    assert result.returncode == 0, result.stderr
    assert report_forms(by_number.read_bytes()) == str(FIRST_FORMS)
    assert any(
        text.startswith(f"数据截至数据湖快照 {snapshot}（") for text in report_paragraphs(by_number.read_bytes())
    )

    now = tmp_path / "now.docx"
    assert run_cli("report", "--output", str(now), db=location).returncode == 0
    assert report_forms(now.read_bytes()) == str(FIRST_FORMS + LATER_FORMS)
    assert not [text for text in report_paragraphs(now.read_bytes()) if text.startswith("数据截至")]

    for wrong, said in (("batch:99", "没有导入批次 99"), ("999999", "没有快照 999999"), ("昨天", "不是“昨天”")):
        result = run_cli("report", "--as-of", wrong, "--output", str(tmp_path / "x.docx"), db=location)
        assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr, wrong


def test_downloads_of_the_overview_as_of_a_batch_are_built_from_that_snapshot(two_batches):
    from dashboard.queries.filters import Filters
    from dashboard.store import snapshots
    from dashboard.ui import download_buttons, page_data

    _, (first, _second) = two_batches
    with db.catalog_cursor() as cur:
        as_of = snapshots.as_of_batch(cur, first)
    data = download_buttons.report_bytes(Filters(), as_of)  # what the button builds when clicked, after the run
    assert report_forms(data) == str(FIRST_FORMS)
    assert as_of.statement() in report_paragraphs(data)
    # A table built when its button is clicked (the units table, 与上年比较): made in the run, called after it.
    with db.shared_reads(as_of):
        then = download_buttons._deferred(page_data.read_whole, counted)
    with db.shared_reads():
        now = download_buttons._deferred(page_data.read_whole, counted)
    assert (then(), now()) == (FIRST_FORMS, FIRST_FORMS + LATER_FORMS)


def test_as_of_needs_a_lake_said_in_chinese(sample_db, tmp_path):
    result = run_cli("report", "--as-of", "3", "--output", str(tmp_path / "r.docx"), db=sample_db)
    assert result.returncode == 2
    assert texts.AS_OF_NEEDS_LAKE in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r.docx").exists()


def test_a_user_added_while_a_page_reads_lands_at_once_and_signs_in_next_run(two_batches, monkeypatch):
    location, _ = two_batches
    with db.shared_reads():
        with db.cursor() as cur:
            assert not accounts.has_accounts(cur)
        adding = add_user(location, "录入员")
        # Done while the run still reads (a file's writer would wait for this run's handle): a lake has no lock.
        stdout, stderr = adding.communicate(PASSWORD + "\n", timeout=120)
        assert adding.returncode == 0, stdout + stderr
        with db.cursor() as cur:
            assert not accounts.has_accounts(cur)  # this run keeps its snapshot
    with db.shared_reads(), db.cursor() as cur:
        assert accounts.has_accounts(cur)
    monkeypatch.setenv(auth.REQUIRE_ENV_VAR, "1")
    at = run_app()
    assert [title.value for title in at.title] == []  # sign-in first
    sign_in(at, "录入员", PASSWORD)  # writes the sign-in log to the lake (db.small_write)
    assert not at.exception, [e.value for e in at.exception]
    assert [title.value for title in at.title] == [texts.OVERVIEW_TITLE]
    con = connect.open_db(location, read_only=True)
    try:
        logged = con.execute("SELECT name, success FROM signin_log").fetchall()
    finally:
        con.close()
    assert logged == [("录入员", True)]


def test_an_unreachable_catalog_is_said_without_the_password_on_every_page(tmp_path, monkeypatch):
    location = f"ducklake:postgres:dbname=none host={tmp_path} port=1 user=nobody password=s3cret"
    monkeypatch.setenv(connect.DB_ENV_VAR, location)
    monkeypatch.setenv(lake.LAKE_DATA_ENV_VAR, str(tmp_path))
    for page in (None, "ui/pages/projects.py", "ui/pages/import_page.py", "ui/pages/rectify_page.py"):
        at = run_app(page)
        said = [message.value for message in [*at.error, *at.warning]]
        assert any("无法连接数据湖" in text for text in said), (page, said)
        assert not any("s3cret" in text or str(tmp_path) in text for text in said), (page, said)


def test_a_lake_connection_gone_bad_is_attached_again_on_the_next_read(sample_lake, monkeypatch):
    import streamlit as st

    location, data = sample_lake
    monkeypatch.setenv(connect.DB_ENV_VAR, location)
    monkeypatch.setenv(lake.LAKE_DATA_ENV_VAR, str(data))
    at = run_app()
    assert {metric.label: metric.value for metric in at.metric}[texts.KPI_FORMS] == "22"
    db._LAKE.con.close()  # as a connection whose catalog went away: every statement on it fails
    st.cache_data.clear()
    at.run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert {metric.label: metric.value for metric in at.metric}[texts.KPI_FORMS] == "22"


def test_a_lake_nothing_was_imported_into_yet_is_empty_not_unreachable(new_lake, monkeypatch):
    """A new catalog database: no writer has made the lake in it, which a reader cannot attach; the pages say
    there is nothing yet and offer the import (as for a missing file), and the 导入 page is open."""
    monkeypatch.setenv(connect.DB_ENV_VAR, new_lake())
    for page in (None, "ui/pages/projects.py", "ui/pages/review_page.py"):
        at = run_app(page)
        assert not at.error, (page, [error.value for error in at.error])
        assert texts.DB_EMPTY_TITLE in [header.value for header in at.subheader], page
    at = run_app("ui/pages/import_page.py")
    assert not at.error and texts.IMPORT_YEAR_BLANK_WARNING in [warning.value for warning in at.warning]
    assert [info.value for info in at.info] == [texts.IMPORT_HISTORY_EMPTY]
    assert len(at.get("file_uploader")) == 1  # no account yet: the single-user tool, open to import


@pytest.mark.parametrize(
    "page",
    [None, "ui/pages/projects.py", "ui/pages/deductions.py", "ui/pages/department_page.py",
     "ui/pages/import_page.py", "ui/pages/review_page.py", "ui/pages/spot_check_page.py",
     "ui/pages/rectify_page.py", "ui/pages/reference_page.py"],
)  # fmt: skip
def test_every_page_draws_from_the_sample_lake_without_an_error(page, sample_lake, monkeypatch):
    location, data = sample_lake
    monkeypatch.setenv(connect.DB_ENV_VAR, location)
    monkeypatch.setenv(lake.LAKE_DATA_ENV_VAR, str(data))
    at = run_app(page)  # fails on an exception
    assert not at.error, [error.value for error in at.error]
    assert at.title, page
