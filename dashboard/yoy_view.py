"""总览's year-over-year part: deltas for the key-figure cards, and the comparison tables below the charts.

Shown where the database holds the year before the year in scope (yoy.year_pair). Tables show their top
rows with a visible count of the rest; each has CSV/Excel downloads of the whole table.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import db, downloads, key_figures, page_data, texts, yoy
from dashboard import formatting as fmt
from dashboard.filters import Filters, money_unit

SHOWN_ROWS = 50  # rows of each comparison table sent to the browser


@st.cache_data(**page_data.CACHE_OPTIONS)
def cached_pair(db_key: str, filters: Filters) -> yoy.YearPair | None:
    with db.cursor() as cur:
        return yoy.year_pair(cur, filters)


@st.cache_data(**page_data.CACHE_OPTIONS)
def cached_key_figures(db_key: str, filters: Filters, pair: yoy.YearPair) -> dict:
    with db.cursor() as cur:
        return yoy.key_figures(cur, filters, pair)


@st.cache_data(**page_data.CACHE_OPTIONS)
def cached_tables(db_key: str, filters: Filters, pair: yoy.YearPair) -> dict[str, pd.DataFrame]:
    with db.cursor() as cur:
        return {
            "org": yoy.by_group(cur, filters, pair, "org"),
            "project_type": yoy.by_group(cur, filters, pair, "project_type"),
            "both": yoy.projects_in_both_years(cur, filters, pair),
            "changes": yoy.new_and_ended(cur, filters, pair),
            "recurring": yoy.recurring_deductions(cur, filters, pair),
        }


def card_deltas(db_key: str, filters: Filters, unit: str) -> dict[str, tuple[str, str]]:
    """{card label: (change text, st.metric delta_color)} against the previous year; {} where there is none.

    Only where the scope is one year: a card over several years has no "previous year" to differ from
    (the comparison table below the charts still compares the latest two)."""
    if len(filters.years) != 1:
        return {}
    pair = cached_pair(db_key, filters)
    if pair is None:
        return {}
    rows = key_figures.year_rows(cached_key_figures(db_key, filters, pair), unit)
    return {
        label: (values[2], "inverse" if key in key_figures.RISE_IS_BAD else "normal")
        for key, label, values in rows
        if values[2] != texts.DASH
    }


def show(db_key: str, filters: Filters) -> None:
    pair = cached_pair(db_key, filters)
    if pair is None:
        return
    tables = cached_tables(db_key, filters, pair)
    st.subheader(texts.YOY_TITLE.format(year=pair.year, previous=pair.previous), anchor=False)
    st.caption(texts.YOY_INTRO if len(filters.years) == 1 else texts.YOY_INTRO_ALL_YEARS)
    unit = money_unit()
    rows = key_figures.year_rows(cached_key_figures(db_key, filters, pair), unit)
    _table(
        texts.YOY_KEY_FIGURES,
        pd.DataFrame(
            [[label, *values] for _key, label, values in rows],
            columns=[texts.REPORT_COL_ITEM, str(pair.previous), str(pair.year), texts.REPORT_COL_CHANGE],
        ),
        "overview_yoy_figures",
    )
    col = texts.COL
    for by, label in (("org", col["org"]), ("project_type", col["project_type"])):
        groups = tables[by]
        frame = pd.DataFrame(
            {
                label: groups["grp"].map(fmt.text_or_dash),
                **dict(
                    zip(
                        texts.REPORT_YOY_GROUP_COLUMNS,
                        [
                            groups["exec_rate_previous"].map(fmt.percent_text),
                            groups["exec_rate"].map(fmt.percent_text),
                            groups["exec_rate_change"].map(key_figures.points_change),
                            groups["avg_score_previous"].map(lambda v: fmt.score_text(key_figures.rounded(v))),
                            groups["avg_score"].map(lambda v: fmt.score_text(key_figures.rounded(v))),
                            groups["avg_score_change"].map(key_figures.signed),
                        ],
                        strict=True,
                    )
                ),
            }
        )
        _table(texts.REPORT_YOY_BY.format(label=label).rstrip("："), frame, f"overview_yoy_{by}")
    both = tables["both"]
    _table(
        texts.REPORT_YOY_PROJECTS.format(count=fmt.count_text(len(both))).rstrip("："),
        pd.DataFrame(
            {
                col["project_name"]: both["project_name"],
                col["org"]: both["org"].map(fmt.text_or_dash),
                str(pair.previous): both["score_previous"].map(fmt.score_text),
                str(pair.year): both["score"].map(fmt.score_text),
                texts.REPORT_COL_CHANGE: both["score_change"].map(key_figures.signed),
            }
        ),
        "overview_yoy_projects",
    )
    changes = tables["changes"]
    if not changes.empty:
        _table(
            texts.REPORT_YOY_NEW_ENDED.rstrip("："),
            pd.DataFrame(
                {
                    texts.REPORT_COL_CHANGE: changes["change"].map(texts.YOY_CHANGE_KINDS),
                    col["project_name"]: changes["project_name"],
                    col["org"]: changes["org"].map(fmt.text_or_dash),
                    col["total_score"]: changes["score"].map(fmt.score_text),
                }
            ),
            "overview_yoy_changes",
        )
    recurring = tables["recurring"]
    _table(
        texts.REPORT_YOY_RECURRING.format(count=fmt.count_text(len(recurring))).rstrip("："),
        pd.DataFrame(
            {
                col["project_name"]: recurring["project_name"],
                col["name"]: recurring["indicator"],
                texts.REPORT_REASON_OF.format(year=pair.previous): recurring["reason_previous"].map(_reason),
                texts.REPORT_REASON_OF.format(year=pair.year): recurring["reason"].map(_reason),
            }
        ),
        "overview_yoy_recurring",
    )


def _reason(value) -> str:
    return texts.NO_REASON if fmt.is_missing(value) or not str(value).strip() else str(value)


def _table(title: str, frame: pd.DataFrame, key: str) -> None:
    """A heading, the top rows (form text as plain cells), how many more, and downloads of all rows."""
    st.markdown(f"**{title}**")  # built from fixed texts and counts only
    st.dataframe(frame.head(SHOWN_ROWS), hide_index=True, width="stretch", key=key)
    if len(frame) > SHOWN_ROWS:
        st.caption(texts.YOY_MORE_ROWS.format(shown=SHOWN_ROWS, total=fmt.count_text(len(frame))))
    downloads.download_buttons(frame, title, key=f"{key}_download")
