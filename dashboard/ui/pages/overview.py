"""总览: the forms under the filters at a glance.

Cards: forms, projects, Σ全年预算数, Σ全年执行数, the overall 执行率 (Σ executed ÷ Σ budget),
the average 总分, forms per grade band, deducted indicators and deductions without a reason.
Charts: 执行率 and average 总分 per 单位 and per project type, the 总分 distribution, budget
against executed. Clicking a bar narrows the filters to it. Under the charts, the per-type
summary as a table to download.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dashboard.audit import rectify
from dashboard.audit.config import grade_of
from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.queries import filters, key_figures, queries
from dashboard.queries import review_queries as rq
from dashboard.security.untrusted import plotly_literal
from dashboard.ui import as_of_view, db, download_buttons, filter_widgets, page_data, paging, styles, yoy_view
from dashboard.ui import table_columns as cols

COLOR_RATE = "#2e86c1"
COLOR_SCORE = "#5d6d7e"  # slate: the 差 red is kept for bad news
COLOR_BUDGET = "#b3b6b7"
COLOR_EXECUTED = "#2e86c1"
CHART_FONT = {"size": 14}
# Bars a group chart draws; the remaining groups are summed into one "其他" bar.
TOP_GROUPS = 15
# No plotly toolbar: leadership clicks bars, it does not zoom or pan.
PLOT_CONFIG = {"displayModeBar": False}


PROJECTS_PAGE = "ui/pages/projects.py"
NOT_GRADED_TOGGLE = "overview_not_graded_list"
# Set by a card's 明细 button (open_rows) and the button under the 不评级 list: (the page its rows are listed on,
# the filters narrowed), opened by the next run with those filters in its URL (url_with).
_OPEN_PAGE = "overview_open_page"
DEDUCTIONS_PAGE = "ui/pages/deductions.py"
UNITS_PAGE_KEY = "overview_units_page"
KEY_UNIT_ORDER = "uorder"  # the units table's order, bound to the URL like the sidebar's filters
# Each section of cards by its place in key_figures.sections (widget keys stay put when sections move).
SECTION_KEYS = {texts.SECTION_MONEY_SCORE: 0, texts.SECTION_FORMS_DEDUCTIONS: 1, texts.SECTION_GRADES: 2}


def main() -> None:
    if opened := st.session_state.pop(_OPEN_PAGE, None):  # a card's 明细 button (open_rows)
        target, narrowed = opened
        st.switch_page(target, query_params=url_with(narrowed))
    as_of_view.choice()  # a lake: 总览 as of a past snapshot (drawn before start_page, which may stop the page)
    current = filter_widgets.start_page(texts.OVERVIEW_TITLE, texts.OVERVIEW_INTRO)
    unit = filter_widgets.money_unit()

    figures = page_data.read(queries.kpis, current)
    if figures["forms"] == 0:
        filter_widgets.show_no_match()
        return
    st.container(key=styles.PRINT_HINT_KEY).caption(texts.OVERVIEW_PRINT_HINT)  # not on a phone (styles.py)
    # Money and grades first, then the first charts (on a phone within the first screen), then forms and deductions.
    sections = key_figures.sections(figures, unit)
    deltas = yoy_view.card_deltas(current, unit)
    first, then = (
        [s for s in sections if s[0] != texts.SECTION_FORMS_DEDUCTIONS],
        [s for s in sections if s[0] == texts.SECTION_FORMS_DEDUCTIONS],
    )

    # Charts draw the TOP_GROUPS largest groups and one bar for the rest: thousands of units stay readable.
    by_org = page_data.read(queries.group_summary, current, "org", TOP_GROUPS)
    by_type = page_data.read(queries.group_summary, current, "project_type")
    type_bars = by_type  # the types are usually few: then the bars are the summary's rows, without a second query
    if len(by_type) > TOP_GROUPS:
        type_bars = page_data.read(queries.group_summary, current, "project_type", TOP_GROUPS)
    show_cards(first, figures, deltas)
    if figures["not_graded"] and st.session_state.get(NOT_GRADED_TOGGLE):
        not_graded_list(current, figures["not_graded"], unit)
    left, right = st.columns(2, gap="large")
    with left:
        rate_and_score_chart(type_bars, texts.CHART_BY_TYPE, "overview_by_type", on_type_click)
    with right:
        budget_chart(type_bars, unit)
    show_cards(then, figures, deltas)
    signal_forms_card(current)
    rectify_card()
    with st.container(horizontal=True, vertical_alignment="center"):
        download_buttons.report_button(current, key="overview_report", as_of=db.run_as_of())
        st.page_link("ui/pages/department_page.py", label=texts.DEPARTMENT_PAGE_LINK, icon=":material/account_balance:")
    left, right = st.columns(2, gap="large")
    with left:
        named = by_org[~by_org["is_rest"]]
        org_title = texts.CHART_BY_ORG_DEPT if named["grp_is_department"].all() else texts.CHART_BY_ORG
        rate_and_score_chart(by_org, org_title, "overview_by_org", on_org_click)
    with right:
        score_distribution_chart(page_data.read(queries.score_bins, current))
        if figures["not_graded"]:
            st.caption(texts.NOT_GRADED_SCORE_DIST.format(n=fmt.count_text(figures["not_graded"])))

    units_section(current, unit)

    st.subheader(texts.SUMMARY_TABLE, anchor=False)
    summary = summary_table(by_type, unit)
    st.dataframe(
        summary, hide_index=True, width="stretch", column_config=summary_config(unit), placeholder=texts.DASH,
        height=min(38 + 35 * len(summary), 720),
    )  # fmt: skip
    download_buttons.download_buttons(summary, texts.SUMMARY_FILE, key="overview_summary_download")
    yoy_view.show(current)


# --- cards -------------------------------------------------------------------------------------------------


def show_cards(
    sections: list[tuple[str, list[key_figures.Card]]],
    figures: dict,
    deltas: dict[str, tuple[str, yoy_view.DeltaColor]] | None = None,
) -> None:
    """Rows of cards, one per section of key_figures.sections (money and score, forms and deductions, grades):
    the grades coloured, each with its share (key_figures.grade_shares), and with 不评级 beside them and, under
    it, a switch listing those forms; `deltas`: {label: (change against the previous year, delta colour)}. Under the
    cards of forms, deductions and grades a 明细 button opens the rows behind the number (card_target)."""
    for title, cards in sections:
        index = SECTION_KEYS[title]
        st.markdown(f"##### {title}")
        grades = title == texts.SECTION_GRADES
        shares = key_figures.grade_shares(figures) if grades else {}
        with st.container(key=f"{styles.CARD_ROW_KEY}_{index}"):
            columns = card_row(cards, deltas=deltas or {}, shares=shares, grade_keys=grades)
        labels = [label for label, _, _ in cards]
        for column, label in zip(columns, labels, strict=False):
            target = card_target(label)
            if target is not None:
                page, narrowed = target
                column.button(
                    texts.CARD_OPEN_ROWS, key=f"overview_open_{index}_{labels.index(label)}", type="tertiary",
                    icon=":material/arrow_forward:", on_click=open_rows, args=(page, narrowed),
                    help=texts.CARD_OPEN_ROWS_HELP,
                )  # fmt: skip
        if texts.NOT_GRADED in labels and figures["not_graded"]:  # under the row: a phone's column is narrow
            st.toggle(
                texts.NOT_GRADED_LIST.format(n=fmt.count_text(figures["not_graded"])), key=NOT_GRADED_TOGGLE,
                help=texts.NOT_GRADED_LIST_HELP,
            )  # fmt: skip


def card_target(label: str) -> tuple[str, dict] | None:
    """Where a card's rows are listed: (page, filters to narrow to) — a grade to 项目 filtered to that grade,
    deductions to 扣分指标 (those without a reason with its switch on), 自评表 and 项目 to 项目; None for
    the money and score cards (their rows are the forms the 自评表 card opens)."""
    if label in filters.grades() or label in (texts.NOT_GRADED, texts.GRADE_NONE):
        return PROJECTS_PAGE, {filters.KEY_GRADE: [label]}
    if label == texts.KPI_DEDUCTED:
        return DEDUCTIONS_PAGE, {}
    if label == texts.KPI_UNEXPLAINED:
        return DEDUCTIONS_PAGE, {filter_widgets.KEY_NO_REASON: True}
    if label in (texts.KPI_FORMS, texts.KPI_PROJECTS):
        return PROJECTS_PAGE, {}
    return None


def open_rows(page: str, narrowed: dict) -> None:
    """Callback of a card's 明细 button: narrow the filters (the others stay) and open `page` on the next run."""
    filter_widgets.narrow(**narrowed)
    st.session_state[_OPEN_PAGE] = (page, narrowed)


def url_with(narrowed: dict) -> dict[str, list[str]]:
    """The opened page's query: the narrowed values of its own widgets (扣分指标's switch), which, created there
    with a value from session_state, would not write it to the URL themselves. The sidebar's filters are not
    given: they are bound to the URL (Streamlit refuses a value for them) and write theirs back."""
    sidebar = {*filters.DEFAULTS, filters.KEY_MONEY}
    return {
        key: [str(v) for v in value] if isinstance(value, list) else [str(value).lower()]
        for key, value in narrowed.items()
        if key not in sidebar
    }


def signal_forms_card(current: filters.Filters) -> None:
    """How many forms carry a warning-level risk signal, with a link to the 复核 page's 风险信号 view."""
    n = page_data.read(rq.warning_signal_forms, current)
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.metric(
        texts.OVERVIEW_SIGNAL_FORMS,
        texts.OVERVIEW_SIGNAL_FORMS_VALUE.format(n=fmt.count_text(n)),
        help=texts.OVERVIEW_SIGNAL_FORMS_HELP,
        border=True,
    )
    right.page_link("ui/pages/review_page.py", label=texts.OVERVIEW_SIGNAL_LINK, icon=":material/flag:")


def rectify_card() -> None:
    """整改 items not yet verified and, of those, overdue (issue 20), with a link to the 整改 page."""
    counts = page_data.read(rectify.counts)
    left, middle, right = st.columns([1, 1, 2], vertical_alignment="center")
    left.metric(
        texts.OVERVIEW_RECTIFY_OPEN, fmt.count_text(counts["open"]), help=texts.OVERVIEW_RECTIFY_HELP, border=True
    )
    middle.metric(texts.OVERVIEW_RECTIFY_OVERDUE, fmt.count_text(counts["overdue"]), border=True)
    right.page_link(
        "ui/pages/rectify_page.py", label=texts.OVERVIEW_RECTIFY_LINK, icon=":material/assignment_turned_in:"
    )


def card_row(
    cards: list[tuple[str, str, str | None]],
    widths: list[float] | None = None,
    deltas: dict[str, tuple[str, yoy_view.DeltaColor]] | None = None,
    shares: dict[str, str] | None = None,
    grade_keys: bool = False,
) -> list:
    """One row of bordered metric cards of equal height, each with its change where `deltas` has one (or its
    share where `shares` has one); `grade_keys`: each card in a container keyed by its grade's colour
    (styles.GRADE_CARD_KEY). Returns the row's columns (a card's column can hold more below it)."""
    columns = st.columns(widths or max(4, len(cards)))
    for column, (label, value, help_text) in zip(columns, cards, strict=False):
        delta: str | None = None
        color: yoy_view.DeltaColor | Literal["off"] = "normal"
        arrow: Literal["auto", "off"] = "auto"
        if deltas and label in deltas:
            delta, color = deltas[label]
        elif shares and shares.get(label):
            delta, color, arrow = shares[label], "off", "off"
        holder = column.container(key=grade_card_key(label)) if grade_keys else column
        holder.metric(label, value, delta=delta, delta_color=color, delta_arrow=arrow, help=help_text, border=True)
    return columns


def grade_card_key(label: str) -> str:
    """The container key giving a grade card its colour (styles.apply): the grade's place in the palette."""
    color = key_figures.grade_color(label, key_figures.GRADE_CHART_COLORS, key_figures.NO_GRADE_CHART_COLOR)
    if color in key_figures.GRADE_CHART_COLORS:
        return f"{styles.GRADE_CARD_KEY}{key_figures.GRADE_CHART_COLORS.index(color)}"
    return f"{styles.GRADE_CARD_KEY}other_{'ng' if label == texts.NOT_GRADED else 'none'}"


def not_graded_list(current: filters.Filters, count: int, unit: str) -> None:
    """The forms on the 不评级 card (its first page), with why each is not graded, and a link to 项目 filtered
    to them (the sidebar's other filters kept)."""
    scope = dataclasses.replace(current, grades=(texts.NOT_GRADED,))
    rows = page_data.read(queries.form_page, scope, 0)
    table = not_graded_table(rows, unit)
    st.dataframe(table, hide_index=True, width="stretch", placeholder=texts.DASH, key="overview_not_graded_table",
                 column_config={texts.COL["total_score"]: cols.score_column(texts.COL["total_score"])})  # fmt: skip
    if count > len(table):
        st.caption(texts.YOY_MORE_ROWS.format(shown=len(table), total=fmt.count_text(count)))
    st.button(texts.NOT_GRADED_OPEN_PROJECTS, key="overview_not_graded_open", on_click=open_not_graded_projects,
              icon=":material/table_view:", type="tertiary")  # fmt: skip


def open_not_graded_projects() -> None:
    """Callback: narrow the grade filter to 不评级 (the other filters stay) and open 项目 on the next run."""
    open_rows(PROJECTS_PAGE, {filters.KEY_GRADE: [texts.NOT_GRADED]})


def not_graded_table(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Forms that are not graded as the 总览 list shows them: name, 单位, year, 总分, 全年预算数, the reason."""
    col = texts.COL
    return pd.DataFrame(
        {
            col["project_name"]: rows["project_name"],
            col["org"]: rows["org"].map(fmt.text_or_dash),
            col["year"]: rows["year"].astype("Int64"),
            col["total_score"]: rows["total_score"],
            col["budget"].format(unit=unit): rows["budget"].map(lambda v: fmt.money_text(v, unit, False)),
            texts.NOT_GRADED_COLUMN: rows["not_graded"].map(key_figures.not_graded_reason_text),
        }
    )


# --- charts ------------------------------------------------------------------------------------------------


def _layout(fig: go.Figure, title: str, height: int, **kwargs) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 17}},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        font=CHART_FONT,
        clickmode="event+select",
        uniformtext={"minsize": 11, "mode": "hide"},
        **kwargs,
    )
    fig.update_traces(textangle=0, cliponaxis=False)
    return fig


def _bar_height(count: int) -> int:
    return max(320, 110 + 56 * count)


def bar_labels(frame: pd.DataFrame) -> tuple[list[str], list]:
    """Bar labels and click data of group rows; the summed rest is "其他 N 个" and narrows nothing."""
    labels: list[str] = []
    custom: list[list] = []
    for grp, is_department, is_rest, groups in zip(
        frame["grp"], frame["grp_is_department"], frame["is_rest"], frame["groups"], strict=True
    ):
        if is_rest:
            labels.append(texts.CHART_OTHERS.format(count=f"{int(groups):,}"))
            custom.append([None, None])
        else:
            labels.append(texts.ORG_BLANK if fmt.is_missing(grp) else str(grp))
            custom.append(["" if fmt.is_missing(grp) else grp, bool(is_department)])
    return labels, custom


def rate_and_score_chart(groups: pd.DataFrame, title: str, key: str, on_click) -> None:
    """Horizontal bars per group in two panels side by side, each on its own axis: 执行率 (%) on the left,
    average 总分 on the right (never one axis for a percentage and a score)."""
    frame = groups.iloc[::-1]  # plotly draws the first row at the bottom
    labels, custom = bar_labels(frame)
    rate = (frame["exec_rate"] * 100).round(2)
    score = frame["avg_score"].round(2)
    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
        subplot_titles=(texts.SERIES_RATE, texts.SERIES_AVG_SCORE),
    )  # fmt: skip
    fig.add_bar(
        y=labels, x=rate, name=texts.SERIES_RATE, orientation="h", marker_color=COLOR_RATE, customdata=custom,
        text=[fmt.percent_value_text(v) for v in rate], textposition="auto",
        hovertemplate="%{y}<br>" + texts.SERIES_RATE + "：%{x:.2f}%<extra></extra>", row=1, col=1,
    )  # fmt: skip
    fig.add_bar(
        y=labels, x=score, name=texts.SERIES_AVG_SCORE, orientation="h", marker_color=COLOR_SCORE, customdata=custom,
        text=[fmt.points_text(v) for v in score], textposition="auto",
        hovertemplate="%{y}<br>" + texts.SERIES_AVG_SCORE + "：%{x:.2f}<extra></extra>", row=1, col=2,
    )  # fmt: skip
    rate_top = max(100.0, float(rate.max(skipna=True) or 0) * 1.08)
    _layout(fig, title, _bar_height(len(frame)), showlegend=False)
    fig.update_xaxes(range=[0, rate_top], ticksuffix="%", row=1, col=1)
    fig.update_xaxes(range=[0, 100 * 1.08], row=1, col=2)
    fig.update_yaxes(automargin=True, type="category")
    fig.update_annotations(font={"size": 13})
    plotly_literal(fig)  # names from forms are data, not Plotly markup
    st.plotly_chart(fig, key=key, on_select=on_click, selection_mode="points", width="stretch", config=PLOT_CONFIG)
    rest = groups[groups["is_rest"]]
    if not rest.empty:
        shown = len(groups) - len(rest)
        st.caption(texts.CHART_TOP_N.format(shown=shown, rest=f"{int(rest['groups'].iloc[0]):,}"))
    st.caption(texts.CHART_CLICK_HINT)


def score_distribution_chart(bins: pd.DataFrame) -> None:
    """Forms per 总分 band of 10 points, coloured by grade; a click narrows the 总分 range."""
    labels: list[str] = []
    colors: list[str] = []
    custom: list[list] = []
    for row in bins.itertuples():
        if fmt.is_missing(row.lo):
            labels.append(texts.SCORE_BIN_NONE)
            colors.append(key_figures.NO_GRADE_CHART_COLOR)
            custom.append([None, None])
            continue
        lo, hi = int(row.lo), int(row.hi)
        labels.append(texts.SCORE_BIN_LABEL.format(lo=lo, hi=hi))
        colors.append(
            key_figures.grade_color(grade_of(lo), key_figures.GRADE_CHART_COLORS, key_figures.NO_GRADE_CHART_COLOR)
        )
        custom.append([lo, hi])
    fig = go.Figure()
    fig.add_bar(
        x=labels, y=bins["forms"], marker_color=colors, customdata=custom, text=bins["forms"], textposition="outside",
        hovertemplate="%{x}：%{y} " + texts.KPI_FORMS + "<extra></extra>", showlegend=False,
    )  # fmt: skip
    _layout(
        fig, texts.CHART_SCORE_DIST, 380,
        xaxis={"title": texts.AXIS_SCORE_BIN, "type": "category"},
        yaxis={
            "title": texts.AXIS_FORMS,
            "range": [0, float(bins["forms"].max()) * 1.2 + 0.5],
            "dtick": max(1, math.ceil(float(bins["forms"].max()) / 5)),  # whole forms only
        },
    )  # fmt: skip
    st.plotly_chart(
        fig, key="overview_scores", on_select=on_score_click, selection_mode="points", width="stretch",
        config=PLOT_CONFIG,
    )  # fmt: skip
    st.caption(texts.CHART_CLICK_HINT)


def budget_chart(by_type: pd.DataFrame, unit: str) -> None:
    """全年预算数 against 全年执行数 per project type, in the chosen money unit."""
    frame = by_type.iloc[::-1]
    labels, custom = bar_labels(frame)
    fig = go.Figure()
    for column, name, color in (
        ("budget", texts.SERIES_BUDGET, COLOR_BUDGET),
        ("executed", texts.SERIES_EXECUTED, COLOR_EXECUTED),
    ):
        fig.add_bar(
            y=labels, x=frame[column].map(lambda v: fmt.in_unit(v, unit)), name=name, orientation="h",
            marker_color=color, customdata=custom, textposition="auto",
            text=[fmt.money_text(v, unit, with_unit=False) for v in frame[column]],
            hovertemplate="%{y}<br>" + name + "：%{x:,.2f} " + unit + "<extra></extra>",
        )  # fmt: skip
    _layout(fig, texts.CHART_BUDGET_EXEC, _bar_height(len(frame)), barmode="group",
            xaxis={"title": texts.AXIS_MONEY.format(unit=unit), "tickformat": ",.0f"})  # fmt: skip
    fig.update_yaxes(automargin=True)
    plotly_literal(fig)
    st.plotly_chart(
        fig, key="overview_budget", on_select=on_type_click_budget, selection_mode="points", width="stretch"
    )
    st.caption(texts.CHART_CLICK_HINT)


# --- clicks narrow the filters -----------------------------------------------------------------------------


def _clicked(chart_key: str) -> list | None:
    event = st.session_state.get(chart_key)
    points = (event or {}).get("selection", {}).get("points", [])
    for point in points:
        if point.get("customdata") is not None:
            return point["customdata"]
    return None


def _narrow_to_group(chart_key: str, by: str) -> None:
    custom = _clicked(chart_key)
    if not custom or custom[0] is None:  # nothing, or the summed "其他" bar
        return
    value, is_department = custom[0], custom[1]
    if by == "project_type":
        filter_widgets.narrow(**{filters.KEY_TYPE: [value]})
    elif is_department:
        filter_widgets.narrow(**{filters.KEY_DEPARTMENT: [value]})
    else:
        filter_widgets.narrow(**{filters.KEY_UNIT: [value]})


def on_org_click() -> None:
    _narrow_to_group("overview_by_org", "org")


def on_type_click() -> None:
    _narrow_to_group("overview_by_type", "project_type")


def on_type_click_budget() -> None:
    _narrow_to_group("overview_budget", "project_type")


def on_score_click() -> None:
    custom = _clicked("overview_scores")
    if not custom:
        return
    if custom[0] is None:
        filter_widgets.narrow(**{filters.KEY_GRADE: [texts.GRADE_NONE]})
    else:
        filter_widgets.narrow(**{filters.KEY_SCORE: (int(custom[0]), int(custom[1]))})


# --- the units side by side --------------------------------------------------------------------------------


def units_section(current: filters.Filters, unit: str) -> None:
    """Every 单位 in one table (summed in DuckDB: queries.unit_rows), one page at a time, in the order picked
    (bound to the URL); the grid sorts the page by any column; the whole table downloads."""
    st.subheader(texts.UNITS_TABLE, anchor=False)
    st.caption(texts.UNITS_TABLE_HINT)
    total = page_data.read(queries.unit_count, current)
    order = st.segmented_control(
        texts.UNITS_ORDER, list(texts.UNITS_ORDER_OPTIONS), default="budget", required=True, key=KEY_UNIT_ORDER,
        format_func=texts.UNITS_ORDER_OPTIONS.__getitem__, bind="query-params",
    )  # fmt: skip
    order = order if order in queries.UNIT_ORDERS else "budget"
    offset = paging.pick_offset(total, UNITS_PAGE_KEY)
    table = units_table(page_data.read(queries.unit_rows, current, order, offset, queries.PAGE_SIZE), unit)
    st.caption(paging.shown_text(offset, len(table), total))
    st.dataframe(
        table, hide_index=True, width="stretch", column_config=units_config(unit), placeholder=texts.DASH,
        height=min(38 + 35 * len(table), 600), key="overview_units_table",
    )  # fmt: skip
    download_buttons.table_download_buttons(
        lambda: units_table(page_data.read_whole(queries.unit_rows, current, order), unit), total,
        texts.UNITS_FILE, key="overview_units_download",
    )  # fmt: skip


def units_table(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """queries.unit_rows as shown and downloaded: 单位 (名称（编码）), forms, money in `unit`, 执行率 in percent,
    average 总分, forms per grade and not graded, deductions, points lost, without a reason, risk signals."""
    col = texts.COL
    columns: dict[str, object] = {
        texts.UNITS_COLUMNS["org"]: [
            texts.ORG_BLANK if fmt.is_missing(org) else (texts.UNITS_DEPARTMENT.format(org=org) if dept else str(org))
            for org, dept in zip(rows["org"], rows["org_is_department"], strict=True)
        ],
        col["forms"]: rows["forms"].astype(int),
        col["budget"].format(unit=unit): rows["budget"].map(lambda v: fmt.in_unit(v, unit)),
        col["executed"].format(unit=unit): rows["executed"].map(lambda v: fmt.in_unit(v, unit)),
        col["exec_rate_pct"]: (rows["exec_rate"] * 100).round(2),
        col["avg_score"]: rows["avg_score"].round(2),
    }
    for index, grade in enumerate(filters.grades()):
        columns[grade] = rows[f"grade_{index}"].astype(int)
    columns[texts.NOT_GRADED] = rows["not_graded"].astype(int)
    columns[col["deducted_count"]] = rows["deducted"].astype(int)
    columns[col["points_lost"]] = rows["points_lost"].astype(float).round(2)
    columns[col["unexplained_count"]] = rows["unexplained"].astype(int)
    columns[texts.UNITS_COLUMNS["signals"]] = rows["signal_forms"].astype(int)
    return pd.DataFrame(columns)


def units_config(unit: str) -> dict:
    col = texts.COL
    return {
        texts.UNITS_COLUMNS["org"]: st.column_config.TextColumn(
            texts.UNITS_COLUMNS["org"], width="medium", pinned=True
        ),
        col["budget"].format(unit=unit): cols.money_column(col["budget"].format(unit=unit)),
        col["executed"].format(unit=unit): cols.money_column(col["executed"].format(unit=unit)),
        col["exec_rate_pct"]: cols.percent_column(col["exec_rate_pct"]),
        col["avg_score"]: cols.score_column(col["avg_score"]),
        col["points_lost"]: cols.score_column(col["points_lost"]),
        texts.UNITS_COLUMNS["signals"]: st.column_config.NumberColumn(
            texts.UNITS_COLUMNS["signals"], help=texts.OVERVIEW_SIGNAL_FORMS_HELP
        ),
    }


# --- the summary table -------------------------------------------------------------------------------------


def summary_table(by_type: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Per project type, Chinese headings, money in the chosen unit, 执行率 in percent."""
    col = texts.COL
    return pd.DataFrame(
        {
            col["project_type"]: by_type["grp"],
            col["forms"]: by_type["forms"],
            col["budget"].format(unit=unit): by_type["budget"].map(lambda v: fmt.in_unit(v, unit)),
            col["executed"].format(unit=unit): by_type["executed"].map(lambda v: fmt.in_unit(v, unit)),
            col["exec_rate_pct"]: (by_type["exec_rate"] * 100).round(4),
            col["avg_score"]: by_type["avg_score"].round(4),
            col["deducted_count"]: by_type["deducted"],
            col["points_lost"]: by_type["points_lost"].round(4),
        }
    )


def summary_config(unit: str) -> dict:
    col = texts.COL
    return {
        col["budget"].format(unit=unit): cols.money_column(col["budget"].format(unit=unit)),
        col["executed"].format(unit=unit): cols.money_column(col["executed"].format(unit=unit)),
        col["exec_rate_pct"]: cols.percent_column(col["exec_rate_pct"]),
        col["avg_score"]: cols.score_column(col["avg_score"]),
        col["points_lost"]: cols.score_column(col["points_lost"]),
    }


main()
