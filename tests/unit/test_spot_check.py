"""抽查复核 (issue 20) through the command line, with truth written by hand from the seed forms.

The sample database (22 forms counted, 主管部门 0402009 throughout) sampled with --size 6 --seed 7:
risk first (at most 3 = ⌈6 × ½⌉): 009 (7 warning-level findings + 5 risk signals), 014 (8 + 3), 001 (6 + 0);
amount next (at most 2 = ⌈6 × ¼⌉): 012 (全年预算数 32,156,392 元, the largest), 019; coverage: the one 主管部门
is covered already; random with seed 7: 017.

Entries by hand: on 012 (电子政务运行维护, 自评 100: 年度资金总额 9.99 + indicators 90) the 年度资金总额 row is
re-scored 8 and 用户投诉率 (row 24, 分值 15) 5: 复核总分 = 8 + 90 − 15 + 5 = 88, 偏离度 = (100 − 88) ÷ 100 = 12 %,
优 → 良. On 017 (一般管理事务, 自评 99.86: 9.86 + 90) rows 21 (分值 1) and 45 (分值 2) are re-scored 0 and 1:
复核总分 = 99.86 − 2 = 97.86, 偏离度 = 2 ÷ 99.86 = 2.0028 %, 优 stays 优. 019 gets nothing: not reviewed.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.audit import spot_check
from dashboard.core import texts
from dashboard.outputs import spot_sheet
from dashboard.store import connect
from tests.cli_runner import run_cli as run_any


def run_cli(*args: str, db):
    """A `spotcheck`/`export`/`remove` command on `db` (--db after the subcommand's own arguments)."""
    return run_any(*args, "--db", str(db))


PREFIX = "43af4d333ae1-"
SAMPLED = [PREFIX + n for n in ("009", "014", "001", "012", "019", "017")]
BASES = ["risk", "risk", "risk", "amount", "amount", "random"]
# Rows of the sheet of 012 (its layout: title, 2 header rows, 5 fund rows, 2 goal rows, the indicator heading).
FUND_ROW_012, FIRST_INDICATOR_012 = 5, 12


@pytest.fixture
def db(sample_db, tmp_path):
    path = tmp_path / "forms.duckdb"
    shutil.copy(sample_db, path)
    return path


def create(db, name="2021 抽查", *extra):
    result = run_cli("spotcheck", "create", name, "--size", "6", "--seed", "7", "--by", "李审", *extra, db=db)
    assert result.returncode == 0, result.stderr
    return result


def export_workbook(db, path, name="2021 抽查"):
    result = run_cli("spotcheck", "export", name, "--output", str(path), db=db)
    assert result.returncode == 0, result.stderr


def fill(book_path, out_path, edits: dict[str, dict[str, object]]):
    book = load_workbook(book_path)
    for sheet_name, cells in edits.items():
        for cell, value in cells.items():
            book[sheet_name][cell] = value
    book.save(out_path)


def truth_edits(book_path) -> dict:
    book = load_workbook(book_path)
    sheet_012 = next(name for name in book.sheetnames if name.startswith("4 "))
    sheet_017 = next(name for name in book.sheetnames if name.startswith("6 "))
    sheet = book[sheet_017]
    rows_017 = {sheet.cell(row=r, column=14).value: r for r in range(1, sheet.max_row + 1)}
    reviewer_017 = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "复核人")
    return {
        sheet_012: {
            f"L{FUND_ROW_012}": 8,
            f"M{FUND_ROW_012}": "-10% 执行率按决算数",
            f"K{FIRST_INDICATOR_012 + 23}": "未提供投诉统计",
            f"L{FIRST_INDICATOR_012 + 23}": 5,
            f"M{FIRST_INDICATOR_012 + 23}": "无佐证材料",
            "C38": "王五",
            "I38": datetime(2026, 12, 1),
            "C39": "自评偏高，等级由优调为良",
        },
        sheet_017: {
            f"L{rows_017[21]}": 0,
            f"L{rows_017[45]}": "1",  # a number typed into a text cell counts as the number
            f"C{reviewer_017}": "赵六",
            f"I{reviewer_017}": "2026-12-02",
        },
    }


def test_plan_is_chosen_by_risk_amount_coverage_random_and_reproducible(db):
    out = create(db)
    assert "抽取 6 张表" in out.stdout
    con = connect.open_db(db, read_only=True)
    try:
        first = spot_check.entries(con, spot_check.plan_id(con, "2021 抽查"))
        frame = spot_check.candidates(con, spot_check.Scope())
        again = spot_check.choose(frame, 6, seed=7)
        other_seed = spot_check.choose(frame, 6, seed=8)
    finally:
        con.close()
    assert first["form_id"].tolist() == SAMPLED
    assert first["basis"].tolist() == BASES
    assert [choice.form_id for choice in again] == SAMPLED  # same database, options, seed: same forms
    assert [choice.form_id for choice in other_seed][:5] == SAMPLED[:5]  # only the random draw depends on the seed
    assert first["basis_note"][0] == texts.SPOT_NOTE_RISK.format(findings=7, signals=5)
    listing = run_cli("spotcheck", "list", db=db)
    assert "2021 抽查\t6\t0\t李审" in listing.stdout
    taken = run_cli("spotcheck", "create", "2021 抽查", "--size", "2", db=db)
    assert taken.returncode == 2 and "已有名为" in taken.stderr


def test_cli_round_trip_with_deviation_and_grade_change(db, tmp_path):
    create(db)
    blank, filled = tmp_path / "w.xlsx", tmp_path / "filled.xlsx"
    export_workbook(db, blank)
    fill(blank, filled, truth_edits(blank))
    result = run_cli("spotcheck", "import", str(filled), "--by", "王五", db=db)
    assert result.returncode == 0, result.stderr
    assert "2 张表" in result.stdout

    exported = json.loads(run_cli("export", "--format", "json", db=db).stdout)
    reviewed = {form["id"]: form["spot_check"] for form in exported if "spot_check" in form}
    assert reviewed == {
        PREFIX + "012": {"plan": "2021 抽查", "reviewed_score": 88.0, "reviewed_grade": "良", "deviation": 0.12,
                         "reviewer": "王五", "reviewed_at": "2026-12-01"},
        PREFIX + "017": {"plan": "2021 抽查", "reviewed_score": 97.86, "reviewed_grade": "优", "deviation": 0.020028,
                         "reviewer": "赵六", "reviewed_at": "2026-12-02"},
    }  # fmt: skip

    csv = pd.read_csv(io.StringIO(run_cli("export", "--format", "csv", db=db).stdout.lstrip("\ufeff")))
    columns = texts.EXPORT_REVIEW_COLUMNS
    row = csv[(csv[texts.EXPORT_COLUMNS["form_id"]] == PREFIX + "012") & (csv[texts.EXPORT_COLUMNS["position"]] == 24)]
    assert row[columns["review_score"]].tolist() == [5.0]
    assert row[columns["review_actual"]].tolist() == ["未提供投诉统计"]
    assert row[columns["review_note"]].tolist() == ["无佐证材料"]
    assert row[columns["review_plan"]].tolist() == ["2021 抽查"]
    assert csv[columns["review_score"]].notna().sum() == 3  # 012 row 24, 017 rows 21 and 45

    # Exported again (with what was entered) and read back untouched: nothing changes, not even the note that
    # looks like a formula and went out with an apostrophe before it.
    again = tmp_path / "again.xlsx"
    export_workbook(db, again)
    book = load_workbook(again)
    sheet_012 = next(name for name in book.sheetnames if name.startswith("4 "))
    assert book[sheet_012][f"M{FUND_ROW_012}"].value == "'-10% 执行率按决算数"
    assert run_cli("spotcheck", "import", str(again), "--by", "王五", db=db).returncode == 0
    con = connect.open_db(db, read_only=True)
    try:
        entry = spot_check.entries(con, spot_check.plan_id(con, "2021 抽查")).set_index("form_id").loc[PREFIX + "012"]
        rows = spot_check.entry_rows(con, int(entry["entry_id"])).set_index("position")
    finally:
        con.close()
    assert rows.loc[0, "note"] == "-10% 执行率按决算数"
    assert (entry["reviewed_score"], entry["reviewer"], entry["version"]) == (88.0, "王五", 2)

    con = connect.open_db(db, read_only=True)
    try:
        entries = spot_check.entries(con, spot_check.plan_id(con, "2021 抽查")).set_index("form_id")
    finally:
        con.close()
    assert entries.loc[PREFIX + "012", "grade_changed"]
    assert not entries.loc[PREFIX + "017", "grade_changed"]
    assert entries.loc[PREFIX + "012", "saved_by"] == "王五"
    assert entries.loc[PREFIX + "012", "conclusion"] == "自评偏高，等级由优调为良"
    assert pd.isna(entries.loc[PREFIX + "019", "reviewed_score"])
    summary = spot_check.summary(entries.reset_index(), "department").iloc[0]
    assert (summary["sampled"], summary["reviewed"], summary["marked"], summary["grade_changes"]) == (6, 2, 1, 1)
    assert summary["mean_deviation"] == pytest.approx((0.12 + 2 / 99.86) / 2)


def test_a_bad_workbook_names_sheet_and_cell_and_writes_nothing(db, tmp_path):
    create(db)
    blank, filled = tmp_path / "w.xlsx", tmp_path / "bad.xlsx"
    export_workbook(db, blank)
    edits = truth_edits(blank)
    sheet_012 = next(iter(edits))
    edits[sheet_012][f"L{FIRST_INDICATOR_012}"] = 5  # row 1: 分值 4
    edits[sheet_012][f"L{FIRST_INDICATOR_012 + 1}"] = "四分"
    sheet_019 = next(name for name in load_workbook(blank).sheetnames if name.startswith("5 "))
    edits[sheet_019] = {"L1": PREFIX + "002"}  # a form that is not in the plan
    sheet_001 = next(name for name in load_workbook(blank).sheetnames if name.startswith("3 "))
    edits[sheet_001] = edits.pop(sheet_019)  # the sheet of 001 now names a form not in the plan
    edits[sheet_019] = {"L1": PREFIX + "012"}  # and the sheet of 019 claims 012 a second time
    fill(blank, filled, edits)
    result = run_cli("spotcheck", "import", str(filled), db=db)
    assert result.returncode == 2
    assert f"工作表“{sheet_012}”单元格 L{FIRST_INDICATOR_012}：复核得分 5 不在 0 到分值 4 之间" in result.stderr
    assert f"工作表“{sheet_012}”单元格 L{FIRST_INDICATOR_012 + 1}：复核得分应为数字" in result.stderr
    assert f"工作表“{sheet_001}”单元格 L1：表编号“{PREFIX}002”不在抽查计划“2021 抽查”中" in result.stderr
    assert f"工作表“{sheet_019}”单元格 L1：表编号“{PREFIX}012”已在工作表“{sheet_012}”中出现" in result.stderr
    assert "4 处问题" in result.stderr
    listing = run_cli("spotcheck", "list", "2021 抽查", db=db)
    assert "赵六" not in listing.stdout  # 017's valid sheet was not saved either
    exported = json.loads(run_cli("export", "--format", "json", db=db).stdout)
    assert not any("spot_check" in form for form in exported)


def test_the_second_saver_of_the_same_form_is_told(db, tmp_path):
    create(db)
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    export_workbook(db, first)
    shutil.copy(first, second)  # two reviewers export the same plan
    fill(first, first, truth_edits(first))
    edits = truth_edits(second)
    sheet_012 = next(iter(edits))
    edits = {sheet_012: {f"L{FUND_ROW_012}": 9, "C38": "钱七"}}
    fill(second, second, edits)
    assert run_cli("spotcheck", "import", str(first), "--by", "王五", db=db).returncode == 0
    late = run_cli("spotcheck", "import", str(second), "--by", "钱七", db=db)
    assert late.returncode == 2
    assert f"工作表“{sheet_012}”：导出此工作簿后，该表的复核已由 王五" in late.stderr
    con = connect.open_db(db)
    try:
        entry = spot_check.entries(con, spot_check.plan_id(con, "2021 抽查")).set_index("form_id").loc[PREFIX + "012"]
        assert entry["reviewer"] == "王五"
        stale = spot_check.FormReview(int(entry["entry_id"]), version=0, reviewer="钱七")
        with pytest.raises(spot_check.ConflictError, match="王五"):
            spot_check.save_reviews(con, [stale], by="钱七")
    finally:
        con.close()


def test_removing_an_import_keeps_the_plan_pointing_at_the_forms_history(db):
    result = run_cli("spotcheck", "create", "全部", "--share", "1", "--seed", "1", db=db)
    assert result.returncode == 0, result.stderr
    con = connect.open_db(db)
    try:
        pdf_form = con.execute("SELECT form_id, replaces FROM forms WHERE replaces IS NOT NULL ORDER BY 1").fetchall()[
            0
        ]
        batch = con.execute("SELECT batch_id FROM forms WHERE form_id = ?", [pdf_form[0]]).fetchall()[0][0]
    finally:
        con.close()
    assert run_cli("remove", str(batch), db=db).returncode == 0
    con = connect.open_db(db, read_only=True)
    try:
        entries = spot_check.entries(con, spot_check.plan_id(con, "全部"))
    finally:
        con.close()
    assert len(entries) == 22
    assert pdf_form[0] not in entries["form_id"].tolist()
    assert pdf_form[1] in entries["form_id"].tolist()  # the version the removed one replaced
    assert entries["stored"].all()


def test_a_version_11_file_gets_the_cycle_tables_and_the_ocr_blocks(tmp_path):
    path = tmp_path / "old.duckdb"
    con = connect.open_db(path)
    for table in ("spot_plans", "spot_entries", "spot_rows", "rectify_items", "rectify_history", "ocr_blocks"):
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
    con.close()
    con = connect.open_db(path)  # a writer's open migrates
    try:
        tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()[0][0]
    finally:
        con.close()
    assert {"spot_plans", "spot_entries", "spot_rows", "rectify_items", "rectify_history", "ocr_blocks"} <= tables
    # 12: the cycle's tables; 13: the OCR page blocks; 14: trimmed names; 15: shown names; 16: findings per severity
    assert version == "17"


def test_coverage_takes_one_form_of_each_department_not_yet_sampled():
    # Five departments; the riskiest and largest forms are all of A and B: coverage adds C, D and E (each its
    # riskiest, then largest form), and nothing is left for the random draw.
    rows = [
        ("a1", "A", 900.0, 5, 1), ("a2", "A", 800.0, 4, 0), ("b1", "B", 1000.0, 0, 0), ("b2", "B", 50.0, 0, 0),
        ("c1", "C", 10.0, 0, 0), ("c2", "C", 20.0, 1, 0), ("d1", "D", 5.0, 0, 0), ("e1", "E", 7.0, 0, 0),
        ("e2", "E", 8.0, 0, 0),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["form_id", "department", "budget", "findings", "signals"])
    chosen = spot_check.choose(frame, 6, seed=1)
    bases = {c.form_id: c.basis.value for c in chosen}
    assert [c.form_id for c in chosen if c.basis.value == "risk"] == ["a1", "a2", "c2"]  # ⌈6 × ½⌉ = 3 at most
    assert [c.form_id for c in chosen if c.basis.value == "amount"] == ["b1", "b2"]  # ⌈6 × ¼⌉ = 2 of the rest
    assert [c.form_id for c in chosen if c.basis.value == "coverage"] == ["d1"]  # room for one: D before E
    assert len(bases) == 6
    wider = spot_check.choose(frame, 8, seed=1)
    assert [c.form_id for c in wider if c.basis.value == "coverage"] == ["d1", "e2"]  # E's largest
    assert spot_check.sample_size(22, None, 0.15) == 4  # ⌈3.3⌉
    assert spot_check.sample_size(22, 30, None) == 22
    with pytest.raises(spot_check.SpotCheckError):
        spot_check.sample_size(22, None, 1.5)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(db, monkeypatch):
    create(db)
    monkeypatch.setattr(spot_sheet, "MAX_UNPACKED_BYTES", 1000)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/big.xml", b"0" * 5000)  # 5,000 bytes unpacked from a few dozen
    con = connect.open_db(db)
    try:
        with pytest.raises(spot_check.SpotCheckError, match="工作簿过大"):
            spot_sheet.read_workbook(con, bomb.getvalue())
    finally:
        con.close()
