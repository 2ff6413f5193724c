"""Forms cut short or in a layout the readers do not know: kept as what they are, never dropped or merged."""

from __future__ import annotations

from pathlib import Path

from dashboard.core import texts
from dashboard.ingest.grid import forms_from_grid
from dashboard.ingest.text import read_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TEXT = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"

TITLE = ["项目支出绩效自评表", None, None, None, None, None, None, None]
FUND_HEADER = ["项目资金（元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"]


def complete_form(name: str, score: str) -> list[list[str | None]]:
    return [
        TITLE,
        ["项目名称", name, None, None, "项目金额", "1000", None, None],
        FUND_HEADER,
        ["", "年度资金总额", "1000.00", "1000.00", "900.00", "10", "90.00%", "9"],
        INDICATOR_HEADER,
        ["产出指标", "数量指标", "完成数量", "10台", "10台", "90", score, ""],
        ["总分", None, None, None, None, "100", "99", ""],
    ]


def uncertain_messages(form) -> list[str]:
    return [check.message for check in form.checks if check.rule == "parse_uncertain"]


def test_unknown_layout_after_a_finished_form_is_its_own_shell():
    """A title and a table whose labels the reader does not know, between two complete forms."""
    unknown = [
        TITLE,
        ["项目金额", "5000", None, None, None, None, None, None],
        ["资金来源", "财政", None, None, None, None, None, None],
    ]
    rows = complete_form("甲项目", "90") + unknown + complete_form("乙项目", "90")
    forms = forms_from_grid(rows, [1] * 7 + [2] * 3 + [3] * 7, "x.pdf")
    assert [(form.project_name, form.source_pages) for form in forms] == [("甲项目", [1]), ("", [2]), ("乙项目", [3])]
    shell = forms[1]
    assert (shell.project_amount, shell.indicators, shell.total_score) == (5000.0, [], None)
    assert uncertain_messages(shell) == [
        texts.UNCERTAIN_NO_PROJECT_NAME,
        texts.UNCERTAIN_NO_FUNDS,
        texts.UNCERTAIN_NO_INDICATORS,
    ]
    assert forms[0].total_score == 99.0 and forms[0].source_pages == [1]  # nothing of the shell joined it


def test_repeated_title_on_a_continuation_page_still_joins():
    first = complete_form("甲项目", "90")
    rows = [*first[:6], TITLE, ["产出指标", "质量指标", "合格率", "100%", "100%", "0", "0", ""], first[6]]
    (form,) = forms_from_grid(rows, [1] * 6 + [2] * 3, "x.pdf")
    assert [indicator.name for indicator in form.indicators] == ["完成数量", "合格率"]
    assert (form.source_pages, form.total_score) == ([1, 2], 99.0)


def test_form_cut_mid_table_keeps_what_it_has():
    rows = complete_form("甲项目", "90")[:6]  # ends after the first indicator row: no 总分
    (form,) = forms_from_grid(rows, [1] * 6, "x.pdf")
    assert (form.project_name, form.project_amount, form.funds.total.executed) == ("甲项目", 1000.0, 900.0)
    assert [(i.name, i.weight, i.score) for i in form.indicators] == [("完成数量", 90.0, 90.0)]
    assert (form.total_weight, form.total_score) == (None, None)
    assert uncertain_messages(form) == [texts.UNCERTAIN_NO_TOTAL]


def test_text_dump_cut_after_a_header_keeps_the_form():
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    second_title = text.index("项目支出绩效自评表", text.index("项目支出绩效自评表") + 1)
    cut = (
        text[:second_title] + "项目支出绩效自评表\n项目名称 数据规划管理 项目金额 35181000\n主管部门 0402009 实施单位\n"
    )
    forms = read_text(cut, "cut.txt")
    assert [form.project_name for form in forms] == ["预算准备金", "数据规划管理"]
    last = forms[1]
    assert (last.project_amount, last.indicators, last.total_score) == (35181000.0, [], None)
    assert uncertain_messages(last) == [texts.UNCERTAIN_NO_FUNDS, texts.UNCERTAIN_NO_INDICATORS]


def test_text_dump_title_without_form_labels_is_not_a_form():
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    second_title = text.index("项目支出绩效自评表", text.index("项目支出绩效自评表") + 1)
    forms = read_text(text[:second_title] + "项目支出绩效自评表\n填报人：张三\n", "cut.txt")
    assert [form.project_name for form in forms] == ["预算准备金"]
