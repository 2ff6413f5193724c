"""The 绩效自评结果汇总报告: a Word document for the leadership meeting, from the figures the pages show.

`build_report(con, filters)` returns the .docx bytes; the command line (`python -m dashboard report`) and
the 下载汇总报告 button on 总览 call it with the same filters the pages use. Every figure comes from the
pages' own queries (queries.kpis, group_summary, deductions; review_queries; yoy) and is formatted by the
pages' own functions (formatting.py, key_figures.py), so the report and the screen cannot disagree.

Word's navigation pane shows the headings (built-in Heading styles); Chinese text is set in a CJK font
(eastAsia); the footer numbers the pages; charts are PNG images made offline (chart_images.py).
Tables of many rows are cut to the top rows, with a line saying how many more there are.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime

import duckdb
import pandas as pd
import plotly.graph_objects as go
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from dashboard.audit.config import active_config
from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.outputs import chart_images, cycle_report
from dashboard.queries import key_figures, queries, review_queries, yoy
from dashboard.queries.filters import Filters, describe
from dashboard.security.untrusted import visible_text
from dashboard.store import reads

CJK_FONT = "宋体"  # Word's own; LibreOffice substitutes the machine's CJK font (Noto Sans CJK)
LATIN_FONT = "Times New Roman"
TOP_ROWS = 30  # rows of a long table shown in the report


def low_grades() -> tuple[str, ...]:
    """The grades the low-score section lists: the configuration's two lowest, lowest first (差, 中)."""
    return tuple(reversed(active_config().grades[-2:]))


@dataclasses.dataclass
class Scope:
    """What the report covers, for its first paragraph."""

    filters_text: str
    forms: int
    units: int
    files: int
    not_counted: dict[str, int]
    generated: datetime


def build_report(
    con: duckdb.DuckDBPyConnection, filters: Filters, unit: str = "万元", generated: datetime | None = None
) -> bytes:
    """The whole report as .docx bytes."""
    figures = queries.kpis(con, filters)
    scope = _scope(con, filters, figures, generated or datetime.now())
    document = _new_document()
    writer = _Writer(document)
    writer.title(texts.REPORT_TITLE)
    writer.paragraph(_scope_text(scope))
    writer.heading(texts.REPORT_KEY_FIGURES)
    writer.table(
        [texts.REPORT_COL_SECTION, texts.REPORT_COL_ITEM, texts.REPORT_COL_VALUE],
        [[title, label, value] for title, cards in key_figures.sections(figures, unit) for label, value, _ in cards]
        + [_signal_forms_row(con, filters)]
        + cycle_report.key_rows(con),  # the 总览's 整改 cards (issue 20)
    )
    writer.heading(texts.REPORT_GRADES)
    writer.picture(_grade_figure({**figures["grades"], texts.NOT_GRADED: figures["not_graded"]}))
    writer.heading(texts.REPORT_BY_TYPE)
    _groups(writer, queries.group_summary(con, filters, "project_type"), texts.COL["project_type"], unit)
    writer.heading(texts.REPORT_BY_UNIT)
    _groups(writer, queries.group_summary(con, filters, "org"), texts.COL["org"], unit)
    writer.heading(texts.REPORT_LOW_SCORES_OF.format(grades=texts.REPORT_LOW_GRADES_SEPARATOR.join(low_grades())))
    _low_scores(writer, con, filters)
    writer.heading(texts.REPORT_UNEXPLAINED)
    _unexplained(writer, con, filters)
    writer.heading(texts.REPORT_REASON_CLASSES, level=2)
    _reason_classes(writer, con, filters)
    writer.heading(texts.REPORT_REVIEW)
    _review(writer, con, filters)
    pair = yoy.year_pair(con, filters)
    if pair is not None:
        writer.heading(texts.REPORT_YOY.format(year=pair.year, previous=pair.previous))
        _year_over_year(writer, con, filters, pair, unit)
    cycle_report.write_sections(writer, con, filters, unit)  # 抽查复核, 结果应用, 整改 (issue 20)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- sections ----------------------------------------------------------------------------------------------


def _scope(con, filters: Filters, figures: dict, generated: datetime) -> Scope:
    counts = queries.overview_query(
        con,
        "SELECT count(DISTINCT o.org) AS units, count(DISTINCT o.source_file) AS files FROM form_overview o "
        "WHERE {where}",
        filters,
    ).iloc[0]
    return Scope(
        filters_text=describe(filters),
        forms=figures["forms"],
        units=int(counts["units"]),
        files=int(counts["files"]),
        not_counted=reads.not_counted(con),
        generated=generated,
    )


def _scope_text(scope: Scope) -> str:
    text = texts.REPORT_SCOPE.format(
        filters=scope.filters_text,
        forms=fmt.count_text(scope.forms),
        units=fmt.count_text(scope.units),
        files=fmt.count_text(scope.files),
        date=scope.generated.strftime("%Y年%m月%d日 %H:%M"),
    )
    if scope.not_counted["incomplete"] or scope.not_counted["pending"]:
        text += texts.REPORT_NOT_COUNTED.format(**scope.not_counted)
    return text


def _grade_figure(grades: dict[str, int]) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=list(grades),
            y=list(grades.values()),
            text=[fmt.count_text(count) for count in grades.values()],
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
    )
    return figure


def _groups(writer: _Writer, groups: pd.DataFrame, label: str, unit: str) -> None:
    col = texts.COL
    rows = [
        [
            fmt.text_or_dash(row.grp),
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


def _low_scores(writer: _Writer, con, filters: Filters) -> None:
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
                grade=fmt.text_or_dash(row.grade),
                year=fmt.text_or_dash(row.year),
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


def _unexplained(writer: _Writer, con, filters: Filters) -> None:
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
                r.project_name,
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
    """扣分原因: the points lost per 偏差原因分类, as a paragraph and a table (the 扣分指标 page's chart)."""
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
            indicators=int(by_class["indicators"].sum()), points=fmt.score_text(points), parts="、".join(parts)
        )
    )
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


def _review(writer: _Writer, con, filters: Filters) -> None:
    severities = review_queries.severity_counts(con, filters)
    writer.paragraph(
        "；".join(
            texts.REPORT_SEVERITY.format(
                label=texts.SEVERITY_LABELS[row.severity],
                findings=fmt.count_text(row.findings),
                forms=fmt.count_text(row.forms),
            )
            for row in severities.itertuples()
        )
    )
    rules = review_queries.rule_counts(con, filters)
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
                    r.project_name,
                    fmt.text_or_dash(r.org),
                    fmt.count_text(r.error_count),
                    fmt.count_text(r.warning_count),
                ]
                for r in forms.itertuples()
            ],
            top=20,
        )


def _year_over_year(writer: _Writer, con, filters: Filters, pair: yoy.YearPair, unit: str) -> None:
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
                r.project_name,
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
                    r.project_name,
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
            [[r.project_name, r.indicator, reason_text(r.reason_previous), reason_text(r.reason)]
             for r in recurring.itertuples()],
            total=recurring_total,
        )  # fmt: skip


def reason_text(reason) -> str:
    return texts.NO_REASON if fmt.is_missing(reason) or not str(reason).strip() else str(reason)


# --- Word ---------------------------------------------------------------------------------------------------


def _new_document() -> DocxDocument:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
    section.left_margin = section.right_margin = Cm(2.2)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[name]
        style.font.name = LATIN_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), CJK_FONT)
    document.styles["Normal"].font.size = Pt(11)
    _page_numbers(section.footer.paragraphs[0])
    return document


def _page_numbers(paragraph) -> None:
    """The footer: "第 N 页" with N a PAGE field Word and LibreOffice fill in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(texts.REPORT_PAGE_BEFORE)
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
    paragraph.add_run(texts.REPORT_PAGE_AFTER)


class _Writer:
    """Headings, paragraphs, tables and pictures, in the document's styles. Every text goes in through
    `visible_text` (untrusted.py): a control character in a form's name shows as "\\x1b" instead of
    making the document impossible to write (XML refuses it)."""

    def __init__(self, document: DocxDocument):
        self.document = document

    def title(self, text: str) -> None:
        heading = self.document.add_heading(visible_text(text), level=0)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def heading(self, text: str, level: int = 1) -> None:
        self.document.add_heading(visible_text(text), level=level)

    def paragraph(self, text: str) -> None:
        self.document.add_paragraph(visible_text(text))

    def table(self, headings: list[str], rows: list[list], top: int | None = None, total: int | None = None) -> None:
        """A table of `rows` (its first `top`), and how many more there are; `total`: the table's row count
        where `rows` are only its first rows (a query's top N)."""
        shown = rows if top is None else rows[:top]
        table = self.document.add_table(rows=1 + len(shown), cols=len(headings))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headings, strict=True):
            cell.text = visible_text(str(text))
            for run in cell.paragraphs[0].runs:
                run.font.bold = True
        for row, values in zip(table.rows[1:], shown, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = visible_text(fmt.text_or_dash(value) if not isinstance(value, str) else value or texts.DASH)
        rest = (len(rows) if total is None else total) - len(shown)
        if rest > 0:
            self.paragraph(texts.REPORT_MORE_ROWS.format(count=rest))

    def picture(self, figure: go.Figure) -> None:
        image = chart_images.png(figure)
        if image is None:
            self.paragraph(texts.REPORT_NO_CHART)
            return
        self.document.add_picture(io.BytesIO(image), width=Cm(15.5))
