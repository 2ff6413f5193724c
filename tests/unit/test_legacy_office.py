"""Old Office and WPS files read exactly, recognised by their content: .xls/.et (xlrd), XML Spreadsheet 2003 and
HTML saved as ".xls", .xlsx/.docx under old names, .doc/.wps converted by LibreOffice; and what goes wrong.

The truth is tests/fixtures/seed_forms.json (written by hand). tests/fixtures/libreoffice/seed_forms.xls is the
workbook of tests/office_factory.py (numbers typed, percents formatted) saved as Excel 97 by LibreOffice 7.4;
the .doc files are made by LibreOffice at test time from office_factory's Word document.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from dashboard.core import texts
from dashboard.core.model import FormReadError
from dashboard.importing import importer
from dashboard.ingest import libreoffice
from dashboard.ingest.files import parse_file
from dashboard.store import connect, reads
from tests import layout_factory, office_factory, web_factory
from tests.seed_truth import record_differences, seed_records

TRUTH = [record | {"year": 2021} for record in seed_records()]
SEED_XLS = Path(__file__).resolve().parents[1] / "fixtures" / "libreoffice" / "seed_forms.xls"


def read(path: Path) -> list:
    return parse_file(path, path.name).forms


def assert_exact(forms, records=TRUTH) -> None:
    assert len(forms) == len(records)
    for form, want in zip(forms, records, strict=True):
        assert record_differences(form.to_record(), want) == [], want["project_name"]


@pytest.mark.parametrize("suffix", [".xls", ".et", ".XLS"])
def test_xls_and_et_read_exactly(tmp_path, suffix):
    path = Path(shutil.copy(SEED_XLS, tmp_path / f"自评表{suffix}"))
    forms = read(path)
    assert_exact(forms)
    assert [form.source_pages for form in forms] == [[n] for n in range(1, 23)]  # the sheet a form is on


@pytest.mark.libreoffice
def test_xls_made_now_with_forms_down_one_sheet(tmp_path):
    workbook = office_factory.xlsx_workbook(TRUTH, tmp_path / "one.xlsx", numbers=True, one_sheet=True)
    assert_exact(read(layout_factory.save_libreoffice(workbook, "xls")))


def test_report_system_exports_named_xls(tmp_path):
    """XML Spreadsheet 2003 and an HTML page, both saved as ".xls" (and ".et"), are read as what they are."""
    xml = tmp_path / "导出.xls"
    xml.write_bytes(web_factory.xml_spreadsheet(TRUTH))
    assert_exact(read(xml))
    page = tmp_path / "导出.et"
    page.write_bytes(web_factory.cms_page(TRUTH).encode("gbk"))
    assert_exact(read(page))


def test_new_formats_under_old_names(tmp_path):
    """An .xlsx saved as .xls and a .docx saved as .doc/.wps are read as the packages they are."""
    workbook = office_factory.xlsx_workbook(TRUTH[:3], tmp_path / "a.xlsx", numbers=True)
    assert_exact(read(workbook.rename(tmp_path / "a.xls")), TRUTH[:3])
    document = office_factory.docx_document(TRUTH[:3], tmp_path / "b.docx")
    assert_exact(read(Path(shutil.copy(document, tmp_path / "b.wps"))), TRUTH[:3])
    assert_exact(read(document.rename(tmp_path / "b.doc")), TRUTH[:3])


def test_xml_spreadsheet_cells_and_damage(tmp_path):
    """Merges, ss:Index and a Percent style as the grid gets them; a DOCTYPE (entities) is damage, never expanded."""
    from dashboard.ingest.legacy import xml_spreadsheet_grids

    ns = 'xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'
    book = (
        f'<?xml version="1.0"?><Workbook {ns}><Styles><Style ss:ID="p"><NumberFormat ss:Format="Percent"/></Style>'
        "</Styles><Worksheet ss:Name='a'><Table>"
        '<Row><Cell ss:MergeAcross="1" ss:MergeDown="1"><Data ss:Type="String">甲</Data></Cell>'
        '<Cell><Data ss:Type="Number">1200.50</Data></Cell></Row>'
        '<Row><Cell ss:Index="3" ss:StyleID="p"><Data ss:Type="Number">0.9637</Data></Cell></Row>'
        '<Row ss:Index="4"><Cell ss:Index="2"><Data ss:Type="String">第一行&#10;第二行</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>"
    )
    assert xml_spreadsheet_grids(book.encode()) == [
        [["甲", None, "1200.5"], [None, None, "96.37%"], ["", "", ""], ["", "第一行\n第二行", ""]]
    ]
    secret = tmp_path / "secret.txt"
    secret.write_text("机密")
    entity = f'<?xml version="1.0"?><!DOCTYPE Workbook [<!ENTITY e SYSTEM "{secret.as_uri()}">]>' + book.split("?>", 1)[
        1
    ].replace("甲", "&e;")
    path = tmp_path / "实体.xls"
    path.write_text(entity, encoding="utf-8")
    with pytest.raises(FormReadError) as raised:
        parse_file(path, path.name)
    assert raised.value.reason == texts.REASON_XML_SHEET_DAMAGED


@pytest.fixture(scope="module")
def seed_doc(tmp_path_factory) -> Path:
    """office_factory's Word document of the 22 forms, saved as Word 97 (.doc) by LibreOffice."""
    folder = tmp_path_factory.mktemp("doc")
    return layout_factory.save_libreoffice(office_factory.docx_document(TRUTH, folder / "seed.docx"), "doc")


@pytest.mark.libreoffice
@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_doc_and_wps_read_exactly(seed_doc, tmp_path, suffix):
    path = Path(shutil.copy(seed_doc, tmp_path / f"自评表{suffix}"))
    started = time.monotonic()
    forms = read(path)
    print(f"{suffix}: {time.monotonic() - started:.1f} s to convert and read 22 forms")
    assert_exact(forms)


@pytest.mark.libreoffice
def test_a_conversion_over_its_time_limit_is_killed(seed_doc, tmp_path, monkeypatch):
    """A conversion that overruns its limit is ended with LibreOffice's whole process group; nothing is left."""
    monkeypatch.setenv(libreoffice.TIMEOUT_ENV, "0.3")
    path = Path(shutil.copy(seed_doc, tmp_path / "慢.doc"))
    with pytest.raises(FormReadError) as raised:
        parse_file(path, path.name)
    assert raised.value.reason == texts.REASON_CONVERT_TIMEOUT.format(suffix=".doc", seconds="0.3")
    time.sleep(0.5)
    assert _soffice_processes() == []


def _soffice_processes() -> list[str]:
    """Command lines of running processes converting in one of the reader's private folders."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "jixiao-soffice-" in command:
            found.append(command)
    return found


def test_without_libreoffice_the_line_says_how_to_install_it(tmp_path, monkeypatch):
    """PATH without soffice: the .doc says LibreOffice is needed and how to install it; the .xls and the page in
    the same import are stored (the worker processes are started with this PATH)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    doc = tmp_path / "旧.doc"
    doc.write_bytes(b"{\\rtf1\\ansi 2021\\par}")  # RTF saved as .doc: converted by LibreOffice too
    xls = Path(shutil.copy(SEED_XLS, tmp_path / "表.xls"))
    con = connect.open_db(tmp_path / "f.duckdb")
    try:
        outcomes = importer.import_files(con, [(doc, doc.name), (xls, xls.name)])
        count = len(reads.load_forms(con))
    finally:
        con.close()
    assert [o.outcome for o in outcomes] == ["error", "imported"]
    assert texts.REASON_NO_LIBREOFFICE.format(suffix=".doc") in outcomes[0].message
    assert "apt install libreoffice-writer-nogui libreoffice-calc-nogui" in outcomes[0].message
    assert count == 22


@pytest.mark.libreoffice
def test_import_goes_on_past_a_hanging_conversion(seed_doc, tmp_path, monkeypatch):
    """Through the worker pool: the .doc over its limit gets its line, the next file is stored, nothing of the
    .doc is."""
    monkeypatch.setenv(libreoffice.TIMEOUT_ENV, "0.3")
    doc = Path(shutil.copy(seed_doc, tmp_path / "慢.doc"))
    page = tmp_path / "页.html"
    page.write_bytes(web_factory.cms_page(TRUTH[:2]).encode("gbk"))
    con = connect.open_db(tmp_path / "f.duckdb")
    try:
        outcomes = importer.import_files(con, [(doc, doc.name), (page, page.name)])
        names = [form.project_name for form in reads.load_forms(con)]
    finally:
        con.close()
    assert [o.outcome for o in outcomes] == ["error", "imported"]
    assert texts.REASON_CONVERT_TIMEOUT.format(suffix=".doc", seconds="0.3") in outcomes[0].message
    assert sorted(names) == sorted(record["project_name"] for record in TRUTH[:2])


def test_damaged_and_foreign_files(tmp_path):
    """Compound files whose directory is damaged and text named .xls: each says why, before any conversion."""
    cases = {
        "坏.doc": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000,
            (texts.REASON_OFFICE_DAMAGED.format(kind="Word"),),
        ),
        "文本.xls": ("项目名称\t某项目\n".encode(), (texts.REASON_NOT_OFFICE.format(suffix=".xls"),)),
        "坏.xls": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000,
            (texts.REASON_XLS_DAMAGED.format(suffix=".xls"),),
        ),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(FormReadError) as raised:
            parse_file(path, name)
        assert raised.value.reason in reason, name


def test_a_macro_workbook_is_read_for_its_cells_and_says_so(tmp_path):
    """A workbook carrying a VBA project (tests/compound_factory: the fixture's Workbook stream beside a
    _VBA_PROJECT_CUR storage, as Excel saves a macro workbook): its cells are read exactly, nothing runs, and the
    file's line says the macros were not run."""
    import io

    from xlrd.compdoc import CompDoc

    from tests.compound_factory import compound_file

    workbook = CompDoc(SEED_XLS.read_bytes(), logfile=io.StringIO()).get_named_stream("Workbook")
    macro = b'Attribute VB_Name = "ThisWorkbook"\r\nSub Workbook_Open()\r\n    Shell "rm -rf ~"\r\nEnd Sub\r\n'
    path = tmp_path / "宏.xls"
    path.write_bytes(
        compound_file(
            {
                "Workbook": workbook,
                "_VBA_PROJECT_CUR/PROJECT": b'Name="VBAProject"\r\nDocument=ThisWorkbook/&H00000000\r\n',
                "_VBA_PROJECT_CUR/VBA/ThisWorkbook": macro,
            }
        )
    )
    result = parse_file(path, path.name)
    assert_exact(result.forms)
    assert result.notes == [texts.NOTE_MACROS_NOT_RUN]
    con = connect.open_db(tmp_path / "f.duckdb")
    try:
        (outcome,) = importer.import_files(con, [(path, path.name)])
    finally:
        con.close()
    assert outcome.outcome == "imported"
    assert texts.NOTE_MACROS_NOT_RUN in outcome.message
    assert parse_file(SEED_XLS, SEED_XLS.name).notes == []  # the same cells without the VBA project: no note


@pytest.mark.libreoffice
def test_a_worker_ended_mid_conversion_ends_libreoffice(seed_doc):
    """The pool's own time limit ends the worker (SIGTERM) while LibreOffice converts: LibreOffice's process group
    goes with it (without the worker's handler it would run on, converting for nobody)."""
    from dashboard.ingest.files import SafeReader

    with SafeReader(timeout=1.5) as reader:
        (result,) = reader.read_all([(seed_doc, "慢.doc")])
    assert result.error == texts.REASON_TIMEOUT.format(seconds=1.5)
    deadline = time.monotonic() + 3
    while _soffice_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _soffice_processes() == []
