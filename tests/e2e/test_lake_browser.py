"""The dashboard served for real on a lake (store/lake.py): the samples imported into it by the command line,
总览 and 项目 read from it in Chromium, and the "数据截至" choice offered (a lake only)."""

from __future__ import annotations

import pytest

from tests.live_app import AppDidNotStart, running_app

pytestmark = [pytest.mark.chromium, pytest.mark.lake]


@pytest.fixture(scope="module")
def lake_app_url(sample_lake, tmp_path_factory):
    location, data = sample_lake
    mp = pytest.MonkeyPatch()
    mp.setenv("DASHBOARD_LAKE_DATA", str(data))  # the server's environment (running_app passes os.environ on)
    try:
        with running_app(location, tmp_path_factory.mktemp("e2e_lake") / "streamlit.log") as base_url:
            yield base_url
    except AppDidNotStart as error:
        pytest.fail(str(error))
    finally:
        mp.undo()


def test_overview_and_projects_read_the_lake(lake_app_url, page):
    page.goto(lake_app_url)
    page.get_by_role("heading", name="总览").first.wait_for()
    forms = page.locator('[data-testid="stMetric"]', has_text="自评表").first
    forms.wait_for()
    assert "22" in (forms.text_content() or "")  # 24 stored, the two PDFs replacing forms 3 and 10
    page.get_by_text("数据截至", exact=True).wait_for()  # the as-of choice, in the sidebar of 总览 on a lake
    page.get_by_role("link", name="项目", exact=True).click()
    page.get_by_text("共 22 张表").wait_for()
    assert not page.get_by_text("数据截至", exact=True).count()  # 总览 only
