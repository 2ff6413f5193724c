"""The 部门整体 page, and 部门整体 forms kept out of the project pages' totals.

A workbook holding a Sichuan project form and two 部门整体 forms (national shape and Chongqing's flat list)
is imported into a fresh database; the truth is written by hand from the fixtures of tests/unit/test_layouts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.importing import importer
from dashboard.queries import department_queries, queries
from dashboard.queries.filters import Filters
from dashboard.store import connect
from tests import layout_factory
from tests.unit.test_layouts import parts_of

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def mixed_db(db_file, tmp_path) -> Path:
    sheets = [parts_of("sichuan"), parts_of("department"), parts_of("chongqing")]
    workbook = layout_factory.write_xlsx(sheets, tmp_path / "mixed.xlsx")
    con = connect.open_db(db_file)
    try:
        [outcome] = importer.import_files(con, [(workbook, "mixed.xlsx")])
    finally:
        con.close()
    assert outcome.form_count == 3, outcome.message
    return db_file


def test_project_totals_leave_department_forms_out(mixed_db):
    con = connect.open_db(mixed_db, read_only=True)
    try:
        figures = queries.kpis(con, Filters())
        names = queries.form_overview(con, Filters())["project_name"].tolist()
    finally:
        con.close()
    assert figures["forms"] == 1
    assert names == ["工资性支出"]


def test_department_page_lists_each_department(mixed_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("ui/pages/department_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    rows = {row[texts.COL["department"]]: row for row in table.to_dict("records")}
    assert set(rows) == {"某某县农业农村局", "重庆市某某区教育委员会"}
    farm = rows["某某县农业农村局"]
    assert (farm[texts.COL["year"]], farm[texts.COL["total_score"]]) == (2022, 97.82)
    assert farm[texts.COL["budget"].format(unit="元")] == 16200000.0
    assert round(farm[texts.COL["exec_rate_pct"]], 2) == 98.18  # 1590.5 ÷ 1620
    indicators = at.dataframe[1].value  # the first department in the list: 2022, ordered by name
    assert len(indicators) in (4, 6)
    assert len(at.get("download_button")) == 4  # CSV and Excel of both tables


def test_overview_links_to_the_department_page(mixed_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    links = [link.proto.page for link in at.get("page_link")]
    assert "department_page" in links


def test_department_page_applies_every_filter_its_caption_lists(mixed_db):
    """The 执行率 range (and every other filter the caption names) narrows the 部门整体 forms too: the
    page's own filter once read only year, 主管部门 and 总分, so a caption could name a filter the table ignored."""
    con = connect.open_db(mixed_db, read_only=True)
    try:
        everything = department_queries.department_forms(con, Filters())
        narrowed = department_queries.department_forms(con, Filters(rate_range=(98.1, 98.5)))
        searched = department_queries.department_forms(con, Filters(search="no such words anywhere"))
    finally:
        con.close()
    assert set(everything["department"]) == {"某某县农业农村局", "重庆市某某区教育委员会"}
    assert narrowed["department"].tolist() == ["某某县农业农村局"]  # 执行率 98.18 %; 重庆 98.08 %
    assert searched.empty
