"""A database that is a DuckLake (dashboard/store/lake.py): the command line imports into one and exports from
it what it exports from a file, and two importers writing into one lake at the same time both land.

PostgreSQL is started by the tests (tests/lake_server.py); each test has a lake of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.core import dialect
from dashboard.store import connect, lake, reads, schema
from tests.cli_runner import ROOT, export_json, run_cli
from tests.conftest import SAMPLE_YEAR, SAMPLES
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy

pytestmark = pytest.mark.lake


def test_the_samples_imported_into_a_lake_export_as_from_a_file(new_lake, sample_db):
    location = new_lake()
    imported = run_cli("import", "--year", str(SAMPLE_YEAR), str(SAMPLES), db=location)
    assert imported.returncode == 0, imported.stderr
    exported = export_json(location)
    assert len(exported) == 22  # 24 stored, the two PDFs replacing forms 3 and 10
    assert exported == export_json(sample_db)
    data = Path(os.environ[lake.LAKE_DATA_ENV_VAR])
    assert list(data.rglob("forms/*.parquet")), "the forms are Parquet files in the lake's data folder"


def test_a_lake_keeps_no_key_or_sequence_yet_gives_ids_in_order(new_lake):
    con = connect.open_db(new_lake())
    try:
        assert dialect.is_lake(con)
        keys = con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'")
        assert keys.fetchall() == [(0,)]
        first, second = dialect.next_id(con, "batch_id_seq"), dialect.next_id(con, "batch_id_seq")
        assert second == first + 1
    finally:
        con.close()


def _start_import(location: str, files: list[Path]) -> subprocess.Popen:
    command = [sys.executable, "-m", "dashboard", "import", "--db", location, "--year", str(SAMPLE_YEAR)]
    return subprocess.Popen(
        [*command, *map(str, files)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_importers_writing_one_lake_at_once_both_land(new_lake, tmp_path):
    """Two processes (standing for two machines) import different files at the same time: every file lands,
    once, with a batch id of its own, and form identity is decided as one importer after the other decides it
    (the seed forms split this way hold one form as 可能重复: so here too, never both new). Every save deletes
    from `meta` (the pending unit findings), so two saves at once always conflict and the later one is placed
    again on the newer snapshot (importer._retried)."""
    location = new_lake()
    connect.open_db(location).close()  # the tables exist before the race (as they do once a lake is in use)
    records = seed_records()
    files: dict[str, list[Path]] = {}
    for side, part in (("a", records[:11]), ("b", records[11:22])):
        files[side] = []
        for number in range(0, len(part), 4):  # three files each: three commits racing the other side's
            path = tmp_path / f"{side}{number}.txt"
            path.write_text(pipe_copy(part[number : number + 4]), encoding="utf-8")
            files[side].append(path)
    importers = [_start_import(location, files[side]) for side in ("a", "b")]
    results = [importer.communicate(timeout=600) for importer in importers]
    for importer, (stdout, stderr) in zip(importers, results, strict=True):
        assert importer.returncode == 0, stdout + stderr
    con = connect.open_db(location, read_only=True)
    try:
        batches = reads.batches(con)
        doubled = con.execute("SELECT form_id FROM forms GROUP BY ALL HAVING count(*) > 1").fetchall()
        held = con.execute("SELECT count(*) FROM forms WHERE pending_duplicate").fetchall()
    finally:
        con.close()
    assert sorted(batches["file_name"]) == sorted(p.name for side in files.values() for p in side)
    assert set(batches["outcome"]) == {"imported"}
    assert batches["batch_id"].is_unique
    assert doubled == []  # no form stored twice
    assert held == [(1,)]
    assert (batches["new_count"].sum(), batches["duplicate_count"].sum()) == (21, 1)
    assert len(export_json(location)) == 22  # every stored form, the held one too (as from a file)


def test_an_unreachable_catalog_is_explained_without_the_password(monkeypatch, tmp_path):
    monkeypatch.setenv(lake.LAKE_DATA_ENV_VAR, str(tmp_path))
    location = f"ducklake:postgres:dbname=none host={tmp_path} port=1 user=nobody password=s3cret"
    with pytest.raises(schema.StoreError) as raised:
        connect.open_db(location)
    message = str(raised.value)
    assert "无法连接数据湖" in message and "PostgreSQL" in message
    assert "s3cret" not in message and "password=***" in message


def test_a_lake_writer_without_a_data_folder_is_told_which_variable(monkeypatch, new_lake):
    location = new_lake()
    monkeypatch.delenv(lake.LAKE_DATA_ENV_VAR)
    with pytest.raises(schema.StoreError) as raised:
        connect.open_db(location)
    assert lake.LAKE_DATA_ENV_VAR in str(raised.value)


@pytest.mark.parametrize("command", [["backup", "--output", "copy.duckdb"], ["restore", "copy.duckdb"]])
def test_file_only_commands_refuse_a_lake_with_a_message(command, tmp_path):
    location = f"ducklake:postgres:dbname=none host={tmp_path} port=1 user=nobody"
    result = run_cli(*command, db=location)
    assert result.returncode == 2, result.stderr
    assert "只用于数据库文件" in result.stderr and "Traceback" not in result.stderr
