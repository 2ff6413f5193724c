"""The 复核 page's 风险信号 view and the 总览's count of forms with a warning-level signal, on the sample
database; expected figures come from the stored forms' findings counted in Python, not from the page's SQL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.audit import audit
from dashboard.core import texts
from dashboard.queries import review_queries as rq
from dashboard.ui import signals_view

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
COLUMNS = texts.SIGNALS_COLUMNS


def run_review(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("ui/pages/review_page.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frames_with(at: AppTest, column: str) -> list:
    return [df.value for df in at.dataframe if column in df.value.columns]


def forms_by_rule(sample_forms) -> Counter:
    return Counter(
        rule for form in sample_forms for rule in {c.rule for c in form.checks if c.rule in audit.RISK_SIGNAL_IDS}
    )


def test_signal_counts_by_rule_match_the_forms(sample_env, sample_forms):
    at = run_review()
    (rules,) = [frame for frame in frames_with(at, COLUMNS["rule"]) if COLUMNS["findings"] in frame.columns]
    titles = [rq.rule_title(rule) for rule in audit.RISK_SIGNAL_IDS]
    assert rules[COLUMNS["rule"]].tolist() == titles  # every signal by its Chinese name, zero rows too
    assert all(rule not in titles for rule in audit.RISK_SIGNAL_IDS)  # no English id on screen
    expected = forms_by_rule(sample_forms)
    assert dict(zip(rules[COLUMNS["rule"]], rules[COLUMNS["forms"]], strict=True)) == {
        rq.rule_title(rule): expected.get(rule, 0) for rule in audit.RISK_SIGNAL_IDS
    }
    assert expected["over_target"] > 0 and expected["score_outruns_execution"] > 0  # the sample raises signals


def test_signal_counts_by_unit_and_drill_through_the_url(sample_env, sample_forms):
    at = run_review()
    (units,) = frames_with(at, texts.SIGNALS_TOTAL)
    flagged = [f for f in sample_forms if any(c.rule in audit.RISK_SIGNAL_IDS for c in f.checks)]
    assert units[texts.SIGNALS_TOTAL].sum() == sum(
        len({c.rule for c in f.checks if c.rule in audit.RISK_SIGNAL_IDS}) for f in flagged
    )
    # ?signal=over_target: the forms list holds exactly the forms carrying it.
    at = run_review(signal="over_target")
    forms = [frame for frame in frames_with(at, COLUMNS["messages"])][-1]
    expected = {f.id for f in sample_forms if any(c.rule == "over_target" for c in f.checks)}
    assert set(forms[COLUMNS["form_id"]]) == expected
    assert any(rq.rule_title("over_target") in caption.value for caption in at.caption)
    # and one unit of them: only that unit's forms.
    org = forms[COLUMNS["org"]].iloc[0]
    at = run_review(signal="over_target", signal_unit=org)
    narrowed = frames_with(at, COLUMNS["messages"])[-1]
    assert set(narrowed[COLUMNS["org"]]) == {org} and 0 < len(narrowed) <= len(forms)


def test_overview_counts_forms_with_a_warning_signal(sample_env, sample_forms):
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception
    expected = sum(
        any(c.rule in audit.RISK_SIGNAL_IDS and c.severity == "warning" for c in f.checks) for f in sample_forms
    )
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown[texts.OVERVIEW_SIGNAL_FORMS] == texts.OVERVIEW_SIGNAL_FORMS_VALUE.format(n=expected)
    assert expected > 0


def test_units_table_pivots_one_column_per_signal():
    import pandas as pd

    long = pd.DataFrame(
        {
            "org": ["甲", "甲", "乙"],
            "org_is_department": [False] * 3,
            "rule": ["copied_text", "over_target", "copied_text"],
            "forms": [2, 1, 3],
        }
    )
    table = signals_view.units_table(long)
    assert dict(zip(table[COLUMNS["org"]], table[texts.SIGNALS_TOTAL], strict=True)) == {"甲": 3, "乙": 3}
    assert table.columns.tolist() == [COLUMNS["org"], rq.rule_title("over_target"), rq.rule_title("copied_text"),
                                      texts.SIGNALS_TOTAL]  # fmt: skip


def test_unit_from_the_url_is_shown_as_text_not_markdown(sample_env):
    """A unit name is data: from the URL (or a form) it is shown as printed, never as Markdown or a link."""
    hostile = "**粗体**[点我](http://example.invalid)"
    at = run_review(**{signals_view.UNIT_PARAM: hostile})
    shown = [caption.value for caption in at.caption if "**粗体**" in caption.value or "粗体" in caption.value]
    assert shown, [caption.value for caption in at.caption]
    assert all("\\*\\*粗体\\*\\*" in value and "](http" not in value for value in shown), shown
