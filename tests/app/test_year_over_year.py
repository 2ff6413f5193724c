"""Two years of forms: 总览's comparison and the Word report, against figures computed here by hand.

2021 is the seed text; 2022 is the same text with three changes made here: 数据规划管理 scores 95.14
instead of 97.14, 离退休干部慰问金 is not filed, and 电子政务管理 is renamed 电子政务综合管理. So 20 projects
are filed in both years, one is new, two ended.
"""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from dashboard.core import domain, texts
from dashboard.importing import importer
from dashboard.queries import filters
from dashboard.store import connect, writes
from tests import grade_truth
from tests.app.test_pages import metrics, run_app
from tests.seed_truth import seed_records

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"
TRUTH = seed_records()


def second_year_text() -> str:
    lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == "项目支出绩效自评表"] + [len(lines)]
    blocks = [lines[a:b] for a, b in itertools.pairwise(starts)]
    kept = []
    for block in blocks:
        text = "".join(block)
        if "项目名称 离退休干部慰问金" in text:
            continue
        text = text.replace("项目名称 电子政务管理 ", "项目名称 电子政务综合管理 ")
        text = text.replace("总分 100 97.14 —", "总分 100 95.14 —")
        kept.append(text)
    return "".join(lines[: starts[0]]) + "".join(kept)


def build_two_year_db(folder: Path) -> Path:
    """folder/forms.duckdb holding the seed as 2021 and second_year_text() as 2022, imported for real."""
    second = folder / "2022.txt"
    second.write_text(second_year_text(), encoding="utf-8")
    path = folder / "forms.duckdb"
    con = connect.open_db(path)
    try:
        for file, year in ((SEED, 2021), (second, 2022)):
            (outcome,) = importer.import_files(con, [(file, file.name)], importer.ImportOptions(year=year))
            assert outcome.ok, outcome.message
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Path:
    return build_two_year_db(tmp_path_factory.mktemp("yoy"))


@pytest.fixture
def env(two_years, monkeypatch) -> Path:
    monkeypatch.setenv(connect.DB_ENV_VAR, str(two_years))
    return two_years


def expected_figures() -> dict[int, dict]:
    """Forms, Σbudget, average 总分 (of the graded forms: tests/grade_truth.py) and deductions of each year,
    from the hand-written truth."""
    by_year = {}
    for year in (2021, 2022):
        records = [r for r in TRUTH if not (year == 2022 and r["project_name"] == "离退休干部慰问金")]
        scores = [
            95.14 if (year == 2022 and r["project_name"] == "数据规划管理") else r["total_score"]
            for r in records
            if grade_truth.graded(r)
        ]
        rows = [row for r in records for row in r["indicators"]]
        by_year[year] = {
            "forms": len(records),
            "budget": sum(r["funds"]["total"]["annual_budget"] for r in records),
            "avg_score": sum(scores) / len(scores),
            "deducted": sum(domain.is_deducted(row["weight"], row["score"]) for row in rows),
        }
    return by_year


def test_overview_shows_deltas_and_the_comparison(env):
    want = expected_figures()
    at = run_app(year="2022")
    shown = {metric.label: (metric.value, metric.delta) for metric in at.metric}
    assert shown[texts.KPI_FORMS] == (str(want[2022]["forms"]), "-1")
    change = want[2022]["avg_score"] - want[2021]["avg_score"]
    assert shown[texts.KPI_AVG_SCORE] == (f"{want[2022]['avg_score']:.2f}", f"{change:+.2f}".rstrip("0").rstrip("."))
    budget_change = (want[2022]["budget"] - want[2021]["budget"]) / 10000
    assert shown[f"{texts.KPI_BUDGET}（万元）"][1] == f"-{abs(budget_change):,.2f}"
    headers = [header.value for header in at.subheader]
    assert texts.YOY_TITLE.format(year=2022, previous=2021) in headers
    before = len(at.dataframe)  # the project-by-project comparisons are computed when opened
    at.toggle(key="overview_yoy_details").set_value(True).run()
    assert len(at.dataframe) == before + 3
    tables = {tuple(frame.value.columns): frame.value for frame in at.dataframe}
    (both,) = [t for cols, t in tables.items() if texts.REPORT_COL_CHANGE in cols and "2021" in cols and len(cols) == 5]
    assert len(both) == 20  # projects filed in both years
    first = both.iloc[0]  # the biggest fall first
    assert (first[texts.COL["project_name"]], first[texts.REPORT_COL_CHANGE]) == ("数据规划管理", "-2")
    (changes,) = [t for cols, t in tables.items() if cols[0] == texts.REPORT_COL_CHANGE]
    assert sorted(zip(changes[texts.REPORT_COL_CHANGE], changes[texts.COL["project_name"]], strict=True)) == [
        ("新增", "电子政务综合管理"),
        ("结束", "电子政务管理"),
        ("结束", "离退休干部慰问金"),
    ]


def test_no_deltas_without_a_single_year_in_scope(env):
    at = run_app()
    shares = {*filters.grades(), texts.NOT_GRADED, texts.GRADE_NONE}  # a grade card's delta is its share
    assert all(not metric.delta for metric in at.metric if metric.label not in shares)
    assert texts.YOY_TITLE.format(year=2022, previous=2021) in [header.value for header in at.subheader]


@pytest.mark.chromium  # the report's grade chart is drawn by kaleido with Chromium
def test_report_figures_are_the_pages_figures(env, tmp_path):
    output = tmp_path / "报告.docx"
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "report", "--db", str(env), "--year", "2022", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(output))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "二、" + texts.REPORT_KEY_FIGURES in headings  # the 要点 first
    assert "九、" + texts.REPORT_YOY.format(year=2022, previous=2021) in headings
    key_table = document.tables[0]
    in_report = {row.cells[1].text: row.cells[2].text for row in key_table.rows[1:]}
    on_page = metrics(run_app(year="2022"))
    assert in_report == on_page  # every card, number by number
    pictures = document.inline_shapes
    assert len(pictures) == 2  # grades, points lost by reason class (one unit: no 执行率 chart), drawn by Chromium
    yoy_table = next(t for t in document.tables if t.rows[0].cells[0].text == texts.REPORT_COL_ITEM)
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in yoy_table.rows[1:]}
    want = expected_figures()
    assert rows[texts.KPI_FORMS] == [str(want[2021]["forms"]), str(want[2022]["forms"]), "-1"]
    assert rows[texts.KPI_DEDUCTED][:2] == [str(want[2021]["deducted"]), str(want[2022]["deducted"])]
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer


def test_report_for_one_department_by_its_code(env, tmp_path):
    output = tmp_path / "部门.docx"
    command = [sys.executable, "-m", "dashboard", "report", "--db", str(env), "--department", "0402009",
               "--output", str(output)]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    scope = docx.Document(io.BytesIO(output.read_bytes())).paragraphs[2].text
    assert "0402009" in scope and " 43 张" in scope  # 22 + 21 forms
    assert scope.startswith("本报告汇总2021、2022 年度，0402009 部门本级") and texts.FILTER_NONE_ACTIVE not in scope
    missing = subprocess.run(
        [*command[:-4], "--department", "不存在的部门", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert missing.returncode == 2 and "不存在的部门" in missing.stderr and "Traceback" not in missing.stderr


def test_comparisons_send_their_first_rows_and_count_the_rest(two_years):
    """The page asks for the first rows only; they are the whole table's first rows, and the count is all."""
    from dashboard.queries import yoy
    from dashboard.queries.filters import Filters

    con = connect.open_db(two_years, read_only=True)
    try:
        pair = yoy.YearPair(2022, 2021)
        for compare in (yoy.projects_in_both_years, yoy.new_and_ended, yoy.recurring_deductions):
            whole = compare(con, Filters(), pair)
            first = compare(con, Filters(), pair, limit=2)
            assert whole.total == len(whole.frame) and first.total == whole.total
            assert records(first.frame) == records(whole.frame.head(2))
        assert yoy.projects_in_both_years(con, Filters(), pair).total == 20
        assert yoy.new_and_ended(con, Filters(), pair).total == 3
    finally:
        con.close()


def records(frame) -> list[dict]:
    """Rows as dicts, every missing value None (a two-row frame of NULLs and a longer one type them apart)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_matching_keeps_departments_and_units_apart_and_lets_a_blank_side_match(tmp_path):
    """Two departments, and two units of one, each file a project of a shared name in both years: each
    matches its own. A form that prints no 主管部门 (or no 实施单位) matches the one form of its name on
    the other side (a blank side does not block a match)."""
    from dashboard.queries import yoy
    from dashboard.queries.filters import Filters
    from tests.unit.test_store import make_form

    path = tmp_path / "t.duckdb"
    con = connect.open_db(path)
    try:
        rows = [
            (2021, "001", None, "预算准备金", 90.0), (2021, "002", None, "预算准备金", 80.0),
            (2021, "001", None, "购置费", 70.0), (2021, "003", "甲", "一般管理事务", 60.0),
            (2021, "003", "乙", "一般管理事务", 65.0), (2021, "003", None, "培训", 40.0),
            (2022, "001", None, "预算准备金", 91.0), (2022, "002", None, "预算准备金", 85.0),
            (2022, None, None, "购置费", 75.0), (2022, "003", "甲", "一般管理事务", 61.0),
            (2022, "003", "乙", "一般管理事务", 66.0), (2022, "003", "丙", "培训", 50.0),
        ]  # fmt: skip
        for number, (year, department, unit, name, score) in enumerate(rows):
            form = make_form(name)
            form.year, form.department, form.unit, form.total_score = year, department, unit, score
            writes.save_file(con, f"{number}.txt", f"sha{number}", [writes.Placement(form)])
    finally:
        con.close()
    con = connect.open_db(path, read_only=True)
    try:
        both = yoy.projects_in_both_years(con, Filters(), yoy.YearPair(2022, 2021)).frame
        changes = yoy.new_and_ended(con, Filters(), yoy.YearPair(2022, 2021)).total
    finally:
        con.close()
    compared = sorted(zip(both["project_name"], both["score_previous"], both["score"], strict=True))
    assert compared == [
        ("一般管理事务", 60.0, 61.0), ("一般管理事务", 65.0, 66.0), ("培训", 40.0, 50.0), ("购置费", 70.0, 75.0),
        ("预算准备金", 80.0, 85.0), ("预算准备金", 90.0, 91.0),
    ]  # fmt: skip
    assert changes == 0
