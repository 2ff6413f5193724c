"""Fixtures of the page tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard.store import connect


@pytest.fixture
def db_file(tmp_path, monkeypatch) -> Path:
    """A database file that does not exist yet, named in $DASHBOARD_DB as the pages read it."""
    path = tmp_path / "forms.duckdb"
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    return path


@pytest.fixture
def sample_env(sample_db, monkeypatch) -> Path:
    """The sample database named in $DASHBOARD_DB, as the pages read it."""
    monkeypatch.setenv(connect.DB_ENV_VAR, str(sample_db))
    return sample_db


@pytest.fixture(scope="module")
def con(sample_db):
    """A read-only connection to the sample database (a module may define its own `con`)."""
    connection = duckdb.connect(str(sample_db), read_only=True)
    yield connection
    connection.close()
