"""The forms that are not graded (issue 17): one definition in domain.py, shared by the audit, stored at import,
filled in by `migrate`. Truth is hand-written: small hand-made forms, and tests/grade_truth.py for the sample."""

from __future__ import annotations

import dataclasses
import io
import json

import duckdb
import pytest

from dashboard.audit import audit
from dashboard.core import domain
from dashboard.importing import importer
from dashboard.store import connect, reads, schema
from tests import grade_truth
from tests.unit.test_audit import clean_rows, funds, make_form, row
from tests.unit.test_audit_samples import SEED_JSON, SEED_TEXT, form_from_record


@pytest.fixture(scope="module")
def seed():
    return [form_from_record(record) for record in json.loads(SEED_JSON.read_text(encoding="utf-8"))]


# --- the definition, on hand-made forms ---------------------------------------------------------------------


def test_a_measured_form_with_money_is_graded():
    assert domain.not_graded_reason(make_form()) is None


def test_a_stopped_project_is_not_graded_even_where_its_rows_are_measured():
    assert domain.not_graded_reason(make_form(status=domain.STOPPED)) == domain.NOT_GRADED_STOPPED


def test_a_form_whose_weighted_rows_all_read_not_applicable_is_not_evaluable():
    rows = [dataclasses.replace(r, actual="不适用") if r.weight else r for r in clean_rows()]
    form = make_form(rows, fund=funds(annual=30000.0, executed=0.0, score=0.0))
    assert domain.is_not_evaluable(form)
    assert domain.not_graded_reason(form) == domain.NOT_GRADED_NOT_EVALUABLE
    assert audit.recompute_total(form) is None  # the audit asks the same question


def test_one_measured_weighted_row_makes_a_form_evaluable():
    rows = [dataclasses.replace(r, actual="不适用") if r.weight else r for r in clean_rows()]
    rows[0] = dataclasses.replace(rows[0], actual="80%")
    form = make_form(rows, fund=funds(annual=30000.0, executed=0.0, score=0.0))
    assert not domain.is_not_evaluable(form)
    assert domain.not_graded_reason(form) is None  # 全年预算数 30000 was there to spend: a real, low score
    assert audit.recompute_total(form) is not None


def test_indicators_without_points_leave_only_the_fund_score_which_is_not_graded():
    form = make_form([row("不适用", "不适用", "不适用", 0, 0)], fund=funds(annual=20000.0, executed=0.0, score=0.0))
    assert form.total_weight == 10  # 总分 out of 10, not 100
    assert domain.not_graded_reason(form) == domain.NOT_GRADED_NO_POINTS
    assert audit.recompute_total(form) == 0  # the audit still recomputes the fund row (test_audit_schemes)


def test_no_points_and_no_rate_is_not_evaluable():
    fund = funds(annual=None, executed=None, score=None, rate=None)
    fund = dataclasses.replace(fund, total=dataclasses.replace(fund.total, rate_pct=None))
    form = make_form([row("不适用", "不适用", "不适用", 0, 0)], fund=fund)
    assert domain.not_graded_reason(form) == domain.NOT_GRADED_NOT_EVALUABLE
    assert audit.recompute_total(form) is None


def test_a_budget_taken_back_to_zero_with_nothing_spent_is_not_graded():
    rows = [dataclasses.replace(r, actual="0%", score=0) if r.weight else r for r in clean_rows()]
    form = make_form(rows, fund=funds(annual=0.0, executed=0.0, score=0.0, rate=0.0))
    assert domain.not_graded_reason(form) == domain.NOT_GRADED_NO_BUDGET


def test_money_spent_against_a_zero_budget_or_an_unprinted_budget_is_graded():
    spent = make_form(fund=funds(annual=0.0, executed=500.0, score=10.0, rate=0.0))
    unprinted = make_form(
        fund=dataclasses.replace(funds(), total=dataclasses.replace(funds().total, annual_budget=None))
    )
    assert domain.not_graded_reason(spent) is None
    assert domain.not_graded_reason(unprinted) is None


def test_the_stopped_reason_comes_first():
    rows = [dataclasses.replace(r, actual="不适用") if r.weight else r for r in clean_rows()]
    form = make_form(rows, fund=funds(annual=0.0, executed=0.0, score=0.0, rate=0.0), status=domain.STOPPED)
    assert domain.not_graded_reason(form) == domain.NOT_GRADED_STOPPED


# --- the sample ---------------------------------------------------------------------------------------------


def test_the_sample_forms_not_graded_are_the_five_unused_reserves(seed):
    found = {(form.project_name, form.project_amount): domain.not_graded_reason(form) for form in seed}
    assert {key: reason for key, reason in found.items() if reason} == grade_truth.SAMPLE_NOT_GRADED
    graded = [form.total_score for form in seed if domain.not_graded_reason(form) is None]
    assert len(graded) == 17 and round(sum(graded) / len(graded), 2) == 97.84


def test_the_audit_and_the_definition_agree_on_every_sample_form(seed):
    for form in seed:
        assert (audit.recompute_total(form) is None) == domain.is_not_evaluable(form), form.project_name


def test_the_import_stores_the_reason_with_each_form(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        stored = con.execute(
            f"SELECT project_name, CAST(project_amount AS DOUBLE), not_graded FROM forms f WHERE {reads.counted_sql()}"
        ).fetchall()
    finally:
        con.close()
    assert {(name, amount): reason for name, amount, reason in stored if reason} == grade_truth.SAMPLE_NOT_GRADED
    assert sum(reason is None for _, _, reason in stored) == 17


def test_the_json_export_says_which_forms_are_graded_and_why(sample_db):
    """form-json.md: `graded` false with `graded_reason` for exactly the five unused reserves."""
    from dashboard.outputs import export

    con = connect.open_db(sample_db, read_only=True)
    try:
        out = io.BytesIO()
        export.write_export(con, "json", out)
    finally:
        con.close()
    records = json.loads(out.getvalue().decode("utf-8"))
    ungraded = {(r["project_name"], r["project_amount"]): r["graded_reason"] for r in records if not r["graded"]}
    assert ungraded == grade_truth.SAMPLE_NOT_GRADED
    assert all(r["graded_reason"] is None for r in records if r["graded"]) and len(records) == 22


# --- migration ----------------------------------------------------------------------------------------------


def test_migrate_fills_the_reason_in_a_version_5_file(tmp_path):
    path = tmp_path / "v5.duckdb"
    con = connect.open_db(path)
    try:
        (outcome,) = importer.import_files(con, [(SEED_TEXT, SEED_TEXT.name)], importer.ImportOptions(year=2021))
        assert outcome.ok, outcome.message
    finally:
        con.close()
    con = duckdb.connect(str(path))  # back to version 5: no not_graded column
    con.execute("ALTER TABLE forms DROP COLUMN not_graded")
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(schema.StoreError):
        connect.open_db(path, read_only=True)  # a reader is told to migrate
    con = connect.open_db(path)  # what `python -m dashboard migrate` does
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION
        stored = con.execute("SELECT project_name, CAST(project_amount AS DOUBLE), not_graded FROM forms").fetchall()
    finally:
        con.close()
    assert {(name, amount): reason for name, amount, reason in stored if reason} == grade_truth.SAMPLE_NOT_GRADED
    assert len(stored) == 22
