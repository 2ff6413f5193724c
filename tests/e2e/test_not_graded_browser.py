"""总览's 不评级 card in headless Chromium (issue 17): the card counts the sample's five unused reserves apart,
its switch lists them with their reasons, and its button opens 项目 filtered to them, other filters kept."""

from __future__ import annotations

import pytest

from dashboard.core import texts

pytestmark = pytest.mark.chromium


def card_value(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]', has=page.get_by_text(label, exact=True)).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_the_not_graded_card_lists_its_forms_and_opens_them_on_projects(app_url, page):
    page.goto(f"{app_url}/?money=元")
    page.get_by_role("heading", name="总览").first.wait_for()
    page.get_by_text(texts.NOT_GRADED_LIST.format(n=5)).wait_for()
    assert card_value(page, texts.NOT_GRADED) == "5"
    assert (card_value(page, "差"), card_value(page, "优")) == ("0", "16")
    assert card_value(page, texts.KPI_AVG_SCORE) == "97.84"

    page.get_by_text(texts.NOT_GRADED_LIST.format(n=5)).click()
    listed = page.locator('[data-testid="stDataFrame"]', has_text=texts.NOT_GRADED_COLUMN).first
    listed.wait_for()
    page.wait_for_timeout(500)  # the grid draws its rows after the element appears
    assert texts.NOT_GRADED_REASONS["stopped"] in (listed.text_content() or "")

    page.get_by_role("button", name=texts.NOT_GRADED_OPEN_PROJECTS).click()
    page.get_by_text(texts.PROJECTS_COUNT.format(n=5)).wait_for()
    page.wait_for_url("**grade=*")
    assert "projects" in page.url and "money=" in page.url  # 项目, with the money unit still chosen
