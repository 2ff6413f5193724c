"""Pages over a demo database of a few thousand forms: no page sends all rows to the browser, charts
of many units draw the largest few and one "其他" bar, and the command line can import while the
dashboard has served pages (the app keeps no database handle between reads)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.importing import demo
from dashboard.queries import queries
from dashboard.store import connect, reads

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TEXT = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"
FORMS = 3000


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "demo.duckdb"
    demo.build(path, FORMS, seed=3, workers=1)
    return path


@pytest.fixture
def demo_env(demo_db, monkeypatch, tmp_path) -> Path:
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv(connect.DB_ENV_VAR, str(copy))
    return copy


def run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def scalar(path: Path, sql: str) -> int:
    """One number read from the database at `path`, as the truth a page's figure is checked against."""
    con = connect.open_db(path, read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def counted_forms(path: Path) -> int:
    return scalar(path, f"SELECT count(*) FROM forms f WHERE {reads.counted_sql('f')}")


def test_projects_page_sends_one_page_and_counts_the_rest(demo_env):
    at = run("ui/pages/projects.py")
    sizes = [len(frame.value) for frame in at.dataframe]
    assert sizes and max(sizes) <= queries.PAGE_SIZE
    total = counted_forms(demo_env)
    assert total > queries.PAGE_SIZE
    assert any(f"{total:,}" in caption.value for caption in at.caption)  # the count of all rows is visible
    at.number_input(key="projects_page").set_value(2).run()
    assert not at.exception
    assert any(f"第 {queries.PAGE_SIZE + 1:,}–" in caption.value for caption in at.caption)


def test_deductions_page_sends_one_page(demo_env):
    at = run("ui/pages/deductions.py")
    sizes = [len(frame.value) for frame in at.dataframe]
    assert sizes and max(sizes) <= queries.PAGE_SIZE
    deducted = scalar(
        demo_env,
        f"SELECT count(*) FROM indicators i JOIN forms f ON f.form_id = i.form_id "
        f"WHERE i.deducted AND {reads.counted_sql('f')}",
    )
    assert deducted > queries.PAGE_SIZE
    assert texts.DEDUCTIONS_COUNT.format(n=f"{deducted:,}") in [m.value for m in at.markdown]


def test_overview_unit_chart_draws_the_largest_units_and_one_other_bar(demo_env):
    at = run()
    charts = at.get("plotly_chart")
    assert charts
    import json

    bars = [len(trace["y"]) for chart in charts for trace in json.loads(chart.proto.spec)["data"] if "y" in trace]
    assert max(bars) <= 16  # 15 groups and "其他"
    others = [
        label
        for chart in charts
        for trace in json.loads(chart.proto.spec)["data"]
        for label in (trace.get("y") or [])
        if isinstance(label, str) and label.startswith("其他")
    ]
    assert others, "the units beyond the 15 largest are summed into one bar"


def test_command_line_imports_while_the_app_has_served_pages(demo_env):
    before = counted_forms(demo_env)
    at = run("ui/pages/projects.py")
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "import", "--db", str(demo_env), "--year", "2021", str(SAMPLE_TEXT)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    after = counted_forms(demo_env)
    assert after == before + 22
    at.run()  # the next run sees the new data
    assert not at.exception
    assert any(f"{after:,}" in caption.value for caption in at.caption)


def test_review_page_sends_one_page_and_a_short_unit_chart(demo_env):
    import json

    at = run("ui/pages/review_page.py")
    sizes = [len(frame.value) for frame in at.dataframe]
    assert sizes and max(sizes) <= queries.PAGE_SIZE
    with_findings = scalar(
        demo_env,
        f"SELECT count(DISTINCT c.form_id) FROM checks c JOIN forms f ON f.form_id = c.form_id "
        f"WHERE {reads.counted_sql('f')}",
    )
    assert with_findings > queries.PAGE_SIZE
    assert any(f"{with_findings:,}" in caption.value for caption in at.caption)
    bars = [len(t.get("y") or []) for chart in at.get("plotly_chart") for t in json.loads(chart.proto.spec)["data"]]
    assert bars and max(bars) <= 15


def test_overview_comparisons_send_their_first_rows_with_the_count(demo_env):
    """总览's project-by-project comparison (on demand) sends the first rows of each table and their count."""
    from dashboard.queries import yoy
    from dashboard.queries.filters import Filters
    from dashboard.ui import yoy_view

    at = run()
    shown_before = len(at.dataframe)
    at.toggle(key="overview_yoy_details").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe) > shown_before
    units_table = texts.UNITS_COLUMNS["signals"]  # 总览's units table: a page of queries.PAGE_SIZE rows, not yoy's
    assert max(len(frame.value) for frame in at.dataframe if units_table not in frame.value.columns) <= (
        yoy_view.SHOWN_ROWS
    )
    con = connect.open_db(demo_env, read_only=True)
    try:
        pair = yoy.year_pair(con, Filters())
        both = yoy.projects_in_both_years(con, Filters(), pair, limit=1).total
        changes = yoy.new_and_ended(con, Filters(), pair, limit=1).total
    finally:
        con.close()
    heading = texts.REPORT_YOY_PROJECTS.format(count=f"{both:,}").rstrip("：")
    assert heading in [m.value.strip("*") for m in at.markdown]
    assert changes > yoy_view.SHOWN_ROWS  # the demo names projects by type: most are new, ended or ambiguous
    more = texts.YOY_MORE_ROWS.format(shown=yoy_view.SHOWN_ROWS, total=f"{changes:,}")
    assert more in [caption.value for caption in at.caption]
