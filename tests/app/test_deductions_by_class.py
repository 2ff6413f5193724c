"""扣分指标 by 偏差原因分类 and the report's 扣分原因, on the sample database. Expected classes come from the
stored forms and the reason truth written by hand in tests/unit/test_reason_classes.py, not from the SQL."""

from __future__ import annotations

import io
from collections import defaultdict

import docx
import pytest

from dashboard.core import domain, texts
from dashboard.outputs import report
from dashboard.queries import queries
from dashboard.queries.filters import Filters
from tests.app.test_pages import run_app
from tests.unit.test_reason_classes import UNEXPLAINED, truth_of

PAGE = "ui/pages/deductions.py"


def expected_by_class(sample_forms) -> dict[str, tuple[int, float]]:
    """Class → (deducted indicators, points lost), every deducted row classified by hand."""
    found: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for form in sample_forms:
        for row in form.indicators:
            if not domain.is_deducted(row.weight, row.score):
                continue
            if domain.is_no_reason(row.reason):
                level1 = UNEXPLAINED
            else:
                truth = truth_of(row.reason)
                assert truth is not None, row.reason  # every deducted reason of the sample is in the truth
                level1 = truth[0]
            found[level1][0] += 1
            found[level1][1] += row.weight - row.score
    return {level1: (count, round(points, 4)) for level1, (count, points) in found.items()}


def test_points_lost_by_class_match_the_hand_truth(sample_env, con, sample_forms):
    frame = queries.deductions_by_class(con, Filters())
    got = {r.reason_class: (int(r.indicators), round(float(r.points_lost), 4)) for r in frame.itertuples()}
    expected = expected_by_class(sample_forms)
    assert got == expected
    assert expected[UNEXPLAINED][0] == sum(
        domain.is_unexplained(r.weight, r.score, r.reason) for f in sample_forms for r in f.indicators
    )


def test_page_draws_the_class_chart_and_filters_by_class_from_the_url(sample_env, sample_forms):
    at = run_app(PAGE)
    assert len(at.get("plotly_chart")) == 2  # by 二级指标, by 偏差原因分类
    table = at.dataframe[0].value
    assert texts.DEDUCTIONS_CLASS_COLUMN in table.columns
    classes = set(table[texts.DEDUCTIONS_CLASS_COLUMN])
    assert UNEXPLAINED in classes and "外部因素 › 疫情" in classes
    at = run_app(PAGE, rc="外部因素")
    narrowed = at.dataframe[0].value
    assert len(narrowed) == expected_by_class(sample_forms)["外部因素"][0]
    assert all(text.startswith("外部因素") for text in narrowed[texts.DEDUCTIONS_CLASS_COLUMN])
    cards = {metric.label: metric.value for metric in at.metric}
    assert cards[texts.DEDUCTIONS_KPI_COUNT] == str(len(table))  # the cards stay on every deduction


def test_report_has_the_reason_class_paragraph_and_table(sample_env, con, sample_forms):
    document = docx.Document(io.BytesIO(report.build_report(con, Filters())))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "（一）" + texts.REPORT_REASON_CLASSES in headings  # under 七、扣分情况
    expected = expected_by_class(sample_forms)
    total = sum(points for _, points in expected.values())
    paragraph = next(p.text for p in document.paragraphs if p.text.startswith("扣分指标 "))
    assert f"扣分指标 {sum(n for n, _ in expected.values())} 个，共扣 {report.fmt.score_text(total)} 分" in paragraph
    table = next(t for t in document.tables if t.rows[0].cells[0].text == texts.REPORT_REASON_COLUMNS[0])
    rows = {row.cells[0].text: (row.cells[1].text, row.cells[2].text) for row in table.rows[1:]}
    assert rows == {level1: (str(n), report.fmt.score_text(points)) for level1, (n, points) in expected.items()}
    assert pytest.approx(sum(float(points) for _, points in rows.values()), abs=0.05) == total
