"""项目金额 printed in 万元 is stored in 元 by every reader, exactly (issue 17, point 3), and `migrate` fixes
forms that earlier versions stored in 万元.

Truth by hand: the sample's 数据规划管理 prints 项目金额 35181000 (元); in 万元 that is 3518.1. A figure with more
decimals than cents in 万元 (3518.12345 万元 = 35181234.50 元) shows that nothing is rounded in 万元.
"""

from __future__ import annotations

from pathlib import Path

import docx
import duckdb
import pytest
from openpyxl import load_workbook

from dashboard.ingest import cells
from dashboard.ingest.files import parse_file
from dashboard.ingest.text import read_text
from dashboard.store import connect, schema
from tests import office_factory
from tests import pdf_factory as factory
from tests.seed_truth import seed_records

ROOT = Path(__file__).resolve().parents[2]
SEED = seed_records()
SAMPLE = next((ROOT / "data" / "samples").glob("000_*.txt"))

# (printed in 万元, stored in 元)
CASES = [("3518.1", 35181000.0), ("34.51", 345100.0), ("3518.12345", 35181234.5), ("0.123456", 1234.56)]


@pytest.mark.parametrize(("printed", "yuan"), CASES)
def test_pdf_label_in_wanyuan(tmp_path, printed, yuan):
    spec = factory.FormSpec(amount_label="项目金额（万元）", project_amount=printed)
    (form,) = parse_file(factory.write_pdf(tmp_path / "a.pdf", [spec]), "a.pdf").forms
    assert form.project_amount == yuan


def test_pdf_label_in_yuan_and_unlabelled_stay_in_yuan(tmp_path):
    labelled = factory.FormSpec(amount_label="项目金额（元）", project_amount="118800")
    # a 项目资金（万元） heading is the unit of the fund block only
    plain = factory.FormSpec(project_amount="118800", fund_heading="项目资金\n（万元）")
    forms = parse_file(factory.write_pdf(tmp_path / "a.pdf", [labelled, plain]), "a.pdf").forms
    assert [form.project_amount for form in forms] == [118800.0, 118800.0]


def sample_form_text(position: int) -> str:
    """The sample's form at `position` (1-based), title included."""
    text = SAMPLE.read_text(encoding="utf-8")
    starts = [index for index in range(len(text)) if text.startswith("项目支出绩效自评表", index)]
    ends = [*starts[1:], len(text)]
    return text[starts[position - 1] : ends[position - 1]]


@pytest.mark.parametrize(("printed", "yuan"), CASES)
def test_text_label_in_wanyuan(printed, yuan):
    text = sample_form_text(2).replace("项目金额 35181000", f"项目金额（万元） {printed}")
    (form,) = read_text(text, "a.txt")
    assert (form.project_name, form.project_amount) == ("数据规划管理", yuan)


def test_text_unit_line_in_wanyuan():
    """A line "单位：万元" under the title: the table's amounts, 项目金额 among them, are in 万元."""
    text = sample_form_text(2).replace("项目金额 35181000", "项目金额 3518.1")
    text = text.replace("项目支出绩效自评表\n", "项目支出绩效自评表\n单位：万元\n", 1)
    (form,) = read_text(text, "a.txt")
    assert form.project_amount == 35181000.0


def xlsx_with_amount(tmp_path: Path, label: str, printed: str, unit_line: str | None = None) -> Path:
    path = office_factory.xlsx_workbook([SEED[1]], tmp_path / "a.xlsx")
    book = load_workbook(path)
    sheet = book.worksheets[0]
    cells_by_text = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    label_cell = cells_by_text["项目金额"]
    label_cell.value = label
    value_cell = next(
        cell for cell in sheet[label_cell.row] if cell.column > label_cell.column and cell.value is not None
    )
    value_cell.value = printed
    if unit_line is not None:
        sheet.insert_rows(2)  # under the title, as forms print it
        sheet.cell(row=2, column=1, value=unit_line)
    book.save(path)
    return path


@pytest.mark.parametrize(("printed", "yuan"), CASES)
def test_xlsx_label_in_wanyuan(tmp_path, printed, yuan):
    (form,) = parse_file(xlsx_with_amount(tmp_path, "项目金额（万元）", printed), "a.xlsx").forms
    assert (form.project_name, form.project_amount) == ("数据规划管理", yuan)


def test_xlsx_unit_line_in_wanyuan(tmp_path):
    path = xlsx_with_amount(tmp_path, "项目金额", "3518.1", unit_line="金额单位：万元")
    (form,) = parse_file(path, "a.xlsx").forms
    assert form.project_amount == 35181000.0


@pytest.mark.parametrize(("printed", "yuan"), CASES)
def test_docx_label_in_wanyuan(tmp_path, printed, yuan):
    path = office_factory.docx_document([SEED[1]], tmp_path / "a.docx")
    document = docx.Document(str(path))
    row = document.tables[0].rows[0]
    seen = []
    for cell in row.cells:  # merged cells repeat: the label, then the first cell after it
        if cell._tc in seen:
            continue
        seen.append(cell._tc)
        if cell.text == "项目金额":
            cell.text = "项目金额（万元）"
            label = cell._tc
    value = next(cell for cell in row.cells if cell._tc not in seen[: seen.index(label) + 1])
    value.text = printed
    document.save(str(path))
    (form,) = parse_file(path, "a.docx").forms
    assert (form.project_name, form.project_amount) == ("数据规划管理", yuan)


def test_one_conversion_for_funds_and_project_amount():
    """项目金额 and fund amounts in 万元 go through the same `cells.read_amount`."""
    assert cells.read_amount("3518.12345", "万元").value == 35181234.5
    assert cells.project_amount_unit("项目金额（万元）", None) == "万元"
    assert cells.project_amount_unit("项目金额", "万元") == "万元"
    assert cells.project_amount_unit("项目金额(元)", "万元") == "元"  # the label wins over the unit line
    assert cells.project_amount_unit("项目金额", None) == "元"


# ---------------------------------------------------------------- migrate


def make_v5_file(path: Path) -> None:
    """A version-5 file as the last release wrote it: four forms, two of them with 项目金额 stored in 万元."""
    con = connect.open_db(path)
    con.close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.execute(
        "INSERT INTO import_batches (file_name, sha256, imported_at, outcome, form_count) "
        "VALUES ('旧.pdf', 'aa', now(), 'imported', 4)"
    )
    # (form id, 项目金额 as stored, 全年预算数 of 年度资金总额 in 元): by hand from the sample's forms
    forms = [
        ("wan-1", "3518.1", 10390000),  # 数据规划管理 printed 项目金额（万元） 3518.1
        ("wan-2", "11.88", 39600),  # 购置费 printed 11.88 万元
        ("yuan-1", "118800", 39600),  # 购置费 printed in 元: stays
        ("zero-1", "200000", 0),  # 预算准备金: no budget, 项目金额 in 元: stays
    ]
    for position, (form_id, amount, budget) in enumerate(forms, start=1):
        con.execute(
            "INSERT INTO forms (form_id, batch_id, position, source_file, project_name, project_type, unit_printed, "
            "project_amount) VALUES (?, 1, ?, '旧.pdf', '项目', '项目', '万元', ?)",
            [form_id, position, amount],
        )
        con.execute(
            "INSERT INTO fund_rows VALUES (?, 'total', 1, ?, ?, ?, 10, 90, 9)", [form_id, budget, budget, budget * 0.9]
        )
    con.close()


def test_migrate_stores_old_wanyuan_project_amounts_in_yuan(tmp_path):
    path = tmp_path / "v5.duckdb"
    make_v5_file(path)
    con = connect.open_db(path)  # what `python -m dashboard migrate` does
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
        rows = con.execute("SELECT form_id, CAST(project_amount AS DOUBLE) FROM forms ORDER BY position").fetchall()
    finally:
        con.close()
    assert rows == [("wan-1", 35181000.0), ("wan-2", 118800.0), ("yuan-1", 118800.0), ("zero-1", 200000.0)]
