"""`python -m dashboard lake-compact` (dashboard/store/lake_layout.py): after several imports a lake's small
data files are merged (fewer files for the current snapshot) and the exports stay byte-identical; old
snapshots and their files go only when asked. A new lake writes forms partitioned by year and indicators sorted
deducted rows first; an older lake's indicators are rewritten sorted by the command."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dashboard.core.dialect import LAKE_ALIAS
from dashboard.store import connect, lake, lake_layout
from tests.cli_runner import run_cli
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy

pytestmark = pytest.mark.lake


def _export(location: str) -> bytes:
    result = run_cli("export", "--format", "json", "--all-versions", db=location, text=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _counts(output: str) -> list[tuple[int, int]]:
    found = re.findall(r"当前快照读 (\d+) 个，数据文件夹里共 (\d+) 个", output)
    return [(int(live), int(folder)) for live, folder in found]


def test_compacting_after_several_imports_merges_files_and_keeps_the_exports(new_lake, tmp_path):
    location = new_lake()
    records = seed_records()
    for number in range(4):  # four imports: each save writes its own small files
        path = tmp_path / f"part{number}.txt"
        path.write_text(pipe_copy(records[number * 5 : number * 5 + 5]), encoding="utf-8")
        imported = run_cli("import", "--year", "2021", str(path), db=location)
        assert imported.returncode == 0, imported.stderr
    before = _export(location)

    merged = run_cli("lake-compact", db=location)
    assert merged.returncode == 0, merged.stderr
    (live_before, folder_before), (live_after, folder_after) = _counts(merged.stdout)
    assert live_after < live_before  # the current snapshot reads fewer, larger files
    assert folder_after >= folder_before  # nothing deleted: every snapshot is still readable
    assert "所有快照都保留" in merged.stdout
    assert _export(location) == before
    data = Path(os.environ[lake.LAKE_DATA_ENV_VAR])
    assert [p.name for p in (data / "main" / "forms").iterdir() if p.is_dir()] == ["year=2021"]  # partitioned

    expired = run_cli("lake-compact", "--expire-older-than", "0", db=location)
    assert expired.returncode == 0, expired.stderr
    (_live, folder_kept), (live_last, folder_last) = _counts(expired.stdout)
    assert folder_last < folder_kept and live_last == live_after  # the files only old snapshots needed: gone
    assert _export(location) == before


def test_compacting_a_file_is_refused_with_a_message(tmp_path):
    result = run_cli("lake-compact", db=tmp_path / "forms.duckdb")
    assert result.returncode == 2 and "只用于数据湖" in result.stderr and "Traceback" not in result.stderr


def _indicator_files_in_order(location: str) -> list[list[bool]]:
    """Each data file the current snapshot reads for the indicators: its `deducted` values in the file's row order."""
    con = connect.open_db(location, read_only=True)
    try:
        listed = con.execute(f"SELECT data_file FROM ducklake_list_files('{LAKE_ALIAS}', 'indicators')").fetchall()
        files = [row[0] for row in listed]
        return [
            [row[0] for row in con.execute(
                "SELECT deducted FROM read_parquet(?, file_row_number = true) ORDER BY file_row_number", [path]
            ).fetchall()]
            for path in files
        ]  # fmt: skip
    finally:
        con.close()


def _deducted_first(files: list[list[bool]]) -> bool:
    return all(values == sorted(values, reverse=True) for values in files)


def test_indicators_are_written_deducted_first_and_an_older_lakes_are_rewritten_by_compacting(new_lake, tmp_path):
    location = new_lake()
    records = seed_records()
    first = tmp_path / "first.txt"
    first.write_text(pipe_copy(records[:10]), encoding="utf-8")
    assert run_cli("import", "--year", "2021", str(first), db=location).returncode == 0
    assert run_cli("lake-compact", db=location).returncode == 0  # the catalog's inlined rows written out, sorted
    files = _indicator_files_in_order(location)
    assert files and _deducted_first(files) and any(True in f and False in f for f in files)

    # A lake from before the sort order: files written unsorted (the order switched off, as it was then).
    con = connect.open_db(location)
    con.execute("ALTER TABLE indicators RESET SORTED BY")
    con.close()
    second = tmp_path / "second.txt"
    second.write_text(pipe_copy(records[10:20]), encoding="utf-8")
    assert run_cli("import", "--year", "2021", str(second), db=location).returncode == 0
    con = connect.open_db(location)
    con.execute(f"CALL ducklake_flush_inlined_data('{LAKE_ALIAS}')")
    con.close()
    assert not _deducted_first(_indicator_files_in_order(location))
    before = _export(location)

    merged = run_cli("lake-compact", db=location)
    assert merged.returncode == 0, merged.stderr
    assert _deducted_first(_indicator_files_in_order(location))
    assert _export(location) == before  # the same forms, indicators and history
    con = connect.open_db(location, read_only=True)
    try:
        assert lake_layout.unsorted_tables(con) == []
    finally:
        con.close()


def _files_with_deletes(location: str, table: str) -> int:
    con = connect.open_db(location, read_only=True)
    try:
        listed = f"SELECT count(delete_file) FROM ducklake_list_files('{LAKE_ALIAS}', ?)"
        return int(con.execute(listed, [table]).fetchone()[0])
    finally:
        con.close()


def test_compacting_writes_files_with_many_deleted_rows_again_without_them(new_lake, tmp_path):
    """An update on a lake deletes rows and writes them anew (a removed import, a schema step re-counting forms):
    the files keep their deleted rows, and every page reads them, until lake-compact writes them again."""
    location = new_lake()
    records = seed_records()
    path = tmp_path / "forms.txt"
    path.write_text(pipe_copy(records[:20]), encoding="utf-8")
    assert run_cli("import", "--year", "2021", str(path), db=location).returncode == 0
    assert run_cli("lake-compact", db=location).returncode == 0
    con = connect.open_db(location)
    con.execute("UPDATE forms SET status = status WHERE position % 3 = 0")  # a third of the rows rewritten
    con.execute(f"CALL ducklake_flush_inlined_data('{LAKE_ALIAS}')")  # a few rows' deletes: kept in the catalog
    con.close()
    assert _files_with_deletes(location, "forms") > 0
    before = _export(location)

    assert run_cli("lake-compact", db=location).returncode == 0
    assert _files_with_deletes(location, "forms") == 0
    assert _export(location) == before
