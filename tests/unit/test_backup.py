"""python -m dashboard backup / restore (issue 24, point 9), on real DuckDB files and real processes."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.core import texts
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"


def export_json(db: Path) -> bytes:
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "export", "--db", str(db), "--format", "json", "--all-versions"],
        cwd=ROOT, capture_output=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def form_count(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM forms").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def database(tmp_path, sample_db) -> Path:
    path = tmp_path / "forms.duckdb"
    shutil.copyfile(sample_db, path)
    password = "长长的密码123\n"
    added = run_cli("user", "add", "张三", "--role", "admin", "--db", str(path), "--password-stdin", stdin=password)
    assert added.returncode == 0, added.stderr  # an account too: a backup holds the users table
    return path


def test_backup_and_restore_give_the_same_json_export(database, tmp_path):
    original = export_json(database)
    target = tmp_path / "备份" / "forms-backup.duckdb"
    target.parent.mkdir()
    result = run_cli("backup", "--db", str(database), "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert texts.BACKUP_DONE.split("：")[0].format(path=target) in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert export_json(target) == original
    con = duckdb.connect(str(target), read_only=True)
    try:
        assert con.execute("SELECT name, role FROM users").fetchall() == [("张三", "admin")]
    finally:
        con.close()

    other = tmp_path / "other.duckdb"
    assert run_cli("import", "--db", str(other), "--year", "2021", str(SEED)).returncode == 0
    before = other.read_bytes()
    result = run_cli("restore", "--db", str(other), str(target))
    assert result.returncode == 0, result.stderr
    assert export_json(other) == original  # byte for byte
    assert stat.S_IMODE(other.stat().st_mode) == 0o600
    aside = [path for path in tmp_path.iterdir() if path.name.startswith("other.duckdb.before-restore-")]
    assert len(aside) == 1 and aside[0].read_bytes() == before  # the replaced file, kept whole
    assert aside[0].name in result.stdout

    # The restored file carries on: its batch numbers continue where the original's stopped.
    extra = tmp_path / "extra.txt"
    extra.write_text(SEED.read_text(encoding="utf-8").replace("预算准备金", "另一个预算准备金"), encoding="utf-8")
    assert run_cli("import", "--db", str(other), "--year", "2021", str(extra)).returncode == 0
    con = duckdb.connect(str(other), read_only=True)
    try:
        batches = [row[0] for row in con.execute("SELECT batch_id FROM import_batches ORDER BY batch_id").fetchall()]
    finally:
        con.close()
    assert len(batches) == len(set(batches)) == 4  # 3 sample imports + the new one, no number reused


def test_backup_works_while_a_reader_holds_the_file(database, tmp_path):
    code = (
        f"import duckdb, time; c = duckdb.connect({str(database)!r}, read_only=True); "
        "c.execute('SELECT count(*) FROM forms').fetchall(); print('reading', flush=True); time.sleep(60)"
    )
    reader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        target = tmp_path / "while-reading.duckdb"
        result = run_cli("backup", "--db", str(database), "--output", str(target))
        assert reader.poll() is None  # the reader was there all along
    finally:
        reader.kill()
        reader.wait()
    assert result.returncode == 0, result.stderr
    assert form_count(target) == form_count(database) == 24


def test_backup_while_an_import_writes_is_refused_and_keeps_the_old_backup(database, tmp_path, database_held_by_writer):
    target = tmp_path / "old-backup.duckdb"
    target.write_bytes(b"an older backup")
    with database_held_by_writer(database):
        result = run_cli("backup", "--db", str(database), "--output", str(target))
    assert result.returncode == 2
    assert "正被另一个程序以写入方式占用" in result.stderr and "Traceback" not in result.stderr
    assert target.read_bytes() == b"an older backup"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["forms.duckdb", "old-backup.duckdb"]


def test_restore_while_a_writer_holds_the_database_is_refused(database, tmp_path, database_held_by_writer):
    backup_file = tmp_path / "b.duckdb"
    assert run_cli("backup", "--db", str(database), "--output", str(backup_file)).returncode == 0
    with database_held_by_writer(database):
        before = database.read_bytes()
        result = run_cli("restore", "--db", str(database), str(backup_file))
        assert database.read_bytes() == before
    assert result.returncode == 2, result.stdout
    assert "未做任何改动" in result.stderr and "Traceback" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["b.duckdb", "forms.duckdb"]


def test_restore_refuses_a_file_that_is_not_a_database(database, tmp_path):
    junk = tmp_path / "not-a-backup.duckdb"
    junk.write_bytes(b"hello" * 1000)
    before = database.read_bytes()
    result = run_cli("restore", "--db", str(database), str(junk))
    assert result.returncode == 2
    assert "不是本看板的数据库文件" in result.stderr and "Traceback" not in result.stderr
    assert database.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["forms.duckdb", "not-a-backup.duckdb"]


def test_backup_keeps_what_only_the_wal_holds(database, tmp_path):
    """A writer killed after its commit leaves the import in the .wal: a copy of the .duckdb alone misses it,
    the backup does not."""
    extra = tmp_path / "extra.txt"
    extra.write_text(SEED.read_text(encoding="utf-8").replace("预算准备金", "只在日志里的项目"), encoding="utf-8")
    code = (
        "import time; from pathlib import Path; "
        "from dashboard.importing import importer; from dashboard.store import connect; "
        f"con = connect.open_db({str(database)!r}); "
        f"importer.import_files(con, [(Path({str(extra)!r}), 'extra.txt')], importer.ImportOptions(year=2021)); "
        "print('committed', flush=True); time.sleep(60)"
    )
    writer = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "committed"
    finally:
        writer.send_signal(signal.SIGKILL)  # no checkpoint: the import stays in the .wal
        writer.wait()
    assert database.with_name("forms.duckdb.wal").exists()
    file_only = tmp_path / "copied" / "forms.duckdb"
    file_only.parent.mkdir()
    shutil.copyfile(database, file_only)
    assert form_count(file_only) == 24  # the committed import is missing

    target = tmp_path / "backup.duckdb"
    result = run_cli("backup", "--db", str(database), "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert form_count(target) == 24 + 22  # the extra file's 22 forms (21 as new versions of stored ones)
    assert not target.with_name("backup.duckdb.wal").exists()  # a backup is one file
    assert os.path.getsize(target) > 0


def test_restore_replaces_a_damaged_database(database, tmp_path):
    backup_file = tmp_path / "b.duckdb"
    assert run_cli("backup", "--db", str(database), "--output", str(backup_file)).returncode == 0
    original = export_json(database)
    damaged = database.read_bytes()[:200_000]  # truncated, as a full disk or a bad copy leaves it
    database.write_bytes(damaged)
    result = run_cli("restore", "--db", str(database), str(backup_file))
    assert result.returncode == 0, result.stderr
    assert export_json(database) == original
    aside = [path for path in tmp_path.iterdir() if ".before-restore-" in path.name]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged


@pytest.mark.parametrize("target", ["same", "wal", "other_spelling"])
def test_backup_onto_the_database_itself_is_refused(database, tmp_path, target):
    spellings = {"same": database, "wal": Path(f"{database}.wal"), "other_spelling": tmp_path / "." / database.name}
    output = spellings[target]
    before = database.read_bytes()
    result = run_cli("backup", "--db", str(database), "--output", str(output))
    assert result.returncode == 2
    assert "就是数据库本身" in result.stderr and "Traceback" not in result.stderr
    assert database.read_bytes() == before


def test_restore_from_the_database_itself_is_refused(database):
    result = run_cli("restore", "--db", str(database), str(database))
    assert result.returncode == 2 and "就是数据库本身" in result.stderr
