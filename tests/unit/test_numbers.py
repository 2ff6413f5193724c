"""The one number parser of the readers (dashboard.ingest.cells) and the findings for unusable numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core import rule_ids as rules
from dashboard.core import texts
from dashboard.core.model import Check
from dashboard.ingest import cells
from dashboard.ingest.text import read_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TEXT = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"

UNREADABLE = rules.VALUE_UNREADABLE
OUT_OF_RANGE = rules.VALUE_OUT_OF_RANGE


@pytest.mark.parametrize(
    ("printed", "value", "problem"),
    [
        ("10012516.44", 10012516.44, None),
        ("1,016,318", 1016318.0, None),
        ("１２３", 123.0, None),  # full-width digits
        ("-5", -5.0, None),
        ("100125\n16.44", 10012516.44, None),  # wrapped in its cell
        (" 97.14 ", 97.14, None),
        ("0.5", 0.5, None),
        ("1，000", 1000.0, None),  # full-width comma
        ("－3", -3.0, None),  # full-width minus sign
        ("\u22123", -3.0, None),  # the mathematical minus sign
        ("—", None, None),
        ("/", None, None),
        ("不适用", None, None),
        ("", None, None),
        (None, None, None),
        ("  \n ", None, None),
        ("NaN", None, UNREADABLE),
        ("nan", None, UNREADABLE),
        ("Infinity", None, UNREADABLE),
        ("-inf", None, UNREADABLE),
        ("1_000", None, UNREADABLE),
        ("1e30", None, UNREADABLE),
        ("1E5", None, UNREADABLE),
        ("١٢٣", None, UNREADABLE),  # Arabic-Indic digits: Decimal() would take them
        ("१२३", None, UNREADABLE),  # Devanagari
        ("๑๒๓", None, UNREADABLE),  # Thai
        ("五", None, UNREADABLE),
        ("10分以上", None, UNREADABLE),
        ("1.2.3", None, UNREADABLE),
        ("--5", None, UNREADABLE),
    ],
)
def test_read_number(printed, value, problem):
    assert cells.read_number(printed, bound=None) == cells.Reading(value, problem)


@pytest.mark.parametrize(
    ("printed", "value", "problem"),
    [
        ("97.14", 97.14, None),
        ("1000", 1000.0, None),  # the largest weight or score a form may print (domain.MAX_POINTS)
        ("-1000", -1000.0, None),
        ("1000.01", None, OUT_OF_RANGE),
        ("-1001", None, OUT_OF_RANGE),
        ("10012516.44", None, OUT_OF_RANGE),
        ("1e2", None, UNREADABLE),
        ("—", None, None),
    ],
)
def test_read_points(printed, value, problem):
    assert cells.read_number(printed) == cells.Reading(value, problem)
    assert cells.parse_number(printed) == value


@pytest.mark.parametrize(
    ("printed", "unit", "value", "problem"),
    [
        ("10012516.44", "元", 10012516.44, None),
        ("1,016,318", "元", 1016318.0, None),
        ("3.96", "万元", 39600.0, None),
        ("118800元", "万元", 118800.0, None),  # a unit printed in the cell wins
        ("3.96万元", "元", 39600.0, None),
        ("0.333333", "万元", 3333.33, None),  # to the cent
        ("-5", "元", -5.0, None),
        ("999999999999999.99", "元", 999999999999999.99, None),  # just below 10^15 元
        ("1000000000000000", "元", None, OUT_OF_RANGE),  # 10^15 元: DECIMAL(18,2) keeps less
        ("100000000000000000.00", "元", None, OUT_OF_RANGE),  # 10^17
        ("100000000000", "万元", None, OUT_OF_RANGE),  # 10^11 万元 = 10^15 元
        ("-1000000000000000", "元", None, OUT_OF_RANGE),
        ("1e30", "元", None, UNREADABLE),
        ("NaN", "万元", None, UNREADABLE),
        ("٣٫٥", "元", None, UNREADABLE),
        ("—", "元", None, None),
        ("不适用", "万元", None, None),
    ],
)
def test_read_amount(printed, unit, value, problem):
    assert cells.read_amount(printed, unit) == cells.Reading(value, problem)
    assert cells.amount_in_yuan(printed, unit) == value


@pytest.mark.parametrize(
    ("printed", "value", "problem"),
    [
        ("96.37%", 96.37, None),
        ("96.37％", 96.37, None),
        ("100 %", 100.0, None),
        ("0", 0.0, None),
        ("-", None, None),
        ("1e3%", None, UNREADABLE),
        ("NaN%", None, UNREADABLE),
        ("约96%", None, UNREADABLE),
    ],
)
def test_read_percent(printed, value, problem):
    assert cells.read_percent(printed) == cells.Reading(value, problem)
    assert cells.parse_percent(printed) == value


def test_findings_name_the_field_and_cut_long_text():
    checks: list[Check] = []
    numbers = cells.NumberCells(checks)
    assert numbers.amount("1e30", "元", "项目金额") is None
    assert numbers.points("x" * 40, "指标“A”的分值", "A") is None
    assert numbers.points("12", "指标“A”的得分", "A") == 12.0
    assert [(c.rule, c.severity, c.indicator, c.message) for c in checks] == [
        ("value_unreadable", "error", None, "项目金额印的“1e30”不是可识别的数字，未计入"),
        ("value_unreadable", "error", "A", "指标“A”的分值印的“" + "x" * 30 + "…”不是可识别的数字，未计入"),
    ]


def test_reader_rule_titles_cover_every_reader_rule():
    assert set(texts.READER_RULE_TITLES) == rules.READER_RULES


def damaged_sample_text() -> str:
    """The 22-form sample dump with form 1's 项目金额 printed as "1e30" and form 2's 全年预算数 as 10^17."""
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    first = "项目名称 预算准备金 项目金额 200000"
    second = "年度资金总额 7642000.00 10390000.00 10012516.44 10 96.37% 9.64"
    assert text.count(first) == 1 and text.count(second) == 1
    text = text.replace(first, "项目名称 预算准备金 项目金额 1e30")
    return text.replace(second, "年度资金总额 7642000.00 100000000000000000.00 10012516.44 10 96.37% 9.64")


def test_text_dump_with_impossible_amounts_keeps_every_form():
    forms = read_text(damaged_sample_text(), "damaged.txt")
    assert len(forms) == 22
    first, second = forms[0], forms[1]
    assert (first.project_name, second.project_name) == ("预算准备金", "数据规划管理")
    assert first.project_amount is None
    assert first.funds.total.initial_budget == 100000.0  # the rest of the form is read as printed
    assert [(c.rule, c.severity, c.message) for c in first.checks if c.rule.startswith("value_")] == [
        ("value_unreadable", "error", "项目金额印的“1e30”不是可识别的数字，未计入")
    ]
    total = second.funds.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (7642000.0, None, 10012516.44)
    assert second.project_amount == 35181000.0
    assert [(c.rule, c.severity, c.message) for c in second.checks if c.rule.startswith("value_")] == [
        ("value_out_of_range", "error", "年度资金总额的全年预算数印的“100000000000000000.00”超出可能的范围，未计入")
    ]
    assert not [c for form in forms[2:] for c in form.checks if c.rule.startswith("value_")]


def test_impossible_amounts_import_into_the_database(tmp_path):
    """The real import into DuckDB (DECIMAL(18, 2) amounts): no database error, the findings are stored."""
    from dashboard.importing import importer
    from dashboard.store import connect

    path = tmp_path / "damaged.txt"
    path.write_text(damaged_sample_text(), encoding="utf-8")
    con = connect.open_db(tmp_path / "forms.duckdb")
    try:
        (outcome,) = importer.import_files(con, [(path, path.name)], importer.ImportOptions(year=2021))
        rows = con.execute(
            "SELECT rule, severity, message FROM checks WHERE rule LIKE 'value_%' ORDER BY rule DESC"
        ).fetchall()
    finally:
        con.close()
    assert (outcome.outcome, outcome.form_count) == (importer.Outcome.IMPORTED, 22)
    assert rows == [
        ("value_unreadable", "error", "项目金额印的“1e30”不是可识别的数字，未计入"),
        ("value_out_of_range", "error", "年度资金总额的全年预算数印的“100000000000000000.00”超出可能的范围，未计入"),
    ]


def test_text_dump_indicator_score_out_of_range():
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    row = "数量指标 预算准备金工作完成率 100% 0% 10 0"
    assert text.count(row) == 1
    forms = read_text(text.replace(row, "数量指标 预算准备金工作完成率 100% 0% 10 5000"), "score.txt")
    indicator = forms[0].indicators[0]
    assert (indicator.name, indicator.weight, indicator.score) == ("预算准备金工作完成率", 10.0, None)
    assert [(c.rule, c.indicator, c.message) for c in forms[0].checks if c.rule.startswith("value_")] == [
        (
            "value_out_of_range",
            "预算准备金工作完成率",
            "指标“预算准备金工作完成率”的得分印的“5000”超出可能的范围，未计入",
        )
    ]


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("2021年度项目支出绩效自评表", 2021),
        ("项目支出绩效自评表（２０２２年度）", 2022),  # full-width digits
        ("项目支出绩效自评表（٢٠٢١年度）", None),  # Arabic-Indic digits are not a year
        ("项目支出绩效自评表", None),
    ],
)
def test_year_from_title_takes_ascii_digits_only(title, year):
    assert cells.year_from_title(title) == year
