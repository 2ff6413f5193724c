"""The audit rules on small hand-made forms (dashboard/audit/audit.py, dashboard/audit/config.py)."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.audit import audit
from dashboard.audit.config import DEFAULT_CONFIG, NATIONAL, AuditConfig, Scheme, grade_of
from dashboard.core.domain import SEVERITIES
from dashboard.core.model import Form, FundRow, Funds, Indicator


def row(name, target, actual, weight, score, reason=None, level1="产出指标", level2="数量指标"):
    return Indicator(level1, level2, name, target, actual, weight, score, reason)


def clean_rows() -> list[Indicator]:
    """A consistent 50/40 split where every target is met."""
    return [
        row("工作完成率", "100%", "100%", 20, 20),
        row("购置办公设备数量", "10台", "10台", 15, 15, level2="质量指标"),
        row("工作完成及时性", "及时", "及时", 15, 15, level2="时效指标"),
        row("保障运转有效率", "≥80%", "100%", 30, 30, level1="效益指标", level2="社会效益指标"),
        row("工作人员满意度", "≥90%", "95%", 10, 10, level1="效益指标", level2="满意度指标"),
        row("不适用", "不适用", "/", 0, 0, level1="效益指标", level2="经济效益指标"),
    ]


def funds(annual=100000.0, executed=96370.0, weight=10.0, score=9.64, rate=None) -> Funds:
    rate = round(executed / annual * 100, 2) if rate is None and annual else (rate or 0.0)
    zero = FundRow(0.0, 0.0, 0.0, 0.0)
    return Funds(
        total=FundRow(annual, annual, executed, rate, weight, score),
        current_year=FundRow(annual, annual, executed, rate),
        carryover=zero,
        other=dataclasses.replace(zero),
    )


def make_form(rows=None, *, fund=None, total_weight=None, total_score=None, **fields) -> Form:
    rows = clean_rows() if rows is None else rows
    fund = funds() if fund is None else fund
    if total_weight is None:
        total_weight = (fund.total.weight or 0) + sum(r.weight or 0 for r in rows)
    if total_score is None:
        total_score = round((fund.total.score or 0) + sum(r.score or 0 for r in rows), 2)
    fields.setdefault("department", "0402009")
    fields.setdefault("year", 2021)
    return Form(
        project_name=fields.pop("project_name", "购置费"),
        project_type="购置费",
        funds=fund,
        indicators=rows,
        total_weight=total_weight,
        total_score=total_score,
        **fields,
    )


def with_row(extra: Indicator, replace_first: bool = True) -> Form:
    """The clean form with its first row (weight 20) replaced by `extra`, weights kept consistent."""
    rows = clean_rows()
    if replace_first:
        rows[0] = dataclasses.replace(extra, weight=extra.weight if extra.weight is not None else 20)
    else:
        rows.append(extra)
    return make_form(rows)


def found(form: Form, rule: str | None = None, config: AuditConfig | Scheme = DEFAULT_CONFIG):
    checks = audit.run_form_rules(form, config)
    return [c for c in checks if rule is None or c.rule == rule]


def rules_of(form: Form) -> set[str]:
    return {c.rule for c in audit.run_form_rules(form)}


# --- Config and the rule list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"), (59.99, "差"), (0, "差")],
)
def test_grade_bands(score, grade):
    assert grade_of(score) == grade
    assert DEFAULT_CONFIG.grade_of(score) == grade


def test_grade_of_none_and_custom_bands():
    assert grade_of(None) is None
    strict = AuditConfig(grade_bands=((95.0, "优"), (85.0, "良"), (70.0, "中")))
    assert grade_of(92, strict) == "良"
    assert grade_of(69.9, strict) == "差"


def test_config_is_frozen_and_holds_the_national_defaults():
    with pytest.raises(dataclasses.FrozenInstanceError):
        NATIONAL.over_target_ratio = 2.0  # type: ignore[misc]
    assert DEFAULT_CONFIG.default is NATIONAL
    assert NATIONAL.fund_weights == (10.0, 20.0)
    assert dict(NATIONAL.level1_splits[0]) == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert NATIONAL.over_target_ratio == 1.30
    assert NATIONAL.score_tolerance == 0.05
    assert (NATIONAL.low_execution_pct, NATIONAL.high_total_score) == (60.0, 90.0)


def test_rules_list_is_complete_and_stable():
    ids = [rule for rule, _, _ in audit.RULES]
    assert len(ids) == len(set(ids))
    assert all(severity in SEVERITIES and title for _, severity, title in audit.RULES)
    assert set(audit.UNIT_RULE_IDS) <= set(ids)
    assert "total_not_sum" in ids and "parse_uncertain" not in ids


def test_clean_form_has_no_finding():
    assert found(make_form()) == []


def test_findings_are_sorted_by_severity():
    rows = clean_rows()
    rows[0] = row("工作完成率", "≥70%", "100%", 20, 25)  # error (score > weight) and info (over target)
    rows[1] = row("工作完成率", "10台", "10台", 15, 15)  # warning (duplicate)
    checks = found(make_form(rows, total_score=99.64))
    order = [SEVERITIES.index(c.severity) for c in checks]
    assert order == sorted(order) and {c.severity for c in checks} == set(SEVERITIES)


# --- Weights and total (items 5, 6) ------------------------------------------------------------------------------


def test_weights_not_sum():
    (check,) = found(make_form(total_weight=95), "weights_not_sum")
    assert (check.severity, check.claimed, check.recomputed, check.indicator) == ("error", 95, 100, None)
    assert "95" in check.message and "100" in check.message


def test_stopped_project_with_weight_10_is_legitimate():
    rows = [
        row("不可预见的政策性工作完成率", "100%", "不适用", 0, 0, "项目停用"),
        row("预算控制数", "≤2万元", "不适用", 0, 0, "项目停用", level2="成本指标"),
        row("不适用", "不适用", "不适用", 0, 0, "项目停用", level1="效益指标"),
        row("不适用", "不适用", "不适用", 0, 0, "项目停用", level1="效益指标"),
    ]
    fund = funds(annual=0.0, executed=0.0, score=0.0, rate=0.0)
    form = make_form(rows, fund=fund, total_weight=10, total_score=0, status="停用")
    assert found(form) == []


@pytest.mark.parametrize(
    ("total", "rule"), [(99.64, None), (99.68, "total_rounding"), (99.69, "total_rounding"), (99.7, "total_not_sum")]
)
def test_total_score_tolerance_edges(total, rule):
    checks = [c for c in found(make_form(total_score=total)) if c.rule in ("total_rounding", "total_not_sum")]
    assert [c.rule for c in checks] == ([rule] if rule else [])
    if rule:
        assert checks[0].recomputed == pytest.approx(99.64)
        assert checks[0].severity == ("info" if rule == "total_rounding" else "error")


def test_stopped_project_printing_100_on_parts_of_90():
    rows = [r if r.weight == 0 else dataclasses.replace(r, actual="不适用") for r in clean_rows()]
    form = make_form(rows, fund=funds(annual=0.0, executed=0.0, score=0.0), total_score=100, status="停用")
    (check,) = found(form, "total_not_sum")
    assert (check.claimed, check.recomputed) == (100, 100) or (check.claimed, check.recomputed) == (100, 90)
    assert check.recomputed == 90
    assert "stopped_with_points" in rules_of(form)


# --- Funds (item 4) ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "flagged"), [(96.37, False), (96.36, False), (96.38, False), (96.35, True)])
def test_rate_tolerance(rate, flagged):
    fund = funds()
    fund.total.rate_pct = rate
    checks = found(make_form(fund=fund), "rate_mismatch")
    assert bool(checks) is flagged
    if flagged:
        assert checks[0].recomputed == pytest.approx(96.37, abs=0.01)


def test_rate_of_a_sub_row_is_checked_with_its_label():
    fund = funds()
    fund.current_year.rate_pct = 90.0
    (check,) = found(make_form(fund=fund), "rate_mismatch")
    assert "当年财政拨款" in check.message


def test_zero_budget_goes_with_a_zero_rate():
    fund = funds(annual=0.0, executed=0.0, score=0.0, rate=0.0)
    assert found(make_form(fund=fund), "rate_mismatch") == []
    fund.total.rate_pct = 5.0
    (check,) = found(make_form(fund=fund), "rate_mismatch")
    assert check.claimed == 5.0 and check.recomputed is None


@pytest.mark.parametrize(
    ("score", "flagged"), [(9.64, False), (9.6, False), (9.68, False), (9.69, True), (9.0, True), (10, True)]
)
def test_fund_score_is_weight_times_rate(score, flagged):
    fund = funds(score=score)
    checks = found(make_form(fund=fund), "fund_score_mismatch")
    assert bool(checks) is flagged
    if flagged:
        assert checks[0].recomputed == pytest.approx(9.637)


def test_fund_score_is_capped_at_its_weight():
    fund = funds(executed=105000.0, score=10.0)
    assert found(make_form(fund=fund), "fund_score_mismatch") == []
    over = funds(executed=105000.0, score=10.5)
    checks = found(make_form(fund=over, total_score=100))
    assert [c.rule for c in checks if c.rule.startswith(("fund", "score"))] == ["score_above_weight"]
    assert "预算执行率" in found(make_form(fund=over, total_score=100), "score_above_weight")[0].message


def test_fund_total_is_the_sum_of_its_sub_rows():
    fund = funds()
    fund.current_year.annual_budget = 90000.0
    fund.current_year.executed = 86370.0
    fund.carryover.annual_budget = 5000.0
    fund.current_year.rate_pct = fund.carryover.rate_pct = None
    checks = found(make_form(fund=fund), "fund_total_not_sum")
    assert [(c.claimed, c.recomputed) for c in checks] == [(100000, 95000), (96370, 86370)]
    assert "全年预算数" in checks[0].message and "全年执行数" in checks[1].message


def test_fund_total_skips_columns_without_sub_rows():
    fund = funds()
    for key in ("current_year", "carryover", "other"):
        setattr(fund, key, FundRow())
    assert found(make_form(fund=fund), "fund_total_not_sum") == []


@pytest.mark.parametrize(("weight", "flagged"), [(10, False), (20, False), (15, True)])
def test_fund_weight_unusual(weight, flagged):
    fund = funds(weight=weight, score=round(weight * 0.9637, 2))
    assert bool(found(make_form(fund=fund), "fund_weight_unusual")) is flagged


# --- Score above weight (item 1) -----------------------------------------------------------------------------


def test_score_above_weight_on_an_indicator_and_on_the_total_row():
    form = with_row(row("工作完成率", "100%", "100%", 20, 21))
    form.total_score = 99.64
    checks = found(form, "score_above_weight")
    assert [(c.indicator, c.claimed, c.recomputed) for c in checks] == [("工作完成率", 21, 20)]
    total = found(make_form(total_weight=100, total_score=100.5), "score_above_weight")
    assert total[0].indicator is None and "总分" in total[0].message


# --- Self-score above the rule (item 2) --------------------------------------------------------------------------


def test_full_points_on_a_missed_rate_is_an_error():
    form = with_row(row("劳务派遣人员工资发放完成率", "100%", "98.02%", 2, 2))
    (check,) = found(form, "score_above_rule")
    assert (check.severity, check.indicator, check.claimed) == ("error", "劳务派遣人员工资发放完成率", 2)
    assert check.recomputed == pytest.approx(1.9604)
    assert "98.02%" in check.message and "1.96" in check.message


@pytest.mark.parametrize(
    ("target", "actual", "weight", "score", "flagged"),
    [
        ("1350套", "1172", 6, 5.2, False),  # 6 × 1172/1350 = 5.2089, printed to one place
        ("1350套", "1172", 6, 5.21, False),
        ("1350套", "1172", 6, 5.3, True),
        ("1350套", "1172", 6, 6, True),
        ("10人", "5人", 3, 1.5, False),
        ("100%", "65%", 4, 3, False),  # 2.6 printed as a whole number
        ("100%", "65%", 4, 3.5, True),
        ("100%", "65%", 4, 2.6, False),
        ("≥1人", "0", 2, 0, False),
        ("≥1人", "0", 2, 1, True),
    ],
)
def test_prorated_higher_is_better(target, actual, weight, score, flagged):
    form = with_row(row("采购服装数量", target, actual, weight, score, "原因"))
    assert bool(found(form, "score_above_rule")) is flagged


@pytest.mark.parametrize(
    ("target", "actual", "score", "flagged"),
    [
        ("≤845万元", "1940.2万元", 0, False),  # overspent cap scored 0: the local rule
        ("≤845万元", "1940.2万元", 0.87, False),  # prorated: the national text, not an error
        ("≤845万元", "1940.2万元", 1.5, True),
        ("≤845万元", "1940.2万元", 2, True),
        ("≤460.75万元", "4261455元", 2, False),
        ("≤460.75万元", "5000000元", 2, True),
        ("≤1亿元", "9000万元", 2, False),
        ("≤2%", "0", 2, False),
        ("≤2%", "4%", 2, True),
        ("≤2%", "4%", 1, False),
    ],
)
def test_prorated_lower_is_better(target, actual, score, flagged):
    form = with_row(row("预算控制数", target, actual, 2, score, "原因", level2="成本指标"))
    assert bool(found(form, "score_above_rule")) is flagged


def test_complaints_against_a_zero_target():
    rows = clean_rows()
    rows[4] = row("办事群众投诉量", "0", "21", 10, 10, "改进措施", level1="效益指标", level2="满意度指标")
    (check,) = found(make_form(rows), "score_above_rule")
    assert check.recomputed == 0
    rows[4] = dataclasses.replace(rows[4], score=0)
    assert found(make_form(rows), "score_above_rule") == []


@pytest.mark.parametrize(
    ("target", "actual", "score", "flagged"),
    [
        ("及时", "及时", 20, False),
        ("及时", "未组织培训", 0, False),
        ("及时", "未组织培训", 12, False),  # the top of the 未达成 band (60 %)
        ("及时", "未组织培训", 20, True),
        ("达成", "部分达成", 16, False),
        ("达成", "部分达成", 20, True),
        ("有效降低", "100%", 20, False),  # worded target, numeric actual: the rules cannot tell
        ("≥90%", "≥90%", 20, False),  # read at its bound; item 8 flags the wording
    ],
)
def test_qualitative_bands(target, actual, score, flagged):
    form = with_row(row("培训工作完成及时性", target, actual, 20, score, "原因", level2="时效指标"))
    assert bool(found(form, "score_above_rule")) is flagged


def test_score_above_weight_is_not_reported_twice():
    form = with_row(row("工作完成率", "100%", "50%", 20, 25, "原因"))
    assert "score_above_rule" not in rules_of(form)
    assert "score_above_weight" in rules_of(form)


# --- Missing reason (item 3) -------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "/", "无", "—", "不适用", "--", "——", "n/a", "暂无"])
def test_deduction_without_reason(reason):
    form = with_row(row("采购服装数量", "1350套", "1172", 6, 5.2, reason))
    (check,) = found(form, "missing_reason")
    assert (check.severity, check.claimed, check.recomputed) == ("warning", 5.2, 6)
    assert "0.8" in check.message


def test_deduction_with_reason_is_fine():
    assert found(with_row(row("采购服装数量", "1350套", "1172", 6, 5.2, "疫情影响")), "missing_reason") == []


def test_missed_target_at_full_points_without_reason():
    form = with_row(row("劳务派遣人员工资发放完成率", "100%", "98.02%", 2, 2))
    (check,) = found(form, "missing_reason")
    assert "98.02%" in check.message


def test_zero_weight_not_applicable_rows_raise_nothing():
    rows = [
        *clean_rows(),
        row("不适用", "不适用", "不适用", 0, 0, level1="效益指标", level2="生态效益指标"),
        row("不适用", "不适用", "100%", 0, 0, level1="效益指标", level2="经济效益指标"),
        row("不可预见的政策性工作完成率", "100%", "不适用", 0, 0, level2="数量指标"),
    ]
    assert found(make_form(rows)) == []


# --- Not measured (item 7), target wording (item 8), unit mismatch ------------------------------------------------


@pytest.mark.parametrize("actual", ["不适用", "/", "", "—"])
def test_full_points_with_nothing_measured(actual):
    form = with_row(row("预算准备金相关工作完成率", "100%", actual, 20, 20, "本年不需要使用"))
    (check,) = found(form, "full_score_not_measured")
    assert (check.severity, check.claimed, check.recomputed) == ("warning", 20, 0)


def test_partial_points_with_nothing_measured_is_not_item_7():
    form = with_row(row("预算准备金相关工作完成率", "100%", "不适用", 20, 0, "本年不需要使用"))
    assert found(form, "full_score_not_measured") == []


@pytest.mark.parametrize(("actual", "flagged"), [("≥90%", True), ("不低于90%", True), ("24小时内", True)])
def test_actual_written_as_target_wording(actual, flagged):
    form = with_row(row("工作人员满意度", "≥90%", actual, 20, 20))
    assert bool(found(form, "actual_is_target_wording")) is flagged


def test_measured_actual_is_not_target_wording():
    assert found(make_form(), "actual_is_target_wording") == []


def test_rate_written_as_an_amount():
    form = with_row(row("支出进度达标率", "≥85%", "1016318", 20, 20, level2="成本指标"))
    (check,) = found(form, "actual_unit_mismatch")
    assert "1016318" in check.message and "百分比" in check.message


def test_amount_cap_measured_as_a_rate():
    form = with_row(row("预算控制数", "≤1096.58万元", "100%", 20, 20, level2="成本指标"))
    (check,) = found(form, "actual_unit_mismatch")
    assert "金额" in check.message


# --- Item 9 ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target", "level2", "flagged"),
    [
        ("预算控制数", "≥100万元", "成本指标", True),
        ("设备采购费用", "≥10万元", "数量指标", True),
        ("预算控制数", "≤100万元", "成本指标", False),
        ("支出进度达标率", "≥95%", "成本指标", False),
        ("招商引资金额", "≥5亿元", "经济效益指标", False),
    ],
)
def test_cost_target_written_with_ge(name, target, level2, flagged):
    form = with_row(row(name, target, target.lstrip("≥≤"), 20, 20, level2=level2))
    assert bool(found(form, "cost_target_direction")) is flagged


@pytest.mark.parametrize(
    ("name", "target", "flagged"),
    [
        ("工作人员满意度", "≤90%", True),
        ("IDC机房运行维护故障率", "100%", True),
        ("培训人数", "≥0人", True),
        ("工作人员满意度", "≥90%", False),
        ("用户投诉率", "≤2%", False),
        ("安全事故发生数", "0起", False),
    ],
)
def test_target_that_cannot_fail(name, target, flagged):
    form = with_row(row(name, target, "100%", 20, 20))
    assert bool(found(form, "target_cannot_fail")) is flagged


# --- Over target (info) ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "flagged"),
    [
        ("≥70%", "100%", True),
        ("≥80%", "100%", False),
        ("≥10人", "13人", True),
        ("≥10人", "12人", False),
        ("≤2%", "0%", False),
        ("≥0%", "5%", False),
        ("100台", "144", True),
    ],
)
def test_over_target(target, actual, flagged):
    checks = found(with_row(row("宣传率", target, actual, 20, 20)), "over_target")
    assert bool(checks) is flagged
    if flagged:
        assert checks[0].severity == "info"


# --- Form-level items: 11, 12, 一级 split, stopped --------------------------------------------------------------


@pytest.mark.parametrize(
    ("executed", "total", "flagged"),
    [(50000.0, 95, True), (50000.0, 85, False), (70000.0, 95, False), (0.0, 90, True)],
)
def test_low_execution_with_high_score(executed, total, flagged):
    fund = funds(executed=executed, score=round(executed / 10000, 2))
    checks = found(make_form(fund=fund, total_score=total), "low_execution_high_score")
    assert bool(checks) is flagged


def test_withdrawn_budget_is_not_low_execution():
    fund = funds(annual=0.0, executed=0.0, score=0.0, rate=0.0)
    assert found(make_form(fund=fund, total_score=90), "low_execution_high_score") == []


def test_duplicate_indicator_names():
    rows = clean_rows()
    rows.append(dataclasses.replace(rows[4], name="工作人员 满意度", weight=0, score=0))
    (check,) = found(make_form(rows), "duplicate_indicator")
    assert (check.indicator, check.claimed) == ("工作人员满意度", 2)


def test_placeholder_names_are_not_duplicates():
    rows = [*clean_rows(), row("不适用", "不适用", "不适用", 0, 0, level1="效益指标")]
    assert found(make_form(rows), "duplicate_indicator") == []


def _split_rows(output: float, benefit: float, satisfaction: float = 0) -> list[Indicator]:
    rows = [
        row("工作完成率", "100%", "100%", output, output),
        row("保障运转有效率", "≥80%", "100%", benefit, benefit, level1="效益指标"),
    ]
    if satisfaction:
        rows.append(row("满意度", "≥90%", "95%", satisfaction, satisfaction, level1="满意度指标"))
    return rows


@pytest.mark.parametrize(
    ("split", "flagged"),
    [((50, 40), False), ((50, 30, 10), False), ((60, 30), True), ((50, 35, 5), True), ((40, 40, 10), True)],
)
def test_level1_split(split, flagged):
    checks = found(make_form(_split_rows(*split)), "level1_split")
    assert bool(checks) is flagged
    if flagged:
        assert checks[0].severity == "warning"


def test_level1_split_accepts_a_configured_local_split():
    config = Scheme(level1_splits=((("产出指标", 60.0), ("效益指标", 30.0)),))
    assert found(make_form(_split_rows(60, 30)), "level1_split", config) == []


def test_stopped_project_with_points():
    form = make_form(status="停用")
    (check,) = found(form, "stopped_with_points")
    assert check.claimed == 90


# --- Item 10: across a unit's forms -----------------------------------------------------------------------------


def test_unit_with_every_indicator_at_full_marks():
    forms = [make_form(unit="某某镇", id="a"), make_form(unit="某某镇", id="b")]
    findings = audit.run_unit_rules(forms)
    assert set(findings) == {"a", "b"}
    assert findings["a"][0].rule == "unit_all_full_marks" and findings["a"][0].severity == "warning"
    assert "某某镇" in findings["a"][0].message


def test_unit_with_one_deduction_is_not_flagged():
    deducted = with_row(row("采购服装数量", "1350套", "1172", 6, 5.2, "原因"))
    deducted.unit = "某某镇"
    assert audit.run_unit_rules([make_form(unit="某某镇"), deducted]) == {}


def test_unit_rule_groups_by_department_when_unit_is_blank_and_by_year():
    forms = [
        make_form(unit=None, department="0402009"),
        make_form(unit="  ", department="0402009"),
        make_form(unit=None, department="0402009", year=2022),
        make_form(unit=None, department="0500001"),
    ]
    assert set(audit.run_unit_rules(forms)) == {0, 1}


def test_unit_rule_needs_enough_forms():
    assert audit.run_unit_rules([make_form(unit="某某镇")]) == {}
    config = Scheme(unit_rule_min_forms=1)
    assert set(audit.run_unit_rules([make_form(unit="某某镇")], config)) == {0}


def test_unit_rule_ignores_stopped_forms_without_weights():
    stopped = make_form(
        [row("不适用", "不适用", "不适用", 0, 0)],
        fund=funds(annual=0.0, executed=0.0, score=0.0, rate=0.0),
        unit="某某镇",
    )
    assert audit.run_unit_rules([stopped, stopped]) == {}


# --- recompute_total -----------------------------------------------------------------------------------------------


def test_recompute_total_of_a_clean_form():
    assert audit.recompute_total(make_form()) == pytest.approx(99.64)


def test_recompute_total_prorates_and_zeroes():
    rows = clean_rows()
    rows[0] = row("采购服装数量", "1350套", "1172", 20, 17.36, "原因")
    rows[1] = row("预算控制数", "≤30万元", "373714元", 15, 0, "超支", level2="成本指标")
    rows[2] = row("培训及时性", "及时", "未组织培训", 15, 15, level2="时效指标")
    form = make_form(rows)
    expected = 9.637 + 20 * 1172 / 1350 + 0 + 15 * 0.6 + 40
    assert audit.recompute_total(form) == pytest.approx(round(expected, 2))
    prorate = Scheme(overspent_cost_scores_zero=False)
    assert audit.recompute_total(form, prorate) == pytest.approx(round(expected + 15 * 300000 / 373714, 2))


def test_a_form_with_nothing_measured_is_not_evaluable():
    rows = [dataclasses.replace(r, actual="不适用") if r.weight else r for r in clean_rows()]
    form = make_form(rows, fund=funds(annual=30000.0, executed=0.0, score=0.0))
    assert audit.recompute_total(form) is None
    assert "not_evaluable" in rules_of(form)
    # Full points claimed on the 不适用 rows stay flagged, one finding per weighted row.
    assert len(found(form, "full_score_not_measured")) == 5


def test_recompute_total_keeps_what_the_rules_cannot_judge():
    rows = clean_rows()
    rows[0] = row("降低传染风险", "有效降低", "100%", 20, 20)
    assert audit.recompute_total(make_form(rows)) == pytest.approx(99.64)


def test_recompute_fund_score_uses_amounts_else_the_printed_rate():
    fund = funds()
    fund.total.annual_budget = fund.total.executed = None
    assert audit.recompute_fund_score(make_form(fund=fund)) == pytest.approx(9.637)
    fund.total.rate_pct = None
    assert audit.recompute_fund_score(make_form(fund=fund)) == 0
