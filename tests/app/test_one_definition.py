"""One definition per rule: the audit, the page SQL and the form view agree on the same stored data.

"Deducted" and "no reason given" are defined once (dashboard/core/domain.py); a deducted row whose reason is
"不适用", "--", "——" or "n/a" is unexplained everywhere.
"""

from __future__ import annotations

import pytest

from dashboard.audit import review
from dashboard.core import texts
from dashboard.core.model import Form, FundRow, Funds, Indicator
from dashboard.importing import versions
from dashboard.queries import queries
from dashboard.queries.filters import Filters
from dashboard.store import connect, reads, writes
from dashboard.ui import form_view

# (reason printed on a deducted row, whether it explains the deduction) — by hand.
REASONS = [
    ("不适用", False),
    ("--", False),
    ("——", False),
    ("n/a", False),
    ("N/A", False),
    ("无", False),
    ("", False),
    (None, False),
    ("采购价格下降，数量未达标", True),
]


def crafted_form() -> Form:
    rows = [
        Indicator("产出指标", "数量指标", f"指标{i}", "10台", "8台", 10.0, 8.0, reason)
        for i, (reason, _explains) in enumerate(REASONS, start=1)
    ]
    rows.append(Indicator("效益指标", "社会效益指标", "满分指标", "100%", "100%", 10.0, 10.0, "--"))
    return Form(
        project_name="购置费",
        project_type="购置费",
        department="0402009",
        year=2021,
        funds=Funds(total=FundRow(100.0, 100.0, 100.0, 100.0, 0.0, 0.0)),
        indicators=rows,
        total_weight=100.0,
        total_score=82.0,
    )


@pytest.fixture
def con(tmp_path):
    connection = connect.open_db(tmp_path / "d.duckdb")
    form = crafted_form()
    writes.assign_ids([form], "ab" * 32, "crafted.txt")
    review.check_form(form)
    writes.save_file(connection, "crafted.txt", "ab" * 32, versions.place(connection, [form]))
    yield connection
    connection.close()


def test_audit_pages_and_form_view_agree_on_unexplained_deductions(con):
    expected = {f"指标{i}" for i, (_reason, explains) in enumerate(REASONS, start=1) if not explains}
    (form,) = reads.load_forms(con)
    audit_flagged = {c.indicator for c in form.checks if c.rule == "missing_reason"}
    rows = queries.deductions(con, Filters())
    sql_flagged = set(rows.loc[rows["no_reason"], "name"])
    view = form_view.indicators_frame(form)
    view_flagged = set(view.loc[view[texts.COL["reason"]] == texts.NO_REASON, texts.COL["name"]])
    assert audit_flagged == sql_flagged == view_flagged == expected
    figures = queries.kpis(con, Filters())
    assert figures["unexplained"] == len(expected)
    assert figures["deducted"] == len(REASONS) == len(rows)  # the full-marks row is not deducted
    assert figures["points_lost"] == pytest.approx(2.0 * len(REASONS))


def test_execution_rate_is_one_definition(con):
    """执行率 of the form (stored), of the page row and of the KPIs: Σ执行数 ÷ Σ预算数 = 100 ÷ 100."""
    (rate,) = con.execute("SELECT exec_rate FROM forms").fetchone()
    overview = queries.form_overview(con, Filters())
    assert rate == overview["exec_rate"].iloc[0] == queries.kpis(con, Filters())["overall_rate"] == 1.0
