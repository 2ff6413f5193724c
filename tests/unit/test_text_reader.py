"""The text-dump reader against the seed dump (22 forms) and small hand-written variants.

tests/fixtures/seed_forms.json is the ground truth of the seed, checked by eye against the
dump line by line (header, funds, every row, every reason). The focused tests below repeat
the hard cases with the values typed in by hand, so that they do not depend on the fixture.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.core import texts
from dashboard.core.model import Form, FormReadError
from dashboard.ingest.text import read_text

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"
TRUTH = ROOT / "tests" / "fixtures" / "seed_forms.json"

HEADER_KEYS = ("year", "department", "unit", "project_name", "project_type", "status", "project_amount")
ROW_KEYS = ("level1", "level2", "name", "target", "actual", "weight", "score")
SEED_FORM_COUNT = 22


@pytest.fixture(scope="module")
def seed_forms() -> list[Form]:
    return read_text(SEED.read_text(encoding="utf-8"), SEED.name)


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    return json.loads(TRUTH.read_text(encoding="utf-8"))


def by_name(forms: list[Form], name: str, amount: float | None = None) -> Form:
    found = [f for f in forms if f.project_name == name and (amount is None or f.project_amount == amount)]
    assert len(found) == 1, (name, amount, len(found))
    return found[0]


def row(form: Form, name: str, occurrence: int = 0):
    rows = [r for r in form.indicators if r.name == name]
    assert len(rows) > occurrence, (form.project_name, name)
    return rows[occurrence]


def values(indicator) -> tuple:
    return (indicator.name, indicator.target, indicator.actual, indicator.weight, indicator.score)


def uncertain(form: Form) -> list:
    return [c for c in form.checks if c.rule == "parse_uncertain"]


# ---------------------------------------------------------------- the whole seed against the fixture


def test_seed_has_22_forms_in_order(seed_forms, truth):
    assert len(truth) == SEED_FORM_COUNT
    assert [f.project_name for f in seed_forms] == [t["project_name"] for t in truth]


def test_fixture_is_the_seed_ground_truth_shape(truth):
    for record in truth:
        assert not {"id", "source_file", "source_pages", "checks"} & set(record)
        assert record["funds"]["unit_printed"] == "元"
        assert record["department"] == "0402009" and record["unit"] is None


@pytest.mark.parametrize("index", range(SEED_FORM_COUNT))
def test_header_and_funds(seed_forms, truth, index):
    got, want = seed_forms[index].to_record(), truth[index]
    for key in HEADER_KEYS:
        assert got[key] == want[key], (want["project_name"], key)
    assert got["funds"] == want["funds"], want["project_name"]
    assert (got["total_weight"], got["total_score"]) == (want["total_weight"], want["total_score"])


@pytest.mark.parametrize("index", range(SEED_FORM_COUNT))
def test_every_row_in_order(seed_forms, truth, index):
    got = [{key: r[key] for key in ROW_KEYS} for r in seed_forms[index].to_record()["indicators"]]
    want = [{key: r[key] for key in ROW_KEYS} for r in truth[index]["indicators"]]
    assert got == want, truth[index]["project_name"]


@pytest.mark.parametrize("index", range(SEED_FORM_COUNT))
def test_every_reason(seed_forms, truth, index):
    got = [r.reason for r in seed_forms[index].indicators]
    want = [r["reason"] for r in truth[index]["indicators"]]
    assert got == want, truth[index]["project_name"]


@pytest.mark.parametrize("index", range(SEED_FORM_COUNT))
def test_goals(seed_forms, truth, index):
    form, want = seed_forms[index], truth[index]
    assert (form.goal_expected, form.goal_actual) == (want["goal_expected"], want["goal_actual"])
    assert form.goal_expected and form.goal_actual


def test_fixture_weights_add_up_to_the_printed_total(truth):
    for record in truth:
        weights = sum(r["weight"] for r in record["indicators"]) + record["funds"]["total"]["weight"]
        assert weights == pytest.approx(record["total_weight"]), record["project_name"]


def test_reader_sets_source_file_but_not_id_or_pages(seed_forms):
    for form in seed_forms:
        assert form.source_file == SEED.name
        assert form.id == ""
        assert form.source_pages == []
        assert form.year is None  # the seed prints no year: the importer fills it from the options


def test_only_the_interleaved_form_is_uncertain_and_no_other_checks(seed_forms):
    for form in seed_forms:
        assert all(c.rule == "parse_uncertain" and c.severity == "warning" for c in form.checks)
    flagged = [f.project_name for f in seed_forms if f.checks]
    assert flagged == ["数据规划管理"]


# ---------------------------------------------------------------- focused cases, values typed by hand


def test_budget_reserve_header_and_funds(seed_forms):
    form = seed_forms[0]
    assert (form.project_name, form.project_type, form.status) == ("预算准备金", "预算准备金", None)
    assert form.project_amount == 200000.0
    assert (form.department, form.unit, form.year) == ("0402009", None, None)
    total = form.funds.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (100000.0, 0.0, 0.0)
    assert (total.weight, total.rate_pct, total.score) == (10.0, 0.0, 0.0)
    assert form.funds.current_year.initial_budget == 100000.0
    assert form.funds.current_year.weight is None and form.funds.current_year.score is None
    satisfaction = row(form, "工作人员满意度")
    assert (satisfaction.level1, satisfaction.level2) == ("效益指标", "满意度指标")
    assert values(satisfaction) == ("工作人员满意度", "≥90%", "0%", 20.0, 0.0)
    assert (form.total_weight, form.total_score) == (100.0, 0.0)


def test_data_planning_funds_and_wrapped_names(seed_forms):
    form = by_name(seed_forms, "数据规划管理")
    total = form.funds.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (7642000.0, 10390000.0, 10012516.44)
    assert (total.rate_pct, total.score) == (96.37, 9.64)
    assert values(row(form, "智慧化建设专项规划编制工作完成合格率")) == (
        "智慧化建设专项规划编制工作完成合格率", "100%", "100%", 3.0, 3.0,
    )  # fmt: skip
    assert row(form, "智慧化建设专项规划编制工作完成合格率").level2 == "质量指标"
    assert row(form, "智慧化建设专项规划编制工作完成及时率").level2 == "时效指标"
    assert values(row(form, "保障福田区智慧城市指挥中心正常运营有效率"))[1:] == ("≥90%", "100%", 4.0, 4.0)
    assert values(row(form, "保障新型智慧城区平台项目审计顺利进行有效率"))[1:] == ("≥90%", "100%", 4.0, 4.0)
    assert len(form.indicators) == 29
    assert (form.total_weight, form.total_score) == (100.0, 97.14)


def test_data_planning_interleaved_rows_and_flags(seed_forms):
    form = by_name(seed_forms, "数据规划管理")
    names = [r.name for r in form.indicators]
    first = names.index("保障新型智慧城区系统的网络安全有效率")
    assert names[first + 1 : first + 3] == ["提供数字政府“十四五”规划的落地实施指导有效率", "提升智慧福田宣传覆盖率"]
    assert values(form.indicators[first])[1:] == ("≥90%", "100%", 4.0, 4.0)
    assert values(form.indicators[first + 1])[1:] == ("≥90%", "100%", 4.0, 4.0)
    flagged = {c.indicator for c in uncertain(form)}
    assert {"保障新型智慧城区系统的网络安全有效率", "提供数字政府“十四五”规划的落地实施指导有效率", None} <= flagged
    assert any("两栏" in c.message and c.indicator is None for c in uncertain(form))


def test_data_planning_deducted_rows_have_their_reasons(seed_forms):
    form = by_name(seed_forms, "数据规划管理")
    video = row(form, "智慧福田宣传视频制作完成率")
    assert values(video)[1:] == ("100%", "50%", 2.5, 1.25)
    assert video.reason == "由于福田区正在开展数字化转型规划，需规划正式确定后再开启宣传工作。"
    test_row = row(form, "系统测评工作验收合格率")
    assert test_row.reason == "因疫情原因未完成系统测评工作，未进行项目验收，将按照项目进度完成验收"
    assert row(form, "人工智能应用成果宣传工作完成率").reason == (
        "未到合同履约完成时间，项目尚未验收，将按照项目进度完成宣传工作"
    )
    assert row(form, "组织策划成果测评会场次").reason is None


def test_data_planning_goals_best_effort(seed_forms):
    form = by_name(seed_forms, "数据规划管理")
    assert form.goal_expected.startswith("通过本项目的实施，完成以下年度目标：（一）提供使用场地及管理。")
    assert "提供行政事务、来访接待、关系协调、数据对接等服务" in form.goal_expected
    assert "搭建“沙箱环境”和确保中心信息安全" in form.goal_expected
    assert "全年组织策划不少于3场成果测评会。" in form.goal_expected
    assert form.goal_expected.endswith("保障规划与落地推广相关工作的顺利完成。")
    assert form.goal_actual.startswith("一、人工智能应用创新服务中心日常运营（一）提供使用场地及管理情况")
    assert "3.8次进入IDC机房运维部署，入驻厂商累计入场92次" in form.goal_actual
    assert "已推动了银行优化选址、风控业务等场景应用落地；7.现有训练图片数据集64G（175000+）" in form.goal_actual
    assert "年度总体" not in form.goal_expected + form.goal_actual
    assert form.goal_actual.endswith("深圳市科技传播促进会；2.进")


def test_general_affairs_wrapped_quoted_names(seed_forms):
    form = by_name(seed_forms, "一般管理事务", 32457398.51)
    total = form.funds.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (10965761.0, 10525876.51, 10380629.85)
    assert (total.rate_pct, total.score) == (98.62, 9.86)
    wage = row(form, "劳务派遣人员工资发放完成率")
    assert values(wage)[1:] == ("100%", "98.02%", 2.0, 2.0) and wage.reason is None
    expected = {
        "“政务服务一层级”改革宣传工作完成率": ("数量指标", "100%", "100%", 2.0, 2.0),
        "深化“信用审批”建设宣传工作完成率": ("数量指标", "100%", "100%", 2.0, 2.0),
        "“e站通”综合服务中心运营宣传工作完成率": ("数量指标", "100%", "100%", 2.0, 2.0),
        "“政务服务一层级”改革宣传工作覆盖率": ("质量指标", "100%", "100%", 2.0, 2.0),
        "深化“信用审批”建设宣传工作覆盖率": ("质量指标", "100%", "100%", 2.0, 2.0),
        "“e站通”综合服务中心运营宣传工作覆盖率": ("质量指标", "100%", "100%", 2.0, 2.0),
        "“政务服务一层级”改革宣传工作完成及时性": ("时效指标", "及时", "100%", 1.0, 1.0),
        "深化“信用审批”建设宣传工作完成及时性": ("时效指标", "及时", "100%", 1.0, 1.0),
        "“e站通”综合服务中心运营宣传工作完成及时性": ("时效指标", "及时", "100%", 1.0, 1.0),
    }
    for name, (level2, *numbers) in expected.items():
        indicator = row(form, name)
        assert (indicator.level2, *values(indicator)[1:]) == (level2, *numbers), name
        assert indicator.reason is None
    assert values(row(form, "预算控制数"))[1:] == ("≤1096.58万元", "100%", 2.0, 2.0)
    assert len(form.indicators) == 45
    assert (form.total_weight, form.total_score) == (100.0, 99.86)


def test_special_business_long_reason_and_duplicates(seed_forms):
    form = by_name(seed_forms, "专项业务")
    complaints = row(form, "办事群众投诉量")
    assert values(complaints)[1:] == ("0", "21", 4.0, 0.0)
    assert complaints.reason.startswith("改进措施：一是持续推进窗口人员培训。将窗口人员培训作为年度重点工作开展")
    assert "定期开展窗口人员业务能力和服务礼仪培训" in complaints.reason
    assert complaints.reason.endswith("打造优质、高效、便民、规范的政务服务形象。")
    assert "\n" not in complaints.reason
    assert row(form, "群众满意度").reason is None
    trainees = [r for r in form.indicators if r.name == "参与培训人员满意度"]
    assert [values(r)[1:] for r in trainees] == [("≥85%", "100%", 4.0, 4.0)] * 2
    staff = row(form, "驻场技术人数")
    assert values(staff)[1:] == ("10人", "5人", 3.0, 1.5) and staff.reason is None  # no reason printed
    assert values(row(form, "预算控制数"))[1:] == ("≤845万元", "1940.2万元", 2.0, 0.0)
    assert values(row(form, "丰富办事事项，压缩办事材料，优化办事流程"))[1:] == ("有效", "有效", 4.0, 4.0)
    assert (form.total_weight, form.total_score) == (100.0, 92.49)


def test_app_form_keeps_duplicate_rows(seed_forms):
    form = by_name(seed_forms, "政务事项管理")
    twins = [r for r in form.indicators if r.name == "智慧福田APP的正常运维及推广保障率"]
    assert len(twins) == 2
    assert all(values(r)[1:] == ("≥90%", "100%", 10.0, 10.0) for r in twins)
    assert (form.funds.total.annual_budget, form.funds.total.executed) == (3028000.0, 3005236.0)


@pytest.mark.parametrize("name", ["预算准备金", "预算准备金（停用）"])
def test_stopped_forms_total_10(seed_forms, name):
    amount = 60000.0 if name == "预算准备金" else 0.0
    form = by_name(seed_forms, name, amount)
    assert form.project_type == "预算准备金"
    assert (form.total_weight, form.total_score) == (10.0, 0.0)
    assert [values(r) for r in form.indicators[:4]] == [
        ("不可预见的政策性工作完成率", "100%", "不适用", 0.0, 0.0),
        ("不可预见的政策性工作合格率", "100%", "不适用", 0.0, 0.0),
        ("不可预见的政策性工作完成及时性", "及时", "不适用", 0.0, 0.0),
        ("预算控制数", "≤2万元", "不适用", 0.0, 0.0),
    ]
    assert len(form.indicators) == 8
    assert all(r.reason == "项目停用" for r in form.indicators)
    assert form.goal_actual == "不适用"


def test_stopped_form_printing_100(seed_forms):
    form = by_name(seed_forms, "预算准备金(停用）")
    assert (form.project_type, form.status, form.project_amount) == ("预算准备金", "停用", 0.0)
    assert (form.funds.total.initial_budget, form.funds.total.annual_budget) == (30000.0, 0.0)
    assert (form.total_weight, form.total_score) == (100.0, 100.0)
    assert sum(r.score for r in form.indicators) == 90.0
    assert row(form, "提高行政工作效率").reason == "本年预算编制合理，不需要使用预算准备金。"


def test_epidemic_effective_reduction_row(seed_forms):
    form = by_name(seed_forms, "疫情防控", 600000.0)
    risk = row(form, "降低潜在病例进一步传染的风险")
    assert (risk.level2, *values(risk)[1:]) == ("社会效益指标", "有效降低", "100%", 20.0, 20.0)
    assert values(form.indicators[4]) == ("不适用", "不适用", "100%", 0.0, 0.0)
    assert values(row(form, "预算控制数"))[1:] == ("≤26万元", "47.59万元", 10.0, 0.0)
    assert (form.funds.total.executed, form.funds.total.rate_pct, form.funds.total.score) == (475879.2, 79.31, 7.93)
    assert (form.goal_expected, form.goal_actual) == (
        "按测算，用于对政务大厅所以区域进行疫情消毒 ；购口罩等疫情防控支出",
        "疫情防控支出有效",
    )


def test_quoted_targets_with_spaces_between_cells(seed_forms):
    form = by_name(seed_forms, "疫情防控", 290000.0)
    cost = form.indicators[3]
    assert values(cost) == (
        "“i福田”平台预算数为29万元",
        "“i福田”平台预算数为29万元",
        "“i福田”平台实际支出为29万元",
        10.0,
        10.0,
    )
    assert form.goal_expected == "保障“i福田”程序的正常运行"
    publicity = by_name(seed_forms, "一般管理事务（宣传费）")
    assert publicity.project_type == "一般管理事务" and publicity.status is None
    assert publicity.indicators[0].name == "“政务服务一层级 ”改革宣传工作完成率"  # the space is printed


def test_inline_reasons_and_numeric_actuals(seed_forms):
    form = by_name(seed_forms, "一般管理事务", 11727908.0)
    training = row(form, "职工教育培训人数")
    assert values(training)[1:] == ("≥1人", "0", 2.0, 0.0)
    assert training.reason == "因为疫情原因不组织培训"
    assert values(row(form, "审核合同份数"))[1:] == ("≥20份", "32", 10.0, 10.0)
    purchase = by_name(seed_forms, "购置费", 13782500.0)
    clothes = row(purchase, "采购服装数量")
    assert values(clothes)[1:] == ("1350套", "1172", 6.0, 5.2) and clothes.reason is None
    devices = by_name(seed_forms, "购置费", 3049800.0)
    assert values(row(devices, "支出进度达标率"))[1:] == ("≥85%", "1016318", 10.0, 10.0)


def test_goals_without_blank_line_between_columns(seed_forms):
    form = by_name(seed_forms, "离退休干部慰问金")
    assert form.goal_expected == "反映区属和市转离退休干部管理方面的支出"
    assert form.goal_actual.startswith("2021年春节、老年节对离退休干部共 7人进行慰问活动")
    e_gov = by_name(seed_forms, "电子政务管理")
    assert e_gov.goal_expected.endswith("保障绩效考核评估工作顺利开展。")
    assert e_gov.goal_actual.startswith("聘请第三方机构对网站实施了监测扫描")


# ---------------------------------------------------------------- other inputs


@pytest.mark.parametrize("text", ["", "\n\n", "这是一份会议纪要。\n年度工作总结\n项目 金额 100"])
def test_text_without_a_form_is_refused(text):
    with pytest.raises(FormReadError) as caught:
        read_text(text, "notes.txt")
    assert caught.value.reason == texts.REASON_NOT_A_FORM


VARIANT = """\
项目支出绩效自评表（2022年度）
项 目 名 称：测试项目 项目金额（万元）：12.5
主 管 部 门：219-某某镇人民政府 实施单位：某某办公室
项目资金（万元）
年初预算数 全年预算数 全年执行数 分值 执行率 得分
年度资金总额: 10.00 12.50 10.00 10 80.00% 8.00
其中:本年财政拨款 10.00 12.00 9.60 — 80.00% —
上年结转资金： 0.00 0.50 0.40 — 80.00% —
其 他 资 金 0.00 0.00 0.00 — 0.00% —
年度总体目标
预期目标 实际完成情况
完成测试工作。 已完成测试工作。
年度绩效指标
一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施
产出指标（50分）
数量指标 测试次数 ≥10次 8次 30 24 因设备故障少测两次
质量指标 测试合格率 100% 100% 20 20
效益指标（30分）
社会效益指标 服务水平提升 有效 有效 30 30
满意度指标（10分）
服务对象满意度指标 群众满意度 ≥90% 95% 10 10
总分 100 92 —
"""


def test_variant_labels_units_and_year():
    [form] = read_text(VARIANT, "variant.txt")
    assert form.year == 2022
    assert (form.project_name, form.project_type, form.status) == ("测试项目", "测试项目", None)
    assert form.project_amount == 125000.0
    assert (form.department, form.unit) == ("219-某某镇人民政府", "某某办公室")
    funds = form.funds
    assert funds.unit_printed == "万元"
    assert (funds.total.initial_budget, funds.total.annual_budget, funds.total.executed) == (
        100000.0,
        125000.0,
        100000.0,
    )
    assert (funds.total.weight, funds.total.rate_pct, funds.total.score) == (10.0, 80.0, 8.0)
    assert (funds.current_year.annual_budget, funds.current_year.executed) == (120000.0, 96000.0)
    assert (funds.carryover.annual_budget, funds.carryover.executed, funds.carryover.rate_pct) == (5000.0, 4000.0, 80.0)
    assert funds.other.initial_budget == 0.0
    assert (form.goal_expected, form.goal_actual) == ("完成测试工作。", "已完成测试工作。")
    assert [(r.level1, r.level2, *values(r), r.reason) for r in form.indicators] == [
        ("产出指标", "数量指标", "测试次数", "≥10次", "8次", 30.0, 24.0, "因设备故障少测两次"),
        ("产出指标", "质量指标", "测试合格率", "100%", "100%", 20.0, 20.0, None),
        ("效益指标", "社会效益指标", "服务水平提升", "有效", "有效", 30.0, 30.0, None),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", 10.0, 10.0, None),
    ]
    assert (form.total_weight, form.total_score) == (100.0, 92.0)
    assert form.checks == []


def test_variant_with_two_line_heading_and_title_year():
    text = VARIANT.replace("项目支出绩效自评表（2022年度）", "2021年度项目支出绩效自评表").replace(
        "项目资金（万元）", "项目资金\n（万元）"
    )
    [form] = read_text(text, "variant.txt")
    assert form.year == 2021
    assert form.funds.unit_printed == "万元" and form.funds.total.annual_budget == 125000.0


def test_missing_row_is_flagged_by_the_weight_sum():
    text = VARIANT.replace("质量指标 测试合格率 100% 100% 20 20\n", "")
    [form] = read_text(text, "variant.txt")
    assert len(form.indicators) == 3
    [check] = form.checks
    assert check.rule == "parse_uncertain" and check.severity == "warning"
    assert (check.claimed, check.recomputed) == (100.0, 80.0)


def test_unplaced_text_is_flagged_not_dropped():
    text = VARIANT.replace("效益指标（30分）\n", "效益指标（30分）\n无法归属的说明文字\n社会效益指标\n")
    [form] = read_text(text, "variant.txt")
    assert any("无法归属的说明文字" in c.message for c in form.checks)


def test_page_breaks_give_source_pages():
    [form] = read_text(VARIANT.replace("年度绩效指标\n", "年度绩效指标\n\f"), "variant.txt")
    assert form.source_pages == [1, 2]
    assert len(form.indicators) == 4


def test_header_labels_are_the_grid_readers(seed_forms):
    """The text reader's header labels are labels.HEADER_FIELDS, synonyms included: a form printing
    "主管部门及代码" (as the .xlsx/.docx/PDF layouts may) gives the department after it, not "及代码 …"."""
    text = SEED.read_text(encoding="utf-8")
    first = text.index("主管部门 0402009 实施单位")
    copy = text[:first] + "主管部门及代码：0402009 实施单位" + text[first + len("主管部门 0402009 实施单位") :]
    forms = read_text(copy, SEED.name)
    assert [form.department for form in forms] == [form.department for form in seed_forms]
    assert forms[0].department == "0402009"
