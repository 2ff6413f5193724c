"""Brakes on password guessing: the sign-in log, throttling per account and per address, a bound on
concurrent password checks. Plain Python (no Streamlit): dashboard/ui/auth.py draws the form around it.

Every password check is logged in the database's `signin_log` (who, when, from which address, success).
Before a check, the log decides whether it may happen at all (`verdict`): after a few failures each further
attempt must wait a growing delay, and after more the account (or the address) is locked for a while. The
delay and the lock are refusals, not sleeps: a refused attempt costs the server nothing and holds no thread.
At most MAX_CONCURRENT_CHECKS Argon2 checks (64 MiB each) run at once in the process; an attempt beyond
that is refused at once (`check_slot`), so an anonymous visitor cannot make the server's memory grow.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from dashboard.core import dialect
from dashboard.core.transactions import only_row


@dataclass(frozen=True)
class Policy:
    """When failed sign-ins of one account (or from one address) slow down and lock further attempts."""

    free_failures: int  # failures within `window` that cost nothing
    lock_after: int  # failures within `window` that lock further attempts for `lock`
    first_delay: timedelta  # after the first failure beyond the free ones; doubles with each further one
    max_delay: timedelta
    lock: timedelta
    window: timedelta  # how far back failures count


# The thresholds (README "安全" section says the same numbers).
ACCOUNT_POLICY = Policy(
    free_failures=3, lock_after=10, first_delay=timedelta(seconds=2), max_delay=timedelta(minutes=2),
    lock=timedelta(minutes=15), window=timedelta(hours=1),
)  # fmt: skip
ADDRESS_POLICY = Policy(
    free_failures=5, lock_after=20, first_delay=timedelta(seconds=2), max_delay=timedelta(minutes=2),
    lock=timedelta(minutes=15), window=timedelta(hours=1),
)  # fmt: skip
MAX_CONCURRENT_CHECKS = 4  # Argon2 checks at once in one server process (argon2-cffi: 64 MiB each)
LOG_KEEP = timedelta(days=180)  # older sign-in log rows are deleted as new ones are written
UNKNOWN_ADDRESS = "unknown"  # where the server was not told the client's address

SIGNIN_LOG_DDL = """
CREATE TABLE IF NOT EXISTS signin_log (
    attempted_at TIMESTAMP NOT NULL,
    name     VARCHAR NOT NULL,      -- the account name typed (also names that do not exist)
    address  VARCHAR NOT NULL,      -- the client address the server saw
    success  BOOLEAN NOT NULL
);
"""


@dataclass(frozen=True)
class Verdict:
    """May a password be checked now? If not, for how long not, and whether that is a lock."""

    wait: timedelta = timedelta(0)
    locked: bool = False

    @property
    def allowed(self) -> bool:
        return self.wait <= timedelta(0)


ALLOWED = Verdict()


def decide(failures: int, last_failure: datetime | None, now: datetime, policy: Policy) -> Verdict:
    """The verdict for `failures` counted failures, the last at `last_failure`, under `policy`."""
    if last_failure is None or failures <= policy.free_failures:
        return ALLOWED
    if failures >= policy.lock_after:
        return Verdict(max(last_failure + policy.lock - now, timedelta(0)), locked=True)
    delay = min(policy.first_delay * 2 ** (failures - policy.free_failures - 1), policy.max_delay)
    return Verdict(max(last_failure + delay - now, timedelta(0)))


def stricter(*verdicts: Verdict) -> Verdict:
    """The verdict that waits longest (a lock before a delay of the same length)."""
    return max(verdicts, key=lambda verdict: (verdict.wait, verdict.locked))


def verdict(con: duckdb.DuckDBPyConnection, name: str, address: str, now: datetime) -> Verdict:
    """May `name` from `address` try a password now? From the sign-in log.

    An account's failures count since its last successful sign-in (its owner's success ends the slowdown);
    an address's failures count whatever succeeded meanwhile (an attacker with one account of their own
    cannot reset their address's count by signing in to it).
    """
    if not _log_exists(con):
        return ALLOWED
    account = _failures(con, "name", name.strip(), now - ACCOUNT_POLICY.window, since_success=True)
    by_address = _failures(con, "address", address, now - ADDRESS_POLICY.window, since_success=False)
    return stricter(decide(*account, now, ACCOUNT_POLICY), decide(*by_address, now, ADDRESS_POLICY))


def record(con: duckdb.DuckDBPyConnection, name: str, address: str, success: bool, now: datetime) -> None:
    """Log one password check (and forget rows older than LOG_KEEP)."""
    dialect.execute_ddl(con, SIGNIN_LOG_DDL)
    con.execute("INSERT INTO signin_log VALUES (?, ?, ?, ?)", [now, name.strip(), address, success])
    con.execute("DELETE FROM signin_log WHERE attempted_at < ?", [now - LOG_KEEP])


def _failures(con, column: str, value: str, since: datetime, since_success: bool) -> tuple[int, datetime | None]:
    """(count, time of the last) failures of this name or address after `since` (and its last success)."""
    start = "?"
    params: list = [value, since]
    if since_success:
        start = f"greatest(?, coalesce((SELECT max(attempted_at) FROM signin_log WHERE {column} = ? AND success), ?))"
        params = [value, since, value, since]
    query = f"SELECT count(*), max(attempted_at) FROM signin_log WHERE {column} = ? AND NOT success"
    row = con.execute(f"{query} AND attempted_at > {start}", params).fetchone()
    return int(row[0]), row[1]


def _log_exists(con: duckdb.DuckDBPyConnection) -> bool:
    query = "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'signin_log'"
    return only_row(con, query)[0] > 0


class TooManyChecks(Exception):
    """MAX_CONCURRENT_CHECKS password checks are running already: this attempt is refused, not queued."""


_CHECKS = threading.BoundedSemaphore(MAX_CONCURRENT_CHECKS)


@contextmanager
def check_slot() -> Iterator[None]:
    """One of the MAX_CONCURRENT_CHECKS places for a password check; TooManyChecks at once when none is free."""
    if not _CHECKS.acquire(blocking=False):
        raise TooManyChecks
    try:
        yield
    finally:
        _CHECKS.release()
