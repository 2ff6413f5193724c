"""The 要点 page of the 汇总报告: the scope in words, findings as sentences, then 主要问题 and 建议.

Every number in a sentence is the text the 总览 cards show (`key_figures.sections`, `key_figures.year_rows`) or
a row of the pages' own queries (`queries.group_summary`, `deductions_by_class`; `review_queries`), formatted by
the same functions, so the page, the report's tables and the dashboard cannot disagree (tests/unit/test_report.py
compares them).

A finding is a `Point`: its sentence, and where the figure shows something to act on, the problem and the
suggestion that answers it, each naming the figure. `POINTS` lists the functions that make them, in the page's
order; a function returns None where it has nothing to say (no data of its kind): `spot_check_point` (the
抽查复核's deviation) and `rectification_point` (open and overdue 整改 items) say nothing until a form has been
reviewed or an item is open.

The rules that pick what stands out are stated on the page (texts.REPORT_BRIEF_RULES) and are constants here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import duckdb
import pandas as pd

from dashboard.audit import rectify, spot_check
from dashboard.audit.config import active_config
from dashboard.core import domain, texts
from dashboard.core import formatting as fmt
from dashboard.queries import key_figures, queries, review_queries, yoy
from dashboard.queries.filters import Filters, describe_parts
from dashboard.reference import reason_classes

# A unit whose 执行率 (Σ执行数 ÷ Σ预算数) is below this is a problem; so is the whole scope's.
RATE_CONCERN = 0.90
# A reason class (of the taxonomy, not 未说明原因 or 未分类) losing at least this share of all points is a problem.
CLASS_SHARE_CONCERN = 0.20
# Reason classes named in the points-lost finding, most points first.
TOP_CLASSES = 3
# Units named in a problem's sentence, lowest 执行率 first; the rest are counted.
NAMED_UNITS = 3


@dataclasses.dataclass(frozen=True)
class Point:
    """One finding: its sentence, and the problem it shows and the suggestion answering it, where there is one."""

    finding: str | None
    problem: str | None = None
    suggestion: str | None = None


@dataclasses.dataclass(frozen=True)
class Briefing:
    scope: str
    points: list[Point]

    @property
    def findings(self) -> list[str]:
        return [point.finding for point in self.points if point.finding]

    @property
    def problems(self) -> list[str]:
        return [point.problem for point in self.points if point.problem]

    @property
    def suggestions(self) -> list[str]:
        return [point.suggestion for point in self.points if point.suggestion]


@dataclasses.dataclass
class Context:
    """What the point functions share: the connection and filters, the cards' figures and texts."""

    con: duckdb.DuckDBPyConnection
    filters: Filters
    unit: str
    figures: dict
    cards: dict[str, str]  # card label → the text the 总览 card shows
    pair: yoy.YearPair | None
    changes: dict[str, str]  # key_figures.year_rows key → the change's text, where there is a previous year
    sections: dict[str, str]  # report section key → its heading as numbered in the report ("八、自评复核")
    groups: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)  # group_summary by "org", "project_type"


def cards(figures: dict, unit: str) -> dict[str, str]:
    """{card label: value text} of the 总览 cards (key_figures.sections); `build` adds the risk-signal card."""
    return {label: value for _title, section in key_figures.sections(figures, unit) for label, value, _ in section}


def build(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    unit: str = "万元",
    figures: dict | None = None,
    sections: dict[str, str] | None = None,
) -> Briefing:
    figures = figures if figures is not None else queries.kpis(con, filters)
    shown = cards(figures, unit)
    shown[texts.OVERVIEW_SIGNAL_FORMS] = texts.OVERVIEW_SIGNAL_FORMS_VALUE.format(
        n=fmt.count_text(review_queries.warning_signal_forms(con, filters))
    )
    pair = yoy.year_pair(con, filters) if figures["forms"] and yoy.cards_compare(filters) else None
    changes: dict[str, str] = {}
    if pair is not None:  # the changes the 总览 cards show as their deltas
        changes = {
            key: values[2] for key, _label, values in key_figures.year_rows(yoy.key_figures(con, filters, pair), unit)
        }
    context = Context(con, filters, unit, figures, shown, pair, changes, sections or {})
    points = [point for make in POINTS if (point := make(context)) is not None] if figures["forms"] else []
    return Briefing(scope_text(con, filters, figures["forms"]), points)


# --- the scope ----------------------------------------------------------------------------------------------


def scope_text(con: duckdb.DuckDBPyConnection, filters: Filters, forms: int) -> str:
    """ "本报告汇总2021 年度，0402009 所属 2 个单位（含部门本级）的 22 张项目支出绩效自评表（来自 3 个文件）。"
    — from the filters and the forms they pick; filters other than year, department, unit and type are named."""
    others = describe_parts(filters, skip=("years", "departments", "units", "types"))
    others_text = texts.REPORT_SCOPE_OTHERS.format(filters=texts.FILTER_SEPARATOR.join(others)) if others else ""
    if not forms:
        named = describe_parts(filters)
        return texts.REPORT_SCOPE_EMPTY.format(
            others=texts.FILTER_SEPARATOR.join(named) if named else texts.REPORT_SCOPE_NO_FILTERS
        )
    found = queries.overview_query(
        con,
        "SELECT list(DISTINCT o.year ORDER BY o.year) AS years, list(DISTINCT o.department ORDER BY o.department) "
        "AS departments, count(DISTINCT o.org) AS units, bool_or(o.org_is_department) AS own_level, "
        "count(DISTINCT o.source_file) AS files FROM form_overview o WHERE {where}",
        filters,
    ).iloc[0]
    years = [int(year) for year in found["years"] if year is not None and not pd.isna(year)]
    departments = [str(name) for name in found["departments"] if name is not None]
    units = int(found["units"])
    if filters.units:
        orgs = texts.REPORT_SCOPE_NAMED_UNITS.format(units=texts.REPORT_LIST_SEPARATOR.join(filters.units))
    elif len(departments) == 1 and units == 1 and bool(found["own_level"]):
        orgs = texts.REPORT_SCOPE_OWN_ONLY.format(department=departments[0])
    elif len(departments) == 1:
        orgs = texts.REPORT_SCOPE_ONE_DEPARTMENT.format(department=departments[0], units=fmt.count_text(units))
    else:
        orgs = texts.REPORT_SCOPE_DEPARTMENTS.format(
            departments=fmt.count_text(len(departments)), units=fmt.count_text(units)
        )
    if not filters.units and bool(found["own_level"]) and not (len(departments) == 1 and units == 1):
        orgs += texts.REPORT_SCOPE_OWN_LEVEL
    types = (
        texts.REPORT_SCOPE_TYPES.format(types=texts.REPORT_LIST_SEPARATOR.join(filters.types)) if filters.types else ""
    )
    return texts.REPORT_SCOPE.format(
        years=texts.REPORT_SCOPE_YEARS.format(years=years_text(years)),
        orgs=orgs,
        types=types,
        forms=fmt.count_text(forms),
        files=fmt.count_text(int(found["files"])),
        others=others_text,
    )


def years_text(years: list[int]) -> str:
    """2021; 2019—2021 for consecutive years; 2019、2021 otherwise."""
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return texts.REPORT_SCOPE_YEAR_SPAN.format(first=years[0], last=years[-1])
    return texts.REPORT_LIST_SEPARATOR.join(map(str, years))


# --- findings -------------------------------------------------------------------------------------------------


def _change(context: Context, key: str, template: str = texts.REPORT_BRIEF_CHANGE) -> str:
    """ "，较 2021 年 +1.25 个百分点" (the 总览 card's delta), "，与 2021 年持平", or "" with no previous year."""
    change = context.changes.get(key)
    if context.pair is None or change is None or change == texts.DASH:
        return ""
    if change == "0":
        return texts.REPORT_BRIEF_UNCHANGED.format(previous=context.pair.previous)
    return template.format(previous=context.pair.previous, change=change)


def money_point(context: Context) -> Point:
    c, unit = context.cards, context.unit
    budget_label, executed_label = (
        key_figures.money_label(label, unit) for label in (texts.KPI_BUDGET, texts.KPI_EXECUTED)
    )
    rate = c[texts.KPI_RATE]
    finding = texts.REPORT_BRIEF_MONEY.format(
        budget_label=texts.KPI_BUDGET, budget=c[budget_label], executed_label=texts.KPI_EXECUTED,
        executed=c[executed_label], unit=unit, rate_label=texts.KPI_RATE, rate=rate,
        change=_change(context, "overall_rate"),
    )  # fmt: skip
    overall = context.figures["overall_rate"]
    if fmt.is_missing(overall) or overall >= RATE_CONCERN or not _units_below(context).empty:
        return Point(finding)  # low units are named by units_point
    threshold = fmt.percent_text(RATE_CONCERN, 0)
    return Point(
        finding,
        texts.REPORT_BRIEF_PROBLEM_OVERALL_RATE.format(label=texts.KPI_RATE, rate=rate, threshold=threshold),
        texts.REPORT_BRIEF_ADVICE_OVERALL_RATE.format(label=texts.KPI_RATE, rate=rate),
    )


def score_point(context: Context) -> Point:
    c, figures = context.cards, context.figures
    graded = sum(figures["grades"].values())
    if not graded:
        return Point(texts.REPORT_BRIEF_SCORE_NONE.format(label=texts.KPI_AVG_SCORE, score=c[texts.KPI_AVG_SCORE]))
    not_graded = figures["not_graded"]
    finding = texts.REPORT_BRIEF_SCORE.format(
        label=texts.KPI_AVG_SCORE,
        score=c[texts.KPI_AVG_SCORE],
        graded=fmt.count_text(graded),
        not_graded=texts.REPORT_BRIEF_NOT_GRADED.format(n=fmt.count_text(not_graded)) if not_graded else "",
        change=_change(context, "avg_score", texts.REPORT_BRIEF_CHANGE_SCORE),
    )
    change = context.changes.get("avg_score", "")
    if context.pair is not None and change.startswith("-"):
        problem = texts.REPORT_BRIEF_PROBLEM_DECLINE.format(
            label=texts.KPI_AVG_SCORE, previous=context.pair.previous, amount=change.lstrip("-")
        )
        section = context.sections.get(
            "yoy", texts.YOY_TITLE.format(year=context.pair.year, previous=context.pair.previous)
        )
        advice = texts.REPORT_BRIEF_ADVICE_DECLINE.format(
            label=texts.KPI_AVG_SCORE, amount=change.lstrip("-"), section=section
        )
        return Point(finding, problem, advice)
    return Point(finding)


def low_grades() -> tuple[str, ...]:
    """The grades the report treats as low: the configuration's two lowest, lowest first (差, 中)."""
    return tuple(reversed(active_config().grades[-2:]))


def grades_point(context: Context) -> Point | None:
    figures, c = context.figures, context.cards
    grades = figures["grades"]
    graded = sum(grades.values())
    if not graded:
        return None
    shares = key_figures.grade_shares(figures)  # the 总览 cards' shares
    parts = [
        texts.REPORT_BRIEF_GRADE_SHARE.format(grade=grade, count=c[grade], share=shares[grade])
        if count
        else texts.REPORT_BRIEF_GRADE_PART.format(grade=grade, count=c[grade])
        for grade, count in grades.items()
    ]
    not_graded = (
        texts.REPORT_BRIEF_GRADES_NOT_GRADED.format(label=texts.NOT_GRADED, count=c[texts.NOT_GRADED])
        if figures["not_graded"]
        else ""
    )
    finding = texts.REPORT_BRIEF_GRADES.format(
        graded=fmt.count_text(graded), parts=texts.REPORT_LIST_SEPARATOR.join(parts), not_graded=not_graded
    )
    low = [grade for grade in low_grades() if grades.get(grade)]
    n = sum(grades[grade] for grade in low)
    if not n:
        return Point(finding)
    names = texts.REPORT_LOW_GRADES_SEPARATOR.join(low)
    return Point(
        finding,
        texts.REPORT_BRIEF_PROBLEM_LOW_GRADES.format(grades=names, n=fmt.count_text(n)),
        texts.REPORT_BRIEF_ADVICE_LOW_GRADES.format(grades=names, n=fmt.count_text(n)),
    )


def _groups(context: Context, by: str) -> pd.DataFrame:
    if by not in context.groups:
        context.groups[by] = queries.group_summary(context.con, context.filters, by)
    return context.groups[by]


def _group_name(row, by: str) -> str:
    """A unit or type in a sentence: a department's own level as "0402009 部门本级" (the scope's words; tables say
    "0402009（主管部门）", key_figures.org_label, which in a sentence would put brackets inside brackets)."""
    if by == "org" and bool(row.grp_is_department) and not fmt.is_missing(row.grp):
        return texts.REPORT_SCOPE_OWN_ONLY.format(department=row.grp)
    return fmt.text_or_dash(row.grp)


def _group_value(row, value: str, by: str) -> str:
    return texts.REPORT_BRIEF_GROUP_VALUE.format(
        name=_group_name(row, by), value=value, forms=fmt.count_text(row.forms)
    )


def _rate_text(value) -> str:
    return fmt.percent_text(value)


def _score_text(value) -> str:
    return fmt.score_text(key_figures.rounded(value))


def _extremes(groups: pd.DataFrame, column: str) -> tuple | None:
    """The best and worst row by `column` (ties: the name first in order), or None with fewer than two rows."""
    rows = groups.dropna(subset=[column]).sort_values([column, "grp"], ascending=[False, True], kind="stable")
    if len(rows) < 2:
        return None
    best = next(rows.itertuples())
    worst = next(rows.sort_values([column, "grp"], ascending=[True, True], kind="stable").itertuples())
    return best, worst


def _groups_point(context: Context, by: str, label: str) -> Point | None:
    groups = _groups(context, by)
    rates = _extremes(groups, "exec_rate")
    if rates is None:
        return None
    scores = _extremes(groups, "avg_score")
    scores_text = (
        texts.REPORT_BRIEF_GROUP_SCORES.format(
            score_best=_group_value(scores[0], _score_text(scores[0].avg_score), by),
            score_worst=_group_value(scores[1], _score_text(scores[1].avg_score), by),
        )
        if scores
        else ""
    )
    return Point(
        texts.REPORT_BRIEF_GROUPS.format(
            label=label,
            n=fmt.count_text(len(groups)),
            rate_best=_group_value(rates[0], _rate_text(rates[0].exec_rate), by),
            rate_worst=_group_value(rates[1], _rate_text(rates[1].exec_rate), by),
            scores=scores_text,
        )
    )


def _units_below(context: Context) -> pd.DataFrame:
    groups = _groups(context, "org")
    return groups[groups["exec_rate"] < RATE_CONCERN].sort_values(["exec_rate", "grp"], kind="stable")


def units_point(context: Context) -> Point | None:
    point = _groups_point(context, "org", texts.REPORT_BRIEF_GROUP_UNIT)
    low = _units_below(context)
    if low.empty:
        return point
    threshold = fmt.percent_text(RATE_CONCERN, 0)
    named = [
        texts.REPORT_BRIEF_UNIT_RATE.format(name=_group_name(r, "org"), rate=_rate_text(r.exec_rate))
        for r in low.head(NAMED_UNITS).itertuples()
    ]
    if len(low) > NAMED_UNITS:
        named.append(texts.CHART_OTHERS.format(count=len(low) - NAMED_UNITS))
    n = fmt.count_text(len(low))
    return Point(
        point.finding if point else None,
        texts.REPORT_BRIEF_PROBLEM_RATE.format(rate=threshold, n=n, units=texts.REPORT_LIST_SEPARATOR.join(named)),
        texts.REPORT_BRIEF_ADVICE_RATE.format(rate=threshold, n=n),
    )


def types_point(context: Context) -> Point | None:
    return _groups_point(context, "project_type", texts.REPORT_BRIEF_GROUP_TYPE)


def points_point(context: Context) -> Point:
    figures, c = context.figures, context.cards
    if not figures["deducted"]:
        return Point(texts.REPORT_BRIEF_POINTS_NONE)
    by_class = queries.deductions_by_class(context.con, context.filters)
    total = float(by_class["points_lost"].sum()) if not by_class.empty else 0.0

    def share(points: float) -> str:
        return fmt.percent_text(points / total, 1) if total else texts.DASH

    parts = [
        texts.REPORT_REASON_CLASS_PART.format(
            reason_class=r.reason_class, points=fmt.score_text(r.points_lost), share=share(r.points_lost).rstrip("%")
        )
        for r in by_class.head(TOP_CLASSES).itertuples()
    ]
    finding = texts.REPORT_BRIEF_POINTS.format(
        label=texts.KPI_DEDUCTED,
        deducted=c[texts.KPI_DEDUCTED],
        points=fmt.score_text(key_figures.rounded(figures["points_lost"])),
        classes=texts.REPORT_BRIEF_POINTS_CLASSES.format(parts=texts.REPORT_LIST_SEPARATOR.join(parts))
        if parts
        else "",
    )
    classified = by_class[~by_class["reason_class"].isin(reason_classes.RESERVED)]
    if classified.empty or not total or float(classified["points_lost"].iloc[0]) / total < CLASS_SHARE_CONCERN:
        return Point(finding)
    top = next(classified.itertuples())
    points = fmt.score_text(top.points_lost)
    advice = texts.REPORT_BRIEF_CLASS_ADVICE.get(top.reason_class, texts.REPORT_BRIEF_ADVICE_CLASS_OTHER)
    return Point(
        finding,
        texts.REPORT_BRIEF_PROBLEM_CLASS.format(
            reason_class=top.reason_class, points=points, share=share(top.points_lost)
        ),
        texts.REPORT_BRIEF_ADVICE_CLASS.format(reason_class=top.reason_class, points=points, advice=advice),
    )


def unexplained_forms(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """Forms under the filters with at least one deduction without a reason."""
    frame = queries.overview_query(
        con, "SELECT count(*) AS n FROM form_overview o WHERE {where} AND o.unexplained_count > 0", filters
    )
    return int(frame["n"].iloc[0])


def unexplained_point(context: Context) -> Point | None:
    figures, c = context.figures, context.cards
    if not figures["deducted"]:
        return None
    n = figures["unexplained"]
    if not n:
        return Point(texts.REPORT_BRIEF_UNEXPLAINED_NONE)
    share = fmt.percent_text(n / figures["deducted"], 1)
    forms = fmt.count_text(unexplained_forms(context.con, context.filters))
    return Point(
        texts.REPORT_BRIEF_UNEXPLAINED.format(
            label=texts.KPI_UNEXPLAINED, n=c[texts.KPI_UNEXPLAINED], share=share, forms=forms
        ),
        texts.REPORT_BRIEF_PROBLEM_UNEXPLAINED.format(n=c[texts.KPI_UNEXPLAINED], share=share, forms=forms),
        texts.REPORT_BRIEF_ADVICE_UNEXPLAINED.format(
            n=c[texts.KPI_UNEXPLAINED],
            forms=forms,
            section=context.sections.get("unexplained", texts.REPORT_UNEXPLAINED),
        ),
    )


def review_point(context: Context) -> Point:
    con, filters = context.con, context.filters
    found = review_queries.finding_counts(con, filters)
    severities = found.severities
    parts = texts.REPORT_CLAUSE_SEPARATOR.join(
        texts.REPORT_SEVERITY.format(
            label=texts.SEVERITY_LABELS[row.severity],
            findings=fmt.count_text(row.findings),
            forms=fmt.count_text(row.forms),
        )
        for row in severities.itertuples()
    )
    signals = found.signals
    warnings = signals[(signals["severity"] == "warning") & (signals["forms"] > 0)]
    warnings = warnings.sort_values("forms", ascending=False, kind="stable")
    top = (
        texts.REPORT_BRIEF_TOP_SIGNAL.format(
            title=review_queries.rule_title(warnings.iloc[0]["rule"]),
            forms=fmt.count_text(int(warnings.iloc[0]["forms"])),
        )
        if not warnings.empty
        else ""
    )
    signal_card = context.cards[texts.OVERVIEW_SIGNAL_FORMS]
    finding = texts.REPORT_BRIEF_REVIEW.format(
        parts=parts, signal_label=texts.OVERVIEW_SIGNAL_FORMS, signals=signal_card, top_signal=top
    )
    errors = severities[severities["severity"] == "error"]
    error_findings = int(errors["findings"].iloc[0]) if not errors.empty else 0
    if error_findings:
        error_forms = fmt.count_text(int(errors["forms"].iloc[0]))
        section = context.sections.get("review", texts.REPORT_REVIEW)
        return Point(
            finding,
            texts.REPORT_BRIEF_PROBLEM_ERRORS.format(findings=fmt.count_text(error_findings), forms=error_forms),
            texts.REPORT_BRIEF_ADVICE_ERRORS.format(forms=error_forms, section=section),
        )
    return Point(finding)


def signals_point(context: Context) -> Point | None:
    """The problem and suggestion of the warning-level risk signals (their count is in review_point's sentence)."""
    if not review_queries.warning_signal_forms(context.con, context.filters):
        return None
    card = context.cards[texts.OVERVIEW_SIGNAL_FORMS]
    return Point(
        None,
        texts.REPORT_BRIEF_PROBLEM_SIGNALS.format(label=texts.OVERVIEW_SIGNAL_FORMS, n=card),
        texts.REPORT_BRIEF_ADVICE_SIGNALS.format(n=card),
    )


def spot_check_point(context: Context) -> Point | None:
    """The 抽查复核 (issue 20): forms reviewed over every plan, their mean 偏离度, how many deviate by
    domain.DEVIATION_MARKED or more (a problem, with the suggestion to follow them up) and grade changes — the
    figures of the 抽查复核 page (spot_check.entries). None where no form has been reviewed."""
    plans = spot_check.plans(context.con)
    if plans.empty or not int(plans["reviewed"].sum()):
        return None
    entries = pd.concat([spot_check.entries(context.con, int(plan)) for plan in plans["plan_id"]], ignore_index=True)
    reviewed = entries[entries["reviewed_score"].notna()]
    deviation = pd.to_numeric(reviewed["deviation"], errors="coerce")
    marked = int((deviation.abs() >= domain.DEVIATION_MARKED - 1e-12).sum())
    finding = texts.REPORT_BRIEF_SPOT.format(
        forms=fmt.count_text(len(reviewed)),
        plans=fmt.count_text(len(plans)),
        mean=fmt.percent_text(deviation.mean(), digits=1),
        threshold=fmt.percent_text(domain.DEVIATION_MARKED, digits=0),
        marked=fmt.count_text(marked),
        changed=fmt.count_text(int(reviewed["grade_changed"].sum())),
    )
    if not marked:
        return Point(finding)
    threshold = fmt.percent_text(domain.DEVIATION_MARKED, digits=0)
    return Point(
        finding,
        texts.REPORT_BRIEF_PROBLEM_SPOT.format(n=fmt.count_text(marked), threshold=threshold),
        texts.REPORT_BRIEF_ADVICE_SPOT.format(n=fmt.count_text(marked), threshold=threshold),
    )


def rectification_point(context: Context) -> Point | None:
    """The 整改 ledger (issue 20): items not yet verified and, of those, overdue — the 总览's two 整改 cards
    (rectify.counts); overdue items are a problem, with the suggestion to chase them. None while nothing is open."""
    counts = rectify.counts(context.con)
    if not counts["open"]:
        return None
    finding = texts.REPORT_BRIEF_RECTIFY.format(
        open=fmt.count_text(counts["open"]), overdue=fmt.count_text(counts["overdue"])
    )
    if not counts["overdue"]:
        return Point(finding)
    overdue = fmt.count_text(counts["overdue"])
    problem = texts.REPORT_BRIEF_PROBLEM_RECTIFY.format(n=overdue)
    return Point(finding, problem, texts.REPORT_BRIEF_ADVICE_RECTIFY.format(n=overdue))


# The 要点 page's findings in order; each function returns None where it has nothing to say.
POINTS: tuple[Callable[[Context], Point | None], ...] = (
    money_point,
    score_point,
    grades_point,
    units_point,
    types_point,
    points_point,
    unexplained_point,
    review_point,
    signals_point,
    spot_check_point,
    rectification_point,
)
