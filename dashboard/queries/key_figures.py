"""The key figures as people read them — one list of (section, [(label, value text, help)]) — shown as
cards on 总览 and as the key-figure table of the 汇总报告, so that both show the same numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from dashboard.audit.config import AuditConfig, active_config
from dashboard.core import domain, texts
from dashboard.core import formatting as fmt

Card = tuple[str, str, str | None]


def money_label(label: str, unit: str) -> str:
    return texts.KPI_MONEY_LABEL.format(label=label, unit=unit)


def rounded(value, digits: int = 2):
    return None if fmt.is_missing(value) else round(float(value), digits)


# Grade colours, best grade first: a grade takes its colour from its rank among the configured grades (the
# lowest always the last colour), so renamed or added grades keep a colour; anything else (不评级, no 总分) is grey.
GRADE_CHART_COLORS = ("#27ae60", "#2e86c1", "#f39c12", "#c0392b")
# Badge colours as Streamlit names them (st.badge), the ones used here.
BadgeColor = Literal["green", "blue", "orange", "red", "gray"]
GRADE_BADGE_COLORS: tuple[BadgeColor, ...] = ("green", "blue", "orange", "red")
NO_GRADE_CHART_COLOR = "#95a5a6"
NO_GRADE_BADGE_COLOR: BadgeColor = "gray"

Color = TypeVar("Color", bound=str)


def grade_color(
    grade: str | None, palette: tuple[Color, ...], other: Color, config: AuditConfig | None = None
) -> Color:
    """The colour of `grade` in `palette` (GRADE_CHART_COLORS or GRADE_BADGE_COLORS); `other` for no grade."""
    grades = (config or active_config()).grades
    if grade not in grades:
        return other
    rank = grades.index(grade)
    return palette[-1] if rank == len(grades) - 1 else palette[min(rank, len(palette) - 2)]


def grade_bands(config: AuditConfig | None = None) -> dict[str, str]:
    """Each grade's 总分 band as people read it, from the configuration's bands: {"优": "≥ 90", "良": "80 – 90", …}."""
    config = config or active_config()
    bands, high = {}, None
    for low, grade in config.grade_bands:
        low_text = fmt.score_text(low)
        bands[grade] = (
            texts.GRADE_BAND_TOP.format(low=low_text)
            if high is None
            else texts.GRADE_BAND_MIDDLE.format(low=low_text, high=high)
        )
        high = low_text
    bands[config.lowest_grade] = texts.GRADE_BAND_BOTTOM.format(high=high)
    return bands


def grade_bands_text(config: AuditConfig | None = None) -> str:
    """Every grade with its band in one line: "优 ≥ 90，良 80 – 90，中 60 – 80，差 < 60"."""
    return texts.GRADE_BAND_SEPARATOR.join(f"{grade} {band}" for grade, band in grade_bands(config).items())


def org_label(org, is_department) -> str:
    """A unit as lists show it: its name, "0402009（主管部门）" where the forms print no 实施单位 (the department's
    own level), "（未填单位）" where neither is printed."""
    if fmt.is_missing(org) or not str(org).strip():
        return texts.ORG_BLANK
    return texts.REVIEW_UNIT_IS_DEPARTMENT.format(org=org) if bool(is_department) else str(org)


def not_graded_help() -> str:
    """The 不评级 card's help: which forms are not graded (domain.NOT_GRADED_REASONS) and what that means."""
    reasons = texts.NOT_GRADED_REASON_SEPARATOR.join(texts.NOT_GRADED_REASONS[key] for key in domain.NOT_GRADED_REASONS)
    return texts.NOT_GRADED_HELP.format(reasons=reasons)


def not_graded_reason_text(reason) -> str:
    """A stored domain.not_graded_reason in words; "" for a graded form."""
    return "" if fmt.is_missing(reason) else texts.NOT_GRADED_REASONS.get(str(reason), str(reason))


def score_with_grade_note(score, not_graded) -> str:
    """A 总分 as a comparison table shows it: "100", or "100（不评级）" for a form that is not graded."""
    text = fmt.score_text(score)
    return texts.YOY_NOT_GRADED_SCORE.format(score=text) if not_graded else text


def grade_shares(figures: dict) -> dict[str, str]:
    """Each grade card's share, the one definition the 总览 cards and the report's sentences use: a grade's share
    of the graded forms (优 16 of 17 graded: 94.1%); 不评级 and 无总分 as their share of all the forms, said so."""
    graded = sum(figures["grades"].values())
    shares = {grade: fmt.percent_text(count / graded, digits=1) for grade, count in figures["grades"].items() if graded}
    if figures["forms"]:
        for label, count in ((texts.NOT_GRADED, figures["not_graded"]), (texts.GRADE_NONE, figures["grade_none"])):
            shares[label] = texts.SHARE_OF_ALL.format(share=fmt.percent_text(count / figures["forms"], digits=1))
    return shares


def grade_cards(figures: dict) -> list[Card]:
    """One card per grade (graded forms only), then 不评级 (always shown: zero says every form is graded),
    then 无总分 where some form has none."""
    bands = grade_bands()
    cards: list[Card] = [
        (
            grade,
            fmt.count_text(count),
            texts.KPI_GRADE_BAND_HELP.format(band=bands.get(grade, ""), not_graded=texts.NOT_GRADED),
        )
        for grade, count in figures["grades"].items()
    ]
    cards.append((texts.NOT_GRADED, fmt.count_text(figures["not_graded"]), not_graded_help()))
    if figures["grade_none"]:
        cards.append((texts.GRADE_NONE, fmt.count_text(figures["grade_none"]), None))
    return cards


def sections(figures: dict, unit: str) -> list[tuple[str, list[Card]]]:
    """queries.kpis' figures as three sections of cards: money and score, forms and deductions, grades."""
    return [
        (
            texts.SECTION_MONEY_SCORE,
            [
                (
                    money_label(texts.KPI_BUDGET, unit),
                    fmt.money_text(figures["budget"], unit, False),
                    texts.KPI_MONEY_HELP,
                ),
                (
                    money_label(texts.KPI_EXECUTED, unit),
                    fmt.money_text(figures["executed"], unit, False),
                    texts.KPI_MONEY_HELP,
                ),
                (texts.KPI_RATE, fmt.percent_text(figures["overall_rate"]), texts.KPI_RATE_HELP),
                (
                    texts.KPI_AVG_SCORE,
                    fmt.points_text(figures["avg_score"]),
                    texts.KPI_AVG_SCORE_GRADED_HELP.format(not_graded=texts.NOT_GRADED),
                ),
            ],
        ),
        (
            texts.SECTION_FORMS_DEDUCTIONS,
            [
                (texts.KPI_FORMS, fmt.count_text(figures["forms"]), texts.KPI_FORMS_HELP),
                (texts.KPI_PROJECTS, fmt.count_text(figures["projects"]), texts.KPI_PROJECTS_HELP),
                (texts.KPI_DEDUCTED, fmt.count_text(figures["deducted"]), texts.KPI_DEDUCTED_HELP),
                (texts.KPI_UNEXPLAINED, fmt.count_text(figures["unexplained"]), texts.KPI_UNEXPLAINED_HELP),
            ],
        ),
        (texts.SECTION_GRADES, grade_cards(figures)),
    ]


# --- against the previous year (yoy.key_figures) -------------------------------------------------------------

# Figures where a rise is bad news: their st.metric delta is coloured inversely.
RISE_IS_BAD = frozenset({"deducted", "unexplained"})


def year_rows(figures: dict[str, tuple], unit: str) -> list[tuple[str, str, list[str]]]:
    """yoy.key_figures as (key, label, [last year, this year, change]) texts: the report's table, and the
    labels and deltas of the 总览 cards."""

    def money(value) -> str:
        return fmt.money_text(value, unit, False)

    def money_change(value) -> str:
        return signed(fmt.in_unit(value, unit), trim=False)

    def whole_change(value) -> str:
        return signed(value, 0)

    shown: dict[str, tuple[str, Callable[[Any], str], Callable[[Any], str]]] = {
        "forms": (texts.KPI_FORMS, fmt.count_text, whole_change),
        "budget": (money_label(texts.KPI_BUDGET, unit), money, money_change),
        "executed": (money_label(texts.KPI_EXECUTED, unit), money, money_change),
        "overall_rate": (texts.KPI_RATE, fmt.percent_text, points_change),
        "avg_score": (texts.KPI_AVG_SCORE, fmt.points_text, signed),
        "deducted": (texts.KPI_DEDUCTED, fmt.count_text, whole_change),
        "unexplained": (texts.KPI_UNEXPLAINED, fmt.count_text, whole_change),
    }
    return [
        (key, label, [show(figures[key][1]), show(figures[key][0]), change(figures[key][2])])
        for key, (label, show, change) in shown.items()
    ]


def signed(value, digits: int = 2, trim: bool = True) -> str:
    """A change with its sign: +1.25, -3, 0 (money keeps its two decimals: -2.90); "—" where there is none."""
    if fmt.is_missing(value):
        return texts.DASH
    value = round(float(value), digits)
    if value == 0:
        return "0"
    text = f"{abs(value):,.{digits}f}" if digits else f"{abs(int(value)):,}"
    if trim and digits:
        text = text.rstrip("0").rstrip(".")
    return ("+" if value > 0 else "-") + text


def points_change(fraction) -> str:
    """A change of a rate, in percentage points: "+1.25 个百分点"."""
    if fmt.is_missing(fraction):
        return texts.DASH
    change = signed(float(fraction) * 100)
    return change if change == "0" else texts.REPORT_POINTS.format(change=change)  # no change: a plain 0
