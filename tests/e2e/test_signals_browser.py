"""风险信号 and 偏差原因分类 in a real browser: a signal picked in the 复核 page's table lists its forms and
goes into the URL; a bar of the 扣分指标 page's class chart, clicked, filters the table by that class."""

from __future__ import annotations

import pytest

from dashboard.core import texts

pytestmark = pytest.mark.chromium


def test_signal_row_drills_to_its_forms_and_into_the_url(app_url, page):
    page.goto(f"{app_url}/review_page")
    page.get_by_role("heading", name=texts.SIGNALS_HEADING).wait_for()
    # The signals table: it alone lists a signal the sample does not raise (zero rows are kept there).
    grid = page.locator('[data-testid="stDataFrame"]', has_text=texts.AUDIT_TITLES["satisfaction_unmeasured"]).first
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the grid draws its rows after the element appears
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row: execution_cap
    page.wait_for_url("**signal=execution_cap*")
    page.get_by_text(
        texts.SIGNALS_SELECTED.format(rule=texts.AUDIT_TITLES["execution_cap"], org=texts.SIGNALS_ANY_ORG)
    ).wait_for()
    forms = page.locator('[data-testid="stDataFrame"]', has_text="预算执行率 0% 低于 50%").first
    forms.wait_for()
    assert "预算准备金" in (forms.text_content() or "")  # seed form 8: nothing spent, 总分 90
    assert page.locator('[data-testid="stException"]').count() == 0

    # The same view from the URL alone.
    page.goto(f"{app_url}/review_page?signal=over_target")
    page.get_by_text(
        texts.SIGNALS_SELECTED.format(rule=texts.AUDIT_TITLES["over_target"], org=texts.SIGNALS_ANY_ORG)
    ).wait_for()


def test_class_bar_click_filters_the_deductions(app_url, page):
    page.goto(f"{app_url}/deductions")
    page.get_by_text(texts.DEDUCTIONS_CLASS_CHART).wait_for()
    chart = page.locator(".js-plotly-plot", has_text=texts.DEDUCTIONS_CLASS_CHART).first
    chart.scroll_into_view_if_needed()
    bars = chart.locator("g.point")
    bars.first.wait_for()
    bars.last.click(force=True)  # the top bar: the class that lost the most points
    page.wait_for_url("**rc=*")
    chosen = page.url.split("rc=")[1].split("&")[0]
    assert chosen  # the class, URL-encoded
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for()
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert texts.DEDUCTIONS_CLASS_COLUMN in (table.text_content() or "")
