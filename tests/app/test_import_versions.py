"""The 导入 page's version work: 可能重复 settled by a person, an import undone behind a confirmation,
incomplete forms listed, and the note on the data pages that says what is left out of the totals."""

from __future__ import annotations

import duckdb
from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.importing.importer import ImportOptions
from dashboard.store import connect, reads
from dashboard.ui.pages import import_page
from tests.app.test_import_page import PAGE, SAMPLE_TXT, SAMPLES, sample_uploads
from tests.unit.test_versions import make_form, save


def open_page() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not app.exception, app.exception
    return app


def test_possible_duplicate_is_settled_on_the_page(db_file):
    con = connect.open_db(db_file)
    try:
        save(con, "a.txt", make_form(unit="甲中心", score=70.0), make_form(unit="乙中心", score=71.0))
        (placed,) = save(con, "b.txt", make_form(unit=None, score=99.0))
    finally:
        con.close()
    app = open_page()
    assert texts.IMPORT_PENDING in [header.value for header in app.subheader]
    radio = app.radio(key=f"import_page_pending_{placed.form.id}")
    assert radio.options[-1] == texts.IMPORT_PENDING_KEEP
    assert len(radio.options) == 3 and all("购置费" in option for option in radio.options[:2])
    radio.set_value(placed.candidates[1])
    app.button(key=f"import_page_pending_apply_{placed.form.id}").click().run()
    assert not app.exception, app.exception
    assert texts.IMPORT_PENDING not in [header.value for header in app.subheader]
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        rows = con.execute(
            f"SELECT unit, total_score FROM forms f WHERE {reads.counted_sql('f')} ORDER BY total_score"
        ).fetchall()
    finally:
        con.close()
    # The new form replaced 乙中心's, as chosen, and keeps the unit it does not print (issue 17).
    assert rows == [("甲中心", 70.0), ("乙中心", 99.0)]


def test_an_import_is_undone_only_after_confirmation(db_file):
    import_page.run_import(sample_uploads(), ImportOptions(year=2021))
    app = open_page()
    assert app.selectbox(key="import_page_remove_batch").value == 3  # newest first: sample_form_b.pdf
    assert app.button(key="import_page_remove_button").disabled
    app.checkbox(key="import_page_remove_confirm").check().run()
    app.button(key="import_page_remove_button").click().run()
    assert not app.exception, app.exception
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        outcomes = con.execute("SELECT batch_id, outcome FROM import_batches ORDER BY 1").fetchall()
        restored = con.execute(
            f"SELECT source_file, unit FROM forms f WHERE {reads.counted_sql('f')} AND project_amount = 11727908"
        ).fetchall()
    finally:
        con.close()
    assert outcomes == [(1, "imported"), (2, "imported"), (3, "removed")]
    assert restored == [(SAMPLE_TXT, None)]  # the text's version of seed form 10 counts again


def test_incomplete_forms_are_listed_and_the_data_pages_say_they_are_left_out(db_file):
    seed = (SAMPLES / SAMPLE_TXT).read_text(encoding="utf-8").splitlines(keepends=True)
    truncated = "".join(seed[:100]).encode("utf-8")  # form 1 whole, form 2 cut before its 总分
    (outcome,) = import_page.run_import([("截断.txt", truncated)], ImportOptions(year=2021))
    assert outcome.outcome == "partial" and not outcome.ok
    app = open_page()
    assert texts.IMPORT_INCOMPLETE_COUNT.format(count=1) in [header.value for header in app.subheader]
    (table,) = [frame.value for frame in app.dataframe if "缺少什么" in frame.value.columns]
    assert table["项目名称"].tolist() == ["数据规划管理"]
    assert "总分" in table["缺少什么"].iloc[0]
    from tests.app.test_pages import run_app

    overview = run_app()  # through app.py, as a visitor opens it
    assert texts.NOT_COUNTED_INCOMPLETE.format(count=1) in [info.value for info in overview.info]


def test_the_form_view_lists_its_versions(sample_db, monkeypatch):
    """Sample form 3 (购置费 118800) was filed in the text and again as sample_form_a.pdf."""
    from tests.app.test_pages import run_app

    monkeypatch.setenv(connect.DB_ENV_VAR, str(sample_db))
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        (form_id,) = con.execute("SELECT form_id FROM forms WHERE source_file = 'sample_form_a.pdf'").fetchone()
    finally:
        con.close()
    app = run_app("ui/pages/projects.py", form=form_id)
    assert texts.HISTORY_TITLE in [block.value for block in app.markdown if block.value.startswith("####")][-1]
    (history,) = [frame.value for frame in app.dataframe if texts.HISTORY_COLUMNS["changes"] in frame.value.columns]
    assert history[texts.HISTORY_COLUMNS["source_file"]].tolist() == [SAMPLE_TXT, "sample_form_a.pdf"]
    assert history[texts.HISTORY_COLUMNS["state"]].tolist() == [texts.HISTORY_OLD, texts.HISTORY_CURRENT]
    assert "预期目标" in history[texts.HISTORY_COLUMNS["changes"]].iloc[1]


def test_possible_duplicate_is_shown_beside_the_stored_forms(db_file):
    """Issue 17: the held form and each stored form it may replace, side by side, every fact a column apart."""
    con = connect.open_db(db_file)
    try:
        save(con, "甲乙.txt", make_form(unit="甲中心", amount=500.0, score=70.0), make_form(unit="乙中心", score=71.0))
        (placed,) = save(con, "新.txt", make_form(unit=None, year=None, score=99.0))
    finally:
        con.close()
    app = open_page()
    (table,) = [frame.value for frame in app.dataframe if texts.IMPORT_PENDING_COMPARE_FIELD in frame.value.columns]
    shown = table.set_index(texts.IMPORT_PENDING_COMPARE_FIELD)
    assert list(shown.columns) == [texts.IMPORT_PENDING_COMPARE_NEW, "已存的表 1", "已存的表 2"]
    assert shown.loc["文件"].tolist() == ["新.txt", "甲乙.txt", "甲乙.txt"]
    assert shown.loc["实施单位"].tolist() == ["—", "甲中心", "乙中心"]
    assert shown.loc["年度"].tolist() == ["—", "2021", "2021"]
    assert shown.loc["项目金额（元）"].tolist() == ["—", "500.00", "—"]
    assert shown.loc["全年预算数（元）"].tolist() == ["100.00", "100.00", "100.00"]
    assert shown.loc["总分"].tolist() == ["99", "70", "71"]
    assert shown.loc["绩效指标行数"].tolist() == ["1", "1", "1"]
    assert placed.status == "duplicate"


def test_a_blank_year_is_warned_about_before_the_import(db_file):
    app = open_page()
    assert texts.IMPORT_YEAR_BLANK_WARNING in [warning.value for warning in app.warning]
    app.number_input(key="import_page_year").set_value(2021).run()
    assert texts.IMPORT_YEAR_BLANK_WARNING not in [warning.value for warning in app.warning]


def test_each_file_says_how_many_forms_have_no_year(db_file):
    """Neither printed nor given: the file's line counts them (the seed text prints no year: all 22)."""
    seed = [upload for upload in sample_uploads() if upload[0] == SAMPLE_TXT]
    (outcome,) = import_page.run_import(seed, ImportOptions())
    note = import_page.outcomes_frame([outcome])[texts.IMPORT_RESULT_NOTE].iloc[0]
    assert texts.OUTCOME_NO_YEAR.format(count=22) in note
    assert note.startswith("新增 22，替换 0，可能重复 0")
