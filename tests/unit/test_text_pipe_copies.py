"""Copies of published forms pasted as text with "|" between the cells (issue 17, point 7).

Before, such a copy came out as a form named "|" with 主管部门 "|", or as an empty shell, and a cut-off copy
as "no form found". Each real-world pattern has a test: the sample's form 3 (购置费) written out by hand,
then the 22 sample forms in each pattern (tests/text_copies.py) against the hand-written truth
tests/fixtures/seed_forms.json.
"""

from __future__ import annotations

import pytest

from dashboard.core import domain, texts
from dashboard.core.model import FormReadError
from dashboard.ingest import cells
from dashboard.ingest.files import parse_file
from dashboard.ingest.text import read_text
from tests.seed_truth import record_differences, seed_records
from tests.text_copies import pipe_copy

TRUTH = seed_records()

# The sample's form 3 as a Markdown converter gives it: outer pipes, a separator row, merged cells empty, a
# stamped unit cell, goal cells wrapped with <br> and over lines, one name wrapped onto the next line inside
# its cell and one on a row of its own.
PURCHASE = """项目支出绩效自评表
| 项目名称 | 购置费 | 项目金额 | 118800 |
|---|---|---|---|
| 主管部门 | 0402009 | 实施单位（盖章） | 福田区政务服务信息中心（盖章） |
| 项目资金（元） | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
| | 年度资金总额 | 39600.00 | 39600.00 | 37592.00 | 10 | 94.93% | 9.49 |
| | 其中：当年财政拨款 | 39600.00 | 39600.00 | 37592.00 | — | 94.93% | — |
| | 上年结转资金 | 0.00 | 0.00 | 0.00 | — | 0.00% | — |
| | 其他资金 | 0.00 | 0.00 | 0.00 | — | 0.00% | — |
| 年度总体目标 | 预期目标 | 实际完成情况 |
| | 购置政府采购类物资，为单位工作正常开展、提供更优质的服务提供物质保障，<br>进一步提升工作效率和工作质量，
保障我局各项工作正常开展。 | 购置一批电脑和打印机等办公用品，为单位工作正常开展、提
供更优质的服务提供物质保障，进一步提升工作效率和工作质
量，保障我局各项工作正常开展。 |
| 年度绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |
| | 产出指标（50分） | 数量指标 | 购置办公设备数量 | 10台 | 10台 | 10 | 10 | |
| | | 质量指标 | 购置办公设备验收
合格率 | 100% | 100% | 10 | 10 | |
| | | 时效指标 | 购置办公设备验收完成 | 100% | 100% | 15 | 15 | |
| | | | 及时率 | | | | | |
| | | 成本指标 | 支付进度达标率 | ≥90% | 94.93% | 15 | 15 | |
| | 效益指标（40分） | 经济效益指标 | 不适用 | 不适用 | 不适用 | 0 | 0 | |
| | | 社会效益指标 | 保障单位正常运转有效保障率 | ≥90% | 100% | 20 | 20 | |
| | | 生态效益指标 | 不适用 | 不适用 | 不适用 | 0 | 0 | |
| | | 满意度指标 | 工作人员满意度 | ≥90% | 98% | 20 | 20 | |
| 总分 | 100 | 99.49 | — |
"""

PURCHASE_INDICATORS = [  # (一级, 二级, 三级, 指标值, 实际完成值, 分值, 得分), by hand from the sample text
    ("产出指标", "数量指标", "购置办公设备数量", "10台", "10台", 10.0, 10.0),
    ("产出指标", "质量指标", "购置办公设备验收合格率", "100%", "100%", 10.0, 10.0),
    ("产出指标", "时效指标", "购置办公设备验收完成及时率", "100%", "100%", 15.0, 15.0),
    ("产出指标", "成本指标", "支付进度达标率", "≥90%", "94.93%", 15.0, 15.0),
    ("效益指标", "经济效益指标", "不适用", "不适用", "不适用", 0.0, 0.0),
    ("效益指标", "社会效益指标", "保障单位正常运转有效保障率", "≥90%", "100%", 20.0, 20.0),
    ("效益指标", "生态效益指标", "不适用", "不适用", "不适用", 0.0, 0.0),
    ("效益指标", "满意度指标", "工作人员满意度", "≥90%", "98%", 20.0, 20.0),
]


def test_markdown_copy_of_form_3_every_value():
    (form,) = read_text(PURCHASE, "购置费.txt")
    assert (form.layout_title, form.project_name, form.project_amount) == ("项目支出绩效自评表", "购置费", 118800.0)
    assert (form.department, form.unit) == ("0402009", "福田区政务服务信息中心")  # without the （盖章） mark
    total = form.funds.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (39600.0, 39600.0, 37592.0)
    assert (total.weight, total.rate_pct, total.score) == (10.0, 94.93, 9.49)
    assert (form.funds.current_year.executed, form.funds.carryover.annual_budget, form.funds.other.executed) == (
        37592.0,
        0.0,
        0.0,
    )
    assert form.goal_expected == (
        "购置政府采购类物资，为单位工作正常开展、提供更优质的服务提供物质保障，进一步提升工作效率和工作质量，"
        "保障我局各项工作正常开展。"
    )
    assert form.goal_actual == (
        "购置一批电脑和打印机等办公用品，为单位工作正常开展、提供更优质的服务提供物质保障，进一步提升工作效率和"
        "工作质量，保障我局各项工作正常开展。"
    )
    got = [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score) for i in form.indicators]
    assert got == PURCHASE_INDICATORS
    assert (form.total_weight, form.total_score) == (100.0, 99.49)
    assert form.checks == []
    assert domain.missing_parts(form) == []


def assert_sample_forms(forms) -> None:
    assert len(forms) == len(TRUTH)
    for form, want in zip(forms, TRUTH, strict=True):
        assert record_differences(form.to_record(), want) == [], want["project_name"]
        assert form.checks == [], want["project_name"]


def test_markdown_with_separator_rows():
    assert_sample_forms(read_text(pipe_copy(TRUTH, separator=True), "copy.txt"))


def test_pipes_with_outer_pipes():
    assert_sample_forms(read_text(pipe_copy(TRUTH), "copy.txt"))


def test_pipes_without_outer_pipes():
    text = pipe_copy(TRUTH, outer=False)
    assert text.splitlines()[1].startswith("项目名称 | ")  # as printed: no pipe before the first cell
    assert_sample_forms(read_text(text, "copy.txt"))


def test_stamp_in_unit_cells():
    """ "实施单位（盖章）" is the label and "（盖章）" alone in the unit cell a blank: the sample prints no unit."""
    text = pipe_copy(TRUTH, stamp=True)
    assert text.count("（盖章）") == 2 * len(TRUTH)
    assert_sample_forms(read_text(text, "copy.txt"))


@pytest.mark.parametrize(("outer", "wrap"), [(True, "cell"), (True, "row"), (False, "row")])
def test_names_wrapped_over_lines(outer, wrap):
    text = pipe_copy(TRUTH, outer=outer, wrap=wrap)
    assert "\n运维工作完成率 |" in text or "| 运维工作完成率 |" in text  # 智慧福田APP|运维工作完成率 wrapped
    assert_sample_forms(read_text(text, "copy.txt"))


def test_truncated_copy_is_an_incomplete_form():
    """Cut off inside form 5's indicator table: forms 1–4 whole, form 5 incomplete (no 总分) with what it has."""
    text = pipe_copy(TRUTH, separator=True)
    cut = text.index("支付进度达标率", text.index("网格信息管理"))
    forms = read_text(text[:cut], "cut.txt")
    assert [form.project_name for form in forms] == [record["project_name"] for record in TRUTH[:5]]
    for form, want in zip(forms[:4], TRUTH[:4], strict=True):
        assert record_differences(form.to_record(), want) == []
    last = forms[4]
    assert len(last.indicators) == 12 and last.total_score is None
    assert last.funds.total.annual_budget == TRUTH[4]["funds"]["total"]["annual_budget"]
    assert domain.missing_parts(last) == ["总分"]
    assert texts.UNCERTAIN_NO_TOTAL in [check.message for check in last.checks]


def test_copy_cut_after_its_header_is_an_incomplete_form(tmp_path):
    """Only the name rows and the fund block made it: one incomplete form, not "no form found"."""
    text = PURCHASE[: PURCHASE.index("| 年度总体目标")]
    path = tmp_path / "cut.txt"
    path.write_text(text, encoding="utf-8")
    (form,) = parse_file(path, path.name).forms
    assert (form.project_name, form.funds.total.executed) == ("购置费", 37592.0)
    assert domain.missing_parts(form) == ["绩效指标", "总分"]


def test_no_form_is_named_by_a_pipe():
    for text in (PURCHASE, pipe_copy(TRUTH), pipe_copy(TRUTH, outer=False)):
        for form in read_text(text, "copy.txt"):
            assert "|" not in form.project_name and "|" not in (form.department or "") and form.project_name


def test_labels_without_anything_readable_are_refused_whole():
    """A text that prints form labels but nothing the reader can place: refused with a reason, no empty shell."""
    text = "项目支出绩效自评表\n年度绩效指标 一级指标\n总分\n"
    with pytest.raises(FormReadError) as raised:
        read_text(text, "shell.txt")
    assert raised.value.reason == texts.REASON_TEXT_NOT_READ


def test_stamp_mark_damaged_in_a_unit_cell_is_still_no_unit():
    """A byte flipped in "（盖章）" leaves "，盖章）" (fuzz seed 2028): still the mark, not a unit named so; a name
    that merely holds the word keeps it."""
    assert cells.without_stamp("，盖章）") is None
    assert cells.without_stamp("盖章）") is None
    assert cells.without_stamp("福田区政务服务信息中心（盖章）") == "福田区政务服务信息中心"
    assert cells.without_stamp("福田区公章管理中心") == "福田区公章管理中心"
