"""Who may do what on the pages: sign-in against the accounts in the database (dashboard/security/accounts.py).

- No account in the database: everyone may do everything — the single-user local tool.
- Accounts exist: the 导入 page and every write need an account with the 导入 (or 管理) role.
- DASHBOARD_REQUIRE_SIGNIN=1 in the environment, or `require_signin = true` in
  .streamlit/secrets.toml: every page needs a signed-in account (any role).

The signed-in account lives in this browser session's server-side state (st.session_state),
which the browser cannot write. On every run the account is read again from the database: a removed
account, or one whose password or role changed since this session signed in (its credential stamp,
dashboard/security/accounts.py), is signed out. A session left idle longer than the idle setting
(DASHBOARD_IDLE_MINUTES, or `idle_minutes` in secrets.toml; default IDLE_MINUTES_DEFAULT) is signed out.

Password guessing is braked by dashboard/security/signin_guard.py: delays and locks per account and per address
from the sign-in log, and a bound on concurrent password checks.
"""

from __future__ import annotations

import os
import time
from datetime import datetime

import duckdb
import streamlit as st

from dashboard.core import texts
from dashboard.core.domain import Role
from dashboard.security import accounts, signin_guard
from dashboard.security.accounts import Account
from dashboard.security.untrusted import markdown_literal
from dashboard.store import schema
from dashboard.ui import db

REQUIRE_ENV_VAR = "DASHBOARD_REQUIRE_SIGNIN"
REQUIRE_SECRET = "require_signin"
SESSION_KEY = "auth_account"
LAST_SEEN_KEY = "auth_last_seen"  # time.monotonic() of this session's last run while signed in
NOTICE_KEY = "auth_notice"  # why this session was signed out, said once on the sign-in form
IDLE_ENV_VAR = "DASHBOARD_IDLE_MINUTES"
IDLE_SECRET = "idle_minutes"
IDLE_MINUTES_DEFAULT = 60.0


def signin_required_everywhere() -> bool:
    """The setting that makes every page require sign-in (environment variable or secrets.toml)."""
    if os.environ.get(REQUIRE_ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    try:
        return bool(st.secrets.get(REQUIRE_SECRET, False))
    except FileNotFoundError:  # no secrets.toml (StreamlitSecretNotFoundError is one)
        return False


def idle_limit_seconds() -> float:
    """How long a signed-in session may go without a run (environment variable, secrets.toml, or default)."""
    value = os.environ.get(IDLE_ENV_VAR, "").strip()
    if not value:
        try:
            value = st.secrets.get(IDLE_SECRET, "")
        except FileNotFoundError:
            value = ""
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        minutes = IDLE_MINUTES_DEFAULT
    return 60 * (minutes if minutes > 0 else IDLE_MINUTES_DEFAULT)


def accounts_exist() -> bool:
    """True once the database holds an account. A database that exists but cannot be read counts as yes."""
    found = db.problem()
    if found is not None:
        return found[0] != "missing"
    with db.cursor() as cur:
        return accounts.has_accounts(cur)


def current() -> Account | None:
    """The signed-in account, as stored now. Signs out a session idle too long, and one whose account was
    removed or had its password or role changed since it signed in (the stored stamp differs)."""
    account: Account | None = st.session_state.get(SESSION_KEY)
    if account is None:
        return None
    now = time.monotonic()
    if now - st.session_state.get(LAST_SEEN_KEY, now) > idle_limit_seconds():
        _sign_out(texts.SIGNIN_IDLE_ENDED)
        return None
    try:
        with db.cursor() as cur:
            stored = accounts.stored(cur, account.name)
    except (duckdb.Error, schema.StoreError):
        return account  # the database is busy (an import): keep the session as it was, checked next run
    if stored is None or stored.stamp != account.stamp:
        _sign_out(texts.SIGNIN_CREDENTIALS_CHANGED)
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return account


def _sign_out(notice: str | None = None) -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(LAST_SEEN_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def signed_in_name() -> str | None:
    account = current()
    return account.name if account else None


def allowed(role: Role = Role.IMPORTER) -> bool:
    """May this session do what `role` may? Without accounts, yes."""
    if not accounts_exist():
        return True
    account = current()
    return account is not None and account.may(role)


class WriteRefused(schema.StoreError):
    """A write from a session that is not signed in with the 导入 role, while accounts exist."""


def check_write_allowed(con: duckdb.DuckDBPyConnection) -> None:
    """The server-side check behind every write from the pages, on the connection opened for it
    (import_page._writing calls it): a page that forgot to ask for sign-in still cannot write."""
    if not accounts.has_accounts(con):
        return
    account: Account | None = st.session_state.get(SESSION_KEY)
    stored = accounts.stored(con, account.name) if account else None
    if account is None or stored is None or stored.stamp != account.stamp or not stored.may(Role.IMPORTER):
        raise WriteRefused(texts.SIGNIN_IMPORT_INTRO)


def require(role: Role = Role.IMPORTER, intro: str = texts.SIGNIN_IMPORT_INTRO) -> bool:
    """True when this session may act as `role`; otherwise draws the sign-in form and returns False."""
    if allowed(role):
        return True
    account = current()
    if account is not None:
        st.warning(
            texts.SIGNIN_NO_ROLE.format(name=markdown_literal(account.name), role=texts.ROLE_LABELS[account.role]),
            icon=":material/lock:",
        )
    _signin_form(intro)
    return False


def require_for_every_page() -> bool:
    """For app.py: False (sign-in form drawn) when the setting asks every page to require sign-in."""
    if not signin_required_everywhere():
        return True
    if not accounts_exist():
        st.error(texts.SIGNIN_NO_ACCOUNTS, icon=":material/lock:")
        return False
    if current() is not None:
        return True
    _signin_form(texts.SIGNIN_INTRO)
    return False


def sidebar_status() -> None:
    """Who is signed in, and a sign-out button, at the bottom of the sidebar."""
    account = current()
    if account is None:
        return
    with st.sidebar:
        st.caption(texts.SIGNIN_AS.format(name=markdown_literal(account.name), role=texts.ROLE_LABELS[account.role]))
        if st.button(texts.SIGNOUT, key="auth_signout", icon=":material/logout:"):
            _sign_out()
            st.rerun()


def _signin_form(intro: str) -> None:
    st.subheader(texts.SIGNIN_TITLE, anchor=False)
    st.caption(intro)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/logout:")
    with st.form("auth_signin", border=True):
        name = st.text_input(texts.SIGNIN_NAME, key="auth_name", max_chars=accounts.MAX_NAME_LENGTH)
        password = st.text_input(texts.SIGNIN_PASSWORD, type="password", key="auth_password")
        submitted = st.form_submit_button(texts.SIGNIN_SUBMIT, type="primary")
    if not submitted:
        return
    try:
        with signin_guard.check_slot():
            account, refusal = _attempt(name, password, client_address())
    except signin_guard.TooManyChecks:
        account, refusal = None, texts.SIGNIN_TOO_MANY_AT_ONCE
    if account is None:
        st.error(refusal, icon=":material/error:")
        return
    st.session_state[SESSION_KEY] = account
    st.session_state[LAST_SEEN_KEY] = time.monotonic()
    st.rerun()


def client_address() -> str:
    """This browser's address as Streamlit gives it (st.context.ip_address): the connection's peer, or the
    X-Forwarded-For of a reverse proxy on this machine (uvicorn trusts that header from 127.0.0.1 and ::1
    only). None for a browser on this machine: UNKNOWN_ADDRESS."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        address = None
    return address if isinstance(address, str) and address else signin_guard.UNKNOWN_ADDRESS


def _attempt(name: str, password: str, address: str) -> tuple[Account | None, str]:
    """Check one password if the sign-in log allows it now, and log the check: (account or None, why not)."""
    now = datetime.now()
    with db.cursor() as cur:
        verdict = signin_guard.verdict(cur, name, address, now)
        if not verdict.allowed:
            return None, _refusal(verdict)
        account = accounts.authenticate(cur, name, password)
    try:
        with db.small_write() as con:
            signin_guard.record(con, name, address, account is not None, now)
    except (duckdb.Error, schema.StoreError):
        return None, texts.DB_BUSY_IMPORTING  # a check that cannot be logged does not sign in
    return account, texts.SIGNIN_FAILED


def _refusal(verdict: signin_guard.Verdict) -> str:
    seconds = max(1, round(verdict.wait.total_seconds()))
    if verdict.locked:
        return texts.SIGNIN_LOCKED.format(minutes=max(1, -(-seconds // 60)))
    return texts.SIGNIN_WAIT.format(seconds=seconds)
