"""Year over year: what changed since last year, under the same filters as every page.

The year compared is the latest year in scope (the one year the filters pick, else the latest year
the filtered forms have); the previous year is the year before it, where the database has forms of
it. Projects are matched across the two years by form identity (dashboard/importing/versions.py's fields, less
the year and the amount, which change from year to year): same form kind, 主管部门, 实施单位 (a blank
side does not stop a match), project code where printed, and project name. Where several same-named
projects match, the one with the same printed name and the same 项目金额 is the match; a project still
matching more than one is left out of the comparison and listed as not compared; projects with no
match are new or ended, never compared.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import duckdb
import pandas as pd

from dashboard.queries import queries
from dashboard.queries.filters import Filters


@dataclasses.dataclass(frozen=True)
class YearPair:
    year: int
    previous: int


def year_pair(con: duckdb.DuckDBPyConnection, filters: Filters) -> YearPair | None:
    """The year in scope and the year before it, or None where there is nothing to compare with."""
    if len(filters.years) > 1:
        years = sorted(filters.years)
        return YearPair(years[-1], years[-2]) if years[-2] == years[-1] - 1 else None
    scope = filters if filters.years else dataclasses.replace(filters, years=())
    found = queries.overview_query(con, "SELECT max(o.year) AS y FROM picked o", scope)
    latest = found["y"].iloc[0]
    if latest is None or pd.isna(latest):
        return None
    latest = int(latest)
    previous = dataclasses.replace(filters, years=(latest - 1,))
    has_previous = queries.overview_query(con, "SELECT count(*) AS n FROM picked o", previous)
    return YearPair(latest, latest - 1) if int(has_previous["n"].iloc[0]) else None


def cards_compare(filters: Filters) -> bool:
    """Whether the key figures (总览's cards, the report's 要点) show their change from last year: only where the
    filters pick one year — figures summed over several years have no "previous year" to differ from."""
    return len(filters.years) == 1


def in_year(filters: Filters, year: int) -> Filters:
    return dataclasses.replace(filters, years=(year,))


def key_figures(con, filters: Filters, pair: YearPair) -> dict[str, tuple]:
    """{figure: (this year, last year, change)} for the 总览 cards and the report."""
    now, before = queries.kpis(con, in_year(filters, pair.year)), queries.kpis(con, in_year(filters, pair.previous))
    result = {}
    for key in ("forms", "budget", "executed", "overall_rate", "avg_score", "deducted", "unexplained"):
        a, b = now.get(key), before.get(key)
        result[key] = (a, b, None if a is None or b is None else a - b)
    return result


# Per group and year: the 执行率 (Σ执行数 ÷ Σ预算数) and 平均总分 that queries.group_summary gives, over the
# picked forms alone (no indicator is summed: the comparison needs none; the money is the 年度资金总额 row's, kept
# with each form).
_BY_GROUP_SQL = f"""
SELECT o.year, {{column}} AS grp, count(*) AS forms,
       {queries.OVERALL_RATE} AS exec_rate,
       avg(o.graded_score) AS avg_score  -- forms that are not graded stay out (domain.not_graded_reason)
FROM form_overview o
WHERE o.year IN (?, ?)
GROUP BY ALL
"""


def by_group(con, filters: Filters, pair: YearPair, by: str) -> pd.DataFrame:
    """Per 实施单位 or project type: 执行率 and 平均总分 this year, last year and the change."""
    scope = dataclasses.replace(filters, years=())
    sql = _BY_GROUP_SQL.replace("{column}", queries.GROUPS[by])
    both = queries.overview_query(con, sql, scope, extra_params=[pair.year, pair.previous])
    now = both[both["year"] == pair.year][["grp", "exec_rate", "avg_score", "forms"]]
    before = both[both["year"] == pair.previous][["grp", "exec_rate", "avg_score"]]
    merged = now.merge(before, on="grp", how="outer", suffixes=("", "_previous"))
    merged["exec_rate_change"] = merged["exec_rate"] - merged["exec_rate_previous"]
    merged["avg_score_change"] = merged["avg_score"] - merged["avg_score_previous"]
    return merged.sort_values(["avg_score_change", "grp"], na_position="last", kind="stable").reset_index(drop=True)


# Continues the WITH list of queries.FORM_OVERVIEW_SQL; the two years are the query's last parameters.
_MATCH_SQL = """
, cur AS MATERIALIZED (
    SELECT o.form_id, o.project_name, o.org, o.project_type, o.total_score, o.graded_score, o.not_graded,
           o.project_amount,
           f.form_kind, f.identity_name, f.identity_department, f.identity_unit, f.identity_code
    FROM picked o JOIN forms f ON f.form_id = o.form_id WHERE o.year = ?
), prev AS MATERIALIZED (
    SELECT o.form_id, o.project_name, o.org, o.project_type, o.total_score, o.graded_score, o.not_graded,
           o.project_amount,
           f.form_kind, f.identity_name, f.identity_department, f.identity_unit, f.identity_code
    FROM picked o JOIN forms f ON f.form_id = o.form_id WHERE o.year = ?
), candidate_pairs AS (
    -- Same kind and name, and the same 主管部门 and 实施单位 where both sides print them: equi-joins, so
    -- that a name many units share (预算准备金, 一般管理事务) is not paired across a whole city. A side that
    -- does not print one matches any (its own branch: such rows are few, or the sample's text dump).
    SELECT c.*, p.form_id AS p_form_id, p.project_name AS p_project_name, p.project_amount AS p_project_amount,
           p.identity_code AS p_identity_code
    FROM (SELECT * FROM cur WHERE identity_department <> '' AND identity_unit <> '') c
    JOIN (SELECT * FROM prev WHERE identity_department <> '' AND identity_unit <> '') p
      ON c.form_kind = p.form_kind AND c.identity_name = p.identity_name
     AND c.identity_department = p.identity_department AND c.identity_unit = p.identity_unit
    UNION ALL  -- both print the department, this year's form no unit
    SELECT c.*, p.form_id, p.project_name, p.project_amount, p.identity_code
    FROM (SELECT * FROM cur WHERE identity_department <> '' AND identity_unit = '') c
    JOIN (SELECT * FROM prev WHERE identity_department <> '') p
      ON c.form_kind = p.form_kind AND c.identity_name = p.identity_name
     AND c.identity_department = p.identity_department
    UNION ALL  -- both print the department, last year's form no unit
    SELECT c.*, p.form_id, p.project_name, p.project_amount, p.identity_code
    FROM (SELECT * FROM cur WHERE identity_department <> '' AND identity_unit <> '') c
    JOIN (SELECT * FROM prev WHERE identity_department <> '' AND identity_unit = '') p
      ON c.form_kind = p.form_kind AND c.identity_name = p.identity_name
     AND c.identity_department = p.identity_department
    UNION ALL  -- this year's form prints no department
    SELECT c.*, p.form_id, p.project_name, p.project_amount, p.identity_code
    FROM (SELECT * FROM cur WHERE identity_department = '') c
    JOIN prev p ON c.form_kind = p.form_kind AND c.identity_name = p.identity_name
    WHERE c.identity_unit = '' OR p.identity_unit = '' OR c.identity_unit = p.identity_unit
    UNION ALL  -- last year's form prints no department
    SELECT c.*, p.form_id, p.project_name, p.project_amount, p.identity_code
    FROM (SELECT * FROM cur WHERE identity_department <> '') c
    JOIN (SELECT * FROM prev WHERE identity_department = '') p
      ON c.form_kind = p.form_kind AND c.identity_name = p.identity_name
    WHERE c.identity_unit = '' OR p.identity_unit = '' OR c.identity_unit = p.identity_unit
), pairs AS MATERIALIZED (
    SELECT form_id AS cur_id, p_form_id AS prev_id,
           (project_name = p_project_name AND project_amount IS NOT DISTINCT FROM p_project_amount) AS exact
    FROM candidate_pairs
    WHERE identity_code = '' OR p_identity_code = '' OR identity_code = p_identity_code
), only_pairs AS (
    SELECT cur_id, prev_id FROM pairs
    WHERE cur_id IN (SELECT cur_id FROM pairs GROUP BY cur_id HAVING count(*) = 1)
      AND prev_id IN (SELECT prev_id FROM pairs GROUP BY prev_id HAVING count(*) = 1)
), exact_pairs AS (  -- several same-named projects: the one with the same printed name and amount
    SELECT cur_id, prev_id FROM pairs WHERE exact
      AND cur_id IN (SELECT cur_id FROM pairs WHERE exact GROUP BY cur_id HAVING count(*) = 1)
      AND prev_id IN (SELECT prev_id FROM pairs WHERE exact GROUP BY prev_id HAVING count(*) = 1)
), single AS MATERIALIZED (
    SELECT * FROM only_pairs UNION SELECT * FROM exact_pairs
)
"""


class Rows(NamedTuple):
    """The first rows of a comparison table in its order, and how many rows it has in all."""

    frame: pd.DataFrame
    total: int


def _match_query(con, filters: Filters, pair: YearPair, select: str, order: str, limit: int | None) -> Rows:
    """`select` (a query over the matched pairs) in `order`, its first `limit` rows (all where None) and
    its row count: a comparison over a city's forms sends what is shown, not every project."""
    scope = dataclasses.replace(filters, years=())
    body = f", compared AS ({select})\nSELECT *, count(*) OVER () AS total_rows FROM compared ORDER BY {order}"
    extra = [pair.year, pair.previous]
    if limit is not None:
        body += " LIMIT ?"
        extra.append(int(limit))
    frame = queries.overview_query(con, _MATCH_SQL + body, scope, extra_params=extra)
    total = int(frame["total_rows"].iloc[0]) if len(frame) else 0
    return Rows(frame.drop(columns="total_rows"), total)


def projects_in_both_years(con, filters: Filters, pair: YearPair, limit: int | None = None) -> Rows:
    """Projects filed in both years (one match each way), with both 总分 and the change, biggest fall first.

    A year whose form is not graded (domain.not_graded_reason) shows its 总分 with `*_not_graded` true and
    gives no change: such pairs come last."""
    return _match_query(
        con,
        filters,
        pair,
        """
        SELECT c.project_name, c.org, c.project_type, p.total_score AS score_previous, c.total_score AS score,
               c.graded_score - p.graded_score AS score_change,
               p.not_graded IS NOT NULL AS previous_not_graded,
               c.not_graded IS NOT NULL AS not_graded,
               c.form_id, p.form_id AS previous_form_id
        FROM single s JOIN cur c ON c.form_id = s.cur_id JOIN prev p ON p.form_id = s.prev_id
        """,
        "score_change ASC NULLS LAST, project_name, form_id",
        limit,
    )


def new_and_ended(con, filters: Filters, pair: YearPair, limit: int | None = None) -> Rows:
    """Projects of one year with no match in the other: 新增 (this year only), 结束 (last year only),
    and 未比较 (matched more than one project of the other year)."""
    return _match_query(
        con,
        filters,
        pair,
        """
        SELECT 'new' AS change, c.project_name, c.org, c.project_type, c.total_score AS score,
               c.not_graded IS NOT NULL AS not_graded, c.form_id
        FROM cur c WHERE c.form_id NOT IN (SELECT cur_id FROM pairs)
        UNION ALL
        SELECT 'ended', p.project_name, p.org, p.project_type, p.total_score,
               p.not_graded IS NOT NULL, p.form_id
        FROM prev p WHERE p.form_id NOT IN (SELECT prev_id FROM pairs)
        UNION ALL
        SELECT 'ambiguous', c.project_name, c.org, c.project_type, c.total_score,
               c.not_graded IS NOT NULL, c.form_id
        FROM cur c WHERE c.form_id IN (SELECT cur_id FROM pairs) AND c.form_id NOT IN (SELECT cur_id FROM single)
        """,
        "change, project_name, form_id",
        limit,
    )


def recurring_deductions(con, filters: Filters, pair: YearPair, limit: int | None = None) -> Rows:
    """Indicators (same name) deducted in both years of a matched project, with both years' reasons."""
    return _match_query(
        con,
        filters,
        pair,
        """
        SELECT c.project_name, c.org, ic.name AS indicator,
               ip.points_lost AS lost_previous, ip.reason AS reason_previous,
               ic.points_lost AS lost, ic.reason AS reason, ic.no_reason OR ip.no_reason AS any_unexplained,
               c.form_id, ic.position
        FROM single s
        JOIN cur c ON c.form_id = s.cur_id
        JOIN indicators ic ON ic.form_id = s.cur_id AND ic.deducted
        JOIN indicators ip ON ip.form_id = s.prev_id AND ip.deducted AND ip.name = ic.name
        """,
        "lost DESC, project_name, form_id, position",
        limit,
    )
