"""A DuckLake's data files: how they are laid out (forms partitioned by year, indicators sorted deducted rows
first) and `python -m dashboard lake-compact`, which merges the small files imports leave (each save writes a few
files per table), rewrites a table whose files predate its sort order and files with many deleted rows and, only
when asked, expires old snapshots and deletes the files no snapshot needs any more.

DuckLake's own calls (1.5.5): `ALTER TABLE … SET PARTITIONED BY (…)`, `ALTER TABLE … SET SORTED BY (…)` (rows
sorted as they are inserted, merged or flushed), `ducklake_flush_inlined_data`, `ducklake_rewrite_data_files` (files
with many deleted rows), `ducklake_merge_adjacent_files`, `ducklake_expire_snapshots`, `ducklake_cleanup_old_files`.
A merge keeps every snapshot readable (the files it replaced stay until their snapshots expire); expiring snapshots
ends time travel (and a report pinned) to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from dashboard.core import dialect, texts
from dashboard.core.transactions import only_row, transaction
from dashboard.store import lake
from dashboard.store.schema import StoreError

# Tables written partitioned, by the column they are split on: new rows of forms go to one folder per year, so a
# year's pages and exports read that year's files. The per-form tables (indicators, checks …) carry no year.
PARTITIONED = {"forms": "year"}
# Tables whose data files are written sorted, by their sort keys. The 扣分指标 page reads an indicator only when it
# is deducted (about a tenth of them): with deducted rows first they fill row groups of their own, which the
# Parquet reader skips by their min/max (at 10⁶ forms the page's two passes over the indicators took half the time);
# then by form, which a form's own page reads.
SORTED = {"indicators": "deducted DESC, form_id"}
# A data file of which at least this share of rows is deleted is written again without them on `lake-compact`
# (DuckLake's default: 0.95). An update on a lake deletes the old rows and writes new ones: a schema step or a
# change of reference data that re-counts or re-names a third of the forms leaves every page reading a third more
# rows of forms and their delete files (10⁶ forms after the step to schema 17: 总览 and 项目 ~0.1 s slower).
REWRITE_DELETE_THRESHOLD = 0.1
_CATALOG = dialect.LAKE_CATALOG
# The table of a given name as the current snapshot has it (alias t of ducklake_table).
_CURRENT_TABLE = "t.table_name = ? AND t.end_snapshot IS NULL"


def _has_current(con: duckdb.DuckDBPyConnection, setting: str, table: str) -> bool:
    """Whether `table` has a partitioning or sort order in force (setting: the catalog table that records them)."""
    return bool(
        only_row(
            con,
            f"SELECT count(*) FROM {_CATALOG}.{setting} s JOIN {_CATALOG}.ducklake_table t USING (table_id) "
            f"WHERE {_CURRENT_TABLE} AND s.end_snapshot IS NULL",
            [table],
        )[0]
    )


def set_layout(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Partition the PARTITIONED tables and sort the SORTED ones that are not yet (a lake only); the tables it
    changed."""
    changed = []
    for table, column in PARTITIONED.items():
        if not _has_current(con, "ducklake_partition_info", table):
            con.execute(f"ALTER TABLE {table} SET PARTITIONED BY ({column})")
            changed.append(table)
    for table, keys in SORTED.items():
        if not _has_current(con, "ducklake_sort_info", table):
            con.execute(f"ALTER TABLE {table} SET SORTED BY ({keys})")
            changed.append(table)
    return changed


def unsorted_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The SORTED tables that the current snapshot reads from files written before their sort order was set
    (a lake made before it was; files written since are sorted as they are written or merged)."""
    return [
        table
        for table in SORTED
        if only_row(
            con,
            f"SELECT count(*) FROM {_CATALOG}.ducklake_data_file f JOIN {_CATALOG}.ducklake_table t USING (table_id) "
            f"JOIN {_CATALOG}.ducklake_sort_info s USING (table_id) WHERE {_CURRENT_TABLE} "
            "AND f.end_snapshot IS NULL AND s.end_snapshot IS NULL AND f.begin_snapshot < s.begin_snapshot",
            [table],
        )[0]
    ]


def rewrite_sorted(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Write a table's rows again, sorted, in one transaction: its rows copied (DuckLake gives the copies new row
    ids, above every existing one), then the old rows deleted by id (their files leave the current snapshot whole;
    old snapshots still read them until expired)."""
    with transaction(con):
        top = only_row(con, f"SELECT max(rowid) FROM {table}")[0]
        if top is None:
            return
        con.execute(f"INSERT INTO {table} SELECT * FROM {table}")
        con.execute(f"DELETE FROM {table} WHERE rowid <= ?", [top])


@dataclass(frozen=True)
class FileCounts:
    """The data files the current snapshot reads, and the Parquet files in the data folder (the ones old
    snapshots or nothing need among them)."""

    live: int
    in_folder: int


@dataclass(frozen=True)
class Compacted:
    before: FileCounts
    after: FileCounts
    expired: int  # snapshots expired (0 unless asked)


def file_counts(con: duckdb.DuckDBPyConnection) -> FileCounts:
    live = only_row(con, f"SELECT coalesce(sum(file_count), 0) FROM ducklake_table_info('{dialect.LAKE_ALIAS}')")[0]
    return FileCounts(int(live), sum(1 for _ in Path(lake.data_folder()).rglob("*.parquet")))


def compact(con: duckdb.DuckDBPyConnection, expire_older_than: timedelta | None = None) -> Compacted:
    """Merge adjacent small files of every table (a table whose files predate its sort order rewritten sorted
    first, and files with many deleted rows written again without them); with `expire_older_than`, expire the
    snapshots older than that and delete the files only they needed. The forms read the same before and after."""
    if not dialect.is_lake(con):
        raise StoreError(texts.LAKE_ONLY.format(command="lake-compact"))
    set_layout(con)
    # Small inserts (a few rows) are kept in the catalog itself (DuckLake's data inlining): written out first, to
    # one file per table (partitioned as the table is); the count before the merge includes those files.
    con.execute(f"CALL ducklake_flush_inlined_data('{dialect.LAKE_ALIAS}')")
    before = file_counts(con)
    for table in unsorted_tables(con):
        rewrite_sorted(con, table)
    con.execute(
        f"CALL ducklake_rewrite_data_files('{dialect.LAKE_ALIAS}', delete_threshold => {REWRITE_DELETE_THRESHOLD})"
    )
    con.execute(f"CALL ducklake_merge_adjacent_files('{dialect.LAKE_ALIAS}')")
    expired = 0
    if expire_older_than is not None:
        seconds = int(expire_older_than.total_seconds())
        expired = only_row(
            con,
            f"SELECT count(*) FROM ducklake_expire_snapshots('{dialect.LAKE_ALIAS}', "
            f"older_than => now() - INTERVAL {seconds} SECOND)",
        )[0]
        con.execute(f"CALL ducklake_cleanup_old_files('{dialect.LAKE_ALIAS}', cleanup_all => true)")
    return Compacted(before, file_counts(con), int(expired))
