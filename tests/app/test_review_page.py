"""The 复核 page on the sample database: its counts match SQL computed here, independently."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import audit, store, texts
from dashboard import formatting as fmt
from dashboard import review_queries as rq
from dashboard.app_pages import review_page
from dashboard.filters import Filters

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "dashboard" / "app_pages" / "review_page.py")
COLUMNS = texts.REVIEW_COLUMNS


@pytest.fixture
def sample_env(sample_db, monkeypatch) -> Path:
    monkeypatch.setenv(store.DB_ENV_VAR, str(sample_db))
    return sample_db


@pytest.fixture
def con(sample_db):
    connection = duckdb.connect(str(sample_db), read_only=True)
    yield connection
    connection.close()


def run_page(**state) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def test_severity_cards_match_sql(sample_env, con):
    expected = dict(con.execute("SELECT severity, count(*) FROM checks GROUP BY severity").fetchall())
    app = run_page()
    cards = {metric.label: metric.value for metric in app.metric}
    for severity, label in texts.SEVERITY_LABELS.items():
        assert cards[label] == texts.REVIEW_KPI_SEVERITY_VALUE.format(findings=expected.get(severity, 0))


def test_rule_table_matches_sql_with_audit_titles(sample_env, con):
    expected = {
        (rule, severity): (n, forms)
        for rule, severity, n, forms in con.execute(
            "SELECT rule, severity, count(*), count(DISTINCT form_id) FROM checks GROUP BY ALL"
        ).fetchall()
    }
    table = run_page().dataframe[0].value
    shown = {
        (row[COLUMNS["rule_id"]], row[COLUMNS["severity"]]): (row[COLUMNS["findings"]], row[COLUMNS["forms"]])
        for _, row in table.iterrows()
    }
    assert shown == {(rule, texts.SEVERITY_LABELS[sev]): counts for (rule, sev), counts in expected.items()}
    titles = {rule_id: title for rule_id, _severity, title in audit.RULES}
    for _, row in table.iterrows():
        assert row[COLUMNS["rule"]] == titles.get(row[COLUMNS["rule_id"]], rq.rule_title(row[COLUMNS["rule_id"]]))
    # errors first
    severities = table[COLUMNS["severity"]].tolist()
    assert severities == sorted(severities, key=list(texts.SEVERITY_LABELS.values()).index)


def test_forms_most_serious_first(sample_env, con):
    table = run_page().dataframe[1].value
    expected = con.execute(
        "SELECT count(DISTINCT form_id) FROM checks",
    ).fetchone()[0]
    assert len(table) == expected
    keys = list(zip(table[COLUMNS["error_count"]], table[COLUMNS["warning_count"]], strict=True))
    assert keys == sorted(keys, reverse=True)
    first = table.iloc[0]
    errors_of_first = con.execute(
        "SELECT count(*) FROM checks WHERE form_id = ? AND severity = 'error'", [first[COLUMNS["form_id"]]]
    ).fetchone()[0]
    assert first[COLUMNS["error_count"]] == errors_of_first == table[COLUMNS["error_count"]].max()


def test_unit_gaps_match_sql(sample_env, con):
    rows = con.execute(
        "SELECT coalesce(nullif(trim(unit), ''), department) AS org, sum(total_score - recomputed_score) "
        "FROM forms GROUP BY org ORDER BY 2 DESC"
    ).fetchall()
    app = run_page()
    table = app.dataframe[-1].value
    assert len(table) == len(rows)
    assert table[COLUMNS["gap"]].tolist() == pytest.approx([round(gap, 2) for _, gap in rows], abs=0.011)
    total_gap = sum(gap for _, gap in rows)
    cards = {metric.label: metric.value for metric in app.metric}
    assert cards[texts.REVIEW_KPI_GAP] == fmt.score_text(total_gap)


def test_filters_apply(sample_env, con):
    (expected,) = con.execute(
        "SELECT count(*) FROM checks c JOIN forms f USING (form_id) WHERE f.project_type = '购置费'"
    ).fetchone()
    counts = rq.rule_counts(con, Filters(types=("购置费",)))
    assert counts["findings"].sum() == expected
    app = run_page(type=["购置费"])
    assert app.dataframe[0].value[COLUMNS["findings"]].sum() == expected


def test_selected_form_shows_claimed_and_recomputed(sample_env, con):
    form_id, claimed, recomputed = con.execute(
        "SELECT form_id, total_score, recomputed_score FROM forms "
        "WHERE form_id IN (SELECT form_id FROM checks WHERE severity = 'error') "
        "ORDER BY abs(total_score - recomputed_score) DESC LIMIT 1"
    ).fetchone()

    def script(form_id: str) -> None:
        from dashboard import db, filters
        from dashboard.app_pages import review_page

        review_page._selected_form(db.cache_key(), filters.current(), form_id)

    app = AppTest.from_function(script, default_timeout=60, args=(form_id,)).run()
    assert not app.exception, app.exception
    cards = {metric.label: metric.value for metric in app.metric}
    assert cards[texts.FORM_CLAIMED] == fmt.score_text(claimed)
    assert cards[texts.FORM_RECOMPUTED] == fmt.score_text(recomputed)
    assert cards[texts.FORM_GAP] == fmt.score_text(round(claimed - recomputed, 2))
    (expected_findings,) = con.execute("SELECT count(*) FROM checks WHERE form_id = ?", [form_id]).fetchone()
    assert len(app.dataframe[0].value) == expected_findings


def test_pure_tables():
    assert review_page.org_label("某单位", False) == "某单位"
    assert review_page.org_label("0402009", True) == texts.REVIEW_UNIT_IS_DEPARTMENT.format(org="0402009")
    assert review_page.org_label(None, True) == texts.ORG_BLANK
