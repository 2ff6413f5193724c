"""Shared fixtures: a sample database built by the real import of data/samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import importer, store
from dashboard.model import Form

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
# The sample forms do not print their year; they report on 2021 (as the Makefile imports them).
SAMPLE_YEAR = 2021


def build_sample_db(path: Path) -> None:
    """Import data/samples into a new database at `path`, as `python -m dashboard import` does."""
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in (".pdf", ".txt"))
    con = store.open_db(path)
    try:
        importer.import_files(con, [(p, p.name) for p in files], importer.ImportOptions(year=SAMPLE_YEAR))
    finally:
        con.close()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "forms.duckdb"
    build_sample_db(path)
    return path


@pytest.fixture(scope="session")
def sample_forms(sample_db) -> list[Form]:
    """The stored forms rebuilt as model objects: the tests' source of truth, independent of the SQL."""
    con = store.open_db(sample_db, read_only=True)
    try:
        return store.load_forms(con)
    finally:
        con.close()
