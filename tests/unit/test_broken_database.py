"""Broken database files, made from a real database: each is named for what is wrong with it, by every
command of the command line (a message and exit code 2, no traceback) and by the pages (tests/app)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.core import texts
from dashboard.store import connect, schema

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PDF = ROOT / "data" / "samples" / "sample_form_a.pdf"


def truncated(source: Path, target: Path) -> Path:
    """The file cut to half its length, as an interrupted copy leaves it."""
    shutil.copy(source, target)
    os.truncate(target, target.stat().st_size // 2)
    return target


def zeroed_header(source: Path, target: Path) -> Path:
    """The file with its first 4 KiB (DuckDB's main header) overwritten with zeros."""
    shutil.copy(source, target)
    with open(target, "r+b") as file:
        file.write(bytes(4096))
    return target


def newer_schema(source: Path, target: Path) -> Path:
    """A whole file whose meta says a later program wrote it."""
    shutil.copy(source, target)
    con = duckdb.connect(str(target))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(schema.SCHEMA_VERSION + 1)])
    con.close()
    return target


def damaged_block(source: Path, target: Path) -> Path:
    """A whole-length file with garbage in its first data block (the catalogue): a checksum failure."""
    shutil.copy(source, target)
    with open(target, "r+b") as file:
        file.seek(3 * 4096 + 8)
        file.write(b"\xa5" * 64)
    return target


def expected_message(kind: str, path: Path) -> str:
    if kind == "truncated":
        return texts.DB_DAMAGED.format(path=path, reason=texts.DB_TRUNCATED)
    if kind == "damaged":
        return texts.DB_DAMAGED.format(path=path, reason=texts.DB_DAMAGED_READ)
    if kind == "zeroed":
        return texts.DB_NOT_DUCKDB.format(path=path)
    return texts.DB_TOO_NEW.format(path=path, version=schema.SCHEMA_VERSION + 1, supported=schema.SCHEMA_VERSION)


BREAKERS = {"truncated": truncated, "zeroed": zeroed_header, "newer": newer_schema, "damaged": damaged_block}


@pytest.fixture(scope="module")
def broken_files(sample_db, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("broken")
    return {kind: make(sample_db, folder / f"{kind}.duckdb") for kind, make in BREAKERS.items()}


@pytest.mark.parametrize(
    ("kind", "expected_kind"),
    [
        ("truncated", schema.DAMAGED),
        ("zeroed", schema.NOT_DUCKDB),
        ("newer", schema.TOO_NEW),
        ("damaged", schema.DAMAGED),
    ],
)
@pytest.mark.parametrize("read_only", [True, False])
def test_open_names_what_is_wrong(broken_files, kind, expected_kind, read_only):
    with pytest.raises(schema.StoreError) as raised:
        connect.open_db(broken_files[kind], read_only=read_only).close()
    assert raised.value.kind == expected_kind
    assert str(raised.value) == expected_message(kind, broken_files[kind])


COMMANDS = {
    "import": ["import", "--year", "2021", str(SAMPLE_PDF)],
    "export": ["export", "--format", "csv"],
    "batches": ["batches"],
    "remove": ["remove", "1"],
    "migrate": ["migrate"],
    "audit": ["audit"],
    "user list": ["user", "list"],
    "user add": ["user", "add", "新人", "--role", "viewer", "--password-stdin"],
    "user passwd": ["user", "passwd", "新人", "--password-stdin"],
    "user remove": ["user", "remove", "新人"],
    "report": ["report", "--output", "{tmp}/report.docx"],
    "reference types": ["reference", "types"],
    "reference export-rules": ["reference", "export-rules"],
    "sample-check": ["sample-check", str(ROOT / "data" / "samples")],
}


def run_with_db(arguments: list[str], db: Path, tmp: Path) -> subprocess.CompletedProcess:
    arguments = [argument.replace("{tmp}", str(tmp)) for argument in arguments]
    split = 2 if arguments[0] in ("user", "reference") else 1
    command = [sys.executable, "-m", "dashboard", *arguments[:split], "--db", str(db), *arguments[split:]]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, input="long enough pw\n", timeout=300)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_names_a_truncated_file_without_a_traceback(broken_files, command, tmp_path):
    db = broken_files["truncated"]
    before = db.read_bytes()
    result = run_with_db(COMMANDS[command], db, tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == expected_message("truncated", db), result.stderr
    assert db.read_bytes() == before  # nothing was written into the broken file


@pytest.mark.parametrize("kind", ["zeroed", "newer", "damaged"])
@pytest.mark.parametrize("command", ["import", "export", "user add", "report"])
def test_commands_name_each_kind_of_broken_file(broken_files, kind, command, tmp_path):
    db = broken_files[kind]
    result = run_with_db(COMMANDS[command], db, tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == expected_message(kind, db)


def damaged_after_opening(source: Path, folder: Path, probe: str = "SELECT * FROM forms") -> Path:
    """A copy with garbage in a data block that connect.open_db does not read (the catalogue is whole) and
    `probe` does: its damage shows only when a query reads the block. Found by trying each block in turn."""
    block_size, header_size = 262144, 3 * 4096  # DuckDB's default block size, its three header blocks
    blocks = (source.stat().st_size - header_size) // block_size
    for block in range(blocks):
        target = folder / f"block{block}.duckdb"
        shutil.copy(source, target)
        with open(target, "r+b") as file:
            file.seek(header_size + block * block_size + 8)
            file.write(b"\xa5" * 64)
        try:
            con = connect.open_db(target, read_only=True)
        except schema.StoreError:
            continue
        try:
            con.execute(probe).fetchall()
        except duckdb.Error:
            return target
        finally:
            con.close()
    raise AssertionError("no block is read by the probe and not at opening")


def test_a_damaged_block_met_by_a_query_is_named_by_the_command_line(sample_db, tmp_path):
    db = damaged_after_opening(sample_db, tmp_path)
    result = run_with_db(["export", "--format", "json"], db, tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == expected_message("damaged", db)


def test_a_file_written_by_a_newer_duckdb_is_named_so():
    """DuckDB 2.x files cannot be read by the pinned 1.5.5 (issue 23's extension wheels): its words, as 1.5.5 printed
    them for such a file here, become a message that says so and what to do, not DuckDB's English."""
    words = (
        "IO Error: Trying to read a database file with version number 999, but we can only read versions between 64 "
        "and 68.\nThe database file was created with an newer version of DuckDB."
    )
    found = connect.open_error(duckdb.IOException(words), "/data/forms.duckdb")
    assert found.kind == schema.TOO_NEW
    assert str(found) == texts.DB_NEWER_DUCKDB.format(path="/data/forms.duckdb", version=duckdb.__version__)
