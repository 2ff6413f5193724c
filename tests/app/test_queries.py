"""The pages' SQL (queries.py, filters.where_sql) against figures computed in Python from the forms.

Also the pure helpers behind the pages: number formatting and the form view's indicator table.
"""

from __future__ import annotations

import math

import pytest

from dashboard.core import domain, texts
from dashboard.core import formatting as fmt
from dashboard.core.model import Form, Indicator
from dashboard.queries import filters, queries
from dashboard.queries.filters import Filters
from dashboard.ui import form_view
from tests.grade_truth import graded, not_graded
from tests.reference_truth import SAMPLE_TYPES


def grade(score: float | None) -> str | None:
    if score is None:
        return None
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


def deducted(row: Indicator) -> bool:
    return row.weight is not None and row.score is not None and row.score < row.weight


def rate_of(forms: list[Form]) -> float | None:
    """Σ全年执行数 ÷ Σ全年预算数 over the forms that print both."""
    both = [
        f.funds.total for f in forms if f.funds.total.annual_budget is not None and f.funds.total.executed is not None
    ]
    budget = sum(t.annual_budget for t in both)
    return sum(t.executed for t in both) / budget if budget else None


def test_form_overview_row_per_form(con, sample_forms):
    frame = queries.form_overview(con, Filters()).set_index("form_id")
    assert len(frame) == len(sample_forms)
    for form in sample_forms:
        row = frame.loc[form.id]
        total = form.funds.total
        assert row["budget"] == pytest.approx(total.annual_budget)
        assert row["executed"] == pytest.approx(total.executed)
        if total.annual_budget:
            assert row["exec_rate"] == pytest.approx(total.executed / total.annual_budget)
        else:
            assert math.isnan(row["exec_rate"])
        assert row["grade"] == (grade(form.total_score) if graded(form) else texts.NOT_GRADED)
        assert (None if fmt.is_missing(row["not_graded"]) else row["not_graded"]) == not_graded(form)
        assert row["deducted_count"] == sum(deducted(i) for i in form.indicators)
        no_reason = [i for i in form.indicators if deducted(i) and domain.is_no_reason(i.reason)]
        assert row["unexplained_count"] == len(no_reason)
        assert row["error_count"] == sum(c.severity == "error" for c in form.checks)


def test_form_page_is_a_slice_of_the_whole_list_with_its_details(con, sample_forms):
    whole = queries.form_overview(con, Filters())
    page = queries.form_page(con, Filters(), offset=5, limit=7)
    assert list(page.columns) == list(whole.columns)
    assert page["form_id"].tolist() == whole["form_id"].iloc[5:12].tolist()
    expected = whole.iloc[5:12].reset_index(drop=True)
    for column in ("initial_budget", "fund_score", "error_count", "warning_count", "info_count", "budget"):
        assert page[column].fillna(-1).tolist() == expected[column].fillna(-1).tolist(), column


@pytest.mark.parametrize(
    "chosen, keep",
    [
        (Filters(), lambda f: True),
        (Filters(types=("疫情防控",)), lambda f: f.project_type == "疫情防控"),
        (Filters(grades=("差",)), lambda f: graded(f) and grade(f.total_score) == "差"),
        (Filters(grades=("优",)), lambda f: graded(f) and grade(f.total_score) == "优"),
        (Filters(grades=(texts.NOT_GRADED,)), lambda f: not graded(f)),
        (Filters(status="stopped"), lambda f: f.status == "停用"),
        (Filters(status="active"), lambda f: f.status != "停用"),
        (Filters(score_range=(80, 95)), lambda f: f.total_score is not None and 80 <= f.total_score <= 95),
        (Filters(units=(texts.UNIT_BLANK,)), lambda f: not (f.unit or "").strip()),
        (
            Filters(search="满意度"),
            lambda f: "满意度" in f.project_name or any("满意度" in i.name for i in f.indicators),
        ),
        (
            Filters(rate_range=(90, 100)),
            lambda f: bool(f.funds.total.annual_budget) and f.funds.total.executed / f.funds.total.annual_budget >= 0.9,
        ),
    ],
)
def test_kpis_under_filters(con, sample_forms, chosen, keep):
    forms = [f for f in sample_forms if keep(f)]
    shown = queries.kpis(con, chosen)
    assert shown["forms"] == len(forms)
    if not forms:
        return
    expected_rate = rate_of(forms)
    assert shown["overall_rate"] == (pytest.approx(expected_rate) if expected_rate is not None else None)
    scores = [f.total_score for f in forms if f.total_score is not None and graded(f)]
    if scores:
        assert shown["avg_score"] == pytest.approx(sum(scores) / len(scores))
    else:
        assert shown["avg_score"] is None
    for name in filters.grades():
        assert shown["grades"][name] == sum(grade(s) == name for s in scores)
    assert shown["not_graded"] == sum(not graded(f) for f in forms)
    assert sum(shown["grades"].values()) + shown["not_graded"] + shown["grade_none"] == shown["forms"]
    assert shown["deducted"] == sum(deducted(i) for f in forms for i in f.indicators)


def test_overall_rate_is_sum_over_sum_not_mean_of_rates(con, sample_forms):
    shown = queries.kpis(con, Filters())["overall_rate"]
    rates = [f.funds.total.executed / f.funds.total.annual_budget for f in sample_forms if f.funds.total.annual_budget]
    assert shown == pytest.approx(rate_of(sample_forms))
    assert shown != pytest.approx(sum(rates) / len(rates))


def test_group_summary_by_type(con, sample_forms):
    frame = queries.group_summary(con, Filters(), "project_type").set_index("grp")
    for project_type in set(SAMPLE_TYPES.values()):  # the types the rules give the sample (hand-written)
        forms = [f for f in sample_forms if SAMPLE_TYPES[f.project_type] == project_type]
        assert frame.loc[project_type, "forms"] == len(forms)
        expected = rate_of(forms)
        if expected is None:
            assert math.isnan(frame.loc[project_type, "exec_rate"])
        else:
            assert frame.loc[project_type, "exec_rate"] == pytest.approx(expected)


def test_group_summary_by_org_uses_department_where_unit_blank(con, sample_forms):
    frame = queries.group_summary(con, Filters(), "org").set_index("grp")
    for form in sample_forms:
        org = (form.unit or "").strip() or form.department
        assert org in frame.index
        assert bool(frame.loc[org, "grp_is_department"]) == (not (form.unit or "").strip())


def test_score_bins_cover_every_graded_form(con, sample_forms):
    bins = queries.score_bins(con, Filters())
    assert bins["forms"].sum() == sum(graded(f) for f in sample_forms) == 17
    assert list(bins["lo"].dropna()) == [float(lo) for lo in range(0, 100, 10)]
    top = bins.set_index("lo").loc[90.0, "forms"]
    assert top == sum(1 for f in sample_forms if graded(f) and f.total_score is not None and f.total_score >= 90)
    assert bins.set_index("lo").loc[0.0, "forms"] == 0  # the three unused reserves at 总分 0 are not 差


def test_deductions_and_their_summary(con, sample_forms):
    rows = queries.deductions(con, Filters())
    expected = [(f.id, i.name) for f in sample_forms for i in f.indicators if deducted(i)]
    assert sorted(zip(rows["form_id"], rows["name"], strict=True)) == sorted(expected)
    by_level2 = queries.deductions_by_level2(con, Filters())
    assert by_level2["points_lost"].sum() == pytest.approx(rows["points_lost"].sum())
    assert by_level2["unexplained"].sum() == rows["no_reason"].sum()
    totals = queries.deduction_summary(con, Filters()).totals  # the cards, from the same pass as the chart
    assert totals == {
        "indicators": len(expected),
        "points_lost": pytest.approx(rows["points_lost"].sum()),
        "forms": len({form_id for form_id, _ in expected}),
        "unexplained": int(rows["no_reason"].sum()),
    }
    assert totals == queries.deduction_totals(con, Filters())


def test_deductions_search_matches_indicator_name_or_reason(con):
    rows = queries.deductions(con, Filters(search="培训"))
    assert len(rows) > 0
    assert all(
        "培训" in name or "培训" in project or "培训" in (reason or "")
        for name, project, reason in zip(rows["name"], rows["project_name"], rows["reason"], strict=True)
    )
    assert any(
        "培训" in (reason or "") and "培训" not in name
        for name, reason in zip(rows["name"], rows["reason"], strict=True)
    )


def test_filters_from_url_values():
    state = {"year": ["2021"], "type": ["购置费"], "score": [60, 90], "status": "stopped", "q": "  疫情 "}
    parsed = filters.from_state(state)
    assert parsed == Filters(
        years=(2021,), types=("购置费",), score_range=(60.0, 90.0), status="stopped", search="疫情"
    )
    assert filters.from_state({"status": "nonsense"}).status == "all"
    assert filters.where_sql(Filters()) == ("TRUE", [])
    assert "购置费" in filters.describe(parsed)
    assert filters.describe(Filters()) == texts.FILTER_NONE_ACTIVE


def test_formatting():
    assert fmt.money_text(10012516.44) == "1,001.25 万元"
    assert fmt.money_text(10012516.44, "元") == "10,012,516.44 元"
    assert fmt.money_text(None) == texts.DASH
    assert fmt.money_text(float("nan")) == texts.DASH
    assert fmt.percent_text(0.963669) == "96.37%"
    assert fmt.percent_text(None) == texts.DASH
    assert fmt.score_text(100.0) == "100"
    assert fmt.score_text(5.20) == "5.2"
    assert fmt.score_text(None) == texts.DASH
    assert fmt.text_or_dash("  ") == texts.DASH


def test_form_view_marks_deductions_without_reason():
    form = Form(
        project_name="示例",
        project_type="示例",
        indicators=[
            Indicator("产出指标", "数量指标", "甲", "10", "8", 10.0, 8.0, None),
            Indicator("产出指标", "数量指标", "乙", "10", "8", 10.0, 8.0, "原因已说明"),
            Indicator("效益指标", "满意度指标", "丙", "≥90%", "95%", 10.0, 10.0, None),
        ],
    )
    frame = form_view.indicators_frame(form)
    reasons = list(frame[texts.COL["reason"]])
    assert reasons == [texts.NO_REASON, "原因已说明", texts.DASH]
    assert list(frame["_deducted"]) == [True, True, False]
    assert list(frame[texts.COL["points_lost"]].fillna(-1)) == [2.0, 2.0, -1]
