"""A second program opens what the dashboard writes: LibreOffice prints the report and the form workbook.

The form workbook printed to PDF is read back by the PDF reader as the same form: it prints as the form.
LibreOffice comes from Debian's packages (.ci/run installs it).
"""

from __future__ import annotations

import pdfplumber
import pytest

from dashboard.ingest.pdf import read_pdf
from dashboard.outputs import form_sheet
from tests import layout_factory
from tests.seed_truth import record_differences, seed_records

pytestmark = pytest.mark.libreoffice

TRUTH = seed_records()


def test_the_form_workbook_prints_as_the_form(tmp_path):
    records = [TRUTH[17] | {"year": 2021}, TRUTH[1] | {"year": 2021}]  # 购置费; 数据规划管理 crosses a page
    workbook = tmp_path / "自评表.xlsx"
    workbook.write_bytes(form_sheet.workbook_bytes(records))
    pdf = layout_factory.print_libreoffice(workbook)
    with pdfplumber.open(pdf) as printed:
        assert all(page.width < page.height for page in printed.pages)  # A4 portrait
        assert abs(printed.pages[0].width - 595) < 2
    forms = read_pdf(pdf, pdf.name)
    assert len(forms) == 2
    for form, want in zip(forms, records, strict=True):
        assert record_differences(form.to_record(), want) == [], want["project_name"]


def test_the_report_opens_in_libreoffice(tmp_path):
    from dashboard.outputs import report
    from dashboard.queries.filters import Filters
    from dashboard.store import connect
    from tests.conftest import build_sample_db

    db = tmp_path / "f.duckdb"
    build_sample_db(db)
    con = connect.open_db(db, read_only=True)
    try:
        data = report.build_report(con, Filters())
    finally:
        con.close()
    document = tmp_path / "报告.docx"
    document.write_bytes(data)
    pdf = layout_factory.print_libreoffice(document)
    with pdfplumber.open(pdf) as printed:
        text = "\n".join(page.extract_text() or "" for page in printed.pages)
        pages = len(printed.pages)
    assert "绩效自评结果汇总报告" in text and "一、要点" in text and "二、主要数字" in text
    assert "98.36%" in text  # the overall 执行率 of the sample, as 总览 shows it
    assert f"第 {pages} 页 共 {pages} 页" in text  # the footer's PAGE and NUMPAGES fields, filled in by LibreOffice
