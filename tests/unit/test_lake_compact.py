"""`python -m dashboard lake-compact` (dashboard/store/lake_layout.py): after several imports a lake's small
data files are merged (fewer files for the current snapshot) and the exports stay byte-identical; old
snapshots and their files go only when asked. A new lake writes forms partitioned by year."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dashboard.store import lake
from tests.cli_runner import run_cli
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy

pytestmark = pytest.mark.lake


def _export(location: str) -> bytes:
    result = run_cli("export", "--format", "json", "--all-versions", db=location, text=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _counts(output: str) -> list[tuple[int, int]]:
    found = re.findall(r"当前快照读 (\d+) 个，数据文件夹里共 (\d+) 个", output)
    return [(int(live), int(folder)) for live, folder in found]


def test_compacting_after_several_imports_merges_files_and_keeps_the_exports(new_lake, tmp_path):
    location = new_lake()
    records = seed_records()
    for number in range(4):  # four imports: each save writes its own small files
        path = tmp_path / f"part{number}.txt"
        path.write_text(pipe_copy(records[number * 5 : number * 5 + 5]), encoding="utf-8")
        imported = run_cli("import", "--year", "2021", str(path), db=location)
        assert imported.returncode == 0, imported.stderr
    before = _export(location)

    merged = run_cli("lake-compact", db=location)
    assert merged.returncode == 0, merged.stderr
    (live_before, folder_before), (live_after, folder_after) = _counts(merged.stdout)
    assert live_after < live_before  # the current snapshot reads fewer, larger files
    assert folder_after >= folder_before  # nothing deleted: every snapshot is still readable
    assert "所有快照都保留" in merged.stdout
    assert _export(location) == before
    data = Path(os.environ[lake.LAKE_DATA_ENV_VAR])
    assert [p.name for p in (data / "main" / "forms").iterdir() if p.is_dir()] == ["year=2021"]  # partitioned

    expired = run_cli("lake-compact", "--expire-older-than", "0", db=location)
    assert expired.returncode == 0, expired.stderr
    (_live, folder_kept), (live_last, folder_last) = _counts(expired.stdout)
    assert folder_last < folder_kept and live_last == live_after  # the files only old snapshots needed: gone
    assert _export(location) == before


def test_compacting_a_file_is_refused_with_a_message(tmp_path):
    result = run_cli("lake-compact", db=tmp_path / "forms.duckdb")
    assert result.returncode == 2 and "只用于数据湖" in result.stderr and "Traceback" not in result.stderr
