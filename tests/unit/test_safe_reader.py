"""Reading untrusted files in worker processes: time limit, order, reasons instead of exceptions."""

from __future__ import annotations

import shutil
from pathlib import Path

from dashboard.ingest.files import SafeReader, decode_text, expand_paths, precheck

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
SEED = SAMPLES / "000_4b30dd1c6dd4a20d.txt"


def test_overrunning_file_is_reported_and_the_rest_still_read(tmp_path):
    slow = tmp_path / "slow.txt"
    seed = SEED.read_text(encoding="utf-8")
    slow.write_text(seed * 400, encoding="utf-8")  # ~20 MB, 8800 forms: far beyond a 5 s limit
    files = [(slow, "slow.txt"), (SAMPLES / "sample_form_a.pdf", "a.pdf"), (SEED, "seed.txt")]
    with SafeReader(workers=1, timeout=5.0) as reader:  # the sample PDF needs ~1 s on a loaded machine
        results = list(reader.read_all(files))
    assert [r.source_file for r in results] == ["slow.txt", "a.pdf", "seed.txt"]
    assert "超时" in results[0].error and results[0].forms == []
    assert results[1].error is None and [f.project_name for f in results[1].forms] == ["购置费"]
    assert results[2].error is None and len(results[2].forms) == 22


def test_gbk_text_is_decoded():
    assert decode_text("项目支出绩效自评表".encode("gb18030")) == "项目支出绩效自评表"
    assert decode_text("\ufeff项目".encode()) == "项目"


def test_precheck_reasons(tmp_path):
    (tmp_path / "a.doc").write_bytes(b"x")
    (tmp_path / "a.key").write_bytes(b"x")
    (tmp_path / "b.pdf").write_bytes(b"")
    assert precheck(tmp_path / "a.doc") is None  # read by its content (ingest/legacy.py)
    assert "不支持" in precheck(tmp_path / "a.key")
    assert precheck(tmp_path / "b.pdf") == "空文件"
    assert "不存在" in precheck(tmp_path / "missing.pdf")
    assert precheck(SEED) is None


def test_folders_expand_to_supported_files(tmp_path):
    nested = tmp_path / "x" / "y"
    nested.mkdir(parents=True)
    shutil.copy(SEED, nested / "s.TXT")
    (nested / "note.md").write_text("x")
    shutil.copy(SAMPLES / "sample_form_a.pdf", tmp_path / "a.pdf")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.pdf", "s.TXT"]


def test_the_largest_file_starts_first_and_results_keep_the_given_order(tmp_path):
    files = []
    for name, size in (("a.txt", 10), ("big.txt", 3000), ("c.txt", 20), ("d.txt", 2000)):
        (tmp_path / name).write_text("项" * size, encoding="utf-8")
        files.append((tmp_path / name, name))
    paths = [path for path, _ in files]
    assert SafeReader(workers=1)._start_order([0, 1, 2, 3], paths) == [0, 1, 2, 3]
    assert SafeReader(workers=2)._start_order([0, 1, 2, 3], paths) == [1, 0, 2, 3]
    assert SafeReader(workers=3)._start_order([0, 1, 2, 3], paths) == [1, 3, 0, 2]
    with SafeReader(workers=2) as reader:
        results = list(reader.read_all(files))
    assert [result.source_file for result in results] == ["a.txt", "big.txt", "c.txt", "d.txt"]
