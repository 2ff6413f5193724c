"""The 导入 page: the import behind the button (as a plain function) and the page's own rendering.

AppTest cannot drive st.file_uploader, so the upload → import path is tested through
`run_import` with the sample files' bytes, exactly as the button hands them over.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.importing import importer
from dashboard.importing.importer import ImportOptions
from dashboard.store import connect, schema
from dashboard.ui.pages import import_page

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
PAGE = str(ROOT / "dashboard" / "ui" / "pages" / "import_page.py")
SAMPLE_TXT = "000_4b30dd1c6dd4a20d.txt"


def sample_uploads() -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in sorted(SAMPLES.iterdir()) if path.suffix in (".pdf", ".txt")]


def test_run_import_stores_uploads_and_reports_each_file(empty_env):
    progress = []
    outcomes = import_page.run_import(
        sample_uploads(), ImportOptions(year=2021), on_progress=lambda done, total, o: progress.append((done, total))
    )
    assert [o.source_file for o in outcomes] == [SAMPLE_TXT, "sample_form_a.pdf", "sample_form_b.pdf"]
    assert all(o.outcome == importer.Outcome.IMPORTED for o in outcomes)
    assert progress == [(1, 3), (2, 3), (3, 3)]

    con = connect.open_db(empty_env, read_only=True)
    try:
        forms = con.execute("SELECT count(*), count(*) FILTER (WHERE year = 2021) FROM forms").fetchone()
        files = {row[0] for row in con.execute("SELECT DISTINCT source_file FROM forms").fetchall()}
    finally:
        con.close()
    assert forms[0] == sum(o.form_count for o in outcomes) > 3
    assert forms[1] == forms[0]  # the year input filled the forms that print none
    assert files == {SAMPLE_TXT, "sample_form_a.pdf", "sample_form_b.pdf"}  # upload names kept

    frame = import_page.outcomes_frame(outcomes)
    assert list(frame.columns) == ["文件", "结果", "说明"]
    assert frame["结果"].iloc[0] == texts.OUTCOME_IMPORTED.format(count=outcomes[0].form_count)


def test_second_import_reports_duplicates_and_errors(db_file):
    import_page.run_import(sample_uploads()[:1], ImportOptions(year=2021))
    outcomes = import_page.run_import(
        [*sample_uploads()[:1], ("空白.txt", b""), ("说明.key", b"x")], ImportOptions(year=2021)
    )
    frame = import_page.outcomes_frame(outcomes)
    assert frame["结果"].tolist() == ["重复", "错误", "错误"]
    assert SAMPLE_TXT in frame["说明"].iloc[0]
    assert frame["说明"].iloc[1] == texts.REASON_EMPTY
    assert frame["说明"].iloc[2] == texts.REASON_UNSUPPORTED
    assert importer.outcomes_summary(outcomes) == texts.IMPORT_SUMMARY.format(
        files=3, imported=0, forms=0, new=0, replaced=0, duplicate=0, incomplete=0, duplicates=1, partial=0, errors=2
    )


def test_run_import_while_another_process_writes_raises_store_error(db_file, database_held_by_writer):
    with database_held_by_writer(db_file), pytest.raises(schema.StoreError) as raised:
        import_page.run_import(sample_uploads()[:1], ImportOptions())
    assert "占用" in str(raised.value)


def test_page_empty_state_without_database(db_file):
    app = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not app.exception
    assert app.title[0].value == texts.IMPORT_TITLE
    start = [button for button in app.button if button.label == texts.IMPORT_START]
    assert start and start[0].disabled  # nothing uploaded yet
    assert [info.value for info in app.info] == [texts.IMPORT_HISTORY_EMPTY]
    assert not app.dataframe


def test_page_shows_import_history(empty_env):
    import_page.run_import(sample_uploads(), ImportOptions(year=2021))
    import_page.run_import(sample_uploads()[:1], ImportOptions(year=2021))  # a duplicate is not logged
    app = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not app.exception
    assert texts.IMPORT_HISTORY in [header.value for header in app.subheader]
    (history,) = app.dataframe
    frame = history.value
    assert len(frame) == 3
    assert frame["文件"].tolist() == ["sample_form_b.pdf", "sample_form_a.pdf", SAMPLE_TXT]  # newest first
    assert set(frame["结果"]) == {"已导入"}
    assert len(app.get("download_button")) == 2


def test_page_shows_last_results_from_session(db_file):
    outcomes = import_page.run_import(sample_uploads()[:1], ImportOptions(year=2021))
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.session_state["import_page_results"] = outcomes
    app.run()
    assert not app.exception
    assert app.success[0].value == importer.outcomes_summary(outcomes)
    assert app.dataframe[0].value["文件"].tolist() == [SAMPLE_TXT]


def test_office_uploads_are_read_and_false_ones_explained(db_file, tmp_path):
    from tests import office_factory
    from tests.unit.test_office_readers import truth_with_year

    workbook = office_factory.xlsx_workbook(truth_with_year()[:2], tmp_path / "两张表.xlsx", numbers=True)
    outcomes = import_page.run_import(
        [("两张表.xlsx", workbook.read_bytes()), ("旧表.xls", b"\xd0\xcf\x11\xe0 an OLE file")], ImportOptions()
    )
    assert [o.outcome for o in outcomes] == ["imported", "error"]
    assert outcomes[0].form_count == 2
    assert texts.REASON_NOT_OFFICE.format(suffix=".xls") in outcomes[1].message
