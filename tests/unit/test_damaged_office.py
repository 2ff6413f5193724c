"""Damaged Excel and Word files are read whole or named as damaged, never read in part (issue 24, point 3).

Each case damages a copy of a real workbook or document made by tests/office_factory.py from the seed
truth (forms 1 and 2: 预算准备金, 数据规划管理), the way a bad disk or a broken download does: a part left out
of the zip, a part's bytes flipped, the file cut short, a part's XML broken.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from dashboard.core import texts
from dashboard.core.model import FormReadError
from dashboard.importing import importer
from dashboard.ingest.files import SafeReader, parse_file
from dashboard.store import connect
from tests import office_factory
from tests.seed_truth import seed_records

SEED = seed_records()
EXCEL = texts.REASON_OFFICE_DAMAGED.format(kind="Excel")
WORD = texts.REASON_OFFICE_DAMAGED.format(kind="Word")


def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the zip package `source` whose parts go through `change(name, data)` (None leaves it out)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
    return target


def two_sheet_book(tmp_path: Path) -> Path:
    return office_factory.xlsx_workbook(SEED[:2], tmp_path / "two.xlsx")


def reason_of(path: Path) -> FormReadError:
    with pytest.raises(FormReadError) as raised:
        parse_file(path, path.name)
    return raised.value


def test_undamaged_two_sheet_book_reads_both_forms(tmp_path):
    forms = parse_file(two_sheet_book(tmp_path), "two.xlsx").forms
    assert [form.project_name for form in forms] == ["预算准备金", "数据规划管理"]


def test_missing_second_sheet_names_the_file_damaged(tmp_path, capfd):
    def drop_sheet2(name, data):
        return None if name == "xl/worksheets/sheet2.xml" else data

    damaged = rewrite(two_sheet_book(tmp_path), tmp_path / "damaged.xlsx", drop_sheet2)
    error = reason_of(damaged)
    assert error.reason == EXCEL
    assert error.detail == "工作簿列出的第 2 张工作表“表2”缺失"
    assert capfd.readouterr().err == ""  # no openpyxl warning instead of a finding


def test_missing_sheet_fails_the_import_of_that_file(tmp_path):
    """Through the real import: the file is an error (not "导入 1 张表"), nothing of it is stored."""

    def drop_sheet2(name, data):
        return None if name == "xl/worksheets/sheet2.xml" else data

    damaged = rewrite(two_sheet_book(tmp_path), tmp_path / "damaged.xlsx", drop_sheet2)
    con = connect.open_db(tmp_path / "db.duckdb")
    try:
        with SafeReader(workers=1) as reader:
            files = [(damaged, damaged.name)]
            (outcome,) = importer.import_files(con, files, importer.ImportOptions(year=2021), reader=reader)
        assert (outcome.outcome, outcome.form_count, outcome.ok) == ("error", 0, False)
        assert EXCEL in outcome.message and "表2" in outcome.message
        assert con.execute("SELECT count(*) FROM forms").fetchone()[0] == 0
    finally:
        con.close()


@pytest.mark.parametrize(
    ("part", "suffix", "reason"),
    [
        ("xl/worksheets/sheet1.xml", ".xlsx", EXCEL),
        ("xl/styles.xml", ".xlsx", EXCEL),
        ("xl/workbook.xml", ".xlsx", EXCEL),
        ("word/document.xml", ".docx", WORD),
    ],
)
def test_broken_xml_in_a_part_is_damage_not_an_internal_error(tmp_path, part, suffix, reason):
    if suffix == ".xlsx":
        source = two_sheet_book(tmp_path)
    else:
        source = office_factory.docx_document(SEED[:2], tmp_path / "two.docx")

    def cut_xml(name, data):
        return data[: len(data) // 2] if name == part else data

    damaged = rewrite(source, tmp_path / f"damaged{suffix}", cut_xml)
    error = reason_of(damaged)
    assert error.reason == reason
    assert error.detail == texts.OFFICE_CONTENT_UNREADABLE
    assert "Error" not in str(error) and "lxml" not in str(error)  # no exception text for people


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_flipped_bytes_and_cut_files_are_damaged(tmp_path, suffix):
    if suffix == ".xlsx":
        source, reason = two_sheet_book(tmp_path), EXCEL
    else:
        source, reason = office_factory.docx_document(SEED[:2], tmp_path / "two.docx"), WORD
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:  # flip bytes in the middle of the largest part's compressed data
        info = max(archive.infolist(), key=lambda item: item.compress_size)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(3):
        data[start + info.compress_size // 2 + offset] ^= 0xFF
    flipped = tmp_path / f"flipped{suffix}"
    flipped.write_bytes(bytes(data))
    error = reason_of(flipped)
    assert error.reason == reason
    assert error.detail in (texts.OFFICE_PART_DAMAGED.format(part=info.filename), texts.OFFICE_NOT_A_PACKAGE)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(source.read_bytes()[: source.stat().st_size * 2 // 3])
    assert reason_of(cut).reason == reason
