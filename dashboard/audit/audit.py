"""The self-score audit (自评复核): scoring rules → checks (docs: scoring-rules.md).

Each rule is a small function `(form, scheme) -> list[Check]` with a stable rule id. The import
consistency checks (sums, rates, the fund score) and the reviewers' list ("What reviewers flag",
items 1–12) are here; the readers' own "parse_uncertain" findings are not repeated.

Every rule judges a form by its scheme (audit_config.Scheme: the weights, bands, cost rules and
tolerances of one region's rules); `AuditConfig.scheme_for` picks it. Rows whose actual does not
apply (不适用) leave the recomputation and the remaining indicator weights are rescaled to the form's
total; a form with nothing measurable is 不可评价 (`domain.is_not_evaluable`: `recompute_total` returns None).

Public API: `run_form_rules`, `run_unit_rules`, `recompute_total`, `recompute`, `explain_total`,
`RULES`, `UNIT_RULE_IDS`.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dashboard.audit import quantities as q
from dashboard.audit.config import AuditConfig, Scheme, active_config
from dashboard.core import domain, texts
from dashboard.core.domain import POINTS_EPSILON, SEVERITIES, Band, Severity
from dashboard.core.model import FUND_ROW_KEYS, Check, Form, Indicator
from dashboard.ingest.cells import label_key

# Rule id → severity, in the order the UI lists them.
_SEVERITY_OF = {
    "weights_not_sum": Severity.ERROR,
    "total_not_sum": Severity.ERROR,
    "total_rounding": Severity.INFO,
    "rate_mismatch": Severity.ERROR,
    "fund_score_mismatch": Severity.ERROR,
    "fund_total_not_sum": Severity.ERROR,
    "fund_weight_unusual": Severity.WARNING,
    "score_above_weight": Severity.ERROR,
    "score_above_rule": Severity.ERROR,
    "missing_reason": Severity.WARNING,
    "full_score_not_measured": Severity.WARNING,
    "actual_is_target_wording": Severity.WARNING,
    "actual_unit_mismatch": Severity.WARNING,
    "cost_target_direction": Severity.WARNING,
    "target_cannot_fail": Severity.WARNING,
    "over_target": Severity.INFO,
    "low_execution_high_score": Severity.WARNING,
    "duplicate_indicator": Severity.WARNING,
    "level1_split": Severity.WARNING,
    "stopped_with_points": Severity.WARNING,
    "unit_all_full_marks": Severity.WARNING,
    "not_evaluable": Severity.INFO,
    "execution_cap": Severity.WARNING,
    "score_outruns_execution": Severity.WARNING,
    "copied_text": Severity.WARNING,
    "satisfaction_unmeasured": Severity.WARNING,
    "zero_actual_full_score": Severity.WARNING,
}

# (rule id, severity, Chinese title) for every rule, for the UI's counts by rule.
RULES: list[tuple[str, str, str]] = [
    (rule, severity, texts.AUDIT_TITLES[rule]) for rule, severity in _SEVERITY_OF.items()
]
# Rules that compare a unit's forms with each other (run_unit_rules), not one form alone.
UNIT_RULE_IDS: tuple[str, ...] = ("unit_all_full_marks",)
# The rule that compares texts across forms of different projects (review.refresh_copied_text), from the
# texts' hashes stored at import: never a comparison of every pair of forms.
COPIED_TEXT = domain.COPIED_TEXT_RULE
# Risk signals (core/domain.py, where the stored per-form count reads them too).
RISK_SIGNAL_IDS = domain.RISK_SIGNAL_IDS

# Weights are printed exactly (2.5, 10): anything beyond this is a real difference.
_WEIGHT_TOLERANCE = 0.005
# Indicator names that are placeholders, not indicators ("不适用" rows).
_PLACEHOLDER_NAMES = frozenset(label_key(text) for text in domain.NOT_MEASURED_MARKS) | {"无"}


# --- Small helpers ------------------------------------------------------------------------------------------


def _check(rule: str, message: str, indicator: str | None = None, claimed=None, recomputed=None) -> Check:
    return Check(
        rule=rule,
        severity=_SEVERITY_OF[rule],
        message=message,
        indicator=indicator,
        claimed=None if claimed is None else float(claimed),
        recomputed=None if recomputed is None else round(float(recomputed), 4),
    )


def fmt(value: float | None, places: int = 4) -> str:
    """A figure as people write it: 9.64, 100, 5.2 (no trailing zeros); "—" for none."""
    if value is None:
        return "—"
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _round_half_up(value: float, places: int) -> float:
    exponent = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def _printed_places(value: float) -> int:
    """Decimal places a score was printed with, as far as the float tells (5.2 → 1, 10.0 → 0)."""
    text = fmt(value)
    return min(len(text.split(".")[1]), 4) if "." in text else 0


def _full_marks(indicator: Indicator) -> bool:
    weight, score = indicator.weight, indicator.score
    return weight is not None and score is not None and score >= weight - POINTS_EPSILON


def _is_satisfaction(indicator: Indicator) -> bool:
    return "满意" in indicator.name


def _is_cost(indicator: Indicator) -> bool:
    return "成本" in indicator.level2 or any(word in indicator.name for word in domain.COST_WORDS)


def _sum(values: Iterable[float | None]) -> float:
    return round(sum(value or 0.0 for value in values), 6)


# --- How one indicator fares under the scoring rules ----------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """What the scoring rules make of one indicator row."""

    outcome: Band | None  # None where the rules cannot tell
    ceiling: float | None  # the most points any reading of the rules allows; None: no judgment
    rule_score: float  # the points the scheme gives (what recompute_total counts)
    comparison: q.Comparison | None = None


def _band_ceiling(outcome: Band, weight: float, scheme: Scheme) -> float:
    shares = {Band.MET: 1.0, Band.PARTIAL: scheme.partial_band_max, Band.MISSED: scheme.missed_band_max}
    return weight * shares[outcome]


# Within `assessments_kept()`, each row's Assessment under a scheme is worked out once: the rules of one form
# ask for it four or five times. Keyed by the row and scheme objects themselves (rows are not hashable), per
# context, so that threads (page runs) never share one.
_KEPT: contextvars.ContextVar[dict[tuple[int, int], tuple[Indicator, Scheme, Assessment]] | None] = (
    contextvars.ContextVar("assessments_kept", default=None)
)


@contextlib.contextmanager
def assessments_kept() -> Iterator[None]:
    """Remember `assess` answers while the rows are not changed (one form's rules and recomputation)."""
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)


def assess(indicator: Indicator, scheme: Scheme | None = None) -> Assessment:
    """The outcome and the points the rules give for one indicator row (under the default scheme
    of the active configuration unless `scheme` is given)."""
    scheme = scheme or active_config().default
    kept = _KEPT.get()
    if kept is None:
        return _assess(indicator, scheme)
    key = (id(indicator), id(scheme))
    hit = kept.get(key)
    if hit is not None and hit[0] is indicator and hit[1] is scheme:
        return hit[2]
    found = _assess(indicator, scheme)
    kept[key] = (indicator, scheme, found)
    return found


def _assess(indicator: Indicator, scheme: Scheme) -> Assessment:
    weight = indicator.weight or 0.0
    claimed = min(indicator.score or 0.0, weight)
    if domain.is_not_measured(indicator.actual):
        # Nothing was measured: the rules give nothing (rule 7 flags full points here).
        return Assessment(None, None, 0.0)
    comparison = q.compare(indicator.target, indicator.actual, indicator.name, indicator.level2)
    if comparison is not None:
        ceiling = weight * comparison.fraction
        overspent_cap = comparison.lower_is_better and comparison.target.dimension == q.MONEY
        zero = not comparison.met and overspent_cap and scheme.overspent_cost_scores_zero
        outcome = Band.MET if comparison.met else Band.MISSED
        return Assessment(outcome, ceiling, 0.0 if zero else ceiling, comparison)
    worded = q.qualitative_outcome(indicator.actual)
    if q.read_quantity(indicator.target) is None and worded is not None:
        ceiling = _band_ceiling(worded, weight, scheme)
        return Assessment(worded, ceiling, min(claimed, ceiling))
    return Assessment(None, None, claimed)


def _allowed_score(ceiling: float, claimed: float, scheme: Scheme) -> float:
    """The highest self-score that is the rule's figure rounded to the printed precision."""
    return max(_round_half_up(ceiling, _printed_places(claimed)), ceiling + scheme.score_tolerance)


# --- Import consistency: weights, total, funds (scoring-rules items 4–6) -----------------------------------


def _parts(form: Form, column: str) -> tuple[float, float, float]:
    """The fund row's and the indicators' printed `column` ("weight" or "score"), and their sum."""
    fund = getattr(form.funds.total, column) or 0.0
    indicators = _sum(getattr(row, column) for row in form.indicators)
    return fund, indicators, round(fund + indicators, 6)


def check_weights_sum(form: Form, scheme: Scheme) -> list[Check]:
    """Item 6: Σ indicator weights + the fund weight = the 总分 row's weight."""
    if form.total_weight is None:
        return []
    fund, indicators, recomputed = _parts(form, "weight")
    if abs(recomputed - form.total_weight) <= _WEIGHT_TOLERANCE:
        return []
    message = texts.AUDIT_WEIGHTS_NOT_SUM.format(
        recomputed=fmt(recomputed), fund=fmt(fund), indicators=fmt(indicators), claimed=fmt(form.total_weight)
    )
    return [_check("weights_not_sum", message, claimed=form.total_weight, recomputed=recomputed)]


def check_total_sum(form: Form, scheme: Scheme) -> list[Check]:
    """Item 5: 总分 = 执行率得分 + Σ indicator 得分; a gap up to the tolerance is rounding (info)."""
    if form.total_score is None:
        return []
    fund, indicators, recomputed = _parts(form, "score")
    gap = abs(form.total_score - recomputed)
    if gap <= POINTS_EPSILON:
        return []
    figures = {
        "claimed": fmt(form.total_score),
        "fund": fmt(fund),
        "indicators": fmt(indicators),
        "recomputed": fmt(recomputed),
    }
    if gap <= scheme.score_tolerance + POINTS_EPSILON:
        message = texts.AUDIT_TOTAL_ROUNDING.format(gap=fmt(gap), **figures)
        return [_check("total_rounding", message, claimed=form.total_score, recomputed=recomputed)]
    message = texts.AUDIT_TOTAL_NOT_SUM.format(**figures)
    return [_check("total_not_sum", message, claimed=form.total_score, recomputed=recomputed)]


def check_rates(form: Form, scheme: Scheme) -> list[Check]:
    """Item 4: each row's 执行率 = 全年执行数 ÷ 全年预算数 (a 0 budget goes with a 0.00% rate)."""
    found = []
    for key, row in form.funds.rows().items():
        if row.rate_pct is None or row.annual_budget is None or row.executed is None:
            continue
        label = texts.FUND_ROW_LABELS[key]
        if row.annual_budget == 0:
            if abs(row.rate_pct) > scheme.rate_tolerance_pct:
                message = texts.AUDIT_RATE_NO_BUDGET.format(row=label, claimed=fmt(row.rate_pct))
                found.append(_check("rate_mismatch", message, claimed=row.rate_pct))
            continue
        recomputed = row.executed / row.annual_budget * 100
        if abs(recomputed - row.rate_pct) > scheme.rate_tolerance_pct + POINTS_EPSILON:
            message = texts.AUDIT_RATE_MISMATCH.format(
                row=label,
                claimed=fmt(row.rate_pct),
                executed=fmt(row.executed, 2),
                budget=fmt(row.annual_budget, 2),
                recomputed=fmt(recomputed, 2),
            )
            found.append(_check("rate_mismatch", message, claimed=row.rate_pct, recomputed=recomputed))
    return found


def check_fund_score(form: Form, scheme: Scheme) -> list[Check]:
    """Item 4: 执行率得分 = 分值 × 执行率, capped at 分值 (a score above 分值 is item 1's)."""
    total = form.funds.total
    rate = total.rate_pct if total.rate_pct is not None else domain.form_rate_pct(form)
    if total.weight is None or total.score is None or rate is None:
        return []
    if total.score > total.weight + POINTS_EPSILON:
        return []
    recomputed = min(total.weight * rate / 100, total.weight)
    if abs(recomputed - total.score) <= scheme.score_tolerance + POINTS_EPSILON:
        return []
    message = texts.AUDIT_FUND_SCORE_MISMATCH.format(
        claimed=fmt(total.score), weight=fmt(total.weight), rate=fmt(rate, 2), recomputed=fmt(recomputed, 2)
    )
    return [_check("fund_score_mismatch", message, claimed=total.score, recomputed=recomputed)]


_AMOUNT_COLUMNS = ("initial_budget", "annual_budget", "executed")


def check_fund_total(form: Form, scheme: Scheme) -> list[Check]:
    """Item 4: 年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金, for each amount column."""
    found = []
    parts = [form.funds.rows()[key] for key in FUND_ROW_KEYS[1:]]
    for column in _AMOUNT_COLUMNS:
        claimed = getattr(form.funds.total, column)
        values = [getattr(row, column) for row in parts]
        if claimed is None or all(value is None for value in values):
            continue
        recomputed = _sum(values)
        if abs(recomputed - claimed) > scheme.amount_tolerance_yuan + POINTS_EPSILON:
            message = texts.AUDIT_FUND_TOTAL_NOT_SUM.format(
                column=texts.AUDIT_AMOUNT_COLUMNS[column], claimed=fmt(claimed, 2), recomputed=fmt(recomputed, 2)
            )
            found.append(_check("fund_total_not_sum", message, claimed=claimed, recomputed=recomputed))
    return found


def check_fund_weight(form: Form, scheme: Scheme) -> list[Check]:
    """The 预算执行率 weight is one the form's scheme allows (national: 10, or 20 on some local forms)."""
    weight = form.funds.total.weight
    if weight is None or any(abs(weight - allowed) < POINTS_EPSILON for allowed in scheme.fund_weights):
        return []
    allowed = "/".join(fmt(value) for value in scheme.fund_weights)
    message = texts.AUDIT_FUND_WEIGHT_UNUSUAL.format(claimed=fmt(weight), allowed=allowed, scheme=scheme.label)
    return [_check("fund_weight_unusual", message, claimed=weight)]


# --- Reviewers' list: one indicator at a time (items 1–3, 7–9, over-target) ---------------------------------


def check_score_above_weight(form: Form, scheme: Scheme) -> list[Check]:
    """Item 1: 得分 > 分值 on any row: the indicators, the 执行率 row and the 总分 row."""
    rows: list[tuple[str, str | None, float | None, float | None]] = [
        (texts.AUDIT_ROW_INDICATOR, row.name, row.weight, row.score) for row in form.indicators
    ]
    rows.append((texts.AUDIT_ROW_FUND, None, form.funds.total.weight, form.funds.total.score))
    rows.append((texts.AUDIT_ROW_TOTAL, None, form.total_weight, form.total_score))
    found = []
    for label, name, weight, score in rows:
        if weight is None or score is None or not domain.score_above_weight(weight, score):
            continue
        message = texts.AUDIT_SCORE_ABOVE_WEIGHT.format(row=label, claimed=fmt(score), weight=fmt(weight))
        found.append(_check("score_above_weight", message, indicator=name, claimed=score, recomputed=weight))
    return found


def _score_above_rule(row: Indicator, scheme: Scheme) -> Check | None:
    if not domain.is_weighted(row.weight) or row.score is None or row.score > row.weight + POINTS_EPSILON:
        return None
    found = assess(row, scheme)
    if found.outcome in (None, Band.MET) or found.ceiling is None:
        return None
    figures = {"actual": row.actual, "target": row.target, "claimed": fmt(row.score)}
    if _full_marks(row) and found.ceiling < row.weight - POINTS_EPSILON:
        message = texts.AUDIT_FULL_SCORE_MISSED.format(recomputed=fmt(found.ceiling, 2), **figures)
    elif row.score > _allowed_score(found.ceiling, row.score, scheme) + POINTS_EPSILON:
        if found.comparison is not None:
            message = texts.AUDIT_SCORE_ABOVE_PRORATED.format(recomputed=fmt(found.ceiling, 2), **figures)
        else:
            band = texts.AUDIT_BAND_PARTIAL if found.outcome == Band.PARTIAL else texts.AUDIT_BAND_MISSED
            message = texts.AUDIT_SCORE_ABOVE_BAND.format(band=band, recomputed=fmt(found.ceiling, 2), **figures)
    else:
        return None
    return _check("score_above_rule", message, row.name, claimed=row.score, recomputed=found.ceiling)


def check_score_above_rule(form: Form, scheme: Scheme) -> list[Check]:
    """Item 2: a self-score above what the rule gives.

    Quantitative rows are prorated (actual ÷ target, or target ÷ actual where lower is better);
    a prorated score rounded to its printed precision is fine (6 × 1172/1350 = 5.2089 → 5.2), full
    points on a missed target are not. Qualitative rows are held to their band (部分达成 ≤ 80 %,
    未达成 ≤ 60 % of the weight). Rows the rules cannot judge are left alone.
    """
    return [check for row in form.indicators if (check := _score_above_rule(row, scheme))]


def _missing_reason(row: Indicator, scheme: Scheme) -> Check | None:
    if not domain.is_weighted(row.weight) or not domain.is_no_reason(row.reason):
        return None
    lost = row.points_lost
    if lost > POINTS_EPSILON:
        message = texts.AUDIT_MISSING_REASON_DEDUCTED.format(
            lost=fmt(lost), claimed=fmt(row.score), weight=fmt(row.weight)
        )
        return _check("missing_reason", message, row.name, claimed=row.score, recomputed=row.weight)
    if assess(row, scheme).outcome in (Band.MISSED, Band.PARTIAL):
        message = texts.AUDIT_MISSING_REASON_MISSED.format(actual=row.actual, target=row.target)
        return _check("missing_reason", message, row.name, claimed=row.score)
    return None


def check_missing_reason(form: Form, scheme: Scheme) -> list[Check]:
    """Item 3: points deducted, or the target missed, with no 偏差原因分析及改进措施."""
    return [check for row in form.indicators if (check := _missing_reason(row, scheme))]


def check_full_score_not_measured(form: Form, scheme: Scheme) -> list[Check]:
    """Item 7: full points while the actual reads 不适用 / blank / "/" (nothing was measured)."""
    found = []
    for row in form.indicators:
        if domain.is_weighted(row.weight) and _full_marks(row) and domain.is_not_measured(row.actual):
            actual = row.actual.strip() or texts.AUDIT_BLANK
            message = texts.AUDIT_FULL_SCORE_NOT_MEASURED.format(actual=actual, claimed=fmt(row.score))
            found.append(_check("full_score_not_measured", message, row.name, claimed=row.score, recomputed=0))
    return found


def check_actual_is_target_wording(form: Form, scheme: Scheme) -> list[Check]:
    """Item 8: an actual worded as a bound ("≥90%", "24小时内") is the target, not a measurement."""
    found = []
    for row in form.indicators:
        if domain.is_weighted(row.weight) and q.has_comparator(row.actual):
            message = texts.AUDIT_ACTUAL_IS_TARGET_WORDING.format(actual=row.actual, target=row.target)
            found.append(_check("actual_is_target_wording", message, row.name, claimed=row.score))
    return found


def check_actual_unit_mismatch(form: Form, scheme: Scheme) -> list[Check]:
    """An actual in another dimension than its target ("≥85%" vs 1016318; "≤1096.58万元" vs 100%)."""
    found = []
    for row in form.indicators:
        if not domain.is_weighted(row.weight) or not q.units_clash(row.target, row.actual):
            continue
        target, actual = q.read_quantity(row.target), q.read_quantity(row.actual)
        if target is None or actual is None:  # units_clash says both are quantities
            continue
        message = texts.AUDIT_ACTUAL_UNIT_MISMATCH.format(
            actual=row.actual,
            actual_kind=texts.AUDIT_DIMENSIONS[actual.dimension],
            target=row.target,
            target_kind=texts.AUDIT_DIMENSIONS[target.dimension],
        )
        found.append(_check("actual_unit_mismatch", message, row.name, claimed=row.score))
    return found


def check_cost_target_direction(form: Form, scheme: Scheme) -> list[Check]:
    """Item 9: a cost (an amount in a 成本指标, or named as a cost) whose target is written with ≥."""
    found = []
    for row in form.indicators:
        target = q.read_quantity(row.target)
        if not domain.is_weighted(row.weight) or target is None or not _is_cost(row):
            continue
        if target.dimension == q.MONEY and target.comparator in (q.GE, q.GT):
            message = texts.AUDIT_COST_TARGET_DIRECTION.format(target=row.target)
            found.append(_check("cost_target_direction", message, row.name))
    return found


def _cannot_fail_message(row: Indicator) -> str | None:
    target = q.read_quantity(row.target)
    if target is None:
        return None
    lower = q.lower_is_better(target, row.name, row.level2, domain.normalize(row.target))
    if _is_satisfaction(row) and target.comparator in (q.LE, q.LT):
        return texts.AUDIT_CANNOT_FAIL_SATISFACTION.format(target=row.target)
    if lower and target.dimension == q.PERCENT and target.value >= 100 and target.comparator != q.LT:
        return texts.AUDIT_CANNOT_FAIL_UPPER.format(target=row.target)
    if not lower and target.value <= 0 and target.comparator != q.GT:
        return texts.AUDIT_CANNOT_FAIL_LOWER.format(target=row.target)
    return None


def check_target_cannot_fail(form: Form, scheme: Scheme) -> list[Check]:
    """Item 9: a target no result can miss: satisfaction written as "≤", a lower-is-better rate capped
    at 100 % or more (故障率 100%), a higher-is-better target of 0."""
    found = []
    for row in form.indicators:
        if domain.is_weighted(row.weight) and (message := _cannot_fail_message(row)):
            found.append(_check("target_cannot_fail", message, row.name))
    return found


def check_over_target(form: Form, scheme: Scheme) -> list[Check]:
    """An actual at ≥ 130 % of a higher-is-better target: no deduction, the target was set too low."""
    found = []
    for row in form.indicators:
        if not domain.is_weighted(row.weight):
            continue
        comparison = assess(row, scheme).comparison
        if comparison is None or comparison.lower_is_better or comparison.achievement is None:
            continue
        if comparison.target.value > 0 and comparison.achievement >= scheme.over_target_ratio - POINTS_EPSILON:
            message = texts.AUDIT_OVER_TARGET.format(
                actual=row.actual,
                target=row.target,
                pct=fmt(comparison.achievement * 100, 1),
                threshold=fmt(scheme.over_target_ratio * 100, 1),
            )
            found.append(_check("over_target", message, row.name, claimed=comparison.actual.value))
    return found


# --- Reviewers' list: the form as a whole (items 11, 12, 一级 split, stopped projects) -------------------------


def check_low_execution_high_score(form: Form, scheme: Scheme) -> list[Check]:
    """Item 11: 执行率 below the threshold with a high 总分 (a withdrawn budget, 全年预算数 0, is not low
    execution)."""
    total = form.funds.total
    rate = total.rate_pct if total.rate_pct is not None else domain.form_rate_pct(form)
    if rate is None or form.total_score is None or total.annual_budget == 0:
        return []
    if rate >= scheme.low_execution_pct or form.total_score < scheme.high_total_score:
        return []
    message = texts.AUDIT_LOW_EXECUTION_HIGH_SCORE.format(
        rate=fmt(rate, 2),
        threshold=fmt(scheme.low_execution_pct),
        claimed=fmt(form.total_score),
        high=fmt(scheme.high_total_score),
    )
    return [_check("low_execution_high_score", message, claimed=form.total_score)]


def check_duplicate_indicators(form: Form, scheme: Scheme) -> list[Check]:
    """Item 12: the same 三级指标 twice in one form (placeholder "不适用" rows aside)."""
    counts: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for row in form.indicators:
        key = label_key(row.name)
        if key in _PLACEHOLDER_NAMES:
            continue
        counts[key] += 1
        names.setdefault(key, row.name)
    found = []
    for key, count in counts.items():
        if count > 1:
            message = texts.AUDIT_DUPLICATE_INDICATOR.format(name=names[key], count=count)
            found.append(_check("duplicate_indicator", message, names[key], claimed=count))
    return found


def _level1_split(form: Form) -> dict[str, float]:
    split: dict[str, float] = defaultdict(float)
    for row in form.indicators:
        if domain.is_weighted(row.weight):
            split[label_key(row.level1)] += row.weight
    return {level1: round(weight, 6) for level1, weight in split.items()}


def _split_text(split: Iterable[tuple[str, float]]) -> str:
    items = (texts.AUDIT_SPLIT_ITEM.format(level1=level1, weight=fmt(weight)) for level1, weight in split)
    return texts.AUDIT_SPLIT_SEPARATOR.join(items)


def check_level1_split(form: Form, scheme: Scheme) -> list[Check]:
    """The points across 一级指标 match one of the scheme's splits (or, where the scheme prescribes no
    split, add up to its indicator points); a departure is a warning."""
    split = _level1_split(form)
    if not split:
        return []
    if not scheme.level1_splits:
        points = round(sum(split.values()), 6)
        if scheme.indicator_points is None or abs(points - scheme.indicator_points) <= _WEIGHT_TOLERANCE:
            return []
        message = texts.AUDIT_INDICATOR_POINTS.format(
            split=_split_text(split.items()),
            points=fmt(points),
            expected=fmt(scheme.indicator_points),
            scheme=scheme.label,
        )
        return [_check("level1_split", message)]
    for accepted in scheme.level1_splits:
        expected = {label_key(level1): weight for level1, weight in accepted}
        if split.keys() == expected.keys() and all(
            abs(split[key] - expected[key]) <= _WEIGHT_TOLERANCE for key in split
        ):
            return []
    message = texts.AUDIT_LEVEL1_SPLIT.format(
        split=_split_text(split.items()),
        accepted=texts.AUDIT_ACCEPTED_SEPARATOR.join(_split_text(accepted) for accepted in scheme.level1_splits),
        scheme=scheme.label,
    )
    return [_check("level1_split", message)]


def check_stopped_with_points(form: Form, scheme: Scheme) -> list[Check]:
    """A stopped project (停用) legitimately prints weight 10 with indicator weights 0; indicator
    points on a stopped project are a finding."""
    if not domain.is_stopped(form.status):
        return []
    points = _sum(row.score for row in form.indicators)
    if points <= POINTS_EPSILON:
        return []
    message = texts.AUDIT_STOPPED_WITH_POINTS.format(claimed=fmt(points))
    return [_check("stopped_with_points", message, claimed=points, recomputed=0)]


def check_not_evaluable(form: Form, scheme: Scheme) -> list[Check]:
    """A form on which nothing could be measured (every weighted actual 不适用) has no recomputed 总分:
    it is 不可评价, left out of averages and gap sums (scoring-rules.md, "Indicators that do not apply")."""
    if not domain.is_not_evaluable(form):  # exactly where recompute() gives no total
        return []
    return [_check("not_evaluable", texts.AUDIT_NOT_EVALUABLE, claimed=form.total_score)]


# --- Risk signals on one form (docs/scoring-rules.md, "Risk signals") -------------------------------------------


def _signal_rate(form: Form) -> float | None:
    """The 执行率 the execution signals read (as items 4 and 11 read it); None where there is none, or the
    budget was withdrawn (全年预算数 0: nothing to carry out)."""
    total = form.funds.total
    rate = total.rate_pct if total.rate_pct is not None else domain.form_rate_pct(form)
    return None if rate is None or total.annual_budget == 0 else rate


def check_execution_cap(form: Form, scheme: Scheme) -> list[Check]:
    """总分 above the cap the 执行率 allows (execution_caps: 执行率 70–80 % → ≤ 89, 60–70 % → ≤ 79 …)."""
    rate = _signal_rate(form)
    if rate is None or form.total_score is None or domain.is_stopped(form.status):
        return []
    bands = [(below, cap) for below, cap in scheme.execution_caps if rate < below - POINTS_EPSILON]
    if not bands:
        return []
    below, cap = min(bands)
    if form.total_score <= cap + POINTS_EPSILON:
        return []
    message = texts.AUDIT_EXECUTION_CAP.format(
        rate=fmt(rate, 2), below=fmt(below), cap=fmt(cap), claimed=fmt(form.total_score)
    )
    return [_check("execution_cap", message, claimed=form.total_score, recomputed=cap)]


def check_score_outruns_execution(form: Form, scheme: Scheme) -> list[Check]:
    """The indicators score a larger share of their points than the 执行率 (capped at 100 %) by more than
    the scheme's outruns_execution_pct percentage points: the money was not spent, the work claims done."""
    rate = _signal_rate(form)
    weighted = [row for row in form.indicators if domain.is_weighted(row.weight)]
    if rate is None or scheme.outruns_execution_pct is None or not weighted:
        return []
    weight = _sum(row.weight for row in weighted)
    points = _sum(min(row.score or 0.0, row.weight or 0.0) for row in weighted)  # weighted: weight is set
    share = points / weight * 100
    gap = share - min(rate, 100.0)
    if gap <= scheme.outruns_execution_pct + POINTS_EPSILON:
        return []
    message = texts.AUDIT_SCORE_OUTRUNS_EXECUTION.format(
        share=fmt(share, 2),
        points=fmt(points),
        weight=fmt(weight),
        rate=fmt(rate, 2),
        gap=fmt(gap, 2),
        threshold=fmt(scheme.outruns_execution_pct),
    )
    return [_check("score_outruns_execution", message, claimed=round(share, 4), recomputed=min(rate, 100.0))]


_DIGIT = re.compile(r"\d")


def check_satisfaction_unmeasured(form: Form, scheme: Scheme) -> list[Check]:
    """A 满意度 indicator scored > 0 whose actual is no measured value ("无投诉", "满意", "好评": no number):
    "no complaints" is not a survey. Blank or 不适用 actuals are rule 7's."""
    found = []
    for row in form.indicators:
        if not domain.is_weighted(row.weight) or (row.score or 0.0) <= POINTS_EPSILON:
            continue
        if not domain.is_satisfaction(row.name, row.level2) or domain.is_not_measured(row.actual):
            continue
        if _DIGIT.search(domain.normalize(row.actual)):
            continue
        message = texts.AUDIT_SATISFACTION_UNMEASURED.format(actual=row.actual, claimed=fmt(row.score))
        found.append(_check("satisfaction_unmeasured", message, row.name, claimed=row.score, recomputed=0))
    return found


def check_zero_actual_scored(form: Form, scheme: Scheme) -> list[Check]:
    """An actual saying the work was not done (domain.is_nothing_done: "未完成", "未开展") scored > 0. A
    number 0 against a target is score_above_rule's (the proration gives 0 points)."""
    found = []
    for row in form.indicators:
        if (
            domain.is_weighted(row.weight)
            and (row.score or 0.0) > POINTS_EPSILON
            and domain.is_nothing_done(row.actual)
        ):
            message = texts.AUDIT_ZERO_ACTUAL_SCORED.format(
                actual=row.actual, claimed=fmt(row.score), weight=fmt(row.weight)
            )
            found.append(_check("zero_actual_full_score", message, row.name, claimed=row.score, recomputed=0))
    return found


FormRule = Callable[[Form, Scheme], list[Check]]

# Every per-form rule, in the order their findings are listed within one severity.
FORM_RULES: tuple[FormRule, ...] = (
    check_weights_sum,
    check_total_sum,
    check_rates,
    check_fund_score,
    check_fund_total,
    check_fund_weight,
    check_score_above_weight,
    check_score_above_rule,
    check_missing_reason,
    check_full_score_not_measured,
    check_actual_is_target_wording,
    check_actual_unit_mismatch,
    check_cost_target_direction,
    check_target_cannot_fail,
    check_over_target,
    check_low_execution_high_score,
    check_duplicate_indicators,
    check_level1_split,
    check_stopped_with_points,
    check_not_evaluable,
    check_execution_cap,
    check_score_outruns_execution,
    check_satisfaction_unmeasured,
    check_zero_actual_scored,
)


def scheme_of(form: Form, config: AuditConfig | Scheme | None = None) -> Scheme:
    """The scheme a form is judged by: `config` itself where it is one scheme, else the scheme stored
    with the form (`form.scheme`, set by review.check_form) where `config` knows it, else the one
    `config` (the active configuration by default) chooses for the form."""
    if isinstance(config, Scheme):
        return config
    config = config or active_config()
    stored = getattr(form, "scheme", None)
    return config.scheme(stored) if stored in config.scheme_names else config.scheme_for(form)


def run_form_rules(form: Form, config: AuditConfig | Scheme | None = None) -> list[Check]:
    """Every per-form rule's findings under the form's scheme, errors first, then warnings, then info."""
    scheme = scheme_of(form, config)
    found = [check for rule in FORM_RULES for check in rule(form, scheme)]
    return sorted(found, key=lambda check: SEVERITIES.index(check.severity))


# --- Across a unit's forms (item 10) --------------------------------------------------------------------------


def _unit_key(form: Form) -> tuple[str, int | None] | None:
    owner = (form.unit or "").strip() or (form.department or "").strip()
    return (owner, form.year) if owner else None


def _all_full_marks(forms: list[Form]) -> int | None:
    """The number of weighted indicators where every one is at full marks; None where one is not."""
    rows = [row for form in forms for row in form.indicators if domain.is_weighted(row.weight)]
    if not rows or not all(_full_marks(row) for row in rows):
        return None
    return len(rows)


def run_unit_rules(forms: list[Form], config: AuditConfig | Scheme | None = None) -> dict[str | int, list[Check]]:
    """Item 10: every indicator at full marks across all of a unit's forms of one year.

    Forms are grouped by 实施单位, or by 主管部门 where the unit is blank, and by year; the minimum
    number of forms is the scheme's of the group's first form. Returns findings keyed by `form.id`,
    or by the form's position in `forms` where it has no id yet; forms without findings are absent.
    """
    groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for position, form in enumerate(forms):
        if (key := _unit_key(form)) is not None:
            groups[key].append(position)
    found: dict[str | int, list[Check]] = {}
    for (owner, year), positions in groups.items():
        members = [forms[position] for position in positions]
        count = _all_full_marks(members)
        if len(members) < scheme_of(members[0], config).unit_rule_min_forms or count is None:
            continue
        year_text = texts.AUDIT_YEAR.format(year=year) if year else texts.AUDIT_YEAR_UNKNOWN
        message = texts.AUDIT_UNIT_ALL_FULL_MARKS.format(
            unit=owner, count=len(members), year=year_text, indicators=count
        )
        for position in positions:
            form = forms[position]
            found[form.id or position] = [_check("unit_all_full_marks", message, claimed=form.total_score)]
    return found


def copied_text_check(
    field: str, excerpt: str, length: int, same: int, other: int, example: str, indicator: str | None = None
) -> Check:
    """The copied_text finding on one form: its `field` text (`length` characters after domain.copy_text)
    is on the forms of `same` other projects of its unit and `other` projects of other units."""
    message = texts.AUDIT_COPIED_TEXT.format(
        field=texts.AUDIT_COPY_FIELDS[field],
        excerpt=excerpt,
        length=length,
        projects=same + other,
        same=same,
        other=other,
        example=example,
    )
    return _check(COPIED_TEXT, message, indicator, claimed=same + other)


# --- The 总分 the rules give ---------------------------------------------------------------------------------


def recompute_fund_score(form: Form) -> float:
    """分值 × 执行率 (全年执行数 ÷ 全年预算数, else the printed rate), capped at 分值."""
    weight = form.funds.total.weight
    rate = domain.form_rate_pct(form)
    if weight is None or rate is None:
        return 0.0
    return min(weight * rate / 100, weight)


def _files_cost(row: Indicator) -> bool:
    """A row of the 成本指标 二级 (what "files a 成本指标" means for the Shanxi cost cap)."""
    return "成本" in row.level2


@dataclass(frozen=True)
class Recomputation:
    """How the rules reach a form's 总分: the fund score, the rows counted, those left out, the rescaling."""

    fund_score: float
    rate_pct: float | None  # the 执行率 used, in percent; None where neither amounts nor a printed rate exist
    counted: tuple[tuple[Indicator, Assessment], ...]  # weighted rows with a measured actual
    not_applicable: tuple[Indicator, ...]  # weighted rows whose actual is 不适用: left out
    cost_capped: tuple[Indicator, ...]  # 不适用 成本指标 rows the scheme's cost cap scores instead
    cost_cap_points: float  # what the capped rows score together
    indicator_weight: float  # Σ weights of the weighted rows (the points the indicators share)
    counted_weight: float  # Σ weights of the counted and capped rows
    total: float | None  # None: 不可评价

    @property
    def points(self) -> float:
        """Σ rule scores of the counted rows plus the cost cap, before rescaling."""
        return sum(found.rule_score for _, found in self.counted) + self.cost_cap_points

    @property
    def factor(self) -> float:
        """The rescaling of the counted rows' points to the indicators' total (1 where nothing is left out)."""
        return self.indicator_weight / self.counted_weight if self.counted_weight > 0 else 1.0


def recompute(form: Form, config: AuditConfig | Scheme | None = None) -> Recomputation:
    """The recomputation of a form's 总分 under its scheme, step by step (see `recompute_total`)."""
    scheme = scheme_of(form, config)
    weighted = [row for row in form.indicators if domain.is_weighted(row.weight)]
    measured = [row for row in weighted if not domain.is_not_measured(row.actual)]
    left_out = [row for row in weighted if domain.is_not_measured(row.actual)]
    capped: list[Indicator] = []
    if scheme.cost_cap_not_filed is not None and not any(_files_cost(row) for row in measured):
        capped = [row for row in left_out if _files_cost(row)]
        left_out = [row for row in left_out if not _files_cost(row)]
    capped_weight = sum(row.weight or 0.0 for row in capped)
    cap_points = min(capped_weight, scheme.cost_cap_not_filed or 0.0) if capped else 0.0
    rate = domain.form_rate_pct(form)
    result = Recomputation(
        fund_score=recompute_fund_score(form),
        rate_pct=rate,
        counted=tuple((row, assess(row, scheme)) for row in measured),
        not_applicable=tuple(left_out),
        cost_capped=tuple(capped),
        cost_cap_points=cap_points,
        indicator_weight=sum(row.weight or 0.0 for row in weighted),
        counted_weight=sum(row.weight or 0.0 for row in measured) + capped_weight,
        total=None,
    )
    if domain.is_not_evaluable(form):
        return result  # nothing measurable: 不可评价
    total = round(result.fund_score + result.points * result.factor, 2)
    return dataclasses.replace(result, total=total)


def recompute_total(form: Form, config: AuditConfig | Scheme | None = None) -> float | None:
    """The 总分 the rules give: the fund score recomputed + each indicator's rule score.

    A row the rules cannot judge keeps its self-score (capped at its weight); an overspent cost cap
    gets 0 or the prorated score as the scheme says. Rows whose actual does not apply (不适用, "/")
    leave the recomputation and the remaining rows' points are rescaled to the indicators' total;
    None (不可评价) where no weighted row was measured.
    """
    return recompute(form, config).total


# --- Explaining a recomputation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of the explanation of a recomputed 总分: which row, the rule, the formula with figures."""

    row: str
    rule: str
    formula: str
    result: float | None  # the points this step gives; None where it gives none (a row left out)


def _row_step(row: Indicator, found: Assessment, scheme: Scheme) -> Step:
    weight, comparison = row.weight or 0.0, found.comparison
    figures = {"weight": fmt(weight), "actual": row.actual, "target": row.target, "result": fmt(found.rule_score, 2)}
    if comparison is not None and comparison.met:
        return Step(row.name, texts.EXPLAIN_MET, texts.EXPLAIN_MET_FORMULA.format(**figures), found.rule_score)
    if comparison is not None and found.rule_score == 0 and found.ceiling:
        return Step(row.name, texts.EXPLAIN_OVERSPENT, texts.EXPLAIN_OVERSPENT_FORMULA.format(**figures), 0.0)
    if comparison is not None:
        top, bottom = (
            (comparison.target.value, comparison.actual.value)
            if comparison.lower_is_better
            else (comparison.actual.value, comparison.target.value)
        )
        rule = texts.EXPLAIN_PRORATED_LOWER if comparison.lower_is_better else texts.EXPLAIN_PRORATED
        formula = texts.EXPLAIN_PRORATED_FORMULA.format(top=fmt(top), bottom=fmt(bottom), **figures)
        return Step(row.name, rule, formula, found.rule_score)
    if found.outcome is not None:
        share = {Band.MET: 1.0, Band.PARTIAL: scheme.partial_band_max, Band.MISSED: scheme.missed_band_max}[
            found.outcome
        ]
        rule = texts.EXPLAIN_BAND.format(band=texts.EXPLAIN_BANDS[found.outcome], share=fmt(share * 100, 1))
        formula = texts.EXPLAIN_BAND_FORMULA.format(claimed=fmt(row.score), share=fmt(share * 100, 1), **figures)
        return Step(row.name, rule, formula, found.rule_score)
    formula = texts.EXPLAIN_KEPT_FORMULA.format(claimed=fmt(row.score), **figures)
    return Step(row.name, texts.EXPLAIN_KEPT, formula, found.rule_score)


def explain_total(form: Form, config: AuditConfig | Scheme | None = None) -> list[Step]:
    """Row by row, how `recompute_total` reached its figure: the fund score, each weighted indicator
    (rule, formula with the figures, points), the rescaling for rows that do not apply, the 总分."""
    scheme = scheme_of(form, config)
    done = recompute(form, scheme)
    total = form.funds.total
    steps = [Step(texts.EXPLAIN_SCHEME, scheme.label, scheme.source, None)]
    if done.rate_pct is None or total.weight is None:
        fund_formula = texts.EXPLAIN_FUND_NONE
    else:
        amounts = domain.execution_rate(total.annual_budget, total.executed) is not None
        fund_formula = (texts.EXPLAIN_FUND_AMOUNTS if amounts else texts.EXPLAIN_FUND_PRINTED).format(
            weight=fmt(total.weight),
            rate=fmt(done.rate_pct, 2),
            executed=fmt(total.executed, 2),
            budget=fmt(total.annual_budget, 2),
            result=fmt(done.fund_score, 2),
        )
    steps.append(Step(texts.AUDIT_ROW_FUND, texts.EXPLAIN_FUND, fund_formula, round(done.fund_score, 4)))
    assessed = {id(row): found for row, found in done.counted}
    capped = {id(row) for row in done.cost_capped}
    for row in form.indicators:
        if not domain.is_weighted(row.weight):
            continue
        if id(row) in assessed:
            steps.append(_row_step(row, assessed[id(row)], scheme))
        elif id(row) in capped:
            formula = texts.EXPLAIN_COST_CAP_FORMULA.format(
                weight=fmt(row.weight), cap=fmt(scheme.cost_cap_not_filed), result=fmt(done.cost_cap_points, 2)
            )
            steps.append(Step(row.name, texts.EXPLAIN_COST_CAP, formula, None))
        else:
            formula = texts.EXPLAIN_NOT_APPLICABLE_FORMULA.format(
                actual=row.actual.strip() or texts.AUDIT_BLANK, weight=fmt(row.weight)
            )
            steps.append(Step(row.name, texts.EXPLAIN_NOT_APPLICABLE, formula, None))
    if done.total is None:
        steps.append(Step(texts.EXPLAIN_TOTAL, texts.NOT_EVALUABLE, texts.EXPLAIN_NOT_EVALUABLE_FORMULA, None))
        return steps
    scaled = done.points * done.factor
    if abs(done.factor - 1.0) > POINTS_EPSILON:
        formula = texts.EXPLAIN_RESCALE_FORMULA.format(
            points=fmt(done.points, 2),
            total=fmt(done.indicator_weight),
            counted=fmt(done.counted_weight),
            result=fmt(scaled, 2),
        )
        steps.append(Step(texts.EXPLAIN_RESCALE_ROW, texts.EXPLAIN_RESCALE, formula, round(scaled, 4)))
    formula = texts.EXPLAIN_TOTAL_FORMULA.format(
        fund=fmt(done.fund_score, 2), indicators=fmt(scaled, 2), result=fmt(done.total, 2)
    )
    steps.append(Step(texts.EXPLAIN_TOTAL, texts.EXPLAIN_TOTAL_RULE, formula, done.total))
    return steps
