"""A held scan confirmed in a real browser: the 导入 page shows the cells read without confidence beside their
images, a person corrects one and presses 确认并计入, and the 总览 counts the form afterwards."""

from __future__ import annotations

import pytest

from dashboard.core import texts
from tests.conftest import build_held_scan_db
from tests.live_app import AppDidNotStart, running_app

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The dashboard on a database holding one scan the OCR reader held (seed form 1 at 150 dpi)."""
    folder = tmp_path_factory.mktemp("e2e_ocr")
    db_file = build_held_scan_db(folder / "forms.duckdb")
    try:
        with running_app(db_file, folder / "streamlit.log") as base_url:
            yield base_url
    except AppDidNotStart as error:
        pytest.fail(str(error))


def test_a_held_cell_is_confirmed_on_the_import_page_and_the_form_counts(app_url, page):
    page.goto(f"{app_url}/")
    page.get_by_text(texts.NOT_COUNTED_INCOMPLETE.format(count=1)).first.wait_for()  # held: counted nowhere

    page.goto(f"{app_url}/import_page")
    page.get_by_role("heading", name=texts.OCR_CONFIRM_TITLE).wait_for()
    inputs = page.get_by_label(texts.OCR_CONFIRM_VALUE)
    inputs.first.wait_for()
    images = page.locator('[data-testid="stImage"] img, [data-testid="stImage"]')
    images.nth(inputs.count() - 1).wait_for()  # each input beside its image
    first = inputs.first
    read = first.input_value()
    assert read  # the value OCR read, for the person to confirm or correct
    first.fill("0%" if read != "0%" else "0.00")  # a correction, as a person makes it after comparing the image
    page.get_by_role("button", name=texts.OCR_CONFIRM_BUTTON).click()
    page.get_by_text(texts.OCR_CONFIRM_COUNTED, exact=False).first.wait_for()  # the toast
    page.get_by_role("heading", name=texts.OCR_CONFIRM_TITLE).wait_for(state="detached")
    assert page.locator('[data-testid="stException"]').count() == 0

    page.goto(f"{app_url}/")
    label = page.get_by_test_id("stMetricLabel").get_by_text(texts.KPI_FORMS, exact=True)
    metric = page.get_by_test_id("stMetric").filter(has=label).first
    metric.wait_for()
    assert metric.get_by_test_id("stMetricValue").inner_text().strip() == "1"
    assert page.get_by_text(texts.NOT_COUNTED_INCOMPLETE.format(count=1)).count() == 0
