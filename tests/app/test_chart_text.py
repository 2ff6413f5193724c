"""Charts get form text as text: names that hold Plotly markup (<a href>, <b>) reach Plotly escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.importing import importer
from dashboard.store import connect
from tests.payloads import EVIL, FORMULA_NAME, IMAGE_NAME, UNIT, payload_dump

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
GRADED_FUNDS = ("年度资金总额 100000.00 0.00 0.00", "年度资金总额 100000.00 100000.00 0.00")


@pytest.fixture(scope="module")
def payload_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("charts")
    files = []
    for number, name in enumerate((IMAGE_NAME, FORMULA_NAME), start=1):
        path = folder / f"payload{number}.txt"
        # The seed's first form prints 全年预算数 0 and is not graded (domain.not_graded_reason), so no chart
        # would rank its unit: given a budget it spent nothing of, it is graded (差) and charted.
        text = payload_dump(name).replace(*GRADED_FUNDS)
        assert GRADED_FUNDS[1] in text
        path.write_text(text, encoding="utf-8")
        files.append((path, path.name))
    db_file = folder / "forms.duckdb"
    con = connect.open_db(db_file)
    try:
        importer.import_files(con, files, importer.ImportOptions(year=2021))
    finally:
        con.close()
    return db_file


def chart_texts(at: AppTest) -> list[str]:
    """Every string the page's figures ask Plotly to draw (customdata, handed back on a click, is not drawn)."""
    found: list[str] = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            for key in ("x", "y", "text", "hovertext", "name", "labels"):
                value = trace.get(key)
                values = value if isinstance(value, list) else [value]
                found.extend(item for item in values if isinstance(item, str))
    return found


@pytest.mark.parametrize("page", [None, "ui/pages/deductions.py", "ui/pages/review_page.py"])
def test_chart_texts_carry_no_plotly_markup(payload_db, monkeypatch, page):
    monkeypatch.setenv(connect.DB_ENV_VAR, str(payload_db))
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    texts = chart_texts(at)
    assert texts, "the page drew no chart"
    assert not [text for text in texts if "<" in text.replace("<br>", "")]
    if page is None:  # the 总览 chart of units: the payload is there, escaped
        escaped = UNIT.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in texts, [text for text in texts if EVIL in text]
