"""Text from forms and file names is data: the rules that keep it data wherever it goes.

Three destinations, one rule each:

- spreadsheets (every CSV and .xlsx the project writes): `spreadsheet_value` puts a leading
  apostrophe before text that a spreadsheet would run as a formula (OWASP's CSV-injection
  rule: text starting with = + - @, tab or carriage return); numbers stay numbers;
- Streamlit Markdown (headings, captions, finding lists, labels, messages): `markdown_literal`
  makes the text show exactly as written — no links, images, emphasis, colours, icons,
  emoji shortcodes, LaTeX or Streamlit's typographic replacements ("--" → "—");
- file names shown to people (the 导入 page and the command line): `display_name` escapes
  control and format characters (NUL, newlines, bidirectional overrides) and cuts the name
  to a readable length.

Plotly draws category names, legend names and bar texts as its own small HTML (<a href> becomes a
live link, <b> bold): `plotly_literal` escapes them in a figure before it is shown.

And one for the server's own text on its way to a visitor: `hide_paths` keeps only the last
part of any absolute path in an error message (the file name, not where the server keeps it).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

# --- spreadsheets ------------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_value(value):
    """The value as a spreadsheet cell may hold it: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the table with every text cell and column heading passed through `spreadsheet_value`."""
    safe = frame.copy()
    safe.columns = [spreadsheet_value(column) for column in safe.columns]
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            safe.isetitem(position, column.map(spreadsheet_value))
    return safe


# --- Streamlit Markdown ------------------------------------------------------------------------------------

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaped, none of them
# starts a link, image, emphasis, code span, HTML tag, table, heading, list, directive or formula.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit rewrites some character pairs inside text (" -- " → " — ", "->" → "→", ">=" → "≥" …) and
# turns ":name:" into emoji or icons after escapes are resolved. An invisible WORD JOINER between
# the characters of such pairs, and after each colon, keeps them as written.
WORD_JOINER = "\u2060"
_REPLACED_PAIR = re.compile(r"(?<=[-<>~])(?=[-<>=])")


def markdown_literal(text: object) -> str:
    """Text for st.markdown / st.subheader / st.caption / labels / st.radio options that shows exactly as written.

    Not for st.selectbox or st.multiselect options, nor dataframe cells: those show plain text already,
    and the escapes would show with them.
    """
    value = "" if text is None else str(text)
    value = _REPLACED_PAIR.sub(WORD_JOINER, value).replace(":", ":" + WORD_JOINER)
    return _ASCII_PUNCTUATION.sub(r"\\\1", value)


# --- Plotly -------------------------------------------------------------------------------------------------

# Trace attributes that are drawn as text; customdata (what a click hands back) is left as it is.
_PLOTLY_TEXT_ATTRIBUTES = ("x", "y", "text", "hovertext", "name", "labels")


def plotly_text(text: str) -> str:
    """Text Plotly draws as written: its markup characters as entities (Plotly decodes them back)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plotly_literal(figure):
    """The figure with every text its traces draw escaped by `plotly_text`; returned for chaining."""
    for trace in figure.data:
        for attribute in _PLOTLY_TEXT_ATTRIBUTES:
            value = getattr(trace, attribute, None)
            if isinstance(value, str):
                setattr(trace, attribute, plotly_text(value))
            elif value is not None and not isinstance(value, (int, float)):
                setattr(trace, attribute, [plotly_text(v) if isinstance(v, str) else v for v in value])
    return figure


# --- file names --------------------------------------------------------------------------------------------

MAX_DISPLAY_NAME = 120  # characters; the rest is cut and marked with "…"
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


def display_name(name: str, limit: int = MAX_DISPLAY_NAME) -> str:
    """A file name fit to show: control/format characters escaped (\\n, \\x1b, \\u202e), at most `limit` characters."""
    shown = "".join(_visible(char) for char in name)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _visible(char: str) -> str:
    if not unicodedata.category(char).startswith("C"):
        return char
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# --- server messages shown to visitors ---------------------------------------------------------------------

_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:)?(?:[\\/][^\s\\/：，。、；）)\"'“”]+)+")


def hide_paths(message: str) -> str:
    """The message with every absolute path cut to its last part ("/srv/data/forms.duckdb" → "forms.duckdb")."""
    return _ABSOLUTE_PATH.sub(lambda match: re.split(r"[\\/]", match.group(0))[-1], message)
