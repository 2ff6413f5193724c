"""部门整体: the 部门整体支出绩效自评表, each department's budget, 执行率, 总分 and indicators.

These forms never enter the project pages' totals; here they stand on their own, under every sidebar filter
the caption lists (the project pages' filter SQL), with CSV/xlsx downloads of the table and of the chosen
department's indicators.
"""

from __future__ import annotations

import streamlit as st

from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.queries import department_queries
from dashboard.security.untrusted import markdown_literal
from dashboard.ui import download_buttons, filter_widgets, page_data
from dashboard.ui import table_columns as cols

TABLE_COLUMNS = {
    "year": texts.COL["year"],
    "department": texts.COL["department"],
    "budget": texts.COL["budget"].format(unit="元"),
    "executed": texts.COL["executed"].format(unit="元"),
    "rate_pct": texts.COL["exec_rate_pct"],
    "total_score": texts.COL["total_score"],
    "source_file": texts.COL["source_file"],
}
INDICATOR_COLUMNS = {
    name: texts.COL[name] for name in ("level1", "level2", "name", "target", "actual", "weight", "score", "reason")
}


def main() -> None:
    current = filter_widgets.start_page(texts.DEPARTMENT_PAGE_TITLE, texts.DEPARTMENT_PAGE_CAPTION)
    forms = page_data.read(department_queries.department_forms, current)
    if forms.empty:
        st.info(texts.DEPARTMENT_PAGE_EMPTY if current.active else texts.DEPARTMENT_PAGE_NONE, icon=":material/info:")
        return
    table = forms[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    st.dataframe(
        table,
        hide_index=True,
        placeholder=texts.DASH,
        column_config={
            TABLE_COLUMNS["budget"]: cols.money_column(TABLE_COLUMNS["budget"]),
            TABLE_COLUMNS["executed"]: cols.money_column(TABLE_COLUMNS["executed"]),
            TABLE_COLUMNS["rate_pct"]: cols.percent_column(TABLE_COLUMNS["rate_pct"]),
            TABLE_COLUMNS["total_score"]: cols.score_column(TABLE_COLUMNS["total_score"]),
        },
    )
    download_buttons.download_buttons(table, texts.DEPARTMENT_FILE_STEM, key="department_forms")

    labels = [f"{fmt.text_or_dash(row.department)}（{fmt.text_or_dash(row.year)}）" for row in forms.itertuples()]
    picked = st.selectbox(texts.DEPARTMENT_PAGE_PICK, range(len(labels)), format_func=labels.__getitem__)
    row = forms.iloc[picked]
    st.subheader(
        texts.DEPARTMENT_PAGE_INDICATORS.format(
            department=markdown_literal(fmt.text_or_dash(row.department)), year=fmt.text_or_dash(row.year)
        ),
        anchor=False,
    )
    indicators = page_data.read(department_queries.department_indicators, row.form_id)
    shown = indicators[list(INDICATOR_COLUMNS)].rename(columns=INDICATOR_COLUMNS)
    st.dataframe(shown, hide_index=True, placeholder=texts.DASH)
    download_buttons.download_buttons(shown, texts.DEPARTMENT_INDICATORS_FILE_STEM, key="department_indicators")


main()
