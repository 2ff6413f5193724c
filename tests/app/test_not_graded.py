"""Forms that are not graded (issue 17) on the pages and in the report, on the sample database.

Truth is hand-written in tests/grade_truth.py (counted from data/samples/000_*.txt and the two PDFs): 22 forms,
17 graded (优 16, 良 1), 5 unused 预算准备金 forms on the 不评级 card, 平均总分 97.84 (1663.24 / 17).
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs

import docx
import duckdb
import pytest

from dashboard import report, texts
from dashboard import review_queries as rq
from dashboard.filters import Filters
from tests import grade_truth
from tests.app.test_pages import metrics, run_app

REASON_TEXTS = {texts.NOT_GRADED_REASONS[reason] for reason in grade_truth.SAMPLE_NOT_GRADED.values()}


@pytest.fixture
def sample_env(sample_db, monkeypatch):
    from dashboard import store

    monkeypatch.setenv(store.DB_ENV_VAR, str(sample_db))
    return sample_db


def cards(at) -> dict[str, tuple[str, str | None]]:
    return {metric.label: (metric.value, metric.proto.help) for metric in at.metric}


# --- 总览 ---------------------------------------------------------------------------------------------------


def test_overview_counts_the_forms_not_graded_on_a_card_of_their_own(sample_env):
    shown = cards(run_app())
    grades = {name: int(shown[name][0]) for name in grade_truth.SAMPLE_GRADES}
    assert grades == grade_truth.SAMPLE_GRADES  # 差 0: the three unused reserves at 总分 0 are not 差
    assert sum(grades.values()) == len(grade_truth.SAMPLE_GRADED_SCORES) == 17
    assert shown[texts.NOT_GRADED][0] == str(grade_truth.SAMPLE_NOT_GRADED_COUNT) == "5"
    assert int(shown[texts.KPI_FORMS][0]) == sum(grades.values()) + 5
    assert shown[texts.KPI_AVG_SCORE][0] == grade_truth.SAMPLE_AVERAGE_TEXT == "97.84"
    help_text = shown[texts.NOT_GRADED][1]
    for reason in texts.NOT_GRADED_REASONS.values():  # the card says why a form is not graded
        assert reason in help_text
    assert texts.NOT_GRADED in shown[texts.KPI_AVG_SCORE][1]  # and the average says it leaves them out


def test_grade_help_shows_the_configured_bands(sample_env, tmp_path, monkeypatch):
    path = tmp_path / "audit.toml"
    path.write_text('[grades]\nbands = [[95, "优"], [85, "良"], [70, "中"]]\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_AUDIT_CONFIG", str(path))
    shown = cards(run_app())  # (the SQL's bands are fixed when the app starts: test_review_page checks them)
    assert "≥ 95" in shown["优"][1] and "85 – 95" in shown["良"][1] and "70 – 85" in shown["中"][1]
    assert "< 70" in shown["差"][1]


def test_the_card_lists_its_forms_and_links_to_them_on_the_projects_page(sample_env):
    at = run_app(type="预算准备金")  # another filter in the URL, kept by the link
    (switch,) = [t for t in at.toggle if t.key == "overview_not_graded_list"]
    assert switch.label == texts.NOT_GRADED_LIST.format(n=5)
    before = len(at.dataframe)
    switch.set_value(True).run()
    assert not at.exception
    table = at.dataframe[0].value  # drawn under the cards, before the summary table
    assert len(at.dataframe) == before + 1 and len(table) == 5
    assert set(table[texts.NOT_GRADED_COLUMN]) == REASON_TEXTS
    listed = sorted(zip(table[texts.COL["project_name"]], table[texts.COL["total_score"]], strict=True))
    reserves = [("预算准备金", 0), ("预算准备金", 90), ("预算准备金", 0)]
    reserves += [("预算准备金(停用）", 100), ("预算准备金（停用）", 0)]
    assert listed == sorted(reserves)
    (link,) = [link.proto for link in at.get("page_link") if link.proto.page == "projects"]
    assert parse_qs(link.query_string) == {"type": ["预算准备金"], "grade": [texts.NOT_GRADED]}


def test_the_projects_page_filtered_to_not_graded_lists_them_with_their_reasons(sample_env):
    at = run_app("app_pages/projects.py", grade=texts.NOT_GRADED)
    assert at.sidebar.multiselect(key="grade").value == [texts.NOT_GRADED]
    table = at.dataframe[0].value
    assert len(table) == 5
    assert set(table[texts.COL["grade"]]) == {texts.NOT_GRADED}
    assert set(table[texts.NOT_GRADED_COLUMN]) == REASON_TEXTS


# --- 项目 ---------------------------------------------------------------------------------------------------


def test_projects_list_graded_forms_lowest_first_and_the_rest_after_them(sample_env):
    table = run_app("app_pages/projects.py").dataframe[0].value
    grades = table[texts.COL["grade"]].tolist()
    assert grades[-5:] == [texts.NOT_GRADED] * 5 and texts.NOT_GRADED not in grades[:-5]
    scores = table[texts.COL["total_score"]].tolist()[:-5]
    assert scores == sorted(scores) and scores[0] == pytest.approx(87.93)  # the lowest graded 总分 on top
    assert (table[texts.NOT_GRADED_COLUMN].iloc[:-5] == "").all()


# --- 复核 ---------------------------------------------------------------------------------------------------


def test_review_leaves_the_forms_not_graded_out_of_gaps_and_the_unit_ranking(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        summary = rq.gap_summary(con, Filters())
        units = rq.unit_gaps(con, Filters())
    finally:
        con.close()
    assert summary["not_graded"] == 5 and summary["not_evaluable"] == 2  # 不可评价 is one of the reasons
    assert summary["compared"] == 17 == int(units["compared"].sum())
    assert summary["gap"] == pytest.approx(float(units["gap"].sum()))


def test_review_gap_card_says_the_forms_not_graded_are_left_out(sample_env):
    at = run_app("app_pages/review_page.py")
    shown = cards(at)
    assert texts.REVIEW_KPI_GAP_NOT_GRADED.format(n=5) in shown[texts.REVIEW_KPI_GAP][1]


# --- the Word report ------------------------------------------------------------------------------------------


def test_the_report_agrees_with_the_pages_and_lists_no_reserve_as_low_scoring(sample_env, sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        document = docx.Document(io.BytesIO(report.build_report(con, Filters())))
    finally:
        con.close()
    key_table = document.tables[0]
    in_report = {row.cells[1].text: row.cells[2].text for row in key_table.rows[1:]}
    on_page = metrics(run_app())
    assert in_report == on_page  # 总览 and the report: the same cards, number by number
    assert in_report[texts.NOT_GRADED] == "5" and in_report[texts.KPI_AVG_SCORE] == "97.84"
    assert in_report["差"] == "0"
    paragraphs = [p.text for p in document.paragraphs]
    low = paragraphs.index(texts.REPORT_LOW_SCORES_OF.format(grades="差、中"))
    assert paragraphs[low + 1] == texts.REPORT_NONE  # no graded form is 差 or 中; the reserves are not listed
    assert not any(text.startswith("预算准备金（") for text in paragraphs)
    by_type = next(t for t in document.tables if t.rows[0].cells[0].text == texts.COL["project_type"])
    reserve = next(row for row in by_type.rows if row.cells[0].text == "预算准备金")
    assert reserve.cells[5].text == texts.DASH  # a type whose forms are all not graded has no average
