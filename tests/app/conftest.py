"""Fixtures of the page tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboard.store import connect, lake
from tests.conftest import BACKENDS, import_samples_into_lake


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


# --- the pages on both backends (a DuckDB file, a lake: dashboard/store/lake.py) -----------------------------


@pytest.fixture(params=BACKENDS)
def pages_env(request, monkeypatch) -> Path | str:
    """The sample data named in $DASHBOARD_DB on each backend, as the pages read it (tests that only read)."""
    if request.param == "file":
        return request.getfixturevalue("sample_env")
    location, data = request.getfixturevalue("sample_lake")
    monkeypatch.setenv(connect.DB_ENV_VAR, location)
    monkeypatch.setenv(lake.LAKE_DATA_ENV_VAR, str(data))
    return location


@pytest.fixture(params=BACKENDS)
def writable_sample_env(request, tmp_path, monkeypatch) -> Path | str:
    """A copy of the sample data of this test's own on each backend, named in $DASHBOARD_DB (tests that write)."""
    if request.param == "file":
        path = tmp_path / "forms.duckdb"
        shutil.copy(request.getfixturevalue("sample_db"), path)
        monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
        return path
    location = request.getfixturevalue("new_lake")()  # sets DASHBOARD_LAKE_DATA
    import_samples_into_lake(location, Path(os.environ[lake.LAKE_DATA_ENV_VAR]))
    monkeypatch.setenv(connect.DB_ENV_VAR, location)
    return location


@pytest.fixture(params=BACKENDS)
def empty_env(request, db_file, monkeypatch) -> Path | str:
    """A database with nothing in it yet on each backend, named in $DASHBOARD_DB: a file that does not exist
    yet, or a new lake (its catalog database made, no table yet)."""
    if request.param == "file":
        return db_file
    location = request.getfixturevalue("new_lake")()
    monkeypatch.setenv(connect.DB_ENV_VAR, location)
    return location
