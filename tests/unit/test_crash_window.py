"""A writer killed (kill -9) after its last file committed but before the unit findings (rule 10) were
refreshed: the refresh is recorded as pending in the file's own transaction, and the next writer finishes it
(issue 24, point 8). Before, the findings stayed missing for good: a re-run called every file a duplicate.
And a writer killed in the middle of a file's store (its forms' rows written, not committed): the database
has the whole file or none of it (issue 23). On a file and on a DuckLake (db_location, tests/conftest.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from dashboard.importing import importer
from dashboard.store import connect, writes
from tests import pdf_factory
from tests.cli_runner import run_cli
from tests.unit.test_pdf_reader import PURCHASE_ROWS

ROOT = Path(__file__).resolve().parents[2]
UNIT_FINDINGS = "SELECT f.project_name FROM checks c JOIN forms f USING (form_id) WHERE c.rule = 'unit_all_full_marks'"

# Imports the files and dies by SIGKILL at the moment the unit findings would be refreshed: every file's
# transaction has committed, nothing after it has run.
_KILLED_IMPORT = """
import os, signal, sys
from pathlib import Path
from dashboard.importing import importer
from dashboard.audit import review
from dashboard.store import connect, writes
review.refresh_unit_findings = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
con = connect.open_db(sys.argv[1])
importer.import_files(con, [(Path(p), Path(p).name) for p in sys.argv[2:]], importer.ImportOptions(year=2021))
"""


def full_marks_files(folder: Path) -> list[Path]:
    """Two files of one unit (甲中心), every indicator at full marks: rule 10 flags both forms."""
    files = []
    for name, amount in (("购置费", "118800"), ("办公设备购置", "50000")):
        spec = pdf_factory.FormSpec(project_name=name, project_amount=amount, unit="甲中心", indicators=PURCHASE_ROWS)
        files.append(pdf_factory.write_pdf(folder / f"{name}.pdf", [spec]))
    return files


# Dies by SIGKILL inside the first file's save transaction, after its forms' rows were written (on a lake: their
# Parquet files too), before the commit.
_KILLED_MID_SAVE = _KILLED_IMPORT.replace("review.refresh_unit_findings", "writes.refresh_indicator_sums")


def findings(db: Path | str) -> list[str]:
    con = connect.open_db(db, read_only=True)
    try:
        return sorted(row[0] for row in con.execute(UNIT_FINDINGS).fetchall())
    finally:
        con.close()


def killed_import(db: Path | str, files: list[Path], script: str = _KILLED_IMPORT) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", script, str(db), *map(str, files)], cwd=ROOT, capture_output=True, timeout=300
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr


def test_unit_findings_after_a_normal_import(tmp_path, db_location):
    """The truth by hand: both forms of 甲中心 carry the finding."""
    db = db_location
    con = connect.open_db(db)
    try:
        importer.import_files(con, [(p, p.name) for p in full_marks_files(tmp_path)], importer.ImportOptions(year=2021))
    finally:
        con.close()
    assert findings(db) == ["办公设备购置", "购置费"]


def test_a_rerun_after_kill_9_repairs_the_unit_findings(tmp_path, db_location):
    db = db_location
    files = full_marks_files(tmp_path)
    killed_import(db, files)
    assert findings(db) == []  # both files committed; their findings were never written
    assert len(run_cli("export", "--format", "json", db=db).stdout) > 2  # the forms are there (read-only open)

    again = run_cli("import", "--year", "2021", *map(str, files), db=db)
    assert again.returncode == 0, again.stderr
    assert "重复文件 2 个" in again.stdout
    assert findings(db) == ["办公设备购置", "购置费"]
    con = connect.open_db(db, read_only=True)
    try:
        assert writes.unit_findings_pending(con) is None  # nothing left to do
    finally:
        con.close()


def test_any_writer_open_finishes_the_pending_refresh(tmp_path, db_location):
    db = db_location
    killed_import(db, full_marks_files(tmp_path))
    con = connect.open_db(db, read_only=True)
    try:
        assert writes.unit_findings_pending(con) is not None  # recorded with the files' own transactions
    finally:
        con.close()
    connect.open_db(db).close()  # e.g. `user add`, `audit`, or the 导入 page opening the file to write
    assert findings(db) == ["办公设备购置", "购置费"]


def test_a_kill_9_in_the_middle_of_a_files_store_leaves_none_of_it(tmp_path, db_location):
    db = db_location
    files = full_marks_files(tmp_path)
    connect.open_db(db).close()  # the tables exist: the kill comes in the file's own transaction
    killed_import(db, files, _KILLED_MID_SAVE)
    con = connect.open_db(db, read_only=True)
    try:
        tables = ("import_batches", "forms", "indicators", "fund_rows", "checks")
        counts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table in tables}
    finally:
        con.close()
    assert counts == dict.fromkeys(tables, 0)  # no batch, no form, no row of one: nothing half-visible
    again = run_cli("import", "--year", "2021", *map(str, files), db=db)
    assert again.returncode == 0, again.stderr
    assert "重复文件 0 个" in again.stdout  # the killed file was never recorded: it is imported whole now
    assert findings(db) == ["办公设备购置", "购置费"]
