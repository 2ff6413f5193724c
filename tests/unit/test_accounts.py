"""Accounts: Argon2 hashes in the users table, roles, and the `python -m dashboard user` commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.core.domain import Role
from dashboard.security import accounts

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse 电池"


def user_cli(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "dashboard", "user", *args, "--db", str(db)]
    return subprocess.run(command, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120)


def test_open_db_creates_an_empty_users_table(con):
    assert not accounts.has_accounts(con)
    assert accounts.list_users(con) == []


def test_password_is_stored_as_an_argon2id_hash_and_checked(con):
    accounts.add_user(con, "  张三 ", Role.IMPORTER, PASSWORD)
    stored = con.execute("SELECT name, role, password_hash FROM users").fetchall()
    assert [(name, role) for name, role, _ in stored] == [("张三", "importer")]
    assert stored[0][2].startswith("$argon2id$")
    assert PASSWORD not in stored[0][2]
    assert accounts.authenticate(con, "张三", PASSWORD) == accounts.Account("张三", "importer")
    assert accounts.authenticate(con, "张三", PASSWORD + "x") is None
    assert accounts.authenticate(con, "李四", PASSWORD) is None
    assert accounts.has_accounts(con)


def test_roles_include_the_ones_below():
    admin, importer, viewer = (accounts.Account("a", role) for role in (Role.ADMIN, Role.IMPORTER, "viewer"))
    assert admin.may(Role.IMPORTER) and admin.may(Role.VIEWER) and admin.may(Role.ADMIN)
    assert importer.may(Role.IMPORTER) and importer.may(Role.VIEWER) and not importer.may(Role.ADMIN)
    assert viewer.may(Role.VIEWER) and not viewer.may(Role.IMPORTER)


def test_refusals(con):
    accounts.add_user(con, "admin", Role.ADMIN, PASSWORD)
    with pytest.raises(accounts.AccountError, match="已存在"):
        accounts.add_user(con, "admin", Role.VIEWER, PASSWORD)
    with pytest.raises(accounts.AccountError, match="至少 8"):
        accounts.add_user(con, "short", Role.VIEWER, "1234567")
    with pytest.raises(accounts.AccountError, match="控制字符"):
        accounts.add_user(con, "a\nb", Role.VIEWER, PASSWORD)
    with pytest.raises(accounts.AccountError, match="角色"):
        accounts.add_user(con, "boss", "root", PASSWORD)
    with pytest.raises(accounts.AccountError, match="不存在"):
        accounts.remove_user(con, "nobody")


def test_password_change_and_removal(con):
    accounts.add_user(con, "王五", Role.VIEWER, PASSWORD)
    accounts.set_password(con, "王五", "a new password")
    assert accounts.authenticate(con, "王五", PASSWORD) is None
    assert accounts.authenticate(con, "王五", "a new password") == accounts.Account("王五", "viewer")
    accounts.remove_user(con, "王五")
    assert accounts.authenticate(con, "王五", "a new password") is None
    assert not accounts.has_accounts(con)


def test_read_only_database_without_the_table_has_no_accounts(tmp_path):
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()  # a file written before accounts existed
    reader = duckdb.connect(str(path), read_only=True)
    try:
        assert not accounts.has_accounts(reader)
        assert accounts.authenticate(reader, "admin", PASSWORD) is None
    finally:
        reader.close()


def test_user_commands_end_to_end(tmp_path):
    db = tmp_path / "forms.duckdb"
    added = user_cli(db, "add", "admin", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "已新建账号 admin（管理）。"
    assert user_cli(db, "add", "reader", "--role", "viewer", "--password-stdin", stdin="another one\n").returncode == 0

    listed = user_cli(db, "list")
    assert listed.returncode == 0
    lines = listed.stdout.strip().splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["admin", "管理"], ["reader", "查看"]]

    again = user_cli(db, "add", "admin", "--role", "viewer", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "已存在" in again.stderr

    assert user_cli(db, "passwd", "reader", "--password-stdin", stdin="changed pw\n").returncode == 0
    assert user_cli(db, "remove", "admin").returncode == 0
    assert [line.split("\t")[0] for line in user_cli(db, "list").stdout.strip().splitlines()] == ["reader"]

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert accounts.authenticate(con, "reader", "changed pw") == accounts.Account("reader", "viewer")
        hashes = [row[0] for row in con.execute("SELECT password_hash FROM users").fetchall()]
    finally:
        con.close()
    # The clear-text passwords appear nowhere: not in the table, not in any output.
    everything = added.stdout + added.stderr + listed.stdout + "".join(hashes)
    assert PASSWORD not in everything and "changed pw" not in everything
