"""The 复核 page's 风险信号 view: the risk signals (audit.RISK_SIGNAL_IDS) counted by rule and by unit; a row
picked in either table lists its forms. The picked rule and unit are kept in the URL (?signal=…&signal_unit=…),
so a view can be bookmarked or sent on; the sidebar filters apply throughout."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.queries import filters, queries
from dashboard.queries import review_queries as rq
from dashboard.security.untrusted import markdown_literal
from dashboard.ui import download_buttons, page_data, paging

COLUMNS = texts.SIGNALS_COLUMNS
RULE_PARAM = "signal"
UNIT_PARAM = "signal_unit"
RULES_KEY = "signals_rules"
UNITS_KEY = "signals_units"
UNITS_PAGE_KEY = "signals_units_page"
FORMS_PAGE_KEY = "signals_forms_page"


def rules_table(counts: pd.DataFrame) -> pd.DataFrame:
    """信号, 级别, 发现数, 涉及表数 — one row per signal (by its Chinese name; the ids stay in `counts`, in the
    same row order), zero rows kept."""
    return pd.DataFrame(
        {
            COLUMNS["rule"]: counts["rule"].map(rq.rule_title),
            COLUMNS["severity"]: counts["severity"].map(lambda s: texts.SEVERITY_LABELS.get(s, s)),
            COLUMNS["findings"]: counts["findings"].astype(int),
            COLUMNS["forms"]: counts["forms"].astype(int),
        }
    ).reset_index(drop=True)


def units_table(units: pd.DataFrame) -> pd.DataFrame:
    """One row per unit, one column per signal (forms carrying it), most forms first; `单位` holds the unit
    as stored (what the drill filters by)."""
    if units.empty:
        return pd.DataFrame(columns=[COLUMNS["org"], texts.SIGNALS_TOTAL])
    wide = units.pivot_table(index="org", columns="rule", values="forms", aggfunc="sum", fill_value=0)
    order = [rule for rule in rq.audit.RISK_SIGNAL_IDS if rule in wide.columns]
    wide = wide[order]
    wide.columns = [rq.rule_title(rule) for rule in order]
    wide[texts.SIGNALS_TOTAL] = wide.sum(axis=1)
    wide = wide.sort_values(texts.SIGNALS_TOTAL, ascending=False, kind="stable")
    return wide.reset_index().rename(columns={"org": COLUMNS["org"]}).astype({title: int for title in [*wide.columns]})


def forms_table(forms: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            COLUMNS["project_name"]: forms["project_name"],
            COLUMNS["org"]: forms["org"].map(fmt.text_or_dash),
            COLUMNS["year"]: forms["year"],
            COLUMNS["total_score"]: forms["total_score"],
            COLUMNS["signals"]: forms["signals"].astype(int),
            COLUMNS["rules"]: forms["rules"].map(lambda ids: "、".join(rq.rule_title(i) for i in str(ids).split(","))),
            COLUMNS["messages"]: forms["messages"],
            COLUMNS["form_id"]: forms["form_id"],
        }
    ).reset_index(drop=True)


def _picked(key: str) -> int | None:
    state = st.session_state.get(key)
    rows = getattr(getattr(state, "selection", None), "rows", None)
    if rows is None and isinstance(state, dict):
        rows = state.get("selection", {}).get("rows")
    return rows[0] if rows else None


def _choice(values: list[str], key: str, param: str) -> str | None:
    """The value (of `values`, one per row) of the row picked in the table `key`, written to the URL; else the
    URL's value."""
    row = _picked(key)
    if row is not None and row < len(values):
        value = str(values[row])
        st.query_params[param] = value
        return value
    return st.query_params.get(param)


def render(current: filters.Filters, found: rq.FindingCounts) -> None:
    st.subheader(texts.SIGNALS_HEADING, anchor=False)
    st.caption(texts.SIGNALS_INTRO)
    counts = found.signals  # the 复核 page's one cached read of the findings' counts
    rules = rules_table(counts)
    if int(counts["forms"].sum()) == 0:
        st.success(texts.SIGNALS_NONE, icon=":material/check_circle:")
        return
    all_units = units_table(found.signal_units)  # one row per unit and signal: a few thousand at most
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{texts.SIGNALS_BY_RULE}**")
        st.dataframe(rules, hide_index=True, key=RULES_KEY, on_select="rerun", selection_mode="single-row")
        download_buttons.download_buttons(rules, texts.SIGNALS_FILE_RULES, key="signals_rules_download")
    with right:
        st.markdown(f"**{texts.SIGNALS_BY_UNIT}**")
        unit_offset = paging.pick_offset(len(all_units), UNITS_PAGE_KEY)
        units = all_units.iloc[unit_offset : unit_offset + queries.PAGE_SIZE].reset_index(drop=True)
        st.caption(paging.shown_text(unit_offset, len(units), len(all_units)))
        st.dataframe(units, hide_index=True, key=UNITS_KEY, on_select="rerun", selection_mode="single-row")
        download_buttons.download_buttons(all_units, texts.SIGNALS_FILE_UNITS, key="signals_units_download")
    rule = _choice([str(rule) for rule in counts["rule"]], RULES_KEY, RULE_PARAM)
    org = _choice([str(org) for org in units[COLUMNS["org"]]], UNITS_KEY, UNIT_PARAM)
    if rule not in rq.audit.RISK_SIGNAL_IDS:
        rule = None
    st.markdown(f"**{texts.SIGNALS_FORMS}**")
    st.caption(
        texts.SIGNALS_SELECTED.format(
            rule=rq.rule_title(rule) if rule else texts.SIGNALS_ANY_RULE,
            org=markdown_literal(org) if org else texts.SIGNALS_ANY_ORG,
        )
    )
    if (rule or org) and st.button(texts.SIGNALS_CLEAR, key="signals_clear"):
        st.query_params.pop(RULE_PARAM, None)
        st.query_params.pop(UNIT_PARAM, None)
        for key in (RULES_KEY, UNITS_KEY):
            st.session_state.pop(key, None)
        st.rerun()
    total = (
        found.signal_forms if rule is None and org is None else page_data.read(rq.signal_form_count, current, rule, org)
    )
    offset = paging.pick_offset(total, FORMS_PAGE_KEY)
    forms = forms_table(page_data.read(rq.signal_forms, current, rule, org, offset, queries.PAGE_SIZE))
    st.caption(paging.shown_text(offset, len(forms), total))
    st.dataframe(forms, hide_index=True, key="signals_forms", placeholder=texts.DASH)
    download_buttons.table_download_buttons(  # every form, built only when a button is clicked
        lambda: forms_table(page_data.read_whole(rq.signal_forms, current, rule, org)), total,
        texts.SIGNALS_FILE_FORMS, key="signals_forms_download",
    )  # fmt: skip
