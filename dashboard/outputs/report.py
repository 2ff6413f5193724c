"""The 绩效自评结果汇总报告: a Word document for the leadership meeting, from the figures the pages show.

`build_report(con, filters)` returns the .docx bytes (`report_pdf.pdf_bytes` turns them into a PDF where
LibreOffice is installed); the command line (`python -m dashboard report`) and the 下载汇总报告 buttons on 总览
call it with the same filters the pages use. Every figure comes from the pages' own queries (queries.kpis,
group_summary, deductions; review_queries; yoy) and is formatted by the pages' own functions (formatting.py,
key_figures.py), so the report and the screen cannot disagree.

Page 1 is the 要点 (briefing.py): the scope in words, the findings as sentences, 主要问题 and 建议. Then the
figures: key figures, grades, units, project types, low scores, deductions, 复核, year over year.

Typography of an official paper (GB/T 9704 style): title in 方正小标宋简体, level-1 headings in 黑体, level-2 in
楷体, body in 仿宋, Latin and digits in Times New Roman; headings numbered 一、（一）1. as they are written and
black; tables with numbers right-aligned, columns as wide as their content, the header row repeated on every
page, rows never split, a short table kept on one page and a long one never leaving a few rows alone; the footer
"第 X 页 共 Y 页" (PAGE and NUMPAGES fields). Where the official fonts are not installed, Word and LibreOffice
substitute; the PDF made here names this machine's CJK fonts as their stand-ins (report_pdf.FONT_STAND_INS).
Charts are PNG images made offline (chart_images.py).

Forms with the same name are told apart wherever they are listed: by 项目金额, then unit, then their order
(`FormNames`); a heading is never written twice.

A new section is an entry in `_sections` (its heading is numbered from its place, and the 要点 can point to it
by its key) and its writer in `build_report`; a new finding on the 要点 page is a function in briefing.POINTS.
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from datetime import datetime

import duckdb
import pandas as pd
import plotly.graph_objects as go
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.outputs import briefing, chart_images, cycle_report
from dashboard.queries import key_figures, queries, review_queries, yoy
from dashboard.queries.filters import Filters
from dashboard.security.untrusted import visible_text
from dashboard.store import reads, snapshots

# The fonts an official paper uses (Windows and government machines have them); where they are missing, the
# PDF made here prints with this machine's stand-ins (report_pdf.FONT_STAND_INS).
FONT_TITLE = texts.REPORT_FONT_TITLE  # 方正小标宋简体
FONT_HEADING_1 = texts.REPORT_FONT_HEADING_1  # 黑体
FONT_HEADING_2 = texts.REPORT_FONT_HEADING_2  # 楷体
FONT_BODY = texts.REPORT_FONT_BODY  # 仿宋
LATIN_FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)
TOP_ROWS = 30  # rows of a long table shown in the report
KEEP_TOGETHER_ROWS = 20  # a table of at most this many rows is kept on one page
EDGE_ROWS = 4  # a longer table keeps this many rows together at its start and its end
PAGE_WIDTH_CM = 21.0
MARGIN_CM = 2.6
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM
BODY_FONT_PT = 11.5
TABLE_FONT_PT = 10.5
CHART_UNITS = 20  # units in the 执行率 chart, lowest rates first
SHORT_TEXT = 14  # a text column no wider than this (half-width characters) is never wrapped: codes, dates, grades


def low_grades() -> tuple[str, ...]:
    """The grades the low-score section lists: the configuration's two lowest, lowest first (差, 中)."""
    return briefing.low_grades()


@dataclasses.dataclass
class Scope:
    """What the report covers, for its first paragraph."""

    text: str
    not_counted: dict[str, int]
    generated: datetime


# The report's level-1 sections in order (key, heading); year over year only where there is a previous year.
def _sections(pair: yoy.YearPair | None) -> list[tuple[str, str]]:
    sections = [
        ("brief", texts.REPORT_BRIEF),
        ("key_figures", texts.REPORT_KEY_FIGURES),
        ("grades", texts.REPORT_GRADES),
        ("units", texts.REPORT_BY_UNIT),
        ("types", texts.REPORT_BY_TYPE),
        ("low", texts.REPORT_LOW_SCORES_OF.format(grades=texts.REPORT_LOW_GRADES_SEPARATOR.join(low_grades()))),
        ("unexplained", texts.REPORT_DEDUCTIONS),
        ("review", texts.REPORT_REVIEW),
    ]
    if pair is not None:
        sections.append(("yoy", texts.REPORT_YOY.format(year=pair.year, previous=pair.previous)))
    return sections


def build_report(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    unit: str = "万元",
    generated: datetime | None = None,
    as_of: snapshots.AsOf | None = None,
) -> bytes:
    """The whole report as .docx bytes; `as_of`: `con` reads a lake as it was then, and the report says so."""
    figures = queries.kpis(con, filters)
    pair = yoy.year_pair(con, filters) if figures["forms"] else None
    sections = _sections(pair)
    numbered = {key: heading_text(title, 1, (index,)) for index, (key, title) in enumerate(sections, start=1)}
    brief = briefing.build(con, filters, unit, figures, numbered)
    scope = Scope(brief.scope, reads.not_counted(con), generated or datetime.now())
    names = FormNames.of(con, filters, unit)
    document = _new_document()
    writer = _Writer(document)
    writer.title(texts.REPORT_TITLE)
    writer.note(texts.REPORT_GENERATED.format(date=scope.generated.strftime(texts.REPORT_DATE_FORMAT)), center=True)
    if as_of is not None:
        writer.note(as_of.statement(), center=True)
    writer.paragraph(_scope_text(scope))
    titles = dict(sections)
    writer.heading(titles["brief"])
    _brief(writer, brief)
    writer.page_break()
    writer.heading(titles["key_figures"])
    _brief_rules(writer)
    writer.table(
        [texts.REPORT_COL_SECTION, texts.REPORT_COL_ITEM, texts.REPORT_COL_VALUE],
        [[title, label, value] for title, cards in key_figures.sections(figures, unit) for label, value, _ in cards]
        + [_signal_forms_row(con, filters)]
        + cycle_report.key_rows(con),  # the 总览's 整改 cards (issue 20)
        group_first=True,
    )
    writer.heading(titles["grades"])
    writer.picture(_grade_figure({**figures["grades"], texts.NOT_GRADED: figures["not_graded"]}))
    writer.heading(titles["units"])
    units = queries.group_summary(con, filters, "org")
    if len(units) > 1:
        chart = _rate_by_unit_figure(units)
        writer.picture(chart, height=_bar_chart_height(min(len(units), CHART_UNITS)), keep_with_next=True)
    _groups(writer, units, texts.COL["org"], unit, "org")
    writer.heading(titles["types"])
    _groups(
        writer, queries.group_summary(con, filters, "project_type"), texts.COL["project_type"], unit, "project_type"
    )
    writer.heading(titles["low"])
    _low_scores(writer, con, filters, names, unit)
    writer.heading(titles["unexplained"])
    writer.heading(texts.REPORT_REASON_CLASSES, level=2)
    _reason_classes(writer, con, filters)
    writer.heading(texts.REPORT_UNEXPLAINED, level=2)
    _unexplained(writer, con, filters, names)
    writer.heading(titles["review"])
    _review(writer, con, filters, names)
    if pair is not None:
        writer.heading(titles["yoy"])
        _year_over_year(writer, con, filters, pair, unit, names)
    cycle_report.write_sections(writer, con, filters, unit)  # 抽查复核, 结果应用, 整改 (issue 20)
    writer.finish()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the 要点 page ----------------------------------------------------------------------------------------------


def _brief(writer: _Writer, brief: briefing.Briefing) -> None:
    for title, items, none in (
        (texts.REPORT_BRIEF_FINDINGS, brief.findings, texts.REPORT_NONE),
        (texts.REPORT_BRIEF_PROBLEMS, brief.problems, texts.REPORT_BRIEF_NO_PROBLEMS),
        (texts.REPORT_BRIEF_SUGGESTIONS, brief.suggestions, texts.REPORT_BRIEF_NO_SUGGESTIONS),
    ):
        writer.heading(title, level=2)
        if not items:
            writer.paragraph(none)
        for number, item in enumerate(items, start=1):
            writer.paragraph(texts.REPORT_ITEM.format(number=number, text=item))


def _brief_rules(writer: _Writer) -> None:
    """How the 要点 picked what stands out, under the key figures (page 1 is for the findings; at the report's end
    the note could be left alone on a last page)."""
    writer.note(
        texts.REPORT_BRIEF_RULES.format(
            rate=fmt.percent_text(briefing.RATE_CONCERN, 0),
            low=texts.REPORT_LOW_GRADES_SEPARATOR.join(reversed(low_grades())),
            share=fmt.percent_text(briefing.CLASS_SHARE_CONCERN, 0),
        )
    )


# --- sections ----------------------------------------------------------------------------------------------


def _scope_text(scope: Scope) -> str:
    text = scope.text
    if scope.not_counted["incomplete"] or scope.not_counted["pending"]:
        text += texts.REPORT_NOT_COUNTED.format(**scope.not_counted)
    return text


def _grade_figure(grades: dict[str, int]) -> go.Figure:
    graded = sum(count for grade, count in grades.items() if grade != texts.NOT_GRADED)

    def label(grade: str, count: int) -> str:
        if grade == texts.NOT_GRADED or not graded or not count:
            return fmt.count_text(count)
        return texts.REPORT_CHART_VALUE_SHARE.format(
            value=fmt.count_text(count), share=fmt.percent_text(count / graded, 1)
        )

    figure = go.Figure(
        go.Bar(
            x=list(grades),
            y=list(grades.values()),
            text=[label(grade, count) for grade, count in grades.items()],
            textposition="outside",
            marker_color=[
                key_figures.grade_color(grade, key_figures.GRADE_CHART_COLORS, key_figures.NO_GRADE_CHART_COLOR)
                for grade in grades
            ],
        )
    )
    top = max(grades.values(), default=0)
    figure.update_layout(
        title=texts.REPORT_GRADES_CHART,
        xaxis={"title": texts.COL["grade"], "type": "category"},
        yaxis={"title": texts.KPI_FORMS, "range": [0, top * 1.2 + 1]},
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        plot_bgcolor="white",
        font_size=16,
    )
    return figure


def _bar_chart_height(bars: int) -> int:
    return 160 + 38 * max(bars, 2)


def _rate_by_unit_figure(units: pd.DataFrame) -> go.Figure:
    """执行率 (%) per unit, lowest first (at most CHART_UNITS), with the concern line: one measure, one axis."""
    rated = units.dropna(subset=["exec_rate"]).sort_values(["exec_rate", "grp"], kind="stable")
    shown = rated.head(CHART_UNITS).iloc[::-1]  # plotly draws the first bar at the bottom
    title = (
        texts.REPORT_CHART_RATE_BY_UNIT
        if len(rated) <= CHART_UNITS
        else texts.REPORT_CHART_RATE_BY_UNIT_LOWEST.format(shown=CHART_UNITS, total=fmt.count_text(len(rated)))
    )
    rates = [float(rate) * 100 for rate in shown["exec_rate"]]
    figure = go.Figure(
        go.Bar(
            y=[
                key_figures.org_label(name, own)
                for name, own in zip(shown["grp"], shown["grp_is_department"], strict=True)
            ],
            x=rates,
            orientation="h",
            text=[fmt.percent_text(rate) for rate in shown["exec_rate"]],
            textposition="outside",
            marker_color=[
                key_figures.GRADE_CHART_COLORS[-1]
                if rate < briefing.RATE_CONCERN * 100
                else key_figures.GRADE_CHART_COLORS[1]
                for rate in rates
            ],
        )
    )
    figure.add_vline(x=briefing.RATE_CONCERN * 100, line_dash="dash", line_color="#7f8c8d")
    figure.update_layout(
        title=title,
        xaxis={"title": texts.REPORT_AXIS_RATE, "range": [0, max([100.0, *rates]) * 1.18]},
        yaxis={"type": "category", "automargin": True},
        margin={"l": 20, "r": 30, "t": 60, "b": 50},
        plot_bgcolor="white",
        font_size=16,
    )
    return figure


def _points_by_class_figure(by_class: pd.DataFrame) -> go.Figure:
    """Points lost per 偏差原因分类, most first (top bar)."""
    total = float(by_class["points_lost"].sum())
    shown = by_class.iloc[::-1]
    points = [float(value) for value in shown["points_lost"]]
    figure = go.Figure(
        go.Bar(
            y=list(shown["reason_class"]),
            x=points,
            orientation="h",
            text=[
                texts.REPORT_CHART_VALUE_SHARE.format(
                    value=fmt.score_text(value), share=fmt.percent_text(value / total, 1) if total else texts.DASH
                )
                for value in points
            ],
            textposition="outside",
            marker_color=key_figures.GRADE_CHART_COLORS[2],
        )
    )
    figure.update_layout(
        title=texts.REPORT_CHART_POINTS_BY_CLASS,
        xaxis={"title": texts.REPORT_AXIS_POINTS, "range": [0, max(points, default=0) * 1.35 + 1]},
        yaxis={"type": "category", "automargin": True},
        margin={"l": 20, "r": 30, "t": 60, "b": 50},
        plot_bgcolor="white",
        font_size=16,
    )
    return figure


def _groups(writer: _Writer, groups: pd.DataFrame, label: str, unit: str, by: str) -> None:
    col = texts.COL
    rows = [
        [
            key_figures.org_label(row.grp, row.grp_is_department) if by == "org" else fmt.text_or_dash(row.grp),
            fmt.count_text(row.forms),
            fmt.money_text(row.budget, unit, False),
            fmt.money_text(row.executed, unit, False),
            fmt.percent_text(row.exec_rate),
            fmt.score_text(key_figures.rounded(row.avg_score)),
            fmt.count_text(row.deducted),
        ]
        for row in groups.itertuples()
    ]
    headings = [label, col["forms"], col["budget"].format(unit=unit), col["executed"].format(unit=unit),
                col["exec_rate_pct"], col["avg_score"], col["deducted_count"]]  # fmt: skip
    writer.table(headings, rows, top=TOP_ROWS)


def _low_scoring_forms(con, filters: Filters) -> pd.DataFrame:
    scope = dataclasses.replace(
        filters, grades=tuple(g for g in low_grades() if not filters.grades or g in filters.grades)
    )
    if not scope.grades:
        return pd.DataFrame()
    return queries.form_overview(con, scope)


def _low_scores(writer: _Writer, con, filters: Filters, names: FormNames, unit: str) -> None:
    forms = _low_scoring_forms(con, filters)
    if forms.empty:
        writer.paragraph(texts.REPORT_NONE)
        return
    shown = forms.head(TOP_ROWS)
    deducted = con.execute(
        "SELECT form_id, name, weight, score, points_lost, reason, no_reason FROM indicators "
        "WHERE deducted AND form_id IN (SELECT unnest(?)) ORDER BY form_id, position",
        [shown["form_id"].tolist()],
    ).df()
    for row in shown.itertuples():
        writer.heading(
            texts.REPORT_LOW_FORM.format(
                name=row.project_name, org=fmt.text_or_dash(row.org), score=fmt.score_text(row.total_score),
                grade=fmt.text_or_dash(row.grade), year=fmt.text_or_dash(row.year),
                amount=fmt.money_text(row.project_amount, unit, False), unit=unit,
            ),
            level=2,
        )  # fmt: skip
        rows = deducted[deducted["form_id"] == row.form_id]
        if rows.empty:
            writer.paragraph(texts.REPORT_NO_DEDUCTIONS)
            continue
        writer.table(
            [texts.COL["name"], texts.COL["weight"], texts.COL["score"], texts.COL["points_lost"], texts.COL["reason"]],
            [
                [
                    item.name,
                    fmt.score_text(item.weight),
                    fmt.score_text(item.score),
                    fmt.score_text(item.points_lost),
                    texts.NO_REASON if item.no_reason else item.reason,
                ]
                for item in rows.itertuples()
            ],
        )
    if len(forms) > len(shown):
        writer.paragraph(texts.REPORT_MORE_ROWS.format(count=len(forms) - len(shown)))


def _unexplained(writer: _Writer, con, filters: Filters, names: FormNames) -> None:
    rows = queries.deductions(con, filters)
    rows = rows[rows["no_reason"]]
    if rows.empty:
        writer.paragraph(texts.REPORT_NONE)
        return
    col = texts.COL
    writer.table(
        [col["project_name"], col["org"], col["name"], col["weight"], col["score"], col["points_lost"]],
        [
            [
                names.label(r.form_id, r.project_name),
                fmt.text_or_dash(r.org),
                r.name,
                fmt.score_text(r.weight),
                fmt.score_text(r.score),
                fmt.score_text(r.points_lost),
            ]
            for r in rows.itertuples()
        ],
        top=TOP_ROWS,
    )


def _signal_forms_row(con, filters: Filters) -> list[str]:
    """The 总览's count of forms with a warning-level risk signal, as a row of the key figures."""
    n = review_queries.warning_signal_forms(con, filters)
    return [
        texts.SIGNALS_HEADING,
        texts.OVERVIEW_SIGNAL_FORMS,
        texts.OVERVIEW_SIGNAL_FORMS_VALUE.format(n=fmt.count_text(n)),
    ]


def _reason_classes(writer: _Writer, con, filters: Filters) -> None:
    """扣分原因: the points lost per 偏差原因分类, as a paragraph, a chart and a table (the 扣分指标 page's chart)."""
    by_class = queries.deductions_by_class(con, filters)
    if by_class.empty:
        writer.paragraph(texts.REPORT_NONE)
        return
    points = float(by_class["points_lost"].sum())

    def share(lost: float) -> str:
        return fmt.score_text(round(lost / points * 100, 1)) if points else "0"

    parts = [
        texts.REPORT_REASON_CLASS_PART.format(
            reason_class=r.reason_class, points=fmt.score_text(r.points_lost), share=share(r.points_lost)
        )
        for r in by_class.itertuples()
    ]
    writer.paragraph(
        texts.REPORT_REASON_CLASSES_TEXT.format(
            indicators=int(by_class["indicators"].sum()),
            points=fmt.score_text(points),
            parts=texts.REPORT_LIST_SEPARATOR.join(parts),
        )
    )
    writer.picture(_points_by_class_figure(by_class), height=_bar_chart_height(len(by_class)), keep_with_next=True)
    writer.table(
        texts.REPORT_REASON_COLUMNS,
        [
            [
                r.reason_class,
                str(int(r.indicators)),
                fmt.score_text(r.points_lost),
                share(r.points_lost) + "%",
                fmt.text_or_dash(r.top_subclass),
            ]
            for r in by_class.itertuples()
        ],
    )


def _review(writer: _Writer, con, filters: Filters, names: FormNames) -> None:
    found = review_queries.finding_counts(con, filters)
    severities = found.severities
    writer.paragraph(
        "；".join(
            texts.REPORT_SEVERITY.format(
                label=texts.SEVERITY_LABELS[row.severity],
                findings=fmt.count_text(row.findings),
                forms=fmt.count_text(row.forms),
            )
            for row in severities.itertuples()
        )
        + texts.REPORT_SENTENCE_END
    )
    rules = found.rules
    if not rules.empty:
        writer.table(
            [texts.REPORT_COL_RULE, texts.REPORT_COL_SEVERITY, texts.REPORT_COL_FINDINGS, texts.KPI_FORMS],
            [
                [
                    review_queries.rule_title(r.rule),
                    texts.SEVERITY_LABELS.get(r.severity, r.severity),
                    fmt.count_text(r.findings),
                    fmt.count_text(r.forms),
                ]
                for r in rules.itertuples()
            ],
        )
    forms = review_queries.forms_by_seriousness(con, filters)
    if not forms.empty:
        writer.paragraph(texts.REPORT_SECOND_LOOK)
        writer.table(
            [texts.COL["project_name"], texts.COL["org"], texts.REPORT_COL_ERRORS, texts.REPORT_COL_WARNINGS],
            [
                [
                    names.label(r.form_id, r.project_name),
                    key_figures.org_label(r.org, r.org_is_department),
                    fmt.count_text(r.error_count),
                    fmt.count_text(r.warning_count),
                ]
                for r in forms.itertuples()
            ],
            top=20,
        )


def _year_over_year(writer: _Writer, con, filters: Filters, pair: yoy.YearPair, unit: str, names: FormNames) -> None:
    figures = yoy.key_figures(con, filters, pair)
    writer.table(
        [texts.REPORT_COL_ITEM, str(pair.previous), str(pair.year), texts.REPORT_COL_CHANGE],
        [[label, *values] for _key, label, values in key_figures.year_rows(figures, unit)],
    )
    for by, label in (("org", texts.COL["org"]), ("project_type", texts.COL["project_type"])):
        groups = yoy.by_group(con, filters, pair, by)
        writer.paragraph(texts.REPORT_YOY_BY.format(label=label))
        writer.table(
            [label, *texts.REPORT_YOY_GROUP_COLUMNS],
            [
                [
                    fmt.text_or_dash(r.grp),
                    fmt.percent_text(r.exec_rate_previous),
                    fmt.percent_text(r.exec_rate),
                    key_figures.points_change(r.exec_rate_change),
                    fmt.score_text(key_figures.rounded(r.avg_score_previous)),
                    fmt.score_text(key_figures.rounded(r.avg_score)),
                    key_figures.signed(r.avg_score_change),
                ]
                for r in groups.itertuples()
            ],
            top=TOP_ROWS,
        )
    both, both_total = yoy.projects_in_both_years(con, filters, pair, limit=TOP_ROWS)
    writer.paragraph(texts.REPORT_YOY_PROJECTS.format(count=fmt.count_text(both_total)))
    writer.table(
        [texts.COL["project_name"], texts.COL["org"], str(pair.previous), str(pair.year), texts.REPORT_COL_CHANGE],
        [
            [
                names.label(r.form_id, r.project_name),
                fmt.text_or_dash(r.org),
                key_figures.score_with_grade_note(r.score_previous, bool(r.previous_not_graded)),
                key_figures.score_with_grade_note(r.score, bool(r.not_graded)),
                key_figures.signed(r.score_change),
            ]
            for r in both.itertuples()
        ],
        total=both_total,
    )
    changes, changes_total = yoy.new_and_ended(con, filters, pair, limit=TOP_ROWS)
    if not changes.empty:
        writer.paragraph(texts.REPORT_YOY_NEW_ENDED)
        writer.table(
            [texts.REPORT_COL_CHANGE, texts.COL["project_name"], texts.COL["org"], texts.COL["total_score"]],
            [
                [
                    texts.YOY_CHANGE_KINDS[r.change],
                    names.label(r.form_id, r.project_name),
                    fmt.text_or_dash(r.org),
                    key_figures.score_with_grade_note(r.score, bool(r.not_graded)),
                ]
                for r in changes.itertuples()
            ],
            total=changes_total,
        )
    recurring, recurring_total = yoy.recurring_deductions(con, filters, pair, limit=TOP_ROWS)
    writer.paragraph(texts.REPORT_YOY_RECURRING.format(count=fmt.count_text(recurring_total)))
    if not recurring.empty:
        writer.table(
            [texts.COL["project_name"], texts.COL["name"], texts.REPORT_REASON_OF.format(year=pair.previous),
             texts.REPORT_REASON_OF.format(year=pair.year)],
            [[names.label(r.form_id, r.project_name), r.indicator, reason_text(r.reason_previous),
              reason_text(r.reason)] for r in recurring.itertuples()],
            total=recurring_total,
        )  # fmt: skip


def reason_text(reason) -> str:
    return texts.NO_REASON if fmt.is_missing(reason) or not str(reason).strip() else str(reason)


# --- forms with the same name ----------------------------------------------------------------------------------


@dataclasses.dataclass
class FormNames:
    """How a form is named in the report's lists: its 项目名称 where no other form in scope has that name;
    else with its 项目金额, and its unit where the amount does not tell it apart either, and its place among
    the forms that are still alike ("第 2 张"). Forms outside the scope (last year's) keep their name."""

    labels: dict[str, str]

    @classmethod
    def of(cls, con, filters: Filters, unit: str = "万元") -> FormNames:
        alike = queries.overview_query(
            con,
            "SELECT o.form_id, o.project_name, o.org, o.project_amount, "
            "count(*) OVER (PARTITION BY o.project_name, o.project_amount) AS same_amount, "
            "count(*) OVER (PARTITION BY o.project_name, o.project_amount, o.org) AS same_org, "
            "row_number() OVER (PARTITION BY o.project_name, o.project_amount, o.org "
            "                   ORDER BY o.batch_id, o.position) AS nth "
            "FROM form_overview o WHERE {where} "
            "QUALIFY count(*) OVER (PARTITION BY o.project_name) > 1",
            filters,
        )
        labels = {}
        for row in alike.itertuples():
            label = texts.REPORT_FORM_AMOUNT.format(
                name=row.project_name, amount=fmt.money_text(row.project_amount, unit, False), unit=unit
            )
            if row.same_amount > 1:
                label = texts.REPORT_FORM_ORG.format(name=label, org=fmt.text_or_dash(row.org))
            if row.same_org > 1:
                label = texts.REPORT_FORM_NTH.format(name=label, n=row.nth)
            labels[row.form_id] = label
        return cls(labels)

    def label(self, form_id: str, name: str) -> str:
        return self.labels.get(form_id, name)


# --- Word ---------------------------------------------------------------------------------------------------

STYLE_BODY = "Report Body"
STYLE_TABLE = "Report Table"
STYLE_NOTE = "Report Note"
STYLE_GAP = "Report Gap"


def _fonts(style, east_asia: str, size: float, bold: bool = False) -> None:
    """A style's fonts: Latin and digits in LATIN_FONT, Chinese in `east_asia`; theme fonts removed (a theme
    font would win over the named one), black."""
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = BLACK
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), east_asia)


def _new_document() -> DocxDocument:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(PAGE_WIDTH_CM)  # A4
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:  # the template's theme fonts, which Word would otherwise use for text with no style
        for fonts in defaults.iter(qn("w:rFonts")):
            for attribute in list(fonts.attrib):
                fonts.attrib.pop(attribute)
            fonts.set(qn("w:ascii"), LATIN_FONT)
            fonts.set(qn("w:hAnsi"), LATIN_FONT)
            fonts.set(qn("w:eastAsia"), FONT_BODY)
    styles = document.styles
    _fonts(styles["Normal"], FONT_BODY, 12)
    styles["Normal"].paragraph_format.space_after = Pt(0)
    title = styles["Title"]
    _fonts(title, FONT_TITLE, 20)
    p_pr = title.element.get_or_add_pPr()
    for border in p_pr.findall(qn("w:pBdr")):  # the template's rule under the title
        p_pr.remove(border)
    for spacing in title.element.get_or_add_rPr().findall(qn("w:spacing")):
        spacing.getparent().remove(spacing)
    title.paragraph_format.space_before, title.paragraph_format.space_after = Pt(0), Pt(0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name, font, size in (("Heading 1", FONT_HEADING_1, 16), ("Heading 2", FONT_HEADING_2, 14),
                             ("Heading 3", FONT_BODY, 12)):  # fmt: skip
        style = styles[name]
        _fonts(style, font, size, bold=name != "Heading 1")  # 黑体 is heavy already
        style.font.italic = False
        style.paragraph_format.space_before = Pt(10 if name == "Heading 1" else 4)
        style.paragraph_format.space_after = Pt(4 if name == "Heading 1" else 2)
        style.paragraph_format.keep_with_next = True
    body = styles.add_style(STYLE_BODY, WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = styles["Normal"]
    _fonts(body, FONT_BODY, BODY_FONT_PT)
    body.paragraph_format.first_line_indent = Pt(2 * BODY_FONT_PT)  # two characters
    body.paragraph_format.line_spacing = 1.15
    body.paragraph_format.space_after = Pt(2)
    table = styles.add_style(STYLE_TABLE, WD_STYLE_TYPE.PARAGRAPH)
    table.base_style = styles["Normal"]
    _fonts(table, FONT_BODY, TABLE_FONT_PT)
    table.paragraph_format.line_spacing = 1.0
    note = styles.add_style(STYLE_NOTE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = styles["Normal"]
    _fonts(note, FONT_BODY, TABLE_FONT_PT)
    note.paragraph_format.space_before = Pt(6)
    note.paragraph_format.space_after = Pt(3)
    gap = styles.add_style(STYLE_GAP, WD_STYLE_TYPE.PARAGRAPH)
    gap.base_style = styles["Normal"]
    gap.font.size = Pt(6)
    _page_numbers(section.footer.paragraphs[0])
    _font_table(document)
    return document


# Word's font table entries of the official fonts: the Chinese character set (GB2312) and, as the alternate name,
# the name Word knows on an English system (or, for 小标宋, the Hei face that stands in for it where it is not
# installed), so that Word picks a Chinese face of the right kind instead of its default.
FONT_TABLE = (
    (FONT_TITLE, "SimHei", "roman"),
    (FONT_HEADING_1, "SimHei", "modern"),
    (FONT_HEADING_2, "KaiTi", "modern"),
    (FONT_BODY, "FangSong", "modern"),
)


def _font_table(document: DocxDocument) -> None:
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    fonts = etree.fromstring(part.blob)
    for name, alternate, family in FONT_TABLE:
        font = etree.SubElement(fonts, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", alternate),
            ("w:charset", "86"),
            ("w:family", family),
            ("w:pitch", "variable"),
        ):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in; "1" until they do."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _page_numbers(paragraph) -> None:
    """The footer: "第 X 页 共 Y 页" with X a PAGE and Y a NUMPAGES field."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in texts.REPORT_PAGE_FOOTER:
        if part in ("PAGE", "NUMPAGES"):
            _field(paragraph, part)
        else:
            paragraph.add_run(part)
    for run in paragraph.runs:
        run.font.size = Pt(TABLE_FONT_PT)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (headings up to 99)."""
    digits = texts.REPORT_NUMBERS_1
    if n <= 10:
        return digits[n - 1]
    tens, ones = divmod(n, 10)
    return (digits[tens - 1] if tens > 1 else "") + digits[9] + (digits[ones - 1] if ones else "")


def heading_text(text: str, level: int, numbers: tuple[int, ...]) -> str:
    """A heading with its number: 一、 (level 1), （一） (level 2), 1. (level 3)."""
    number = numbers[-1]
    if level == 1:
        return texts.REPORT_HEADING_1.format(number=chinese_number(number), text=text)
    if level == 2:
        return texts.REPORT_HEADING_2.format(number=chinese_number(number), text=text)
    return texts.REPORT_HEADING_3.format(number=number, text=text)


# A table cell is a number where its whole text is one, as formatting.py writes them: 1,234.56, 98.36%,
# -3, +1.25 个百分点, 8 张, 100（不评级）. A code such as 0402009 (a leading zero) is not a number.
_NUMBER = re.compile(r"[+\-]?(0|[1-9]\d{0,2}(,\d{3})+|[1-9]\d*)(\.\d+)?%?( 个百分点| 张| 个)?(（[^（）]+）)?")


def is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text.strip()))


def numeric_columns(rows: list[list[str]], columns: int) -> list[bool]:
    """Columns whose every filled cell is a number ("—" counts as empty) and that have at least one."""
    result = []
    for index in range(columns):
        cells = [row[index] for row in rows if row[index] not in ("", texts.DASH)]
        result.append(bool(cells) and all(is_number(cell) for cell in cells))
    return result


def text_width(text: str) -> int:
    """Width in half-width characters: a Chinese character (or full-width mark) counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def column_widths(headings: list[str], rows: list[list[str]], numeric: list[bool]) -> list[float]:
    """Column widths (cm) fitted to content, filling the text width. Each column would like to be as wide as its
    longest cell with its heading on at most two lines; at least, a number or a short text (a code, a date, a
    grade) is never wrapped and a heading takes at most three lines. Where the wishes do not fit the line, every
    column gets its least and what is left goes to the columns in proportion to what they still lack."""
    char_cm = TABLE_FONT_PT * 0.62 / 72 * 2.54  # a half-width character of the table font ("%" is wider than 0.5 em)
    padding = 0.5  # cm: the cell margins and a little air
    wanted, least = [], []
    for index, heading in enumerate(headings):
        content = max((text_width(row[index]) for row in rows), default=0)
        head = text_width(heading)
        whole = numeric[index] or content <= SHORT_TEXT
        wanted.append(max(content, (head + 1) // 2 + 2 if head > 8 else head) * char_cm + padding)
        floor = content if whole else min(content, 12)
        least.append(min(max(floor, -(-head // 3), 4) * char_cm + padding, wanted[-1]))
    total = sum(wanted)
    if total <= TEXT_WIDTH_CM:
        return [width * TEXT_WIDTH_CM / total for width in wanted]  # widened in proportion, filling the line
    lowest = sum(least)
    if lowest >= TEXT_WIDTH_CM:
        return [width * TEXT_WIDTH_CM / lowest for width in least]  # everything narrowed alike
    share = (TEXT_WIDTH_CM - lowest) / (total - lowest)
    return [low + (want - low) * share for low, want in zip(least, wanted, strict=True)]


def _merge_repeats(table, first: list[str]) -> None:
    """Runs of one text in the first column (body rows) merged into one cell, the text written once."""
    start = 0
    for index in range(1, len(first) + 1):
        if index < len(first) and first[index] == first[start]:
            continue
        if index - start > 1:
            top, bottom = table.cell(start + 1, 0), table.cell(index, 0)
            for row in range(start + 2, index + 1):
                table.cell(row, 0).paragraphs[0].clear()  # merging would otherwise keep every copy
            top.merge(bottom).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        start = index


def _row_properties(row, header: bool = False) -> None:
    """A row that never splits across pages; the header row repeated on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


class _Writer:
    """Headings, paragraphs, tables and pictures, in the document's styles. Every text goes in through
    `visible_text` (untrusted.py): a control character in a form's name shows as "\\x1b" instead of
    making the document impossible to write (XML refuses it). Headings are numbered as written and never
    repeated (a repeat gets "（之2）")."""

    def __init__(self, document: DocxDocument):
        self.document = document
        self.numbers: list[int] = []
        self.counters: dict[tuple[int, ...], int] = {}
        self.headings: dict[str, int] = {}
        self.new_page = False

    def title(self, text: str) -> None:
        self.document.add_paragraph(visible_text(text), style="Title")

    def heading(self, text: str, level: int = 1) -> None:
        parent = tuple(self.numbers[: level - 1])
        parent += (1,) * (level - 1 - len(parent))  # a skipped level counts as its first
        self.counters[parent] = self.counters.get(parent, 0) + 1
        self.numbers = [*parent, self.counters[parent]]
        numbered = heading_text(visible_text(text), level, tuple(self.numbers))
        seen = self.headings.get(numbered, 0) + 1
        self.headings[numbered] = seen
        if seen > 1:
            numbered = texts.REPORT_HEADING_REPEAT.format(text=numbered, n=seen)
        paragraph = self.document.add_heading(numbered, level=level)
        if self.new_page:
            paragraph.paragraph_format.page_break_before = True
            self.new_page = False

    def paragraph(self, text: str, keep_with_next: bool = False):
        paragraph = self.document.add_paragraph(visible_text(text), style=STYLE_BODY)
        if keep_with_next or text.endswith(texts.REPORT_INTRO_END):
            paragraph.paragraph_format.keep_with_next = True  # an introduction stays with its table
        return paragraph

    def note(self, text: str, center: bool = False) -> None:
        paragraph = self.document.add_paragraph(visible_text(text), style=STYLE_NOTE)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def page_break(self) -> None:
        """The next heading starts a new page (a break of its own could leave an empty page behind)."""
        self.new_page = True

    def table(
        self,
        headings: list[str],
        rows: list[list],
        top: int | None = None,
        total: int | None = None,
        group_first: bool = False,
    ) -> None:
        """A table of `rows` (its first `top`), and how many more there are; `total`: the table's row count
        where `rows` are only its first rows (a query's top N); `group_first`: a first-column text repeated in
        the rows below it is written once, in one cell spanning them (the key figures' 类别)."""
        shown = [
            [
                visible_text(fmt.text_or_dash(value) if not isinstance(value, str) else value or texts.DASH)
                for value in row
            ]
            for row in (rows if top is None else rows[:top])
        ]
        headings = [visible_text(str(text)) for text in headings]
        numeric = numeric_columns(shown, len(headings))
        widths = column_widths(headings, shown, numeric)
        table = self.document.add_table(rows=1 + len(shown), cols=len(headings))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        keep = len(shown) <= KEEP_TOGETHER_ROWS
        for index, (row, values) in enumerate(zip(table.rows, [headings, *shown], strict=True)):
            _row_properties(row, header=index == 0)
            # rows kept with the next: all of a short table; the first and last EDGE_ROWS of a long one
            with_next = index < len(shown) and (keep or index < EDGE_ROWS or index >= len(shown) - EDGE_ROWS)
            for cell, text, width, number in zip(row.cells, values, widths, numeric, strict=True):
                cell.width = Cm(width)
                paragraph = cell.paragraphs[0]
                paragraph.style = self.document.styles[STYLE_TABLE]
                run = paragraph.add_run(text)
                if index == 0:
                    run.font.bold = True
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif number:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                paragraph.paragraph_format.keep_with_next = with_next
        if group_first:
            _merge_repeats(table, [row[0] for row in shown])
        rest = (len(rows) if total is None else total) - len(shown)
        if rest > 0:
            self.paragraph(texts.REPORT_MORE_ROWS.format(count=rest))
        self.document.add_paragraph(style=STYLE_GAP)  # the gap after a table

    def finish(self) -> None:
        """Remove a gap left at the document's end (it could make an empty last page)."""
        body = self.document.element.body
        last = body[-2] if len(body) > 1 else None  # body[-1] is the section properties
        if last is not None and last.tag == qn("w:p") and not "".join(last.itertext()).strip():
            body.remove(last)

    def picture(self, figure: go.Figure, height: int = 420, keep_with_next: bool = False) -> None:
        """The chart as an image 15.5 cm wide, kept with what comes before it (and after, with `keep_with_next`)."""
        previous = self.document.paragraphs[-1] if self.document.paragraphs else None
        if previous is not None:
            previous.paragraph_format.keep_with_next = True
        image = chart_images.png(figure, height=height)
        if image is None:
            self.paragraph(texts.REPORT_NO_CHART, keep_with_next=keep_with_next)
            return
        self.document.add_picture(io.BytesIO(image), width=Cm(15.5))
        paragraph = self.document.paragraphs[-1]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = keep_with_next
