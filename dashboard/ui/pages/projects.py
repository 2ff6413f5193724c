"""项目: every form under the filters in one sortable table; a selected row opens the whole form.

Columns: name, type, 实施单位, 主管部门, year, budget, executed, 执行率, fund score, 总分, grade (不评级
for forms that are not graded, with the reason beside it; they come after every graded form), deducted
indicators (and those without a reason), findings of the checks. The selected form's id is written into
the URL (?form=…) so that a link opens the same form.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.core import domain, texts
from dashboard.core import formatting as fmt
from dashboard.core.domain import SEVERITIES
from dashboard.queries import key_figures, queries
from dashboard.ui import download_buttons, filter_widgets, form_view, history_view, page_data, paging
from dashboard.ui import table_columns as cols

TABLE_KEY = "projects_table"
PAGE_KEY = "projects_page"
FORM_PARAM = "form"
_LAST_SELECTION = "projects_last_selection"


def main() -> None:
    current = filter_widgets.start_page(texts.PROJECTS_TITLE, texts.PROJECTS_INTRO)
    unit = filter_widgets.money_unit()

    total = page_data.read(queries.kpis, current)["forms"]
    if total == 0:
        filter_widgets.show_no_match()
        return
    st.markdown(texts.PROJECTS_COUNT.format(n=f"{total:,}"))
    offset = paging.pick_offset(total, PAGE_KEY)
    page = page_data.read(queries.form_page, current, offset)
    table = projects_table(page, unit)
    st.caption(paging.shown_text(offset, len(table), total))
    event = st.dataframe(
        table,
        placeholder=texts.DASH,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 560),
        column_config=table_config(unit),
        on_select="rerun",
        selection_mode="single-row",
        key=TABLE_KEY,
    )
    download_buttons.table_download_buttons(
        lambda: projects_table(page_data.read_whole(queries.form_overview, current), unit), total, texts.PROJECTS_FILE,
        key="projects_download",
    )  # fmt: skip
    download_buttons.printed_forms_button(current, total, key="projects_printed")

    st.divider()
    under_filters = lambda form_id: page_data.read(queries.form_matches, current, form_id)  # noqa: E731
    form_id = selected_form_id(event, page["form_id"].tolist(), under_filters)
    if form_id is None:
        st.info(texts.PROJECTS_PICK, icon=":material/touch_app:")
        return
    form = page_data.read(queries.form, form_id)
    if form is None:
        st.info(texts.PROJECTS_PICK, icon=":material/touch_app:")
        return
    form_view.render_form(form, money_unit=unit, key="projects_form")
    history_view.show_history(form_id)


def selected_form_id(event, form_ids: list[str], under_filters) -> str | None:
    """The form picked in the table (`form_ids`: the rows shown); else the one in the URL (?form=…) if
    `under_filters(form_id)` says it is under the filters."""
    rows = list(event.selection.rows) if event is not None else []
    previous = st.session_state.get(_LAST_SELECTION)
    if rows and rows[0] < len(form_ids):
        form_id = form_ids[rows[0]]
        st.session_state[_LAST_SELECTION] = form_id
        st.query_params[FORM_PARAM] = form_id
        return form_id
    if previous is not None:  # the user cleared the selection
        st.session_state[_LAST_SELECTION] = None
        st.query_params.pop(FORM_PARAM, None)
        return None
    from_url = st.query_params.get(FORM_PARAM)
    if from_url and (from_url in form_ids or under_filters(from_url)):
        return from_url
    if from_url:
        st.caption(texts.PROJECTS_SELECTED_GONE)
    return None


def flags_text(row) -> str:
    """Findings of the checks in words: "错误 1 · 警告 2", or "无"."""
    parts = [
        texts.FLAG_COUNTS[severity].format(n=int(row[f"{severity}_count"]))
        for severity in SEVERITIES
        if row[f"{severity}_count"]
    ]
    return " · ".join(parts) or texts.FLAG_NONE


def projects_table(overview: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The table as shown and downloaded: Chinese headings, money in `unit`, 执行率 in percent."""
    col = texts.COL
    status = overview["status"].map(lambda v: texts.STATUS_STOPPED if domain.is_stopped(v) else texts.STATUS_ACTIVE)
    # Most telling first (name, 总分, grade, 执行率, money), where it fits without scrolling.
    table = pd.DataFrame(
        {
            col["project_name"]: overview["project_name"],
            col["total_score"]: overview["total_score"],
            col["grade"]: overview["grade"].map(lambda v: texts.GRADE_NONE if fmt.is_missing(v) else v),
            texts.NOT_GRADED_COLUMN: overview["not_graded"].map(key_figures.not_graded_reason_text),
            col["exec_rate_pct"]: (overview["exec_rate"] * 100).round(4),
            col["budget"].format(unit=unit): overview["budget"].map(lambda v: fmt.in_unit(v, unit)),
            col["executed"].format(unit=unit): overview["executed"].map(lambda v: fmt.in_unit(v, unit)),
            col["fund_score"]: overview["fund_score"],
            col["deducted_count"]: overview["deducted_count"].astype(int),
            col["unexplained_count"]: overview["unexplained_count"].astype(int),
            col["flags"]: [flags_text(row) for row in overview[[f"{s}_count" for s in SEVERITIES]].to_dict("records")],
            col["project_type"]: overview["project_type"],
            col["unit"]: overview["unit"].map(fmt.text_or_dash),
            col["department"]: overview["department"].map(fmt.text_or_dash),
            col["year"]: overview["year"].astype("Int64"),
            col["status"]: status,
        }
    )
    return table


def table_config(unit: str) -> dict:
    col = texts.COL
    return {
        col["project_name"]: st.column_config.TextColumn(col["project_name"], width="medium"),
        col["year"]: st.column_config.NumberColumn(col["year"], format="%d", width="small"),
        col["status"]: st.column_config.TextColumn(col["status"], width="small"),
        col["budget"].format(unit=unit): cols.money_column(col["budget"].format(unit=unit)),
        col["executed"].format(unit=unit): cols.money_column(col["executed"].format(unit=unit)),
        col["exec_rate_pct"]: cols.percent_column(col["exec_rate_pct"], width="small"),
        col["fund_score"]: cols.score_column(col["fund_score"], width="small"),
        col["total_score"]: cols.score_column(col["total_score"], width="small"),
        col["grade"]: st.column_config.TextColumn(col["grade"], width="small"),
        texts.NOT_GRADED_COLUMN: st.column_config.TextColumn(texts.NOT_GRADED_COLUMN, width="medium"),
        col["deducted_count"]: st.column_config.NumberColumn(col["deducted_count"], width="small"),
        col["unexplained_count"]: st.column_config.NumberColumn(col["unexplained_count"], width="small"),
    }


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) draws nothing
    main()
