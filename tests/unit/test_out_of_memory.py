"""A whole-database job that runs out of DuckDB's memory is told in Chinese, with no traceback, and leaves the
database as it was (real DuckDB, its memory limit lowered for the job)."""

from __future__ import annotations

from pathlib import Path

from dashboard.cli import main
from dashboard.core import texts
from dashboard.store import connect
from tests.cli_runner import export_json, run_cli

SEED = Path(__file__).resolve().parents[2] / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"


def test_an_audit_out_of_memory_is_said_in_chinese_and_changes_nothing(tmp_path, monkeypatch, capsys):
    db = tmp_path / "forms.duckdb"
    assert run_cli("import", "--year", "2021", str(SEED), db=db).returncode == 0
    before = export_json(db)
    monkeypatch.setattr(connect, "BULK_JOB_MEMORY", "1MB")  # what a 10⁶-form lake met at 768 MB
    assert main.main(["audit", "--db", str(db)]) == 2
    said = capsys.readouterr().err
    assert texts.CLI_OUT_OF_MEMORY.format(command="audit") in said
    assert "Traceback" not in said and "duckdb" not in said.lower()
    assert export_json(db) == before
