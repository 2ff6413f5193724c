"""Shared fixtures: a sample database built by the real import of data/samples."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from dashboard.core.model import Form
from dashboard.importing import importer
from dashboard.store import connect, lake, reads
from tests import lake_server, tools
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
# The sample forms do not print their year; they report on 2021 (as the Makefile imports them).
SAMPLE_YEAR = 2021


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked with a program it needs (tests/tools.py) is skipped when the program is missing, unless
    every test must run (REQUIRE_ALL_TOOLS=1 or CI=1): then it fails, so that CI never counts it as done."""
    for marker, (installed, reason) in tools.MISSING.items():
        if item.get_closest_marker(marker) is None or installed():
            continue
        if tools.every_tool_required():
            pytest.fail(f"{reason}; {tools.REQUIRE_ENV_VAR}/CI says every test must run", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[lake_server.PostgresServer]:
    """One PostgreSQL for the run (tests/lake_server.py), started by the first lake test, stopped at the end.
    Only tests marked `lake` use it (the marker skips them, or fails them in CI, where it is missing)."""
    server = lake_server.start_server()
    if server is None:  # pytest_runtest_setup has skipped or failed the test already; not reached
        pytest.fail("PostgreSQL is not installed")
    try:
        yield server
    finally:
        _close_lake_connections()
        lake_server.stop_server(server)


def _close_lake_connections() -> None:
    """Close the lake connections a failed test left open (its traceback keeps them): one closed after the
    server stopped would abort the Python process (DuckDB's ROLLBACK to a PostgreSQL that is gone is fatal)."""
    import gc

    import duckdb

    from dashboard.core import dialect

    gc.collect()
    for found in gc.get_objects():
        if isinstance(found, duckdb.DuckDBPyConnection):
            try:
                if dialect.is_lake(found):
                    found.close()
            except duckdb.Error:
                pass  # closed already


@pytest.fixture
def new_lake(postgres_server, monkeypatch) -> Callable[[], str]:
    """`new_lake()`: a fresh, empty lake's location (DASHBOARD_LAKE_DATA set to its own data folder)."""

    def make() -> str:
        location, data = postgres_server.new_lake()
        monkeypatch.setenv(lake.LAKE_DATA_ENV_VAR, str(data))
        return location

    return make


# The two backends a database can live on (store/lake.py): the storage, import and version tests run on both.
BACKENDS = [pytest.param("file"), pytest.param("lake", marks=pytest.mark.lake)]


@pytest.fixture(params=BACKENDS)
def db_location(request, tmp_path) -> Path | str:
    """A new, empty database on each backend: a DuckDB file's path, or a fresh lake's location."""
    if request.param == "file":
        return tmp_path / "t.duckdb"
    return request.getfixturevalue("new_lake")()


def build_sample_db(path: Path) -> None:
    """Import data/samples into a new database at `path`, as `python -m dashboard import` does."""
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in (".pdf", ".txt"))
    con = connect.open_db(path)
    try:
        outcomes = importer.import_files(con, [(p, p.name) for p in files], importer.ImportOptions(year=SAMPLE_YEAR))
    finally:
        con.close()
    assert all(outcome.outcome == importer.Outcome.IMPORTED for outcome in outcomes), outcomes
    assert [outcome.placed["replaced"] for outcome in outcomes] == [0, 1, 1]  # the PDFs replace forms 3 and 10


def import_samples_into_lake(location: str, data: Path) -> None:
    """data/samples imported into a lake by the command line, as `make` imports them into a file."""
    result = run_cli(
        "import", "--year", str(SAMPLE_YEAR), str(SAMPLES), db=location, env={lake.LAKE_DATA_ENV_VAR: str(data)}
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def sample_lake(postgres_server) -> tuple[str, Path]:
    """The samples in a lake of their own, once per run: (location, data folder). Only read, never written."""
    location, data = postgres_server.new_lake()
    import_samples_into_lake(location, data)
    return location, data


# A scan the OCR reader holds: seed form 1 (预算准备金, one page) at 150 dpi, where five number cells are read
# with less than domain.OCR_CONFIDENCE_MIN ("100%" as "1009", "0%" as "096", …).
HELD_SCAN_COPIER = dict(dpi=150, angle=0.5, seed=1)


def build_held_scan_db(path: Path) -> Path:
    """A database holding only that scan, imported as the 导入 page does (year given): its form is held."""
    from tests import scan_factory

    scan = scan_factory.write_scanned_pdf(
        scan_factory.seed_pdf(1), path.parent / "held_scan.pdf", scan_factory.Copier(**HELD_SCAN_COPIER)
    )
    con = connect.open_db(path)
    try:
        (outcome,) = importer.import_files(con, [(scan, scan.name)], importer.ImportOptions(year=SAMPLE_YEAR))
    finally:
        con.close()
    assert outcome.outcome == importer.Outcome.PARTIAL, outcome  # stored, and held
    return path


@pytest.fixture(scope="session")
def held_scan_db(tmp_path_factory) -> Path:
    """build_held_scan_db, once per run; tests that write copy the file first."""
    return build_held_scan_db(tmp_path_factory.mktemp("held") / "held.duckdb")


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "forms.duckdb"
    build_sample_db(path)
    return path


@pytest.fixture(scope="session")
def sample_forms(sample_db) -> list[Form]:
    """The forms that count, rebuilt as model objects: the tests' source of truth, independent of the SQL.

    The two sample PDFs are later versions of seed forms 3 and 10: 22 forms count, 24 are stored.
    """
    con = connect.open_db(sample_db, read_only=True)
    try:
        return reads.load_forms(con, versions="counted")
    finally:
        con.close()


@contextmanager
def _held_for_writing(path: Path) -> Iterator[None]:
    """Another process opens the database read-write (as a running import would) until the block ends."""
    connect.open_db(path).close()
    code = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture
def database_held_by_writer() -> Callable[[Path], AbstractContextManager[None]]:
    """`with database_held_by_writer(path): ...` — the file is locked by another process inside the block."""
    return _held_for_writing
