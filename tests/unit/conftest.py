"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest

from dashboard.store import connect


@pytest.fixture
def con(tmp_path):
    """A new, empty database opened read-write (a module may define its own `con`)."""
    connection = connect.open_db(tmp_path / "forms.duckdb")
    yield connection
    connection.close()
