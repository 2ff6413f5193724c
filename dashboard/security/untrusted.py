"""Text from forms and file names is data: the rules that keep it data wherever it goes.

First, the characters no output can carry as they are (`UNCARRIABLE`): the C0 controls but tab,
newline and carriage return (XML 1.0 — so every .xlsx and .docx — refuses them: openpyxl raises
IllegalCharacterError, python-docx "All strings must be XML compatible"), DEL and the C1 controls
(a terminal runs ESC/CSI/OSC sequences: colours, titles, links, a cleared screen), lone surrogates and
U+FFFE/U+FFFF (not Unicode text), and the bidirectional formatting characters (U+202E and its kin
reorder what people read: "exe.txt" shown as "txt.exe"). The database keeps them as they were
printed (they are what the form said); on the way out:

- every file for people (CSV, .xlsx, Parquet, the Word report) shows each of them as its visible
  escape, the way Python writes it: BEL → "\x07", ESC → "\x1b", NUL → "\0", U+202E → "\u202e"
  (`visible_text`); tab, newline and carriage return stay (line breaks in a cell are layout);
- the JSON export (a contract for programs, docs/form-json.md) keeps the exact text: JSON escapes
  them ("\u001b", "\u202e"; `json_carriable`), so a parser gets the original back and the file's
  bytes hold none of them raw;
- the terminal (everything the command line prints): `display_name` for form text and file names,
  and `terminal_text` over every line printed, so no control or format character reaches it raw.

Then three destinations, one rule each:

- spreadsheets (every CSV, .xlsx and Parquet table the project writes): `spreadsheet_value` makes
  uncarriable characters visible and puts a leading apostrophe before text that a spreadsheet would
  run as a formula (OWASP's CSV-injection rule: text starting with = + - @, tab or carriage return,
  and their fullwidth forms ＝ ＋ － ＠, which East Asian spreadsheets read as the same); numbers stay
  numbers;
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

# --- characters no output carries as they are -------------------------------------------------------------

# C0 controls but tab/LF/CR, DEL, C1 controls, the bidirectional formatting characters (ALM, LRM, RLM,
# LRE…RLO, LRI…PDI), surrogates and the noncharacters U+FFFE/U+FFFF.
UNCARRIABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def visible_text(text: str) -> str:
    """The text as files for people carry it: each UNCARRIABLE character as its visible escape ("\\x1b")."""
    return UNCARRIABLE.sub(lambda match: escape_char(match.group()), text)


def json_carriable(dumped: str) -> str:
    """JSON text (json.dumps with ensure_ascii=False) with each UNCARRIABLE character JSON-escaped ("\\u202e").

    json.dumps escapes the C0 controls itself; the others can only stand inside a JSON string there,
    where the \\uXXXX escape reads back as the same character.
    """
    return UNCARRIABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)


# --- spreadsheets ------------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and ＝＋－＠


def spreadsheet_value(value):
    """The value as a spreadsheet cell may hold it: uncarriable characters visible (`visible_text`),
    formula-like text with a leading apostrophe."""
    if not isinstance(value, str):
        return value
    value = visible_text(value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


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


def terminal_text(text: str) -> str:
    """Text fit to print on a terminal: every control and format character escaped but newline and tab
    (the printed lines' own layout), no length limit. The command line passes all it prints through it."""
    return "".join(char if char in "\n\t" else _visible(char) for char in text)


def _visible(char: str) -> str:
    return escape_char(char) if unicodedata.category(char).startswith("C") else char


def escape_char(char: str) -> str:
    """The visible escape of one character, as Python writes it: \\n, \\0, \\x1b, \\u202e, \\U000e0001."""
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# --- server messages shown to visitors ---------------------------------------------------------------------

_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:)?(?:[\\/][^\s\\/：，。、；）)\"'“”]+)+")


def hide_paths(message: str) -> str:
    """The message with every absolute path cut to its last part ("/srv/data/forms.duckdb" → "forms.duckdb")."""
    return _ABSOLUTE_PATH.sub(lambda match: re.split(r"[\\/]", match.group(0))[-1], message)
