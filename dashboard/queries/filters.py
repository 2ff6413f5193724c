"""The sidebar filters shared by every page, declared once, and their SQL (no Streamlit here).

The widgets (dashboard/ui/filter_widgets.py) live in the sidebar that app.py draws before any page runs.
Each is bound to a URL query parameter (its key is the parameter's name: ?year=2021&type=疫情防控&score=60&score=90),
so a filtered view can be shared by copying the address, and since app.py draws them on every
page their values survive page switches. Pages read the current values with `filter_widgets.current()`,
and charts narrow the view by writing a widget's key in session_state from an on_select callback
(`filter_widgets.narrow`), which the binding then writes into the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dashboard.audit.config import active_config
from dashboard.core import domain, texts
from dashboard.queries.key_figures import grade_bands_text


def grades() -> tuple[str, ...]:
    """Grades, best first, as the active audit configuration defines them (read at each call, never at import)."""
    return active_config().grades


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


@dataclass(frozen=True)
class ListFilter:
    """A filter choosing values from a list, declared once: its widget and URL key, the `Filters` field
    it fills, its label, the form_overview column it tests (`{o}`: the alias), where its choices come
    from, and the choice that stands for "not filled in" with its SQL."""

    key: str
    field: str
    label: str
    column: str
    options: str | None  # key of queries.filter_options(); None: the fixed `fixed` choices
    blank: str | None = None
    blank_sql: str | None = None
    blank_option: str | None = None  # key of filter_options() saying whether any form is blank here
    fixed: Callable[[], tuple] = tuple  # called at use: the choices may come from the configuration
    help_text: Callable[[], str] | None = None  # called at use, like `fixed`
    cast: Callable = str

    @property
    def help(self) -> str | None:
        return self.help_text() if self.help_text else None

    def choices(self, options: dict) -> list:
        listed = list(options[self.options]) if self.options else list(self.fixed())
        if self.blank and (self.blank_option is None or options.get(self.blank_option)):
            listed.append(self.blank)
        return listed


LIST_FILTERS: tuple[ListFilter, ...] = (
    ListFilter(KEY_YEAR, "years", texts.FILTER_YEAR, "{o}.year", "years", cast=int),
    ListFilter(KEY_DEPARTMENT, "departments", texts.FILTER_DEPARTMENT, "{o}.department", "departments"),
    ListFilter(KEY_UNIT, "units", texts.FILTER_UNIT, "{o}.unit", "units", texts.UNIT_BLANK,
               "nullif({o}.unit, '') IS NULL", blank_option="has_blank_unit"),
    ListFilter(KEY_TYPE, "types", texts.FILTER_TYPE, "{o}.project_type", "types"),
    ListFilter(KEY_GRADE, "grades", texts.FILTER_GRADE, "{o}.grade", None, texts.GRADE_NONE, "{o}.grade IS NULL",
               fixed=lambda: (*grades(), texts.NOT_GRADED),
               help_text=lambda: texts.FILTER_GRADE_BANDS_HELP.format(bands=grade_bands_text(),
                                                                      not_graded=texts.NOT_GRADED)),
)  # fmt: skip

DEFAULTS: dict[str, object] = {
    **{spec.key: [] for spec in LIST_FILTERS},
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
    grades: tuple[str, ...] = ()  # from grades(), texts.NOT_GRADED (forms not graded), texts.GRADE_NONE (no 总分)
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
        **{spec.field: tuple(spec.cast(value) for value in values(spec.key)) for spec in LIST_FILTERS},
        score_range=span(KEY_SCORE, SCORE_LIMITS),
        rate_range=span(KEY_RATE, RATE_LIMITS),
        status=status if status in STATUSES else "all",
        search=str(state.get(KEY_SEARCH) or "").strip(),
    )


# --- SQL ---------------------------------------------------------------------------------------------------


def where_sql(filters: Filters, alias: str = "o", indicator_alias: str | None = None) -> tuple[str, list]:
    """A WHERE condition over `form_overview` (as `alias`) and its parameters; "TRUE" when unfiltered.

    With `indicator_alias` (a query over `indicators` joined to form_overview), the text search
    matches the project name, that indicator's name or its reason (偏差原因分析); otherwise the project name or
    any of the form's indicator names or reasons.
    """
    o = alias
    parts: list[str] = []
    params: list = []

    for spec in LIST_FILTERS:  # column IN values, where the blank choice among the values stands for its SQL
        values = getattr(filters, spec.field)
        if not values:
            continue
        named = [value for value in values if value != spec.blank]
        options = []
        if named:
            options.append(f"{spec.column.format(o=o)} IN (SELECT unnest(?))")
            params.append(named)
        if spec.blank is not None and spec.blank_sql is not None and spec.blank in values:
            options.append(spec.blank_sql.format(o=o))
        parts.append("(" + " OR ".join(options) + ")")
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
        params.append(domain.STOPPED)
    elif filters.status == "active":
        parts.append(f"({o}.status IS NULL OR {o}.status <> ?)")
        params.append(domain.STOPPED)
    if filters.search:
        needle = filters.search.lower()
        if indicator_alias:  # the indicator's name or the reason written for it
            i = indicator_alias
            parts.append(
                f"(contains(lower({o}.project_name), ?) OR contains(lower({i}.name), ?)"
                f" OR contains(lower(coalesce({i}.reason, '')), ?))"
            )
        else:
            parts.append(
                f"(contains(lower({o}.project_name), ?) OR {o}.form_id IN "
                "(SELECT form_id FROM indicators"
                " WHERE contains(lower(name), ?) OR contains(lower(coalesce(reason, '')), ?)))"
            )
        params.extend([needle, needle, needle])
    return (" AND ".join(parts) or "TRUE"), params


# --- in words ----------------------------------------------------------------------------------------------


def describe(filters: Filters) -> str:
    """The active filters in one Chinese line, for page captions."""
    if not filters.active:
        return texts.FILTER_NONE_ACTIVE
    return texts.FILTER_ACTIVE.format(summary=summary(filters))


def summary(filters: Filters) -> str:
    """The active filters in words, without a lead-in: "年度 2021；等级 优" ("" where none is active)."""
    return texts.FILTER_SEPARATOR.join(describe_parts(filters))


def describe_parts(filters: Filters, skip: tuple[str, ...] = ()) -> list[str]:
    """Each active filter in words ("年度 2021", "总分 60–90" …); `skip`: `Filters` fields left out (the
    report says years, departments, units and types in its own sentence)."""
    parts = []
    for spec in LIST_FILTERS:
        if spec.field not in skip and (values := getattr(filters, spec.field)):
            parts.append(f"{spec.label} {'、'.join(map(str, values))}")
    if tuple(filters.score_range) != SCORE_LIMITS:
        parts.append(f"{texts.FILTER_SCORE} {filters.score_range[0]:g}–{filters.score_range[1]:g}")
    if tuple(filters.rate_range) != RATE_LIMITS:
        low, high = filters.rate_range
        parts.append(f"{texts.FILTER_RATE} {low:g}–{high:g}{'+' if high >= RATE_LIMITS[1] else ''}")
    if filters.status != "all":
        parts.append(texts.FILTER_STATUS_OPTIONS[filters.status])
    if filters.search:
        parts.append(texts.FILTER_TEXT_SEARCH.format(text=filters.search))
    return parts


# --- widgets -----------------------------------------------------------------------------------------------
