"""Who may do what on the pages: sign-in against the accounts in the database (dashboard/accounts.py).

- No account in the database: everyone may do everything — the single-user local tool.
- Accounts exist: the 导入 page and every write need an account with the 导入 (or 管理) role.
- DASHBOARD_REQUIRE_SIGNIN=1 in the environment, or `require_signin = true` in
  .streamlit/secrets.toml: every page needs a signed-in account (any role).

The signed-in account lives in this browser session's server-side state (st.session_state),
which the browser cannot write; its role is read again from the database on every run, so a
removed account or a changed role takes effect at once.
"""

from __future__ import annotations

import os
import time

import duckdb
import streamlit as st

from dashboard import accounts, db, store, texts
from dashboard.accounts import Account
from dashboard.untrusted import markdown_literal

REQUIRE_ENV_VAR = "DASHBOARD_REQUIRE_SIGNIN"
REQUIRE_SECRET = "require_signin"
SESSION_KEY = "auth_account"
FAILED_SIGNIN_DELAY_SECONDS = 1.0  # slows password guessing through the form


def signin_required_everywhere() -> bool:
    """The setting that makes every page require sign-in (environment variable or secrets.toml)."""
    if os.environ.get(REQUIRE_ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    try:
        return bool(st.secrets.get(REQUIRE_SECRET, False))
    except FileNotFoundError:  # no secrets.toml (StreamlitSecretNotFoundError is one)
        return False


def accounts_exist() -> bool:
    """True once the database holds an account. A database that exists but cannot be read counts as yes."""
    found = db.problem()
    if found is not None:
        return found[0] != "missing"
    with db.cursor() as cur:
        return accounts.has_accounts(cur)


def current() -> Account | None:
    """The signed-in account with its role as stored now; signs out an account that no longer exists."""
    account: Account | None = st.session_state.get(SESSION_KEY)
    if account is None:
        return None
    try:
        with db.cursor() as cur:
            role = accounts.role_of(cur, account.name)
    except (duckdb.Error, store.StoreError):
        return account  # the database is busy (an import): keep the session as it was
    if role is None:
        st.session_state.pop(SESSION_KEY, None)
        return None
    if role != account.role:
        account = st.session_state[SESSION_KEY] = Account(account.name, role)
    return account


def signed_in_name() -> str | None:
    account = current()
    return account.name if account else None


def allowed(role: str = accounts.IMPORTER) -> bool:
    """May this session do what `role` may? Without accounts, yes."""
    if not accounts_exist():
        return True
    account = current()
    return account is not None and account.may(role)


class WriteRefused(store.StoreError):
    """A write from a session that is not signed in with the 导入 role, while accounts exist."""


def check_write_allowed(con: duckdb.DuckDBPyConnection) -> None:
    """The server-side check behind every write from the pages, on the connection opened for it
    (import_page._writing calls it): a page that forgot to ask for sign-in still cannot write."""
    if not accounts.has_accounts(con):
        return
    account: Account | None = st.session_state.get(SESSION_KEY)
    role = accounts.role_of(con, account.name) if account else None
    if role is None or not Account(account.name, role).may(accounts.IMPORTER):
        raise WriteRefused(texts.SIGNIN_IMPORT_INTRO)


def require(role: str = accounts.IMPORTER, intro: str = texts.SIGNIN_IMPORT_INTRO) -> bool:
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
            st.session_state.pop(SESSION_KEY, None)
            st.rerun()


def _signin_form(intro: str) -> None:
    st.subheader(texts.SIGNIN_TITLE, anchor=False)
    st.caption(intro)
    with st.form("auth_signin", border=True):
        name = st.text_input(texts.SIGNIN_NAME, key="auth_name", max_chars=accounts.MAX_NAME_LENGTH)
        password = st.text_input(texts.SIGNIN_PASSWORD, type="password", key="auth_password")
        submitted = st.form_submit_button(texts.SIGNIN_SUBMIT, type="primary")
    if not submitted:
        return
    with db.cursor() as cur:
        account = accounts.authenticate(cur, name, password)
    if account is None:
        time.sleep(FAILED_SIGNIN_DELAY_SECONDS)
        st.error(texts.SIGNIN_FAILED, icon=":material/error:")
        return
    st.session_state[SESSION_KEY] = account
    st.rerun()
