"""A lake's snapshots: every commit to a DuckLake is a numbered snapshot, and a past one can be read again as it
was ("as of": what 总览 and the report showed then). The pages read one snapshot per run (ui/db.py); 总览 and
`python -m dashboard report --as-of` read a past one (connect.open_db(..., snapshot=n)).

An import batch stands for the state after it: the last snapshot before any later batch appears (later
by batch id), so the unit findings refreshed after its store are in it, the next import is not.
A DuckDB file keeps no past states: asking it is a StoreError (texts.AS_OF_NEEDS_LAKE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from dashboard.core import texts
from dashboard.core.dialect import LAKE_ALIAS
from dashboard.store.schema import StoreError

_BATCH = re.compile(r"batch:(\d+)")


@dataclass(frozen=True)
class AsOf:
    """A past state of a lake: its snapshot, when that was committed, and the import batch it was chosen by."""

    snapshot: int
    time: datetime
    batch: int | None = None

    def statement(self) -> str:
        """The sentence a page or report prints: which snapshot, committed when, after which batch."""
        batch = texts.AS_OF_BATCH.format(batch=self.batch) if self.batch is not None else ""
        when = self.time.strftime(texts.AS_OF_TIME_FORMAT)
        return texts.AS_OF_STATED.format(snapshot=self.snapshot, time=when, batch=batch)


def current(con: duckdb.DuckDBPyConnection) -> int:
    """The snapshot this connection reads: the latest, or, inside a transaction, the one it began on."""
    return int(con.execute(f"SELECT id FROM {LAKE_ALIAS}.current_snapshot()").fetchall()[0][0])


def listing(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every snapshot the lake keeps (snapshot_id, time in the server's local time), oldest first."""
    return con.execute(
        f"SELECT snapshot_id, snapshot_time::TIMESTAMP AS time FROM ducklake_snapshots('{LAKE_ALIAS}') ORDER BY 1"
    ).df()


def recent_batches(con: duckdb.DuckDBPyConnection, limit: int) -> pd.DataFrame:
    """The `limit` most recent import batches that stored forms (batch_id, imported_at, file_name), newest first."""
    try:
        return con.execute(
            "SELECT batch_id, imported_at, file_name FROM import_batches WHERE form_count > 0 "
            "ORDER BY batch_id DESC LIMIT ?",
            [limit],
        ).df()
    except duckdb.CatalogException:  # a lake nothing was imported into yet
        return pd.DataFrame(columns=["batch_id", "imported_at", "file_name"])


def as_of_snapshot(con: duckdb.DuckDBPyConnection, snapshot: int) -> AsOf:
    """The AsOf of a snapshot number; StoreError (in Chinese) when the lake does not keep it."""
    kept = listing(con)
    found = kept[kept["snapshot_id"] == snapshot]
    if found.empty:
        first, last = (int(kept["snapshot_id"].min()), int(kept["snapshot_id"].max())) if len(kept) else (0, 0)
        raise StoreError(texts.AS_OF_NO_SNAPSHOT.format(snapshot=snapshot, first=first, last=last))
    return AsOf(snapshot, found["time"].iloc[0].to_pydatetime())


def as_of_batch(con: duckdb.DuckDBPyConnection, batch: int) -> AsOf:
    """The state after import batch `batch`: the last snapshot before any later batch appears. Found by
    bisecting the kept snapshots (a batch's row is never deleted: "later batch present" only turns true)."""
    kept = listing(con)
    ids = [int(value) for value in kept["snapshot_id"]]
    low, high = 0, len(ids)  # the first snapshot holding a later batch lies in ids[low:high], or there is none
    while low < high:
        middle = (low + high) // 2
        if _batches_at(con, ids[middle], "batch_id > ?", batch):
            high = middle
        else:
            low = middle + 1
    if low == 0 or not _batches_at(con, ids[low - 1], "batch_id = ?", batch):
        raise StoreError(texts.AS_OF_NO_BATCH.format(batch=batch))
    return AsOf(ids[low - 1], kept["time"].iloc[low - 1].to_pydatetime(), batch)


def _batches_at(con: duckdb.DuckDBPyConnection, snapshot: int, condition: str, batch: int) -> bool:
    try:
        sql = f"SELECT count(*) FROM {LAKE_ALIAS}.import_batches AT (VERSION => {int(snapshot)}) WHERE {condition}"
        return int(con.execute(sql, [batch]).fetchall()[0][0]) > 0
    except duckdb.CatalogException:  # a snapshot from before the tables were made
        return False


def resolve(con: duckdb.DuckDBPyConnection, text: str) -> AsOf:
    """What `--as-of` names: a snapshot number ("63") or an import batch ("batch:5")."""
    value = text.strip().lower()
    batch = _BATCH.fullmatch(value)
    if batch:
        return as_of_batch(con, int(batch.group(1)))
    if value.isdigit():
        return as_of_snapshot(con, int(value))
    raise StoreError(texts.AS_OF_BAD_VALUE.format(value=text))
