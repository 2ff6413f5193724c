"""Plotly figures as PNG images, made offline: kaleido drives the machine's own Chromium (Debian's
package; nothing is downloaded). Used by the Word report; where no Chromium is found the caller is
told (None) and says so in the document instead of failing."""

from __future__ import annotations

import logging
import os
import shutil

import plotly.graph_objects as go

# Where Debian puts Chromium; kaleido's choreographer reads BROWSER_PATH.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Chromium under load now and then fails to draw one chart of a report: a second try almost always draws it.
ATTEMPTS = 2
TEMPLATE = "plotly_white"
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"

_LOG = logging.getLogger(__name__)


def chromium_path() -> str | None:
    found = os.environ.get("BROWSER_PATH")
    if found and os.path.exists(found):
        return found
    for candidate in (*CHROMIUM_CANDIDATES, shutil.which("chromium") or ""):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def png(figure: go.Figure, width: int = 900, height: int = 420) -> bytes | None:
    """The figure as a PNG (scale 2, sharp in print), or None where it cannot be drawn here."""
    browser = chromium_path()
    if browser is None:
        return None
    os.environ.setdefault("BROWSER_PATH", browser)
    figure = go.Figure(figure)
    # A template of its own: the same image from the command line and from the dashboard, where Streamlit makes
    # its own template plotly's default (title centred, other grid).
    figure.update_layout(template=TEMPLATE, font_family=FONT_FAMILY, paper_bgcolor="white")
    for attempt in range(ATTEMPTS):
        try:
            return figure.to_image(format="png", width=width, height=height, scale=2)
        except Exception:  # kaleido or Chromium failing must cost the picture, not the report
            _LOG.exception("chart image failed (attempt %d of %d)", attempt + 1, ATTEMPTS)
    return None
