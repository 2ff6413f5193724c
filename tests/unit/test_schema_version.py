"""The database records its schema version; older files are migrated by a writer, refused clearly by a reader."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard.store import connect, reads, schema

V1_SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v1.sql"


def make_v1_file(path: Path) -> None:
    """A version-1 file holding one form with a deducted row whose reason is "--" (no reason)."""
    con = duckdb.connect(str(path))
    con.execute(V1_SCHEMA.read_text(encoding="utf-8"))
    con.execute(
        "INSERT INTO import_batches (file_name, sha256, imported_at, outcome, form_count) "
        "VALUES ('旧.txt', 'aa', now(), 'imported', 1)"
    )
    con.execute(
        "INSERT INTO forms (form_id, batch_id, position, source_file, year, department, project_name, project_type, "
        "unit_printed, total_weight, total_score) VALUES ('aa-001', 1, 1, '旧.txt', 2021, '0402009', '购置费', "
        "'购置费', '元', 100, 95)"
    )
    con.execute("INSERT INTO fund_rows VALUES ('aa-001', 'total', 1, 100, 200, 150, 10, 75, 7.5)")
    con.execute(
        "INSERT INTO indicators VALUES ('aa-001', 1, '产出指标', '数量指标', '采购数量', '10台', '8台', 90, 87.5, '--')"
    )
    con.close()


def test_writer_migrates_a_version_1_file(tmp_path):
    path = tmp_path / "old.duckdb"
    make_v1_file(path)
    con = connect.open_db(path)
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
        (form,) = reads.load_forms(con, versions="counted")
        assert form.project_name == "购置费" and form.complete
        row = con.execute("SELECT deducted, points_lost, no_reason, not_measured FROM indicators").fetchone()
        assert row == (True, 2.5, True, False)
        assert con.execute("SELECT exec_rate FROM forms").fetchone()[0] == 0.75
        assert con.execute("SELECT new_count FROM import_batches").fetchone()[0] == 1
        sums = "SELECT indicator_count, deducted_count, points_lost, unexplained_count FROM forms"
        assert con.execute(sums).fetchone() == (1, 1, 2.5, 1)  # version 4: the form's indicator sums
        assert con.execute("SELECT budget, executed FROM forms").fetchone() == (200, 150)  # version 5
    finally:
        con.close()


def test_a_version_3_file_gets_its_forms_indicator_sums(tmp_path):
    """Version 4 adds per-form sums of the indicator rows; a version-3 file has none until migrated."""
    path = tmp_path / "v3.duckdb"
    make_v1_file(path)
    connect.open_db(path).close()
    con = duckdb.connect(str(path))  # back to version 3: no sum columns
    for column in ("indicator_count", "deducted_count", "points_lost", "unexplained_count", "budget", "executed",
                   "not_graded", "scheme_title"):  # fmt: skip
        con.execute(f"ALTER TABLE forms DROP COLUMN {column}")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.execute(
        "INSERT INTO indicators (form_id, position, name, weight, score, reason, deducted, points_lost, no_reason) "
        "VALUES ('aa-001', 2, '满意度', 10, 7, '宣传不足', true, 3, false)"
    )
    con.close()
    con = connect.open_db(path)
    try:
        sums = "SELECT indicator_count, deducted_count, points_lost, unexplained_count FROM forms"
        assert con.execute(sums).fetchone() == (2, 2, 5.5, 1)
        assert con.execute("SELECT budget, executed FROM forms").fetchone() == (200, 150)  # version 5
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
    finally:
        con.close()


def test_reader_of_a_version_1_file_is_told_to_migrate(tmp_path):
    path = tmp_path / "old.duckdb"
    make_v1_file(path)
    with pytest.raises(schema.StoreError) as raised:
        connect.open_db(path, read_only=True)
    assert "旧版本（第 1 版）" in str(raised.value) and "migrate" in str(raised.value)


def test_a_file_from_a_newer_program_is_refused_untouched(tmp_path):
    path = tmp_path / "new.duckdb"
    connect.open_db(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    for read_only in (True, False):
        with pytest.raises(schema.StoreError) as raised:
            connect.open_db(path, read_only=read_only)
        assert "第 99 版" in str(raised.value)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "99"
    con.close()


def test_a_version_9_file_learns_how_each_form_was_read(tmp_path):
    """Version 10 (scans read by OCR) adds forms.read_by, the OCR confirmation, indicators.ocr_confidence and the
    ocr_cells table; a version-9 file's forms were read from their file's kind, none by OCR."""
    path = tmp_path / "v9.duckdb"
    make_v1_file(path)
    connect.open_db(path).close()
    con = duckdb.connect(str(path))  # back to version 9
    for column in ("read_by", "ocr_confirmed_by", "ocr_confirmed_at"):
        con.execute(f"ALTER TABLE forms DROP COLUMN {column}")
    con.execute("ALTER TABLE indicators DROP COLUMN ocr_confidence")
    con.execute("DROP TABLE ocr_cells")
    con.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    con.close()
    con = connect.open_db(path)
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
        assert con.execute("SELECT read_by, ocr_confirmed_by FROM forms").fetchall() == [("text", None)]
        assert con.execute("SELECT ocr_confidence FROM indicators").fetchall() == [(None,)]
        assert con.execute("SELECT count(*) FROM ocr_cells").fetchone() == (0,)
        (form,) = reads.load_forms(con, versions="counted")
        assert form.read_by == "text" and form.ocr_cells == [] and form.complete
    finally:
        con.close()


def _stored_counts_after_migrating(path, version: int, dropped: tuple[str, ...], findings: list[tuple]) -> tuple:
    """A file taken back to `version` (its `dropped` count columns gone, the one form's findings replaced by
    `findings`: rule, severity), opened by a writer: the form's stored error, warning, info and signal counts."""
    make_v1_file(path)
    connect.open_db(path).close()
    con = duckdb.connect(str(path))
    for column in dropped:
        con.execute(f"ALTER TABLE forms DROP COLUMN {column}")
    con.execute("DELETE FROM checks")
    for position, (rule, severity) in enumerate(findings, start=1):
        con.execute(
            "INSERT INTO checks (form_id, position, rule, severity, message) VALUES ('aa-001', ?, ?, ?, 'x')",
            [position, rule, severity],
        )
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
    con.close()
    con = connect.open_db(path)
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
        return con.execute("SELECT error_count, warning_count, info_count, signal_count FROM forms").fetchone()
    finally:
        con.close()


def test_a_version_15_file_gets_each_forms_findings_per_severity(tmp_path):
    """Version 16 keeps each form's findings per severity (the 复核 page ranked and summed them from every finding);
    the migration counts them from the stored findings, and a form with none gets zeros."""
    findings = [("total_not_sum", "error"), ("missing_reason", "warning"), ("missing_reason", "warning"),
                ("execution_cap", "warning")]  # fmt: skip
    dropped = ("error_count", "warning_count", "info_count", "signal_count")
    assert _stored_counts_after_migrating(tmp_path / "v15.duckdb", 15, dropped, findings) == (1, 3, 0, 1)


def test_a_version_16_file_gets_each_forms_risk_signals(tmp_path):
    """Version 17 keeps each form's findings of a risk signal too (the 复核 page's 风险信号 view ranked and counted
    them from every signal's finding); the migration counts them from the stored findings."""
    findings = [("execution_cap", "warning"), ("copied_text", "warning"), ("missing_reason", "warning")]
    assert _stored_counts_after_migrating(tmp_path / "v16.duckdb", 16, ("signal_count",), findings) == (0, 3, 0, 2)
