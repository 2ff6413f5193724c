"""Sign-in on the pages: who sees the uploader, and the setting that closes every page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.importing.importer import ImportOptions
from dashboard.security import accounts
from dashboard.store import connect
from dashboard.ui import auth
from dashboard.ui.pages import import_page

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
IMPORT_PAGE = str(ROOT / "dashboard" / "ui" / "pages" / "import_page.py")
PASSWORD = "s3cret-enough"


@pytest.fixture
def db_with_accounts(sample_db, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "forms.duckdb"
    shutil.copy(sample_db, path)
    con = connect.open_db(path)
    try:
        accounts.add_user(con, "录入员", accounts.Role.IMPORTER, PASSWORD)
        accounts.add_user(con, "领导", accounts.Role.VIEWER, PASSWORD)
    finally:
        con.close()
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    monkeypatch.delenv(auth.REQUIRE_ENV_VAR, raising=False)
    return path


def uploaders(app: AppTest) -> list:
    return app.get("file_uploader")


def sign_in(app: AppTest, name: str, password: str) -> AppTest:
    app.text_input(key="auth_name").input(name)
    app.text_input(key="auth_password").input(password)
    return app.button[0].click().run()  # the form's submit button


def test_without_accounts_the_import_page_is_open(sample_db, tmp_path, monkeypatch):
    path = tmp_path / "forms.duckdb"
    shutil.copy(sample_db, path)
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    assert not app.exception
    assert len(uploaders(app)) == 1
    assert texts.SIGNIN_TITLE not in [header.value for header in app.subheader]


def test_with_accounts_the_uploader_waits_for_an_importer(db_with_accounts):
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    assert not app.exception
    assert uploaders(app) == []
    assert texts.SIGNIN_TITLE in [header.value for header in app.subheader]

    sign_in(app, "录入员", "wrong password")
    assert [error.value for error in app.error] == [texts.SIGNIN_FAILED]
    assert uploaders(app) == []

    sign_in(app, "录入员", PASSWORD)
    assert not app.exception
    assert len(uploaders(app)) == 1
    assert app.session_state[auth.SESSION_KEY] == accounts.Account("录入员", accounts.Role.IMPORTER)


def test_a_viewer_cannot_import(db_with_accounts):
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    sign_in(app, "领导", PASSWORD)
    assert uploaders(app) == []
    assert app.warning[0].value == texts.SIGNIN_NO_ROLE.format(name="领导", role="查看")


def test_a_write_from_a_session_not_signed_in_is_refused(db_with_accounts):
    """The server-side check: even called directly, the page's write path refuses without an importer."""
    with pytest.raises(auth.WriteRefused):
        import_page.run_import([("新.txt", b"x")], ImportOptions(year=2021))
    con = connect.open_db(db_with_accounts, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM import_batches WHERE file_name = '新.txt'").fetchone()[0] == 0
    finally:
        con.close()


def test_removed_account_is_signed_out_on_the_next_run(db_with_accounts):
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    sign_in(app, "录入员", PASSWORD)
    assert len(uploaders(app)) == 1
    con = connect.open_db(db_with_accounts)
    try:
        accounts.remove_user(con, "录入员")
    finally:
        con.close()
    app.run()
    assert uploaders(app) == []
    assert auth.SESSION_KEY not in app.session_state


def test_setting_requires_sign_in_on_every_page(db_with_accounts, monkeypatch):
    monkeypatch.setenv(auth.REQUIRE_ENV_VAR, "1")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert [title.value for title in app.title] == []  # the 总览 page is not drawn
    assert not app.dataframe and not app.metric
    sign_in(app, "领导", PASSWORD)
    assert not app.exception
    assert [title.value for title in app.title] == [texts.OVERVIEW_TITLE]  # the page is drawn once signed in
    assert app.metric
    assert texts.SIGNIN_AS.format(name="领导", role="查看") in [caption.value for caption in app.sidebar.caption]


def test_setting_without_any_account_explains_how_to_create_one(sample_db, tmp_path, monkeypatch):
    path = tmp_path / "forms.duckdb"
    shutil.copy(sample_db, path)
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    monkeypatch.setenv(auth.REQUIRE_ENV_VAR, "1")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert [error.value for error in app.error] == [texts.SIGNIN_NO_ACCOUNTS]
    assert not app.metric
