"""AppTest for the 抽查复核 page (plans, results, reviewing on the page, 结果应用) and the 整改 page (issue 20).

Truth by hand as in tests/unit/test_spot_check.py: the sample sampled with 6 forms and seed 7 is 009, 014, 001
(risk), 012, 019 (amount), 017 (random). 017 (一般管理事务) self-scores 99.86 = 9.86 (年度资金总额) + 90.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.audit import rectify, spot_check
from dashboard.core import texts
from dashboard.security import accounts
from dashboard.store import connect
from tests.app.test_pages import run_app

SPOT_PAGE = "ui/pages/spot_check_page.py"
RECTIFY_PAGE = "ui/pages/rectify_page.py"
PREFIX = "43af4d333ae1-"


@pytest.fixture
def cycle_env(sample_db, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "forms.duckdb"
    shutil.copy(sample_db, path)
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    return path


@pytest.fixture
def cycle_db(writable_sample_env) -> Path | str:
    """A copy of the sample data on each backend (a file, a lake), for the tests that run there too."""
    return writable_sample_env


def plan(path: Path | str) -> None:
    con = connect.open_db(path)
    try:
        spot_check.create_plan(con, "页面抽查", spot_check.Scope(), size=6, seed=7, by="李审")
    finally:
        con.close()


def entry(path: Path | str, form: str):
    con = connect.open_db(path, read_only=True)
    try:
        return spot_check.entries(con, spot_check.plan_id(con, "页面抽查")).set_index("form_id").loc[form]
    finally:
        con.close()


# A table shown by st.dataframe, found by a column only it has (AppTest gives display tables no key).
MARKS = {
    "spot_results": texts.SPOT_RESULT_COLUMNS["basis_note"],
    "spot_by_department": texts.SPOT_SUMMARY_COLUMNS["mean_deviation"],  # the first of the two summaries
    "result_use_table": texts.RESULT_USE_COLUMNS["suggested"],
    "result_use_rules": texts.RESULT_USE_RULE_COLUMNS["factor"],
    "rectify_table": texts.RECTIFY_COLUMNS["problem"],
    "rectify_history": texts.RECTIFY_HISTORY_COLUMNS["actor"],
}


def frame(at: AppTest, key: str):
    return next(item.value for item in at.dataframe if MARKS[key] in item.value.columns)


def test_a_plan_made_on_the_page_is_listed_with_its_reasons(cycle_db):
    at = run_app(SPOT_PAGE)
    at.text_input(key="spot_new_name").input("页面抽查")
    at.number_input(key="spot_new_size").set_value(6)
    at.number_input(key="spot_new_seed").set_value(7)
    next(button for button in at.button if button.label == texts.SPOT_NEW_SUBMIT).click().run()
    assert not at.exception, [e.value for e in at.exception]
    results = frame(at, "spot_results")
    columns = texts.SPOT_RESULT_COLUMNS
    assert results[columns["form_id"]].tolist() == [PREFIX + n for n in ("009", "014", "001", "012", "019", "017")]
    assert results[columns["basis"]].tolist() == ["按风险"] * 3 + ["按金额"] * 2 + ["随机"]
    by_department = frame(at, "spot_by_department")
    assert by_department[texts.SPOT_SUMMARY_COLUMNS["sampled"]].tolist() == [6]


def test_a_review_saved_on_the_page_and_the_second_saver_is_told(cycle_db):
    plan(cycle_db)
    at = run_app(SPOT_PAGE)
    target = int(entry(cycle_db, PREFIX + "017")["entry_id"])
    at.selectbox(key="spot_form").set_value(target).run()
    key = f"spot_editor_{target}_0_0"
    at.text_input(key=f"{key}_reviewer").input("赵六")
    at.text_area(key=f"{key}_conclusion").input("与自评一致")
    at.button(key=f"{key}_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = entry(cycle_db, PREFIX + "017")
    assert saved["reviewer"] == "赵六" and saved["conclusion"] == "与自评一致"
    assert saved["reviewed_score"] == pytest.approx(99.86)  # every 复核得分 blank: the self-scores
    assert saved["version"] == 1

    # Someone else saves 012 while this page shows version 0 of it: this page's save is refused, with who.
    other = int(entry(cycle_db, PREFIX + "012")["entry_id"])
    at.selectbox(key="spot_form").set_value(other).run()
    con = connect.open_db(cycle_db)
    try:
        spot_check.save_reviews(con, [spot_check.FormReview(other, 0, reviewer="钱七")], by="钱七")
    finally:
        con.close()
    at.text_input(key=f"spot_editor_{other}_0_1_reviewer").input("王五")
    at.button(key=f"spot_editor_{other}_0_1_save").click().run()
    assert any("钱七" in error.value and "未保存" in error.value for error in at.error)
    assert entry(cycle_db, PREFIX + "012")["reviewer"] == "钱七"
    at.run()  # the next run shows what 钱七 saved, and a save is based on it
    assert at.text_input(key=f"spot_editor_{other}_1_1_reviewer").value == "钱七"


def test_result_use_lists_every_project_with_its_action(cycle_env):
    at = run_app(SPOT_PAGE)
    table = frame(at, "result_use_table")
    columns = texts.RESULT_USE_COLUMNS
    assert len(table) == 22
    assert set(table[columns["action"]]) == {"优先保障", "正常安排", "单独研究"}
    rules = frame(at, "result_use_rules")
    assert rules[texts.RESULT_USE_RULE_COLUMNS["grade"]].tolist() == ["优", "良", "中", "差", "不评级"]


def test_a_bad_rule_file_is_a_message(cycle_env, tmp_path, monkeypatch):
    bad = tmp_path / "rules.toml"
    bad.write_text('[[rule]]\ngrade = "优"\naction = "x"\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_RESULT_RULES", str(bad))
    at = run_app(SPOT_PAGE)
    assert any("缺少这些等级的规则" in error.value for error in at.error)


def test_rectify_page_adds_and_moves_an_item_and_overview_counts_it(cycle_db):
    at = run_app(RECTIFY_PAGE)
    assert texts.RECTIFY_NONE in [info.value for info in at.info]
    at.text_area(key="rectify_add_problem_0").input("扣分未说明原因")
    at.text_input(key="rectify_add_form_0").input(PREFIX + "019")
    at.date_input(key="rectify_add_due_0").set_value(date(2020, 1, 31))
    next(button for button in at.button if button.label == texts.RECTIFY_ADD_SUBMIT).click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = frame(at, "rectify_table")
    columns = texts.RECTIFY_COLUMNS
    assert table[columns["status"]].tolist() == ["待整改"]
    assert table[columns["overdue"]].tolist() == [texts.RECTIFY_OVERDUE_MARK]
    assert table[columns["project_name"]].tolist() == ["专项业务"]
    at.text_area(key="rectify_step_1_0_1_text").input("已补充")
    next(button for button in at.button if button.label == texts.RECTIFY_STEP_SUBMIT).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert frame(at, "rectify_table")[columns["status"]].tolist() == ["已反馈"]
    history = frame(at, "rectify_history")
    assert history[texts.RECTIFY_HISTORY_COLUMNS["action"]].tolist() == ["登记", "反馈"]

    at.switch_page("ui/pages/overview.py").run()
    figures = {metric.label: metric.value for metric in at.metric}
    assert figures[texts.OVERVIEW_RECTIFY_OPEN] == "1"
    assert figures[texts.OVERVIEW_RECTIFY_OVERDUE] == "1"


def test_a_viewer_reads_the_ledger_but_cannot_act(cycle_env):
    con = connect.open_db(cycle_env)
    try:
        rectify.add_item(con, "问题", "甲", unit="单位甲")
        accounts.add_user(con, "viewer1", accounts.Role.VIEWER, "long enough password")
    finally:
        con.close()
    at = run_app(RECTIFY_PAGE)
    assert texts.RECTIFY_SIGNIN in [info.value for info in at.info]
    assert len(frame(at, "rectify_table")) == 1
    assert not [button for button in at.button if button.label in (texts.RECTIFY_STEP_SUBMIT, texts.RECTIFY_ADD_SUBMIT)]
    at.switch_page(SPOT_PAGE).run()
    assert texts.SPOT_EDIT_SIGNIN in [info.value for info in at.info]
    assert not [button for button in at.button if button.label == texts.SPOT_NEW_SUBMIT]


def test_the_page_editor_rows_round_trip():
    from dashboard.ui.pages import spot_check_page

    base = {0: ("年度资金总额", 10.0, 9.86), 1: ("培训工作完成率", 2.0, 2.0), 2: ("群众满意度", 2.0, 2.0)}
    stored = spot_check_page.pd.DataFrame(
        [{"position": 1, "reviewed_actual": "80%", "reviewed_score": 1.5, "note": "未达标"}]
    )
    frame = spot_check_page.rows_frame(base, stored)
    assert frame["self_score"].tolist() == [9.86, 2.0, 2.0]
    frame.loc[2, "reviewed_score"] = 0.0  # what a person types into the grid
    rows = spot_check_page.edited_rows(frame)
    assert [(r.position, r.actual, r.score, r.note) for r in rows] == [
        (0, None, None, None),
        (1, "80%", 1.5, "未达标"),
        (2, None, 0.0, None),
    ]
