"""The brakes on password guessing (dashboard/security/signin_guard.py), with a clock the tests pass in, on a real
database's sign-in log; and the bound on concurrent password checks, with real Argon2 checks."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from dashboard.security import accounts, signin_guard
from dashboard.security.signin_guard import ACCOUNT_POLICY, ADDRESS_POLICY, Verdict, decide
from dashboard.store import connect, schema

T0 = datetime(2026, 3, 1, 9, 0, 0)
SECOND = timedelta(seconds=1)


def fail(con, name: str, address: str, times: int, start: datetime = T0, step: timedelta = SECOND) -> datetime:
    """Log `times` failed checks, `step` apart from `start`; returns the time of the last."""
    at = start
    for index in range(times):
        at = start + index * step
        signin_guard.record(con, name, address, False, at)
    return at


def test_the_first_failures_cost_nothing():
    assert decide(ACCOUNT_POLICY.free_failures, T0, T0, ACCOUNT_POLICY).allowed
    assert decide(0, None, T0, ACCOUNT_POLICY).allowed


def test_each_failure_beyond_the_free_ones_doubles_the_wait_up_to_its_cap():
    waits = [decide(n, T0, T0, ACCOUNT_POLICY).wait for n in range(4, 10)]
    assert waits == [timedelta(seconds=s) for s in (2, 4, 8, 16, 32, 64)]
    # The address policy's 19th failure waits its cap, not 2 ** 13 s.
    assert decide(19, T0, T0, ADDRESS_POLICY) == Verdict(ADDRESS_POLICY.max_delay)
    assert decide(5, T0, T0 + 4 * SECOND, ACCOUNT_POLICY).allowed  # the wait has passed


def test_the_lock_lasts_its_length_after_the_last_failure():
    locked = decide(ACCOUNT_POLICY.lock_after, T0, T0 + timedelta(minutes=5), ACCOUNT_POLICY)
    assert locked == Verdict(timedelta(minutes=10), locked=True)
    assert decide(ACCOUNT_POLICY.lock_after, T0, T0 + timedelta(minutes=15), ACCOUNT_POLICY).allowed


def test_an_account_is_locked_by_failures_from_many_addresses(con):
    last = fail(con, "张三", "10.0.0.1", 5)
    last = fail(con, "张三", "10.0.0.2", 5, start=last + SECOND)
    verdict = signin_guard.verdict(con, "张三", "10.0.0.3", last + SECOND)
    assert verdict.locked and verdict.wait == ACCOUNT_POLICY.lock - SECOND
    assert signin_guard.verdict(con, "李四", "10.0.0.3", last + SECOND).allowed  # other accounts are not
    assert signin_guard.verdict(con, "张三", "10.0.0.3", last + ACCOUNT_POLICY.lock).allowed


def test_an_address_is_locked_by_failures_on_many_accounts(con):
    last = T0
    for index in range(ADDRESS_POLICY.lock_after):  # one guess per account: no account is slowed
        last = fail(con, f"user{index}", "10.0.0.9", 1, start=T0 + index * SECOND)
    assert signin_guard.verdict(con, "user0", "10.0.0.8", last + SECOND).allowed
    verdict = signin_guard.verdict(con, "someone", "10.0.0.9", last + SECOND)
    assert verdict.locked and verdict.wait == ADDRESS_POLICY.lock - SECOND


def test_the_owners_success_ends_the_accounts_slowdown_but_not_the_addresss(con):
    last = fail(con, "张三", "10.0.0.1", 6)
    assert not signin_guard.verdict(con, "张三", "10.0.0.2", last + SECOND).allowed
    signin_guard.record(con, "张三", "10.0.0.2", True, last + timedelta(seconds=20))
    assert signin_guard.verdict(con, "张三", "10.0.0.2", last + timedelta(seconds=21)).allowed
    # The attacker's own success does not reset their address: 6 failures there still wait.
    signin_guard.record(con, "own account", "10.0.0.1", True, last + timedelta(seconds=22))
    by_address = signin_guard.verdict(con, "x", "10.0.0.1", last + SECOND)
    assert by_address == Verdict(timedelta(seconds=1))  # 6th failure of the address: 2 s after the last


def test_failures_older_than_the_window_do_not_count(con):
    last = fail(con, "张三", "10.0.0.1", ACCOUNT_POLICY.lock_after)
    assert signin_guard.verdict(con, "张三", "10.0.0.1", last + ACCOUNT_POLICY.window + SECOND).allowed


def test_the_log_says_who_when_from_where_and_whether_it_succeeded(con):
    signin_guard.record(con, " 张三 ", "192.0.2.7", False, T0)
    signin_guard.record(con, "张三", "192.0.2.7", True, T0 + SECOND)
    rows = con.execute("SELECT name, attempted_at, address, success FROM signin_log ORDER BY attempted_at").fetchall()
    assert rows == [("张三", T0, "192.0.2.7", False), ("张三", T0 + SECOND, "192.0.2.7", True)]
    signin_guard.record(con, "李四", "192.0.2.8", True, T0 + signin_guard.LOG_KEEP + 2 * SECOND)
    assert con.execute("SELECT count(*) FROM signin_log").fetchone()[0] == 1  # older rows forgotten


def test_password_checks_beyond_the_bound_are_refused_at_once(con):
    """MAX_CONCURRENT_CHECKS real Argon2 checks hold their places; one more is refused without waiting."""
    accounts.add_user(con, "张三", accounts.Role.VIEWER, "correct horse")
    hash_row = con.execute("SELECT password_hash FROM users").fetchone()[0]
    started, release = threading.Barrier(signin_guard.MAX_CONCURRENT_CHECKS + 1), threading.Event()
    results: list[bool] = []

    def check() -> None:
        with signin_guard.check_slot():
            started.wait()
            results.append(accounts._HASHER.verify(hash_row, "correct horse"))
            release.wait()

    threads = [threading.Thread(target=check) for _ in range(signin_guard.MAX_CONCURRENT_CHECKS)]
    for thread in threads:
        thread.start()
    started.wait()
    began = datetime.now()
    with pytest.raises(signin_guard.TooManyChecks), signin_guard.check_slot():
        pass
    assert datetime.now() - began < timedelta(seconds=0.5)  # refused, not queued
    release.set()
    for thread in threads:
        thread.join()
    assert results == [True] * signin_guard.MAX_CONCURRENT_CHECKS
    with signin_guard.check_slot():  # the places are free again
        pass


def test_a_version_5_file_gets_the_sign_in_log_and_credential_stamps(tmp_path):
    path = tmp_path / "v5.duckdb"
    con = connect.open_db(path)
    accounts.add_user(con, "张三", accounts.Role.IMPORTER, "correct horse")
    con.execute("DROP TABLE signin_log")
    con.execute("ALTER TABLE users DROP COLUMN credential_stamp")
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(schema.StoreError):  # a reader is told to migrate
        connect.open_db(path, read_only=True)
    con = connect.open_db(path)
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION == 17
        assert accounts.stored(con, "张三") == accounts.Account("张三", accounts.Role.IMPORTER)
        assert accounts.stored(con, "张三").stamp == 0
        assert accounts.authenticate(con, "张三", "correct horse") is not None
        signin_guard.record(con, "张三", "10.0.0.1", True, T0)
        accounts.set_password(con, "张三", "another horse")
        assert accounts.stored(con, "张三").stamp != 0
    finally:
        con.close()
