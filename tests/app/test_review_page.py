"""The 复核 page on the sample database: its counts match SQL computed here, independently."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.audit import audit
from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.queries import review_queries as rq
from dashboard.queries.filters import Filters
from dashboard.store import connect, reads
from dashboard.ui.pages import review_page

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "dashboard" / "ui" / "pages" / "review_page.py")
COLUMNS = texts.REVIEW_COLUMNS


def run_page(**state) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


# Findings and forms that count: replaced versions (the sample PDFs replace seed forms 3 and 10),
# incomplete and 可能重复 forms are not in the figures.
COUNTED_FORMS = f"(SELECT * FROM forms f WHERE {reads.counted_sql('f')})"
COUNTED_CHECKS = f"(SELECT c.* FROM checks c JOIN {COUNTED_FORMS} f USING (form_id))"


def test_severity_cards_match_sql(pages_env, con):
    expected = dict(con.execute(f"SELECT severity, count(*) FROM {COUNTED_CHECKS} GROUP BY severity").fetchall())
    app = run_page()
    cards = {metric.label: metric.value for metric in app.metric}
    for severity, label in texts.SEVERITY_LABELS.items():
        assert cards[label] == texts.REVIEW_KPI_SEVERITY_VALUE.format(findings=expected.get(severity, 0))


def test_rule_table_matches_sql_with_audit_titles(sample_env, con):
    expected = {
        (rule, severity): (n, forms)
        for rule, severity, n, forms in con.execute(
            f"SELECT rule, severity, count(*), count(DISTINCT form_id) FROM {COUNTED_CHECKS} GROUP BY ALL"
        ).fetchall()
    }
    table = run_page().dataframe[0].value
    # Each rule by its Chinese name only (the audit's title, else the readers'): no rule id on screen.
    titles = {rule_id: title for rule_id, _severity, title in audit.RULES}
    shown = {
        (row[COLUMNS["rule"]], row[COLUMNS["severity"]]): (row[COLUMNS["findings"]], row[COLUMNS["forms"]])
        for _, row in table.iterrows()
    }
    assert shown == {
        (titles.get(rule, rq.rule_title(rule)), texts.SEVERITY_LABELS[sev]): counts
        for (rule, sev), counts in expected.items()
    }
    assert list(table.columns) == [COLUMNS[key] for key in ("rule", "severity", "findings", "forms")]
    assert not any(rule in set(table[COLUMNS["rule"]]) for rule, _sev in expected)
    # errors first
    severities = table[COLUMNS["severity"]].tolist()
    assert severities == sorted(severities, key=list(texts.SEVERITY_LABELS.values()).index)


def test_forms_most_serious_first(sample_env, con):
    table = run_page().dataframe[1].value
    expected = con.execute(
        f"SELECT count(DISTINCT form_id) FROM {COUNTED_CHECKS}",
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
        f"FROM {COUNTED_FORMS} GROUP BY org ORDER BY 2 DESC"
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
        f"SELECT count(*) FROM {COUNTED_CHECKS} c JOIN forms f USING (form_id) WHERE f.project_type = '购置费'"
    ).fetchone()
    counts = rq.rule_counts(con, Filters(types=("购置费",)))
    assert counts["findings"].sum() == expected
    app = run_page(type=["购置费"])
    assert app.dataframe[0].value[COLUMNS["findings"]].sum() == expected


def test_selected_form_shows_claimed_and_recomputed(pages_env, con):
    form_id, claimed, recomputed = con.execute(
        "SELECT form_id, total_score, recomputed_score FROM forms "
        "WHERE form_id IN (SELECT form_id FROM checks WHERE severity = 'error') "
        "ORDER BY abs(total_score - recomputed_score) DESC LIMIT 1"
    ).fetchone()

    def script(form_id: str) -> None:
        from dashboard.ui import filter_widgets
        from dashboard.ui.pages import review_page

        review_page._selected_form(filter_widgets.current(), form_id)

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


# --- 不可评价 forms, schemes and the explanation of a recomputation ------------------------------------------------


def _not_evaluable(con) -> list[tuple[str, float]]:
    """Forms with a claimed 总分 and no recomputed one: in the sample, the two unused 预算准备金 forms."""
    return con.execute(
        "SELECT form_id, total_score FROM forms WHERE total_score IS NOT NULL AND recomputed_score IS NULL "
        "ORDER BY total_score"
    ).fetchall()


def test_the_unused_reserve_funds_are_not_evaluable_and_out_of_the_gap(sample_env, con, sample_forms):
    rows = _not_evaluable(con)
    assert [claimed for _, claimed in rows] == [90, 100]
    names = {name for (name,) in con.execute(
        "SELECT project_name FROM forms WHERE form_id IN (SELECT unnest(?))", [[form_id for form_id, _ in rows]]
    ).fetchall()}  # fmt: skip
    assert all("预算准备金" in name for name in names)
    summary = rq.gap_summary(con, Filters())
    assert summary["not_evaluable"] == 2
    gap = sum(f.total_score - f.recomputed_score for f in sample_forms if f.recomputed_score is not None)
    assert summary["gap"] == pytest.approx(gap) and abs(summary["gap"]) < 1  # was 190.06 with 100 + 90 counted
    table = run_page().dataframe[1].value
    shown = table.set_index(COLUMNS["form_id"])
    for form_id, _ in rows:
        assert shown.at[form_id, COLUMNS["recomputed_score"]] == texts.NOT_EVALUABLE
        assert pd.isna(shown.at[form_id, COLUMNS["gap"]])
    assert set(table[texts.REVIEW_COLUMN_SCHEME]) == {"全国通用"}


def _show_form(form_id: str) -> AppTest:
    def script(form_id: str) -> None:
        from dashboard.ui import filter_widgets
        from dashboard.ui.pages import review_page

        review_page._selected_form(filter_widgets.current(), form_id)

    app = AppTest.from_function(script, default_timeout=60, args=(form_id,)).run()
    assert not app.exception, app.exception
    return app


def test_a_form_that_is_not_evaluable_says_so_and_explains_why(sample_env, con):
    form_id, claimed = _not_evaluable(con)[0]
    assert claimed == 90
    app = _show_form(form_id)
    cards = {metric.label: metric.value for metric in app.metric}
    assert cards[texts.FORM_RECOMPUTED] == texts.NOT_EVALUABLE
    assert cards[texts.FORM_GAP] == fmt.score_text(None)
    findings = app.dataframe[0].value
    assert texts.AUDIT_TITLES["not_evaluable"] in set(findings[COLUMNS["rule"]])
    explanation = app.dataframe[-1].value
    last = explanation.iloc[-1]
    assert (last[texts.EXPLAIN_COLUMNS["row"]], last[texts.EXPLAIN_COLUMNS["rule"]]) == ("复算总分", "不可评价")
    # Every weighted row of the form reads 不适用 and is shown as left out.
    rules = set(explanation[texts.EXPLAIN_COLUMNS["rule"]])
    assert "不适用：不参与复算" in rules and "达到指标值：得满分" not in rules


def test_the_explanation_ends_at_the_stored_recomputed_score(sample_env, con):
    form_id, recomputed = con.execute(
        "SELECT form_id, recomputed_score FROM forms WHERE project_type = '购置费' AND recomputed_score IS NOT NULL "
        "ORDER BY form_id LIMIT 1"
    ).fetchone()
    explanation = _show_form(form_id).dataframe[-1].value
    assert explanation.iloc[0][texts.EXPLAIN_COLUMNS["rule"]] == "全国通用"
    assert explanation.iloc[-1][texts.EXPLAIN_COLUMNS["result"]] == pytest.approx(recomputed)
    assert explanation.iloc[1][texts.EXPLAIN_COLUMNS["row"]] == "预算执行率"


def test_a_bad_audit_config_is_a_chinese_message_without_the_server_path(sample_env, tmp_path, monkeypatch):
    bad = tmp_path / "secret-dir" / "audit.toml"
    bad.parent.mkdir()
    bad.write_text('[grades]\nbands = [[80, "良"], [90, "优"]]\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_AUDIT_CONFIG", str(bad))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not app.exception, app.exception
    (error,) = app.error
    shown = error.value.replace("\\", "")  # the text is escaped for Markdown
    assert shown == "复核配置文件 audit.toml 中的 grades.bands：分段须从高到低排列"


def test_grade_bands_come_from_the_active_config(tmp_path, monkeypatch):
    from dashboard.queries import queries

    path = tmp_path / "audit.toml"
    path.write_text('[grades]\nbands = [[95, "优"], [85, "良"], [70, "中"]]\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_AUDIT_CONFIG", str(path))
    assert queries.grade_sql("x") == (
        "CASE WHEN x IS NULL THEN NULL WHEN x >= 95.0 THEN '优' WHEN x >= 85.0 THEN '良' "
        "WHEN x >= 70.0 THEN '中' ELSE '差' END"
    )


def test_recomputed_text():
    from dashboard.ui import form_view

    assert form_view.recomputed_text(90.0, None) == "不可评价"
    assert form_view.recomputed_text(None, None) == "—"
    assert form_view.recomputed_text(99.0, 98.456, places=2) == "98.46"
    assert form_view.recomputed_text(99.0, 0.0, places=2) == "0.00"


def test_forms_audited_under_another_scheme_are_announced(sample_db, tmp_path, monkeypatch):
    monkeypatch.setenv(connect.DB_ENV_VAR, str(sample_db))
    app = run_page()
    assert not app.warning  # every stored scheme is the one the defaults give
    path = tmp_path / "audit.toml"
    path.write_text('[departments]\n"0402009" = "hebei"\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_AUDIT_CONFIG", str(path))
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        (counted,) = con.execute(f"SELECT count(*) FROM forms f WHERE {reads.counted_sql('f')}").fetchone()
        assert rq.stale_scheme_count(con) == counted == 22  # every sample form prints 主管部门 0402009
    finally:
        con.close()
    (warning,) = run_page().warning
    assert warning.value.startswith("22 张表的评分方案与当前复核配置不一致")
