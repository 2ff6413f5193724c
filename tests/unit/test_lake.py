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
from dashboard.importing import importer, versions
from dashboard.store import connect, lake, reads, schema
from tests.cli_runner import ROOT, export_json, run_cli
from tests.conftest import SAMPLE_YEAR, SAMPLES
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy

pytestmark = pytest.mark.lake
OPTIONS = importer.ImportOptions(year=SAMPLE_YEAR)


def test_the_samples_imported_into_a_lake_export_as_from_a_file(new_lake, sample_db):
    location = new_lake()
    imported = run_cli("import", "--year", str(SAMPLE_YEAR), str(SAMPLES), db=location)
    assert imported.returncode == 0, imported.stderr
    exported = export_json(location)
    assert len(exported) == 22  # 24 stored, the two PDFs replacing forms 3 and 10
    assert exported == export_json(sample_db)
    data = Path(os.environ[lake.LAKE_DATA_ENV_VAR])
    assert list(data.glob("main/forms/year=2021/*.parquet")), "the forms are Parquet files, one folder per year"


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
    once, with a batch id of its own, and form identity is never decided on a stale view: the seed forms split
    this way hold one form as 可能重复 (one importer after the other), so here that form is held too, never
    both new. A save that replaces a stored form writes to its row and conflicts with the other's save (then
    placed again on the newer snapshot, importer._retried); two copies both placed as new are held by whoever
    finds the other's after its commit (versions.recheck_new; both, when both commit first). Organisation ids
    come from PostgreSQL's sequence, and two reference refreshes that both learned something conflict, so
    neither importer adds a row the other added."""
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
    processes = [_start_import(location, files[side]) for side in ("a", "b")]
    results = [process.communicate(timeout=600) for process in processes]
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stdout + stderr
    con = connect.open_db(location, read_only=True)
    try:
        batches = reads.batches(con)
        doubled = con.execute("SELECT form_id FROM forms GROUP BY ALL HAVING count(*) > 1").fetchall()
        held = con.execute("SELECT count(*) FROM forms WHERE pending_duplicate").fetchall()
        # Reference data both learned at once (no keys on a lake): no id twice, no spelling or type twice.
        twice = [
            con.execute(f"SELECT {key} FROM {table} GROUP BY ALL HAVING count(*) > 1").fetchall()
            for table, key in (
                ("ref_organisations", "org_id"), ("ref_org_spellings", "spelling"),
                ("ref_project_types", "project_name, printed_type, project_code"), ("ref_reason_classes", "reason"),
            )
        ]  # fmt: skip
        learned = con.execute("SELECT count(*) FROM ref_org_spellings").fetchall()[0][0]
    finally:
        con.close()
    assert sorted(batches["file_name"]) == sorted(p.name for side in files.values() for p in side)
    assert set(batches["outcome"]) == {"imported"}
    assert batches["batch_id"].is_unique
    assert doubled == []  # no form stored twice
    assert held in ([(1,)], [(2,)])  # the form both sides print: held once, or by both; never two new ones
    assert twice == [[], [], [], []] and learned > 0
    assert (batches["new_count"].sum(), batches["duplicate_count"].sum()) == (22 - held[0][0], held[0][0])
    assert len(export_json(location)) == 22  # every stored form, the held one too (as from a file)


def test_importers_started_together_on_a_new_lake_all_land(new_lake, tmp_path):
    """Three importers started at once on a lake nobody has made yet: each may be the first to make DuckLake's
    catalog tables, our tables and the default rules. Whoever meets the other's making opens again on what it
    committed (connect.open_db): every file lands, the schema version is recorded once, the default rules once."""
    location = new_lake()
    records = seed_records()
    paths = []
    for number in range(3):
        path = tmp_path / f"first{number}.txt"
        path.write_text(pipe_copy(records[number * 3 : number * 3 + 3]), encoding="utf-8")
        paths.append(path)
    processes = [_start_import(location, [path]) for path in paths]
    results = [process.communicate(timeout=600) for process in processes]
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stdout + stderr
    con = connect.open_db(location, read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM forms").fetchall()[0][0]
        versions_recorded = con.execute("SELECT count(*) FROM meta WHERE key = 'schema_version'").fetchall()[0][0]
        seeded = con.execute(
            "SELECT count(*) FROM meta WHERE key IN ('reference_rules_seeded', 'reason_rules_seeded')"
        ).fetchall()[0][0]
        rule_positions_twice = con.execute(
            "SELECT 'type', position FROM ref_type_rules GROUP BY ALL HAVING count(*) > 1 UNION ALL "
            "SELECT 'reason', position FROM ref_reason_rules GROUP BY ALL HAVING count(*) > 1"
        ).fetchall()
    finally:
        con.close()
    assert stored == 9
    assert (versions_recorded, seeded, rule_positions_twice) == (1, 2, [])


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


def test_a_form_another_importer_stored_meanwhile_is_held_not_doubled(new_lake, tmp_path, monkeypatch):
    """Two importers place the same forms as new at once (inserts alone never conflict on a lake): here the
    second stores its copy between the first's placement and its save. The first finds it after its commit
    (versions.recheck_new) and holds its forms as 可能重复: the forms are never both new."""
    location = new_lake()
    records = seed_records()[:3]
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(pipe_copy(records), encoding="utf-8")
    second.write_text(pipe_copy(records) + "\n", encoding="utf-8")  # the same forms, another file
    real_place = versions.place
    meanwhile: list[importer.FileOutcome] = []

    def place_then_let_the_other_in(con, forms):
        placements = real_place(con, forms)
        if not meanwhile:  # the first importer's placement is made; the second stores its file now
            meanwhile.append(importer.FileOutcome(second.name, importer.Outcome.ERROR, 0, "under way"))
            meanwhile[0] = importer.import_files(connect.StepWriter(location), [(second, second.name)], OPTIONS)[0]
        return placements

    monkeypatch.setattr(versions, "place", place_then_let_the_other_in)
    outcomes = importer.import_files(connect.StepWriter(location), [(first, first.name)], OPTIONS)
    assert meanwhile[0].placed["new"] == 3
    assert (outcomes[0].placed["new"], outcomes[0].placed["duplicate"]) == (0, 3)
    assert "可能重复 3" in outcomes[0].message
    con = connect.open_db(location, read_only=True)
    try:
        counted = con.execute("SELECT count(*) FROM forms WHERE NOT pending_duplicate").fetchall()
        held = con.execute("SELECT count(*) FROM duplicate_candidates").fetchall()
        stored = con.execute("SELECT new_count, duplicate_count FROM import_batches WHERE file_name = ?", [first.name])
        stored_counts = stored.fetchall()
    finally:
        con.close()
    assert counted == [(3,)] and held == [(3,)] and stored_counts == [(0, 3)]
