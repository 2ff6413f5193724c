"""AppTest for the 总览, 项目 and 扣分指标 pages on the sample database.

Expected figures are computed here from the stored forms with plain Python (the grade bands
written out again), not with the SQL the pages use, so a wrong query cannot agree with itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import domain, texts
from dashboard.security.untrusted import markdown_literal
from dashboard.store import connect
from tests import grade_truth

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def run_app(page: str | None = None, timeout: float = 60, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def deducted(indicator) -> bool:
    return indicator.weight is not None and indicator.score is not None and indicator.score < indicator.weight


def grade(score: float) -> str:
    if score >= 90:
        return "优"
    if score >= 80:
        return "良"
    if score >= 60:
        return "中"
    return "差"


# --- 总览 ---------------------------------------------------------------------------------------------------


def test_overview_figures_match_independent_computation(pages_env, sample_forms):
    at = run_app()
    shown = metrics(at)
    totals = [form.funds.total for form in sample_forms]
    both = [t for t in totals if t.annual_budget is not None and t.executed is not None]
    rate = sum(t.executed for t in both) / sum(t.annual_budget for t in both)
    budget = sum(t.annual_budget for t in totals if t.annual_budget is not None)
    graded = [form for form in sample_forms if grade_truth.graded(form)]
    scores = [form.total_score for form in graded if form.total_score is not None]
    grades = {name: sum(1 for s in scores if grade(s) == name) for name in ("优", "良", "中", "差")}
    indicators = [row for form in sample_forms for row in form.indicators if deducted(row)]
    unexplained = [row for row in indicators if domain.is_no_reason(row.reason)]

    assert shown[texts.KPI_FORMS] == str(len(sample_forms))
    assert shown[texts.KPI_RATE] == f"{rate * 100:.2f}%"
    assert shown[f"{texts.KPI_BUDGET}（万元）"] == f"{budget / 10000:,.2f}"
    assert shown[texts.KPI_AVG_SCORE] == f"{sum(scores) / len(scores):.2f}"  # two decimals, as the tables show it
    for name, count in grades.items():
        assert shown[name] == str(count), name
    assert shown[texts.NOT_GRADED] == str(len(sample_forms) - len(graded))
    assert shown[texts.KPI_DEDUCTED] == str(len(indicators))
    assert shown[texts.KPI_UNEXPLAINED] == str(len(unexplained))
    # The sample data: 22 forms (the PDFs replace forms 3 and 10), of which 17 graded (优 16 / 良 1) and 5
    # unused 预算准备金 forms on the 不评级 card (tests/grade_truth.py), 98.36% overall
    # (Σ执行数 ÷ Σ预算数 = 100,488,275.90 × … by hand from seed_forms.json; not the mean of the rates).
    assert len(sample_forms) == 22 and grades == grade_truth.SAMPLE_GRADES
    assert shown[texts.NOT_GRADED] == str(grade_truth.SAMPLE_NOT_GRADED_COUNT)
    assert shown[texts.KPI_AVG_SCORE] == grade_truth.SAMPLE_AVERAGE_TEXT
    assert sum(int(shown[name]) for name in grades) == len(graded) == len(grade_truth.SAMPLE_GRADED_SCORES)
    assert shown[texts.KPI_RATE] == "98.36%"
    assert len(at.get("plotly_chart")) == 4


def test_overview_in_yuan(sample_env, sample_forms):
    at = run_app(money="元")
    budget = sum(form.funds.total.annual_budget or 0 for form in sample_forms)
    assert metrics(at)[f"{texts.KPI_BUDGET}（元）"] == f"{budget:,.2f}"


def test_filter_from_url_narrows_every_page(sample_env, sample_forms):
    epidemic = [form for form in sample_forms if form.project_type == "疫情防控"]
    at = run_app(type="疫情防控")
    assert metrics(at)[texts.KPI_FORMS] == str(len(epidemic))
    assert at.sidebar.multiselect(key="type").value == ["疫情防控"]
    # Kept when switching pages.
    at.switch_page("ui/pages/projects.py").run()
    table = at.dataframe[0].value
    assert set(table[texts.COL["project_type"]]) == {"疫情防控"}
    assert len(table) == len(epidemic)


def test_sidebar_widget_sets_filter_and_reset_clears_it(sample_env, sample_forms):
    at = run_app()
    at.sidebar.multiselect(key="grade").set_value(["优"]).run()
    excellent = [form for form in sample_forms if grade_truth.graded(form) and form.total_score >= 90]
    assert metrics(at)[texts.KPI_FORMS] == str(len(excellent)) == str(grade_truth.SAMPLE_GRADES["优"])
    at.sidebar.button[0].click().run()
    assert metrics(at)[texts.KPI_FORMS] == str(len(sample_forms))


def test_filters_matching_nothing_explain_and_offer_import(sample_env):
    for page in (None, "ui/pages/projects.py", "ui/pages/deductions.py"):
        at = run_app(page, q="不存在的项目名称")
        assert any(texts.NO_MATCH in md.value for md in at.markdown), page
        assert not at.metric


# --- 项目 ---------------------------------------------------------------------------------------------------


def test_projects_table_lists_the_forms(pages_env, sample_forms):
    at = run_app("ui/pages/projects.py")
    table = at.dataframe[0].value
    assert len(table) == len(sample_forms)
    assert texts.COL["flags"] in table.columns
    text_columns = [c for c in table.columns if table[c].dtype == object or str(table[c].dtype).startswith("str")]
    assert table[text_columns].notna().all().all()
    by_name = table.set_index(texts.COL["project_name"])
    assert by_name.loc["数据规划管理", texts.COL["total_score"]] == pytest.approx(97.14)
    assert by_name.loc["数据规划管理", texts.COL["exec_rate_pct"]] == pytest.approx(10012516.44 / 10390000 * 100)
    assert by_name.loc["数据规划管理", texts.COL["deducted_count"]] == 2
    assert any(texts.PROJECTS_PICK in info.value for info in at.info)


def test_projects_form_from_url_opens_whole_form(pages_env, sample_forms):
    form = next(f for f in sample_forms if f.project_name == "数据规划管理")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("ui/pages/projects.py")
    at.query_params["form"] = form.id
    at.run()
    assert not at.exception
    assert any(sub.value == form.project_name for sub in at.subheader)
    shown = metrics(at)
    assert shown[texts.FORM_TOTAL] == "97.14"
    assert shown[texts.COL["exec_rate_pct"]] == "96.37%"
    markdown = " ".join(md.value for md in at.markdown)
    for heading in (texts.FORM_FUNDS, texts.FORM_GOALS, texts.FORM_INDICATORS, texts.FORM_CHECKS):
        assert heading in markdown
    indicator_tables = [df.value for df in at.dataframe[2:]]
    reasons = [r for frame in indicator_tables for r in frame[texts.COL["reason"]]]
    assert any("数字化转型规划" in str(reason) for reason in reasons)


# --- 扣分指标 -----------------------------------------------------------------------------------------------


def test_deductions_lists_every_deducted_row_with_its_reason(pages_env, sample_forms):
    at = run_app("ui/pages/deductions.py")
    expected = [
        (form.project_name, row.name, row.weight - row.score, (row.reason or "").strip())
        for form in sample_forms
        for row in form.indicators
        if deducted(row)
    ]
    table = at.dataframe[0].value
    col = texts.COL
    shown = list(
        zip(
            table[col["project_name"]], table[col["name"]], table[col["points_lost"]], table[col["reason"]], strict=True
        )
    )
    assert len(shown) == len(expected)
    for name, indicator, lost, reason in expected:
        wanted = texts.NO_REASON if domain.is_no_reason(reason) else reason
        assert any(
            s[0] == name and s[1] == indicator and s[2] == pytest.approx(lost) and s[3] == wanted for s in shown
        ), (name, indicator, wanted)
    # Sorted by points lost, largest first.
    assert list(table[col["points_lost"]]) == sorted(table[col["points_lost"]], reverse=True)
    # Known rows of the sample data.
    assert ("购置费", "采购服装数量", pytest.approx(0.8), texts.NO_REASON) in shown
    assert any(s[1] == "职工教育培训人数" and s[3] == "因为疫情原因不组织培训" for s in shown)
    shown_cards = metrics(at)
    assert shown_cards[texts.DEDUCTIONS_KPI_COUNT] == str(len(expected))
    assert shown_cards[texts.DEDUCTIONS_KPI_UNEXPLAINED] == str(sum(domain.is_no_reason(r[3]) for r in expected))


def test_deductions_grouped_by_level2(sample_env):
    at = run_app("ui/pages/deductions.py")
    at.button_group(key="order").set_value("level2").run()
    table = at.dataframe[0].value
    summary = at.dataframe[1].value
    level2 = list(table[texts.COL["level2"]])
    groups = list(dict.fromkeys(level2))
    assert groups == list(summary[texts.COL["level2"]])  # most points lost first, each group together
    assert sorted(level2, key=groups.index) == level2
    assert summary[texts.COL["points_lost"]].sum() == pytest.approx(table[texts.COL["points_lost"]].sum())


# --- the database missing or held by a writer ---------------------------------------------------------------


def test_missing_database_explains_and_links_to_import(tmp_path, monkeypatch):
    monkeypatch.setenv(connect.DB_ENV_VAR, str(tmp_path / "none.duckdb"))
    for page in (None, "ui/pages/projects.py", "ui/pages/deductions.py"):
        at = run_app(page)
        assert any(sub.value == texts.DB_EMPTY_TITLE for sub in at.subheader), page


def test_empty_database_explains(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    connect.open_db(path).close()
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    at = run_app()
    assert any(sub.value == texts.DB_EMPTY_TITLE for sub in at.subheader)


def test_database_locked_by_another_process_is_explained(tmp_path, monkeypatch, database_held_by_writer):
    path = tmp_path / "locked.duckdb"
    with database_held_by_writer(path):
        monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
        at = run_app()
        # Said with the file's name only: where the server keeps it is not the visitor's business.
        expected = markdown_literal(texts.DB_LOCKED.format(path=path.name))
        assert [error.value for error in at.error] == [expected]
        assert str(tmp_path) not in expected


def test_read_interrupted_by_an_import_is_explained_not_a_stack_trace(sample_env, monkeypatch):
    """An import in the same server closes the read-only handle; a page reading at that moment says so."""
    import duckdb

    from dashboard.ui import page_data

    def closed_under_us(*args, **kwargs):
        raise duckdb.ConnectionException("Connection already closed!")

    monkeypatch.setattr(page_data, "_read", closed_under_us)  # every cached read of the pages
    at = run_app()
    assert [error.value for error in at.error] == [texts.DB_BUSY_IMPORTING]


def test_a_failing_read_is_an_error_logged_with_its_trace_not_an_import(sample_db, tmp_path, monkeypatch, caplog):
    """A real DuckDB error that is neither a lock nor damage (a table dropped under the app) is not said to be
    an import: the visitor gets a short error without path or trace, the server's log the traceback."""
    import shutil

    import duckdb

    path = tmp_path / "dropped.duckdb"
    shutil.copy(sample_db, path)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE fund_rows")
    con.close()
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    with caplog.at_level("ERROR", logger="dashboard"):
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.switch_page("ui/pages/projects.py").run()  # its table joins fund_rows
    errors = [error.value for error in at.error]
    assert errors == [texts.DB_READ_FAILED]
    assert str(tmp_path) not in errors[0] and "Traceback" not in errors[0]
    assert texts.DB_BUSY_IMPORTING not in errors and not at.exception
    logged = [record for record in caplog.records if record.name == "dashboard"]
    assert logged and logged[0].exc_info is not None
    assert "fund_rows" in str(logged[0].exc_info[1])
