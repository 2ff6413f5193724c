"""A small seeded slice of benchmarks/fuzz_import.py: damaged copies of real files through the whole import.

The full run (≥ 2,000 files, `python benchmarks/fuzz_import.py --count 2000`) takes minutes; this slice of
16 files, four per reader, runs the same code on one small original per reader.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import fuzz_import  # noqa: E402


def test_damaged_files_cost_nothing_and_hide_nothing(tmp_path):
    figures = fuzz_import.run(count=16, seed=7, time_limit=120, folder=tmp_path, workers=1, small=True)
    assert figures.files == 16 and dict(figures.by_kind) == dict.fromkeys(fuzz_import.KINDS, 4)
    assert figures.errors > 0 and figures.stored > 0  # the slice exercises both outcomes
    assert figures.tracebacks == []
    assert figures.partial_writes == []
    assert figures.changed_unflagged == []
    assert figures.lost_unflagged == []


def test_typo_like_changes_are_told_apart():
    """Only a printable character for another (same length) is a typo no reader can tell; lost or added text,
    spaces, control characters and "|" are damage the reader must flag."""
    name = ("购置费", 118800.0, (("total", 39600.0),))
    assert fuzz_import.typo_like(name, ("购置贵", 118800.0, (("total", 39600.0),)))
    assert fuzz_import.typo_like(name, ("购置费", 118900.0, (("total", 39600.0),)))
    assert fuzz_import.typo_like(name, ("购置/", 118800.0, (("total", 39700.0),)))
    assert not fuzz_import.typo_like(name, ("购置费", 11880.0, (("total", 39600.0),)))  # a digit lost
    assert not fuzz_import.typo_like(name, ("购置", 118800.0, (("total", 39600.0),)))
    assert not fuzz_import.typo_like(name, ("购|费", 118800.0, (("total", 39600.0),)))
    assert not fuzz_import.typo_like(name, ("购 费", 118800.0, (("total", 39600.0),)))
    assert not fuzz_import.typo_like(name, ("购置费", 118800.0, (("total", 39600.0), ("other", 0.0))))
