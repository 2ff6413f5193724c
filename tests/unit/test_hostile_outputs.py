"""Hostile characters in form text, on a real database, through every output (issue 24, point 2).

A project name holding BEL, ESC (an OSC 8 terminal link), NUL, VT, a right-to-left override, DEL and a C1
control, and one starting with a fullwidth "＝", are imported by the real text reader. The database keeps
them as printed; every output opens in the library that reads it and shows the visible escapes
(untrusted.visible_text), with no formula cell and no raw control character on the terminal.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from docx import Document
from openpyxl import load_workbook

from dashboard.audit import spot_check
from dashboard.importing import importer
from dashboard.outputs import downloads, report, spot_sheet
from dashboard.queries import queries
from dashboard.queries.filters import Filters
from dashboard.store import connect, reads
from tests.cli_runner import run_cli
from tests.payloads import CONTROL_NAME, CONTROL_NAME_SHOWN, FULLWIDTH_FORMULA_NAME, payload_dump

ROOT = Path(__file__).resolve().parents[2]
# Written out here, not taken from untrusted.py: C0 controls but tab/LF/CR, DEL, C1, bidi formatting characters.
UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    files = []
    for number, name in enumerate((CONTROL_NAME, FULLWIDTH_FORMULA_NAME), start=1):
        path = folder / f"hostile{number}.txt"
        path.write_text(payload_dump(name), encoding="utf-8")
        files.append((path, path.name))
    db_file = folder / "forms.duckdb"
    con = connect.open_db(db_file)
    try:
        outcomes = importer.import_files(con, files, importer.ImportOptions(year=2021))
    finally:
        con.close()
    assert [outcome.form_count for outcome in outcomes] == [1, 1], outcomes
    return db_file


def raw_controls(text: str) -> list[str]:
    """Control and format characters in printed text, but the lines' own newline and tab."""
    return [char for char in text if unicodedata.category(char).startswith("C") and char not in "\n\t"]


def test_database_keeps_the_text_as_printed(hostile_db):
    con = connect.open_db(hostile_db, read_only=True)
    try:
        names = {row[0] for row in con.execute("SELECT project_name FROM forms").fetchall()}
    finally:
        con.close()
    assert names == {CONTROL_NAME, FULLWIDTH_FORMULA_NAME}


def test_json_export_carries_the_exact_text_escaped(hostile_db, tmp_path):
    out = tmp_path / "forms.json"
    result = run_cli("export", "--db", str(hostile_db), "--format", "json", "--output", str(out), text=False)
    assert result.returncode == 0, result.stderr
    text = out.read_bytes().decode("utf-8")
    assert not UNCARRIABLE.search(text)  # no raw control or bidi character in the file
    assert "\\u001b]8;;" in text and "\\u202egpj.exe" in text and "\\u007f\\u0085尾" in text
    assert {form["project_name"] for form in json.loads(text)} == {CONTROL_NAME, FULLWIDTH_FORMULA_NAME}


def test_csv_export_shows_escapes_and_guards_fullwidth_formulas(hostile_db, tmp_path):
    out = tmp_path / "forms.csv"
    result = run_cli("export", "--db", str(hostile_db), "--format", "csv", "--output", str(out), text=False)
    assert result.returncode == 0, result.stderr
    text = out.read_bytes().decode("utf-8-sig")
    assert not UNCARRIABLE.search(text)
    names = {row["项目名称"] for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert names == {CONTROL_NAME_SHOWN, "'" + FULLWIDTH_FORMULA_NAME}


def test_parquet_export_has_the_csv_cell_rule(hostile_db, tmp_path):
    out = tmp_path / "forms.parquet"
    result = run_cli("export", "--db", str(hostile_db), "--format", "parquet", "--output", str(out), text=False)
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    assert set(table.column("project_name").to_pylist()) == {CONTROL_NAME_SHOWN, "'" + FULLWIDTH_FORMULA_NAME}
    texts = [value for column in table.columns if str(column.type) == "string" for value in column.to_pylist()]
    assert not any(UNCARRIABLE.search(value) for value in texts if value)
    assert not any(value.startswith(("=", "＝", "+", "@")) for value in texts if value)


def _workbook_values(data: bytes) -> list:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sum(archive.read(name).count(b"<f>") for name in names) == 0  # no formula cell
    book = load_workbook(io.BytesIO(data))
    return [cell.value for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_page_and_form_workbooks_open_and_show_the_escapes(hostile_db):
    con = connect.open_db(hostile_db, read_only=True)
    try:
        table = queries.form_overview(con, Filters())
        forms = reads.load_forms(con)
    finally:
        con.close()
    shown = {CONTROL_NAME: CONTROL_NAME_SHOWN, FULLWIDTH_FORMULA_NAME: "'" + FULLWIDTH_FORMULA_NAME}
    downloads_made = [(downloads.to_xlsx_bytes(table), list(shown.values()))]
    downloads_made.append((downloads.forms_as_printed_bytes(forms), list(shown.values())))
    downloads_made += [(downloads.form_workbook_bytes(form), [shown[form.project_name]]) for form in forms]
    for data, names in downloads_made:
        values = [value for value in _workbook_values(data) if isinstance(value, str)]
        for name in names:  # a name starting with "＝" is a cell's start; the escaped one may sit in a longer cell
            assert any(value.startswith(name) if name.startswith("'") else name in value for value in values)
        assert not any(UNCARRIABLE.search(value) for value in values)
        assert not any(value.startswith(("=", "＝")) for value in values)
    sheet_titles = load_workbook(io.BytesIO(downloads_made[1][0])).sheetnames
    assert sheet_titles[0].startswith("1 预算_x07准备_x1b")  # named after the form (a backslash is not allowed)


def test_word_report_opens_and_shows_the_escapes(hostile_db, tmp_path):
    out = tmp_path / "report.docx"
    result = run_cli("report", "--db", str(hostile_db), "--output", str(out), text=False)
    assert result.returncode == 0, result.stderr
    con = connect.open_db(hostile_db, read_only=True)
    try:
        assert report.build_report(con, Filters())[:2] == b"PK"  # the 下载汇总报告 button's bytes too
    finally:
        con.close()
    document = Document(str(out))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    assert CONTROL_NAME_SHOWN in text
    assert not UNCARRIABLE.search(text)


def test_command_line_prints_no_raw_control_character(hostile_db, tmp_path):
    hostile_file = tmp_path / "名单\x1b[2J\u202etxt.exe.txt"
    hostile_file.write_text(payload_dump("另一个\x1b]0;title\x07项目"), encoding="utf-8")
    printed = []
    for args in (
        ("import", "--db", str(hostile_db), "--year", "2021", str(hostile_file)),
        ("batches", "--db", str(hostile_db)),
        ("reference", "types", "--db", str(hostile_db)),
        ("report", "--db", str(hostile_db), "--department", "没有这个部门", "--output", str(tmp_path / "r.docx")),
        ("export", "--db", str(tmp_path / "无\x1b]0;pwned\x07库.duckdb"), "--format", "json"),  # an error naming it
    ):
        result = run_cli(*args, text=False)
        printed.append(result.stdout.decode("utf-8") + result.stderr.decode("utf-8"))
    everything = "\n".join(printed)
    assert raw_controls(everything) == []
    assert "名单\\x1b[2J\\u202etxt.exe.txt" in printed[0]  # the file name, made visible
    assert "预算\\x07准备\\x1b]8;;" in printed[2]  # the unclassified project's name
    assert "无\\x1b]0;pwned\\x07库.duckdb" in printed[4]
    assert "Traceback" not in everything


def test_exported_rules_read_back_whole(hostile_db, tmp_path):
    from dashboard.reference import project_types

    rule = project_types.Rule("购置\u202e类\x7f", "采购\x1b[0m")
    con = connect.open_db(hostile_db)
    try:
        project_types.save_rules(con, [rule])
    finally:
        con.close()
    out = tmp_path / "rules.toml"
    to_file = run_cli("reference", "export-rules", str(out), "--db", str(hostile_db), text=False)
    to_stdout = run_cli("reference", "export-rules", "--db", str(hostile_db), text=False)
    assert to_file.returncode == 0 and to_stdout.returncode == 0, to_file.stderr + to_stdout.stderr
    assert to_stdout.stdout == out.read_bytes()  # the same bytes on the terminal as in the file
    assert not UNCARRIABLE.search(out.read_text(encoding="utf-8"))
    assert project_types.rules_from_toml(out.read_text(encoding="utf-8")) == [rule]


def test_spot_check_worksheet_shows_the_escapes_and_reads_back(hostile_db, tmp_path):
    db_file = tmp_path / "forms.duckdb"
    shutil.copy(hostile_db, db_file)
    con = connect.open_db(db_file)
    try:
        # Every form in scope: an earlier test of this module imports a third form, which a sample of two may
        # take instead of the full-width formula's.
        spot_check.create_plan(con, "抽查", spot_check.Scope(), share=1.0, seed=1, by="甲")
        data = spot_sheet.workbook_bytes(con, "抽查")
        values = [value for value in _workbook_values(data) if isinstance(value, str)]
        assert any(CONTROL_NAME_SHOWN in value for value in values)
        assert "'" + FULLWIDTH_FORMULA_NAME in values
        assert not any(UNCARRIABLE.search(value) for value in values)
        assert not any(value.startswith(("=", "＝")) for value in values)
        assert spot_sheet.read_workbook(con, data)[1] == []  # read back untouched: nothing entered, nothing saved
    finally:
        con.close()
