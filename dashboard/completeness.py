"""The import's own findings on a form: incomplete forms and numbers no form may hold.

Run with the audit (review.check_form), so that a re-run of the audit keeps them in step. What counts
as complete is `domain.missing_parts`; this module only turns it into findings people read.
"""

from __future__ import annotations

from dashboard import domain, texts
from dashboard.model import SEVERITIES, Check, Form

ERROR = SEVERITIES[0]
RULE_INCOMPLETE = "incomplete"
RULE_NEGATIVE = "negative_value"
RULES = (RULE_INCOMPLETE, RULE_NEGATIVE)


def findings(form: Form) -> list[Check]:
    """Set `form.complete` and return the findings: what is missing, and negative amounts or scores."""
    missing = domain.missing_parts(form)
    form.complete = not missing
    found = []
    if missing:
        message = texts.CHECK_INCOMPLETE.format(missing="、".join(missing))
        found.append(Check(rule=RULE_INCOMPLETE, severity=ERROR, message=message))
    found.extend(_negative_values(form))
    return found


def _negative_values(form: Form) -> list[Check]:
    fields: list[tuple[str, float | None, str | None]] = [
        (texts.FIELD_PROJECT_AMOUNT, form.project_amount, None),
        (texts.FIELD_TOTAL_WEIGHT, form.total_weight, None),
        (texts.FIELD_TOTAL_SCORE, form.total_score, None),
    ]
    for key, row in form.funds.rows().items():
        for name in ("initial_budget", "annual_budget", "executed", "weight", "rate_pct", "score"):
            label = texts.VERSION_FUND_ROW[key] + texts.VERSION_FUND_FIELD[name]
            fields.append((label, getattr(row, name), None))
    for row in form.indicators:
        fields.append((texts.FIELD_INDICATOR_WEIGHT.format(name=row.name), row.weight, row.name))
        fields.append((texts.FIELD_INDICATOR_SCORE.format(name=row.name), row.score, row.name))
    return [
        Check(
            rule=RULE_NEGATIVE,
            severity=ERROR,
            message=texts.CHECK_NEGATIVE_AMOUNT.format(field=label, value=f"{value:g}"),
            indicator=indicator,
            claimed=value,
        )
        for label, value, indicator in fields
        if value is not None and value < 0
    ]
