"""The DuckDB store: round trip, one transaction per file, read-only and lock errors. The tests taking
`db_location` run on a DuckDB file and on a DuckLake (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from dashboard.core.model import Check, Form, FundRow, Funds, Indicator
from dashboard.store import connect, reads, schema, writes


def make_form(name: str = "购置费", score: float = 5.2) -> Form:
    return Form(
        project_name=name,
        project_type=name,
        department="0402009",
        unit=None,
        year=2021,
        project_amount=13782500.0,
        funds=Funds(
            unit_printed="万元",
            total=FundRow(4607500.0, 4567500.0, 4028825.0, 88.21, 10.0, 8.82),
            current_year=FundRow(4607500.0, 4567500.0, 4028825.0, 88.21),
            carryover=FundRow(0.0, 0.0, 0.0, 0.0),
            other=FundRow(0.0, 0.0, 0.0, 0.0),
        ),
        goal_expected="完成政府采购工作",
        goal_actual="完成了政府采购工作",
        indicators=[
            Indicator("产出指标", "数量指标", "采购服装数量", "1350套", "1172", 6.0, score, None),
            Indicator("效益指标", "经济效益指标", "不适用", "不适用", "不适用", 0.0, 0.0, None),
            Indicator("效益指标", "满意度指标", "满意度", "≥90%", "不适用", None, None, "未调查"),
        ],
        total_weight=100.0,
        total_score=98.02,
        checks=[Check("parse_uncertain", "warning", "目标文字无法分开", indicator=None, claimed=1.5)],
        recomputed_score=97.5,
        source_file="a.pdf",
        source_pages=[1, 2],
    )


def test_round_trip_keeps_every_field(db_location):
    con = connect.open_db(db_location)
    form = make_form()
    writes.save_file(con, "a.pdf", "ab" * 32, [writes.Placement(form)])
    (loaded,) = reads.load_forms(con)
    assert loaded.id == "abababababab-001"
    assert loaded.to_record() == form.to_record()


def test_amounts_keep_cents_exactly(db_location):
    con = connect.open_db(db_location)
    form = make_form()
    form.funds.total.executed = 10012516.44
    form.project_amount = 32457398.51
    writes.save_file(con, "a.pdf", "cd" * 32, [writes.Placement(form)])
    (loaded,) = reads.load_forms(con)
    assert loaded.funds.total.executed == 10012516.44
    assert loaded.project_amount == 32457398.51
    total = con.execute("SELECT sum(executed) FROM fund_rows WHERE row_key = 'total'").fetchone()[0]
    assert str(total) == "10012516.44"


def test_failed_save_leaves_nothing(db_location):
    con = connect.open_db(db_location)
    good, bad = make_form("甲"), make_form("乙")
    bad.project_amount = 1e20  # beyond DECIMAL(18, 2): the whole file must roll back
    with pytest.raises(Exception):  # noqa: B017 - any DuckDB conversion error
        writes.save_file(con, "x.pdf", "ef" * 32, [writes.Placement(good), writes.Placement(bad)])
    for table in ("import_batches", "forms", "fund_rows", "indicators", "checks"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_find_imported_and_failure_log(db_location):
    con = connect.open_db(db_location)
    writes.save_file(con, "a.pdf", "11" * 32, [writes.Placement(make_form())])
    writes.record_failure(con, "b.pdf", "22" * 32, "扫描件，无文字层")
    assert reads.find_imported(con, "11" * 32) == "a.pdf"
    assert reads.find_imported(con, "22" * 32) is None  # a failed file is not "already imported"
    history = reads.batches(con).sort_values("batch_id")
    assert list(history["outcome"]) == ["imported", "error"]
    assert list(history["form_count"]) == [1, 0]


def test_read_only_open_of_missing_file_says_so(tmp_path):
    with pytest.raises(schema.StoreError) as raised:
        connect.open_db(tmp_path / "missing.duckdb", read_only=True)
    assert "missing.duckdb" in str(raised.value)
    assert "不存在" in str(raised.value)


def test_open_while_another_process_writes_says_locked(tmp_path, database_held_by_writer):
    path = tmp_path / "t.duckdb"
    with database_held_by_writer(path), pytest.raises(schema.StoreError) as raised:
        connect.open_db(path, read_only=True)
    assert "占用" in str(raised.value)


def test_replace_checks_and_recomputed_scores(db_location):
    con = connect.open_db(db_location)
    form = make_form()
    writes.save_file(con, "a.pdf", "33" * 32, [writes.Placement(form)])
    writes.replace_checks(con, {form.id: [Check("score_above_weight", "error", "得分高于分值", "采购服装数量", 7, 6)]})
    writes.set_recomputed_scores(con, {form.id: 90.5})
    (loaded,) = reads.load_forms(con)
    assert [(c.rule, c.indicator, c.claimed, c.recomputed) for c in loaded.checks] == [
        ("score_above_weight", "采购服装数量", 7.0, 6.0)
    ]
    assert loaded.recomputed_score == 90.5


def test_a_writer_waits_while_a_reader_holds_the_file(tmp_path):
    """A page's run holds a read-only handle for about a second: an import waits for it instead of failing."""
    path = tmp_path / "t.duckdb"
    connect.open_db(path).close()
    code = (
        f"import duckdb, time; c = duckdb.connect({str(path)!r}, read_only=True); print('held', flush=True); "
        "time.sleep(1.5); c.close()"
    )
    reader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "held"
        started = time.monotonic()
        con = connect.open_db(path)  # waits until the reader lets go
        waited = time.monotonic() - started
        con.close()
    finally:
        reader.kill()
        reader.wait()
    assert 0.5 < waited < connect.WRITER_WAIT_SECONDS


def test_reads_of_one_page_run_share_a_connection_closed_at_its_end(tmp_path, monkeypatch):
    from dashboard.ui import db

    path = tmp_path / "t.duckdb"
    connect.open_db(path).close()
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    with db.shared_reads(), db.cursor() as first, db.cursor() as second:
        assert first is second
    with db.cursor() as other:
        assert other is not first
    con = duckdb.connect(str(path))  # read-write in this process: no read-only handle is left open
    con.close()


def test_whole_database_jobs_cap_duckdbs_memory(db_location):
    con = connect.open_db(db_location)
    try:
        before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        connect.cap_memory(con)
        after = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()
    assert after != before and after == "732.4 MiB"  # 768 MB, as DuckDB writes it
