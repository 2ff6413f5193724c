"""A lake's past states (dashboard/store/snapshots.py): the state after each import batch holds that batch and
those before it, never a later one; snapshot numbers and `--as-of` values are checked with Chinese messages.

Truth by hand: each file holds two seed forms (tests/seed_truth.py), so after the n-th batch 2n forms count."""

from __future__ import annotations

import pytest

from dashboard.store import connect, reads, schema, snapshots
from tests.cli_runner import run_cli
from tests.conftest import SAMPLE_YEAR
from tests.seed_truth import seed_records
from tests.text_copies import pipe_copy


def counted_at(location: str, snapshot: int) -> int:
    con = connect.open_db(location, snapshot=snapshot)
    try:
        return int(con.execute(f"SELECT count(*) FROM forms f WHERE {reads.counted_sql('f')}").fetchall()[0][0])
    finally:
        con.close()


@pytest.mark.lake
def test_the_state_after_each_batch_holds_it_and_no_later_one(new_lake, tmp_path):
    location = new_lake()
    records = seed_records()
    for number in range(3):
        path = tmp_path / f"part{number}.txt"
        path.write_text(pipe_copy(records[2 * number : 2 * number + 2]), encoding="utf-8")
        result = run_cli("import", "--year", str(SAMPLE_YEAR), str(path), db=location)
        assert result.returncode == 0, result.stderr
    con = connect.open_db(location, read_only=True)
    try:
        batches = sorted(int(batch) for batch in reads.batches(con)["batch_id"])
        states = [snapshots.as_of_batch(con, batch) for batch in batches]
        kept = snapshots.listing(con)
        latest = snapshots.current(con)
        with pytest.raises(schema.StoreError, match="没有导入批次 999"):
            snapshots.as_of_batch(con, 999)
        with pytest.raises(schema.StoreError, match="没有快照 999999"):
            snapshots.as_of_snapshot(con, 999999)
        with pytest.raises(schema.StoreError, match="不是“上个月”"):
            snapshots.resolve(con, "上个月")
        assert snapshots.resolve(con, f"batch:{batches[1]}") == states[1]
        assert snapshots.resolve(con, str(states[0].snapshot)).snapshot == states[0].snapshot
    finally:
        con.close()
    assert len(batches) == 3
    assert [state.batch for state in states] == batches
    assert states[0].snapshot < states[1].snapshot < states[2].snapshot == latest  # the last batch: the latest
    assert kept["snapshot_id"].is_monotonic_increasing
    assert [counted_at(location, state.snapshot) for state in states] == [2, 4, 6]
    after_first = min(int(s) for s in kept["snapshot_id"] if s > states[0].snapshot)  # the next batch's store
    assert counted_at(location, after_first) == 4


def test_as_of_on_a_file_is_refused_in_chinese(sample_db):
    with pytest.raises(schema.StoreError) as raised:
        connect.open_db(sample_db, snapshot=1)
    assert "只用于数据湖" in str(raised.value)
