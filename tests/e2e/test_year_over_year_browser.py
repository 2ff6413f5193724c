"""总览 with two years in a real browser: the cards carry their change against the previous year, the
comparison tables are there, and 下载汇总报告 hands over a Word document."""

from __future__ import annotations

import pytest

from dashboard.core import texts
from tests.app.test_year_over_year import build_two_year_db
from tests.live_app import AppDidNotStart, running_app

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e_yoy")
    db_file = build_two_year_db(folder)
    try:
        with running_app(db_file, folder / "streamlit.log") as base_url:
            yield base_url
    except AppDidNotStart as error:
        pytest.fail(str(error))


def test_overview_shows_the_change_since_last_year(app_url, page, tmp_path):
    page.goto(f"{app_url}/?year=2022")
    page.get_by_role("heading", name=texts.YOY_TITLE.format(year=2022, previous=2021)).wait_for()
    forms_card = page.locator('[data-testid="stMetric"]', has_text=texts.KPI_FORMS).first
    assert forms_card.locator('[data-testid="stMetricValue"]').inner_text().strip() == "21"
    assert forms_card.locator('[data-testid="stMetricDelta"]').inner_text().strip() == "-1"
    score_card = page.locator('[data-testid="stMetric"]', has_text=texts.KPI_AVG_SCORE).first
    assert score_card.locator('[data-testid="stMetricDelta"]').inner_text().strip().startswith("-")
    with page.expect_download() as download_info:
        page.get_by_role("button", name=texts.DOWNLOAD_REPORT).click()
    report = tmp_path / "report.docx"
    download_info.value.save_as(report)
    assert report.read_bytes()[:2] == b"PK" and report.stat().st_size > 10_000
    assert all(url.startswith(app_url) or url.startswith(("data:", "blob:")) for url in page.requests)


@pytest.mark.libreoffice
def test_overview_hands_over_the_report_as_pdf(app_url, page, tmp_path):
    """下载汇总报告（PDF）: the PDF made by LibreOffice on click; its first two pages kept as images to look at."""
    import subprocess
    from pathlib import Path

    page.goto(f"{app_url}/?year=2022")
    button = page.get_by_role("button", name=texts.DOWNLOAD_REPORT_PDF)
    button.wait_for()
    with page.expect_download(timeout=180_000) as download_info:
        button.click()
    report = tmp_path / "report.pdf"
    download_info.value.save_as(report)
    assert report.read_bytes().startswith(b"%PDF")
    folder = Path(__file__).resolve().parents[2] / "screenshots" / "report"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("browser-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "2", str(report), str(folder / "browser-page")],
                   check=True, timeout=120)  # fmt: skip
    assert len(list(folder.glob("browser-page-*.png"))) == 2
