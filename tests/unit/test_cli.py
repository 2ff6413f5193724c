"""The command line as a user runs it: exit codes, one line per file, the JSON contract."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.ingest.files import MAX_FILE_BYTES
from tests import pdf_factory
from tests.cli_runner import export_json, run_cli
from tests.reference_truth import SAMPLE_TYPES
from tests.seed_truth import as_read

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
SEED = SAMPLES / "000_4b30dd1c6dd4a20d.txt"
SEED_TRUTH = ROOT / "tests" / "fixtures" / "seed_forms.json"

RECORD_KEYS = [
    "id", "form_kind", "complete", "source_file", "source_pages", "year", "department", "unit", "project_code",
    "project_name", "project_type", "status", "project_amount", "funds", "goal_expected", "goal_actual",
    "indicators", "total_weight", "total_score", "checks",
]  # fmt: skip
FUND_KEYS = ["initial_budget", "annual_budget", "executed", "rate_pct"]
INDICATOR_KEYS = [
    "level1", "level2", "name", "target", "actual", "weight", "score", "target_parts", "reason", "reason_class",
    "reason_subclass",
]  # fmt: skip
CHECK_KEYS = ["rule", "severity", "indicator", "message"]


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "forms.duckdb"
    result = run_cli("import", "--year", "2021", str(SEED), db=db)
    assert result.returncode == 0, result.stdout + result.stderr
    return db


def test_import_prints_one_line_per_file_and_exits_zero(tmp_path):
    db = tmp_path / "f.duckdb"
    result = run_cli("import", "--year", "2021", str(SAMPLES), db=db)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 3
    assert "000_4b30dd1c6dd4a20d.txt：导入 22 张表" in result.stdout
    assert "sample_form_a.pdf：导入 1 张表" in result.stdout
    assert "sample_form_b.pdf：导入 1 张表" in result.stdout


def test_reimport_is_a_duplicate_and_changes_nothing(seed_db, tmp_path):
    before = export_json(seed_db)
    copy = tmp_path / "same_content_other_name.txt"
    shutil.copy(SEED, copy)
    result = run_cli("import", str(SEED), str(copy), db=seed_db)
    assert result.returncode == 0, result.stderr
    file_lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(file_lines) == 2 and all("重复" in line for line in file_lines)
    assert export_json(seed_db) == before


def test_export_json_follows_the_contract(seed_db):
    records = export_json(seed_db)
    assert len(records) == 22
    for record in records:
        assert list(record)[: len(RECORD_KEYS)] == RECORD_KEYS
        assert record["funds"]["unit_printed"] in ("元", "万元")
        assert list(record["funds"]["total"]) == ["initial_budget", "annual_budget", "executed", "weight",
                                                  "rate_pct", "score"]  # fmt: skip
        for key in ("current_year", "carryover", "other"):
            assert list(record["funds"][key]) == FUND_KEYS
        for row in record["indicators"]:
            assert list(row) == INDICATOR_KEYS
        for check in record["checks"]:
            assert list(check)[:4] == CHECK_KEYS
            assert check["severity"] in ("error", "warning", "info")
        assert record["year"] == 2021
        assert record["source_file"] == SEED.name
    assert len({record["id"] for record in records}) == 22


def test_export_json_reproduces_the_seed_exactly(seed_db):
    """Seed text → import → export: every header, weighted row and deducted reason as printed."""
    truth = json.loads(SEED_TRUTH.read_text(encoding="utf-8"))
    records = export_json(seed_db)
    assert len(records) == len(truth)
    for got, want in zip(records, truth, strict=True):
        for key in ("department", "unit", "project_name", "status", "project_amount",
                    "total_weight", "total_score", "funds"):  # fmt: skip
            assert got[key] == want[key], (want["project_name"], key)
        assert got["project_type"] == SAMPLE_TYPES[want["project_type"]]  # resolved by the type rules
        weighted = [row for row in want["indicators"] if (row["weight"] or 0) > 0]
        got_rows = [row for row in got["indicators"] if (row["weight"] or 0) > 0]
        assert as_read(got_rows) == weighted, want["project_name"]


def test_stopped_project_total_not_sum_is_in_checks(seed_db):
    records = export_json(seed_db)
    stopped = [r for r in records if r["project_name"] == "预算准备金(停用）"]
    assert stopped and stopped[0]["total_score"] == 100
    assert any(c["severity"] == "error" and c["indicator"] is None for c in stopped[0]["checks"])


def test_export_csv_one_row_per_indicator(seed_db, tmp_path):
    out = tmp_path / "out.csv"
    result = run_cli("export", "--format", "csv", "--output", str(out), db=seed_db)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    records = export_json(seed_db)
    assert len(rows) == sum(len(r["indicators"]) for r in records)
    first = records[0]
    assert rows[0]["项目名称"] == first["project_name"]
    assert rows[0]["三级指标"] == first["indicators"][0]["name"]
    assert rows[0]["主管部门"] == first["department"]


def test_bad_files_are_explained_and_good_files_still_stored(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    with (folder / "big.pdf").open("wb") as big:  # sparse: refused by its size before any reading
        big.write(b"%PDF-1.7\n")
        big.truncate(MAX_FILE_BYTES + 1)
    bad = {
        "scan.pdf": (pdf_factory.write_image_only_pdf(folder / "scan.pdf"), "扫描件"),
        "broken.pdf": (pdf_factory.write_truncated_pdf(folder / "broken.pdf", SAMPLES / "sample_form_a.pdf"), "损坏"),
        "locked.pdf": (pdf_factory.write_encrypted_pdf(folder / "locked.pdf", pdf_factory.FormSpec()), "加密"),
        "notice.pdf": (pdf_factory.write_plain_text_pdf(folder / "notice.pdf"), "没有找到项目支出绩效自评表"),
        "empty.txt": (folder / "empty.txt", "空文件"),
        "big.pdf": (folder / "big.pdf", "50 MB"),
        "form.docx": (folder / "form.docx", "Word 文件已损坏"),
        "old.doc": (folder / "old.doc", "内容不是 Office"),
        "slides.key": (folder / "slides.key", "不支持的文件类型"),
    }
    (folder / "form.docx").write_bytes(b"PK\x03\x04 not really")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 an OLE file")
    (folder / "slides.key").write_bytes(b"x")
    good = shutil.copy(SAMPLES / "sample_form_b.pdf", folder / "good.pdf")
    db = tmp_path / "f.duckdb"
    result = run_cli("import", *(str(p) for p, _ in bad.values()), str(good), db=db)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    for name, (_, reason) in bad.items():
        line = next((line for line in output.splitlines() if f"{name}：" in line), "")
        assert reason in line, (name, output)
    assert "good.pdf：导入 1 张表" in result.stdout
    records = export_json(db)
    assert [r["project_name"] for r in records] == ["一般管理事务"]
    assert len(records[0]["indicators"]) >= 13


def test_options_fill_only_what_the_form_leaves_blank(tmp_path):
    db = tmp_path / "f.duckdb"
    result = run_cli("import", "--year", "2020", "--department", "219-某某镇人民政府", "--unit", "某中心",
                     str(SAMPLES / "sample_form_a.pdf"), str(SAMPLES / "sample_form_b.pdf"), db=db)  # fmt: skip
    assert result.returncode == 0, result.stderr
    by_name = {r["project_name"]: r for r in export_json(db)}
    assert by_name["购置费"]["unit"] == "某中心"  # blank on the form
    assert by_name["一般管理事务"]["unit"] == "福田区政务服务信息中心"  # printed on the form
    assert {r["department"] for r in by_name.values()} == {"0402009"}  # printed on both
    assert {r["year"] for r in by_name.values()} == {2020}


def test_database_path_from_environment(tmp_path):
    db = tmp_path / "env.duckdb"
    result = run_cli("import", str(SAMPLES / "sample_form_a.pdf"), env={"DASHBOARD_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert db.exists()
    assert len(export_json(db)) == 1


def test_export_without_database_is_a_clear_error(tmp_path):
    result = run_cli("export", "--format", "json", db=tmp_path / "none.duckdb")
    assert result.returncode == 2
    assert "none.duckdb" in result.stderr and "不存在" in result.stderr
    assert "Traceback" not in result.stderr


def test_audit_command_reruns_rules(seed_db):
    before = export_json(seed_db)
    result = run_cli("audit", db=seed_db)
    assert result.returncode == 0, result.stderr
    assert "22" in result.stdout
    after = export_json(seed_db)
    assert [r["checks"] for r in after] == [r["checks"] for r in before]


def test_libreoffice_printed_forms_import_and_export_exactly(tmp_path):
    """PDFs printed by LibreOffice Calc (not by the tests' reportlab) → import → export match the seed truth."""
    printed = ROOT / "tests" / "fixtures" / "libreoffice"
    db = tmp_path / "f.duckdb"
    result = run_cli("import", str(printed / "seven_forms.pdf"), str(printed / "seed_forms_01.pdf"), db=db)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seven_forms.pdf：导入 7 张表" in result.stdout
    truth = json.loads(SEED_TRUTH.read_text(encoding="utf-8"))
    records = export_json(db)
    assert len(records) == 8
    crossing = [r for r in records if len(r["source_pages"]) > 1]
    assert len(crossing) >= 3  # the long forms continue on the next page
    for got in records:
        want = next(
            t for t in truth if (t["project_name"], t["project_amount"]) == (got["project_name"], got["project_amount"])
        )
        for key in ("department", "unit", "status", "funds", "total_weight", "total_score",
                    "goal_expected", "goal_actual"):  # fmt: skip
            assert got[key] == want[key], (want["project_name"], key)
        assert got["project_type"] == SAMPLE_TYPES[want["project_type"]]  # resolved by the type rules
        assert as_read(got["indicators"]) == want["indicators"], want["project_name"]


def test_sample_check_tells_a_sample_database_from_one_with_other_files(tmp_path):
    """make clean deletes the database only where sample-check says every import came from data/samples."""
    db = tmp_path / "f.duckdb"
    assert run_cli("sample-check", str(SAMPLES), db=db).returncode == 1  # no file: nothing to delete
    run_cli("import", "--year", "2021", str(SAMPLES), db=db)
    assert run_cli("sample-check", str(SAMPLES), db=db).returncode == 0
    other = tmp_path / "其他.txt"
    other.write_text(SEED.read_text(encoding="utf-8").replace("预算准备金", "预算准备金甲", 1), encoding="utf-8")
    run_cli("import", "--year", "2021", str(other), db=db)
    assert run_cli("sample-check", str(SAMPLES), db=db).returncode == 1


@pytest.mark.parametrize(
    "command",
    [("user", "list"), ("import", "--year", "2021", str(SEED)), ("export", "--format", "json"), ("batches",)],
)
def test_a_bad_audit_config_is_a_message_for_every_command(tmp_path, seed_db, command):
    """Configuration is read when used, never at import: a bad $DASHBOARD_AUDIT_CONFIG gives the Chinese
    message naming the file and exit 2 (cli/main.py's one place), not a traceback, even for `user list`."""
    bad = tmp_path / "bad.toml"
    bad.write_text("grades = [\n", encoding="utf-8")
    db = tmp_path / "f.duckdb"
    shutil.copy(seed_db, db)
    args = (*command[:2], "--db", str(db), *command[2:]) if command[0] == "user" else (*command, "--db", str(db))
    result = run_cli(*args, env={"DASHBOARD_AUDIT_CONFIG": str(bad)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "复核配置文件" in result.stderr and str(bad) in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_any_module_reads_no_configuration(tmp_path):
    """Every dashboard module imports with a bad $DASHBOARD_AUDIT_CONFIG set: nothing reads it at import."""
    bad = tmp_path / "bad.toml"
    bad.write_text("grades = [\n", encoding="utf-8")
    script = (
        "import importlib, pkgutil, dashboard\n"
        "names = [m.name for m in pkgutil.walk_packages(dashboard.__path__, 'dashboard.')\n"
        "         if m.name != 'dashboard.app' and '.pages.' not in m.name and m.name != 'dashboard.__main__']\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DASHBOARD_AUDIT_CONFIG": str(bad)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 50
