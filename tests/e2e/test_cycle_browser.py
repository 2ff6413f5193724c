"""抽查复核, 结果应用 and 整改 in a real browser (issue 20): the page round trip of a spot check — plan made on the
page, worksheet downloaded, filled with openpyxl (the hand-written truth of tests/unit/test_spot_check.py),
uploaded — then the 结果应用 table following the 复核 grade, and an 整改 item registered, answered and counted on 总览.

One module, one database: the tests run in order and build on each other."""

from __future__ import annotations

import pytest

from dashboard.core import texts
from tests.unit.test_spot_check import fill, truth_edits

pytestmark = pytest.mark.chromium

PLAN = "浏览器抽查"


def grid_text(page, index: int = 0) -> str:
    grid = page.locator('[data-testid="stDataFrame"]').nth(index)
    grid.wait_for()
    page.wait_for_timeout(500)
    return grid.text_content() or ""


def test_spot_check_round_trip_through_the_page(app_url, page, tmp_path):
    page.goto(f"{app_url}/spot_check_page")
    page.get_by_role("heading", name=texts.SPOT_PAGE_TITLE).first.wait_for()
    page.get_by_text(texts.SPOT_NEW_PLAN).click()
    page.get_by_label(texts.SPOT_NEW_NAME).fill(PLAN)
    page.get_by_role("spinbutton", name=texts.SPOT_NEW_SIZE).fill("6")
    page.get_by_role("spinbutton", name=texts.SPOT_NEW_SEED).fill("7")
    page.get_by_role("button", name=texts.SPOT_NEW_SUBMIT).click()
    page.get_by_text(texts.SPOT_PLAN_CREATED.format(name=PLAN)).first.wait_for()

    page.goto(f"{app_url}/spot_check_page")
    page.get_by_text(texts.SPOT_WORKBOOK_HELP[:20]).first.wait_for()
    results = grid_text(page, 1)  # plans, then the plan's forms
    assert "电子政务运行维护" in results and "一般管理事务" in results
    with page.expect_download() as download:
        page.get_by_role("button", name=texts.SPOT_WORKBOOK_DOWNLOAD).click()
    blank, filled = tmp_path / "blank.xlsx", tmp_path / "filled.xlsx"
    download.value.save_as(blank)
    fill(blank, filled, truth_edits(blank))

    uploader = page.locator('[data-testid="stFileUploader"]', has_text=texts.SPOT_WORKBOOK_UPLOAD)
    uploader.locator('input[type="file"]').set_input_files(str(filled))
    page.get_by_text("filled.xlsx").first.wait_for()
    page.get_by_role("button", name=texts.SPOT_WORKBOOK_IMPORT).click()
    page.get_by_text(texts.SPOT_WORKBOOK_IMPORTED).first.wait_for()

    page.goto(f"{app_url}/spot_check_page")
    page.get_by_text(texts.SPOT_WORKBOOK_HELP[:20]).first.wait_for()
    results = grid_text(page, 1)
    assert "88" in results and "12.00%" in results and "良" in results  # 012: 100 → 88, 优 → 良
    assert "97.86" in results and "2.00%" in results  # 017: 99.86 → 97.86


def test_result_use_follows_the_review_grade(app_url, page):
    page.goto(f"{app_url}/spot_check_page")
    page.get_by_role("tab", name=texts.RESULT_USE_TITLE).click()
    summary = page.get_by_text(texts.RESULT_USE_SUMMARY.split("：")[0].format(forms=22)).first
    summary.wait_for()
    # 电子政务运行维护 is 良 by its 复核 now: 正常安排 twice (with the sample's one 良 project).
    assert "正常安排 2 个" in (summary.text_content() or "")


def test_rectify_item_registered_answered_and_counted(app_url, page):
    page.goto(f"{app_url}/rectify_page")
    page.get_by_role("heading", name=texts.RECTIFY_TITLE).first.wait_for()
    page.get_by_text(texts.RECTIFY_FROM_PLAN).click()
    page.get_by_role("button", name=texts.RECTIFY_FROM_PLAN_SUBMIT).click()
    page.get_by_text(texts.RECTIFY_FROM_PLAN_DONE.format(count=1)).first.wait_for()  # 012 only: 017 deviates 2 %

    page.goto(f"{app_url}/rectify_page")
    page.get_by_label(texts.RECTIFY_STEP_TEXT).fill("已补充投诉统计")
    page.get_by_role("button", name=texts.RECTIFY_STEP_SUBMIT).click()
    page.get_by_text(
        texts.RECTIFY_STEP_DONE.format(item=1, action=texts.RECTIFY_ACTION_LABELS["feedback"])
    ).first.wait_for()

    page.goto(f"{app_url}/rectify_page")
    assert "已反馈" in grid_text(page, 0)
    page.goto(app_url)
    card = page.locator('[data-testid="stMetric"]', has_text=texts.OVERVIEW_RECTIFY_OPEN)
    card.wait_for()
    assert "1" in (card.text_content() or "")
