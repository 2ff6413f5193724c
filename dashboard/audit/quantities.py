"""Targets and actuals of an indicator as comparable quantities.

"≥90%", "1350套", "≤460.75万元", "24小时内" and the like become `Quantity` values in one unit per
dimension (元 for money, percent points, hours, plain units for counts). `compare()` puts a target
and an actual side by side, decides whether higher or lower is better and how much of the points the
proration rule gives; it returns None where the pair cannot be compared (qualitative wording, or a
percent against an amount).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from dashboard.core.domain import COST_WORDS, TEXT_CACHE, Band, is_not_measured, normalize

# Dimensions a quantity can have. "number" is a bare number ("1172") that takes its partner's.
MONEY, PERCENT, COUNT, DURATION, NUMBER = "money", "percent", "count", "duration", "number"

GE, LE, GT, LT, EQ = ">=", "<=", ">", "<", "="

# Comparator words before the number, longest first so that "≥" is not read as ">".
_PREFIX_COMPARATORS = (
    (GE, ("大于或等于", "大于等于", "不低于", "不少于", "不小于", "至少", "≥", "≧", "⩾", ">=", "=>")),
    (LE, ("小于或等于", "小于等于", "不高于", "不超过", "不多于", "不大于", "最多", "至多", "≤", "≦", "⩽", "<=", "=<")),
    (GT, ("大于", "高于", "超过", "多于", ">")),
    (LT, ("小于", "低于", "少于", "<")),
    (EQ, ("等于", "=")),
)
# Comparator words after the unit: "90%以上", "24小时内".
_SUFFIX_COMPARATORS = (
    (GE, ("及以上", "以上")),
    (LE, ("及以下", "以下", "以内", "之内", "内")),
)

# Money units and their value in 元.
_MONEY_UNITS = {"亿元": 1e8, "万元": 1e4, "千元": 1e3, "元": 1.0}
# Durations and their value in hours ("个月" before "个" so a month is not a count).
_DURATION_UNITS = {
    "分钟": 1 / 60,
    "个小时": 1.0,
    "小时": 1.0,
    "个工作日": 24.0,
    "工作日": 24.0,
    "天": 24.0,
    "日": 24.0,
    "周": 168.0,
    "个月": 720.0,
    "月": 720.0,
    "年": 8760.0,
}
# Multipliers on counts: "188.97万人", "70万条".
_COUNT_MULTIPLIERS = {"亿": 1e8, "万": 1e4, "千": 1e3}

# A bare number read against a partner with a unit: accept a reading within this factor of it.
_PLAUSIBLE_FACTOR = 1000.0

_NUMBER_RE = re.compile(r"[-+]?\d+(?:\.\d+)?")
_MEASURE_WORD_RE = re.compile(r"[\u4e00-\u9fff]{1,4}")

# Names (or targets) where fewer is better when the target is a plain value.
_LOWER_IS_BETTER_WORDS = (
    "投诉",
    "差错",
    "事故",
    "故障",
    "延误",
    "泄密",
    "错误",
    "失误",
    "误差",
    "违规",
    "违纪",
    "违法",
    "超支",
    "损失",
    "不合格",
    "返工",
    "逾期",
    "超时",
    "伤亡",
    "死亡",
)
# ... unless the indicator measures how those are dealt with ("投诉处理率", "故障修复及时率").
_HANDLING_WORDS = ("处理", "处置", "办结", "解决", "修复", "排除", "整改", "回复", "化解", "查处")
# Durations where less time is better ("响应时间 2小时").
_LOWER_DURATION_WORDS = ("响应", "时间", "时长", "时限", "用时", "耗时", "等待", "周期")

# Qualitative actuals: a target not reached, partly reached.
_MISSED_WORDS = (
    "未",
    "没有",
    "没",
    "不及时",
    "不合格",
    "不达标",
    "不满意",
    "不到位",
    "无效",
    "否",
    "延迟",
    "延期",
    "滞后",
    "逾期",
    "超期",
    "失败",
)
_PARTIAL_WORDS = ("部分", "基本", "较好", "一般")


@dataclass(frozen=True)
class Quantity:
    """A number with its dimension, in the dimension's base unit (元, percent points, hours, units)."""

    value: float
    dimension: str
    unit: str = ""  # measure word of a count ("人", "套"); "" otherwise
    comparator: str | None = None  # GE, LE, GT, LT, EQ, or None for a plain value
    scale: float = 1.0  # the printed unit's size in base units (万元 → 10000), for bare partners


@dataclass(frozen=True)
class Comparison:
    """A target and an actual in the same dimension, and what the proration rule makes of them."""

    target: Quantity
    actual: Quantity
    lower_is_better: bool
    met: bool
    fraction: float  # share of the points the rule gives: 1.0 when met, else prorated, in [0, 1]
    achievement: float | None  # actual ÷ target (higher is better) or target ÷ actual; None on 0


def _take_prefix(text: str) -> tuple[str | None, str]:
    for comparator, words in _PREFIX_COMPARATORS:
        for word in words:
            if text.startswith(word):
                return comparator, text[len(word) :]
    return None, text


def _take_suffix(text: str) -> tuple[str | None, str]:
    for comparator, words in _SUFFIX_COMPARATORS:
        for word in words:
            if text.endswith(word) and len(text) > len(word):
                return comparator, text[: -len(word)]
    return None, text


@functools.lru_cache(maxsize=TEXT_CACHE)  # pure
def has_comparator(text: str | None) -> bool:
    """True where a cell is worded as a bound ("≥90%", "不低于90%", "90%以上") rather than a value."""
    cleaned = normalize(text)
    prefix, rest = _take_prefix(cleaned)
    if prefix is not None and prefix != EQ:
        return True
    suffix, _ = _take_suffix(rest)
    return suffix is not None and bool(_NUMBER_RE.search(cleaned))


def _clean(value: float) -> float:
    """A scaled value without float noise (180.67 × 10 000 → 1806700.0)."""
    return round(value, 6)


def _quantity_from_unit(number: float, unit: str) -> Quantity | None:
    """A number and the unit text after it as a Quantity; None for a unit that is not one."""
    if unit == "":
        return Quantity(number, NUMBER)
    if unit == "%":
        return Quantity(number, PERCENT)
    if unit in _MONEY_UNITS:
        scale = _MONEY_UNITS[unit]
        return Quantity(_clean(number * scale), MONEY, scale=scale)
    if unit in _DURATION_UNITS:
        scale = _DURATION_UNITS[unit]
        return Quantity(_clean(number * scale), DURATION, scale=scale)
    scale = 1.0
    if unit[0] in _COUNT_MULTIPLIERS:
        scale, unit = _COUNT_MULTIPLIERS[unit[0]], unit[1:]
        if unit == "":
            return Quantity(_clean(number * scale), NUMBER, scale=scale)
    if _MEASURE_WORD_RE.fullmatch(unit):
        return Quantity(_clean(number * scale), COUNT, unit=unit, scale=scale)
    return None


def parse_quantity(text: str | None) -> Quantity | None:
    """A cell written as one quantity ("≥90%", "1350套", "≤460.75万元", "0起", "24小时内", "1172").

    None for qualitative wording ("及时", "有效"), placeholders and free sentences.
    """
    cleaned = normalize(text)
    comparator, rest = _take_prefix(cleaned)
    suffix_comparator, rest = _take_suffix(rest)
    match = _NUMBER_RE.match(rest)
    if match is None:
        return None
    quantity = _quantity_from_unit(float(match.group()), rest[match.end() :])
    if quantity is None:
        return None
    return replace(quantity, comparator=comparator or suffix_comparator)


def parse_embedded(text: str | None) -> Quantity | None:
    """The one amount or percent inside a sentence ("“i福田”平台预算数为29万元"), else None.

    Only a sentence with exactly one number, followed by a money unit or %, qualifies: years,
    dates and counts inside prose are not guessed at.
    """
    cleaned = normalize(text)
    numbers = list(_NUMBER_RE.finditer(cleaned))
    if len(numbers) != 1:
        return None
    match = numbers[0]
    tail = cleaned[match.end() :]
    for unit in ("%", *_MONEY_UNITS):
        if tail.startswith(unit):
            quantity = _quantity_from_unit(float(match.group()), unit)
            before = _comparator_ending(cleaned[: match.start()])
            after, _ = _take_suffix(tail)
            return replace(quantity, comparator=before or after) if quantity else None
    return None


def _comparator_ending(text: str) -> str | None:
    """A comparator word that ends `text` ("预算不超过" → LE)."""
    for comparator, words in _PREFIX_COMPARATORS:
        if comparator != EQ and any(text.endswith(word) for word in words):
            return comparator
    return None


@functools.lru_cache(maxsize=TEXT_CACHE)  # pure, and Quantity is frozen
def read_quantity(text: str | None) -> Quantity | None:
    """A cell as a quantity: written as one, or one amount/percent inside a sentence."""
    return parse_quantity(text) or parse_embedded(text)


def _plausible(value: float, reference: float) -> bool:
    if value == 0 or reference == 0:
        return True
    ratio = abs(value / reference)
    return 1 / _PLAUSIBLE_FACTOR <= ratio <= _PLAUSIBLE_FACTOR


def _adopt(bare: Quantity, partner: Quantity) -> Quantity | None:
    """A bare number read in its partner's dimension, or None where no reading is plausible."""
    if partner.dimension == PERCENT:
        # A rate printed without "%": only a value a percent can take.
        return replace(bare, dimension=PERCENT) if 0 <= bare.value <= 100 else None
    if partner.dimension == DURATION:
        return replace(bare, value=bare.value * partner.scale, dimension=DURATION, scale=partner.scale)
    # Money and counts: read in the partner's printed scale (万元, 万人) or else in units (元, 人);
    # a bare number that printed its own multiplier ("70万") is already in units.
    scales = (partner.scale, 1.0) if bare.scale == 1.0 else (1.0,)
    for scale in dict.fromkeys(scales):
        value = bare.value * scale
        if _plausible(value, partner.value):
            return replace(bare, value=value, dimension=partner.dimension, unit=partner.unit, scale=scale)
    return None


def align(target: Quantity, actual: Quantity) -> tuple[Quantity, Quantity] | None:
    """The pair in one dimension and unit, or None where they measure different things."""
    if target.dimension == NUMBER and actual.dimension != NUMBER:
        adopted = _adopt(target, actual)
        return None if adopted is None else (adopted, actual)
    if actual.dimension == NUMBER and target.dimension != NUMBER:
        adopted = _adopt(actual, target)
        return None if adopted is None else (target, adopted)
    if target.dimension != actual.dimension:
        return None
    if target.dimension == COUNT and target.unit != actual.unit:
        return None
    return target, actual


def units_clash(target_text: str | None, actual_text: str | None) -> bool:
    """True where both cells are quantities but of different kinds ("≥85%" vs "1016318")."""
    target, actual = read_quantity(target_text), read_quantity(actual_text)
    return target is not None and actual is not None and align(target, actual) is None


def _contains_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def lower_is_better(target: Quantity, name: str = "", level2: str = "", target_text: str = "") -> bool:
    """Which way the indicator points.

    ≥ / ＞ → higher is better; ≤ / ＜ / "…以内" → lower is better. A plain value is lower-is-better
    for a spending cap (an amount in a 成本指标 or named as a cost), for complaint, error, accident,
    failure, delay and leak counts or rates, and for response times; higher-is-better otherwise.
    """
    if target.comparator in (GE, GT):
        return False
    if target.comparator in (LE, LT):
        return True
    words = normalize(name) + normalize(target_text)
    if _contains_any(words, _LOWER_IS_BETTER_WORDS) and not _contains_any(words, _HANDLING_WORDS):
        return True
    if target.dimension == MONEY and ("成本" in level2 or _contains_any(words, COST_WORDS)):
        return True
    return target.dimension == DURATION and _contains_any(normalize(name), _LOWER_DURATION_WORDS)


def _is_met(target: Quantity, actual: float, lower: bool) -> bool:
    bound = target.value
    epsilon = 1e-9 * max(1.0, abs(bound))
    if target.comparator == GT:
        return actual > bound + epsilon
    if target.comparator == LT:
        return actual < bound - epsilon
    return actual <= bound + epsilon if lower else actual >= bound - epsilon


def _achievement(target: float, actual: float, lower: bool) -> float | None:
    numerator, denominator = (target, actual) if lower else (actual, target)
    if denominator == 0:
        return None
    return numerator / denominator


@functools.lru_cache(maxsize=TEXT_CACHE)  # pure, and Comparison is frozen
def compare(target_text: str | None, actual_text: str | None, name: str = "", level2: str = "") -> Comparison | None:
    """The target and the actual compared, or None where they are not comparable.

    An actual written as a bound ("≥90%") is read at its bound value; the audit flags the wording.
    """
    target, actual = read_quantity(target_text), read_quantity(actual_text)
    if target is None or actual is None:
        return None
    aligned = align(target, actual)
    if aligned is None:
        return None
    target, actual = aligned
    lower = lower_is_better(target, name, level2, normalize(target_text))
    met = _is_met(target, actual.value, lower)
    achievement = _achievement(target.value, actual.value, lower)
    if met:
        fraction = 1.0
    elif achievement is None:
        fraction = 0.0
    else:
        fraction = min(1.0, max(0.0, achievement))
    return Comparison(target, actual, lower, met, fraction, achievement)


@functools.lru_cache(maxsize=TEXT_CACHE)  # pure
def qualitative_outcome(actual_text: str | None) -> Band | None:
    """The band for a worded actual ("及时", "部分达成", "未组织培训").

    None for numbers and for cells that say nothing was measured.
    """
    cleaned = normalize(actual_text)
    if is_not_measured(cleaned) or _NUMBER_RE.search(cleaned):
        return None
    if _contains_any(cleaned, _MISSED_WORDS):
        return Band.MISSED
    if _contains_any(cleaned, _PARTIAL_WORDS):
        return Band.PARTIAL
    return Band.MET
