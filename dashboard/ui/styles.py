"""The dashboard's own CSS, drawn once per run by app.py: printing on A4 without the sidebar, cards two per
row on a phone, the grade cards' colours. Constant text only: nothing from a form ever goes in here."""

from __future__ import annotations

import streamlit as st

from dashboard.queries.key_figures import GRADE_CHART_COLORS, NO_GRADE_CHART_COLOR

# Containers whose key starts with this hold one row of cards (overview.card_row): two per row on a phone.
CARD_ROW_KEY = "cardrow"
# A grade card's container key: GRADE_CARD_KEY + its rank (0 = best grade); "_other" for 不评级 / 无总分.
GRADE_CARD_KEY = "gradecard_"
PHONE_MAX_WIDTH = 640  # px: Streamlit stacks columns below this width
PRINT_HINT_KEY = "printhint"  # the 总览's print hint: not shown on a phone
PRINT_CHART_ZOOM = 0.75  # charts keep the width the screen drew them at: scaled to fit the printed column
PAGE_INTRO_KEY = "pageintro"  # the line under each page's title (filter_widgets.start_page): not on a phone
# Containers shown only on a phone, or only on a wider screen (the one-form view's indicators: cards or a table).
PHONE_ONLY_KEY = "phoneonly_"
WIDE_ONLY_KEY = "wideonly_"

_PRINT = f"""
@page {{ size: A4 landscape; margin: 12mm; }}
@media print {{
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stDownloadButton"],
  [data-testid="stBaseButton-tertiary"], .stButton, [data-testid="stPageLink"], .stCheckbox,
  .st-key-{PRINT_HINT_KEY} {{ display: none !important; }}
  [data-testid="stAppViewContainer"] {{ margin: 0 !important; }}
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: 100% !important; }}
  /* Charts keep the width the screen drew them at: scaled to the A4 column (Chromium's zoom reflows). */
  .stPlotlyChart {{ zoom: {PRINT_CHART_ZOOM}; }}
  .stPlotlyChart, [data-testid="stMetric"], [data-testid="stDataFrame"] {{ break-inside: avoid; }}
}}
"""

_PHONE = f"""
@media (max-width: {PHONE_MAX_WIDTH}px) {{
  [class*="st-key-{CARD_ROW_KEY}"] [data-testid="stHorizontalBlock"] {{
    flex-wrap: wrap !important; gap: 0.5rem !important;
  }}
  [class*="st-key-{CARD_ROW_KEY}"] [data-testid="stColumn"] {{
    width: calc(50% - 0.25rem) !important; flex: 1 1 calc(50% - 0.25rem) !important;
    min-width: calc(50% - 0.25rem) !important;
  }}
  [class*="st-key-{CARD_ROW_KEY}_2"] [data-testid="stColumn"] {{
    width: calc(33% - 0.4rem) !important; flex: 1 1 calc(33% - 0.4rem) !important;
    min-width: calc(33% - 0.4rem) !important;
  }}
  [data-testid="stMetric"] > div {{ padding: 0.3rem !important; }}
  [data-testid="stMetricLabel"] [data-testid="stTooltipIcon"] {{ display: none !important; }}
  [data-testid="stMetricDelta"] {{ font-size: 0.75rem !important; }}
  .st-key-{PRINT_HINT_KEY}, div:has(> .st-key-{PRINT_HINT_KEY}),
  .st-key-{PAGE_INTRO_KEY}, div:has(> .st-key-{PAGE_INTRO_KEY}) {{ display: none !important; }}
  [class*="st-key-{WIDE_ONLY_KEY}"] {{ display: none !important; }}
  [data-testid="stMetric"] {{ padding: 0.4rem 0.6rem !important; }}
  [data-testid="stMetricLabel"] p {{ white-space: normal !important; overflow: visible !important; }}
  [data-testid="stMetricLabel"] div {{ overflow: visible !important; }}
  [data-testid="stBaseButton-tertiary"] {{ min-height: 1.6rem !important; padding: 0 !important; }}
  [data-testid="stMainBlockContainer"] {{ padding-top: 2.5rem !important; }}
  [data-testid="stMetricValue"] {{ font-size: 1.3rem !important; }}
  [data-testid="stMetricLabel"] {{ font-size: 0.8rem !important; }}
  [data-testid="stMainBlockContainer"] {{ padding-left: 0.75rem !important; padding-right: 0.75rem !important; }}
  h1 {{ font-size: 1.6rem !important; }}
}}
"""


_WIDE = f"""
@media (min-width: {PHONE_MAX_WIDTH + 1}px) {{
  [class*="st-key-{PHONE_ONLY_KEY}"] {{ display: none !important; }}
}}
@media print {{
  [class*="st-key-{PHONE_ONLY_KEY}"] {{ display: none !important; }}
}}
"""


def _grade_css() -> str:
    rules = [
        f'.st-key-{GRADE_CARD_KEY}{rank} [data-testid="stMetric"] {{ border-left: 6px solid {color} !important; }}'
        for rank, color in enumerate(GRADE_CHART_COLORS)
    ]
    other = f'[class*="st-key-{GRADE_CARD_KEY}other"] [data-testid="stMetric"]'
    rules.append(f"{other} {{ border-left: 6px solid {NO_GRADE_CHART_COLOR} !important; }}")
    return "\n".join(rules)


def apply() -> None:
    """Draw the style sheet (st.html with only a <style> element takes no room on the page)."""
    st.html(f"<style>{_PRINT}{_PHONE}{_WIDE}{_grade_css()}</style>")
