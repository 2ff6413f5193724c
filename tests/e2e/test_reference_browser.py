"""参考数据 in a real browser: upload the office's codes and a rules file on the page, and every page follows
without re-import (the sample's 0402009 gets its name; 政务事项管理 leaves 未分类 for a new type)."""

from __future__ import annotations

import re

import pytest

from dashboard.core import texts
from dashboard.reference import project_types

pytestmark = pytest.mark.chromium

NAME = "某某区政务服务数据管理局"


def upload(page, label: str, name: str, content: bytes, apply: str) -> None:
    uploader = page.locator('[data-testid="stFileUploader"]', has_text=label)
    uploader.locator('input[type="file"]').set_input_files({"name": name, "mimeType": "text/plain", "buffer": content})
    page.get_by_text(name).first.wait_for()
    page.get_by_role("button", name=apply, exact=True).click()


def test_office_codes_and_rules_apply_to_every_page(app_url, page, tmp_path):
    page.goto(f"{app_url}/reference_page")
    page.get_by_role("heading", name=texts.REF_TITLE).first.wait_for()
    page.get_by_text(texts.REF_TYPES_SUMMARY.format(types=8, unclassified=1, forms=1)).wait_for()

    # The office's codes and names (CSV) on the 部门与单位 tab.
    page.get_by_role("tab", name=texts.REF_TAB_ORGS).click()
    upload(
        page, texts.REF_ORGS_UPLOAD, "orgs.csv", f"编码,名称\n0402009,{NAME}\n".encode(), texts.REF_ORGS_UPLOAD_APPLY
    )
    page.get_by_text(texts.REF_ORGS_IMPORTED.format(count=1)).wait_for()

    # A rules file with one rule more, on the 归类规则 tab (a fresh visit: the rerun after a save redraws the tabs).
    page.goto(f"{app_url}/reference_page")
    page.get_by_role("tab", name=texts.REF_TAB_RULES).click()
    rules = [project_types.Rule("政务服务", "政务事项"), *project_types.DEFAULT_RULES]
    upload(
        page,
        texts.REF_RULES_UPLOAD,
        "rules.toml",
        project_types.rules_to_toml(rules).encode(),
        texts.REF_RULES_UPLOAD_APPLY,
    )
    page.get_by_text(texts.REF_RULES_SAVED).wait_for()
    page.goto(f"{app_url}/reference_page")
    page.get_by_text(texts.REF_TYPES_ALL_CLASSIFIED.format(types=8)).wait_for()  # 政务服务 in, 未分类 out

    # 项目 under the new type: the one project.
    page.goto(f"{app_url}/projects?type=政务服务")
    page.get_by_text("共 1 张表").wait_for()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    page.wait_for_timeout(500)
    text = grid.text_content() or ""
    assert "政务事项管理" in text
    # The sidebar offers the department once, under its name.
    page.get_by_label(texts.FILTER_DEPARTMENT).first.click()
    option = page.get_by_role("option", name=re.compile(NAME))
    option.wait_for()
    assert option.count() == 1 and option.text_content() == f"{NAME}（0402009）"
    assert page.get_by_role("option", name="0402009", exact=True).count() == 0
