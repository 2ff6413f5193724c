"""Uploads: generated names on disk, cleaned names for people, one bad file never fails the others."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from dashboard.core import texts
from dashboard.importing import importer
from dashboard.importing.importer import ImportOptions
from dashboard.security.uploads import store_uploads, upload_display_name
from dashboard.ui.pages import import_page

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"
LONG_NAME = "关于二〇二一年度区级财政项目支出绩效自评工作" * 6 + ".txt"  # 136 characters, 400 bytes in UTF-8


def test_files_are_stored_under_generated_names_only(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    names = [
        "a.txt",
        "a.txt",
        "../../etc/b.txt",
        "..\\..\\c.PDF",
        LONG_NAME,
        "x\0y.txt",
        "line\nfake.txt",
        "..",
        "a.exe",
    ]
    stored = store_uploads(folder, [(name, f"{i}".encode()) for i, name in enumerate(names)])
    assert [upload.path.name for upload in stored] == [
        "0001.txt", "0002.txt", "0003.txt", "0004.pdf", "0005.txt", "0006.txt", "0007.txt", "0008", "0009",
    ]  # fmt: skip
    assert sorted(os.listdir(folder)) == sorted(upload.path.name for upload in stored)  # nothing else written
    assert [upload.path.read_bytes() for upload in stored] == [f"{i}".encode() for i in range(len(names))]
    assert [upload.name for upload in stored] == [
        "a.txt", "a.txt", "b.txt", "c.PDF", LONG_NAME[:119] + "…", "x\\0y.txt", "line\\nfake.txt",
        f"{texts.UPLOAD_UNNAMED}-8", "a.exe",
    ]  # fmt: skip


def test_display_name_of_an_empty_or_dotted_name():
    assert upload_display_name("", 3) == f"{texts.UPLOAD_UNNAMED}-3"
    assert upload_display_name("dir/", 4) == f"{texts.UPLOAD_UNNAMED}-4"
    assert upload_display_name("\u202etxt.exe", 1) == "\\u202etxt.exe"


def test_a_file_that_cannot_be_written_costs_only_itself(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "0002.txt").mkdir()  # writing the second upload fails (a folder is in the way)
    stored = store_uploads(folder, [("a.txt", b"1"), ("b.txt", b"2"), ("c.txt", b"3")])
    assert [upload.error is None for upload in stored] == [True, False, True]
    assert stored[1].path is None and stored[1].name == "b.txt"
    assert stored[1].error == texts.UPLOAD_FAILED.format(kind="IsADirectoryError")


def test_hostile_names_next_to_a_good_file_all_get_an_outcome(db_file):
    seed = SEED.read_bytes()
    uploads = [
        (LONG_NAME, seed),  # 86+ Chinese characters: used to crash the whole upload
        ("好文件.txt", seed + b"\n"),
        ("../../x\0y.txt", b"not a form"),
        ("line\n[1] fake.txt：导入 22 张表", b"x"),
    ]
    outcomes = import_page.run_import(uploads, ImportOptions(year=2021))
    assert [o.source_file for o in outcomes] == [
        LONG_NAME[:119] + "…", "好文件.txt", "x\\0y.txt", "line\\n[1] fake.txt：导入 22 张表",
    ]  # fmt: skip
    assert [o.outcome for o in outcomes][:2] == [importer.Outcome.IMPORTED, importer.Outcome.IMPORTED]
    assert [o.outcome for o in outcomes][2:] == [importer.Outcome.ERROR, importer.Outcome.ERROR]
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        files = {row[0] for row in con.execute("SELECT file_name FROM import_batches").fetchall()}
    finally:
        con.close()
    assert LONG_NAME[:119] + "…" in files


def test_a_write_failure_is_reported_in_its_place(db_file, monkeypatch):
    original = Path.write_bytes

    def disk_full_for_marked(self, data):
        if data.startswith(b"FULL"):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full_for_marked)
    outcomes = import_page.run_import([("满.txt", b"FULL"), ("好.txt", SEED.read_bytes())], ImportOptions(year=2021))
    assert [(o.source_file, o.outcome) for o in outcomes] == [
        ("满.txt", importer.Outcome.ERROR),
        ("好.txt", importer.Outcome.IMPORTED),
    ]
    assert outcomes[0].message == texts.OUTCOME_ERROR.format(reason=texts.UPLOAD_FAILED.format(kind="OSError"))
    assert "/tmp" not in outcomes[0].message  # no server path


def test_cli_prints_control_characters_escaped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a\nfake：导入 22 张表.txt").write_bytes(b"not a form")
    command = [sys.executable, "-m", "dashboard", "import", "--db", str(tmp_path / "f.duckdb"), str(folder)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("[1/1] a\\nfake：导入 22 张表.txt：")
    assert not any(line.startswith("fake") for line in lines)  # no line faked by the name
