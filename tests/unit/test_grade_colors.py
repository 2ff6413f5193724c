"""Grade colours follow a grade's rank in the configured bands, not its name (issue 22: the bands are
configurable, so the overview chart, the report chart and the form badge may not key colours by 优/良/中/差)."""

from __future__ import annotations

from dashboard.audit.config import AuditConfig
from dashboard.core import texts
from dashboard.queries.key_figures import GRADE_CHART_COLORS, NO_GRADE_CHART_COLOR, grade_color


def test_default_grades_keep_their_colours():
    config = AuditConfig()
    colors = [grade_color(grade, GRADE_CHART_COLORS, NO_GRADE_CHART_COLOR, config) for grade in config.grades]
    assert colors == ["#27ae60", "#2e86c1", "#f39c12", "#c0392b"]
    assert grade_color(texts.NOT_GRADED, GRADE_CHART_COLORS, NO_GRADE_CHART_COLOR, config) == NO_GRADE_CHART_COLOR
    assert grade_color(None, GRADE_CHART_COLORS, NO_GRADE_CHART_COLOR, config) == NO_GRADE_CHART_COLOR


def test_renamed_and_extra_grades_are_coloured_by_rank():
    config = AuditConfig(grade_bands=((95.0, "A"), (85.0, "B"), (75.0, "C"), (60.0, "D")), lowest_grade="E")
    colors = [grade_color(grade, GRADE_CHART_COLORS, NO_GRADE_CHART_COLOR, config) for grade in config.grades]
    assert colors == ["#27ae60", "#2e86c1", "#f39c12", "#f39c12", "#c0392b"]  # the lowest grade is always red
