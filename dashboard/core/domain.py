"""Domain facts, each defined once: what "deducted", "no reason given", "not measured", 执行率,
停用 and a complete form mean, and which numbers a form may hold.

Readers, the audit, the store (which keeps these as columns at import, so SQL only sums them),
the queries and the pages all take their answer from here. Nothing here imports Streamlit or DuckDB.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from enum import StrEnum
from typing import TypeGuard


class Severity(StrEnum):
    """How serious a check's finding is (checks.severity), most serious first."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITIES = tuple(Severity)  # most serious first

# The rule that compares texts across forms of different projects (audit/review.py's refresh_copied_text).
COPIED_TEXT_RULE = "copied_text"
# Risk signals: the rules that mark a form for 抽查复核 (the 复核 page's 风险信号 view, the 总览's count, each form's
# stored signal_count), in the order the page lists them (docs/scoring-rules.md, "Risk signals").
RISK_SIGNAL_IDS: tuple[str, ...] = (
    "execution_cap",
    "score_outruns_execution",
    "over_target",
    COPIED_TEXT_RULE,
    "satisfaction_unmeasured",
    "unit_all_full_marks",
    "zero_actual_full_score",
)

# --- Texts that say nothing -------------------------------------------------------------------------------

# Printed marks meaning "nothing here": an actual that was not measured (不适用, "/", "—"), a reason
# that gives none. Compared after `normalize` (NFKC, no spaces) and lower-casing.
NOT_MEASURED_MARKS = frozenset(
    {"", "/", "／", "—", "-", "--", "－", "——", "—-", "―", "不适用", "不涉及", "n/a", "na", "无需", "……", "…"}
)
# A reason that gives none: any not-measured mark, or a bare "无" / "暂无" / "没有".
NO_REASON_MARKS = NOT_MEASURED_MARKS | {"无", "暂无", "没有", "无。", "无原因"}

# The status a project name prints when the project was stopped: "预算准备金(停用）".
STOPPED = "停用"
STOPPED_RE = re.compile(r"[（(]\s*(停用)\s*[)）]")

# Words that name a cost: an amount so named is a cap on spending, where less is better (成本, 单价 …).
COST_WORDS = ("成本", "费用", "单价", "价格", "造价", "控制数", "支出", "预算", "经费")


class Outcome(StrEnum):
    """How an import ended (import_batches.outcome, as stored)."""

    IMPORTED = "imported"  # stored
    PARTIAL = "partial"  # stored with problems (incomplete forms, unreadable pages)
    DUPLICATE = "duplicate"  # not stored: a copy of a stored file
    ERROR = "error"  # not stored at all
    REMOVED = "removed"  # stored, and undone later


STORED_OUTCOMES = (Outcome.IMPORTED, Outcome.PARTIAL)  # an import whose forms are stored (and can be undone)


class Band(StrEnum):
    """What the scoring rules make of an indicator's actual against its target."""

    MET = "met"
    PARTIAL = "partial"
    MISSED = "missed"


# Two scores closer than this are the same score (floats from printed decimals).
POINTS_EPSILON = 1e-9


# Cells repeat across forms ("100%", "≥90%", "不适用"): the pure text functions below remember recent answers.
TEXT_CACHE = 1 << 16


@functools.lru_cache(maxsize=TEXT_CACHE)
def normalize(text: str | None) -> str:
    """NFKC, no spaces or thousands separators: "≥ 1,350 套" → "≥1350套"; None → ""."""
    if text is None:
        return ""
    cleaned = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s,，]", "", cleaned)


@functools.lru_cache(maxsize=TEXT_CACHE)
def is_not_measured(text: str | None) -> bool:
    """True for an actual that says nothing was measured: 不适用, "/", "—", "n/a", blank."""
    return normalize(text).lower() in NOT_MEASURED_MARKS


@functools.lru_cache(maxsize=TEXT_CACHE)
def is_no_reason(text: str | None) -> bool:
    """True for a 偏差原因分析 that gives no reason: blank, a dash, "不适用", "无", "n/a"."""
    return normalize(text).lower() in NO_REASON_MARKS


def is_weighted(weight: float | None) -> TypeGuard[float]:
    """An indicator that carries points (zero-weight 不适用 rows do not)."""
    return weight is not None and weight > 0


def score_above_weight(weight: float, score: float) -> bool:
    """得分 above 分值: no row may score more than it weighs."""
    return score > weight + POINTS_EPSILON


def points_lost(weight: float | None, score: float | None) -> float:
    """分值 − 得分 where both are printed and the score is below the weight, else 0."""
    if weight is None or score is None:
        return 0.0
    return max(0.0, round(weight - score, 4))


def is_deducted(weight: float | None, score: float | None) -> bool:
    """An indicator that lost points: both printed, 得分 below 分值."""
    return points_lost(weight, score) > POINTS_EPSILON


def execution_rate(annual_budget: float | None, executed: float | None) -> float | None:
    """执行率 as a fraction: 全年执行数 ÷ 全年预算数; None where either is missing or the budget is 0.

    Across many forms the rate is Σ执行数 ÷ Σ预算数 over the forms that print both (`OVERALL_RATE_SQL`),
    never an average of rates.
    """
    if annual_budget is None or executed is None or annual_budget <= 0:
        return None
    return executed / annual_budget


def overall_rate_sql(executed: str, budget: str) -> str:
    """SQL for the rate of a group: Σexecuted ÷ Σbudget over rows that print both, NULL for Σbudget 0."""
    return rate_of_sums_sql(*overall_rate_parts_sql(executed, budget))


def overall_rate_parts_sql(executed: str, budget: str) -> tuple[str, str]:
    """The two sums the rate of a group divides (Σexecuted, Σbudget over rows that print both): summed per group
    first, groups of groups divide their sums (`rate_of_sums_sql`)."""
    both = f"FILTER (WHERE {budget} IS NOT NULL AND {executed} IS NOT NULL)"
    return f"sum({executed}) {both}", f"sum({budget}) {both}"


def rate_of_sums_sql(executed_sum: str, budget_sum: str) -> str:
    """Σexecuted ÷ Σbudget from the two sums of overall_rate_parts_sql; NULL for Σbudget 0."""
    return f"{executed_sum} / nullif({budget_sum}, 0)"


def is_stopped(status: str | None) -> bool:
    return status == STOPPED


# --- Forms that are not graded -----------------------------------------------------------------------------

# Why a form's 总分 is not read against the grade bands (优/良/中/差), in the order they are tested. Such a
# form is stored, listed and drillable like any other, but stays out of the grade counts, the 平均总分, the
# rankings and the low-score lists (queries.py reads the reason stored at import as `forms.not_graded`).
NOT_GRADED_STOPPED = "stopped"  # the project was stopped (停用): its 总分 grades nothing that was done
NOT_GRADED_NOT_EVALUABLE = "not_evaluable"  # 不可评价: no indicator that carries points was measured
NOT_GRADED_NO_POINTS = "no_indicator_points"  # no indicator carries points: the 总分 is the 执行率 score alone
NOT_GRADED_NO_BUDGET = "no_budget"  # 全年预算数 0 and nothing spent: there was nothing to carry out
NOT_GRADED_REASONS = (NOT_GRADED_STOPPED, NOT_GRADED_NOT_EVALUABLE, NOT_GRADED_NO_POINTS, NOT_GRADED_NO_BUDGET)


def form_rate_pct(form) -> float | None:
    """The 执行率 of a form's 年度资金总额 row in percent: from the amounts (`execution_rate`), else as
    printed; None where neither exists."""
    total = form.funds.total
    rate = execution_rate(total.annual_budget, total.executed)
    return total.rate_pct if rate is None else rate * 100


def is_not_evaluable(form) -> bool:
    """不可评价: nothing on the form could be measured, so the scoring rules give no 总分
    (scoring-rules.md, "Indicators that do not apply"): every indicator that carries points reads 不适用
    (a reserve fund that was never drawn), or no indicator carries points and no 执行率 is printed either."""
    weighted = [row for row in form.indicators if is_weighted(row.weight)]
    if weighted:
        return all(is_not_measured(row.actual) for row in weighted)
    return form_rate_pct(form) is None


def not_graded_reason(form) -> str | None:
    """Why the form is not graded (one of NOT_GRADED_REASONS, the first that applies), or None where its
    总分 is graded.

    Stopped (停用) and 不可评价 forms; a form whose indicators carry no points (the shape of a stopped
    project: 总分 out of the 执行率 score's 10 points, not 100); and a form whose 全年预算数 is 0 with nothing
    spent (a reserve that was withdrawn: there was nothing to carry out, and its 执行率 is undefined).
    """
    if is_stopped(form.status):
        return NOT_GRADED_STOPPED
    if is_not_evaluable(form):
        return NOT_GRADED_NOT_EVALUABLE
    if not any(is_weighted(row.weight) for row in form.indicators):
        return NOT_GRADED_NO_POINTS
    total = form.funds.total
    if total.annual_budget is not None and total.annual_budget <= 0 and not (total.executed or 0) > 0:
        return NOT_GRADED_NO_BUDGET
    return None


# --- Numbers a form may hold ------------------------------------------------------------------------------

# Amounts are stored as DECIMAL(18, 2): anything at or beyond this many 元 cannot be a budget line
# and cannot be stored; the reader keeps it out and says so in a finding.
MAX_AMOUNT_YUAN = 1e15
# Weights and scores: a form scores out of 100; anything beyond this is a misread, not a score.
MAX_POINTS = 1000.0


# --- Form identity ----------------------------------------------------------------------------------------


def identity_text(text: str | None) -> str:
    """A printed name or code as identity compares it: NFKC, no spaces, lower case; "" for blank.

    "预算准备金（停用）" and "预算准备金(停用)" compare equal here; the printed text decides a tie.
    """
    return normalize(text).lower()


# --- Indicator categories -----------------------------------------------------------------------------

# The 一级/二级指标 the national framework names (财预〔2020〕10号 and its 2021 cost indicators). Forms may
# print others (provinces add their own); a printed label one character away from one of these is damage
# or a slip of the keyboard, never a category of its own (ingest/consistency.py). Some provinces print
# 满意度指标 as a 二级指标 too.
STANDARD_LEVEL1_LABELS = ("产出指标", "效益指标", "满意度指标", "成本指标")
STANDARD_LEVEL2_LABELS = (
    "数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
    "可持续影响指标", "服务对象满意度指标", "满意度指标", "经济成本指标", "社会成本指标", "生态环境成本指标",
)  # fmt: skip


# --- Completeness -----------------------------------------------------------------------------------------


class Role(StrEnum):
    """What an account may do (users.role); each role may do what the ones before it may."""

    VIEWER = "viewer"
    IMPORTER = "importer"
    ADMIN = "admin"


class FormKind(StrEnum):
    """Which 自评表 a form is (forms.form_kind, the JSON export's "form_kind")."""

    PROJECT = "project"  # 项目支出绩效自评表
    DEPARTMENT = "department"  # 部门整体支出绩效自评表


# --- the cycle after the self-evaluation (issue 20): 抽查复核 and 整改 ------------------------------------------


class SpotBasis(StrEnum):
    """Why a form is in a spot-check sample (spot_entries.basis), in the order the choice takes them."""

    RISK = "risk"  # warning-level findings and risk signals
    AMOUNT = "amount"  # the largest projects by 全年预算数
    COVERAGE = "coverage"  # at least one form per 主管部门 in scope
    RANDOM = "random"  # the rest, drawn with the plan's seed


class RectifyStatus(StrEnum):
    """A 整改 item's status (rectify_items.status): 待整改 → 已反馈 → 已核验, or 退回 (then fed back again)."""

    OPEN = "open"  # 待整改
    ANSWERED = "answered"  # 已反馈
    VERIFIED = "verified"  # 已核验
    RETURNED = "returned"  # 退回


RECTIFY_DONE = (RectifyStatus.VERIFIED,)  # statuses that close an item (never overdue)

# |偏离度| at or above this share is a marked deviation (counted per unit and 主管部门).
DEVIATION_MARKED = 0.05


def reviewed_total(rows: list[tuple[float | None, float | None]]) -> float:
    """复核总分: Σ over the indicator rows and the 年度资金总额 row of (复核得分, else the self-score)."""
    return round(sum((reviewed if reviewed is not None else (own or 0.0)) for own, reviewed in rows), 4)


def deviation(self_score: float | None, reviewed_score: float | None) -> float | None:
    """偏离度 = (自评总分 − 复核总分) ÷ 自评总分; None without both scores or with a 自评总分 of 0."""
    if self_score is None or reviewed_score is None or abs(self_score) < POINTS_EPSILON:
        return None
    return (self_score - reviewed_score) / self_score


# What a form must hold to count (labels for people, in the order a form prints them).
PART_NAME = "项目名称"
PART_FUND_TOTAL = "年度资金总额"
PART_INDICATORS = "绩效指标"
PART_TOTAL_SCORE = "总分"
PART_READABLE_PAGES = "完整可读的页面"
PART_OCR_CONFIRMED = "扫描件识别结果的确认"
# A form read by OCR that is held (audit/completeness.ocr_hold): a cell read with less confidence than
# OCR_CONFIDENCE_MIN, a number that could not be read, or figures that fail the form's own arithmetic.
# Held forms are incomplete (missing_parts) until a person confirms or corrects the cells.
OCR_UNSURE_RULE = "ocr_unsure"
# The recognition model's confidence (0–1) below which a cell read by OCR is not taken without a person's
# confirmation. On the test scans (tests/unit/test_ocr_reader.py, benchmarks/ocr_accuracy.py) every misread
# number scored below it, and most right ones above it.
OCR_CONFIDENCE_MIN = 0.95
# The readers' finding on a form printed on (or cut by) a page that could not be decoded
# (dashboard/core/rule_ids.py): what did decode may be wrong, so such a form never counts.
PAGE_UNREADABLE_RULE = "page_unreadable"


def missing_parts(form) -> list[str]:
    """The parts a form lacks, of its name (project forms), fund total, indicator grid and 总分, and
    readable pages (a form on a page that could not be decoded may hold misread figures).

    A form missing any of them is incomplete: stored, shown on 导入 and 复核, never counted. The indicator
    grid is there when at least one row prints its 分值: a reserve fund that was never drawn prints every
    row 不适用 with 分值 0, and is a complete form that cannot be evaluated, not a damaged one.
    """
    missing = []
    if getattr(form, "form_kind", FormKind.PROJECT) == FormKind.PROJECT and not (form.project_name or "").strip():
        missing.append(PART_NAME)
    total = form.funds.total
    if total.annual_budget is None and total.executed is None and total.initial_budget is None:
        missing.append(PART_FUND_TOTAL)
    if not any(row.weight is not None for row in form.indicators):
        missing.append(PART_INDICATORS)
    if form.total_score is None:
        missing.append(PART_TOTAL_SCORE)
    if any(check.rule == PAGE_UNREADABLE_RULE for check in form.checks):
        missing.append(PART_READABLE_PAGES)
    if any(check.rule == OCR_UNSURE_RULE for check in form.checks):
        missing.append(PART_OCR_CONFIRMED)
    return missing


# --- Risk signals (docs/scoring-rules.md, "Risk signals") --------------------------------------------------

# Texts compared across forms for copied_text: the form field (or the indicator column) each comes from.
COPY_FIELD_REASON = "reason"  # 偏差原因分析及改进措施
COPY_FIELD_GOAL_EXPECTED = "goal_expected"  # 年度总体目标
COPY_FIELD_GOAL_ACTUAL = "goal_actual"  # 实际完成情况
COPY_FIELDS = (COPY_FIELD_REASON, COPY_FIELD_GOAL_EXPECTED, COPY_FIELD_GOAL_ACTUAL)
# Stock phrases every form may write: never a copy, whatever the threshold (compared after `copy_text`).
COPY_STOCK_PHRASES = frozenset({"无", "不适用", "已完成", "完成", "全部完成", "按计划完成", "达到预期目标", "已达成"})
# A normalised text shorter than this is not kept for the comparison at all (the threshold, per scheme
# `copied_text_min_chars`, may only be higher: audit/config.py refuses a lower one).
COPY_MIN_KEPT = 8
_COPY_DROP_RE = re.compile(r"[\W_]+", re.UNICODE)


def copy_text(text: str | None) -> str:
    """A text as copied_text compares it: NFKC, lower case, no spaces, punctuation or symbols
    ("因疫情原因， 项目延期。" and "因疫情原因项目延期" compare equal)."""
    return _COPY_DROP_RE.sub("", normalize(text).lower())


def copy_key(text: str | None) -> tuple[str, int] | None:
    """(hash, length) of a text's `copy_text`, or None where it is too short or a stock phrase: what is
    stored per form (store/writes.py) so that copies are found by joining equal hashes, never by comparing
    every pair of forms."""
    cleaned = copy_text(text)
    if len(cleaned) < COPY_MIN_KEPT or cleaned in COPY_STOCK_PHRASES or is_no_reason(cleaned):
        return None
    return hashlib.sha256(cleaned.encode("utf-8")).hexdigest()[:20], len(cleaned)


# An actual saying the work was not done at all ("未完成", "未开展"); a number 0 is judged by the proration
# rule (score_above_rule), not by this.
NOTHING_DONE_RE = re.compile(r"^(?:未|没有|尚未)(?:完成|开展|实施|启动|开工|执行|建设|采购|发放|达成|落实)")


@functools.lru_cache(maxsize=TEXT_CACHE)
def is_nothing_done(actual: str | None) -> bool:
    """True for an actual that says the work was not done: "未完成", "未开展培训", "尚未启动"."""
    return bool(NOTHING_DONE_RE.match(normalize(actual)))


@functools.lru_cache(maxsize=TEXT_CACHE)
def is_satisfaction(name: str | None, level2: str | None = None) -> bool:
    """A 满意度 indicator: its 三级指标 or 二级指标 names 满意 (服务对象满意度, 群众满意率)."""
    return "满意" in normalize(name) or "满意" in normalize(level2)


def is_unexplained(weight: float | None, score: float | None, reason: str | None) -> bool:
    """A deduction without a reason (偏差原因分类 "未说明原因"; the forms' `unexplained_count` counts these)."""
    return is_deducted(weight, score) and is_no_reason(reason)
