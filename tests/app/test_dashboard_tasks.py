"""The everyday tasks of issue 21 on the sample database, each through the app as a person uses it: the 总览
units table (against the stored forms, counted here in Python), grade shares, a card opening its rows, 扣分指标's
只看未说明原因 switch and search in reasons, a link naming a filter value that no longer exists, the 复核 card
saying its tolerance, wording (部门整体 unfiltered, the 导入 page's types)."""

from __future__ import annotations

import functools
from collections import defaultdict

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import domain, texts
from dashboard.queries import queries
from dashboard.queries import review_queries as rq
from dashboard.queries.filters import Filters
from tests import grade_truth
from tests.app.test_pages import APP
from tests.app.test_pages import run_app as run_page

run_app = functools.partial(run_page, timeout=90)  # the units table and its charts: a slower first run


def metric(at: AppTest, label: str):
    (card,) = [m for m in at.metric if m.label == label]
    return card


def frame_with(at: AppTest, column: str):
    (frame,) = [df.value for df in at.dataframe if column in df.value.columns]
    return frame


def test_units_table_matches_the_forms(sample_env, sample_forms):
    at = run_app()
    table = frame_with(at, texts.UNITS_COLUMNS["signals"])
    # Each form's 单位: its 实施单位, else its 主管部门, as the reference data names it; sums by hand.
    by_unit: dict[str, dict] = defaultdict(lambda: {"forms": 0, "budget": 0.0, "deducted": 0, "unexplained": 0})
    for form in sample_forms:
        key = "unit" if (form.unit or "").strip() else "department"
        row = by_unit[key + ":" + str(getattr(form, key))]
        row["forms"] += 1
        row["budget"] += form.funds.total.annual_budget or 0
        for indicator in form.indicators:
            if domain.is_deducted(indicator.weight, indicator.score):
                row["deducted"] += 1
                row["unexplained"] += domain.is_no_reason(indicator.reason)
    col = texts.COL
    assert sorted(table[col["forms"]].tolist()) == sorted(row["forms"] for row in by_unit.values())
    assert table[col["forms"]].sum() == len(sample_forms)
    assert table[col["deducted_count"]].sum() == sum(row["deducted"] for row in by_unit.values())
    assert table[col["unexplained_count"]].sum() == sum(row["unexplained"] for row in by_unit.values())
    budget = col["budget"].format(unit="万元")
    assert sorted(round(v, 2) for v in table[budget]) == sorted(
        round(row["budget"] / 10_000, 2) for row in by_unit.values()
    )
    grades = grade_truth.SAMPLE_GRADES
    for grade, count in grades.items():
        assert table[grade].sum() == count
    assert table[texts.NOT_GRADED].sum() == grade_truth.SAMPLE_NOT_GRADED_COUNT
    # The columns people asked for, in this order; numbers are numbers.
    assert list(table.columns)[:6] == [
        texts.UNITS_COLUMNS["org"], col["forms"], budget, col["executed"].format(unit="万元"), col["exec_rate_pct"],
        col["avg_score"],
    ]  # fmt: skip
    assert table[budget].dtype.kind == "f" and table[col["forms"]].dtype.kind == "i"
    assert table[texts.UNITS_COLUMNS["signals"]].sum() == int(
        metric(at, texts.OVERVIEW_SIGNAL_FORMS).value.split()[0]
    )  # the 风险信号 card counts the same forms


def test_units_order(sample_env, con):
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["uorder"] = "avg_score"  # the URL binding itself: tests/e2e/test_screens.py
    at.run()
    table = frame_with(at, texts.UNITS_COLUMNS["signals"])
    scores = table[texts.COL["avg_score"]].tolist()
    assert scores == sorted(scores)  # lowest average first
    assert queries.unit_count(con, Filters()) == len(table)


def test_grade_cards_show_their_share(sample_env):
    """A grade's share is of the graded forms (the report's sentence says the same: 优 16 张（94.1%）); 不评级's is
    of all forms, said so."""
    at = run_app()
    forms = int(metric(at, texts.KPI_FORMS).value)
    graded = sum(grade_truth.SAMPLE_GRADES.values())
    for grade, count in grade_truth.SAMPLE_GRADES.items():
        card = metric(at, grade)
        assert card.value == str(count)
        assert card.proto.delta == texts.CARD_SHARE.format(share=f"{count / graded * 100:.1f}%")
    assert metric(at, "优").proto.delta == "94.1%"
    not_graded = metric(at, texts.NOT_GRADED)
    assert not_graded.proto.delta == texts.SHARE_OF_ALL.format(share=f"{(forms - graded) / forms * 100:.1f}%")


def test_a_card_opens_the_rows_behind_it(sample_env):
    at = run_app()
    buttons = [button for button in at.button if button.label == texts.CARD_OPEN_ROWS]
    # The cards of forms, deductions and grades (the money and score cards' rows are the 自评表 card's forms).
    assert len(buttons) == 4 + len(grade_truth.SAMPLE_GRADES) + 1
    # The 扣分未说明原因 card is the 8th: 扣分指标 opens with its switch on, listing only those indicators.
    at.button(key="overview_open_1_3").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle(key="noreason").value is True
    counts = [m.value for m in at.markdown if m.value.startswith("共 ")]
    assert texts.DEDUCTIONS_COUNT.format(n="11") in counts
    assert all(value == texts.NO_REASON for value in at.dataframe[0].value[texts.COL["reason"]])


def test_a_grade_card_opens_projects_of_that_grade(sample_env):
    at = run_app()
    at.button(key="overview_open_2_1").click().run()  # 良
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="grade").value == ["良"]
    assert texts.PROJECTS_COUNT.format(n="1") in [m.value for m in at.markdown]


def test_deductions_switch_search_in_reasons_and_names_told_apart(sample_env, con):
    at = run_app("ui/pages/deductions.py", noreason="true")
    table = at.dataframe[0].value
    assert len(table) == 11 and set(table[texts.COL["reason"]]) == {texts.NO_REASON}
    # Name, 单位 and 年度 first, so the five 预算准备金 rows are told apart.
    assert list(table.columns)[:3] == [texts.COL["project_name"], texts.COL["org"], texts.COL["year"]]
    # A word found only in a reason finds its indicator.
    rows = con.execute("SELECT f.project_name, i.name FROM indicators i JOIN forms f USING (form_id)").fetchall()
    names = " ".join(str(value) for row in rows for value in row)
    reasons = [r for (r,) in con.execute(
        "SELECT i.reason FROM indicators i JOIN forms f USING (form_id) "
        "WHERE f.superseded_by IS NULL AND i.score < i.weight AND length(trim(i.reason)) > 8"
    ).fetchall()]  # fmt: skip
    word = next(r.strip()[k : k + 4] for r in reasons for k in range(len(r.strip()) - 4) if r.strip()[k : k + 4]
                not in names and not any(c in r.strip()[k : k + 4] for c in "，。；、 ：:"))  # fmt: skip
    at = run_app("ui/pages/deductions.py", q=word)
    table = at.dataframe[0].value
    assert len(table) >= 1 and all(word in str(reason) for reason in table[texts.COL["reason"]]), word


def test_a_picked_deduction_opens_its_form(sample_env, con):
    at = run_app("ui/pages/deductions.py")
    form_id = queries.deductions(con, Filters(), limit=1)["form_id"].iloc[0]
    at.query_params["form"] = form_id  # a shared link names the form (as a picked row writes it)
    at.run()
    assert not at.exception
    assert any(texts.FORM_FUNDS in m.value for m in at.markdown)


def test_a_link_naming_a_year_that_no_longer_exists_says_so(sample_env):
    at = run_app(year="2035", unit="不存在的单位")
    warnings = [w.value for w in at.warning]
    assert texts.URL_VALUE_GONE.format(label=texts.FILTER_YEAR, values="2035") in warnings
    assert texts.URL_VALUE_GONE.format(label=texts.FILTER_UNIT, values="不存在的单位") in warnings
    assert metric(at, texts.KPI_FORMS).value == "22"  # ignored: every form is shown
    at.run()  # said again on the next run (another page, a click elsewhere) …
    assert texts.URL_VALUE_GONE.format(label=texts.FILTER_YEAR, values="2035") in [w.value for w in at.warning]
    at.multiselect(key="year").set_value([2021]).run()  # … until the filters change
    assert not [w.value for w in at.warning if "链接中" in w.value]


def test_review_card_says_its_tolerance_and_the_gaps_within_it(sample_env, con, sample_forms):
    at = run_app("ui/pages/review_page.py")
    summary = rq.gap_summary(con, Filters())
    card = metric(at, texts.REVIEW_KPI_OVERSTATED)
    tolerance = "0.05"
    assert card.value == str(summary["overstated"])
    assert tolerance in card.proto.delta and tolerance in card.help
    # The sample: no form above the rules by more than 0.05, a few by less (rounding), said on the card.
    within = [
        form for form in sample_forms
        if grade_truth.graded(form) and form.recomputed_score is not None
        and 0 < form.total_score - form.recomputed_score <= 0.05 + 1e-9
    ]  # fmt: skip
    assert summary["overstated"] == 0 and summary["within_tolerance"] == len(within) > 0
    assert card.proto.delta == texts.REVIEW_KPI_OVERSTATED_DELTA_WITHIN.format(tolerance=tolerance, n=len(within))
    # The sum of the gaps is rounding too, and the card beside says so rather than showing 0.06 as news.
    assert metric(at, texts.REVIEW_KPI_GAP).proto.delta == texts.REVIEW_KPI_GAP_ROUNDING.format(tolerance=tolerance)
    shown = " ".join(m.value for m in [*at.caption, *at.markdown])
    assert "docs/" not in shown and ".md" not in shown


def test_wording_department_unfiltered_and_import_types(sample_env):
    at = run_app("ui/pages/department_page.py")
    infos = [i.value for i in at.info]
    assert texts.DEPARTMENT_PAGE_NONE in infos and texts.DEPARTMENT_PAGE_EMPTY not in infos
    at = run_app("ui/pages/import_page.py")
    intro = " ".join(c.value for c in at.caption)
    for suffix in (".pdf", ".txt", ".xlsx", ".xls", ".docx", ".doc", ".et", ".wps", ".html", ".htm", ".mhtml",
                   ".jpg", ".png", ".tif"):  # fmt: skip
        assert suffix in intro, suffix


@pytest.mark.parametrize("page", [None, "ui/pages/deductions.py", "ui/pages/review_page.py", "ui/pages/projects.py"])
def test_no_none_on_the_pages(sample_env, page):
    at = run_app(page)
    texts_shown = [e.value for e in [*at.caption, *at.markdown, *at.info, *at.warning, *at.subheader]]
    texts_shown += [m.value for m in at.metric] + [m.label for m in at.metric]
    assert not [text for text in texts_shown if "None" in str(text) or "nan" in str(text).split()]


def test_rate_and_score_on_their_own_axes_and_the_score_not_in_the_bad_grade_red(sample_env):
    import json

    from dashboard.queries import key_figures

    at = run_app()
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    rate_charts = [spec for spec in specs if any(t.get("name") == texts.SERIES_RATE for t in spec["data"])]
    assert len(rate_charts) == 2  # by type and by unit
    for spec in rate_charts:
        axes = {t.get("name"): t.get("xaxis", "x") for t in spec["data"]}
        assert axes[texts.SERIES_RATE] != axes[texts.SERIES_AVG_SCORE]  # two axes, never one for % and points
        score_colors = {t["marker"]["color"] for t in spec["data"] if t.get("name") == texts.SERIES_AVG_SCORE}
        assert key_figures.GRADE_CHART_COLORS[-1] not in score_colors  # not the 差 red


def test_review_rule_and_form_picked_are_in_the_url(sample_env, con):
    rule = rq.rule_counts(con, Filters())["rule"].iloc[0]
    at = run_app("ui/pages/review_page.py")
    at.query_params["rule"] = rule  # a shared link naming the rule (as a picked row writes it)
    at.run()
    assert not at.exception
    assert texts.REVIEW_RULE_SELECTED.format(title=rq.rule_title(rule)) in [i.value for i in at.info]
    forms = rq.forms_with_findings(con, Filters(), rule)
    assert texts.REVIEW_FORMS_COUNT.format(n=f"{forms:,}") in [c.value for c in at.caption]
    form_id = rq.forms_by_seriousness(con, Filters(), rule, 0, 1)["form_id"].iloc[0]
    at.query_params["form"] = form_id
    at.run()
    assert not at.exception
    assert any(texts.REVIEW_FORM_FINDINGS in m.value for m in at.markdown)  # the picked form is open
