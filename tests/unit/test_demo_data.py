"""The synthetic demo database (dashboard/importing/demo.py) and the bounded refresh of the unit findings (rule 10)."""

from __future__ import annotations

import pytest

from dashboard.audit import audit, review
from dashboard.importing import demo
from dashboard.reference import reference
from dashboard.store import connect, reads

FORMS = 1200


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path, FORMS, seed=7, workers=1, chunk=300)  # four import batches
    return path


def test_demo_is_marked_synthetic_and_spread_like_a_city(demo_db):
    con = connect.open_db(demo_db, read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'synthetic'").fetchone() is not None
        forms, files, departments, units, years = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE source_file LIKE 'demo-%'), count(DISTINCT department), "
            "count(DISTINCT unit), min(year) || '-' || max(year) FROM forms"
        ).fetchone()
        assert (forms, files) == (FORMS, FORMS)
        assert departments == 50
        assert units > 600  # 1,200 forms over about 2,000 units
        assert years == "2019-2025"
        per_form = con.execute("SELECT count(*) / count(DISTINCT form_id) FROM indicators").fetchone()[0]
        assert 12 <= per_form <= 18
        stopped, deducted, unexplained, not_sum = con.execute(
            "SELECT (SELECT count(*) FROM forms WHERE status = '停用'), count(*) FILTER (WHERE deducted), "
            "count(*) FILTER (WHERE deducted AND no_reason), "
            "(SELECT count(DISTINCT form_id) FROM checks WHERE rule = 'total_not_sum') FROM indicators"
        ).fetchone()
        assert stopped > 0 and not_sum > 0
        assert 0 < unexplained < deducted
    finally:
        con.close()


def _holders(con) -> set[str]:
    rows = con.execute(
        "SELECT DISTINCT form_id FROM checks WHERE rule IN (SELECT unnest(?))", [list(audit.UNIT_RULE_IDS)]
    ).fetchall()
    return {row[0] for row in rows}


def test_unit_findings_are_those_of_the_whole_database_rule(demo_db):
    """The bounded refresh (SQL picks the groups) flags exactly the forms the rule over every form flags."""
    con = connect.open_db(demo_db, read_only=True)
    try:
        every_form = audit.run_unit_rules(reads.load_forms(con, versions="counted"))
        assert every_form, "the demo data has units whose forms are all at full marks"
        assert _holders(con) == set(every_form)
    finally:
        con.close()


def test_refresh_for_some_imports_leaves_other_groups_alone(demo_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    con = connect.open_db(copy)
    try:
        before = _holders(con)
        # An import holding a form of a unit whose every form is at full marks (the demo has several such units).
        other = con.execute("SELECT batch_id FROM forms WHERE form_id = ?", [min(before)]).fetchone()[0]
        con.execute("DELETE FROM checks WHERE rule IN (SELECT unnest(?))", [list(audit.UNIT_RULE_IDS)])
        review.refresh_unit_findings(con, batches=[other])
        rows = con.execute("SELECT form_id, batch_id, unit, department, year FROM forms").fetchall()
        group = {r[0]: ((r[2] or "").strip() or (r[3] or "").strip(), r[4]) for r in rows}
        touched = {group[r[0]] for r in rows if r[1] == other}
        restored = _holders(con)
        assert restored == {form_id for form_id in before if group[form_id] in touched}
        assert 0 < len(restored) < len(before)
        review.refresh_unit_findings(con)  # every group
        assert _holders(con) == before
    finally:
        con.close()


def test_streamed_exports_equal_the_one_piece_exports(demo_db, monkeypatch):
    """Chunk by chunk (a chunk size that does not divide the count), the bytes are those of the whole list."""
    import io

    import pyarrow.parquet as pq

    from dashboard.outputs import export

    monkeypatch.setattr(export, "EXPORT_CHUNK", 170)
    con = connect.open_db(demo_db, read_only=True)
    try:
        forms = reads.load_forms(con, versions="current")
        reference.annotate(con, forms)
        streamed = {}
        for fmt in export.FORMATS:
            out = io.BytesIO()
            assert export.write_export(con, fmt, out) == len(forms) == FORMS
            streamed[fmt] = out.getvalue()
    finally:
        con.close()
    assert streamed["json"] == export.forms_to_json(forms).encode("utf-8")
    assert streamed["csv"] == export.file_csv(forms, {})  # no 抽查复核 in the demo: its columns are blank
    table = pq.read_table(io.BytesIO(streamed["parquet"]))
    assert table.num_rows == sum(len(form.indicators) for form in forms)
    assert table.column_names == list(export.FILE_COLUMNS)
    first = forms[0]
    row = table.slice(0, 1).to_pylist()[0]
    assert (row["form_id"], row["year"], row["name"]) == (first.id, first.year, first.indicators[0].name)


def test_audit_in_chunks_and_worker_processes_gives_what_the_import_gave(demo_db, tmp_path, monkeypatch):
    """The demo forms were audited one by one when generated; re-auditing the file in chunks, in two
    worker processes, stores the same findings and recomputed 总分."""
    copy = tmp_path / "audit.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    monkeypatch.setattr(review, "AUDIT_CHUNK", 250)
    monkeypatch.setattr(review, "PARALLEL_FROM", 500)
    query = (
        "SELECT f.form_id, f.recomputed_score, f.scheme, list(c.rule || '|' || c.message ORDER BY c.position) "
        "FROM forms f LEFT JOIN checks c ON c.form_id = f.form_id GROUP BY ALL ORDER BY f.form_id"
    )
    con = connect.open_db(copy)
    try:
        before = con.execute(query).fetchall()
        con.execute("DELETE FROM checks")  # nothing left but what the audit writes again
        con.execute("UPDATE forms SET recomputed_score = NULL, scheme = NULL")
        assert con.execute(query).fetchall() != before
        assert review.audit_database(con, workers=2) == FORMS
        assert con.execute(query).fetchall() == before
    finally:
        con.close()


def test_a_re_audit_writes_back_only_the_forms_it_changes(demo_db, tmp_path, monkeypatch):
    """Re-auditing an audited file rewrites no form; after one stored score is changed, the audit writes that form
    alone (and the findings across forms are still there: refresh_unit_findings keeps them)."""
    copy = tmp_path / "reaudit.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    monkeypatch.setattr(review, "AUDIT_CHUNK", 250)
    monkeypatch.setattr(review, "PARALLEL_FROM", 500)
    written: list[str] = []
    real_write = review._write_audited
    monkeypatch.setattr(
        review,
        "_write_audited",
        lambda con, changed: (written.extend(row[0] for row in changed), real_write(con, changed)),
    )
    everything = "SELECT form_id, rule, message, position FROM checks ORDER BY ALL"
    con = connect.open_db(copy)
    try:
        before = con.execute(everything).fetchall()
        assert {row[1] for row in before} >= {"copied_text", "missing_reason"}
        assert review.audit_database(con, workers=2) == FORMS
        assert written == []
        assert con.execute(everything).fetchall() == before
        form_id, name, weight = con.execute(
            "SELECT form_id, name, weight FROM indicators WHERE weight > 1 AND score = weight ORDER BY form_id LIMIT 1"
        ).fetchone()
        con.execute("UPDATE indicators SET score = ? WHERE form_id = ? AND name = ?", [weight + 5, form_id, name])
        assert review.audit_database(con, workers=2) == FORMS
        assert written == [form_id]
        rules = {row[0] for row in con.execute("SELECT rule FROM checks WHERE form_id = ?", [form_id]).fetchall()}
        assert "score_above_weight" in rules
    finally:
        con.close()


def test_demo_resolves_its_reference_data_as_an_import_does(demo_db):
    """Project types and organisations are resolved when the demo is written: a later writer learns nothing
    (its refresh rewrites no meta row), and a page reading the file read-only sees resolved types, not 未分类
    everywhere (which also made a copy by `migrate --to` differ from its source)."""
    con = connect.open_db(demo_db, read_only=True)
    try:
        learned_at = con.execute("SELECT value FROM meta WHERE key = 'reference_learned_at'").fetchone()[0]
        resolved = con.execute("SELECT count(*) FROM ref_project_types WHERE resolved_type <> '未分类'").fetchone()[0]
    finally:
        con.close()
    assert learned_at != ""
    assert resolved > 0
    con = connect.open_db(demo_db)  # a writer's open refreshes the reference data
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'reference_learned_at'").fetchone()[0] == learned_at
    finally:
        con.close()
