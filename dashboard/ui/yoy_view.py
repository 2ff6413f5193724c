"""总览's year-over-year part: deltas for the key-figure cards, and the comparison tables below the charts.

Shown where the database holds the year before the year in scope (yoy.year_pair). Tables show their top
rows with a visible count of the rest; each has CSV/Excel downloads of the whole table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Literal

import pandas as pd
import streamlit as st

from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.queries import key_figures, yoy
from dashboard.queries.filters import Filters
from dashboard.ui import download_buttons, page_data
from dashboard.ui.filter_widgets import money_unit

SHOWN_ROWS = 50  # rows of each comparison table sent to the browser


# How st.metric colours a change: green up ("normal"), green down ("inverse").
DeltaColor = Literal["normal", "inverse"]


def card_deltas(filters: Filters, unit: str) -> dict[str, tuple[str, DeltaColor]]:
    """{card label: (change text, st.metric delta_color)} against the previous year; {} where there is none.

    Only where the scope is one year: a card over several years has no "previous year" to differ from
    (the comparison table below the charts still compares the latest two)."""
    if not yoy.cards_compare(filters):
        return {}
    pair = page_data.read(yoy.year_pair, filters)
    if pair is None:
        return {}
    rows = key_figures.year_rows(page_data.read(yoy.key_figures, filters, pair), unit)
    return {
        label: (values[2], "inverse" if key in key_figures.RISE_IS_BAD else "normal")
        for key, label, values in rows
        if values[2] != texts.DASH
    }


def show(filters: Filters) -> None:
    pair = page_data.read(yoy.year_pair, filters)
    if pair is None:
        return
    st.subheader(texts.YOY_TITLE.format(year=pair.year, previous=pair.previous), anchor=False)
    st.caption(texts.YOY_INTRO if len(filters.years) == 1 else texts.YOY_INTRO_ALL_YEARS)
    unit = money_unit()
    rows = key_figures.year_rows(page_data.read(yoy.key_figures, filters, pair), unit)
    _table(
        texts.YOY_KEY_FIGURES,
        pd.DataFrame(
            [[label, *values] for _key, label, values in rows],
            columns=[texts.REPORT_COL_ITEM, str(pair.previous), str(pair.year), texts.REPORT_COL_CHANGE],
        ),
        "overview_yoy_figures",
    )
    for by, label in (("org", texts.COL["org"]), ("project_type", texts.COL["project_type"])):
        _table(
            texts.REPORT_YOY_BY.format(label=label).rstrip("："),
            _groups_frame(page_data.read(yoy.by_group, filters, pair, by), label),
            f"overview_yoy_{by}",
        )
    # The project-by-project comparisons match the two years' forms (the slow part of 总览 on a city's
    # archive): computed when the user opens them, and only their first rows.
    if not st.toggle(
        texts.YOY_DETAILS_TOGGLE, key="overview_yoy_details", help=texts.YOY_DETAILS_HELP.format(shown=SHOWN_ROWS)
    ):
        return
    for key, compare, title, shape in (
        ("both", yoy.projects_in_both_years, texts.REPORT_YOY_PROJECTS, _both_frame),
        ("changes", yoy.new_and_ended, texts.REPORT_YOY_NEW_ENDED, _changes_frame),
        ("recurring", yoy.recurring_deductions, texts.REPORT_YOY_RECURRING, _recurring_frame),
    ):
        first = page_data.read(compare, filters, pair, limit=SHOWN_ROWS)
        if compare is yoy.new_and_ended and not first.total:
            continue
        _detail_table(
            title.format(count=fmt.count_text(first.total)).rstrip("："),
            shape(first.frame, pair),
            first.total,
            partial(_whole_frame, compare, shape, filters, pair),
            f"overview_yoy_{key}",
        )


def _groups_frame(groups: pd.DataFrame, label: str) -> pd.DataFrame:
    columns = [
        groups["exec_rate_previous"].map(fmt.percent_text),
        groups["exec_rate"].map(fmt.percent_text),
        groups["exec_rate_change"].map(key_figures.points_change),
        groups["avg_score_previous"].map(fmt.points_text),
        groups["avg_score"].map(fmt.points_text),
        groups["avg_score_change"].map(key_figures.signed),
    ]
    return pd.DataFrame(
        {label: groups["grp"].map(fmt.text_or_dash), **dict(zip(texts.REPORT_YOY_GROUP_COLUMNS, columns, strict=True))}
    )


def _both_frame(both: pd.DataFrame, pair: yoy.YearPair) -> pd.DataFrame:
    col = texts.COL
    return pd.DataFrame(
        {
            col["project_name"]: both["project_name"],
            col["org"]: both["org"].map(fmt.text_or_dash),
            str(pair.previous): _scores(both["score_previous"], both["previous_not_graded"]),
            str(pair.year): _scores(both["score"], both["not_graded"]),
            texts.REPORT_COL_CHANGE: both["score_change"].map(key_figures.signed),
        }
    )


def _scores(scores: pd.Series, not_graded: pd.Series) -> list[str]:
    """总分 texts, "（不评级）" after those of forms that are not graded (their change is not computed)."""
    return [
        key_figures.score_with_grade_note(score, bool(flag)) for score, flag in zip(scores, not_graded, strict=True)
    ]


def _changes_frame(changes: pd.DataFrame, pair: yoy.YearPair) -> pd.DataFrame:
    col = texts.COL
    return pd.DataFrame(
        {
            texts.REPORT_COL_CHANGE: changes["change"].map(texts.YOY_CHANGE_KINDS),
            col["project_name"]: changes["project_name"],
            col["org"]: changes["org"].map(fmt.text_or_dash),
            col["total_score"]: _scores(changes["score"], changes["not_graded"]),
        }
    )


def _recurring_frame(recurring: pd.DataFrame, pair: yoy.YearPair) -> pd.DataFrame:
    col = texts.COL
    return pd.DataFrame(
        {
            col["project_name"]: recurring["project_name"],
            col["name"]: recurring["indicator"],
            texts.REPORT_REASON_OF.format(year=pair.previous): recurring["reason_previous"].map(_reason),
            texts.REPORT_REASON_OF.format(year=pair.year): recurring["reason"].map(_reason),
        }
    )


def _reason(value) -> str:
    return texts.NO_REASON if fmt.is_missing(value) or not str(value).strip() else str(value)


def _table(title: str, frame: pd.DataFrame, key: str) -> None:
    """A heading, the top rows (form text as plain cells), how many more, and downloads of all rows."""
    st.markdown(f"**{title}**")  # built from fixed texts and counts only
    st.dataframe(frame.head(SHOWN_ROWS), hide_index=True, width="stretch", key=key)
    if len(frame) > SHOWN_ROWS:
        st.caption(texts.YOY_MORE_ROWS.format(shown=SHOWN_ROWS, total=fmt.count_text(len(frame))))
    download_buttons.download_buttons(frame, title, key=f"{key}_download")


def _whole_frame(compare: Callable, shape: Callable, filters: Filters, pair: tuple) -> pd.DataFrame:
    """Every row of a comparison, shaped for its table (built when a download is asked for)."""
    return shape(page_data.read_whole(compare, filters, pair).frame, pair)


def _detail_table(title: str, first_rows: pd.DataFrame, total: int, whole: Callable[[], pd.DataFrame], key: str):
    """A heading, the first rows of a comparison, how many more, and downloads of all rows built on click."""
    st.markdown(f"**{title}**")  # built from fixed texts and counts only
    st.dataframe(first_rows, hide_index=True, width="stretch", key=key)
    if total > len(first_rows):
        st.caption(texts.YOY_MORE_ROWS.format(shown=len(first_rows), total=fmt.count_text(total)))
    download_buttons.table_download_buttons(whole, total, title, key=f"{key}_download")
