"""Rows that do not apply, forms that cannot be evaluated, and forms judged by their own region's scheme.

Every expected figure is worked out by hand in the test (scoring-rules.md, "Indicators that do not apply,
and regional schemes"): 执行率 96370 ÷ 100000 = 96.37 %, so the fund scores 10 × 0.9637 = 9.637 (or
20 × 0.9637 = 19.274 on a Hebei form).
"""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.audit import audit
from dashboard.audit.config import DEFAULT_CONFIG, load_config
from tests.unit.test_audit import clean_rows, funds, make_form, row


def scheme(name: str):
    return DEFAULT_CONFIG.scheme(name)


def rules(form, config) -> set[str]:
    return {check.rule for check in audit.run_form_rules(form, config)}


# --- Not applicable -------------------------------------------------------------------------------------------


def clothing_form_with_a_row_not_applicable():
    rows = clean_rows()
    rows[0] = row("采购服装数量", "1350套", "1172", 20, 17.36, "原因")
    rows[2] = row("工作完成及时性", "及时", "不适用", 15, 15, level2="时效指标")
    return make_form(rows)


def test_a_row_that_does_not_apply_leaves_and_the_rest_is_rescaled():
    form = clothing_form_with_a_row_not_applicable()
    # Counted weights 20 + 15 + 30 + 10 = 75 of 90; their points 20 × 1172/1350 + 15 + 30 + 10, × 90/75.
    expected = 9.637 + (20 * 1172 / 1350 + 15 + 30 + 10) * 90 / 75
    assert audit.recompute_total(form) == pytest.approx(round(expected, 2))
    assert audit.recompute_total(form) == 96.47
    # Full points claimed on the 不适用 row are still flagged.
    assert "full_score_not_measured" in rules(form, DEFAULT_CONFIG)
    assert "not_evaluable" not in rules(form, DEFAULT_CONFIG)


def test_a_stopped_form_with_weights_0_is_scored_by_its_fund_row_only():
    rows = [row("不适用", "不适用", "不适用", 0, 0)]
    form = make_form(rows, fund=funds(annual=20000.0, executed=0.0, score=0.0), status="停用")
    assert audit.recompute_total(form) == 0
    assert "not_evaluable" not in rules(form, DEFAULT_CONFIG)


# --- Hebei: 执行率 20 + 产出 40 + 效益与满意度 40, 定性 bands 100–80 / 80–50 / 50–0 -----------------------------


def hebei_form():
    rows = [
        row("工作完成率", "100%", "100%", 20, 20),
        row("购置办公设备数量", "10台", "10台", 10, 10, level2="质量指标"),
        row("培训及时性", "及时", "未组织培训", 10, 10, "原因", level2="时效指标"),
        row("保障运转有效率", "≥80%", "100%", 30, 30, level1="效益与满意度指标", level2="社会效益指标"),
        row("工作人员满意度", "≥90%", "95%", 10, 10, level1="效益与满意度指标", level2="满意度指标"),
    ]
    return make_form(rows, fund=funds(weight=20.0, score=19.27), department="河北省某厅")


def test_a_hebei_form_is_judged_by_hebei_weights_and_bands():
    form = hebei_form()
    # 未达成 定性: at most 50 % of 10 under Hebei → 5; 19.274 + 20 + 10 + 5 + 30 + 10.
    assert audit.recompute_total(form, scheme("hebei")) == 94.27
    assert "level1_split" not in rules(form, scheme("hebei"))
    assert "fund_weight_unusual" not in rules(form, scheme("hebei"))
    (check,) = [c for c in audit.run_form_rules(form, scheme("hebei")) if c.rule == "score_above_rule"]
    assert (check.indicator, check.claimed, check.recomputed) == ("培训及时性", 10, 5)


def test_the_same_form_under_the_national_scheme():
    form = hebei_form()
    # National 未达成 band: at most 60 % → 6; the split 产出 40 + 效益与满意度 40 is not a national one.
    assert audit.recompute_total(form, scheme("national")) == 95.27
    assert "level1_split" in rules(form, scheme("national"))
    split = next(c for c in audit.run_form_rules(form, scheme("national")) if c.rule == "level1_split")
    assert "全国通用评分方案" in split.message


def test_a_department_setting_picks_the_hebei_scheme(tmp_path):
    path = tmp_path / "audit.toml"
    path.write_text('[departments]\n"河北省某厅" = "hebei"\n', encoding="utf-8")
    config, form = load_config(path), hebei_form()
    assert config.scheme_for(form).name == "hebei"
    assert audit.recompute_total(form, config) == 94.27


# --- Sichuan: 执行率 10 + 绩效指标 90 ------------------------------------------------------------------------


def sichuan_form(weights=(30, 30, 30)):
    rows = [
        row("项目完成率", "100%", "100%", weights[0], weights[0], level1="绩效指标"),
        row("工作完成率", "100%", "90%", weights[1], weights[1] * 0.9, "原因", level1="绩效指标", level2="质量指标"),
        row("服务对象满意度", "≥90%", "95%", weights[2], weights[2], level1="绩效指标", level2="满意度指标"),
    ]
    return make_form(rows)


def test_a_sichuan_form_is_chosen_by_its_title_and_judged_by_its_weights():
    form = sichuan_form()
    chosen = DEFAULT_CONFIG.scheme_for(form, layout="2021年度部门预算项目支出绩效自评表")
    assert chosen.name == "sichuan"
    # 9.637 + 30 + 30 × 90/100 + 30
    assert audit.recompute_total(form, chosen) == 96.64
    assert "level1_split" not in rules(form, chosen)
    assert "level1_split" in rules(form, scheme("national"))


def test_a_sichuan_form_whose_indicators_do_not_add_up_to_90():
    form = sichuan_form((30, 30, 20))
    (check,) = [c for c in audit.run_form_rules(form, scheme("sichuan")) if c.rule == "level1_split"]
    assert "合计 80" in check.message and "规定指标合计 90" in check.message and "四川" in check.message


# --- Shanxi: no 成本指标 filed scores at most 5 points for cost ---------------------------------------------------


def form_without_cost_filed():
    rows = clean_rows()
    rows[1] = row("单位成本", "≤500元", "不适用", 15, 15, level2="成本指标")
    return make_form(rows)


def test_shanxi_caps_the_cost_points_where_no_cost_indicator_was_filed():
    form = form_without_cost_filed()
    # National: the cost row leaves, 75 points rescaled to 90 → 9.637 + 90.
    assert audit.recompute_total(form, scheme("national")) == 99.64
    # Shanxi: the cost row stays and scores 5 → 9.637 + 75 + 5.
    assert audit.recompute_total(form, scheme("shanxi")) == 89.64


# --- Explaining a recomputation ----------------------------------------------------------------------------------


def test_explain_total_shows_rule_formula_and_result_row_by_row():
    form = clothing_form_with_a_row_not_applicable()
    steps = audit.explain_total(form, DEFAULT_CONFIG)
    by_row = {step.row: step for step in steps}
    assert steps[0].rule == "全国通用"
    assert by_row["预算执行率"].formula == "10 × 96.37%（全年执行数 96370 ÷ 全年预算数 100000）= 9.64"
    assert by_row["采购服装数量"].formula == "20 × 1172 ÷ 1350 = 17.36（实际“1172”，指标值“1350套”）"
    assert by_row["采购服装数量"].result == pytest.approx(20 * 1172 / 1350)
    assert by_row["工作完成及时性"].rule == "不适用：不参与复算" and by_row["工作完成及时性"].result is None
    assert by_row["购置办公设备数量"].rule == "达到指标值：得满分" and by_row["购置办公设备数量"].result == 15
    assert by_row["不适用折算"].formula == "72.36 × 90 ÷ 75 = 86.84"
    assert by_row["复算总分"].formula == "9.64 + 86.84 = 96.47"
    assert steps[-1].result == audit.recompute_total(form)


def test_explain_total_names_bands_and_not_evaluable():
    steps = audit.explain_total(hebei_form(), scheme("hebei"))
    band = next(step for step in steps if step.row == "培训及时性")
    assert band.rule == "定性指标，未达成：最多得分值的 50%"
    assert band.formula == "min(自评 10, 10 × 50%) = 5（实际“未组织培训”）"
    rows = [dataclasses.replace(r, actual="不适用") if r.weight else r for r in clean_rows()]
    steps = audit.explain_total(make_form(rows), DEFAULT_CONFIG)
    assert (steps[-1].row, steps[-1].rule, steps[-1].result) == ("复算总分", "不可评价", None)
