"""Fixtures of the browser tests: Debian's Chromium driven by playwright, one page per test."""

from __future__ import annotations

import pytest

from tests.conftest import build_sample_db
from tests.live_app import CHROMIUM, CHROMIUM_ARGS, AppDidNotStart, running_app

STEP_MS = 30_000


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The dashboard served for real on a database built by the real import of data/samples, one per test
    module (a module may change its database)."""
    folder = tmp_path_factory.mktemp("e2e")
    db_file = folder / "forms.duckdb"
    build_sample_db(db_file)
    try:
        with running_app(db_file, folder / "streamlit.log") as base_url:
            yield base_url
    except AppDidNotStart as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page; `page.requests` lists every URL the page asked for."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()
