"""Numbers as leadership reads them: money in 元 or 万元 with thousands separators, rates in %.

Python's format spec does the grouping ("{:,.2f}"); Chinese financial writing groups by
thousands with commas too, so a locale library (babel) would add a dependency for the same
output. Missing values (None, NaN, NA) are shown as "—", never as "nan" or "None".

Table columns stay numeric (so st.dataframe sorts them as numbers) and get their display
format from dashboard/ui/table_columns.py (these formats); the *_text functions are for cards and prose.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard.core import texts

YUAN_PER_WAN = 10_000
# printf formats for st.column_config (sprintf-js; "," adds thousands separators).
MONEY_FORMAT = "%,.2f"
PERCENT_FORMAT = "%.2f%%"
SCORE_FORMAT = "%,.2f"


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def in_unit(yuan, unit: str = "万元") -> float | None:
    """An amount in 元 converted to the display unit (元 or 万元); None stays None."""
    if is_missing(yuan):
        return None
    return float(yuan) / YUAN_PER_WAN if unit == "万元" else float(yuan)


def money_text(yuan, unit: str = "万元", with_unit: bool = True) -> str:
    """12345678.9 → "1,234.57 万元" (or "12,345,678.90 元"); missing → "—"."""
    value = in_unit(yuan, unit)
    if value is None:
        return texts.DASH
    text = f"{value:,.2f}"
    return f"{text} {unit}" if with_unit else text


def percent_text(fraction, digits: int = 2) -> str:
    """0.9637 → "96.37%"; missing → "—"."""
    if is_missing(fraction) or not math.isfinite(float(fraction)):
        return texts.DASH
    return f"{float(fraction) * 100:,.{digits}f}%"


def percent_value_text(percent, digits: int = 2) -> str:
    """A figure already in percent (96.37) → "96.37%"."""
    if is_missing(percent):
        return texts.DASH
    return f"{float(percent):,.{digits}f}%"


def score_text(value) -> str:
    """97.14 → "97.14", 100.0 → "100", 5.20 → "5.2"; missing → "—"."""
    if is_missing(value):
        return texts.DASH
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def points_text(value) -> str:
    """A sum or an average of points always with two decimals, as the tables beside it show it (SCORE_FORMAT):
    121.8 → "121.80"; missing → "—"."""
    if is_missing(value):
        return texts.DASH
    text = f"{float(value):,.2f}"
    return "0.00" if text == "-0.00" else text


def count_text(value) -> str:
    if is_missing(value):
        return texts.DASH
    return f"{int(value):,}"


def text_or_dash(value) -> str:
    if is_missing(value) or not str(value).strip():
        return texts.DASH
    return str(value)


def fill_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Missing text cells → "—" (numeric columns keep their blanks, which the grid shows empty)."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(text_or_dash)
    return frame
