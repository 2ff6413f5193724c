"""An import that holds the database only while it stores each file (connect.StepWriter).

Between two files another writer may get in (the 导入 page after the command line, a second command);
what it stored is seen: content stored meanwhile is a duplicate, not stored twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.importing import importer
from dashboard.store import connect, schema

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
FIRST, SECOND = SAMPLES / "sample_form_a.pdf", SAMPLES / "000_4b30dd1c6dd4a20d.txt"


def test_a_file_stored_by_another_writer_between_two_files_is_a_duplicate(tmp_path):
    path = tmp_path / "forms.duckdb"
    files = [(FIRST, FIRST.name), (SECOND, SECOND.name)]

    def another_writer_stores_the_second(done: int, total: int, outcome: importer.FileOutcome) -> None:
        if done == 1:  # between the two files: the step writer has let go of the database
            con = connect.open_db(path, wait=0)
            try:
                (other,) = importer.import_files(con, [(SECOND, "另一次导入.txt")], importer.ImportOptions(year=2021))
            finally:
                con.close()
            assert other.outcome == importer.Outcome.IMPORTED

    outcomes = importer.import_files(
        connect.StepWriter(path), files, importer.ImportOptions(year=2021), on_progress=another_writer_stores_the_second
    )
    assert [o.outcome for o in outcomes] == [importer.Outcome.IMPORTED, importer.Outcome.DUPLICATE]
    assert "另一次导入.txt" in outcomes[1].message
    con = connect.open_db(path, read_only=True)
    try:
        files_stored = con.execute("SELECT file_name FROM import_batches WHERE outcome = 'imported' ORDER BY 1")
        assert [row[0] for row in files_stored.fetchall()] == sorted([FIRST.name, "另一次导入.txt"])
    finally:
        con.close()


def test_one_writing_session_at_a_time_even_between_files(tmp_path):
    """While a step import runs (even with the file let go between two files), another import or the
    导入 page's write is refused with the locked message; readers are not."""
    from dashboard.core import texts
    from dashboard.ui import db

    path = tmp_path / "forms.duckdb"
    connect.open_db(path).close()
    locked = texts.DB_LOCKED.format(path=path)
    with connect.StepWriter(path) as writer:
        with writer.step() as con:
            con.execute("SELECT 1")
        for other in (lambda: connect.StepWriter(path).__enter__(), lambda: db.writing(path).__enter__()):
            with pytest.raises(schema.StoreError) as refused:
                other()
            assert str(refused.value) == locked
        reader = connect.open_db(path, read_only=True)  # between two steps: readers get in
        reader.close()
    with db.writing(path) as con:  # the session over: the claim is let go
        assert con.execute("SELECT count(*) FROM forms").fetchone()[0] == 0
