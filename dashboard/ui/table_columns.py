"""Streamlit column configs for tables: numeric columns keep their values (so they sort as numbers) and
show them in the formats of dashboard/core/formatting.py."""

from __future__ import annotations

import streamlit as st

from dashboard.core.formatting import MONEY_FORMAT, PERCENT_FORMAT, SCORE_FORMAT


def money_column(label: str, **kwargs):
    return st.column_config.NumberColumn(label, format=MONEY_FORMAT, **kwargs)


def percent_column(label: str, **kwargs):
    """For a column holding percent values (96.37, not 0.9637)."""
    return st.column_config.NumberColumn(label, format=PERCENT_FORMAT, **kwargs)


def score_column(label: str, **kwargs):
    return st.column_config.NumberColumn(label, format=SCORE_FORMAT, **kwargs)


def text_column(label: str, **kwargs):
    return st.column_config.TextColumn(label, **kwargs)
