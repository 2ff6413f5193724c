"""Fixtures of the page tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.store import connect


@pytest.fixture
def db_file(tmp_path, monkeypatch) -> Path:
    """A database file that does not exist yet, named in $DASHBOARD_DB as the pages read it."""
    path = tmp_path / "forms.duckdb"
    monkeypatch.setenv(connect.DB_ENV_VAR, str(path))
    return path
