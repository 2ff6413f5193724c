"""Accounts and roles, kept in the database's `users` table.

Three roles, each allowed what the one before it is: 查看 (viewer) reads the pages;
导入 (importer) also imports, removes imports and re-runs the audit; 管理 (admin) also
manages accounts. Passwords are hashed with Argon2id (argon2-cffi); the clear text is
never stored or logged. Without any account the dashboard is the single-user local tool
it always was; see dashboard/ui/auth.py for what the pages require once accounts exist.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboard.core import dialect, texts
from dashboard.core.domain import Role
from dashboard.core.transactions import only_row
from dashboard.security import signin_guard

ROLES = tuple(Role)  # each role may do what the ones before it may
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 64

USERS_DDL = """
CREATE TABLE IF NOT EXISTS users (
    name          VARCHAR PRIMARY KEY,
    role          VARCHAR NOT NULL,     -- viewer | importer | admin
    password_hash VARCHAR NOT NULL,     -- Argon2id, PHC string
    created_at    TIMESTAMP NOT NULL,
    changed_at    TIMESTAMP NOT NULL,
    credential_stamp BIGINT DEFAULT 0  -- new random value with each change of password or role
);
"""

_HASHER = PasswordHasher()
# Checked against when the name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message (Chinese) says why."""


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    # The account's credential stamp when this session signed in: a session whose stamp no longer matches
    # the stored one (password or role changed, account removed and made again) is signed out.
    stamp: int = field(default=0, compare=False)

    def may(self, role: Role) -> bool:
        """True when this account's role includes `role` (an admin may import, an importer may view)."""
        return ROLES.index(self.role) >= ROLES.index(role)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the users table and the sign-in log if missing (called by connect.open_db for writers)."""
    dialect.execute_ddl(con, USERS_DDL)
    dialect.execute_ddl(con, signin_guard.SIGNIN_LOG_DDL)


def has_accounts(con: duckdb.DuckDBPyConnection) -> bool:
    """True once any account exists. A database without the table (read-only, older file) has none."""
    return _table_exists(con) and only_row(con, "SELECT count(*) FROM users")[0] > 0


def add_user(con: duckdb.DuckDBPyConnection, name: str, role: str, password: str) -> Account:
    name = check_name(name)
    role = _check_role(role)
    _check_password(password)
    if role_of(con, name) is not None:
        raise AccountError(texts.ACCOUNT_EXISTS.format(name=name))
    now = datetime.now()
    stamp = _new_stamp()
    con.execute(
        "INSERT INTO users (name, role, password_hash, created_at, changed_at, credential_stamp) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [name, role, _HASHER.hash(password), now, now, stamp],
    )
    return Account(name, role, stamp)


def remove_user(con: duckdb.DuckDBPyConnection, name: str) -> None:
    _require_existing(con, name)
    con.execute("DELETE FROM users WHERE name = ?", [name])


def set_password(con: duckdb.DuckDBPyConnection, name: str, password: str) -> None:
    _require_existing(con, name)
    _check_password(password)
    con.execute(
        "UPDATE users SET password_hash = ?, changed_at = ?, credential_stamp = ? WHERE name = ?",
        [_HASHER.hash(password), datetime.now(), _new_stamp(), name],
    )


def set_role(con: duckdb.DuckDBPyConnection, name: str, role: str) -> None:
    """Give the account another role; its open sessions end at their next run (like a password change)."""
    _require_existing(con, name)
    role = _check_role(role)
    con.execute(
        "UPDATE users SET role = ?, changed_at = ?, credential_stamp = ? WHERE name = ?",
        [role, datetime.now(), _new_stamp(), name],
    )


def list_users(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, datetime]]:
    """(name, role, created_at) of every account, by name."""
    if not _table_exists(con):
        return []
    return [tuple(row) for row in con.execute("SELECT name, role, created_at FROM users ORDER BY name").fetchall()]


def authenticate(con: duckdb.DuckDBPyConnection, name: str, password: str) -> Account | None:
    """The account when name and password match, else None (same work either way)."""
    row = None
    if _table_exists(con):
        query = "SELECT password_hash, role, credential_stamp FROM users WHERE name = ?"
        row = con.execute(query, [name.strip()]).fetchone()
    try:
        _HASHER.verify(row[0] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return Account(name.strip(), Role(row[1]), row[2]) if row else None


def stored(con: duckdb.DuckDBPyConnection, name: str) -> Account | None:
    """The account as stored now (role and credential stamp), or None when there is no such account."""
    if not _table_exists(con):
        return None
    row = con.execute("SELECT role, credential_stamp FROM users WHERE name = ?", [name]).fetchone()
    return Account(name, Role(row[0]), row[1]) if row else None


def role_of(con: duckdb.DuckDBPyConnection, name: str) -> Role | None:
    """The account's role now, or None when there is no such account."""
    if not _table_exists(con):
        return None
    row = con.execute("SELECT role FROM users WHERE name = ?", [name]).fetchone()
    return Role(row[0]) if row else None


def check_name(name: str) -> str:
    """The account name, trimmed; refused when empty, too long or holding control characters."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH or any(unicodedata.category(c).startswith("C") for c in name):
        raise AccountError(texts.ACCOUNT_BAD_NAME.format(limit=MAX_NAME_LENGTH))
    return name


def _check_role(role: str) -> Role:
    if role not in ROLES:
        raise AccountError(texts.ACCOUNT_BAD_ROLE.format(roles=", ".join(ROLES)))
    return Role(role)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(texts.ACCOUNT_SHORT_PASSWORD.format(length=MIN_PASSWORD_LENGTH))


def _new_stamp() -> int:
    return secrets.randbits(62)


def _require_existing(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if role_of(con, name) is None:
        raise AccountError(texts.ACCOUNT_MISSING.format(name=name))


def _table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    query = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'users' AND table_schema = 'main'"
    return only_row(con, query)[0] > 0
