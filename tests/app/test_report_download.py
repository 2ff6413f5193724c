"""下载汇总报告 on 总览: the Word report always, the PDF where LibreOffice is installed."""

from __future__ import annotations

import pytest

from dashboard.core import texts
from tests.app.test_pages import run_app


def report_labels(at) -> list[str]:
    labels = [button.proto.label for button in at.get("download_button")]
    return [label for label in labels if label in (texts.DOWNLOAD_REPORT, texts.DOWNLOAD_REPORT_PDF)]


@pytest.mark.libreoffice
def test_overview_offers_the_report_as_word_and_pdf(sample_env):
    assert report_labels(run_app()) == [texts.DOWNLOAD_REPORT, texts.DOWNLOAD_REPORT_PDF]


def test_no_pdf_button_without_libreoffice(sample_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # soffice is found on PATH only
    assert report_labels(run_app()) == [texts.DOWNLOAD_REPORT]
