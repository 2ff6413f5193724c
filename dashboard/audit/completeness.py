"""The import's own findings on a form: incomplete forms and numbers no form may hold.

Run with the audit (review.check_form), so that a re-run of the audit keeps them in step. What counts
as complete is `domain.missing_parts`; this module only turns it into findings people read.
"""

from __future__ import annotations

from collections.abc import Iterator

from dashboard.core import domain, texts
from dashboard.core.domain import Severity
from dashboard.core.model import Check, Form
from dashboard.core.rule_ids import PARSE_UNCERTAIN, VALUE_OUT_OF_RANGE, VALUE_UNREADABLE
from dashboard.ingest.cells import looks_like_number

RULE_INCOMPLETE = "incomplete"
RULE_NEGATIVE = "negative_value"
RULE_OCR_UNSURE = domain.OCR_UNSURE_RULE
RULES = (RULE_INCOMPLETE, RULE_NEGATIVE, RULE_OCR_UNSURE)
# The audit rules that are the form's own arithmetic (audit.py): 执行率 = 执行数 ÷ 预算数, 得分 ≤ 分值,
# Σ分值 = 总分分值, Σ得分 = 总分, the fund rows' sum. On a form read by OCR a failure may be a misread digit.
ARITHMETIC_RULES = frozenset(
    {"rate_mismatch", "score_above_weight", "weights_not_sum", "total_not_sum", "fund_total_not_sum"}
)
MAX_CELLS_NAMED = 8  # cells listed in one ocr_unsure finding; the rest counted
# The readers' own doubts that hold a form read by OCR, each with the words of its ocr_unsure finding, in order.
_READER_DOUBTS = ((VALUE_UNREADABLE, texts.OCR_UNSURE_VALUE), (PARSE_UNCERTAIN, texts.OCR_UNSURE_PART))


def ocr_hold(form: Form, audit_findings: list[Check]) -> list[Check]:
    """Why a form read by OCR is held (ocr_unsure errors; none: it counts like any other form).

    A cell that reads as a number (an amount, rate, 分值 or 得分: cells.looks_like_number) read with less
    confidence than domain.OCR_CONFIDENCE_MIN and that no person confirmed; a number the reader could not read
    (value_unreadable) on a scanned form; a part the grid reader could not place (parse_uncertain: a column
    heading one character off a label, whose column is then not read); a failure of the form's own arithmetic
    (ARITHMETIC_RULES), until a person confirmed the form. A form held is incomplete (domain.missing_parts).
    """
    if form.read_by != "ocr":
        return []
    found = []
    unsure = [
        cell
        for cell in form.ocr_cells
        if cell.confirmed_by is None and cell.confidence < domain.OCR_CONFIDENCE_MIN and looks_like_number(cell.text)
    ]
    for page in sorted({cell.page for cell in unsure}):
        cells = [cell for cell in unsure if cell.page == page]
        named = "、".join(
            texts.OCR_UNSURE_CELL.format(text=cell.text.replace("\n", " "), confidence=cell.confidence)
            for cell in cells[:MAX_CELLS_NAMED]
        )
        if len(cells) > MAX_CELLS_NAMED:
            named += texts.OCR_UNSURE_MORE.format(count=len(cells))
        found.append(
            Check(
                rule=RULE_OCR_UNSURE,
                severity=Severity.ERROR,
                message=texts.OCR_UNSURE_CELLS.format(page=page, cells=named),
            )
        )
    if form.ocr_confirmed_by is None:
        page = min(form.source_pages, default=1)
        for reader_rule, template in _READER_DOUBTS:
            found.extend(
                Check(
                    rule=RULE_OCR_UNSURE,
                    severity=Severity.ERROR,
                    message=template.format(page=page, message=check.message),
                    indicator=check.indicator,
                )
                for check in form.checks
                if check.rule == reader_rule
            )
        found.extend(
            Check(
                rule=RULE_OCR_UNSURE,
                severity=Severity.ERROR,
                message=texts.OCR_UNSURE_ARITHMETIC.format(message=check.message),
                indicator=check.indicator,
                claimed=check.claimed,
                recomputed=check.recomputed,
            )
            for check in audit_findings
            if check.rule in ARITHMETIC_RULES
        )
    return found


def findings(form: Form) -> list[Check]:
    """Set `form.complete` and return the findings: numbers beyond what a form can hold (cleared, so that
    they reach no total and no database column), what is missing, and negative amounts or scores."""
    found = _out_of_range(form)
    missing = domain.missing_parts(form)
    form.complete = not missing
    if missing:
        message = texts.CHECK_INCOMPLETE.format(missing="、".join(missing))
        found.append(Check(rule=RULE_INCOMPLETE, severity=Severity.ERROR, message=message))
    found.extend(
        Check(
            rule=RULE_NEGATIVE,
            severity=Severity.ERROR,
            message=texts.CHECK_NEGATIVE_AMOUNT.format(field=label.format(name=indicator), value=f"{value:g}"),
            indicator=indicator,
            claimed=value,
        )
        for label, holder, name, indicator, _limit in _numbers(form)
        if (value := getattr(holder, name)) is not None and value < 0
    )
    return found


def _out_of_range(form: Form) -> list[Check]:
    """The store's last guard: a reader keeps such numbers out already (ingest/cells.py)."""
    found = []
    for label, holder, name, indicator, limit in _numbers(form):
        value = getattr(holder, name)
        if value is not None and limit is not None and not abs(value) < limit:
            setattr(holder, name, None)
            message = texts.VALUE_OUT_OF_RANGE.format(field=label.format(name=indicator), text=f"{value:g}")
            found.append(Check(rule=VALUE_OUT_OF_RANGE, severity=Severity.ERROR, message=message, indicator=indicator))
    return found


def _numbers(form: Form) -> Iterator[tuple[str, object, str, str | None, float | None]]:
    """Every number of a form: (label for people — a template to format with the indicator name, made only
    where a finding needs it —, object holding it, attribute, indicator name, bound)."""
    yield texts.FIELD_PROJECT_AMOUNT, form, "project_amount", None, domain.MAX_AMOUNT_YUAN
    yield texts.FIELD_TOTAL_WEIGHT, form, "total_weight", None, domain.MAX_POINTS
    yield texts.FIELD_TOTAL_SCORE, form, "total_score", None, domain.MAX_POINTS
    for key, fund_row in form.funds.rows().items():
        for name, limit in _FUND_LIMITS.items():
            yield texts.VERSION_FUND_ROW[key] + texts.VERSION_FUND_FIELD[name], fund_row, name, None, limit
    for row in form.indicators:
        yield texts.FIELD_INDICATOR_WEIGHT, row, "weight", row.name, domain.MAX_POINTS
        yield texts.FIELD_INDICATOR_SCORE, row, "score", row.name, domain.MAX_POINTS


_FUND_LIMITS = {
    "initial_budget": domain.MAX_AMOUNT_YUAN,
    "annual_budget": domain.MAX_AMOUNT_YUAN,
    "executed": domain.MAX_AMOUNT_YUAN,
    "weight": domain.MAX_POINTS,
    "rate_pct": None,  # a rate of any size is a finding of the audit (rate_mismatch), not of the store
    "score": domain.MAX_POINTS,
}
