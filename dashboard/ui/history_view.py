"""A form's versions under its one-form view: which file each came from, when, and what it changed."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard.core import texts
from dashboard.security.untrusted import display_name
from dashboard.store import reads
from dashboard.ui import page_data


def show_history(form_id: str) -> None:
    """Nothing for a form filed once; else one row per version, oldest first, the current one marked."""
    history = page_data.read(reads.version_history, form_id)
    if len(history) < 2:
        return
    st.markdown(f"#### {texts.HISTORY_TITLE}")
    st.caption(texts.HISTORY_INTRO.format(count=len(history)))
    rows = [
        {
            texts.HISTORY_COLUMNS["imported_at"]: row.imported_at,
            texts.HISTORY_COLUMNS["source_file"]: display_name(row.source_file),
            texts.HISTORY_COLUMNS["state"]: texts.HISTORY_CURRENT if pd.isna(row.superseded_by) else texts.HISTORY_OLD,
            texts.HISTORY_COLUMNS["changes"]: "；".join(json.loads(row.changes))
            if isinstance(row.changes, str)
            else "",
        }
        for row in history.itertuples()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"history_{form_id}")


def _changes(stored) -> str:
    """The stored JSON list of changes as one line; "" for the first version."""
    return "；".join(json.loads(stored)) if isinstance(stored, str) else ""
