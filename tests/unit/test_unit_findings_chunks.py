"""Rule 10 compares whole (unit, year) groups; refreshing it a few groups at a time (bounded memory on a
city's archive) must find exactly what one pass over every form finds."""

from __future__ import annotations

import shutil

from dashboard.audit import review
from dashboard.importing import demo
from dashboard.store import connect

UNIT_FINDINGS = "SELECT form_id, message FROM checks WHERE rule = 'unit_all_full_marks' ORDER BY form_id, message"


def test_unit_findings_refreshed_in_small_chunks_equal_one_pass(tmp_path, monkeypatch):
    whole = tmp_path / "whole.duckdb"
    demo.build(whole, 1500, seed=5, workers=1)
    chunked = tmp_path / "chunked.duckdb"
    shutil.copy(whole, chunked)
    results = []
    for path, chunk in ((whole, 10**9), (chunked, 7)):
        monkeypatch.setattr(review, "AUDIT_CHUNK", chunk)
        con = connect.open_db(path)
        try:
            con.execute("DELETE FROM checks WHERE rule = 'unit_all_full_marks'")
            review.refresh_unit_findings(con)
            results.append(con.execute(UNIT_FINDINGS).fetchall())
        finally:
            con.close()
    assert results[0] == results[1]
    assert len(results[0]) > 7  # more than one chunk's worth of forms carry the finding
