"""Resubmissions: form identity, versions kept as history, 可能重复, undoing an import, completeness.

Truth here is written by hand: which stored form a new version replaces, what the CLI says, what counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.audit import review
from dashboard.core.model import Form, FundRow, Funds, Indicator
from dashboard.importing import importer, versions
from dashboard.store import connect, reads, schema, writes
from tests.cli_runner import export_json, run_cli
from tests.unit.test_cli import SAMPLES, SEED

SAMPLE_PDF_FORM_3 = SAMPLES / "sample_form_a.pdf"  # 购置费, 项目金额 118800: seed form 3
OLD_REASON = "因为疫情原因不组织培训"
NEW_REASON = "受疫情影响全年未组织集中培训，明年改为线上培训"


def corrected_seed(folder: Path) -> Path:
    """The seed text with one reason changed (职工教育培训人数, form 一般管理事务 11727908)."""
    lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if line.startswith("职工教育培训人数") and OLD_REASON in line]
    lines[index] = lines[index].replace(OLD_REASON, NEW_REASON)
    path = folder / "自评表（更正）.txt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_resubmission_replaces_and_remove_restores_exactly(tmp_path):
    db = tmp_path / "f.duckdb"
    first = run_cli("import", "--year", "2021", str(SEED), db=db)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "新增 22，替换 0，可能重复 0" in first.stdout
    original = run_cli("export", "--format", "json", db=db).stdout

    second = run_cli("import", "--year", "2021", str(corrected_seed(tmp_path)), db=db)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "导入 22 张表：新增 0，替换 22，可能重复 0" in second.stdout
    assert f"替换“一般管理事务”（指标“职工教育培训人数”偏差原因：{OLD_REASON} → {NEW_REASON}）" in second.stdout
    assert "另有 21 张替换的表内容无改动" in second.stdout

    third = run_cli("import", "--year", "2021", str(SAMPLE_PDF_FORM_3), db=db)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "导入 1 张表：新增 0，替换 1，可能重复 0" in third.stdout

    records = export_json(db)
    assert len(records) == 22
    reasons = [row["reason"] for record in records for row in record["indicators"] if row["name"] == "职工教育培训人数"]
    assert reasons == [NEW_REASON]
    (form_3,) = [r for r in records if r["project_name"] == "购置费" and r["project_amount"] == 118800.0]
    assert form_3["source_file"] == SAMPLE_PDF_FORM_3.name

    every = json.loads(run_cli("export", "--format", "json", "--all-versions", db=db).stdout)
    assert len(every) == 22 + 22 + 1
    assert sum(record["superseded_by"] is not None for record in every) == 23
    assert all("superseded_by" in record for record in every)

    listing = run_cli("batches", db=db).stdout.splitlines()
    assert len(listing) == 4 and listing[1].startswith("3\t")

    for batch in ("3", "2"):
        removed = run_cli("remove", batch, db=db)
        assert removed.returncode == 0, removed.stderr
    assert run_cli("export", "--format", "json", db=db).stdout == original
    assert "已撤销" in run_cli("batches", db=db).stdout
    # A removed file can be imported again: it is not a duplicate of anything stored.
    again = run_cli("import", "--year", "2021", str(SAMPLE_PDF_FORM_3), db=db)
    assert "替换 1" in again.stdout


def test_sample_database_counts_22_forms(tmp_path):
    """make run's sample database: the two sample PDFs are later versions of seed forms 3 and 10."""
    db = tmp_path / "f.duckdb"
    result = run_cli("import", "--year", "2021", str(SAMPLES), db=db)
    assert result.returncode == 0, result.stdout
    assert "新增 22，替换 2，可能重复 0" in result.stdout
    assert len(export_json(db)) == 22


def test_remove_of_an_unknown_batch_says_so(tmp_path):
    db = tmp_path / "f.duckdb"
    run_cli("import", "--year", "2021", str(SAMPLE_PDF_FORM_3), db=db)
    result = run_cli("remove", "9", db=db)
    assert result.returncode == 2
    assert "没有编号为 9 的可撤销导入" in result.stderr
    assert "Traceback" not in result.stderr


# --- identity rules, on forms made here -----------------------------------------------------------------------


def make_form(name="购置费", unit=None, amount=None, year=2021, department="0402009", score=90.0) -> Form:
    return Form(
        project_name=name,
        project_type=name,
        department=department,
        unit=unit,
        year=year,
        project_amount=amount,
        funds=Funds(total=FundRow(100.0, 100.0, 90.0, 90.0, 10.0, 9.0)),
        indicators=[Indicator("产出指标", "数量指标", "完成率", "100%", "100%", 90.0, score - 9.0, None)],
        total_weight=100.0,
        total_score=score,
    )


def save(con, name: str, *forms: Form) -> list[writes.Placement]:
    """Import forms as one file would be: checks, placement, one transaction."""
    sha = (name.encode().hex() * 64)[:64]
    writes.assign_ids(list(forms), sha, name)
    for form in forms:
        review.check_form(form)
    placements = versions.place(con, list(forms))
    writes.save_file(con, name, sha, placements)
    return placements


def counted(con) -> list[tuple[str, str | None, float | None]]:
    return sorted(
        ((form.project_name, form.unit, form.total_score) for form in reads.load_forms(con, versions="counted")),
        key=lambda row: (row[0], row[1] or "", row[2]),
    )


@pytest.fixture
def con(tmp_path):
    connection = connect.open_db(tmp_path / "v.duckdb")
    yield connection
    connection.close()


def test_a_source_that_never_prints_unit_or_year_does_not_stop_a_match(con):
    """a.txt prints no unit and no year on any form (not printed by that source: unknown, no difference)."""
    save(con, "a.txt", make_form(unit=None, year=None, score=80.0))
    (placed,) = save(con, "b.txt", make_form(unit="某某中心", score=85.0))
    assert placed.status == "replaced"
    assert counted(con) == [("购置费", "某某中心", 85.0)]


def test_project_amount_separates_same_named_projects(con):
    save(con, "a.txt", make_form(amount=100.0, score=70.0), make_form(amount=200.0, score=71.0))
    (placed,) = save(con, "b.txt", make_form(amount=200.0, score=95.0))
    assert placed.status == "replaced"
    assert sorted(f.project_amount for f in reads.load_forms(con, versions="counted")) == [100.0, 200.0]
    assert counted(con) == [("购置费", None, 70.0), ("购置费", None, 95.0)]


def test_other_year_or_department_is_another_form(con):
    save(con, "a.txt", make_form(year=2021))
    placements = save(con, "b.txt", make_form(year=2022), make_form(department="0402010"))
    assert [p.status for p in placements] == ["new", "new"]
    assert len(counted(con)) == 3


def test_several_candidates_are_held_as_possible_duplicate_then_settled(con):
    save(con, "a.txt", make_form(unit="甲中心", score=70.0), make_form(unit="乙中心", score=71.0))
    (placed,) = save(con, "b.txt", make_form(unit=None, score=99.0))
    assert placed.status == "duplicate" and len(placed.candidates) == 2
    # Nothing replaced silently; the new form waits and does not count.
    assert counted(con) == [("购置费", "乙中心", 71.0), ("购置费", "甲中心", 70.0)]
    assert reads.not_counted(con) == {"incomplete": 0, "pending": 1}
    assert len(reads.pending_duplicates(con)) == 2
    first_candidate = placed.candidates[0]
    importer.settle_duplicate(con, placed.form.id, first_candidate)
    # It replaced 甲中心's form and keeps the unit it does not print (issue 17).
    assert counted(con) == [("购置费", "乙中心", 71.0), ("购置费", "甲中心", 99.0)]
    assert reads.not_counted(con) == {"incomplete": 0, "pending": 0}
    history = reads.version_history(con, placed.form.id)
    assert history["form_id"].tolist() == [first_candidate, placed.form.id]


def test_possible_duplicate_kept_as_a_form_of_its_own(con):
    save(con, "a.txt", make_form(unit="甲中心"), make_form(unit="乙中心"))
    (placed,) = save(con, "b.txt", make_form(unit=None, score=60.0))
    importer.settle_duplicate(con, placed.form.id, None)
    assert len(counted(con)) == 3


def test_exact_printed_name_decides_between_width_variants(con):
    """The seed prints both "预算准备金(停用）" and "预算准备金（停用）", both 0 元: two forms."""
    save(con, "a.txt", make_form("预算准备金(停用）", amount=0.0), make_form("预算准备金（停用）", amount=0.0))
    placements = save(con, "b.txt", make_form("预算准备金（停用）", amount=0.0, score=50.0))
    assert placements[0].status == "replaced"
    assert counted(con) == [("预算准备金(停用）", None, 90.0), ("预算准备金（停用）", None, 50.0)]


def test_two_forms_of_one_file_claiming_one_stored_form_replace_nothing(con):
    save(con, "a.txt", make_form())
    placements = save(con, "b.txt", make_form(score=91.0), make_form(score=92.0))
    assert [p.status for p in placements] == ["duplicate", "duplicate"]
    assert counted(con) == [("购置费", None, 90.0)]


def test_incomplete_resubmission_never_pushes_out_a_good_version(con):
    save(con, "a.txt", make_form(score=90.0))
    broken = make_form(score=90.0)
    broken.total_score = None
    (placed,) = save(con, "b.txt", broken)
    assert placed.status == "new" and not placed.form.complete
    assert counted(con) == [("购置费", None, 90.0)]
    assert reads.not_counted(con) == {"incomplete": 1, "pending": 0}
    (finding,) = [c for c in placed.form.checks if c.rule == "incomplete"]
    assert finding.severity == "error" and "总分" in finding.message


def test_remove_mends_a_chain_of_versions(con):
    save(con, "a.txt", make_form(score=80.0))
    middle = save(con, "b.txt", make_form(score=85.0))[0].form
    save(con, "c.txt", make_form(score=95.0))
    batch_of = dict(con.execute("SELECT file_name, batch_id FROM import_batches").fetchall())
    importer.remove_batch(con, batch_of["b.txt"])
    assert counted(con) == [("购置费", None, 95.0)]
    oldest = reads.load_forms(con, versions="all")[0]
    assert oldest.superseded_by is not None and oldest.superseded_by != middle.id
    importer.remove_batch(con, batch_of["c.txt"])
    assert counted(con) == [("购置费", None, 80.0)]
    with pytest.raises(schema.StoreError):
        importer.remove_batch(con, batch_of["c.txt"])  # already removed


def test_negative_amounts_and_scores_are_findings(con):
    form = make_form(amount=-5000.0)
    form.indicators[0].score = -3.0
    (placed,) = save(con, "a.txt", form)
    messages = sorted(c.message for c in placed.form.checks if c.rule == "negative_value")
    assert messages == ["指标“完成率”得分为负数（-3）", "项目金额为负数（-5000）"]
    assert all(c.severity == "error" for c in placed.form.checks if c.rule == "negative_value")


# --- incomplete forms through the real import --------------------------------------------------------------


def test_truncated_and_unknown_layout_forms_are_stored_incomplete(tmp_path):
    seed_lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    truncated = tmp_path / "截断.txt"
    truncated.write_text("".join(seed_lines[:100]), encoding="utf-8")  # form 1 whole, form 2 cut mid-table
    unknown = tmp_path / "其他系统.txt"
    unknown.write_text(
        "项目支出绩效自评表\n项目名称 办公楼维修 项目金额 50000\n"
        "单位代码 123 填报日期 2022-01-05\n支出明细 5000 4000\n",
        encoding="utf-8",
    )
    db = tmp_path / "f.duckdb"
    result = run_cli("import", "--year", "2021", str(truncated), str(unknown), db=db)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "第 2 张（数据规划管理）缺少绩效指标、总分" in lines[0]
    assert "第 1 张（办公楼维修）缺少年度资金总额、绩效指标、总分" in lines[1]
    records = export_json(db)
    assert [(r["project_name"], r["complete"]) for r in records] == [
        ("预算准备金", True),
        ("数据规划管理", False),
        ("办公楼维修", False),
    ]
    for record in records[1:]:
        assert [c["severity"] for c in record["checks"] if c["rule"] == "incomplete"] == ["error"]
    con = connect.open_db(db, read_only=True)
    try:
        assert [f.project_name for f in reads.load_forms(con, versions="counted")] == ["预算准备金"]
        assert reads.not_counted(con) == {"incomplete": 2, "pending": 0}
    finally:
        con.close()


def test_numbers_beyond_a_column_are_cleared_with_a_finding_not_a_database_error(con):
    form = make_form(amount=1e17)
    form.funds.total.executed = 1e30
    (placed,) = save(con, "a.txt", form)
    (stored,) = reads.load_forms(con)
    assert (stored.project_amount, stored.funds.total.executed) == (None, None)
    found = sorted(c.message for c in placed.form.checks if c.rule == "value_out_of_range")
    assert found == [
        "年度资金总额全年执行数印的“1e+30”超出可能的范围，未计入",
        "项目金额印的“1e+17”超出可能的范围，未计入",
    ]


def test_a_pdf_with_a_destroyed_page_is_never_imported_whole(tmp_path):
    """The import's verdict on a damaged multi-form PDF: the page named, the file's line an error (exit 1),
    the readable forms stored, the form cut by the page incomplete with an error finding, nothing counted
    that should not be."""
    from tests import pdf_damage

    seven = Path(__file__).resolve().parents[1] / "fixtures" / "libreoffice" / "seven_forms.pdf"
    damaged = pdf_damage.damage_page(seven, tmp_path / "七张表（损坏）.pdf", 2, 0.5)
    db = tmp_path / "f.duckdb"
    result = run_cli("import", "--year", "2021", str(damaged), db=db)
    assert result.returncode == 1
    (line,) = [line for line in result.stdout.splitlines() if "七张表（损坏）.pdf" in line]
    assert "第 2 页无法读取" in line and "有问题" in line and "第 1 张（数据规划管理）缺少总分" in line
    records = export_json(db)
    assert len(records) == 7
    (cut,) = [r for r in records if r["project_name"] == "数据规划管理"]
    assert cut["complete"] is False
    assert {c["rule"] for c in cut["checks"] if c["severity"] == "error"} >= {"page_unreadable", "incomplete"}
    assert sum(r["complete"] for r in records) == 6


def test_a_form_on_an_unreadable_page_never_counts_even_when_nothing_is_missing(con):
    """A damaged page can decode with wrong figures (总分 995.0 for 99.52): the form is kept, not counted."""
    from dashboard.core.model import Check

    form = make_form(score=95.0)
    form.checks.append(Check("page_unreadable", "error", "第 2 页无法读取：页面内容已损坏"))
    (placed,) = save(con, "a.pdf", form)
    assert not placed.form.complete
    (finding,) = [c for c in placed.form.checks if c.rule == "incomplete"]
    assert "完整可读的页面" in finding.message
    assert counted(con) == []
    assert any(c.rule == "page_unreadable" for c in placed.form.checks)  # the reader's finding is kept


# --- evidence (issue 17): a blank on one form of a file is no link; unlike content is held -----------------


def test_a_year_left_blank_on_one_form_of_a_file_that_prints_years_is_held(con):
    save(con, "a.txt", make_form(year=2021, score=80.0))
    placements = save(con, "b.txt", make_form(year=None, score=85.0), make_form(name="培训费", year=2021))
    assert [p.status for p in placements] == ["duplicate", "new"]
    assert counted(con) == [("培训费", None, 90.0), ("购置费", None, 80.0)]


def test_a_department_form_that_does_not_print_its_department_replaces_no_other_department(con):
    """Two departments' 部门整体 forms, the second read without its department (a header spelling the reader
    missed): budgets and indicator rows differ, so it is held, not put in place of the first."""
    first = make_form(name="", department="区农业农村局", score=92.0)
    second = make_form(name="", department=None, score=88.0)
    for form in (first, second):
        form.form_kind = "department"
    second.funds = Funds(total=FundRow(5000.0, 6000.0, 5900.0, 10.0, 98.33, 9.83))
    second.indicators = [Indicator("产出指标", "数量指标", "河道巡查次数", "≥12次", "12次", 90.0, 78.17, None)]
    save(con, "农业.txt", first)
    (placed,) = save(con, "水务.txt", second)
    assert placed.status == "duplicate" and placed.candidates == [first.id]


def test_unlike_needs_a_budget_and_most_indicator_rows_at_once():
    old = make_form()
    other_rows = make_form()
    other_rows.indicators = [Indicator("产出指标", "数量指标", "培训人次", "500人次", "520人次", 90.0, 81.0, None)]
    assert not versions.unlike(old, other_rows)  # same budget: a correction may rewrite the indicators
    other_budget = make_form()
    other_budget.funds = Funds(total=FundRow(200.0, 100.0, 90.0, 90.0, 10.0, 9.0))
    assert not versions.unlike(old, other_budget)  # same rows: a corrected budget
    other_budget.indicators = other_rows.indicators
    assert versions.unlike(old, other_budget)
