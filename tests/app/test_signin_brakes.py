"""Sign-in on the pages: the sign-in log, the lock and wait messages, the bound on concurrent checks, and
sessions that end when their account's credentials change or when left idle."""

from __future__ import annotations

import io
import re
import sys
import time
from contextlib import ExitStack
from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.cli import main as cli
from dashboard.core import texts
from dashboard.security import accounts, signin_guard
from dashboard.store import connect
from dashboard.ui import auth
from tests.app import test_auth
from tests.app.test_auth import IMPORT_PAGE, PASSWORD, sign_in, uploaders

db_with_accounts = pytest.fixture(test_auth.db_with_accounts.__wrapped__)  # the same accounts as test_auth's

NAME = "录入员"


def log_rows(path) -> list[tuple]:
    con = connect.open_db(path, read_only=True)
    try:
        return con.execute("SELECT name, address, success FROM signin_log ORDER BY attempted_at").fetchall()
    finally:
        con.close()


def prefill_failures(path, name: str, address: str, count: int) -> None:
    con = connect.open_db(path)
    try:
        for _ in range(count):
            signin_guard.record(con, name, address, False, datetime.now())
    finally:
        con.close()


def signed_in_app() -> AppTest:
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    sign_in(app, NAME, PASSWORD)
    assert len(uploaders(app)) == 1
    return app


def errors(app: AppTest) -> list[str]:
    return [error.value for error in app.error]


def test_every_check_is_logged_with_name_address_and_outcome(db_with_accounts):
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    for _ in range(signin_guard.ACCOUNT_POLICY.free_failures):
        sign_in(app, NAME, "wrong password")
        assert errors(app) == [texts.SIGNIN_FAILED]
    sign_in(app, NAME, PASSWORD)
    assert len(uploaders(app)) == 1
    address = signin_guard.UNKNOWN_ADDRESS  # AppTest has no client address
    assert log_rows(db_with_accounts) == [(NAME, address, False)] * 3 + [(NAME, address, True)]


def test_a_locked_account_is_refused_even_with_its_password(db_with_accounts):
    prefill_failures(db_with_accounts, NAME, "198.51.100.4", signin_guard.ACCOUNT_POLICY.lock_after)
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    sign_in(app, NAME, PASSWORD)
    minutes = int(signin_guard.ACCOUNT_POLICY.lock.total_seconds() // 60)
    assert errors(app) == [texts.SIGNIN_LOCKED.format(minutes=minutes)]
    assert uploaders(app) == []
    assert auth.SESSION_KEY not in app.session_state
    assert len(log_rows(db_with_accounts)) == signin_guard.ACCOUNT_POLICY.lock_after  # refusals check nothing


def test_after_several_failures_the_next_attempt_must_wait(db_with_accounts):
    prefill_failures(db_with_accounts, NAME, "198.51.100.4", signin_guard.ACCOUNT_POLICY.free_failures + 3)
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    sign_in(app, NAME, PASSWORD)
    pattern = re.escape(texts.SIGNIN_WAIT).replace(re.escape("{seconds}"), r"(\d+)")
    found = re.fullmatch(pattern, errors(app)[0])
    assert found and 1 <= int(found.group(1)) <= 8  # 2 s doubled twice after the free failures
    assert uploaders(app) == []


def test_sign_ins_beyond_the_concurrent_bound_are_refused_with_a_message(db_with_accounts):
    app = AppTest.from_file(IMPORT_PAGE, default_timeout=30).run()
    with ExitStack() as held:  # every place for a password check is taken (other visitors signing in)
        for _ in range(signin_guard.MAX_CONCURRENT_CHECKS):
            held.enter_context(signin_guard.check_slot())
        sign_in(app, NAME, PASSWORD)
    assert errors(app) == [texts.SIGNIN_TOO_MANY_AT_ONCE]
    assert uploaders(app) == []
    assert log_rows(db_with_accounts) == []
    sign_in(app, NAME, PASSWORD)  # places free again
    assert len(uploaders(app)) == 1


def run_user_command(monkeypatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(["user", *args])


@pytest.mark.parametrize(
    "command",
    [
        ["passwd", NAME, "--password-stdin"],
        ["role", NAME, "--role", accounts.Role.ADMIN],  # even a higher role: the session signs in again
        ["remove", NAME],
    ],
)
def test_a_credential_change_signs_the_session_out_at_its_next_run(db_with_accounts, monkeypatch, command):
    app = signed_in_app()
    assert run_user_command(monkeypatch, *command, "--db", str(db_with_accounts), stdin="a new password\n") == 0
    app.run()
    assert uploaders(app) == []
    assert auth.SESSION_KEY not in app.session_state
    assert texts.SIGNIN_TITLE in [header.value for header in app.subheader]
    assert [info.value for info in app.info] == [texts.SIGNIN_CREDENTIALS_CHANGED]


def test_another_accounts_change_leaves_the_session_alone(db_with_accounts, monkeypatch):
    app = signed_in_app()
    assert run_user_command(monkeypatch, "passwd", "领导", "--password-stdin", "--db", str(db_with_accounts),
                            stdin="a new password\n") == 0  # fmt: skip
    app.run()
    assert len(uploaders(app)) == 1


def test_an_idle_session_is_signed_out(db_with_accounts, monkeypatch):
    monkeypatch.setenv(auth.IDLE_ENV_VAR, "0.05")  # 3 s
    app = signed_in_app()
    app.run()  # within the idle time: still signed in
    assert len(uploaders(app)) == 1
    time.sleep(3.5)
    app.run()
    assert uploaders(app) == []
    assert auth.SESSION_KEY not in app.session_state
    assert [info.value for info in app.info] == [texts.SIGNIN_IDLE_ENDED]


def test_idle_setting(monkeypatch):
    monkeypatch.setenv(auth.IDLE_ENV_VAR, "15")
    assert auth.idle_limit_seconds() == 900
    monkeypatch.setenv(auth.IDLE_ENV_VAR, "not a number")
    assert auth.idle_limit_seconds() == 60 * auth.IDLE_MINUTES_DEFAULT
    monkeypatch.delenv(auth.IDLE_ENV_VAR)
    assert auth.idle_limit_seconds() == 60 * auth.IDLE_MINUTES_DEFAULT
