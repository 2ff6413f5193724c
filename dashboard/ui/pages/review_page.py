"""复核: what the scoring rules found in the self-scores, and where.

From top to bottom: how many findings of each severity; the findings counted by rule (pick
a rule to narrow the list of forms); the forms with the most serious findings first (pick
one to read its findings and the whole form, with the claimed 总分 beside the recomputed
one); the risk signals counted by rule and by unit (signals_view, each count drilling to its forms);
and the units ranked by how far their self-scores exceed the rules (Σ claimed −
recomputed). The sidebar filters apply throughout; every table can be downloaded.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.audit.config import active_config
from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.core.domain import SEVERITIES, Severity
from dashboard.queries import filters, key_figures, queries
from dashboard.queries import review_queries as rq
from dashboard.security.untrusted import markdown_literal, plotly_literal
from dashboard.ui import download_buttons, filter_widgets, form_view, page_data, paging, signals_view
from dashboard.ui import table_columns as cols
from dashboard.ui.incomplete_view import show_incomplete_forms

COLUMNS = texts.REVIEW_COLUMNS
GAP_COLUMN = COLUMNS["gap"]
UNIT_BARS = 15  # units the gap chart draws
FORMS_PAGE_KEY = "review_forms_page"
UNITS_PAGE_KEY = "review_units_page"
GAP_AXIS_MIN_SPAN = 1.0  # points: the gap chart's axis spans at least this
GAP_OVER_COLOR, GAP_UNDER_COLOR, GAP_ROUNDING_COLOR = "#c0392b", "#2e86c1", "#d5d8dc"
SEVERITY_COLORS = {Severity.ERROR: "#c0392b", Severity.WARNING: "#e67e22", Severity.INFO: "#2e86c1"}
RULE_TABLE_KEY = "review_rules"
FORM_TABLE_KEY = "review_forms"
RULE_PARAM = "rule"  # the picked rule and form, kept in the URL (a link opens the same view)
FORM_PARAM = "form"


# --- frames as shown (pure: tested without Streamlit) ------------------------------------------------------


def severity_label(severity: str) -> str:
    return texts.SEVERITY_LABELS.get(severity, severity)


def org_label(org, is_department) -> str:
    return key_figures.org_label(org, is_department)


def rules_table(counts: pd.DataFrame) -> pd.DataFrame:
    """规则, 严重程度, 发现数, 涉及表数 — one row per rule and severity, each rule by its Chinese name (the
    rule ids stay in `counts`, in the same row order)."""
    frame = pd.DataFrame(
        {
            COLUMNS["rule"]: counts["rule"].map(rq.rule_title),
            COLUMNS["severity"]: counts["severity"].map(severity_label),
            COLUMNS["findings"]: counts["findings"].astype(int),
            COLUMNS["forms"]: counts["forms"].astype(int),
        }
    )
    return frame.reset_index(drop=True)


def forms_table(forms: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            COLUMNS["project_name"]: forms["project_name"],
            COLUMNS["org"]: [org_label(o, d) for o, d in zip(forms["org"], forms["org_is_department"], strict=True)],
            COLUMNS["project_type"]: forms["project_type"],
            COLUMNS["error_count"]: forms["error_count"].astype(int),
            COLUMNS["warning_count"]: forms["warning_count"].astype(int),
            COLUMNS["info_count"]: forms["info_count"].astype(int),
            COLUMNS["total_score"]: forms["total_score"],
            COLUMNS["recomputed_score"]: [
                form_view.recomputed_text(claimed, recomputed, places=2)
                for claimed, recomputed in zip(forms["total_score"], forms["recomputed_score"], strict=True)
            ],
            GAP_COLUMN: forms["gap"].round(2),
            texts.REVIEW_COLUMN_SCHEME: forms["scheme"].map(rq.scheme_label),
            COLUMNS["year"]: forms["year"],
            COLUMNS["form_id"]: forms["form_id"],
        }
    )
    return frame.reset_index(drop=True)


def findings_table(found: pd.DataFrame, with_form: bool = True) -> pd.DataFrame:
    columns = {}
    if with_form:
        columns[COLUMNS["project_name"]] = found["project_name"]
        columns[COLUMNS["org"]] = found["org"].map(fmt.text_or_dash)
    columns.update(
        {
            COLUMNS["severity"]: found["severity"].map(severity_label),
            COLUMNS["rule"]: found["rule"].map(rq.rule_title),
            COLUMNS["indicator"]: found["indicator"].map(fmt.text_or_dash),
            COLUMNS["message"]: found["message"],
            COLUMNS["claimed"]: found["claimed"],
            COLUMNS["recomputed"]: found["recomputed"],
            texts.REVIEW_COLUMN_SCHEME: found["scheme"].map(rq.scheme_label),
        }
    )
    if with_form:
        columns[COLUMNS["form_id"]] = found["form_id"]
    return pd.DataFrame(columns).reset_index(drop=True)


def units_table(units: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            COLUMNS["org"]: [org_label(o, d) for o, d in zip(units["org"], units["org_is_department"], strict=True)],
            COLUMNS["forms"]: units["forms"].astype(int),
            COLUMNS["compared"]: units["compared"].astype(int),
            COLUMNS["overstated"]: units["overstated"].astype(int),
            COLUMNS["claimed_sum"]: units["claimed"].round(2),
            COLUMNS["recomputed_sum"]: units["recomputed"].round(2),
            GAP_COLUMN: units["gap"].round(2),
            COLUMNS["max_gap"]: units["max_gap"].round(2),
            COLUMNS["errors"]: units["errors"].fillna(0).astype(int),
            COLUMNS["warnings"]: units["warnings"].fillna(0).astype(int),
        }
    )
    return frame.reset_index(drop=True)


def picked_in_url(key: str, values: list[str], param: str) -> str | None:
    """The value (of `values`, one per row) of the row picked in the table `key`, kept in the URL as `param`;
    with no row picked, the URL's value (a shared link) where it is one of `values` or `known(value)`; a row
    unpicked takes it out of the URL."""
    row = selected_row(key)
    had = f"{key}_had_pick"
    if row is not None and row < len(values):
        st.session_state[had] = True
        st.query_params[param] = values[row]
        return values[row]
    if st.session_state.pop(had, False):  # the user unpicked the row
        st.query_params.pop(param, None)
        return None
    return st.query_params.get(param)


def gap_color(gap: float) -> str:
    """Red for a gap above the tolerance (an overstatement), blue below minus it, grey within it (rounding)."""
    tolerance = rq.gap_tolerance()
    if gap > tolerance:
        return GAP_OVER_COLOR
    return GAP_UNDER_COLOR if gap < -tolerance else GAP_ROUNDING_COLOR


def selected_row(key: str) -> int | None:
    """The row picked in a single-row st.dataframe (by its key), or None."""
    state = st.session_state.get(key)
    rows = getattr(getattr(state, "selection", None), "rows", None)
    if rows is None and isinstance(state, dict):
        rows = state.get("selection", {}).get("rows")
    return rows[0] if rows else None


# --- the page ----------------------------------------------------------------------------------------------


def render() -> None:
    current = filter_widgets.start_page(texts.REVIEW_TITLE, texts.REVIEW_INTRO)

    if stale := page_data.read(rq.stale_scheme_count, key_extra=active_config().fingerprint):
        st.warning(texts.REVIEW_STALE_SCHEMES.format(n=stale), icon=":material/sync_problem:")
    found = page_data.read(rq.finding_counts, current)  # one cached read: the cards, the rules, the forms' count
    _kpis(current, found)
    counts = found.rules
    if counts.empty:
        st.success(texts.REVIEW_NONE, icon=":material/check_circle:")
    else:
        rule = _rules(counts)
        _all_findings(current, int(counts["findings"].sum()))
        form_id = _forms(current, rule, found)
        if form_id is not None:
            _selected_form(current, form_id)
    signals_view.render(current, found)
    _units(current)
    show_incomplete_forms("review_incomplete_table")  # kept out of every figure above, named here


def _kpis(current: filters.Filters, found: rq.FindingCounts) -> None:
    severities = found.severities.set_index("severity")
    gaps = page_data.read(rq.gap_summary, current)
    with st.container(horizontal=True, gap="small"):
        for severity in SEVERITIES:
            findings = int(severities.at[severity, "findings"]) if severity in severities.index else 0
            forms = int(severities.at[severity, "forms"]) if severity in severities.index else 0
            label = severity_label(severity)
            st.metric(
                texts.REVIEW_KPI_SEVERITY.format(severity=label),
                texts.REVIEW_KPI_SEVERITY_VALUE.format(findings=findings),
                delta=texts.REVIEW_KPI_FORMS_DELTA.format(forms=forms),
                delta_color="off",
                delta_arrow="off",
                help=texts.REVIEW_KPI_SEVERITY_HELP.format(severity=label, forms=forms),
                border=True,
            )
        tolerance = fmt.score_text(rq.gap_tolerance())
        st.metric(
            texts.REVIEW_KPI_OVERSTATED,
            fmt.count_text(gaps["overstated"]),
            delta=(
                texts.REVIEW_KPI_OVERSTATED_DELTA_WITHIN.format(tolerance=tolerance, n=gaps["within_tolerance"])
                if gaps["within_tolerance"]
                else texts.REVIEW_KPI_OVERSTATED_DELTA.format(tolerance=tolerance)
            ),
            delta_color="off",
            delta_arrow="off",
            help=texts.REVIEW_KPI_OVERSTATED_HELP.format(compared=gaps["compared"], tolerance=tolerance),
            border=True,
        )
        gap_help = texts.REVIEW_KPI_GAP_HELP
        if gaps["not_graded"]:
            gap_help += texts.REVIEW_KPI_GAP_NOT_GRADED.format(n=gaps["not_graded"])
        rounding = not gaps["overstated"] and not gaps["understated"] and gaps["compared"]
        st.metric(
            texts.REVIEW_KPI_GAP, fmt.points_text(gaps["gap"]), help=gap_help, border=True,
            delta=texts.REVIEW_KPI_GAP_ROUNDING.format(tolerance=tolerance) if rounding else None,
            delta_color="off", delta_arrow="off",
        )  # fmt: skip


def _rules(counts: pd.DataFrame) -> str | None:
    st.subheader(texts.REVIEW_BY_RULE, anchor=False)
    st.caption(texts.REVIEW_BY_RULE_HINT)
    table = rules_table(counts)
    st.dataframe(
        table,
        hide_index=True,
        key=RULE_TABLE_KEY,
        on_select="rerun",
        selection_mode="single-row",
        column_config={COLUMNS["rule"]: st.column_config.TextColumn(width="large")},
    )
    download_buttons.download_buttons(table, texts.REVIEW_FILE_RULES, key="review_rules_download")
    rule = picked_in_url(RULE_TABLE_KEY, [str(rule) for rule in counts["rule"]], RULE_PARAM)
    if rule is not None and rule not in set(counts["rule"]):
        st.caption(texts.REVIEW_RULE_GONE.format(title=rq.rule_title(rule)))
        st.query_params.pop(RULE_PARAM, None)
        return None
    return rule


def _all_findings(current: filters.Filters, total: int) -> None:
    st.caption(texts.REVIEW_ALL_FINDINGS)
    download_buttons.table_download_buttons(  # every finding, built only when a button is clicked
        lambda: findings_table(page_data.read_whole(rq.findings, current, None, None)), total,
        texts.REVIEW_FILE_ALL_FINDINGS, key="review_all_findings_download",
    )  # fmt: skip


def _forms(current: filters.Filters, rule: str | None, found: rq.FindingCounts) -> str | None:
    st.subheader(texts.REVIEW_FORMS, anchor=False)
    st.caption(texts.REVIEW_FORMS_HINT)
    if rule is not None:
        st.info(texts.REVIEW_RULE_SELECTED.format(title=rq.rule_title(rule)), icon=":material/filter_alt:")
    total = found.forms if rule is None else page_data.read(rq.forms_with_findings, current, rule)
    st.caption(texts.REVIEW_FORMS_COUNT.format(n=f"{total:,}"))
    offset = paging.pick_offset(total, FORMS_PAGE_KEY)
    table = forms_table(page_data.read(rq.forms_by_seriousness, current, rule, offset, queries.PAGE_SIZE))
    st.caption(paging.shown_text(offset, len(table), total))
    st.dataframe(
        table,
        hide_index=True,
        key=FORM_TABLE_KEY,
        placeholder=texts.DASH,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            COLUMNS["total_score"]: cols.score_column(COLUMNS["total_score"]),
            COLUMNS["recomputed_score"]: st.column_config.TextColumn(help=texts.REVIEW_RECOMPUTED_HELP),
            GAP_COLUMN: cols.score_column(GAP_COLUMN, help=texts.REVIEW_KPI_GAP_HELP),
        },
    )
    download_buttons.table_download_buttons(
        lambda: forms_table(page_data.read_whole(rq.forms_by_seriousness, current, rule)), total,
        texts.REVIEW_FILE_FORMS, key="review_forms_download",
    )  # fmt: skip
    form_id = picked_in_url(FORM_TABLE_KEY, [str(form_id) for form_id in table[COLUMNS["form_id"]]], FORM_PARAM)
    listed = set(table[COLUMNS["form_id"]])
    if form_id is not None and form_id not in listed and not page_data.read(queries.form_matches, current, form_id):
        st.caption(texts.PROJECTS_SELECTED_GONE)
        return None
    if form_id is None:
        st.caption(texts.REVIEW_FORM_PICK)
    return form_id


def _selected_form(current: filters.Filters, form_id: str) -> None:
    form = page_data.read(queries.form, form_id)
    if form is None:
        return
    st.divider()
    st.subheader(texts.REVIEW_FORM_SECTION.format(name=markdown_literal(form.project_name)), anchor=False)
    found = findings_table(page_data.read(rq.findings, current, form_id, None), with_form=False)
    st.markdown(f"**{texts.REVIEW_FORM_FINDINGS}**")
    st.dataframe(found, hide_index=True, key="review_form_findings", placeholder=texts.DASH)
    download_buttons.download_buttons(
        found, texts.REVIEW_FILE_FINDINGS.format(name=form.project_name), key="review_form_findings_download"
    )
    with st.container(border=True):
        form_view.render_form(form, money_unit=filter_widgets.money_unit(), show_recomputed=True, key="review_form")
    st.divider()


def _units(current: filters.Filters) -> None:
    st.subheader(texts.REVIEW_BY_UNIT, anchor=False)
    st.caption(texts.REVIEW_BY_UNIT_HINT)
    table = units_table(page_data.read(rq.unit_gaps, current))
    if table.empty:
        return
    ranked = table[table[GAP_COLUMN].notna()]  # not graded (停用, 不可评价 …) only: no gap to rank
    # The units with the largest gaps (the table is ordered by gap); the rest are in the table below.
    chart = ranked.head(UNIT_BARS).sort_values(GAP_COLUMN)
    figure = go.Figure(
        go.Bar(
            x=chart[GAP_COLUMN],
            y=chart[COLUMNS["org"]],
            orientation="h",
            marker_color=[gap_color(gap) for gap in chart[GAP_COLUMN]],
            hovertemplate="%{y}<br>" + GAP_COLUMN + "：%{x:.2f}<extra></extra>",
        )
    )
    low = min(0.0, float(chart[GAP_COLUMN].min())) if not chart.empty else 0.0
    high = max(GAP_AXIS_MIN_SPAN, float(chart[GAP_COLUMN].max())) if not chart.empty else GAP_AXIS_MIN_SPAN
    figure.update_xaxes(range=[low * 1.05, high * 1.05])  # a gap of 0.04 points is drawn as small as it is
    figure.update_layout(
        height=max(180, 40 * len(chart) + 80),
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis_title=texts.REVIEW_CHART_GAP,
        yaxis_title=None,
    )
    st.plotly_chart(plotly_literal(figure), key="review_units_chart", config={"displayModeBar": False})
    st.caption(texts.REVIEW_CHART_GAP_HINT.format(tolerance=fmt.score_text(rq.gap_tolerance())))
    if len(ranked) > UNIT_BARS:
        st.caption(texts.REVIEW_UNITS_TOP.format(shown=UNIT_BARS, total=f"{len(ranked):,}"))
    offset = paging.pick_offset(len(table), UNITS_PAGE_KEY)
    st.caption(paging.shown_text(offset, min(queries.PAGE_SIZE, len(table) - offset), len(table)))
    st.dataframe(
        table.iloc[offset : offset + queries.PAGE_SIZE],
        hide_index=True,
        key="review_units_table",
        placeholder=texts.DASH,
        column_config={
            COLUMNS["claimed_sum"]: cols.score_column(COLUMNS["claimed_sum"]),
            COLUMNS["recomputed_sum"]: cols.score_column(COLUMNS["recomputed_sum"]),
            GAP_COLUMN: cols.score_column(GAP_COLUMN),
            COLUMNS["max_gap"]: cols.score_column(COLUMNS["max_gap"]),
        },
    )
    download_buttons.download_buttons(table, texts.REVIEW_FILE_UNITS, key="review_units_download")


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) draws nothing
    render()
