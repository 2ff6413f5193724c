"""Excel and Word 自评表 read exactly: every header field, fund row, indicator and reason as the truth says.

The truth is tests/fixtures/seed_forms.json (written by hand against the sample text); the files are made
from it by tests/office_factory.py in layouts of their own, and read back by the real import path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core import texts
from dashboard.core.model import FormReadError
from dashboard.importing import importer
from dashboard.ingest.files import parse_file, precheck
from dashboard.store import connect, reads
from tests import office_factory
from tests.seed_truth import record_differences, seed_records

TRUTH = seed_records()
YEAR = 2021


def truth_with_year() -> list[dict]:
    """The seed truth printed with its year in the title (2021年度项目支出绩效自评表)."""
    return [record | {"year": YEAR} for record in TRUTH]


def read(path: Path) -> list:
    return parse_file(path, path.name).forms


@pytest.mark.parametrize(("numbers", "one_sheet"), [(False, False), (True, False), (True, True)])
def test_xlsx_reads_every_form_exactly(tmp_path, numbers, one_sheet):
    records = truth_with_year()
    path = office_factory.xlsx_workbook(records, tmp_path / "自评表.xlsx", numbers=numbers, one_sheet=one_sheet)
    forms = read(path)
    assert len(forms) == len(records)
    for form, want in zip(forms, records, strict=True):
        assert record_differences(form.to_record(), want) == [], want["project_name"]
    pages = [form.source_pages for form in forms]
    assert pages == ([[1]] * 22 if one_sheet else [[n] for n in range(1, 23)])  # the sheet a form is on


def test_docx_reads_every_form_exactly(tmp_path):
    records = truth_with_year()
    forms = read(office_factory.docx_document(records, tmp_path / "自评表.docx"))
    assert len(forms) == len(records)
    for form, want in zip(forms, records, strict=True):
        assert record_differences(form.to_record(), want) == [], want["project_name"]


def test_office_files_import_with_versions_like_any_other(tmp_path):
    """The .xlsx of the seed replaces the text's forms: same forms, new versions, nothing counted twice."""
    workbook = office_factory.xlsx_workbook(truth_with_year(), tmp_path / "自评表.xlsx", numbers=True)
    con = connect.open_db(tmp_path / "f.duckdb")
    try:
        seed = Path(__file__).resolve().parents[2] / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"
        files = [(seed, seed.name), (workbook, workbook.name)]
        outcomes = importer.import_files(con, files, importer.ImportOptions(year=YEAR))
        assert [o.placed.get("replaced") for o in outcomes] == [0, 22]
        assert len(reads.load_forms(con, versions="counted")) == 22
    finally:
        con.close()


def test_legacy_and_damaged_office_files_say_what_to_do(tmp_path):
    for suffix in (".xls", ".doc", ".et", ".wps"):  # half an OLE signature and zeros: no Office file at all
        old = tmp_path / f"旧{suffix}"
        old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
        assert precheck(old) is None
        with pytest.raises(FormReadError) as raised:
            parse_file(old, old.name)
        assert raised.value.reason == texts.REASON_NOT_OFFICE.format(suffix=suffix)
    for suffix, kind in ((".xlsx", "Excel"), (".docx", "Word")):
        fake = tmp_path / f"假{suffix}"
        fake.write_bytes(b"not a zip file at all")
        with pytest.raises(FormReadError) as raised:
            parse_file(fake, fake.name)
        assert raised.value.reason == texts.REASON_OFFICE_DAMAGED.format(kind=kind)
    empty_book = tmp_path / "无表.xlsx"
    office_factory.Workbook().save(empty_book)
    with pytest.raises(FormReadError) as raised:
        parse_file(empty_book, empty_book.name)
    assert raised.value.reason == texts.REASON_NOT_A_FORM


def _rewrite_part(path: Path, member: str, change) -> Path:
    """The Word package at `path` with one part's bytes passed through `change`."""
    import zipfile

    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def test_docx_with_entities_or_not_word_is_damaged(tmp_path):
    """The body is streamed with lxml (not python-docx): a DOCTYPE (entity expansion, external entities), a
    truncated body and a workbook renamed .docx are each a damaged Word file, never read or expanded."""
    damaged = texts.REASON_OFFICE_DAMAGED.format(kind="Word")
    bomb = b'<!DOCTYPE w:document [<!ENTITY a "' + b"x" * 1000 + b'"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    external = b'<!DOCTYPE w:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>'

    def with_doctype(doctype: bytes, entity: bytes):
        def change(xml: bytes) -> bytes:
            declaration, rest = xml.split(b"?>", 1)
            return declaration + b"?>" + doctype + rest.replace("项目名称".encode(), entity, 1)

        return change

    cases = {
        "bomb": ("word/document.xml", with_doctype(bomb, b"&b;")),
        "external": ("word/document.xml", with_doctype(external, b"&e;")),
        "truncated": ("word/document.xml", lambda xml: xml[: len(xml) // 2]),
    }
    for name, (member, change) in cases.items():
        path = office_factory.docx_document(truth_with_year()[:2], tmp_path / f"{name}.docx")
        with pytest.raises(FormReadError) as raised:
            parse_file(_rewrite_part(path, member, change), path.name)
        assert raised.value.reason == damaged, name
    renamed = tmp_path / "表格.docx"
    office_factory.xlsx_workbook(truth_with_year()[:1], tmp_path / "表格.xlsx").rename(renamed)
    with pytest.raises(FormReadError) as raised:
        parse_file(renamed, renamed.name)
    assert raised.value.reason == damaged
