"""Broken database files on the pages: each named for what is wrong with it, before any sign-in form, never
as "正在导入" (which only a lock held by an import is)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import texts
from dashboard.security import accounts
from dashboard.security.untrusted import hide_paths, markdown_literal
from dashboard.store import connect
from dashboard.ui import auth
from tests.unit.test_broken_database import BREAKERS, damaged_after_opening, expected_message

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["ui/pages/overview.py", "ui/pages/import_page.py", "ui/pages/review_page.py"]


@pytest.fixture(scope="module")
def db_with_an_account(sample_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "forms.duckdb"
    shutil.copy(sample_db, path)
    con = connect.open_db(path)
    accounts.add_user(con, "录入员", accounts.Role.IMPORTER, "s3cret-enough")
    con.close()
    return path


@pytest.mark.parametrize("signin_required", [True, False])
@pytest.mark.parametrize("kind", list(BREAKERS))
def test_each_broken_file_is_named_on_every_page(db_with_an_account, tmp_path, monkeypatch, kind, signin_required):
    path = BREAKERS[kind](db_with_an_account, tmp_path / "forms.duckdb")
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    if signin_required:
        monkeypatch.setenv(auth.REQUIRE_ENV_VAR, "1")
    else:
        monkeypatch.delenv(auth.REQUIRE_ENV_VAR, raising=False)
    app = AppTest.from_file(APP, default_timeout=60).run()
    for page in [None, *PAGES]:
        if page:
            app.switch_page(page).run()
        assert not app.exception, [e.value for e in app.exception]
        errors = [error.value for error in app.error]
        assert len(errors) == 1, errors
        assert errors[0].startswith(markdown_literal(hide_paths(expected_message(kind, path)))), errors
        assert texts.DB_BUSY_IMPORTING not in errors
        assert str(tmp_path) not in errors[0]
        assert texts.SIGNIN_TITLE not in [header.value for header in app.subheader]


def test_a_damaged_block_met_by_a_page_is_named_not_called_an_import(sample_db, tmp_path, monkeypatch):
    path = damaged_after_opening(sample_db, tmp_path)
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    monkeypatch.delenv(auth.REQUIRE_ENV_VAR, raising=False)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert [error.value for error in app.error] == [markdown_literal(hide_paths(expected_message("damaged", path)))]


def test_signing_in_to_a_file_of_an_older_version_says_to_migrate(db_with_an_account, tmp_path, monkeypatch):
    path = tmp_path / "forms.duckdb"
    shutil.copy(db_with_an_account, path)
    con = duckdb.connect(str(path))  # back to version 5: no sign-in log, no credential stamps
    con.execute("DROP TABLE signin_log")
    con.execute("ALTER TABLE users DROP COLUMN credential_stamp")
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.close()
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    monkeypatch.setenv(auth.REQUIRE_ENV_VAR, "1")
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.text_input(key="auth_name").input("录入员")
    app.text_input(key="auth_password").input("s3cret-enough")
    app.button[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    expected = markdown_literal(hide_paths(texts.DB_NEEDS_MIGRATION.format(path=path, version=5)))
    assert [error.value for error in app.error] == [expected]
