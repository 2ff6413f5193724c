"""Damage that no checksum catches, found by the fuzz run (benchmarks/fuzz_import.py), each reproduced here by
hand on the repository's own texts: the form is still read, and carries a finding for a person to check.

- a 二级指标 that lost or gained one character ("生：效益指标" for 生态效益指标);
- a row whose name slid into its 指标值 cell, leaving a row with values and no name;
- a label damaged on one form ("3主管部门"), so that form alone lacks the 主管部门 every other form prints.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.core import texts
from dashboard.ingest import consistency
from dashboard.ingest.cells import one_edit_apart
from dashboard.ingest.text import read_text
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = next((ROOT / "data" / "samples").glob("000_*.txt")).read_text(encoding="utf-8")
TRUTH = seed_records()


def flagged(forms, fragment: str) -> list[str]:
    """Names of the forms carrying a finding whose message holds `fragment`."""
    return [form.project_name for form in forms if any(fragment in check.message for check in form.checks)]


def checked(text: str):
    forms = read_text(text, "copy.txt")
    consistency.check_forms(forms)
    return forms


def replace_last(text: str, old: str, new: str) -> str:
    at = text.rindex(old)
    return text[:at] + new + text[at + len(old) :]


def test_undamaged_texts_raise_none_of_these_findings():
    for text in (SAMPLE, pipe_copy(TRUTH[:6], separator=True, stamp=True, wrap="cell")):
        forms = checked(text)
        for fragment in ("只差一个字", "没有读出指标名称", "同一文件的其他"):
            assert flagged(forms, fragment) == []


def test_category_one_character_off_is_flagged():
    # The sample text prints its last 生态效益指标 row in 疫情防控, the last form of the text (read by hand).
    damaged = replace_last(SAMPLE, "生态效益指标 不适用", "生：效益指标 不适用")
    forms = checked(damaged)
    assert flagged(forms, "与标准的“生态效益指标”只差一个字") == ["疫情防控"]


def test_category_with_a_character_lost_is_flagged():
    forms = checked(replace_last(SAMPLE, "生态效益指标 不适用", "生效益指标 不适用"))
    assert flagged(forms, "“生效益指标”与标准的“生态效益指标”") == ["疫情防控"]


def test_row_without_a_name_is_flagged():
    # 提升智慧福田宣传覆盖率 is a row of form 2 (数据规划管理) only.
    forms = checked(SAMPLE.replace("提升智慧福田宣传覆盖率 ≥90%", "提升智慧福田宣传覆盖率七≥90%"))
    assert flagged(forms, "有一行指标没有读出指标名称") == ["数据规划管理"]


def test_header_field_lost_on_one_form_of_a_file_is_flagged():
    copy = pipe_copy(TRUTH[:6], separator=True, stamp=True, wrap="cell")
    lines = copy.split("\n")
    department_rows = [number for number, line in enumerate(lines) if line.startswith("| 主管部门 |")]
    assert len(department_rows) == 6
    lines[department_rows[3]] = lines[department_rows[3]].replace("| 主管部门 |", "|3主管部门 |")
    forms = checked("\n".join(lines))
    assert [form.department for form in forms].count(None) == 1
    field = texts.FORM_HEADER_FIELDS["department"]
    assert flagged(forms, f"本表没有读出“{field}”，同一文件的其他 5 张表都有") == [TRUTH[3]["project_name"]]


def test_project_amount_lost_on_one_form_of_a_file_is_flagged():
    """Fuzz seed 2030: a line break inside the label 项目金额 (line 947 of the sample, read by hand) left the name
    "购置费 项" and no amount; the 21 other forms of the text print theirs."""
    damaged = replace_line(SAMPLE, 947, "项目名称 购置费 项目金额 3049800", "项目名称 购置费 项\n目金额 3049800")
    forms = checked(damaged)
    assert [form.project_amount for form in forms].count(None) == 1
    field = texts.FORM_HEADER_FIELDS["project_amount"]
    message = f"本表没有读出“{field}”，同一文件的其他 21 张表都有"
    assert [form.project_amount for form in forms if any(message in c.message for c in form.checks)] == [None]
    # An amount of 0 is printed, not blank: the two 停用 forms of the undamaged sample print 0 and are not flagged.
    assert flagged(checked(SAMPLE), "同一文件的其他") == []


def test_category_word_damaged_into_a_colon_is_flagged():
    """Fuzz seed 2031: 成本指标 on line 535 (form 6, 一般管理事务, read by hand) with 指 turned into "：", a character
    the label key drops: the row went under 时效指标 with the name "成本：标 支出进度达标率"."""
    line = "成本指标 支出进度达标率 ≥98% 98.84% 5 5"
    forms = checked(replace_line(SAMPLE, 535, line, line.replace("成本指标", "成本：标")))
    message = "指标“成本：标 支出进度达标率”的三级指标读作“成本：标 支出进度达标率”"
    assert [
        (form.project_name, form.project_amount) for form in forms if any(message in c.message for c in form.checks)
    ] == [("一般管理事务", 15027864.7)]


def test_header_value_run_on_is_flagged():
    """Fuzz seed 2031: the label 实施单位 after the department damaged ("5施单位", line 948, form 13 购置费): the
    department read "0402009 5施单位" where the 21 other forms print "0402009"."""
    damaged = replace_line(SAMPLE, 948, "主管部门 0402009 实施单位", "主管部门 0402009 5施单位")
    forms = checked(damaged)
    message = texts.UNCERTAIN_FIELD_EXTENDED.format(
        field=texts.FORM_HEADER_FIELDS["department"], text="0402009 5施单位", others=21, full="0402009"
    )
    assert [form.project_amount for form in forms if message in [c.message for c in form.checks]] == [3049800.0]


def test_fund_heading_one_character_off_is_flagged():
    """Fuzz seed 2032: the fund heading 执行率 of a "|" copy's first form damaged into "执行5": the column was
    dropped (its 执行率 read as blank) without a word. The one form says which heading it did not read."""
    copy = pipe_copy(TRUTH[:6], separator=True, stamp=True, wrap="cell")
    assert copy.count("| 执行率 |") == 6
    forms = checked(copy.replace("| 执行率 |", "| 执行5 |", 1))
    message = texts.UNCERTAIN_HEADING_NEAR.format(text="执行5", label="执行数”或“执行率")
    assert flagged(forms, message) == [TRUTH[0]["project_name"]]
    assert forms[0].funds.total.rate_pct is None
    assert flagged(checked(copy), "这一列没有读取") == []


def test_one_edit_apart():
    assert one_edit_apart("生效益指标", "生态效益指标")
    assert one_edit_apart("峼生态效益指标", "生态效益指标")
    assert one_edit_apart("生：效益指标", "生态效益指标")
    assert not one_edit_apart("生态效益指标", "生态效益指标")
    assert not one_edit_apart("效益", "生态效益指标")


def test_two_forms_run_together_are_flagged():
    """A block lost from the middle of the text (the sample's 购置费 indicator table through the fund table of the
    预算准备金(停用） after it): the two forms run together into one with the first's header and funds and the
    second's indicators. It says so, and the undamaged text never does."""
    lines = SAMPLE.split("\n")
    row = lines.index("数量指标 办公设备购置数 15台 15 20.0 20.0")
    start = max(number for number in range(row) if lines[number].startswith("一级指标"))
    reserve = lines.index("项目名称 预算准备金(停用） 项目金额 0")
    end = next(number for number in range(reserve, len(lines)) if lines[number].startswith("其他资金"))
    forms = read_text("\n".join(lines[:start] + lines[end + 1 :]), "copy.txt")
    assert len(forms) == 21
    message = texts.UNCERTAIN_SECTION_TWICE.format(label="预期目标")
    merged = [form for form in forms if message in [check.message for check in form.checks]]
    assert [(form.project_name, form.funds.total.annual_budget) for form in merged] == [("购置费", 1016600.0)]
    assert not any("出现了两次" in check.message for form in read_text(SAMPLE, "sample.txt") for check in form.checks)


def replace_line(text: str, number: int, old: str, new: str) -> str:
    """`text` with line `number` (1-based), which must read `old`, replaced by `new` (may hold line breaks)."""
    lines = text.split("\n")
    assert lines[number - 1] == old
    lines[number - 1] = new
    return "\n".join(lines)


def test_header_value_cut_short_is_flagged():
    # Line 62 of the sample is the 主管部门 line of 数据规划管理 (项目名称 on line 61); a line break slipped into it.
    damaged = replace_line(SAMPLE, 62, "主管部门 0402009 实施单位", "主管部门 04020\n09 实施单位")
    forms = checked(damaged)
    assert flagged(forms, "本表的“主管部门”读作“04020”，同一文件的其他 21 张表都是“0402009”") == ["数据规划管理"]


def test_category_glued_to_a_name_or_read_as_a_reason_is_flagged():
    # Lines 128–130 of the sample: 数量指标, a blank line and the first row of 数据规划管理's 产出指标.
    lines = SAMPLE.split("\n")
    assert lines[127:130] == ["数量指标", "", "智慧化建设专项规划编制工作完成率 100% 100% 3 3"]
    glued = "\n".join([*lines[:127], "数量指标智慧化建设专项规划编制工作完成率 100% 100% 3 3", *lines[130:]])
    assert "数据规划管理" in flagged(checked(glued), "像是一个指标类别")
    # Line 183 prints 社会效益指标 of 数据规划管理; one character of it damaged, it is read as the reason above it.
    damaged = replace_line(SAMPLE, 183, "社会效益指标", "社会效益徏标")
    assert flagged(checked(damaged), "读作“社会效益徏标”，像是一个指标类别") == ["数据规划管理"]


def test_fund_row_printed_twice_is_flagged():
    copy = pipe_copy(TRUTH[:6], separator=True, stamp=True, wrap="cell")
    lines = copy.split("\n")
    carryover = [number for number, line in enumerate(lines) if "| 上年结转资金 |" in line]
    assert len(carryover) == 6
    lines.insert(carryover[3], lines[carryover[3]])
    forms = read_text("\n".join(lines), "copy.txt")
    assert flagged(forms, "同一行印了两次：上年结转资金") == [TRUTH[3]["project_name"]]
    assert flagged(read_text(copy, "copy.txt"), "同一行印了两次") == []


def test_category_label_lost_under_a_category_that_does_not_apply_is_flagged():
    # Line 1480 of the sample prints 满意度指标 in 专项业务 (项目名称 on line 1373), right under the 生态效益指标 row
    # that reads 不适用; without it, the satisfaction rows are read as 生态效益指标.
    lines = SAMPLE.split("\n")
    assert lines[1479] == "满意度指标"
    forms = checked("\n".join(lines[:1479] + lines[1480:]))
    assert flagged(forms, "指标类别“生态效益指标”下既有“不适用”行，又有计分的指标") == ["专项业务"]
    assert flagged(checked(SAMPLE), "既有“不适用”行") == []


def test_points_on_a_fund_sub_row_are_flagged():
    # Line 693: the 当年财政拨款 row of 预算准备金 (项目金额 90000, 项目名称 on line 684), its "—" in 分值 turned "4".
    damaged = replace_line(
        SAMPLE,
        693,
        "其中：当年财政拨款 0.00 30000.00 0.00 — 0.00% —",
        "其中：当年财政拨款 0.00 30000.00 0.00 4 0.00% —",
    )
    forms = checked(damaged)
    found = [
        (form.project_name, form.project_amount) for form in forms if any("才有" in c.message for c in form.checks)
    ]
    assert found == [("预算准备金", 90000.0)]
    assert flagged(checked(SAMPLE), "只有“年度资金总额”行才有") == []


def test_name_starting_with_a_damaged_category_is_flagged():
    # Line 666: 成本指标 of 疫情防控 (项目名称 on line 612) with one character damaged.
    damaged = replace_line(SAMPLE, 666, "成本指标 支出进度达标率 ≥98% 100% 7 7", "成本4标 支出进度达标率 ≥98% 100% 7 7")
    assert flagged(checked(damaged), "像是一个指标类别") == ["疫情防控"]


def test_name_of_punctuation_alone_is_no_name():
    copy = pipe_copy(TRUTH[:3], separator=True, stamp=True, wrap="cell")
    assert "| 项目名称 |  |" in copy
    forms = checked(copy.replace("| 项目名称 |  |", "| 项目名称 | ：|", 1))
    assert forms[0].project_name == ""
    assert any("项目名称只读出标点“：”" in check.message for check in forms[0].checks)
    assert [form.project_name for form in forms[1:]] == [record["project_name"] for record in TRUTH[1:3]]
