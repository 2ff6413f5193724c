"""Big tables in pages: the page picker under a table and the words saying which rows are shown.

A page sends at most `queries.PAGE_SIZE` rows to the browser; the count of all rows is always
visible, and the whole table is a download built only when asked for.
"""

from __future__ import annotations

import math

import streamlit as st

from dashboard.core import texts
from dashboard.queries.queries import PAGE_SIZE


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


def pick_offset(total: int, key: str, size: int = PAGE_SIZE) -> int:
    """A page number input (only where there is more than one page); returns the first row's offset.

    A page beyond the last (the filters narrowed the rows) falls back to the last page.
    """
    pages = page_count(total, size)
    if pages == 1:
        st.session_state.pop(key, None)
        return 0
    if int(st.session_state.get(key) or 1) > pages:
        st.session_state[key] = pages
    page = st.number_input(
        texts.PAGE_NUMBER.format(pages=pages), min_value=1, max_value=pages, step=1, key=key, width=220
    )
    return (int(page or 1) - 1) * size


def shown_text(offset: int, shown: int, total: int) -> str:
    """ "第 1–100 行，共 12,345 行" (or "共 12 行" where everything fits on one page)."""
    if shown >= total:
        return texts.PAGE_ALL_ROWS.format(total=f"{total:,}")
    return texts.PAGE_SOME_ROWS.format(first=f"{offset + 1:,}", last=f"{offset + shown:,}", total=f"{total:,}")
