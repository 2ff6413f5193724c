"""One real flow in headless Chromium: filter, open a project from the 项目 table, read its deductions.

The test starts `streamlit run dashboard/app.py` on a free port against a database built by
the real import of data/samples (year 2021), and drives Debian's /usr/bin/chromium through
playwright (no browser download). It skips only where that Chromium is absent; .ci/run installs it.
"""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES

pytestmark = pytest.mark.chromium


def test_filter_open_project_and_read_its_deductions(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="总览").first.wait_for()

    # Filter: the sidebar search (bound to the URL as ?q=…).
    search = page.get_by_label("搜索项目、指标或原因", exact=True)
    search.fill("培训人数")
    search.press("Enter")
    page.wait_for_url("**q=*")

    # Go to 项目 through the navigation; the filter stays.
    page.get_by_role("link", name="项目", exact=True).click()
    page.get_by_text("共 1 张表").wait_for()  # seed form 10 and sample_form_b.pdf are one form (two versions)
    assert "培训人数" in page.get_by_label("搜索项目、指标或原因", exact=True).input_value()

    # Select the first row of the canvas grid by clicking its row-marker (checkbox) cell.
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    page.wait_for_timeout(500)  # the grid draws its rows after the element appears
    box = grid.bounding_box()
    header_height, row_height = 35, 35
    page.mouse.click(box["x"] + 16, box["y"] + header_height + row_height / 2)
    page.wait_for_url("**form=*")

    # The form opens below: its deducted row with the reason the unit wrote.
    page.get_by_role("heading", name="年度绩效指标").wait_for()
    indicators = page.locator('[data-testid="stDataFrame"]', has_text="职工教育培训人数").first
    indicators.wait_for()
    text = indicators.text_content() or ""  # the grid draws on a canvas; its cells are mirrored in the DOM
    assert "职工教育培训人数" in text
    assert "因为疫情原因不组织培训" in text


def test_project_opens_from_url_and_review_page_renders(app_url, page):
    # Filters from the URL: project type 购置费 and a search; the 采购服装数量 row is deducted (6 → 5.2).
    page.goto(f"{app_url}/projects?type=购置费&q=采购服装数量")
    page.get_by_text("共 1 张表").wait_for()
    grid = page.locator('[data-testid="stDataFrame"]').first
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
    page.wait_for_url("**form=*")
    deducted = page.locator('[data-testid="stDataFrame"]', has_text="采购服装数量").first
    deducted.wait_for()
    assert "未说明原因" in (deducted.text_content() or "")  # deducted without a written reason

    page.goto(f"{app_url}/review_page")
    page.get_by_role("heading", name="按规则统计").wait_for()
    page.get_by_role("heading", name="按单位：自评与复算总分差额").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_upload_on_import_page(app_url, page, tmp_path):
    # New content (one more line), so it is imported rather than reported as a duplicate.
    sample = SAMPLES / "000_4b30dd1c6dd4a20d.txt"
    upload = tmp_path / "新上传.txt"
    upload.write_bytes(sample.read_bytes() + b"\n")

    page.goto(f"{app_url}/import_page")
    page.get_by_role("heading", name="导入记录").wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    page.get_by_text("已选择 1 个文件").wait_for()
    page.get_by_role("button", name="开始导入").click()

    summary = page.get_by_text("共 1 个文件：导入 1 个")
    summary.wait_for(timeout=90_000)
    results = page.locator('[data-testid="stDataFrame"]', has_text="新上传.txt").first
    results.wait_for()
    assert "导入 22 张表" in (results.text_content() or "")
    assert "替换 22" in (results.text_content() or "")  # a resubmission: new versions, not new forms
    assert page.locator('[data-testid="stException"]').count() == 0

    # Every page reads the new data, and counts each form once: 22 自评表, not 44.
    page.goto(app_url)
    forms_card = page.locator('[data-testid="stMetric"]', has_text="自评表").first
    forms_card.wait_for()
    assert forms_card.locator('[data-testid="stMetricValue"]').inner_text().strip() == "22"
