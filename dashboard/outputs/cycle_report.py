"""The Word report's sections on the cycle after the self-evaluation (issue 20): 抽查复核 results per plan,
the 结果应用 table, and the 整改 ledger. report.build_report calls `write_sections` with its writer."""

from __future__ import annotations

import duckdb

from dashboard.audit import rectify, result_use, spot_check
from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.queries import cycle_queries
from dashboard.queries.filters import Filters


def write_sections(writer, con: duckdb.DuckDBPyConnection, filters: Filters, unit: str) -> None:
    """Three headings with their tables; `writer` is report._Writer (heading, paragraph, table)."""
    writer.heading(texts.REPORT_SPOT_CHECK)
    _spot_checks(writer, con)
    writer.heading(texts.REPORT_RESULT_USE)
    _result_use(writer, con, filters, unit)
    writer.heading(texts.REPORT_RECTIFY)
    _rectify(writer, con)


def key_rows(con: duckdb.DuckDBPyConnection) -> list[list[str]]:
    """The 总览's two 整改 cards (open, overdue) as rows of the report's key figures: the same numbers."""
    counts = rectify.counts(con)
    return [
        [texts.REPORT_RECTIFY, texts.OVERVIEW_RECTIFY_OPEN, fmt.count_text(counts["open"])],
        [texts.REPORT_RECTIFY, texts.OVERVIEW_RECTIFY_OVERDUE, fmt.count_text(counts["overdue"])],
    ]


def _spot_checks(writer, con) -> None:
    plans = spot_check.plans(con)
    if plans.empty or not int(plans["reviewed"].sum()):
        writer.paragraph(texts.REPORT_SPOT_NONE)
        return
    columns = texts.SPOT_RESULT_COLUMNS
    keys = ["project_name", "unit", "self_score", "reviewed_score", "self_grade", "reviewed_grade", "deviation",
            "reviewer"]  # fmt: skip
    for plan in plans.itertuples():
        entries = spot_check.entries(con, int(plan.plan_id))
        writer.paragraph(
            texts.REPORT_SPOT_PLAN.format(
                name=plan.name, forms=plan.forms, reviewed=plan.reviewed, rule=spot_check.plan_rule_text(plan.rule)
            )
        )
        reviewed = entries[entries["reviewed_score"].notna()]
        if reviewed.empty:
            continue
        writer.table(
            [columns[key] for key in keys],
            [
                [
                    row["project_name"],
                    fmt.text_or_dash(row["unit"] or row["department"]),
                    fmt.score_text(row["self_score"]),
                    fmt.score_text(row["reviewed_score"]),
                    fmt.text_or_dash(row["self_grade"]),
                    fmt.text_or_dash(row["reviewed_grade"]),
                    fmt.percent_text(row["deviation"]),
                    fmt.text_or_dash(row["reviewer"]),
                ]
                for row in reviewed.to_dict("records")
            ],
        )


def _result_use(writer, con, filters: Filters, unit: str) -> None:
    rules = result_use.active_rules()
    frame = cycle_queries.result_use_table(con, filters, rules)
    writer.paragraph(cycle_queries.result_use_summary(frame))
    if frame.empty:
        return
    columns = texts.RESULT_USE_COLUMNS
    writer.table(
        [columns["project_name"], columns["unit"], texts.REPORT_RESULT_USE_BUDGET.format(unit=unit), columns["grade"],
         columns["action"], texts.REPORT_RESULT_USE_SUGGESTED.format(unit=unit)],
        [
            [
                row["project_name"],
                fmt.text_or_dash(row["unit"] or row["department"]),
                fmt.money_text(row["budget"], unit, with_unit=False),
                f"{fmt.text_or_dash(row['grade'])}（{row['grade_basis']}）",
                row["action"],
                fmt.money_text(row["suggested"], unit, with_unit=False),
            ]
            for row in frame.to_dict("records")
        ],
        top=60,
        total=len(frame),
    )  # fmt: skip


def _rectify(writer, con) -> None:
    frame = rectify.items(con)
    if frame.empty:
        writer.paragraph(texts.RECTIFY_NONE)
        return
    counts = frame["status"].value_counts()
    parts = texts.REPORT_LOW_GRADES_SEPARATOR.join(
        texts.REPORT_RECTIFY_PART.format(status=texts.RECTIFY_STATUS_LABELS[status], count=int(count))
        for status, count in counts.items()
    )
    writer.paragraph(
        texts.REPORT_RECTIFY_TEXT.format(total=len(frame), parts=parts, overdue=int(frame["overdue"].sum()))
    )
    columns = texts.RECTIFY_COLUMNS
    keys = ["item_id", "status", "unit", "project_name", "problem", "due", "overdue"]
    writer.table(
        [columns[key] for key in keys],
        [
            [
                str(row["item_id"]),
                texts.RECTIFY_STATUS_LABELS[row["status"]],
                row["unit"],
                fmt.text_or_dash(row["project_name"]),
                row["problem"],
                row["due"].date().isoformat() if not fmt.is_missing(row["due"]) else texts.DASH,
                texts.RECTIFY_OVERDUE_MARK if row["overdue"] else "",
            ]
            for row in frame.to_dict("records")
        ],
        top=60,
        total=len(frame),
    )
