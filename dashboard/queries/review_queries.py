"""Named SQL behind the 复核 page: findings by rule, forms by seriousness, the 总分 gap by unit.

Plain functions taking a DuckDB connection (or cursor) and the shared `Filters`; they return
DataFrames with English column names, which the page renames. Every query starts from
`queries.FORM_OVERVIEW_SQL`, so the sidebar filters mean the same here as on every other page.
The gap of a form is claimed − recomputed 总分 (positive: the form scored itself higher than the
scoring rules give). The page calls them through `page_data.read`, which caches.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pandas as pd

from dashboard.audit import audit
from dashboard.audit.config import active_config
from dashboard.core import texts
from dashboard.core.domain import SEVERITIES
from dashboard.queries.filters import Filters
from dashboard.queries.queries import WARNING_SIGNALLED_SQL, graded_sql, overview_query
from dashboard.store import reads, writes

# ORDER BY expression putting errors first, then warnings, then info.
_SEVERITY_RANKS = {severity.value: rank for rank, severity in enumerate(SEVERITIES)}
_UNKNOWN_SEVERITY_RANK = 9  # after every known severity
_SEVERITY_WHENS = " ".join(f"WHEN '{severity}' THEN {rank}" for severity, rank in _SEVERITY_RANKS.items())
SEVERITY_RANK_SQL = "CASE {column} " + _SEVERITY_WHENS + f" ELSE {_UNKNOWN_SEVERITY_RANK} END"


def gap_tolerance() -> float:
    """A gap smaller than this (points) is rounding, not an overstatement (the default scheme's tolerance)."""
    return active_config().default.score_tolerance


# The form_overview row is graded: forms that are not (domain.not_graded_reason) stay out of gaps and rankings.
GRADED = graded_sql("o")


def _severity_rank(column: str) -> str:
    return SEVERITY_RANK_SQL.replace("{column}", column)


# --- counts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingCounts:
    """The 复核 page's counts of findings under the filters, from one pass over the findings (finding_counts)."""

    rules: pd.DataFrame  # rule, severity, findings, forms: errors first, then by count (rule_counts)
    severities: pd.DataFrame  # severity, findings, forms: all three, zero where none (severity_counts)
    signals: pd.DataFrame  # rule, severity, findings, forms: each risk signal in order, zero where none
    signal_units: pd.DataFrame  # org, org_is_department, rule, forms: per unit and signal (signal_units)
    forms: int  # forms with at least one finding
    signal_forms: int  # forms with at least one risk signal


def finding_counts(con, filters: Filters) -> FindingCounts:
    """Findings and the forms that have them per rule and severity (one pass over the findings), per risk signal and
    per unit and signal (one over the signals' findings), and per severity, in all and with any signal from the
    counts kept with each form: where one GROUPING SETS pass counted distinct forms five times over every finding."""
    per_rule = overview_query(
        con,
        """SELECT c.rule, c.severity, count(*) AS findings, count(DISTINCT c.form_id) AS forms
           FROM checks c JOIN form_overview o ON o.form_id = c.form_id WHERE {where} GROUP BY c.rule, c.severity""",
        filters,
    )
    rules = per_rule.assign(rank=per_rule["severity"].map(_SEVERITY_RANKS).fillna(_UNKNOWN_SEVERITY_RANK))
    rules = rules.sort_values(["rank", "findings", "rule"], ascending=[True, False, True]).drop(columns="rank")
    signalled = overview_query(con, _SIGNALLED_SQL, filters, [_signal_ids()])
    by_signal = signalled[signalled["grouped"] == _SIGNAL_SET].set_index("rule")
    units = signalled.loc[signalled["grouped"] == _UNIT_SIGNAL_SET, ["org", "org_is_department", "rule", "forms"]]
    signal_rows = [
        (rule, _RULE_SEVERITIES.get(rule), *(int(by_signal.at[rule, column]) if rule in by_signal.index else 0
                                             for column in ("findings", "forms")))
        for rule in _signal_ids()
    ]  # fmt: skip
    per_form = overview_query(con, _PER_SEVERITY_SQL, filters).iloc[0]
    severities = pd.DataFrame(
        [(s.value, int(per_form[f"{s.value}_findings"]), int(per_form[f"{s.value}_forms"])) for s in SEVERITIES],
        columns=["severity", "findings", "forms"],
    )
    return FindingCounts(
        rules=rules.reset_index(drop=True).astype({"findings": int, "forms": int}),
        severities=severities,
        signals=pd.DataFrame(signal_rows, columns=["rule", "severity", "findings", "forms"]),
        signal_units=units.sort_values(["org", "rule"], na_position="last", ignore_index=True).astype({"forms": int}),
        forms=int(per_form["forms"]),
        signal_forms=int(per_form["signal_forms"]),
    )


# The signals' findings under the filters per unit and signal and per signal: each form once per signal it carries
# (so forms are counted, not findings), then joined to the forms under the filters.
_SIGNALLED_SQL = """
    , signalled AS (
        SELECT c.form_id, c.rule, count(*) AS findings FROM checks c WHERE c.rule IN (SELECT unnest(?)) GROUP BY ALL
    )
    SELECT o.org, bool_and(o.org_is_department) AS org_is_department, s.rule, grouping(o.org, s.rule) AS grouped,
           sum(s.findings) AS findings, count(*) AS forms
    FROM signalled s JOIN form_overview o ON o.form_id = s.form_id
    WHERE {where}
    GROUP BY GROUPING SETS ((o.org, s.rule), (s.rule))
"""
# grouping(o.org, s.rule) of _SIGNALLED_SQL's sets.
_UNIT_SIGNAL_SET, _SIGNAL_SET = 0b00, 0b10


_RULE_SEVERITIES = {rule: severity for rule, severity, _title in audit.RULES}
# Findings per severity and the forms that have them, and the forms with any, from the counts kept with each form.
_PER_SEVERITY_SQL = (
    "SELECT "
    + ", ".join(
        f"coalesce(sum(o.{column}), 0) AS {severity}_findings, "
        f"count(*) FILTER (WHERE o.{column} > 0) AS {severity}_forms"
        for column, severity in writes.FINDING_COUNTS.items()
    )
    + ", count(*) FILTER (WHERE "
    + " + ".join(f"o.{column}" for column in writes.FINDING_COUNTS)
    + " > 0) AS forms, "
    + f"count(*) FILTER (WHERE o.{writes.SIGNAL_COUNT} > 0) AS signal_forms FROM form_overview o WHERE {{where}}"
)


def rule_counts(con, filters: Filters) -> pd.DataFrame:
    """Findings per rule: rule, severity, findings, forms; errors first, then by count."""
    return finding_counts(con, filters).rules


def severity_counts(con, filters: Filters) -> pd.DataFrame:
    """One row per severity (all three, zero where none): findings and the forms that have them."""
    return finding_counts(con, filters).severities


def gap_summary(con, filters: Filters) -> dict:
    """Graded forms compared, graded forms scored above the rules by more than the tolerance (and those above
    them by no more than it: `within_tolerance`), Σ claimed − recomputed over the graded
    filtered forms; the forms that are 不可评价 (a 总分 but no recomputed one) and all the forms that are not
    graded (domain.not_graded_reason: 停用, 不可评价 …), which are left out of the gap."""
    body = f"""
        SELECT count(*) AS forms,
               count(*) FILTER (WHERE o.total_score IS NOT NULL AND o.recomputed_score IS NOT NULL AND {GRADED})
                   AS compared,
               count(*) FILTER (WHERE o.total_score - o.recomputed_score > {gap_tolerance()} AND {GRADED})
                   AS overstated,
               count(*) FILTER (WHERE o.total_score - o.recomputed_score > 0
                                  AND o.total_score - o.recomputed_score <= {gap_tolerance()} AND {GRADED})
                   AS within_tolerance,
               count(*) FILTER (WHERE o.recomputed_score - o.total_score > {gap_tolerance()} AND {GRADED})
                   AS understated,
               coalesce(sum(o.total_score - o.recomputed_score) FILTER (WHERE {GRADED}), 0) AS gap,
               count(*) FILTER (WHERE o.total_score IS NOT NULL AND o.recomputed_score IS NULL) AS not_evaluable,
               count(*) FILTER (WHERE NOT {GRADED}) AS not_graded
        FROM form_overview o WHERE {{where}}
    """
    row = overview_query(con, body, filters).iloc[0]
    return {
        "forms": int(row["forms"]),
        "compared": int(row["compared"]),
        "overstated": int(row["overstated"]),
        "within_tolerance": int(row["within_tolerance"]),
        "understated": int(row["understated"]),
        "gap": float(row["gap"]),
        "not_evaluable": int(row["not_evaluable"]),
        "not_graded": int(row["not_graded"]),
    }


# --- forms and findings ------------------------------------------------------------------------------------


# Most errors first, then warnings, then info, then the largest gap; import order last (columns of `ranked` below).
_SERIOUSNESS_ORDER = (
    "r.error_count DESC, r.warning_count DESC, r.info_count DESC, abs(r.gap) DESC NULLS LAST, r.batch_id, r.position"
)


def forms_by_seriousness(
    con, filters: Filters, rule: str | None = None, offset: int = 0, limit: int | None = None
) -> pd.DataFrame:
    """Forms with at least one finding (of `rule`, if given): most errors first, then warnings, then gap;
    one page where `limit` is given. The findings per severity are kept with each form."""
    rule_condition = "AND o.form_id IN (SELECT form_id FROM checks WHERE rule = ?)" if rule else ""
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    body = f"""
        , ranked AS (  -- the page's forms first, then their schemes
            SELECT o.form_id, o.project_name, o.project_type, o.org, o.org_is_department, o.year, o.status,
                   o.error_count, o.warning_count, o.info_count,
                   o.total_score, o.recomputed_score, o.total_score - o.recomputed_score AS gap, o.batch_id, o.position
            FROM form_overview o
            WHERE o.error_count + o.warning_count + o.info_count > 0 AND {{where}} {rule_condition}
        ), listed AS (SELECT * FROM ranked r ORDER BY {_SERIOUSNESS_ORDER} {page})
        SELECT r.* EXCLUDE (batch_id, position), s.scheme
        FROM listed r JOIN forms s ON s.form_id = r.form_id
        ORDER BY {_SERIOUSNESS_ORDER}
    """
    return overview_query(con, body, filters, [rule] if rule else None)


def forms_with_findings(con, filters: Filters, rule: str | None = None) -> int:
    """How many forms `forms_by_seriousness` lists in all."""
    if rule is None:
        return finding_counts(con, filters).forms
    body = """
        SELECT count(*) AS n FROM form_overview o
        WHERE o.error_count + o.warning_count + o.info_count > 0 AND {where}
          AND o.form_id IN (SELECT form_id FROM checks WHERE rule = ?)
    """
    return int(overview_query(con, body, filters, [rule])["n"].iloc[0])


def findings(con, filters: Filters, form_id: str | None = None, rule: str | None = None) -> pd.DataFrame:
    """Every finding under the filters (of one form and/or one rule), most serious first."""
    conditions, extra = [], []
    if form_id is not None:
        conditions.append("AND c.form_id = ?")
        extra.append(form_id)
    if rule is not None:
        conditions.append("AND c.rule = ?")
        extra.append(rule)
    body = f"""
        SELECT c.form_id, o.project_name, o.org, c.rule, c.severity, c.indicator, c.message,
               c.claimed, c.recomputed, s.scheme
        FROM checks c JOIN form_overview o ON o.form_id = c.form_id JOIN forms s ON s.form_id = c.form_id
        WHERE {{where}} {" ".join(conditions)}
        ORDER BY {_severity_rank("c.severity")}, o.batch_id, o.position, c.position
    """
    return overview_query(con, body, filters, extra)


# --- units -------------------------------------------------------------------------------------------------


def unit_gaps(con, filters: Filters) -> pd.DataFrame:
    """Units (实施单位, else 主管部门) ranked by Σ (claimed − recomputed 总分) over their graded forms; forms
    that are not graded (停用, 不可评价 …) are left out of the sums, and a unit with nothing compared has no
    gap and comes last."""
    body = f"""
        SELECT o.org, bool_and(o.org_is_department) AS org_is_department,
               count(*) AS forms,
               count(*) FILTER (WHERE o.total_score IS NOT NULL AND o.recomputed_score IS NOT NULL AND {GRADED})
                   AS compared,
               count(*) FILTER (WHERE o.total_score - o.recomputed_score > {gap_tolerance()} AND {GRADED})
                   AS overstated,
               count(*) FILTER (WHERE o.total_score - o.recomputed_score > 0
                                  AND o.total_score - o.recomputed_score <= {gap_tolerance()} AND {GRADED})
                   AS within_tolerance,
               count(*) FILTER (WHERE o.recomputed_score - o.total_score > {gap_tolerance()} AND {GRADED})
                   AS understated,
               sum(o.total_score) FILTER (WHERE o.recomputed_score IS NOT NULL AND {GRADED}) AS claimed,
               sum(o.recomputed_score) FILTER (WHERE o.total_score IS NOT NULL AND {GRADED}) AS recomputed,
               sum(o.total_score - o.recomputed_score) FILTER (WHERE {GRADED}) AS gap,
               max(o.total_score - o.recomputed_score) FILTER (WHERE {GRADED}) AS max_gap,
               sum(o.error_count) AS errors, sum(o.warning_count) AS warnings
        FROM form_overview o WHERE {{where}}
        GROUP BY o.org
        ORDER BY gap DESC NULLS LAST, errors DESC, o.org NULLS LAST
    """
    return overview_query(con, body, filters)


# --- schemes -----------------------------------------------------------------------------------------------


def stale_scheme_count(con) -> int:
    """Forms that count whose stored scheme is not the one the active audit configuration now gives
    them (its `[departments]` table, layout titles or default scheme changed since they were audited):
    by the stored title that chose the scheme (forms.scheme_title), else by the 主管部门."""
    config = active_config()
    rows = con.execute(
        f"SELECT department, scheme_title, scheme, count(*) FROM forms f WHERE {reads.counted_sql('f')} GROUP BY ALL"
    ).fetchall()  # one row per (department, title, scheme): a few thousand at most, however many forms
    return sum(
        forms
        for department, title, scheme, forms in rows
        if config.scheme_for(SimpleNamespace(department=department), title).name != scheme
    )


# --- labels ------------------------------------------------------------------------------------------------


def rule_titles() -> dict[str, str]:
    """Chinese title of every rule id: the audit's rules, plus the readers' own findings."""
    titles = {rule_id: title for rule_id, _severity, title in audit.RULES}
    for rule_id, title in (texts.READER_RULE_TITLES | texts.CHECK_TITLES_IMPORT).items():
        titles.setdefault(rule_id, title)
    return titles


def rule_title(rule_id: str) -> str:
    return rule_titles().get(rule_id, rule_id)


def scheme_label(name) -> str:
    """The Chinese label of a scheme name stored with a form ("—" where none was stored)."""
    if not isinstance(name, str) or not name:
        return texts.DASH
    return active_config().scheme(name).label if name in active_config().scheme_names else name


# --- risk signals (audit.RISK_SIGNAL_IDS) --------------------------------------------------------------------


def _signal_ids() -> list[str]:
    return list(audit.RISK_SIGNAL_IDS)


def signal_counts(con, filters: Filters) -> pd.DataFrame:
    """One row per risk signal, in audit.RISK_SIGNAL_IDS order (zero where none): rule, severity, findings, forms."""
    return finding_counts(con, filters).signals


def signal_units(con, filters: Filters) -> pd.DataFrame:
    """Forms carrying each risk signal, per unit (实施单位, else 主管部门): org, org_is_department, rule, forms;
    only units with a signal, by unit (no unit last), then signal."""
    return finding_counts(con, filters).signal_units


def _signal_form_conditions(rule: str | None, org: str | None) -> tuple[str, list]:
    conditions: list[str] = []
    extra: list[object] = []
    if rule is not None:
        conditions.append("AND c.rule = ?")
        extra.append(rule)
    if org is not None:
        conditions.append("AND o.org = ?")
        extra.append(org)
    return " ".join(conditions), extra


# The forms carrying a signal (`{rule}`: of one), each with how many signal findings it has. Of any signal: the
# forms with a stored signal count (no finding read); of one: counted from that signal's findings.
_ANY_SIGNAL_FORMS = f"""
    SELECT o.form_id, o.project_name, o.org, o.org_is_department, o.year, o.total_score,
           o.batch_id, o.position, o.{writes.SIGNAL_COUNT} AS signals
    FROM form_overview o
    WHERE {{where}} AND o.{writes.SIGNAL_COUNT} > 0 {{condition}}
"""
_ONE_SIGNAL_FORMS = """
    SELECT o.form_id, o.project_name, o.org, o.org_is_department, o.year, o.total_score,
           o.batch_id, o.position, count(*) AS signals
    FROM checks c JOIN form_overview o ON o.form_id = c.form_id
    WHERE {where} AND c.rule IN (SELECT unnest(?)) {condition}
    GROUP BY ALL
"""


def _signalled_forms(rule: str | None, org: str | None) -> tuple[str, list]:
    """The query of the forms carrying `rule` (any signal: None) of unit `org` (any: None), and its parameters
    after the filters'."""
    condition, extra = _signal_form_conditions(rule, org)
    if rule is None:
        return _ANY_SIGNAL_FORMS.replace("{condition}", condition), extra
    return _ONE_SIGNAL_FORMS.replace("{condition}", condition), [_signal_ids(), *extra]


def signal_forms(
    con,
    filters: Filters,
    rule: str | None = None,
    org: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> pd.DataFrame:
    """The forms carrying a risk signal (`rule`, else any), of one unit (`org`, else any): the form, its unit,
    the signals it carries and their messages, most signals first; one page where `limit` is given.

    The forms are ranked by their signal count alone; the texts (rules, messages) are joined for the page's
    forms only (at 10⁶ forms, aggregating every signalled form's messages took most of the page's time)."""
    ranked, extra = _signalled_forms(rule, org)
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    signal_rules: list[object] = [_signal_ids()]
    rule_condition = ""
    if rule is not None:
        signal_rules.append(rule)
        rule_condition = "AND c.rule = ?"
    body = f"""
        , ranked AS (
            {ranked}
            ORDER BY signals DESC, batch_id, position
            {page}
        )
        SELECT r.form_id, r.project_name, r.org, r.org_is_department, r.year, r.total_score, r.signals,
               string_agg(DISTINCT c.rule, ',' ORDER BY c.rule) AS rules,
               string_agg(c.message, '；' ORDER BY c.position) AS messages
        FROM ranked r JOIN checks c ON c.form_id = r.form_id
        WHERE c.rule IN (SELECT unnest(?)) {rule_condition}
        GROUP BY r.form_id, r.project_name, r.org, r.org_is_department, r.year, r.total_score, r.signals,
                 r.batch_id, r.position
        ORDER BY r.signals DESC, r.batch_id, r.position
    """
    return overview_query(con, body, filters, extra + signal_rules)


def signal_form_count(con, filters: Filters, rule: str | None = None, org: str | None = None) -> int:
    """How many forms `signal_forms` lists in all."""
    if rule is None and org is None:
        return finding_counts(con, filters).signal_forms
    signalled, extra = _signalled_forms(rule, org)
    return int(overview_query(con, f"SELECT count(*) AS n FROM ({signalled})", filters, extra)["n"].iloc[0])


def warning_signal_forms(con, filters: Filters) -> int:
    """How many forms under the filters carry a warning-level risk signal (the 总览's count)."""
    body = f"SELECT count(*) AS n FROM form_overview o WHERE {{where}} AND o.form_id IN ({WARNING_SIGNALLED_SQL})"
    return int(overview_query(con, body, filters, [_signal_ids()])["n"].iloc[0])
