"""What goes wrong with a DuckLake (dashboard/store/lake.py), said in Chinese with nothing lost: the catalog's
PostgreSQL unreachable, a wrong password (never shown), a data folder that cannot be written (the import
writes nothing), a lake newer than this program (its schema, or DuckLake's catalog format). The command line
exits non-zero, no traceback. A process killed in the middle of a file's store: tests/unit/test_crash_window.py
(on both backends)."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.store import connect, lake, schema
from tests.cli_runner import export_json, run_cli
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy

pytestmark = pytest.mark.lake


def _dbname(location: str) -> str:
    found = re.search(r"dbname=(\w+)", location)
    assert found is not None
    return found.group(1)


def _form_file(folder: Path, name: str, records: slice) -> Path:
    path = folder / name
    path.write_text(pipe_copy(seed_records()[records]), encoding="utf-8")
    return path


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_catalog_stops_the_import_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv(lake.LAKE_DATA_ENV_VAR, str(tmp_path))
    location = f"ducklake:postgres:dbname=none host={tmp_path} port=1 user=nobody password=s3cret"
    result = run_cli("import", "--year", "2021", str(_form_file(tmp_path, "a.txt", slice(0, 1))), db=location)
    _no_traceback(result)
    assert "无法连接数据湖" in result.stderr and "s3cret" not in result.stderr + result.stdout


def test_a_wrong_password_is_said_as_such_and_never_shown(postgres_server, new_lake, tmp_path):
    location = new_lake()
    conninfo = postgres_server.add_password_user(_dbname(location), "clerk", "right-one")
    wrong = f"ducklake:postgres:{conninfo} password=Wr0ngPassw0rd"
    with pytest.raises(schema.StoreError) as raised:
        connect.open_db(wrong)
    assert "用户名或密码不对" in str(raised.value) and "Wr0ngPassw0rd" not in str(raised.value)
    result = run_cli("import", "--year", "2021", str(_form_file(tmp_path, "a.txt", slice(0, 1))), db=wrong)
    _no_traceback(result)
    assert "用户名或密码不对" in result.stderr and "Wr0ngPassw0rd" not in result.stderr + result.stdout
    right = connect.open_db(f"ducklake:postgres:{conninfo} password=right-one")  # the same login with its password
    right.close()


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """`folder` and everything in it made unwritable: by mode bits, or (root ignores them) immutable."""
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")] if path.is_dir()}
        for path in modes:
            path.chmod(0o555)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    subprocess.run(["chattr", "-R", "+i", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)


def test_a_read_only_data_folder_is_said_and_nothing_is_written(new_lake, tmp_path):
    location = new_lake()
    first = run_cli("import", "--year", "2021", str(_form_file(tmp_path, "a.txt", slice(0, 2))), db=location)
    assert first.returncode == 0, first.stderr
    before = export_json(location)
    data = Path(os.environ[lake.LAKE_DATA_ENV_VAR])
    files_before = sorted(data.rglob("*"))
    with _read_only(data):
        result = run_cli("import", "--year", "2021", str(_form_file(tmp_path, "b.txt", slice(2, 5))), db=location)
        _no_traceback(result)
        assert "不能写入" in result.stderr and lake.LAKE_DATA_ENV_VAR in result.stderr
        assert export_json(location) == before  # a reader still reads the lake, which has nothing new
    con = connect.open_db(location, read_only=True)
    try:
        assert con.execute("SELECT file_name FROM import_batches").fetchall() == [("a.txt",)]  # no error row either
    finally:
        con.close()
    assert sorted(data.rglob("*")) == files_before


def test_a_lake_of_a_newer_program_is_refused_unchanged(new_lake):
    location = new_lake()
    con = connect.open_db(location)
    try:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(schema.SCHEMA_VERSION + 1)])
    finally:
        con.close()
    for read_only in (True, False):
        with pytest.raises(schema.StoreError) as raised:
            connect.open_db(location, read_only=read_only)
        assert raised.value.kind == schema.TOO_NEW
        assert "数据湖" in str(raised.value) and "请升级看板" in str(raised.value)
    result = run_cli("batches", db=location)
    _no_traceback(result)
    con = lake.connect_lake(location, read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [
            (str(schema.SCHEMA_VERSION + 1),)
        ]
    finally:
        con.close()


def test_a_catalog_of_a_newer_ducklake_is_refused_unchanged(postgres_server, new_lake):
    location = new_lake()
    connect.open_db(location).close()
    postgres_server.catalog_sql(_dbname(location), "UPDATE ducklake_metadata SET value = '9.9' WHERE key = 'version'")
    for read_only in (True, False):
        with pytest.raises(schema.StoreError) as raised:
            connect.open_db(location, read_only=read_only)
        assert raised.value.kind == schema.TOO_NEW
        assert "更新版本的 DuckLake" in str(raised.value) and "9.9" in str(raised.value)
    _no_traceback(run_cli("export", "--format", "json", db=location))
    found = postgres_server.catalog_sql(_dbname(location), "SELECT value FROM ducklake_metadata WHERE key = 'version'")
    assert found.strip() == "9.9"
