"""The sidebar filters shared by every page, and their SQL.

The widgets live in the sidebar that app.py draws before any page runs. Each is bound to a
URL query parameter (its key is the parameter's name: ?year=2021&type=疫情防控&score=60&score=90),
so a filtered view can be shared by copying the address, and since app.py draws them on every
page their values survive page switches. Pages read the current values with `current()`, and
charts narrow the view by writing a widget's key in session_state from an on_select callback
(`narrow`), which the binding then writes into the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from dashboard import db, texts
from dashboard.audit_config import active_config
from dashboard.untrusted import markdown_literal

# Grades, best first, as the active audit configuration defines them.
GRADES: tuple[str, ...] = active_config().grades
SCORE_LIMITS = (0, 100)
RATE_LIMITS = (0, 100)  # percent; the ends are open (≤ lo end, ≥ hi end)
STATUSES = tuple(texts.FILTER_STATUS_OPTIONS)
MONEY_UNITS = tuple(texts.MONEY_UNITS)
DEFAULT_MONEY_UNIT = "万元"

# Widget keys = URL query parameter names.
KEY_YEAR = "year"
KEY_DEPARTMENT = "dept"
KEY_UNIT = "unit"
KEY_TYPE = "type"
KEY_GRADE = "grade"
KEY_SCORE = "score"
KEY_RATE = "rate"
KEY_STATUS = "status"
KEY_SEARCH = "q"
KEY_MONEY = "money"

DEFAULTS: dict[str, object] = {
    KEY_YEAR: [],
    KEY_DEPARTMENT: [],
    KEY_UNIT: [],
    KEY_TYPE: [],
    KEY_GRADE: [],
    KEY_SCORE: SCORE_LIMITS,
    KEY_RATE: RATE_LIMITS,
    KEY_STATUS: "all",
    KEY_SEARCH: "",
}


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to; the default value shows everything."""

    years: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # texts.UNIT_BLANK stands for "实施单位 not filled in"
    types: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()  # from GRADES, or texts.GRADE_NONE for forms without 总分
    score_range: tuple[float, float] = SCORE_LIMITS
    rate_range: tuple[float, float] = RATE_LIMITS  # percent
    status: str = "all"  # all | active | stopped
    search: str = ""

    @property
    def active(self) -> bool:
        return self != Filters()


def from_state(state: Mapping) -> Filters:
    """Filters from widget values (session_state or any mapping of the widget keys)."""

    def values(key: str) -> tuple:
        return tuple(state.get(key) or ())

    def span(key: str, limits: tuple[float, float]) -> tuple[float, float]:
        value = state.get(key)
        if not value or len(value) != 2:
            return limits
        return (float(value[0]), float(value[1]))

    status = state.get(KEY_STATUS) or "all"
    return Filters(
        years=tuple(int(year) for year in values(KEY_YEAR)),
        departments=values(KEY_DEPARTMENT),
        units=values(KEY_UNIT),
        types=values(KEY_TYPE),
        grades=values(KEY_GRADE),
        score_range=span(KEY_SCORE, SCORE_LIMITS),
        rate_range=span(KEY_RATE, RATE_LIMITS),
        status=status if status in STATUSES else "all",
        search=str(state.get(KEY_SEARCH) or "").strip(),
    )


def current() -> Filters:
    return from_state(st.session_state)


def start_page(title: str, intro: str) -> Filters:
    """A page's opening: title, what it shows, the database check (stops the page if there is
    nothing to show), and the filters in force, said in words."""
    st.title(title, anchor=False)
    st.caption(intro)
    db.require_data()
    if note := db.not_counted_note():  # incomplete and 可能重复 forms never count silently
        st.info(note, icon=":material/info:")
    current_filters = current()
    st.caption(markdown_literal(describe(current_filters)))  # names and the search text are data
    return current_filters


def money_unit() -> str:
    value = st.session_state.get(KEY_MONEY)
    return value if value in MONEY_UNITS else DEFAULT_MONEY_UNIT


# --- SQL ---------------------------------------------------------------------------------------------------


def where_sql(filters: Filters, alias: str = "o", indicator_alias: str | None = None) -> tuple[str, list]:
    """A WHERE condition over `form_overview` (as `alias`) and its parameters; "TRUE" when unfiltered.

    With `indicator_alias` (a query over `indicators` joined to form_overview), the text search
    matches the project name or that indicator's name; otherwise the project name or any of the
    form's indicator names.
    """
    o = alias
    parts: list[str] = []
    params: list = []

    def any_of(column: str, values: tuple) -> None:
        parts.append(f"{column} IN (SELECT unnest(?))")
        params.append(list(values))

    def one_of_or_blank(column: str, values: tuple, blank_token: str, blank_sql: str) -> None:
        """column IN values, where `blank_token` among the values stands for `blank_sql`."""
        named = [value for value in values if value != blank_token]
        options = []
        if named:
            options.append(f"{column} IN (SELECT unnest(?))")
            params.append(named)
        if blank_token in values:
            options.append(blank_sql)
        parts.append("(" + " OR ".join(options) + ")")

    if filters.years:
        any_of(f"{o}.year", filters.years)
    if filters.departments:
        any_of(f"{o}.department", filters.departments)
    if filters.units:
        one_of_or_blank(f"trim({o}.unit)", filters.units, texts.UNIT_BLANK, f"nullif(trim({o}.unit), '') IS NULL")
    if filters.types:
        any_of(f"{o}.project_type", filters.types)
    if filters.grades:
        one_of_or_blank(f"{o}.grade", filters.grades, texts.GRADE_NONE, f"{o}.grade IS NULL")
    if tuple(filters.score_range) != SCORE_LIMITS:
        parts.append(f"{o}.total_score BETWEEN ? AND ?")
        params.extend(filters.score_range)
    low, high = filters.rate_range
    if low > RATE_LIMITS[0]:
        parts.append(f"{o}.exec_rate >= ?")
        params.append(low / 100)
    if high < RATE_LIMITS[1]:
        parts.append(f"{o}.exec_rate <= ?")
        params.append(high / 100)
    if filters.status == "stopped":
        parts.append(f"{o}.status = ?")
        params.append(texts.STATUS_STOPPED)
    elif filters.status == "active":
        parts.append(f"({o}.status IS NULL OR {o}.status <> ?)")
        params.append(texts.STATUS_STOPPED)
    if filters.search:
        needle = filters.search.lower()
        if indicator_alias:
            parts.append(f"(contains(lower({o}.project_name), ?) OR contains(lower({indicator_alias}.name), ?))")
        else:
            parts.append(
                f"(contains(lower({o}.project_name), ?) OR {o}.form_id IN "
                "(SELECT form_id FROM indicators WHERE contains(lower(name), ?)))"
            )
        params.extend([needle, needle])
    return (" AND ".join(parts) or "TRUE"), params


# --- in words ----------------------------------------------------------------------------------------------


def describe(filters: Filters) -> str:
    """The active filters in one Chinese line, for page captions."""
    if not filters.active:
        return texts.FILTER_NONE_ACTIVE
    parts = []
    for label, values in (
        (texts.FILTER_YEAR, filters.years),
        (texts.FILTER_DEPARTMENT, filters.departments),
        (texts.FILTER_UNIT, filters.units),
        (texts.FILTER_TYPE, filters.types),
        (texts.FILTER_GRADE, filters.grades),
    ):
        if values:
            parts.append(f"{label} {'、'.join(map(str, values))}")
    if tuple(filters.score_range) != SCORE_LIMITS:
        parts.append(f"{texts.FILTER_SCORE} {filters.score_range[0]:g}–{filters.score_range[1]:g}")
    if tuple(filters.rate_range) != RATE_LIMITS:
        low, high = filters.rate_range
        parts.append(f"{texts.FILTER_RATE} {low:g}–{high:g}{'+' if high >= RATE_LIMITS[1] else ''}")
    if filters.status != "all":
        parts.append(texts.FILTER_STATUS_OPTIONS[filters.status])
    if filters.search:
        parts.append(texts.FILTER_TEXT_SEARCH.format(text=filters.search))
    return texts.FILTER_ACTIVE.format(summary=texts.FILTER_SEPARATOR.join(parts))


# --- widgets -----------------------------------------------------------------------------------------------


def render_sidebar(options: dict | None) -> None:
    """Draw the filter widgets (bound to the URL). `options` None: the database is not readable."""
    sidebar = st.sidebar
    sidebar.header(texts.FILTERS_HEADER, help=texts.FILTERS_HELP)
    if options is None:
        found = db.problem()
        sidebar.caption(texts.FILTERS_UNAVAILABLE if found and found[0] != "missing" else texts.FILTERS_NO_DATA)
        return
    bound = {"bind": "query-params"}
    sidebar.text_input(texts.FILTER_SEARCH, key=KEY_SEARCH, placeholder=texts.FILTER_SEARCH_PLACEHOLDER, **bound)
    sidebar.multiselect(
        texts.FILTER_YEAR, options["years"], key=KEY_YEAR, format_func=str, placeholder=texts.FILTER_ALL, **bound
    )
    sidebar.multiselect(
        texts.FILTER_DEPARTMENT, options["departments"], key=KEY_DEPARTMENT, placeholder=texts.FILTER_ALL, **bound
    )
    units = list(options["units"]) + ([texts.UNIT_BLANK] if options["has_blank_unit"] else [])
    sidebar.multiselect(texts.FILTER_UNIT, units, key=KEY_UNIT, placeholder=texts.FILTER_ALL, **bound)
    sidebar.multiselect(texts.FILTER_TYPE, options["types"], key=KEY_TYPE, placeholder=texts.FILTER_ALL, **bound)
    sidebar.multiselect(
        texts.FILTER_GRADE,
        [*GRADES, texts.GRADE_NONE],
        key=KEY_GRADE,
        placeholder=texts.FILTER_ALL,
        help=texts.FILTER_GRADE_HELP,
        **bound,
    )
    sidebar.slider(
        texts.FILTER_SCORE, *SCORE_LIMITS, value=SCORE_LIMITS, step=1, key=KEY_SCORE, help=texts.FILTER_SCORE_HELP,
        **bound,
    )  # fmt: skip
    sidebar.slider(
        texts.FILTER_RATE, *RATE_LIMITS, value=RATE_LIMITS, step=1, key=KEY_RATE, help=texts.FILTER_RATE_HELP,
        **bound,
    )  # fmt: skip
    sidebar.segmented_control(
        texts.FILTER_STATUS,
        STATUSES,
        default="all",
        format_func=texts.FILTER_STATUS_OPTIONS.get,
        key=KEY_STATUS,
        required=True,
        **bound,
    )
    sidebar.button(texts.FILTER_RESET, on_click=reset, icon=":material/filter_alt_off:", disabled=not current().active)
    sidebar.divider()
    sidebar.segmented_control(
        texts.FILTER_MONEY_UNIT, MONEY_UNITS, default=DEFAULT_MONEY_UNIT, key=KEY_MONEY, required=True, **bound
    )


def reset() -> None:
    """Callback: every filter back to its default (the URL follows)."""
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
            st.page_link("app_pages/import_page.py", label=texts.GO_IMPORT, icon=":material/upload_file:")
