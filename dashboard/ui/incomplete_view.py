"""The incomplete forms kept out of every total, with what each lacks: shown on 导入 and on 复核."""

from __future__ import annotations

import streamlit as st

from dashboard.core import texts
from dashboard.queries.queries import PAGE_SIZE
from dashboard.store import reads
from dashboard.ui import data_gate, db, page_data

# Rows shown at most (one page of a big table); the heading says how many there are in all.
SHOWN_AT_MOST = PAGE_SIZE


def show_incomplete_forms(key: str) -> None:
    """A heading, what these forms are, and one row per form (file, place in file, name, what is missing)."""
    if db.problem() is not None:
        return
    counts = page_data.read(data_gate.not_counted)  # the same cached read as the pages' "另有 N 张" note
    total = counts["incomplete"] if counts else 0
    if not total:
        return
    frame = page_data.read(reads.incomplete_forms, limit=SHOWN_AT_MOST)
    st.subheader(texts.IMPORT_INCOMPLETE_COUNT.format(count=total), anchor=False)
    st.caption(texts.IMPORT_INCOMPLETE_INTRO)
    columns = texts.IMPORT_INCOMPLETE_COLUMNS
    st.dataframe(frame[list(columns)].rename(columns=columns), hide_index=True, key=key)  # cells are plain text
    if total > len(frame):
        st.caption(texts.IMPORT_INCOMPLETE_MORE.format(shown=len(frame), total=total))
