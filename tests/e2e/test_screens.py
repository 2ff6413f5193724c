"""Every page at 1440 px (a desktop) and 390 px (a phone) in headless Chromium, each saved as a screenshot in
test-artifacts/screens/<width>/ (gitignored) for a person to look at, with what can be checked by machine:
no error on any page, cards two per row on the phone, the first chart within the phone's first screen, the
one-form view without horizontal scrolling, a print of 总览 on A4 without the sidebar, a card's 明细 button
opening the rows behind its number, and a link naming a year that no longer exists saying so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core import texts

pytestmark = pytest.mark.chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screens"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

# (file name, URL path and query, click the first row of the n-th grid: None for no click)
PAGES = [
    ("01_overview", "", None),
    ("02_projects", "projects", None),
    ("03_projects_form", "projects", 0),
    ("04_deductions", "deductions", None),
    ("05_deductions_no_reason_form", "deductions?noreason=true", 0),
    ("06_department", "department_page", None),
    ("07_import", "import_page", None),
    ("08_review", "review_page", None),
    ("09_review_form", "review_page", 1),
    ("10_reference", "reference_page", None),
]


def settle(page) -> None:
    """Wait until Streamlit has finished its run (the app's script state "notRunning"), nothing is drawn as
    stale, and the page's height has not changed for two seconds (charts are drawn after the run)."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stSkeleton"], [data-stale="true"]\')', timeout=60_000
    )
    last, steady = -1, 0
    for _ in range(60):
        height = page.evaluate(
            "() => (document.querySelector('[data-testid=\"stMainBlockContainer\"]') || document.body).scrollHeight"
        )
        steady = steady + 1 if height == last else 0
        if steady >= 4:
            break
        last = height
        page.wait_for_timeout(500)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)


def click_first_row(page, grid_index: int) -> None:
    grid = page.locator('[data-testid="stDataFrame"]').nth(grid_index)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
    settle(page)


def whole_page_shot(page, target: Path) -> None:
    """Streamlit scrolls inside its own container: grow the window to the content's height, then shoot."""
    height = page.evaluate(
        """() => Math.max(document.body.scrollHeight, ...[
            '[data-testid="stMain"]', '[data-testid="stMainBlockContainer"]', '[data-testid="stSidebarContent"]'
        ].map(s => document.querySelector(s)).filter(e => e).map(e => e.scrollHeight + 120))"""
    )
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 16_000)})
    page.wait_for_timeout(1500)  # grids and charts below the old window are drawn now
    settle(page)
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))


@pytest.fixture
def sized_page(browser):
    contexts = []

    def open_page(viewport: dict):
        context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_every_page_screenshot(app_url, sized_page, viewport):
    for name, path, grid in PAGES:
        page = sized_page(viewport)
        page.goto(f"{app_url}/{path}")
        settle(page)
        if grid is not None:
            click_first_row(page, grid)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        assert "None" not in (page.locator('[data-testid="stMain"]').inner_text()), name
        if name == "03_projects_form" and viewport is PHONE:
            # The one-form view fits the phone: no part of the page is wider than the window.
            wide = page.evaluate(
                """() => { const main = document.querySelector('[data-testid="stMain"]');
                           return main.scrollWidth - main.clientWidth; }"""
            )
            assert wide <= 1, f"the form view scrolls sideways by {wide} px"
        whole_page_shot(page, ARTIFACTS / str(viewport["width"]) / f"{name}.png")
        page.close()


def test_phone_cards_two_per_row_and_first_chart_on_first_screen(app_url, sized_page):
    page = sized_page(PHONE)
    page.goto(app_url)
    settle(page)
    cards = page.locator('[class*="st-key-cardrow_0"] [data-testid="stMetric"]')
    tops = [round(cards.nth(i).bounding_box()["y"]) for i in range(cards.count())]
    assert len(tops) == 4 and tops[0] == tops[1] and tops[2] == tops[3] and tops[2] > tops[0], tops
    chart = page.locator(".stPlotlyChart").first
    chart.wait_for()
    assert chart.bounding_box()["y"] < PHONE["height"], "the first chart is below the phone's first screen"


def test_overview_prints_on_a4_without_the_sidebar(app_url, sized_page):
    page = sized_page(DESKTOP)
    page.goto(app_url)
    settle(page)
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.locator('[data-testid="stMetric"]').first.is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "overview_print.pdf"), prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    whole_page_shot(page, ARTIFACTS / "overview_print.png")


def test_card_opens_the_rows_behind_it(app_url, sized_page):
    page = sized_page(DESKTOP)
    page.goto(app_url)
    settle(page)
    # The 扣分未说明原因 card's 明细: 扣分指标 with 只看未说明原因 on (in the URL), 11 indicators on the sample.
    card = page.locator('[data-testid="stColumn"]', has_text=texts.KPI_UNEXPLAINED).last
    card.get_by_role("button", name=texts.CARD_OPEN_ROWS).click()
    page.wait_for_url("**/deductions**noreason=true**")
    page.get_by_text(texts.DEDUCTIONS_COUNT.format(n="11")).wait_for()


def test_link_with_a_year_that_no_longer_exists_says_so(app_url, sized_page):
    page = sized_page(DESKTOP)
    page.goto(f"{app_url}/?year=2035")
    settle(page)
    page.get_by_text(texts.URL_VALUE_GONE.format(label=texts.FILTER_YEAR, values="2035")).wait_for()
