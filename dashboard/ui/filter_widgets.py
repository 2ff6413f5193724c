"""The filter sidebar and the page header every reading page starts with: the chosen filters live in
st.session_state; what they mean and their SQL are in dashboard/queries/filters.py."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from dashboard.core import texts
from dashboard.queries.filters import (
    DEFAULT_MONEY_UNIT,
    DEFAULTS,
    KEY_MONEY,
    KEY_RATE,
    KEY_SCORE,
    KEY_SEARCH,
    KEY_STATUS,
    LIST_FILTERS,
    MONEY_UNITS,
    RATE_LIMITS,
    SCORE_LIMITS,
    STATUSES,
    Filters,
    describe,
    from_state,
)
from dashboard.security.untrusted import markdown_literal
from dashboard.ui import data_gate, db, styles

# The 扣分指标 page's 只看未说明原因 switch (a URL parameter like the sidebar's); 总览's card sets it too.
KEY_NO_REASON = "noreason"
_GONE_NOTES = "filters_url_values_gone"  # what note_values_gone found in a link


def current() -> Filters:
    return from_state(st.session_state)


def start_page(title: str, intro: str) -> Filters:
    """A page's opening: title, what it shows, the database check (stops the page if there is
    nothing to show), and the filters in force, said in words."""
    st.title(title, anchor=False)
    st.container(key=styles.PAGE_INTRO_KEY).caption(intro)  # not on a phone: the first screen is for figures
    data_gate.require_data()
    if note := data_gate.not_counted_note():  # incomplete and 可能重复 forms never count silently
        st.info(note, icon=":material/info:")
    current_filters = current()
    st.caption(markdown_literal(describe(current_filters)))  # names and the search text are data
    notes, under = st.session_state.get(_GONE_NOTES, ([], None))
    if under is None and notes:
        st.session_state[_GONE_NOTES] = (notes, current_filters)
    elif under != current_filters:  # the filters changed since the link was opened: no longer news
        st.session_state.pop(_GONE_NOTES, None)
        notes = []
    for note in notes:
        st.warning(markdown_literal(note), icon=":material/link_off:")
    return current_filters


def money_unit() -> str:
    value = st.session_state.get(KEY_MONEY)
    return value if value in MONEY_UNITS else DEFAULT_MONEY_UNIT


def render_sidebar(options: dict | None) -> None:
    """Draw the filter widgets (bound to the URL). `options` None: the database is not readable."""
    sidebar = st.sidebar
    sidebar.header(texts.FILTERS_HEADER, help=texts.FILTERS_HELP)
    if options is None:
        found = db.problem()
        sidebar.caption(texts.FILTERS_UNAVAILABLE if found and found[0] != "missing" else texts.FILTERS_NO_DATA)
        return
    note_values_gone(options)
    sidebar.text_input(
        texts.FILTER_SEARCH,
        key=KEY_SEARCH,
        placeholder=texts.FILTER_SEARCH_PLACEHOLDER,
        bind="query-params",
        help=texts.FILTER_SEARCH_HELP,
    )
    for spec in LIST_FILTERS:  # type to search: a long list (2,000 units) is found by typing
        sidebar.multiselect(
            spec.label, spec.choices(options), key=spec.key, format_func=str, placeholder=texts.FILTER_ALL,
            help=spec.help, bind="query-params",
        )  # fmt: skip
    sidebar.slider(
        texts.FILTER_SCORE, *SCORE_LIMITS, value=SCORE_LIMITS, step=1, key=KEY_SCORE, help=texts.FILTER_SCORE_HELP,
        bind="query-params",
    )  # fmt: skip
    sidebar.slider(
        texts.FILTER_RATE, *RATE_LIMITS, value=RATE_LIMITS, step=1, key=KEY_RATE, help=texts.FILTER_RATE_HELP,
        bind="query-params",
    )  # fmt: skip
    sidebar.segmented_control(
        texts.FILTER_STATUS,
        STATUSES,
        default="all",
        format_func=texts.FILTER_STATUS_OPTIONS.__getitem__,
        key=KEY_STATUS,
        required=True,
        bind="query-params",
    )
    sidebar.button(texts.FILTER_RESET, on_click=reset, icon=":material/filter_alt_off:", disabled=not current().active)
    sidebar.divider()
    sidebar.segmented_control(
        texts.FILTER_MONEY_UNIT,
        MONEY_UNITS,
        default=DEFAULT_MONEY_UNIT,
        key=KEY_MONEY,
        required=True,
        bind="query-params",
    )


def values_gone(url: Mapping[str, list[str]], options: dict) -> list[str]:
    """Each list filter's values in the URL `url` ({key: [values]}) that are not among its choices any more
    (a year removed, a unit renamed), in words: "链接中的年度 2035 已不存在，已忽略"."""
    notes = []
    for spec in LIST_FILTERS:
        known = {str(choice) for choice in spec.choices(options)}
        gone = [value for value in url.get(spec.key, []) if value not in known]
        if gone:
            notes.append(texts.URL_VALUE_GONE.format(label=spec.label, values="、".join(gone)))
    return notes


def note_values_gone(options: dict) -> None:
    """Before the bound widgets drop them: remember, for start_page to say, the URL's filter values that no
    longer exist (said on every page until the filters change)."""
    url = {spec.key: st.query_params.get_all(spec.key) for spec in LIST_FILTERS}
    if notes := values_gone(url, options):
        st.session_state[_GONE_NOTES] = (notes, None)  # the filters they applied to: known once the widgets ran


def reset() -> None:
    """Callback: every filter back to its default (the URL follows)."""
    st.session_state.pop(_GONE_NOTES, None)
    for key, value in DEFAULTS.items():
        st.session_state[key] = value


def narrow(**values) -> None:
    """Callback helper: set some filters (widget key → value), e.g. narrow(unit=["某单位"])."""
    for key, value in values.items():
        st.session_state[key] = value


def show_no_match() -> None:
    """The empty state when the filters leave nothing: say so, offer to clear them or to import."""
    with st.container(border=True):
        st.markdown(f"**{texts.NO_MATCH}**")
        st.write(texts.NO_MATCH_HINT)
        with st.container(horizontal=True):
            st.button(texts.FILTER_RESET, on_click=reset, icon=":material/filter_alt_off:", key="no_match_reset")
            st.page_link("ui/pages/import_page.py", label=texts.GO_IMPORT, icon=":material/upload_file:")
