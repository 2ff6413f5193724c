"""`python -m dashboard migrate --to` (dashboard/outputs/transfer.py): a file with its whole history (imports
and form versions, a removed import, an account, reference data, a spot check, a 整改 item) copied into a new
lake and back into a new file: every table's rows, ids kept, the JSON export of every version byte-identical;
a target that is not new is refused."""

from __future__ import annotations

import re
import shutil

import pytest

from dashboard.core import dialect
from dashboard.store import connect
from tests.cli_runner import run_cli

pytestmark = pytest.mark.lake

# Tables whose rows the copy must keep, with a column that orders them (their ids among them).
KEPT = {
    "import_batches": "batch_id",
    "forms": "form_id",
    "indicators": "form_id, position",
    "users": "name",
    "ref_organisations": "org_id",
    "ref_org_spellings": "spelling",
    "spot_plans": "plan_id",
    "spot_entries": "entry_id",
    "rectify_items": "item_id",
    "rectify_history": "item_id, seq",
}


@pytest.fixture
def history_db(sample_db, tmp_path):
    """The samples, then an account, a spot check, a 整改 item and an import removed: every kind of table filled."""
    path = tmp_path / "source.duckdb"
    shutil.copy(sample_db, path)
    steps = [
        (["user", "add", "张三", "--role", "importer", "--password-stdin", "--db", str(path)], "a-long-password\n"),
        (["spotcheck", "create", "2021 抽查", "--size", "4", "--seed", "7", "--by", "李审", "--db", str(path)], None),
        (["rectify", "add", "预算执行偏低", "--unit", "甲中心", "--db", str(path)], None),
    ]
    for args, stdin in steps:
        result = run_cli(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
    return path


def _rows(location) -> dict[str, list[tuple]]:
    con = connect.open_db(location, read_only=True)
    try:
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY {by}").fetchall() for table, by in KEPT.items()}
    finally:
        con.close()


def _export(location) -> bytes:
    result = run_cli("export", "--format", "json", "--all-versions", db=location, text=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_file_goes_into_a_lake_and_back_whole(history_db, new_lake, tmp_path):
    before = _rows(history_db)
    assert all(before[table] for table in KEPT), [table for table in KEPT if not before[table]]
    location = new_lake()
    into_lake = run_cli("migrate", "--to", location, db=history_db)
    assert into_lake.returncode == 0, into_lake.stderr
    assert re.search(r"^  forms：24 行$", into_lake.stdout, re.MULTILINE)  # progress: one line per table
    assert "逐字节相同（24 张表）" in into_lake.stdout
    assert _rows(location) == before  # ids kept: batches, organisations, plans, items
    assert _export(location) == _export(history_db)

    back = tmp_path / "copy.duckdb"
    into_file = run_cli("migrate", "--to", str(back), db=location)
    assert into_file.returncode == 0, into_file.stderr
    assert _rows(back) == before
    assert _export(back) == _export(history_db)

    for copy in (location, back):  # new ids go on after the copied ones
        con = connect.open_db(copy)
        try:
            last = con.execute("SELECT max(batch_id) FROM import_batches").fetchall()[0][0]
            assert dialect.next_id(con, "batch_id_seq") == last + 1
        finally:
            con.close()


def test_a_target_that_is_not_new_is_refused_untouched(history_db, new_lake, tmp_path):
    existing = tmp_path / "other.duckdb"
    shutil.copy(history_db, existing)
    refused = run_cli("migrate", "--to", str(existing), db=history_db)
    assert refused.returncode == 2 and "已有内容" in refused.stderr and "Traceback" not in refused.stderr
    location = new_lake()
    assert run_cli("migrate", "--to", location, db=history_db).returncode == 0
    rows = _rows(location)
    again = run_cli("migrate", "--to", location, db=existing)
    assert again.returncode == 2 and "已有内容" in again.stderr, again.stdout + again.stderr
    assert _rows(location) == rows
