"""Forms that are not graded (issue 17) on the pages and in the report, on the sample database.

Truth is hand-written in tests/grade_truth.py (counted from data/samples/000_*.txt and the two PDFs): 22 forms,
17 graded (优 16, 良 1), 5 unused 预算准备金 forms on the 不评级 card, 平均总分 97.84 (1663.24 / 17).
"""

from __future__ import annotations

import io

import docx
import duckdb
import pandas as pd
import pytest

from dashboard.core import texts
from dashboard.outputs import downloads, report
from dashboard.queries import review_queries as rq
from dashboard.queries.filters import Filters
from tests import grade_truth
from tests.app.test_pages import metrics, run_app

REASON_TEXTS = {texts.NOT_GRADED_REASONS[reason] for reason in grade_truth.SAMPLE_NOT_GRADED.values()}


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


def test_the_card_lists_its_forms_and_opens_them_on_the_projects_page(sample_env):
    at = run_app(type="预算准备金")  # another filter in the URL, kept on 项目
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
    at.button(key="overview_not_graded_open").click().run()  # on to 项目, filtered to 不评级, the type kept
    assert not at.exception
    assert at.markdown[0].value == texts.PROJECTS_COUNT.format(n=5)
    assert at.sidebar.multiselect(key="grade").value == [texts.NOT_GRADED]
    assert at.sidebar.multiselect(key="type").value == ["预算准备金"]
    assert set(at.dataframe[0].value[texts.NOT_GRADED_COLUMN]) == REASON_TEXTS


def test_the_projects_page_filtered_to_not_graded_lists_them_with_their_reasons(sample_env):
    at = run_app("ui/pages/projects.py", grade=texts.NOT_GRADED)
    assert at.sidebar.multiselect(key="grade").value == [texts.NOT_GRADED]
    table = at.dataframe[0].value
    assert len(table) == 5
    assert set(table[texts.COL["grade"]]) == {texts.NOT_GRADED}
    assert set(table[texts.NOT_GRADED_COLUMN]) == REASON_TEXTS


# --- 项目 ---------------------------------------------------------------------------------------------------


def test_projects_list_graded_forms_lowest_first_and_the_rest_after_them(sample_env):
    table = run_app("ui/pages/projects.py").dataframe[0].value
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
    at = run_app("ui/pages/review_page.py")
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
    low = paragraphs.index("六、" + texts.REPORT_LOW_SCORES_OF.format(grades="差、中"))
    assert paragraphs[low + 1] == texts.REPORT_NONE  # no graded form is 差 or 中; the reserves are not listed
    assert not any(text.startswith("预算准备金（") for text in paragraphs)
    by_type = next(t for t in document.tables if t.rows[0].cells[0].text == texts.COL["project_type"])
    reserve = next(row for row in by_type.rows if row.cells[0].text == "预算准备金")
    assert reserve.cells[5].text == texts.DASH  # a type whose forms are all not graded has no average


# --- year over year -------------------------------------------------------------------------------------------

# The seed as 2021; as 2022 the seed again with one change: 疫情防控 (项目金额 600000, 总分 87.93, graded 良 in
# 2021) prints 全年预算数 and 全年执行数 0, so in 2022 it is not graded (no budget). Truth by hand:
# 2021: the 17 graded seed forms, Σ 1663.24 → 97.8376…; 2022: 16 graded, Σ 1663.24 − 87.93 = 1575.31 → 98.4569…
# change +0.619… → "+0.62"; the form's own change is not computed.
EPIDEMIC_FUNDS = ("年度资金总额 0.00 600000.00 475879.20 10 79.31% 7.93", "年度资金总额 0.00 0.00 0.00 10 0.00% 7.93")
EPIDEMIC_CURRENT = (
    "其中：当年财政拨款 0.00 600000.00 475879.20 — 79.31% —",
    "其中：当年财政拨款 0.00 0.00 0.00 — 0.00% —",
)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    from dashboard.importing import importer
    from dashboard.store import connect
    from tests.grade_truth import SEED

    folder = tmp_path_factory.mktemp("yoy_graded")
    text = SEED.read_text(encoding="utf-8")
    for before, after in (EPIDEMIC_FUNDS, EPIDEMIC_CURRENT):
        assert text.count(before) == 1
        text = text.replace(before, after)
    second = folder / "2022.txt"
    second.write_text(text, encoding="utf-8")
    path = folder / "forms.duckdb"
    con = connect.open_db(path)
    try:
        for file, year in ((SEED, 2021), (second, 2022)):
            (outcome,) = importer.import_files(con, [(file, file.name)], importer.ImportOptions(year=year))
            assert outcome.ok, outcome.message
    finally:
        con.close()
    return path


def test_year_over_year_compares_graded_forms_only(two_years, monkeypatch):
    from dashboard.queries import yoy
    from dashboard.store import connect

    monkeypatch.setenv(connect.DB_ENV_VAR, str(two_years))
    shown = {metric.label: (metric.value, metric.delta) for metric in run_app(year="2022").metric}
    assert shown[texts.KPI_AVG_SCORE] == ("98.46", "+0.62")
    assert shown[texts.NOT_GRADED][0] == "6" and shown["良"][0] == "0"
    con = duckdb.connect(str(two_years), read_only=True)
    try:
        pair = yoy.year_pair(con, Filters(years=(2022,)))
        both = yoy.projects_in_both_years(con, Filters(years=(2022,)), pair).frame
        figures = yoy.key_figures(con, Filters(years=(2022,)), pair)
        by_type = yoy.by_group(con, Filters(years=(2022,)), pair, "project_type").set_index("grp")
    finally:
        con.close()
    assert figures["avg_score"][0] == pytest.approx(1575.31 / 16) and figures["avg_score"][1] == pytest.approx(
        1663.24 / 17
    )
    epidemic = both[(both["project_name"] == "疫情防控") & (both["score_previous"] == 87.93)].iloc[0]
    assert bool(epidemic["not_graded"]) and not bool(epidemic["previous_not_graded"])
    assert pd.isna(epidemic["score_change"])  # graded in 2021 only: no change computed
    reserves = both[both["project_name"].str.startswith("预算准备金")]
    assert len(reserves) == 5 and reserves["score_change"].isna().all()
    assert both["score_change"].notna().sum() == 16  # the graded pairs; the others come last
    assert both["score_change"].iloc[:16].notna().all()
    # 疫情防控's 2022 average: the two graded 疫情防控 forms (99.99, 100); 2021: the three (…, 87.93).
    assert by_type.loc["疫情防控", "avg_score"] == pytest.approx((99.99 + 100) / 2)
    assert by_type.loc["疫情防控", "avg_score_previous"] == pytest.approx((99.99 + 100 + 87.93) / 3)
    assert pd.isna(by_type.loc["预算准备金", "avg_score"])


def test_year_over_year_tables_mark_a_form_not_graded(two_years, monkeypatch):
    from dashboard.store import connect

    monkeypatch.setenv(connect.DB_ENV_VAR, str(two_years))
    at = run_app(year="2022")
    at.toggle(key="overview_yoy_details").set_value(True).run()
    (both,) = [
        frame.value
        for frame in at.dataframe
        if texts.COL["project_name"] in frame.value.columns and "2021" in frame.value.columns
    ]
    rows = both[both[texts.COL["project_name"]] == "疫情防控"].set_index("2021")
    assert rows.at["87.93", "2022"] == texts.YOY_NOT_GRADED_SCORE.format(score="87.93")
    assert rows.at["87.93", texts.REPORT_COL_CHANGE] == texts.DASH


def test_the_overview_summary_download_averages_graded_forms(sample_env):
    at = run_app()
    (summary,) = [
        frame.value
        for frame in at.dataframe
        if texts.COL["project_type"] in frame.value.columns and texts.COL["avg_score"] in frame.value.columns
    ]
    by_type = summary.set_index(texts.COL["project_type"])
    assert by_type.at["预算准备金", texts.COL["forms"]] == 5  # listed and counted, not averaged
    assert pd.isna(by_type.at["预算准备金", texts.COL["avg_score"]])
    assert by_type.at["疫情防控", texts.COL["avg_score"]] == pytest.approx(round((99.99 + 100 + 87.93) / 3, 4))
    csv = downloads.to_csv_bytes(summary).decode("utf-8-sig").splitlines()
    (reserve_line,) = [line for line in csv if line.startswith("预算准备金,")]
    assert reserve_line.split(",")[5] == ""  # the downloaded row has no average either


def test_a_form_not_graded_says_so_instead_of_a_grade(sample_env, sample_forms):
    (form,) = [f for f in sample_forms if grade_truth.not_graded(f) == "no_budget"]  # 总分 0: was "等级 差"
    at = run_app("ui/pages/projects.py", form=form.id)
    texts_shown = [element.value for element in (*at.markdown, *at.caption)]
    assert any(f"{texts.FORM_GRADE} {texts.NOT_GRADED}" in text for text in texts_shown)
    assert not any(f"{texts.FORM_GRADE} 差" in text for text in texts_shown)
    assert texts.NOT_GRADED_REASONS["no_budget"] in texts_shown
