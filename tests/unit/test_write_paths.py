"""Every write path with a file already imported first, last and in the middle of the run (issue 24, point 1).

DuckDB ≥ 2 refuses `register` on a connection whose last result was read with `fetchone()` and not to its
end. The duplicate check (`reads.find_imported`) left such a result when the run's last file was a duplicate,
so the first `register` of the run (versions.place) raised ResourceInUseException and no file was imported.
No test had a run whose *last* file was already stored, and the tests ran on DuckDB 1.x, which allowed it.
These run on the DuckDB pip installs (the version is printed by the first test).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from dashboard.importing import importer
from dashboard.store import connect
from dashboard.ui.pages import import_page
from tests.cli_runner import export_json, run_cli
from tests.unit.test_cli import SAMPLES, SEED

FORM_A = SAMPLES / "sample_form_a.pdf"
FORM_B = SAMPLES / "sample_form_b.pdf"
# The run after FORM_B is stored: the duplicate at each place; the new files are always stored.
ORDERS = {
    "first": [FORM_B, FORM_A, SEED],
    "middle": [FORM_A, FORM_B, SEED],
    "last": [SEED, FORM_A, FORM_B],
}


def test_the_installed_duckdb_refuses_register_after_an_unfinished_result():
    """The condition these tests guard against still holds on the installed DuckDB (else they prove nothing)."""
    print("duckdb", duckdb.__version__)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER)")
    con.execute("INSERT INTO t VALUES (1), (2)")
    con.execute("SELECT a FROM t LIMIT 1").fetchone()
    if int(duckdb.__version__.split(".")[0]) >= 2:
        with pytest.raises(duckdb.Error):
            con.register("x", pa.table({"b": [1]}))


def _stored(db: Path) -> tuple[int, int]:
    """(current forms, stored versions)."""
    con = connect.open_db(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FILTER (WHERE superseded_by IS NULL), count(*) FROM forms").fetchall()[0]
    finally:
        con.close()


# Truth by hand: the seed text holds 22 forms; the PDFs are versions of its forms 3 and 10 (whichever comes
# later replaces the other): 22 current forms, 24 stored versions.
AFTER_ALL = (22, 24)


@pytest.mark.parametrize("place", list(ORDERS))
def test_import_files_with_a_duplicate_anywhere(tmp_path, place):
    db = tmp_path / "f.duckdb"
    con = connect.open_db(db)
    try:
        importer.import_files(con, [(FORM_B, FORM_B.name)], importer.ImportOptions(year=2021))
        outcomes = importer.import_files(con, [(p, p.name) for p in ORDERS[place]], importer.ImportOptions(year=2021))
    finally:
        con.close()
    assert {o.source_file: o.outcome for o in outcomes} == {
        FORM_B.name: importer.Outcome.DUPLICATE,
        FORM_A.name: importer.Outcome.IMPORTED,
        SEED.name: importer.Outcome.IMPORTED,
    }
    assert _stored(db) == AFTER_ALL


@pytest.mark.parametrize("place", ["first", "last"])
def test_app_import_with_a_duplicate_first_or_last(tmp_path, place):
    db = tmp_path / "f.duckdb"
    uploads = [(p.name, p.read_bytes()) for p in ORDERS[place]]
    stored_first = uploads[-1:] if place == "last" else uploads[:1]
    import_page.run_import(stored_first, importer.ImportOptions(year=2021), db_path=db)
    outcomes = import_page.run_import(uploads, importer.ImportOptions(year=2021), db_path=db)
    assert sum(o.outcome == importer.Outcome.DUPLICATE for o in outcomes) == 1
    assert all(o.ok for o in outcomes)
    assert _stored(db) == AFTER_ALL


def test_cli_import_whose_last_file_is_a_duplicate(tmp_path):
    """The issue's command lines, exactly."""
    db = tmp_path / "x.duckdb"
    assert run_cli("import", "--year", "2021", str(FORM_B), db=db).returncode == 0
    again = run_cli("import", "--year", "2021", str(FORM_A), str(FORM_B), db=db)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert re.search(r"sample_form_a\.pdf：导入 1 张表", again.stdout)
    assert {record["source_file"] for record in export_json(db)} == {FORM_A.name, FORM_B.name}


def test_undo_then_import_with_the_duplicate_last(tmp_path):
    """Undo (remove) reads one row before it writes; a later run with a stored file last still imports."""
    db = tmp_path / "f.duckdb"
    con = connect.open_db(db)
    try:
        importer.import_files(con, [(FORM_B, FORM_B.name), (FORM_A, FORM_A.name)], importer.ImportOptions(year=2021))
        batch_a = con.execute("SELECT batch_id FROM import_batches WHERE file_name = ?", [FORM_A.name]).fetchall()
        importer.remove_batch(con, batch_a[0][0])
        outcomes = importer.import_files(
            con, [(FORM_A, FORM_A.name), (FORM_B, FORM_B.name)], importer.ImportOptions(year=2021)
        )
    finally:
        con.close()
    assert [o.outcome for o in outcomes] == [importer.Outcome.IMPORTED, importer.Outcome.DUPLICATE]
    assert _stored(db) == (2, 2)


def test_no_fetchone_on_the_writers_connection():
    """One-row reads in the write path go through transactions.first_row (read to the end)."""
    root = Path(__file__).resolve().parents[2] / "dashboard"
    writers = ["store/connect.py", "store/schema.py", "store/migrations.py", "store/writes.py", "store/reads.py",
               "importing/versions.py", "importing/importer.py", "audit/review.py", "reference/reference.py",
               "reference/organisations.py", "reference/project_types.py", "reference/shown.py", "importing/demo.py",
               "core/transactions.py"]  # fmt: skip
    assert [name for name in writers if ".fetchone()" in (root / name).read_text(encoding="utf-8")] == []
