"""AppTest for the 参考数据 page and for reference data showing in every page (sample + MIXED forms).

Expected figures are counted by hand from tests/reference_truth.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.reference import project_types
from dashboard.security import accounts
from dashboard.store import connect
from dashboard.ui.pages import reference_page
from tests.app.test_pages import run_app
from tests.reference_truth import OFFICE, TOWN, build_mixed_db

PAGE = "ui/pages/reference_page.py"


@pytest.fixture(scope="module")
def mixed_template(tmp_path_factory) -> Path:
    return build_mixed_db(tmp_path_factory.mktemp("mixed_page"))


@pytest.fixture
def mixed_env(mixed_template, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "forms.duckdb"
    shutil.copy(mixed_template, path)
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    return path


def frame_by_key(at: AppTest, key: str) -> pd.DataFrame:
    return next(frame.value for frame in at.dataframe if frame.key == key)


def test_page_lists_types_and_unclassified_projects(mixed_env):
    at = run_app(PAGE)
    assert texts.REF_TYPES_SUMMARY.format(types=12, unclassified=2, forms=2) in [m.value for m in at.markdown]
    editor = frame_by_key(at, "reference_types_0")
    assert sorted(editor["project_name"]) == ["政务事项管理", "档案数字化整理"]
    orgs = frame_by_key(at, "reference_orgs_0").set_index("code")
    assert orgs.loc["219", "forms"] == 7  # four spellings, one organisation
    assert orgs.loc["219001", "parent"] == TOWN
    rules = frame_by_key(at, "reference_rules_0")
    assert reference_page.rules_from_table(rules) == list(project_types.DEFAULT_RULES)


def test_sidebar_offers_each_department_once(mixed_env):
    at = run_app()
    assert at.sidebar.multiselect(key="dept").options == ["0402009", TOWN]
    assert OFFICE in at.sidebar.multiselect(key="unit").options
    assert len(at.sidebar.multiselect(key="type").options) == 12


def test_an_assigned_type_moves_the_project_in_every_page(mixed_env):
    con = connect.open_db(mixed_env)
    try:
        project_types.assign(con, {"档案数字化整理": "信息化建设与运维"}, by="tester")
    finally:
        con.close()
    # 4 sample projects (数据规划管理, 网格信息管理, 电子政务管理, 电子政务运行维护), 网络安全…, 档案数字化整理.
    at = run_app(type="信息化建设与运维")
    assert {m.label: m.value for m in at.metric}[texts.KPI_FORMS] == "6"
    at.switch_page("ui/pages/projects.py").run()
    table = at.dataframe[0].value
    row = table[table[texts.COL["project_name"]] == "档案数字化整理"]
    assert list(row[texts.COL["project_type"]]) == ["信息化建设与运维"]
    assert list(row[texts.COL["department"]]) == [TOWN]
    at.switch_page(PAGE).run()
    assert texts.REF_TYPES_SUMMARY.format(types=12, unclassified=1, forms=1) in [m.value for m in at.markdown]


def test_type_changes_from_the_editor():
    before = pd.DataFrame({"project_name": ["a", "b", "c"], "project_type": ["未分类", "宣传", "培训"]})
    after = before.assign(project_type=["培训", texts.REF_TYPES_BY_RULE, "培训"])
    assert reference_page.type_changes(before, after) == {"a": "培训", "b": None}


def test_a_viewer_sees_but_cannot_edit(mixed_env):
    con = connect.open_db(mixed_env)
    try:
        accounts.add_user(con, "viewer1", accounts.Role.VIEWER, "long enough password")
    finally:
        con.close()
    at = run_app(PAGE)
    assert texts.REF_EDIT_SIGNIN in [info.value for info in at.info]
    assert all(frame.key is None for frame in at.dataframe)  # tables, no editors
    assert not [b for b in at.button if b.label in (texts.REF_TYPES_SAVE, texts.REF_RULES_SAVE, texts.REF_ORGS_SAVE)]
    assert [t for t in at.text_input if t.label == texts.SIGNIN_NAME]


def test_spellings_are_listed_under_their_organisation(mixed_env):
    at = run_app(PAGE)
    spellings = frame_by_key(at, "reference_spellings_0").set_index("spelling")["label"].to_dict()
    for spelling in ("219", "219-某某镇人民政府", "219－某某镇人民政府", "某某镇人民政府"):
        assert spellings[spelling] == TOWN
    assert spellings["219001"] == OFFICE


def test_spelling_changes_from_the_editor():
    before = pd.DataFrame({"spelling": ["某某镇政府", "219"], "label": ["某某镇政府", TOWN]})
    after = before.assign(label=[TOWN, TOWN])
    assert reference_page.spelling_changes(before, after, {TOWN: 1, "某某镇政府": 7}) == {"某某镇政府": 1}
