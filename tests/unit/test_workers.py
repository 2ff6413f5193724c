"""Parser workers: one memory cap shared by all, reported as 内存超限, and no worker outlives its parent."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

from dashboard.core import texts
from dashboard.ingest.files import SafeReader
from tests.pdf_factory import write_raw_pdf

ROOT = Path(__file__).resolve().parents[2]
GIB = 1024**3


def write_flate_bomb_pdf(path: Path, inflated_bytes: int) -> Path:
    """A one-page PDF whose content stream is small on disk and `inflated_bytes` once decompressed."""
    packer = zlib.compressobj(9)
    chunk = b" " * (64 << 20)
    parts = [packer.compress(chunk) for _ in range(inflated_bytes // len(chunk))]
    stream = b"".join([*parts, packer.flush()])
    return write_raw_pdf(
        path,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        ],
    )


def test_memory_cap_is_shared_between_workers():
    with SafeReader(workers=2, memory_bytes=2 * GIB) as reader:
        pool = reader._ensure_pool(2)
        limits = [pool.apply(resource.getrlimit, (resource.RLIMIT_AS,))[0] for _ in range(4)]
    assert set(limits) == {1 * GIB}  # 2 GiB for both together, 1 GiB each


def test_a_worker_per_file_up_to_the_pool_size():
    """One file starts one worker (a second would only cost its start-up CPU); two files on a one-worker pool
    start the pool again with two; every worker keeps its share of the memory cap."""
    samples = ROOT / "data" / "samples"
    with SafeReader(workers=2, memory_bytes=2 * GIB) as reader:
        (one,) = list(reader.read_all([(samples / "sample_form_a.pdf", "a.pdf")]))
        assert one.error is None and one.forms
        assert len(reader._pool._pool) == 1
        both = list(
            reader.read_all([(samples / "sample_form_a.pdf", "a.pdf"), (samples / "sample_form_b.pdf", "b.pdf")])
        )
        assert [result.error for result in both] == [None, None]
        assert len(reader._pool._pool) == 2
        limits = {reader._pool.apply(resource.getrlimit, (resource.RLIMIT_AS,))[0] for _ in range(4)}
    assert limits == {1 * GIB}


def test_decompression_bomb_is_reported_as_too_much_memory_not_damaged(tmp_path):
    bomb = write_flate_bomb_pdf(tmp_path / "bomb.pdf", 1536 * 1024**2)  # 1.5 GiB inflated
    assert bomb.stat().st_size < 3 * 1024**2
    with SafeReader(workers=1, memory_bytes=1 * GIB, timeout=120) as reader:
        (result,) = list(reader.read_all([(bomb, "bomb.pdf")]))
    assert result.error == texts.REASON_TOO_MUCH_MEMORY
    assert result.forms == []


def _process_state(pid: int) -> str | None:
    """The state letter from /proc (R, S, Z …), or None when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


PARENT_SCRIPT = """
import sys, time
from dashboard.ingest.files import SafeReader
reader = SafeReader(workers=2)
pool = reader._ensure_pool(2)
pool.apply(sum, ([1, 2],))  # the workers are up
for _ in range(2):
    pool.apply_async(time.sleep, (600,))  # both stuck in a long "parse": they never read their task pipe again
time.sleep(1)
print(" ".join(str(process.pid) for process in pool._pool), flush=True)
time.sleep(600)
"""


def test_workers_end_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT_SCRIPT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2
        assert all(_process_state(pid) not in (None, "Z") for pid in workers)
        os.kill(parent.pid, signal.SIGKILL)  # no cleanup runs in the parent
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_process_state(pid) not in (None, "Z") for pid in workers):
            time.sleep(0.1)
        assert [_process_state(pid) in (None, "Z") for pid in workers] == [True, True]
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in workers if "workers" in locals() else []:
            if _process_state(pid) not in (None, "Z"):
                os.kill(pid, signal.SIGKILL)
