"""Damaged text copies: what the damage changed is caught by a finding or leaves the form incomplete (issue 24,
point 3). A text file has no checksum (PDF streams and zip parts have one), so the reader's own consistency
checks are all there is. Each case damages the sample text (data/samples/000_*.txt, 22 forms) by hand the way
the fuzz harness found it damaged, and states the truth by hand.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.core import domain, texts
from dashboard.ingest.text import read_text
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = next((ROOT / "data" / "samples").glob("000_*.txt")).read_text(encoding="utf-8")
TRUTH = seed_records()


def messages(form) -> list[str]:
    return [check.message for check in form.checks]


def test_undamaged_sample_has_none_of_these_findings():
    forms = read_text(SAMPLE, "sample.txt")
    assert len(forms) == 22
    found = [message for form in forms for message in messages(form)]
    assert not [message for message in found if "资金表" in message or "两行" in message]


def test_sub_fund_row_lost():
    """Form 1's 上年结转资金 row (all 0.00) is gone: the sums still agree, so only the reader can tell."""
    damaged = SAMPLE.replace("上年结转资金 0.00 0.00 0.00 — 0.00% —\n", "", 1)
    first = read_text(damaged, "damaged.txt")[0]
    assert first.project_name == "预算准备金"
    assert first.funds.carryover.annual_budget is None
    assert texts.UNCERTAIN_FUND_ROW_MISSING.format(row="上年结转资金") in messages(first)


def test_fund_row_label_garbled():
    damaged = SAMPLE.replace("上年结转资金 0.00", "上年洁转资金 0.00", 1)
    first = read_text(damaged, "damaged.txt")[0]
    assert texts.UNCERTAIN_FUND_ROW_UNKNOWN.format(text="上年洁转资金 0.00 0.00 0.00 — 0.00% —") in messages(first)
    assert texts.UNCERTAIN_FUND_ROW_MISSING.format(row="上年结转资金") in messages(first)


def test_two_indicator_rows_joined_on_one_line():
    """Form 20 (预算准备金（停用）): its 生态效益 and 满意度 rows (both 0 分) joined: Σ分值 cannot tell."""
    row = "生态效益指标 不适用 不适用 不适用 0 0 项目停用"
    assert SAMPLE.count(f"{row}\n满意度指标") == 1
    damaged = SAMPLE.replace(f"{row}\n满意度指标", f"{row} 满意度指标", 1)
    forms = read_text(damaged, "damaged.txt")
    form = next(form for form in forms if any("两行" in message for message in messages(form)))
    assert form.project_name == "预算准备金（停用）"
    assert len(form.indicators) == 7  # 8 printed rows, read as 7: flagged, not silent
    assert any(check.indicator == "不适用" and "项目停用 满意度指标" in check.message for check in form.checks)


def test_lost_title_and_name_lines_leave_an_incomplete_form():
    """Form 5's title and 项目名称 lines are lost: its funds and indicators become a form of their own without a
    name (incomplete), instead of vanishing into form 4 behind its 总分 row."""
    at = SAMPLE.index("项目名称 网格信息管理")
    title = SAMPLE.rindex("项目支出绩效自评表", 0, at)
    after_header = SAMPLE.index("\n", SAMPLE.index("\n", at) + 1) + 1  # 项目名称 … and 主管部门 … lines
    forms = read_text(SAMPLE[:title] + SAMPLE[after_header:], "damaged.txt")
    assert len(forms) == 22
    assert (forms[3].project_name, forms[3].total_score) == ("政务事项管理", 99.92)  # seed truth, form 4
    lost = forms[4]
    assert lost.project_name == "" and domain.missing_parts(lost) == ["项目名称"]
    assert lost.funds.total.annual_budget == 6070600.0  # 网格信息管理's 全年预算数, by hand from the sample
    assert lost.total_score == 99.52


def test_pipe_copy_lost_title_and_name_rows_leave_an_incomplete_form():
    lines = pipe_copy(TRUTH[:6], separator=True).split("\n")
    at = next(number for number, line in enumerate(lines) if "项目名称" in line and "网格信息管理" in line)
    del lines[at - 1 : at + 3]  # the title, 项目名称, separator and 主管部门 rows
    forms = read_text("\n".join(lines), "damaged.txt")
    names = ["预算准备金", "数据规划管理", "购置费", "政务事项管理", "", "一般管理事务"]
    assert [form.project_name for form in forms] == names
    assert domain.missing_parts(forms[4]) == ["项目名称"]
    assert (forms[4].total_score, len(forms[4].indicators)) == (99.52, 21)


def test_control_character_in_a_name_is_flagged():
    """A byte turned into a control character inside form 3's indicator name (a bad copy or disk)."""
    damaged = SAMPLE.replace("购置办公设备验收合格率", "购置办公设\x02验收合格率", 1)
    third = read_text(damaged, "damaged.txt")[2]
    assert third.indicators[1].name == "购置办公设\x02验收合格率"  # kept as printed
    assert texts.UNCERTAIN_DAMAGED_CHARACTERS.format(
        field="购置办公设\x02验收合格率", text="购置办公设�验收合格率"
    ) in messages(third)


def test_stray_pipe_in_a_text_read_line_by_line_is_flagged():
    damaged = SAMPLE.replace("购置办公设备验收合格率", "购置办公设|验收合格率", 1)
    third = read_text(damaged, "damaged.txt")[2]
    assert any("孤立的“|”" in message and "购置办公设|验收合格率" in message for message in messages(third))


def test_pipe_copy_line_out_of_its_row_is_flagged():
    """In a | copy a wrapped name's second line moved above its row: the cell loses it, the form says so."""
    lines = pipe_copy(TRUTH[2:3], wrap="cell").split("\n")  # form 3, 购置费
    at = next(number for number, line in enumerate(lines) if line.startswith("验收合格率 |")) - 1
    assert lines[at].endswith("| 购置办公设备")
    lines[at : at + 2] = ["验收合格率", lines[at] + " | 100% | 100% | 10 | 10 |  |"]
    (form,) = read_text("\n".join(lines), "damaged.txt")
    assert form.indicators[1].name == "购置办公设备"
    assert texts.UNCERTAIN_STRAY_LINE.format(text="验收合格率") in messages(form)


def test_control_character_stripped_from_a_cell_still_names_its_row():
    """U+001F is a space to str.strip(): it leaves the cell, so the row it was printed in is named."""
    lines = pipe_copy(TRUTH[2:3]).split("\n")
    at = next(number for number, line in enumerate(lines) if "| 购置办公设备数量 |" in line)
    lines[at] = lines[at].replace("| 购置办公设备数量 |", "| \x1f购置办公设备数量 |")
    (form,) = read_text("\n".join(lines), "damaged.txt")
    assert form.indicators[0].name == "购置办公设备数量"
    assert any(message.startswith("“这一行”中有表上不会印的字符") for message in messages(form))


def test_level_label_that_took_in_other_text_is_flagged():
    """In a | copy the space before a cell border became a digit: the 二级 label reads "生态效益指标0"."""
    lines = pipe_copy(TRUTH[:1]).split("\n")
    at = next(number for number, line in enumerate(lines) if "| 生态效益指标 |" in line)
    lines[at] = lines[at].replace("| 生态效益指标 |", "| 生态效益指标0|")
    (form,) = read_text("\n".join(lines), "damaged.txt")
    assert [row.level2 for row in form.indicators].count("生态效益指标0") == 1
    assert texts.UNCERTAIN_ODD_LEVEL.format(label="生态效益指标0") in messages(form)


def test_line_broken_before_a_name_is_named():
    """Form 2's row "人工智能应用成果宣传工作完成及时率 100% 100% 3 3" broken in two after "完成及": the first
    part reads as the reason of the full-marks row above, the second as a name "时率"; the reader says so."""
    row = "人工智能应用成果宣传工作完成及时率 100% 100% 3 3"
    assert SAMPLE.count(row) == 1
    second = read_text(SAMPLE.replace(row, "人工智能应用成果宣传工作完成及\n时率 100% 100% 3 3"), "damaged.txt")[1]
    assert any(
        message.startswith("“人工智能应用成果宣传工作完成及”读作指标“指挥中心运营工作完成及时率”的偏差原因")
        for message in messages(second)
    )


def test_text_cut_right_after_a_title_says_so():
    """Fuzz seed 2033: a copy cut two characters into form 12 ("项目支出绩效自评表\n项" at its end) read 11 forms
    and said nothing of the 11 after them. Form 11 (电子政务管理) now carries the finding; the whole text and a
    copy cut inside a form's table do not (the latter is an incomplete form, found otherwise)."""
    twelfth = [at for at in range(len(SAMPLE)) if SAMPLE.startswith("项目支出绩效自评表", at)][11]
    cut = SAMPLE[: twelfth + len("项目支出绩效自评表\n项")]
    forms = read_text(cut, "cut.txt")
    assert [form.project_name for form in forms][-1:] == ["电子政务管理"] and len(forms) == 11
    message = texts.UNCERTAIN_TITLE_WITHOUT_FORM.format(title="项目支出绩效自评表")
    assert [form.project_name for form in forms if message in messages(form)] == ["电子政务管理"]
    assert not any(message in messages(form) for form in read_text(SAMPLE, "sample.txt"))
    inside = read_text(SAMPLE[: twelfth + 200], "cut.txt")
    assert not any(message in messages(form) for form in inside)


def test_rows_left_after_a_total_line_are_named():
    """Fuzz seed 2035: a block lost from 预算准备金(停用）'s title (line 994 of the sample, read by hand) through its
    first indicator row left its other rows under 购置费's 总分 line, where nothing read them: 21 forms, no word.
    购置费 now says how many rows it did not read; the whole sample never does."""
    lines = SAMPLE.split("\n")
    assert lines[993] == "项目支出绩效自评表" and lines[994] == "项目名称 预算准备金(停用） 项目金额 0"
    first_row = next(at for at in range(994, len(lines)) if lines[at].startswith("数量指标 预算准备金相关工作完成率"))
    forms = read_text("\n".join(lines[:993] + lines[first_row + 1 :]), "lost.txt")
    assert len(forms) == 21
    flagged = [
        (form.project_name, form.project_amount) for form in forms if any("“总分”行之后" in m for m in messages(form))
    ]
    assert flagged == [("购置费", 3049800.0)]
    assert not any("“总分”行之后" in m for form in read_text(SAMPLE, "sample.txt") for m in messages(form))


def test_text_cut_inside_a_title_says_so():
    """Fuzz seed 2036: a copy cut three characters into form 7's title ("项目支" its last line) read 6 forms and
    said nothing of the 16 after them. Form 6 (一般管理事务, 项目金额 15027864.7, read by hand) now carries the
    finding; a text whose last line is a whole indicator row does not."""
    seventh = [at for at in range(len(SAMPLE)) if SAMPLE.startswith("项目支出绩效自评表", at)][6]
    forms = read_text(SAMPLE[: seventh + len("项目支")], "cut.txt")
    assert len(forms) == 6
    message = texts.UNCERTAIN_TEXT_CUT.format(text="项目支", line="项目支出绩效自评表")
    assert [(form.project_name, form.project_amount) for form in forms if message in messages(form)] == [
        ("一般管理事务", 15027864.7)
    ]
    assert not any("被截断" in m for form in read_text(SAMPLE[:seventh], "whole.txt") for m in messages(form))
