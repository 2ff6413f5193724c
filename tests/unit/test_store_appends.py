"""Rows reach DuckDB as Arrow tables; what Arrow cannot hold fails as a DuckDB error, as before.

The importer reports a `duckdb.Error` from `writes.save_file` as 写入数据库失败 for that file and
goes on with the next; any other exception would end the whole import.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.store import connect, reads, writes

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.unit.test_store import make_form  # noqa: E402


def test_text_that_is_not_utf8_fails_as_a_duckdb_error_and_leaves_nothing(db_location):
    con = connect.open_db(db_location)
    good, bad = make_form("甲"), make_form("乙")
    bad.indicators[0].name = "采购\ud800数量"  # a lone surrogate: no UTF-8 for it
    try:
        with pytest.raises(duckdb.Error):
            writes.save_file(con, "x.pdf", "ef" * 32, [writes.Placement(good), writes.Placement(bad)])
        for table in ("import_batches", "forms", "fund_rows", "indicators", "checks"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    finally:
        con.close()


def test_whole_and_fractional_numbers_share_a_column(db_location):
    con = connect.open_db(db_location)
    form = make_form()
    form.indicators[0].weight, form.indicators[1].weight = 6, 0.5  # an int beside a float
    writes.save_file(con, "a.pdf", "ab" * 32, [writes.Placement(form)])
    (loaded,) = reads.load_forms(con)
    assert [row.weight for row in loaded.indicators] == [6.0, 0.5, None]
