"""Targets and actuals as comparable quantities (dashboard/audit/quantities.py)."""

from __future__ import annotations

import pytest

from dashboard.audit import quantities as q
from dashboard.core import domain


@pytest.mark.parametrize(
    ("text", "value", "dimension", "unit", "comparator"),
    [
        ("≥90%", 90, q.PERCENT, "", q.GE),
        ("≤2%", 2, q.PERCENT, "", q.LE),
        ("100%", 100, q.PERCENT, "", None),
        ("98.02%", 98.02, q.PERCENT, "", None),
        ("＞９０％", 90, q.PERCENT, "", q.GT),
        ("＜5%", 5, q.PERCENT, "", q.LT),
        ("=100%", 100, q.PERCENT, "", q.EQ),
        ("90%以上", 90, q.PERCENT, "", q.GE),
        ("不低于95%", 95, q.PERCENT, "", q.GE),
        ("≧ 95 %", 95, q.PERCENT, "", q.GE),
        ("1350套", 1350, q.COUNT, "套", None),
        ("≥2批次", 2, q.COUNT, "批次", q.GE),
        ("≥180.67万人", 1806700, q.COUNT, "人", q.GE),
        ("70万条", 700000, q.COUNT, "条", None),
        ("0起", 0, q.COUNT, "起", None),
        ("≥1人", 1, q.COUNT, "人", q.GE),
        ("1172", 1172, q.NUMBER, "", None),
        ("1,016,318", 1016318, q.NUMBER, "", None),
        ("≤845万元", 8450000, q.MONEY, "", q.LE),
        ("4261455元", 4261455, q.MONEY, "", None),
        ("1.5亿元", 150000000, q.MONEY, "", None),
        ("不超过30万元", 300000, q.MONEY, "", q.LE),
        ("24小时内", 24, q.DURATION, "", q.LE),
        ("3天", 72, q.DURATION, "", None),
        ("12个月", 8640, q.DURATION, "", None),
    ],
)
def test_parse_quantity(text, value, dimension, unit, comparator):
    quantity = q.parse_quantity(text)
    assert quantity is not None
    assert quantity.value == pytest.approx(value)
    assert (quantity.dimension, quantity.unit, quantity.comparator) == (dimension, unit, comparator)


@pytest.mark.parametrize("text", ["及时", "有效", "有效保障", "不适用", "/", "", None, "2021年完成了3场培训"])
def test_parse_quantity_rejects_words_and_placeholders(text):
    assert q.parse_quantity(text) is None


def test_embedded_amount_in_a_sentence():
    quantity = q.read_quantity("“i福田”平台预算数为29万元")
    assert (quantity.value, quantity.dimension, quantity.comparator) == (290000, q.MONEY, None)
    assert q.read_quantity("预算不超过29万元").comparator == q.LE


@pytest.mark.parametrize("text", ["2021年支出29万元", "共举办3场", "完成率较高"])
def test_embedded_needs_exactly_one_amount_or_percent(text):
    assert q.parse_embedded(text) is None


@pytest.mark.parametrize(
    ("target", "actual", "name", "level2", "lower", "met", "fraction"),
    [
        ("≥90%", "95%", "", "", False, True, 1.0),
        ("100%", "98.02%", "劳务派遣人员工资发放完成率", "", False, False, 0.9802),
        ("1350套", "1172", "采购服装数量", "", False, False, 1172 / 1350),
        ("≥180.67万人", "188.97万人", "", "", False, True, 1.0),
        ("≥2批次", "39", "", "", False, True, 1.0),
        ("≥1人", "0", "职工教育培训人数", "", False, False, 0.0),
        ("≤2%", "0", "工作人员投诉率", "", True, True, 1.0),
        ("≤845万元", "1940.2万元", "预算控制数", "成本指标", True, False, 845 / 1940.2),
        ("≤460.75万元", "4261455元", "预算控制数", "成本指标", True, True, 1.0),
        ("≤460.75万元", "4261455", "预算控制数", "成本指标", True, True, 1.0),  # bare: read in 元
        ("≤460.75万元", "426.1455", "预算控制数", "成本指标", True, True, 1.0),  # bare: read in 万元
        ("≤30万元", "373714元", "预算控制数", "成本指标", True, False, 300000 / 373714),
        ("0起", "0起", "中心安全生产事故发生数", "", True, True, 1.0),
        ("0", "21", "办事群众投诉量", "满意度指标", True, False, 0.0),
        ("1%", "3%", "接待过程差错率", "", True, False, 1 / 3),
        ("100%", "90%", "投诉处理率", "", False, False, 0.9),
        ("2小时", "3小时", "系统运维响应时间", "", True, False, 2 / 3),
        ("12个月", "12个月", "移动办公接入服务期限", "", False, True, 1.0),
        ("24小时内", "24小时内", "系统运维响应时间", "", True, True, 1.0),
        ("“i福田”平台预算数为29万元", "“i福田”平台实际支出为29万元", "", "成本指标", True, True, 1.0),
        ("5亿元", "6亿元", "招商引资金额", "经济效益指标", False, True, 1.0),
        ("29万元", "30万元", "设备采购费用", "数量指标", True, False, 29 / 30),
        (">90%", "90%", "", "", False, False, 1.0),
        ("≥90%", "≥90%", "工作人员满意度", "", False, True, 1.0),
        ("≥0%", "0%", "", "", False, True, 1.0),
        ("70万条", "700000", "", "", False, True, 1.0),
    ],
)
def test_compare(target, actual, name, level2, lower, met, fraction):
    result = q.compare(target, actual, name, level2)
    assert result is not None
    assert (result.lower_is_better, result.met) == (lower, met)
    assert result.fraction == pytest.approx(fraction)


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("≤1096.58万元", "100%"),  # money vs percent
        ("≥85%", "1016318"),  # a rate written as an amount
        ("10台", "10套"),  # different measure words
        ("≥90%", "及时"),
        ("及时", "未组织培训"),
        ("100%", "不适用"),
        ("有效降低", "100%"),
    ],
)
def test_compare_not_comparable(target, actual):
    assert q.compare(target, actual) is None


def test_units_clash_only_for_two_quantities_of_different_kinds():
    assert q.units_clash("≥85%", "1016318")
    assert q.units_clash("≤1096.58万元", "100%")
    assert not q.units_clash("≥85%", "96%")
    assert not q.units_clash("及时", "100%")
    assert not q.units_clash("100%", "不适用")


def test_achievement_is_actual_over_target_or_the_inverse():
    assert q.compare("≥70%", "100%").achievement == pytest.approx(100 / 70)
    assert q.compare("≤2%", "4%").achievement == pytest.approx(0.5)
    assert q.compare("≤2%", "0%").achievement is None


def test_lower_is_better_directions():
    percent = q.parse_quantity("100%")
    assert q.lower_is_better(q.parse_quantity("≤90%"), "满意度")
    assert not q.lower_is_better(q.parse_quantity("≥2%"), "差错率")
    assert q.lower_is_better(percent, "IDC机房运行维护故障率")
    assert not q.lower_is_better(percent, "故障修复及时率")
    assert q.lower_is_better(percent, "政府网站安全、泄密事故发生率")
    assert not q.lower_is_better(percent, "支付进度达标率", "成本指标")
    assert q.lower_is_better(q.parse_quantity("29万元"), "平台运维", "成本指标")
    assert not q.lower_is_better(q.parse_quantity("12个月"), "服务期限")


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("及时", "met"),
        ("有效", "met"),
        ("有效保障", "met"),
        ("达成", "met"),
        ("部分达成", "partial"),
        ("基本完成", "partial"),
        ("未达成", "missed"),
        ("未组织培训", "missed"),
        ("不及时", "missed"),
        ("不适用", None),
        ("/", None),
        ("100%", None),
    ],
)
def test_qualitative_outcome(text, outcome):
    assert q.qualitative_outcome(text) == outcome


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥90%", True),
        ("≤2%", True),
        ("不低于90%", True),
        ("90%以上", True),
        ("24小时内", True),
        ("90%", False),
        ("=90%", False),
        ("及时", False),
        ("区内", False),
        ("", False),
    ],
)
def test_has_comparator(text, expected):
    assert q.has_comparator(text) is expected


@pytest.mark.parametrize("text", ["不适用", "/", "／", "—", "", "  ", None, "不涉及", "--", "——", "n/a"])
def test_is_not_measured(text):
    assert domain.is_not_measured(text)


@pytest.mark.parametrize("text", ["0", "0%", "无事故", "及时"])
def test_is_measured(text):
    assert not domain.is_not_measured(text)


@pytest.mark.parametrize("actual", ["不适用", "--", "——"])
def test_an_actual_that_was_not_measured_has_no_qualitative_outcome(actual):
    assert q.qualitative_outcome(actual) is None
