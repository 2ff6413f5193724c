"""Form identity that needs evidence (issue 17, points 1 and 2), on real files made here.

Truth by hand, from tests/fixtures/seed_forms.json: seed form 14 "预算准备金(停用）" (年初预算 30000, 总分 100)
and seed form 20 "预算准备金（停用）" (年初预算 20000, 总分 0) have the same name to identity (width variants), the
same 项目金额 (0) and 7 of 8 indicator rows of other names: two units' forms, never one replacing the other.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from dashboard.importing import importer
from dashboard.outputs import form_sheet
from dashboard.reference import shown
from dashboard.store import connect, reads
from tests import layout_factory, office_factory
from tests.seed_truth import seed_records
from tests.unit.test_cli import SAMPLES, SEED

ROOT = Path(__file__).resolve().parents[2]
TRUTH = seed_records()
YEAR = 2021
UNIT_3 = "福田区政务服务数据管理中心"
# Seed positions (1-based) of the two units' files in the issue: 7 forms each, one name shared.
UNIT_2_FORMS = (2, 4, 5, 7, 11, 12, 14)  # print no 实施单位 at all
UNIT_3_FORMS = (6, 8, 13, 17, 19, 20, 21)  # print UNIT_3 on every form
RESERVE_2, RESERVE_3 = "预算准备金(停用）", "预算准备金（停用）"


def records(positions, unit: str | None) -> list[dict]:
    return [TRUTH[position - 1] | {"year": YEAR, "unit": unit} for position in positions]


# --- the three sets: Excel workbook, 万元-style PDF, report-system PDF -----------------------------------------


def report_system_pdf(recs: list[dict], path: Path) -> Path:
    """Each form under its title and year line, printed from the national grid, a sign-off line after it."""
    widths = tuple(width * 6.0 for width in form_sheet.COLUMN_WIDTHS)
    parts: list = []
    for sheet in form_sheet.build_workbook(recs, title_year=False).worksheets:
        parts += ["项目支出绩效自评表", f"（{YEAR}年度）", layout_factory.from_worksheet(sheet, widths, skip_rows=1)]
        parts.append("填报人：张三　　联系电话：0755-1234567")
    return layout_factory.write_reportlab(parts, path)


def wanyuan_pdf(recs: list[dict], path: Path) -> Path:
    """The forms' fund blocks printed in 万元 (the grid with the year in its title)."""
    in_wanyuan = copy.deepcopy(recs)
    for record in in_wanyuan:
        record["funds"]["unit_printed"] = "万元"
    widths = tuple(width * 6.0 for width in form_sheet.COLUMN_WIDTHS)
    sheets = form_sheet.build_workbook(in_wanyuan, title_year=True).worksheets
    return layout_factory.write_reportlab([layout_factory.from_worksheet(sheet, widths) for sheet in sheets], path)


def workbook(recs: list[dict], path: Path) -> Path:
    return office_factory.xlsx_workbook(recs, path, numbers=True)


MAKERS = {"report": (report_system_pdf, ".pdf"), "wanyuan": (wanyuan_pdf, ".pdf"), "excel": (workbook, ".xlsx")}


def make(kind: str, recs: list[dict], folder: Path, stem: str) -> Path:
    maker, suffix = MAKERS[kind]
    return maker(recs, folder / f"{stem}{suffix}")


def import_in_turn(db: Path | str, files: list[Path]) -> list[importer.FileOutcome]:
    """Each file in its own run, as two offices' files arrive."""
    con = connect.open_db(db)
    try:
        return [importer.import_files(con, [(path, path.name)])[0] for path in files]
    finally:
        con.close()


def current(db: Path | str) -> list[tuple[str, str | None, bool]]:
    """Current forms (not replaced by another version): (name, unit, held as 可能重复)."""
    con = connect.open_db(db, read_only=True)
    try:
        return con.execute(
            "SELECT project_name, unit, pending_duplicate FROM forms WHERE superseded_by IS NULL "
            "ORDER BY project_name, unit NULLS FIRST"
        ).fetchall()
    finally:
        con.close()


# --- 1. two units' files: a blank unit is no evidence --------------------------------------------------------


@pytest.mark.parametrize("order", ["unit 2 first", "unit 3 first"])
def test_two_units_files_keep_14_forms_in_either_order(tmp_path, db_location, order):
    unit_2 = make("report", records(UNIT_2_FORMS, None), tmp_path, "单位2")
    unit_3 = make("report", records(UNIT_3_FORMS, UNIT_3), tmp_path, "单位3")
    files = [unit_2, unit_3] if order == "unit 2 first" else [unit_3, unit_2]
    outcomes = import_in_turn(db_location, files)
    assert [o.outcome for o in outcomes] == [importer.Outcome.IMPORTED] * 2
    assert [o.placed["replaced"] for o in outcomes] == [0, 0]  # nothing replaced
    assert [o.placed["duplicate"] for o in outcomes] == [0, 1]  # the later reserve form waits for a person
    forms = current(db_location)
    assert len(forms) == 14
    later = RESERVE_3 if order == "unit 2 first" else RESERVE_2
    assert [(name, pending) for name, _unit, pending in forms if pending] == [(later, True)]
    assert (RESERVE_2, None, order == "unit 3 first") in forms
    assert (RESERVE_3, UNIT_3, order == "unit 2 first") in forms


def test_the_held_form_shows_its_stored_namesake(tmp_path, db_location):
    unit_2 = make("report", records(UNIT_2_FORMS, None), tmp_path, "单位2")
    unit_3 = make("report", records(UNIT_3_FORMS, UNIT_3), tmp_path, "单位3")
    import_in_turn(db_location, [unit_2, unit_3])
    con = connect.open_db(db_location, read_only=True)
    try:
        pending = reads.pending_duplicates(con)
    finally:
        con.close()
    assert pending[["project_name", "unit", "candidate_name", "candidate_unit"]].values.tolist() == [
        [RESERVE_3, UNIT_3, RESERVE_2, None]
    ]


def test_a_correction_of_the_same_form_still_replaces(tmp_path, db_location):
    """Unit 3 sends its file again with one reason changed: all 7 forms replace their first versions."""
    first = records(UNIT_3_FORMS, UNIT_3)
    corrected = copy.deepcopy(first)
    corrected[0]["indicators"][0]["reason"] = "已更正：全年按计划完成"
    files = [make("report", first, tmp_path, "单位3"), make("report", corrected, tmp_path, "单位3（更正）")]
    outcomes = import_in_turn(db_location, files)
    assert outcomes[1].placed == {"new": 0, "replaced": 7, "duplicate": 0, "incomplete": 0}
    assert any("已更正：全年按计划完成" in line for line in outcomes[1].details)
    assert len(current(db_location)) == 7


# --- the Excel, 万元-PDF and report-system sets of the sample ---------------------------------------------------


@pytest.mark.parametrize("kind", list(MAKERS))
def test_each_set_of_the_sample_gives_22_forms(tmp_path, db_location, kind):
    """The 22 seed forms in two files of one department, the first printing no 实施单位 and the second
    printing it: 22 current forms. The reserve pair (seed forms 14 and 20) falls in different files: the
    later one is held as 可能重复, not counted in place of the other."""
    files = [
        make(kind, records(range(1, 15), None), tmp_path, "第一批"),
        make(kind, records(range(15, 23), UNIT_3), tmp_path, "第二批"),
    ]
    outcomes = import_in_turn(db_location, files)
    assert [o.form_count for o in outcomes] == [14, 8]
    forms = current(db_location)
    assert len(forms) == 22
    assert [name for name, _unit, pending in forms if pending] == [RESERVE_3]


def test_two_units_printed_on_both_sides_are_22_counted_forms(tmp_path, db_location):
    files = [
        make("excel", records(range(1, 15), "福田区政务服务信息中心"), tmp_path, "第一批"),
        make("excel", records(range(15, 23), UNIT_3), tmp_path, "第二批"),
    ]
    import_in_turn(db_location, files)
    forms = current(db_location)
    assert len(forms) == 22 and not any(pending for *_rest, pending in forms)


# --- a blank on one form of a file that prints the field elsewhere ----------------------------------------------


def test_a_blank_unit_in_a_file_that_prints_units_is_held_not_matched(tmp_path, db_location):
    """Unit 3's file again, its reserve form with the unit left blank: the only link to the stored form of
    unit 3 would be that blank, so the form waits for a person (the other six replace)."""
    first = records(UNIT_3_FORMS, UNIT_3)
    again = copy.deepcopy(first)
    (reserve,) = [record for record in again if record["project_name"] == RESERVE_3]
    reserve["unit"] = None
    reserve["indicators"][0]["reason"] = "项目停用（更正）"
    files = [make("excel", first, tmp_path, "单位3"), make("excel", again, tmp_path, "单位3（更正）")]
    outcomes = import_in_turn(db_location, files)
    assert outcomes[1].placed == {"new": 0, "replaced": 6, "duplicate": 1, "incomplete": 0}
    forms = current(db_location)
    assert (RESERVE_3, None, True) in forms and (RESERVE_3, UNIT_3, False) in forms

    # A person settles it as the new version: it replaces the stored form and keeps that form's unit.
    con = connect.open_db(db_location)
    try:
        (held,) = reads.pending_duplicates(con).itertuples()
        importer.settle_duplicate(con, held.form_id, held.candidate_id)
        changes = con.execute("SELECT changes FROM forms WHERE form_id = ?", [held.form_id]).fetchall()[0][0]
        assert shown.out_of_sync(con) == 0  # the carried unit is what every view shows of it too
    finally:
        con.close()
    forms = current(db_location)
    assert len(forms) == 7 and (RESERVE_3, UNIT_3, False) in forms
    assert json.loads(changes) == ["指标“不可预见的政策性工作完成率”偏差原因：项目停用 → 项目停用（更正）"]


# --- 2. a replacement never loses what the new copy does not print --------------------------------------------


def test_a_yearless_resubmission_keeps_year_and_unit(db_location):
    """The sample text with --year 2021, then sample_form_a.pdf (seed form 3, no year printed) without a year:
    it replaces form 3, keeps 2021, and the change list shows no 年度 line."""
    db = db_location
    con = connect.open_db(db)
    try:
        importer.import_files(con, [(SEED, SEED.name)], importer.ImportOptions(year=YEAR, unit="某某中心"))
        pdf = SAMPLES / "sample_form_a.pdf"
        (outcome,) = importer.import_files(con, [(pdf, pdf.name)])
        rows = con.execute(
            "SELECT year, unit, changes FROM forms WHERE superseded_by IS NULL AND source_file = ?", [pdf.name]
        ).fetchall()
    finally:
        con.close()
    assert outcome.placed["replaced"] == 1
    ((year, unit, changes),) = rows
    assert (year, unit) == (YEAR, "某某中心")
    assert not any(line.startswith(("年度", "实施单位")) for line in json.loads(changes))
    assert not any("年度" in line for line in outcome.details)
