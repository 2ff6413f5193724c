"""A person confirms or corrects the held cells of a form read by OCR (importing/ocr_confirm.py): the form is read
again with the corrected texts, counts from then on, and who confirmed what, and when, is stored.

The held form is a real scan (tests/conftest.py build_held_scan_db: seed form 1 at 150 dpi) read by the real OCR
reader into a real DuckDB file; its truth is the hand-written tests/fixtures/seed_forms.json.
"""

from __future__ import annotations

import shutil

import pytest

from dashboard.core import domain
from dashboard.importing import importer, ocr_confirm
from dashboard.reference import shown
from dashboard.store import connect, reads, writes
from dashboard.store.schema import StoreError
from tests.seed_truth import seed_records

TRUTH = seed_records()[0]  # seed form 1: 预算准备金


@pytest.fixture
def con(held_scan_db, tmp_path):
    path = tmp_path / "forms.duckdb"
    shutil.copy(held_scan_db, path)
    con = connect.open_db(path)
    yield con
    con.close()


def held_id(con) -> str:
    (form_id,) = ocr_confirm.held_forms(con)["form_id"]
    return form_id


def test_the_held_form_is_listed_with_its_unsure_cells_and_their_images(con):
    form_id = held_id(con)
    reasons = ocr_confirm.hold_reasons(con, form_id)
    cells = ocr_confirm.cells_to_check(con, form_id)
    unsure = [cell for cell in cells if cell.unsure]
    assert unsure and all(cell.confidence < domain.OCR_CONFIDENCE_MIN for cell in unsure)
    assert all(cell.crop.startswith(b"\x89PNG") for cell in unsure)  # the image a person compares with
    assert cells[: len(unsure)] == unsure  # the unsure ones first
    assert all(f"“{cell.text}”" in "".join(reasons) for cell in unsure)  # the finding names each
    assert reads.load_forms(con, versions="counted") == []  # counted nowhere


def test_confirming_as_read_counts_the_form_and_stores_who_and_when(con):
    form_id = held_id(con)
    values = {cell.position: cell.text for cell in ocr_confirm.cells_to_check(con, form_id) if cell.unsure}
    form = ocr_confirm.confirm(con, form_id, values, "张三")
    assert form.complete
    (stored,) = reads.load_forms(con, versions="counted")
    assert stored.id == form_id and stored.ocr_confirmed_by == "张三" and stored.ocr_confirmed_at
    confirmed = [cell for cell in stored.ocr_cells if cell.confirmed_by]
    assert sorted(stored.ocr_cells.index(cell) + 1 for cell in confirmed) == sorted(values)
    assert all(
        cell.confirmed_by == "张三" and cell.confirmed_at and cell.confirmed_text == cell.text for cell in confirmed
    )
    assert ocr_confirm.held_forms(con).empty
    record = stored.to_record()
    assert record["read_by"] == "ocr" and record["ocr_confirmed_by"] == "张三"
    assert shown.out_of_sync(con) == 0  # stored anew, it shows its names and type as every other form does
    assert writes.finding_counts_out_of_step(con) == 0  # and keeps its findings per severity
    assert con.execute("SELECT shown_type FROM forms WHERE form_id = ?", [form_id]).fetchone()[0]


def test_a_corrected_cell_is_read_again_into_the_form(con):
    """The 总分 得分 corrected (to a figure the truth does not have): the form's 总分 is the correction, the stored
    sums follow, and the cell keeps what OCR read beside what the person gave."""
    form_id = held_id(con)
    cells = ocr_confirm.cells_to_check(con, form_id)
    total = f"{TRUTH['total_score']:g}"  # "0": the 总分 row is the table's last, its 得分 the last cell
    (total_cell,) = [cell for cell in cells if cell.text == total][-1:]
    values = {cell.position: cell.text for cell in cells if cell.unsure} | {total_cell.position: "88.5"}
    assert reads.load_forms(con, [form_id])[0].total_score == TRUTH["total_score"]
    form = ocr_confirm.confirm(con, form_id, values, "李四")
    assert form.total_score == 88.5
    (stored,) = reads.load_forms(con, [form_id])
    assert stored.total_score == 88.5 and stored.superseded_by is None
    cell = stored.ocr_cells[total_cell.position - 1]
    assert (cell.text, cell.confirmed_text, cell.confirmed_by) == (total, "88.5", "李四")
    assert [row.name for row in stored.indicators] == [
        row.name for row in reads.load_forms(con, [form_id])[0].indicators
    ]
    assert len(stored.indicators) == len(TRUTH["indicators"])
    # The arithmetic now fails (总分 ≠ its parts): an audit finding like on any form, no longer a hold.
    assert not [check for check in stored.checks if check.rule == domain.OCR_UNSURE_RULE]
    assert stored.complete
    errors = con.execute("SELECT error_count FROM forms WHERE form_id = ?", [form_id]).fetchone()[0]
    assert errors == sum(check.severity == "error" for check in stored.checks) > 0  # kept with the form


def test_a_cell_the_form_does_not_have_is_refused_and_nothing_is_written(con):
    form_id = held_id(con)
    cells = ocr_confirm.cells_to_check(con, form_id)
    values = {cell.position: cell.text for cell in cells if cell.unsure} | {10_000: "1"}
    with pytest.raises(StoreError):
        ocr_confirm.confirm(con, form_id, values, "王五")
    assert con.execute("SELECT count(*) FROM ocr_cells WHERE confirmed_by IS NOT NULL").fetchone() == (0,)
    assert held_id(con) == form_id


def test_the_second_person_to_confirm_is_told_and_nothing_is_written(con):
    form_id = held_id(con)
    values = {cell.position: cell.text for cell in ocr_confirm.cells_to_check(con, form_id) if cell.unsure}
    ocr_confirm.confirm(con, form_id, values, "张三")
    with pytest.raises(StoreError, match="张三"):
        ocr_confirm.confirm(con, form_id, values, "李四")
    (stored,) = reads.load_forms(con, [form_id])
    assert stored.ocr_confirmed_by == "张三"


def test_removing_the_import_removes_the_kept_page_blocks(con):
    assert con.execute("SELECT count(*) FROM ocr_blocks").fetchone() == (1,)
    (batch,) = con.execute("SELECT batch_id FROM import_batches").fetchone()
    importer.remove_batch(con, batch)
    assert con.execute("SELECT count(*) FROM ocr_blocks").fetchone() == (0,)
