"""扣分指标: every indicator whose 得分 is below its 分值, with the reason given — or "未说明原因".

Cards: how many, points lost in all, forms concerned, how many without a reason. A chart of
points lost per 二级指标 (clicking a bar keeps only that 二级指标 in the table), one per 偏差原因分类
(clicking a bar keeps only that class; the class is a column and a filter too), the list ordered
by points lost or grouped by 二级指标, and the per-二级指标 summary. Both tables download.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.queries import queries
from dashboard.security.untrusted import plotly_literal
from dashboard.ui import download_buttons, filter_widgets, form_view, page_data, paging
from dashboard.ui import table_columns as cols

CHART_KEY = "deductions_by_level2"
KEY_LEVEL2 = "l2"  # page widgets, bound to the URL like the sidebar's
KEY_ORDER = "order"
KEY_CLASS = "rc"
CLASS_CHART_KEY = "deductions_by_class"
COLOR_CLASS = "#8e44ad"
PAGE_KEY = "deductions_page"
TABLE_KEY = "deductions_table"
FORM_PARAM = "form"  # the picked row's form, in the URL like 项目's
_HAD_SELECTION = "deductions_had_selection"
COLOR_LOST = "#c0392b"
NO_REASON_STYLE = "color: #b03a2e; font-weight: 600"


def main() -> None:
    current = filter_widgets.start_page(texts.DEDUCTIONS_TITLE, texts.DEDUCTIONS_INTRO)

    summary = page_data.read(queries.deduction_summary, current)  # the chart, the cards, the table's count
    if summary.forms == 0:
        filter_widgets.show_no_match()
        return
    by_level2 = summary.by_level2
    if by_level2.empty:
        st.success(texts.DEDUCTIONS_NONE, icon=":material/check_circle:")
        return
    show_cards(summary.totals)
    points_lost_chart(by_level2)
    by_class = summary.by_class
    class_chart(by_class)

    with st.container(horizontal=True, vertical_alignment="bottom"):
        order = st.segmented_control(
            texts.DEDUCTIONS_ORDER, list(texts.DEDUCTIONS_ORDER_OPTIONS), default="points", required=True,
            format_func=texts.DEDUCTIONS_ORDER_OPTIONS.__getitem__, key=KEY_ORDER, bind="query-params",
        )  # fmt: skip
        chosen = st.multiselect(
            texts.DEDUCTIONS_LEVEL2_FILTER, by_level2["level2"].tolist(), key=KEY_LEVEL2, bind="query-params",
            placeholder=texts.FILTER_ALL, help=texts.DEDUCTIONS_LEVEL2_HELP, width=420,
        )  # fmt: skip
        chosen_classes = st.multiselect(
            texts.DEDUCTIONS_CLASS_FILTER, by_class["reason_class"].tolist(), key=KEY_CLASS, bind="query-params",
            placeholder=texts.FILTER_ALL, help=texts.DEDUCTIONS_CLASS_HELP, width=320,
        )  # fmt: skip

    no_reason = st.toggle(
        texts.DEDUCTIONS_ONLY_NO_REASON, key=filter_widgets.KEY_NO_REASON, bind="query-params",
        help=texts.DEDUCTIONS_ONLY_NO_REASON_HELP,
    )  # fmt: skip

    st.subheader(texts.DEDUCTIONS_TABLE, anchor=False)
    level2 = tuple(chosen or ())
    classes = tuple(chosen_classes or ())
    no_reason = bool(no_reason)
    picked = level2 or classes or no_reason
    total = (
        page_data.read(queries.deduction_totals, current, level2, classes, no_reason) if picked else summary.totals
    )["indicators"]
    st.markdown(texts.DEDUCTIONS_COUNT.format(n=f"{total:,}"))
    st.caption(texts.DEDUCTIONS_PICK_HINT)
    offset = paging.pick_offset(total, PAGE_KEY)
    rows = page_data.read(
        queries.deductions, current, level2, order, offset, queries.PAGE_SIZE, classes, no_reason=no_reason
    )
    table = deductions_table(rows)
    st.caption(paging.shown_text(offset, len(table), total))
    event = st.dataframe(
        # A styled table is at most one page: pandas' Styler is not for big frames.
        table.style.map(lambda v: NO_REASON_STYLE if v == texts.NO_REASON else "", subset=[texts.COL["reason"]]),
        placeholder=texts.DASH,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 600),
        column_config=table_config(),
        on_select="rerun",
        selection_mode="single-row",
        key=TABLE_KEY,
    )
    download_buttons.table_download_buttons(
        lambda: deductions_table(
            page_data.read_whole(queries.deductions, current, level2, order, classes=classes, no_reason=no_reason)
        ),
        total,
        texts.DEDUCTIONS_FILE, key="deductions_download",
    )  # fmt: skip
    picked_form(event, rows["form_id"].tolist(), current)

    st.subheader(texts.DEDUCTIONS_GROUP_TABLE, anchor=False)
    summary = level2_table(by_level2)
    st.dataframe(summary, hide_index=True, width="stretch", column_config=table_config(), placeholder=texts.DASH)
    download_buttons.download_buttons(summary, texts.DEDUCTIONS_GROUP_FILE, key="deductions_group_download")


def picked_form(event, form_ids: list[str], current) -> None:
    """The form of the row picked in the table, drawn whole under it; its id goes into the URL (?form=…), and
    a link naming a form opens it as long as it is under the filters."""
    rows = list(event.selection.rows) if event is not None else []
    if rows and rows[0] < len(form_ids):
        form_id: str | None = form_ids[rows[0]]
        st.query_params[FORM_PARAM] = form_ids[rows[0]]
    elif st.session_state.get(_HAD_SELECTION):  # the row was unpicked
        st.query_params.pop(FORM_PARAM, None)
        form_id = None
    else:
        form_id = st.query_params.get(FORM_PARAM) or None
        if form_id and not page_data.read(queries.form_matches, current, form_id):
            st.caption(texts.PROJECTS_SELECTED_GONE)
            form_id = None
    st.session_state[_HAD_SELECTION] = bool(rows)
    if not form_id:
        return
    form = page_data.read(queries.form, form_id)
    if form is None:
        return
    st.divider()
    with st.container(border=True):
        form_view.render_form(form, money_unit=filter_widgets.money_unit(), key="deductions_form")
    st.divider()


def show_cards(totals: dict) -> None:
    with st.container(horizontal=True, gap="small"):
        st.metric(texts.DEDUCTIONS_KPI_COUNT, fmt.count_text(totals["indicators"]), border=True)
        st.metric(texts.DEDUCTIONS_KPI_POINTS, fmt.points_text(totals["points_lost"]), border=True)
        st.metric(texts.DEDUCTIONS_KPI_FORMS, fmt.count_text(totals["forms"]), border=True)
        st.metric(texts.DEDUCTIONS_KPI_UNEXPLAINED, fmt.count_text(totals["unexplained"]), border=True)


def points_lost_chart(by_level2: pd.DataFrame) -> None:
    """Points lost per 二级指标; clicking a bar keeps only that category in the table."""
    clickable_bars(by_level2, "level2", texts.DEDUCTIONS_CHART, COLOR_LOST, 280, CHART_KEY, KEY_LEVEL2)
    st.caption(texts.CHART_CLICK_HINT)


def class_chart(by_class: pd.DataFrame) -> None:
    """Points lost per 偏差原因分类; clicking a bar keeps only that class in the table."""
    clickable_bars(by_class, "reason_class", texts.DEDUCTIONS_CLASS_CHART, COLOR_CLASS, 240, CLASS_CHART_KEY, KEY_CLASS)


def clickable_bars(
    rows: pd.DataFrame, column: str, title: str, color: str, min_height: int, chart_key: str, filter_key: str
) -> None:
    """Horizontal bars of points lost per `column` value, largest on top; a click puts the value in the filter
    widget `filter_key`."""
    frame = rows.iloc[::-1]
    fig = go.Figure()
    fig.add_bar(
        y=frame[column], x=frame["points_lost"].round(2), orientation="h", marker_color=color,
        customdata=frame[column], text=[fmt.points_text(v) for v in frame["points_lost"]], textposition="auto",
        hovertemplate="%{y}：%{x:.2f}<extra></extra>",
    )  # fmt: skip
    fig.update_layout(
        title={"text": title, "font": {"size": 17}},
        height=max(min_height, 100 + 44 * len(frame)),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"size": 14},
        xaxis={"title": texts.COL["points_lost"]},
        clickmode="event+select",
    )
    fig.update_yaxes(automargin=True)
    st.plotly_chart(
        plotly_literal(fig), key=chart_key, on_select=lambda: take_clicked_bar(chart_key, filter_key),
        selection_mode="points", width="stretch", config={"displayModeBar": False},
    )  # fmt: skip


def take_clicked_bar(chart_key: str, filter_key: str) -> None:
    event = st.session_state.get(chart_key) or {}
    chosen = [p["customdata"] for p in event.get("selection", {}).get("points", []) if p.get("customdata")]
    if chosen:
        st.session_state[filter_key] = chosen[:1]


def class_text(level1, level2) -> str:
    """ "外部因素 › 疫情", or the class alone where it has no subclass."""
    if fmt.is_missing(level1):
        return texts.DASH
    return (
        texts.DEDUCTIONS_CLASS_WITH_SUB.format(level1=level1, level2=level2) if not fmt.is_missing(level2) else level1
    )


def deductions_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows (already chosen and ordered by the query) as shown and downloaded: Chinese headings,
    "未说明原因" where no reason was given."""
    col = texts.COL
    reason = rows["reason"].where(~rows["no_reason"], texts.NO_REASON)
    # What lost points and why first; the indicator's context after.
    return pd.DataFrame(
        {
            col["project_name"]: rows["project_name"],
            col["org"]: rows["org"].map(fmt.text_or_dash),  # five 预算准备金 rows told apart by unit and year
            col["year"]: rows["year"].astype("Int64"),
            col["name"]: rows["name"].map(fmt.text_or_dash),
            col["points_lost"]: rows["points_lost"].round(4),
            texts.DEDUCTIONS_CLASS_COLUMN: [
                class_text(a, b) for a, b in zip(rows["reason_class"], rows["reason_subclass"], strict=True)
            ],
            col["reason"]: reason,
            col["level2"]: rows["level2"].map(fmt.text_or_dash),
            col["level1"]: rows["level1"].map(fmt.text_or_dash),
            col["target"]: rows["target"].map(fmt.text_or_dash),
            col["actual"]: rows["actual"].map(fmt.text_or_dash),
            col["weight"]: rows["weight"],
            col["score"]: rows["score"],
        }
    ).reset_index(drop=True)


def level2_table(by_level2: pd.DataFrame) -> pd.DataFrame:
    col = texts.COL
    return pd.DataFrame(
        {
            col["level2"]: by_level2["level2"],
            texts.COL_INDICATOR_COUNT: by_level2["indicators"],
            col["points_lost"]: by_level2["points_lost"].round(4),
            col["unexplained_count"]: by_level2["unexplained"],
        }
    )


def table_config() -> dict:
    col = texts.COL
    return {
        col["project_name"]: st.column_config.TextColumn(col["project_name"]),
        col["year"]: st.column_config.NumberColumn(col["year"], format="%d", width="small"),
        col["weight"]: cols.score_column(col["weight"], width="small"),
        col["score"]: cols.score_column(col["score"], width="small"),
        col["points_lost"]: cols.score_column(col["points_lost"], width="small"),
        col["reason"]: st.column_config.TextColumn(col["reason"], width="large"),
    }


main()
