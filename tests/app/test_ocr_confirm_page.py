"""The 导入 page's 待确认的扫描件: a form read by OCR and held shows each unsure cell's image beside the value read;
the person's values are stored on 确认并计入 and the form counts afterwards (a real scan, a real DuckDB file)."""

from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.importing import ocr_confirm
from dashboard.store import connect, reads
from tests.app.test_import_page import PAGE


def test_a_held_scan_is_confirmed_on_the_page_and_then_counts(held_scan_db, db_file):
    shutil.copy(held_scan_db, db_file)
    con = connect.open_db(db_file, read_only=True)
    try:
        (form_id,) = ocr_confirm.held_forms(con)["form_id"]
        unsure = [cell for cell in ocr_confirm.cells_to_check(con, form_id) if cell.unsure]
    finally:
        con.close()
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not app.exception, app.exception
    assert texts.OCR_CONFIRM_TITLE in [header.value for header in app.subheader]
    shown = [element.value for element in app.text]
    assert any(texts.OCR_CONFIRM_CELL.split("，")[0].format(page=1) in value for value in shown)
    assert len(app.get("image")) >= len(unsure)  # each unsure cell's picture
    first = app.text_input(key=f"import_page_ocr_{form_id}_{unsure[0].position}")
    assert first.value == unsure[0].text  # the value read, for the person to confirm or correct
    first.set_value(unsure[0].text + " ")  # spaces around a value are not a correction
    app.button(key=f"import_page_ocr_submit_{form_id}").click().run()  # 确认并计入
    assert not app.exception, app.exception
    assert texts.OCR_CONFIRM_TITLE not in [header.value for header in app.subheader]
    con = connect.open_db(db_file, read_only=True)
    try:
        (counted,) = reads.load_forms(con, versions="counted")
    finally:
        con.close()
    assert counted.id == form_id and counted.ocr_confirmed_by == texts.OCR_CONFIRM_NOBODY  # no accounts here
    assert sorted(i + 1 for i, cell in enumerate(counted.ocr_cells) if cell.confirmed_by) == sorted(
        cell.position for cell in unsure
    )
