"""Reads of the cycle after the self-evaluation for the pages and the report (issue 20): the 结果应用 table
under the sidebar filters. Plans, entries and items are read by audit/spot_check.py and audit/rectify.py."""

from __future__ import annotations

import pandas as pd

from dashboard.audit import result_use, spot_check
from dashboard.audit.result_use import UseRule
from dashboard.core import texts
from dashboard.queries.filters import Filters
from dashboard.queries.queries import overview_query

_PROJECTS = """
SELECT o.form_id, o.project_name, o.department, o.unit, o.year, o.budget, o.grade, o.not_graded
FROM form_overview o
ORDER BY o.department NULLS LAST, o.unit NULLS LAST, o.batch_id, o.position
"""


def reviewed_scores(con) -> dict[str, float]:
    """{current form id: 复核总分 of its latest saved review}. A review counts for the version it was made on and
    for the versions that replaced it since (a re-submission does not drop the project's 复核 grade): each
    reviewed form is followed along superseded_by to the current version."""
    reviews = con.execute(
        "SELECT form_id, reviewed_score FROM spot_entries WHERE reviewed_score IS NOT NULL ORDER BY saved_at, entry_id"
    ).fetchall()
    if not reviews:
        return {}
    successor = dict(con.execute(
        "SELECT form_id, superseded_by FROM forms WHERE superseded_by IS NOT NULL"
    ).fetchall())  # fmt: skip
    scores = {}
    for form_id, score in reviews:
        seen = {form_id}
        while form_id in successor and successor[form_id] not in seen:
            form_id = successor[form_id]
            seen.add(form_id)
        scores[form_id] = score  # the latest saved wins
    return scores


def result_use_table(con, filters: Filters, rules: tuple[UseRule, ...]) -> pd.DataFrame:
    """One row per project under the filters: budget, grade (复核 where reviewed, else self), its basis, the
    suggested action and amount (result_use.suggestion)."""
    frame = overview_query(con, _PROJECTS, filters)
    scores = reviewed_scores(con)
    frame["reviewed_score"] = pd.Series([scores.get(form_id) for form_id in frame["form_id"]], index=frame.index,
                                        dtype="float64")  # fmt: skip
    reviewed = frame["reviewed_score"].notna()
    frame["grade"] = [
        spot_check.grade(score, not_graded) if has_review else own
        for score, not_graded, own, has_review in zip(
            frame["reviewed_score"], frame["not_graded"], frame["grade"], reviewed, strict=True
        )
    ]
    frame["grade_basis"] = [texts.RESULT_USE_BASIS_REVIEW if r else texts.RESULT_USE_BASIS_SELF for r in reviewed]
    suggestions = [
        result_use.suggestion(rules, grade, None if pd.isna(budget) else float(budget))
        for grade, budget in zip(frame["grade"], frame["budget"], strict=True)
    ]
    frame["action"] = [action for action, _ in suggestions]
    frame["suggested"] = pd.Series([amount for _, amount in suggestions], index=frame.index, dtype="float64")
    return frame[list(texts.RESULT_USE_COLUMNS)]


def result_use_summary(frame: pd.DataFrame) -> str:
    """ "N 个项目：优先保障 3 个，…" in the rules' order."""
    counts = frame["action"].value_counts()
    parts = texts.REPORT_LOW_GRADES_SEPARATOR.join(
        texts.RESULT_USE_SUMMARY_PART.format(action=action, count=int(count)) for action, count in counts.items()
    )
    return texts.RESULT_USE_SUMMARY.format(forms=len(frame), parts=parts or texts.DASH)
