"""Named SQL behind the pages: one row per form (`form_overview`), KPIs, groups, deductions.

Every function here takes a DuckDB connection (or cursor) and a `Filters`, and returns a
DataFrame or dict with English column names; the pages rename and format. Tests call these
directly, without Streamlit; pages call them through `page_data.read`, which caches.

`form_overview` is a CTE, not a view: the pages' connection is read-only, and a temporary
view would live on one cursor only. Every figure the pages show is one of these queries
over the tables `forms`, `fund_rows`, `indicators` and `checks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from dashboard.audit import audit
from dashboard.audit.config import active_config
from dashboard.core import domain, texts
from dashboard.core.model import Form
from dashboard.queries.filters import Filters, grades, where_sql
from dashboard.reference import reason_classes, reference
from dashboard.store import reads

# Width of a bin of the 总分 distribution.
SCORE_BIN_WIDTH = 10
# Rows a table page sends to the browser; the rest are counted and paged, and downloadable whole.
PAGE_SIZE = 100


def grade_sql(column: str, not_graded: str | None = None) -> str:
    """SQL CASE giving the grade of a 总分, from the bands of the active audit configuration (NULL for no score);
    with `not_graded` (the stored domain.not_graded_reason column), texts.NOT_GRADED where that is set."""
    config = active_config()
    whens = " ".join(f"WHEN {column} >= {lowest!r} THEN '{grade}'" for lowest, grade in config.grade_bands)
    first = f"WHEN {not_graded} IS NOT NULL THEN '{texts.NOT_GRADED}' " if not_graded else ""
    return f"CASE {first}WHEN {column} IS NULL THEN NULL {whens} ELSE '{config.lowest_grade}' END"


def graded_sql(alias: str = "o") -> str:
    """SQL condition: the form_overview row `alias` is graded (domain.not_graded_reason gave no reason)."""
    return f"{alias}.not_graded IS NULL"


# The domain's definitions (dashboard/core/domain.py) are stored as columns at import; SQL only reads them.
DEDUCTED = "i.deducted"
# Σ执行数 ÷ Σ预算数 of a group of form_overview rows.
OVERALL_RATE = domain.overall_rate_sql("o.executed", "o.budget")
_RATE_PARTS = domain.overall_rate_parts_sql("o.executed", "o.budget")  # its two sums, for groups of groups

# The forms that count, with the columns the filters test; `{picked}` is the filters' condition on them
# (alias o). Forms are filtered first; indicator sums and the 年度资金总额 row's money are stored with each
# form at import (store/writes.py), so totals read one table. `{details}` adds what only row listings show: the
# rest of the 年度资金总额 row (details_sql, `details=True`).
FORM_OVERVIEW_SQL = f"""
counted_forms AS (
    SELECT f.* REPLACE (f.shown_department AS department, f.shown_unit AS unit,
                        f.shown_type AS project_type),  -- "name（code）" and resolved types (reference/shown.py)
        f.department AS printed_department, f.unit AS printed_unit, f.project_type AS printed_type,
        coalesce(f.shown_unit, f.shown_department) AS org,
        (nullif(f.unit, '') IS NULL) AS org_is_department,
        {{grade}} AS grade,  -- grade_sql at use (the configuration is read then); texts.NOT_GRADED where not graded
        CASE WHEN f.not_graded IS NULL THEN f.total_score END AS graded_score  -- what averages and ranks read
    FROM forms f
    WHERE {reads.counted_sql("f")} AND {reads.project_form_sql("f")}  -- 部门整体 forms: department_queries
),
picked AS (SELECT * FROM counted_forms o WHERE {{picked}}),
form_overview AS (
    SELECT
        f.form_id, f.batch_id, f.position, f.source_file, f.year, f.department, f.unit,
        f.printed_department, f.printed_unit, f.org, f.org_is_department,
        f.project_name, f.project_type, f.printed_type, f.status, f.unit_printed,
        CAST(f.project_amount AS DOUBLE) AS project_amount,
        CAST(f.budget AS DOUBLE) AS budget,
        CAST(f.executed AS DOUBLE) AS executed,
        f.exec_rate,
        f.total_weight, f.total_score, f.recomputed_score,
        f.grade, f.not_graded, f.graded_score,
        f.indicator_count, f.deducted_count, f.points_lost, f.unexplained_count,  -- stored per form (store/writes.py)
        f.error_count, f.warning_count, f.info_count,  -- the form's findings per severity, likewise
        f.signal_count  -- and of a risk signal
        {{details}}
)"""
# What only row listings show, joined to the listed rows (`{rows}`): the rest of the 年度资金总额 row.
FUND_DETAILS = (
    """
        CAST(t.initial_budget AS DOUBLE) AS initial_budget,
        t.weight AS fund_weight,
        t.score AS fund_score,
        t.rate_pct AS rate_printed_pct""",
    "\n    LEFT JOIN fund_rows t ON t.form_id = f.form_id AND t.row_key = 'total'",
)


def details_sql(rows: str, fund: bool = True) -> str:
    """`, <detail columns> FROM <rows> f <joins>`: the details of the rows of the relation `rows`."""
    if not fund:
        return f"\n    FROM {rows} f"
    return "," + FUND_DETAILS[0] + f"\n    FROM {rows} f" + FUND_DETAILS[1]


def _sql(
    body: str,
    filters: Filters,
    alias: str = "o",
    indicator_alias: str | None = None,
    details: bool = False,
) -> tuple[str, list]:
    """`WITH form_overview … <body>`: the filters pick the forms before anything is summed.

    `{where}` in body is "TRUE", or, for a query over indicators (`indicator_alias`), the filters'
    condition again with the text search matching that indicator's name rather than any of the form's.
    `details`: form_overview also has every detail column (details_sql; row listings); totals need none.
    """
    picked, params = where_sql(filters, alias="o")
    where, where_params = "TRUE", list[object]()
    if indicator_alias and filters.search:
        where, where_params = where_sql(filters, alias=alias, indicator_alias=indicator_alias)
    cte = FORM_OVERVIEW_SQL.replace("{grade}", grade_sql("f.total_score", "f.not_graded")).replace("{picked}", picked)
    cte = cte.replace("{details}", details_sql("picked", fund=details))
    return f"WITH {cte}\n{body.replace('{where}', where)}", params + where_params


def overview_query(
    con: duckdb.DuckDBPyConnection, body: str, filters: Filters, extra_params: list | None = None, **kwargs
) -> pd.DataFrame:
    """Run `WITH form_overview … <body>` under the filters; `extra_params` follow the filters' own."""
    sql, params = _sql(body, filters, **kwargs)
    return con.execute(sql, params + (extra_params or [])).df()


# --- one row per form ------------------------------------------------------------------------------------


def form_overview(con, filters: Filters) -> pd.DataFrame:
    """The forms under the filters, one row each, lowest 总分 first (problems on top), those not graded last."""
    return overview_query(
        con,
        f"SELECT o.* FROM form_overview o WHERE {{where}} ORDER BY {FORM_ORDER}",
        filters,
        details=True,
    )


def form_ids(con, filters: Filters) -> list[str]:
    frame = overview_query(con, "SELECT o.form_id FROM form_overview o WHERE {where}", filters)
    return frame["form_id"].tolist()


# Lowest 总分 first (problems on top); forms that are not graded after every graded one, in import order.
FORM_ORDER = "o.not_graded IS NOT NULL, o.total_score ASC NULLS FIRST, o.batch_id, o.position"


def form_page(con, filters: Filters, offset: int = 0, limit: int = PAGE_SIZE) -> pd.DataFrame:
    """One page of `form_overview` in its order (FORM_ORDER): rows offset … offset + limit − 1, with
    the details (details_sql) joined to that page's rows only."""
    body = f"""
        , page AS (SELECT o.* FROM form_overview o WHERE {{where}} ORDER BY {FORM_ORDER} LIMIT ? OFFSET ?)
        SELECT f.* {details_sql("page")}
        ORDER BY {FORM_ORDER.replace("o.", "f.")}
    """
    return overview_query(con, body, filters, [int(limit), int(offset)])


def form_matches(con, filters: Filters, form_id: str) -> bool:
    """True where the form counts and is under the filters (a form named in the URL)."""
    frame = overview_query(con, "SELECT count(*) AS n FROM picked o WHERE o.form_id = ?", filters, [form_id])
    return bool(frame["n"].iloc[0])


# --- KPIs --------------------------------------------------------------------------------------------------

KPI_SQL = f"""
SELECT
    count(*) AS forms,
    count(DISTINCT concat_ws('|', coalesce(o.department, ''), coalesce(o.unit, ''), o.project_name)) AS projects,
    sum(o.budget) AS budget,
    sum(o.executed) AS executed,
    {OVERALL_RATE} AS overall_rate,
    avg(o.graded_score) AS avg_score,
    count(o.graded_score) AS scored_forms,
    {{grade_counts}},
    count(*) FILTER (WHERE o.grade IS NULL) AS grade_none,
    count(*) FILTER (WHERE NOT {graded_sql("o")}) AS not_graded,
    coalesce(sum(o.deducted_count), 0) AS deducted,
    coalesce(sum(o.points_lost), 0) AS points_lost,
    coalesce(sum(o.unexplained_count), 0) AS unexplained
FROM form_overview o WHERE {{where}}
"""


def kpis(con, filters: Filters) -> dict:
    """The 总览 cards: counts, sums, Σexecuted ÷ Σbudget, average 总分 and forms per grade (of the graded
    forms), the forms not graded (`not_graded`), deductions."""
    names = grades()
    grade_counts = ",\n    ".join(
        f"count(*) FILTER (WHERE o.grade = '{grade}') AS grade_{index}" for index, grade in enumerate(names)
    )
    cursor = con.execute(*_sql(KPI_SQL.replace("{grade_counts}", grade_counts), filters))
    row = dict(zip([column[0] for column in cursor.description], cursor.fetchone(), strict=True))
    row = {key: float(value) if isinstance(value, Decimal) else value for key, value in row.items()}
    for key in ("forms", "projects", "scored_forms", "grade_none", "not_graded", "deducted", "unexplained"):
        row[key] = int(row[key] or 0)
    row["grades"] = {grade: int(row.pop(f"grade_{index}") or 0) for index, grade in enumerate(names)}
    return row


# --- grouped aggregates ------------------------------------------------------------------------------------

GROUPS = {"org": "o.org", "project_type": "o.project_type"}

GROUP_SQL = f"""
SELECT
    {{column}} AS grp,
    bool_and(o.org_is_department) AS grp_is_department,
    count(*) AS forms,
    sum(o.budget) AS budget,
    sum(o.executed) AS executed,
    {OVERALL_RATE} AS exec_rate,
    avg(o.graded_score) AS avg_score,
    coalesce(sum(o.deducted_count), 0) AS deducted,
    coalesce(sum(o.points_lost), 0) AS points_lost
FROM form_overview o WHERE {{where}}
GROUP BY grp
ORDER BY budget DESC NULLS LAST, grp
"""


def group_summary(con, filters: Filters, by: str, top: int | None = None) -> pd.DataFrame:
    """Per 单位 (实施单位, else 主管部门) or per project type: forms, money, Σ-rate, average 总分 of the graded forms.

    `top`: the `top` groups with the largest budgets, then one row (`is_rest`, grp NULL) summing all
    the others, with `groups` saying how many it stands for. Without it, every group (is_rest false).
    """
    column = GROUPS[by]
    if top is None:
        frame = overview_query(con, GROUP_SQL.replace("{column}", column), filters)
        return frame.assign(is_rest=False, groups=1)
    # One pass over the forms per group, then the groups past `top` folded into one row from their sums.
    body = f"""
        , per_group AS (
            SELECT {column} AS grp, bool_and(o.org_is_department) AS grp_is_department,
                   count(*) AS forms, sum(o.budget) AS budget, sum(o.executed) AS executed,
                   {_RATE_PARTS[0]} AS rate_executed, {_RATE_PARTS[1]} AS rate_budget,
                   sum(o.graded_score) AS score_sum, count(o.graded_score) AS scored,
                   coalesce(sum(o.deducted_count), 0) AS deducted, coalesce(sum(o.points_lost), 0) AS points_lost
            FROM form_overview o WHERE {{where}} GROUP BY {column}
        ), ranked AS (
            SELECT *, row_number() OVER (ORDER BY budget DESC NULLS LAST, grp) AS rank FROM per_group
        )
        SELECT CASE WHEN r.rank <= ? THEN r.grp END AS grp, r.rank > ? AS is_rest, count(*) AS groups,
               bool_and(r.grp_is_department) AS grp_is_department,
               sum(r.forms) AS forms, sum(r.budget) AS budget, sum(r.executed) AS executed,
               {domain.rate_of_sums_sql("sum(r.rate_executed)", "sum(r.rate_budget)")} AS exec_rate,
               sum(r.score_sum) / nullif(sum(r.scored), 0) AS avg_score,
               sum(r.deducted) AS deducted, sum(r.points_lost) AS points_lost
        FROM ranked r
        GROUP BY 1, 2 ORDER BY is_rest, budget DESC NULLS LAST, grp
    """
    return overview_query(con, body, filters, [int(top), int(top)])


# The forms carrying a warning-level risk signal, each as often as it carries one (the one parameter: the signals'
# rule ids, audit.RISK_SIGNAL_IDS): the 总览's card (review_queries.warning_signal_forms) and its units table.
WARNING_SIGNALLED_SQL = "SELECT c.form_id FROM checks c WHERE c.severity = 'warning' AND c.rule IN (SELECT unnest(?))"


# The 总览 units table: what the table can be ordered by (key → ORDER BY expression over the aggregate's columns).
UNIT_ORDERS = {
    "budget": "budget DESC NULLS LAST",
    "exec_rate": "exec_rate ASC NULLS LAST",
    "avg_score": "avg_score ASC NULLS LAST",
    "points_lost": "points_lost DESC",
    "unexplained": "unexplained DESC",
    "signals": "signal_forms DESC",
}


def _unit_rows_sql(order: str) -> str:
    grade_counts = ",\n            ".join(
        f"count(*) FILTER (WHERE o.grade = '{grade}') AS grade_{index}" for index, grade in enumerate(grades())
    )
    return f"""
        , signalled AS (  -- the join below keeps those under the filters
            SELECT DISTINCT form_id FROM ({WARNING_SIGNALLED_SQL})
        ), units AS (
            SELECT o.org AS org, bool_and(o.org_is_department) AS org_is_department,
            count(*) AS forms, sum(o.budget) AS budget, sum(o.executed) AS executed,
            {OVERALL_RATE} AS exec_rate, avg(o.graded_score) AS avg_score,
            {grade_counts},
            count(*) FILTER (WHERE NOT {graded_sql("o")}) AS not_graded,
            coalesce(sum(o.deducted_count), 0) AS deducted,
            coalesce(sum(o.points_lost), 0) AS points_lost,
            coalesce(sum(o.unexplained_count), 0) AS unexplained,
            count(s.form_id) AS signal_forms
            FROM form_overview o LEFT JOIN signalled s ON s.form_id = o.form_id
            WHERE {{where}}
            GROUP BY o.org
        )
        SELECT * FROM units ORDER BY {UNIT_ORDERS[order]}, budget DESC NULLS LAST, org NULLS LAST
    """


def unit_rows(con, filters: Filters, order: str = "budget", offset: int = 0, limit: int | None = None) -> pd.DataFrame:
    """The 总览 units side by side, one row per 单位 (实施单位, else 主管部门), summed in DuckDB: forms, money,
    Σ-rate, average 总分 of the graded forms, forms per grade (grade_0 … best first), not graded, deductions,
    points lost, deductions without a reason, forms with a warning-level risk signal; ordered by `order`
    (UNIT_ORDERS), one page where `limit` is given."""
    body = _unit_rows_sql(order)
    extra: list = [list(audit.RISK_SIGNAL_IDS)]
    if limit is not None:
        body += " LIMIT ? OFFSET ?"
        extra += [int(limit), int(offset)]
    return overview_query(con, body, filters, extra)


def unit_count(con, filters: Filters) -> int:
    """How many rows unit_rows has in all."""
    # Forms of no known organisation make one row (unit_rows groups them): NULL counted once. (No NUL
    # character as the stand-in: DuckDB 1.5's parser ends the SQL text at it.)
    body = (
        "SELECT count(DISTINCT o.org) + (count(*) FILTER (WHERE o.org IS NULL) > 0)::INTEGER AS n "
        "FROM form_overview o WHERE {where}"
    )
    frame = overview_query(con, body, filters)
    return int(frame["n"].iloc[0])


def score_bins(con, filters: Filters) -> pd.DataFrame:
    """Graded forms per 总分 bin of SCORE_BIN_WIDTH points, [lo, hi) and [90, 100] on top; lo NULL for no
    score. Forms that are not graded are not binned (the 总览 card 不评级 counts them)."""
    width = SCORE_BIN_WIDTH
    body = f"""
        SELECT CASE WHEN o.total_score IS NULL THEN NULL
                    WHEN o.total_score >= 100 - {width} THEN 100 - {width}
                    ELSE floor(greatest(o.total_score, 0) / {width}) * {width} END AS lo,
               count(*) AS forms
        FROM form_overview o WHERE {{where}} AND {graded_sql("o")}
        GROUP BY lo ORDER BY lo NULLS LAST
    """
    counted = overview_query(con, body, filters)
    # Every bin from 0 to 100 is listed, empty ones with 0, so that gaps show; then "no score" if any.
    frame = pd.DataFrame({"lo": [float(lo) for lo in range(0, 100, width)]})
    frame = frame.merge(counted.dropna(subset=["lo"]), on="lo", how="left").fillna({"forms": 0})
    frame = pd.concat([frame, counted[counted["lo"].isna()]], ignore_index=True)
    frame["forms"] = frame["forms"].astype(int)
    frame["hi"] = frame["lo"] + width
    return frame


# --- deducted indicators -----------------------------------------------------------------------------------

# The 二级指标 a deducted indicator is grouped under ("—" where blank).
LEVEL2_LABEL = "coalesce(nullif(trim(i.level2), ''), '—')"
# Orders of the deducted indicators, over the columns of DEDUCTIONS_SQL's `ranked` rows (the same words rank them and
# order the page): most points lost first, or by 二级指标 (groups in the chart's order, most points lost first).
DEDUCTION_ORDERS = {
    "points": "points_lost DESC, form_batch, form_position, position",
    "level2": "level2_lost DESC, level2_label, points_lost DESC, form_batch, form_position, position",
}
_LEVEL2_LOST = f"sum(i.points_lost) OVER (PARTITION BY {LEVEL2_LABEL})"

# An indicator row's 偏差原因分类 (reference/reason_classes.py: 未说明原因 for a deduction without a reason).
REASON_CLASS = reason_classes.class_sql("i")
REASON_JOIN = reason_classes.join_sql("i")

# The deducted indicators are ranked with their own columns and their form's order only, then the page's rows get
# their form's names and their reason classes: carrying the forms' names through the join of every deducted row
# was most of the listing's time at 10⁶ forms; `{class_join}` joins the classes for the ranking too where the page
# picks classes.
DEDUCTIONS_SQL = f"""
, ranked AS (
    SELECT i.form_id, i.position, i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score,
           i.points_lost, i.reason, i.no_reason, i.deducted,
           o.batch_id AS form_batch, o.position AS form_position, {LEVEL2_LABEL} AS level2_label {{level2_lost}}
    FROM indicators i JOIN form_overview o ON o.form_id = i.form_id {{class_join}}
    WHERE {DEDUCTED} AND {{where}} {{level2}}
    ORDER BY {{order}} {{page}}
)
SELECT
    i.form_id, i.position, o.project_name, o.project_type, o.org, o.unit, o.department, o.year,
    i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score,
    i.points_lost,
    i.reason,
    i.no_reason,
    {REASON_CLASS} AS reason_class,
    {reason_classes.subclass_sql("i")} AS reason_subclass
FROM ranked i JOIN form_overview o ON o.form_id = i.form_id {REASON_JOIN}
ORDER BY {{order}}
"""


def _level2_condition(
    level2: tuple[str, ...], classes: tuple[str, ...] = (), no_reason: bool = False
) -> tuple[str, list]:
    """The 二级指标 and 偏差原因分类 picked on the 扣分指标 page (all where empty); `no_reason`: only the
    deductions without a reason (its 只看未说明原因 switch)."""
    condition, params = " AND i.no_reason" if no_reason else "", []
    if level2:
        condition += f" AND {LEVEL2_LABEL} IN (SELECT unnest(?))"
        params.append(list(level2))
    if classes:
        condition += f" AND {REASON_CLASS} IN (SELECT unnest(?))"
        params.append(list(classes))
    return condition, params


def deductions(
    con,
    filters: Filters,
    level2: tuple[str, ...] = (),
    order: str = "points",
    offset: int = 0,
    limit: int | None = None,
    classes: tuple[str, ...] = (),
    no_reason: bool = False,
) -> pd.DataFrame:
    """Indicators whose 得分 is below its 分值, under the filters (search also matches the indicator's name
    and reason), of the given 二级指标 and 偏差原因分类 (all where empty), only those without a reason with
    `no_reason`, most points lost first or grouped by 二级指标; one page where `limit` is given."""
    condition, extra = _level2_condition(level2, classes, no_reason)
    body = (
        DEDUCTIONS_SQL.replace("{level2}", condition)
        .replace("{order}", DEDUCTION_ORDERS[order])
        .replace("{level2_lost}", f", {_LEVEL2_LOST} AS level2_lost" if order == "level2" else "")
        .replace("{class_join}", REASON_JOIN if classes else "")
        .replace("{page}", "LIMIT ? OFFSET ?" if limit is not None else "")
    )
    if limit is not None:
        extra += [int(limit), int(offset)]
    return overview_query(con, body, filters, extra, indicator_alias="i")


def deduction_totals(
    con, filters: Filters, level2: tuple[str, ...] = (), classes: tuple[str, ...] = (), no_reason: bool = False
) -> dict:
    """The 扣分指标 cards: deducted indicators, points lost, forms concerned, indicators without a reason."""
    condition, extra = _level2_condition(level2, classes, no_reason)
    body = f"""
        SELECT count(*) AS indicators, coalesce(sum(i.points_lost), 0) AS points_lost,
               count(DISTINCT o.form_id) AS forms, count(*) FILTER (WHERE i.no_reason) AS unexplained
        FROM indicators i JOIN form_overview o ON o.form_id = i.form_id {REASON_JOIN if classes else ""}
        WHERE {DEDUCTED} AND {{where}} {condition}
    """  # the reason classes' join only where a class is picked: a tenth of a second per 10⁶ indicator rows
    row = overview_query(con, body, filters, extra, indicator_alias="i").iloc[0]
    return {key: (float(row[key]) if key == "points_lost" else int(row[key])) for key in row.index}


@dataclass(frozen=True)
class DeductionSummary:
    """The 扣分指标 page's charts, cards and scope under the filters, from one pass over the deducted rows."""

    by_level2: pd.DataFrame  # level2, indicators, points_lost, unexplained: most points lost first
    by_class: pd.DataFrame  # reason_class, indicators, points_lost, top_subclass: most points lost first
    totals: dict  # as deduction_totals gives with nothing picked
    forms: int  # forms under the filters (deducted or not)


# The deductions summed per form under the filters: what each form stores at import (store/writes.py counts its
# deducted indicators by domain's one definition), so the cards read one row per form instead of every deducted row.
_FORM_DEDUCTIONS_SQL = """
    SELECT count(*) AS scope, coalesce(sum(o.deducted_count), 0) AS indicators,
           coalesce(sum(o.points_lost), 0) AS points_lost, count(*) FILTER (WHERE o.deducted_count > 0) AS forms,
           coalesce(sum(o.unexplained_count), 0) AS unexplained
    FROM form_overview o
"""
# grouping(level2, reason_class, reason_subclass) of DEDUCTION_CELLS_SQL's sets.
_LEVEL2_SET, _CLASS_SET, _WHOLE_SET = 0b011, 0b100, 0b111

# The deducted rows under the filters per 二级指标 and per 偏差原因分类 and subclass (`{whole}`: and in all, where a
# text search narrows the indicators themselves and the stored per-form sums do not apply).
DEDUCTION_CELLS_SQL = f"""
    SELECT d.level2, d.reason_class, d.reason_subclass,
           grouping(d.level2, d.reason_class, d.reason_subclass) AS grouped,
           count(*) AS indicators, coalesce(sum(d.points_lost), 0) AS points_lost,
           count(*) FILTER (WHERE d.no_reason) AS unexplained {{forms}}
    FROM (
        SELECT {LEVEL2_LABEL} AS level2, {REASON_CLASS} AS reason_class,
               {reason_classes.subclass_sql("i")} AS reason_subclass, i.points_lost, i.no_reason, o.form_id
        FROM indicators i JOIN form_overview o ON o.form_id = i.form_id {REASON_JOIN}
        WHERE {DEDUCTED} AND {{where}}
    ) d
    GROUP BY GROUPING SETS ((d.level2), (d.reason_class, d.reason_subclass) {{whole}})
"""


def deduction_summary(con, filters: Filters) -> DeductionSummary:
    """Deducted indicators per 二级指标 and per 偏差原因分类 (one pass over the deducted rows) and the cards: from
    the sums stored with each form, unless a text search narrows the indicators themselves (then from the same pass,
    GROUPING SETS giving the whole beside the groups)."""
    searched = bool(filters.search)
    body = DEDUCTION_CELLS_SQL.replace("{forms}", ", count(DISTINCT d.form_id) AS forms" if searched else "")
    found = overview_query(con, body.replace("{whole}", ", ()" if searched else ""), filters, indicator_alias="i")
    per_form = overview_query(con, _FORM_DEDUCTIONS_SQL, filters).iloc[0]
    whole = found[found["grouped"] == _WHOLE_SET].iloc[0] if searched else per_form
    groups = found.loc[found["grouped"] == _LEVEL2_SET, ["level2", "indicators", "points_lost", "unexplained"]]
    groups = groups.sort_values(["points_lost", "level2"], ascending=[False, True]).reset_index(drop=True)
    totals = {
        "indicators": int(whole["indicators"]),
        "points_lost": float(whole["points_lost"]),
        "forms": int(whole["forms"]),
        "unexplained": int(whole["unexplained"]),
    }
    return DeductionSummary(
        groups.astype({"indicators": int, "unexplained": int}),
        _by_class(found[found["grouped"] == _CLASS_SET]),
        totals,
        int(per_form["scope"]),
    )


def _by_class(cells: pd.DataFrame) -> pd.DataFrame:
    """Per class from its subclasses' cells: the sums, and the subclass that lost the most points (the first by
    name where two lost as many)."""
    named = cells.dropna(subset=["reason_subclass"]).sort_values(
        ["reason_class", "points_lost", "reason_subclass"], ascending=[True, False, True]
    )
    top = named.drop_duplicates("reason_class").set_index("reason_class")["reason_subclass"]
    sums = cells.groupby("reason_class", as_index=False)[["indicators", "points_lost"]].sum()
    sums["top_subclass"] = sums["reason_class"].map(top)
    sums = sums.sort_values(["points_lost", "reason_class"], ascending=[False, True]).reset_index(drop=True)
    return sums.astype({"indicators": int})


def deductions_by_level2(con, filters: Filters) -> pd.DataFrame:
    return deduction_summary(con, filters).by_level2


def deductions_by_class(con, filters: Filters) -> pd.DataFrame:
    """Deducted indicators per 偏差原因分类 (level 1): reason_class, indicators, points_lost, and the subclass
    that lost the most points (top_subclass); most points lost first."""
    return deduction_summary(con, filters).by_class


# --- filter choices ----------------------------------------------------------------------------------------


# One grouping of the forms by the four filter columns first (about 14,000 groups at 10⁶ forms), then the five
# lists from those groups: half the work of five groupings over every form.
FILTER_OPTIONS_SQL = f"""
WITH r AS MATERIALIZED (
    SELECT year, department, unit, project_type, count(*) AS n
    FROM {
    reference.resolved_forms_sql(
        f"{reads.counted_sql('f')} AND {reads.project_form_sql('f')}", ("year", "department", "unit", "project_type")
    )
} GROUP BY ALL
)
SELECT 'years' AS kind, CAST(year AS VARCHAR) AS value, sum(n) AS forms FROM r WHERE year IS NOT NULL GROUP BY ALL
UNION ALL SELECT 'departments', department, sum(n) FROM r WHERE department IS NOT NULL GROUP BY ALL
UNION ALL SELECT 'units', unit, sum(n) FROM r WHERE nullif(unit, '') IS NOT NULL GROUP BY ALL
UNION ALL SELECT 'blank_units', NULL, sum(n) FROM r WHERE nullif(unit, '') IS NULL
UNION ALL SELECT 'types', project_type, sum(n) FROM r GROUP BY ALL
"""


def filter_options(con) -> dict[str, Any]:
    """The values the sidebar offers, over the whole database (not narrowed by other filters): one pass
    over the forms. Years newest first, names sorted, types the most used first. Lists of choices by key,
    and "has_blank_unit" (bool); filters.ListFilter names its keys (`options`, `blank_option`)."""
    found: dict[str, list[tuple]] = {}
    for kind, value, forms in con.execute(FILTER_OPTIONS_SQL).fetchall():
        found.setdefault(kind, []).append((value, forms))
    return {
        "years": sorted((int(value) for value, _ in found.get("years", [])), reverse=True),
        "departments": sorted(value for value, _ in found.get("departments", [])),
        "units": sorted(value for value, _ in found.get("units", [])),
        "has_blank_unit": any(forms for _, forms in found.get("blank_units", [])),
        "types": [
            value
            for value, _ in sorted(found.get("types", []), key=lambda pair: (-pair[1], pair[0] is None, pair[0] or ""))
        ],
    }


def form(con, form_id: str) -> Form | None:
    """One stored form (any version), with the reference data's names and resolved type; None if absent."""
    forms = reads.load_forms(con, [form_id])
    reference.annotate(con, forms)  # resolved project type, names of 主管部门 and 实施单位
    return forms[0] if forms else None
