"""Cell clean-up shared by every reader: wraps, numbers, percents, labels, names."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from dashboard.core import domain, texts
from dashboard.core.domain import Severity
from dashboard.core.model import Check, FundRow
from dashboard.core.rule_ids import VALUE_OUT_OF_RANGE, VALUE_UNREADABLE

# Printed placeholders meaning "no number here" (compared NFKC, without spaces, lower-cased): the marks of
# "not measured", plus a bare 无 and a dash closed by a full stop.
NO_NUMBER = domain.NOT_MEASURED_MARKS | {"无", "—。"}

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2e80-\u2fdf“”‘’、，。；：（）《》"

# Look-alike code points that PDF producers emit instead of the ordinary ones. A CJK font
# draws some pairs with one glyph (the Kangxi radical ⼀ and 一, ⻰ and 龙, ∕ and ／), and a
# producer that maps each glyph back to one code point (Chromium/Skia takes the lowest)
# writes the radical or the symbol. NFKC maps most Kangxi radicals; the rest of the table
# lists what simplified-Chinese fonts (Noto CJK SC) draw alike, without touching full-width
# punctuation in stored text.
_RADICAL_FIX = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FD6)}
_RADICAL_FIX["⼾"] = "户"  # NFKC gives the traditional 戶; simplified-Chinese fonts draw ⼾ as 户
_SUPPLEMENT_TWINS = (  # CJK radicals supplement: (radical, ideograph) pairs, one glyph each
    "⺂乛⺃乚⺅亻⺉刂⺋㔾⺎兀⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺘扌⺙攵⺛旡⺞歺⺟母⺠民⺡氵⺣灬⺤爫⺦丬⺨犭⺫罒⺭礻"
    "⺯糹⺰纟⺱罓⺲罒⺳㓁⺹耂⺺肀⺾艹⻁虎⻂衤⻃覀⻅见⻆角⻈讠⻉贝⻋车⻌辶⻐钅⻑長⻒镸⻓长⻔门⻖阝⻘青⻙韦"
    "⻚页⻛风⻜飞⻝食⻟飠⻠饣⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟"
)
_RADICAL_FIX.update(zip(_SUPPLEMENT_TWINS[::2], _SUPPLEMENT_TWINS[1::2], strict=True))
_RADICAL_FIX.update(
    {
        "㬵": "胶",  # an extension-A ideograph drawn like 胶
        "\u2003": "\u3000",  # em space for the ideographic space
        "∕": "／",  # division slash for the full-width solidus
        "\u2329": "\u3008",  # angle brackets 〈 〉
        "\u232a": "\u3009",
        "〜": "～",  # wave dash for the full-width tilde ("1～3")
        "‵": "｀",
    }
)
_RADICAL_TABLE = str.maketrans(_RADICAL_FIX)

_SUFFIX_RE = re.compile(r"\s*[（(][^（）()]*[)）]\s*$")
_LEVEL1_SUFFIX_RE = re.compile(r"\s*[（(]\s*\d+(\.\d+)?\s*分\s*[)）]\s*$")


def fix_lookalikes(text: str) -> str:
    """Map look-alike code points (Kangxi radicals ⼀, ⻰ …) back to the ordinary characters."""
    return text.translate(_RADICAL_TABLE)


def join_wrapped(text: str | None) -> str:
    """Remove the line wraps of a printed cell.

    No space is put between two characters that a wrap separated when either side is
    Chinese (or a digit/percent run broken mid-number); a single space joins two Latin
    words. Runs of spaces inside a line are kept as printed.
    """
    if text is None:
        return ""
    lines = [line.strip() for line in fix_lookalikes(text).replace("\r", "").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    out = lines[0]
    for line in lines[1:]:
        if out[-1].isascii() and out[-1].isalpha() and line[0].isascii() and line[0].isalpha():
            out += " " + line
        else:
            out += line
    return out


@functools.lru_cache(maxsize=domain.TEXT_CACHE)  # pure: labels and names repeat across forms
def label_key(text: str | None) -> str:
    """A matching key for labels: NFKC, look-alikes fixed, no spaces, no colons, no '*'."""
    if not text:
        return ""
    key = unicodedata.normalize("NFKC", fix_lookalikes(text))
    return re.sub(r"[\s*:：]", "", key)


def one_edit_apart(a: str, b: str) -> bool:
    """Whether one character inserted, removed or replaced turns `a` into `b` (and they differ)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:at] + long[at + 1 :] == short for at in range(len(long)))


# --- numbers ----------------------------------------------------------------------------------------------
#
# The one number parser of every reader. A form prints plain decimals: ASCII or full-width digits, an
# optional sign and decimal point, thousands separators and line wraps anywhere ("1,016,318",
# "100125\n16.44", "１２３"). Python's float()/Decimal() accept much more (NaN, Infinity, "1_000", "1e30",
# Arabic-Indic or Devanagari digits); none of that is a number on a form.


_PLAIN_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-"})
_NUMBER_NOISE_RE = re.compile(r"[\s,，]")
CUT_TEXT = 30  # printed text quoted in a finding is cut to this many characters
FUND_AMOUNT_FIELDS = ("initial_budget", "annual_budget", "executed")


@dataclass(frozen=True)
class Reading:
    """What a printed number cell says: its value, or why it has none (a rule id)."""

    value: float | None = None
    problem: str | None = None  # None, VALUE_UNREADABLE or VALUE_OUT_OF_RANGE


def _number_text(text: str) -> str:
    """NFKC, minus signs unified, no spaces, line wraps or thousands separators."""
    return _NUMBER_NOISE_RE.sub("", unicodedata.normalize("NFKC", str(text)).translate(_MINUS_SIGNS))


def is_placeholder(text: str | None) -> bool:
    """Blank or a printed "no number here" mark (—, /, 不适用 …)."""
    return text is None or _number_text(text).lower() in NO_NUMBER


def is_plain_number(text: str | None) -> bool:
    """Whether the text is a number as forms print it (see above)."""
    return text is not None and bool(_PLAIN_NUMBER_RE.fullmatch(_number_text(text)))


# What a reader should take as meant to be a number where a number is expected, so that it lands in its
# cell and gets a finding: plain numbers and what float() would also take (1e30, NaN, 1_000, ١٢٣).
_NUMBER_LIKE_RE = re.compile(r"[+-]?(?:nan|inf(?:inity)?|[\d._]*\d[\d._]*(?:e[+-]?\d+)?)%?", re.IGNORECASE)


def looks_like_number(text: str | None) -> bool:
    """A plain number or rate, or a figure meant as a number that is not one ("1e30", "NaN", "١٢٣")."""
    return text is not None and bool(_NUMBER_LIKE_RE.fullmatch(_number_text(text)))


def _read_decimal(cleaned: str, scale: Decimal, bound: float | None, amount: bool) -> Reading:
    """Amounts: |value| < bound, kept to the cent. Points and rates: |value| ≤ bound (None: any size)."""
    if not _PLAIN_NUMBER_RE.fullmatch(cleaned):
        return Reading(problem=VALUE_UNREADABLE)
    value = Decimal(cleaned) * scale
    if bound is not None and (abs(value) >= Decimal(bound) if amount else abs(value) > Decimal(bound)):
        return Reading(problem=VALUE_OUT_OF_RANGE)
    return Reading(float(value.quantize(Decimal("0.01"))) if amount else float(value))


def read_number(text: str | None, bound: float | None = domain.MAX_POINTS) -> Reading:
    """A printed weight or score (|value| ≤ `bound`; None: any size); a trailing 元 is allowed."""
    if text is None or is_placeholder(text):
        return Reading()
    cleaned = _number_text(text).removesuffix("元")
    return _read_decimal(cleaned, Decimal(1), bound, amount=False)


def read_percent(text: str | None) -> Reading:
    """A printed rate "96.37%" → 96.37."""
    if text is None or is_placeholder(text):
        return Reading()
    return read_number(_number_text(text).removesuffix("%"), bound=None)


def read_amount(text: str | None, unit_printed: str) -> Reading:
    """A printed amount in 元 (万元 × 10 000, to the cent); |amount| < domain.MAX_AMOUNT_YUAN."""
    if text is None or is_placeholder(text):
        return Reading()
    cleaned = _number_text(text)
    scale = Decimal(10000) if unit_printed == "万元" else Decimal(1)
    if cleaned.endswith("万元"):
        cleaned, scale = cleaned[:-2], Decimal(10000)
    elif cleaned.endswith("元"):
        cleaned, scale = cleaned[:-1], Decimal(1)
    return _read_decimal(cleaned, scale, domain.MAX_AMOUNT_YUAN, amount=True)


def parse_number(text: str | None) -> float | None:
    """A printed weight or score ("10", "１２３", "-5", "97.14") or None (placeholder, not a number, too big)."""
    return read_number(text).value


def parse_percent(text: str | None) -> float | None:
    """A printed rate "96.37%" → 96.37; None where no number is printed."""
    return read_percent(text).value


def amount_in_yuan(text: str | None, unit_printed: str) -> float | None:
    """A printed amount converted to 元 (万元 × 10 000, exact to the cent); None where none can be stored."""
    return read_amount(text, unit_printed).value


def number_check(reading: Reading, field_name: str, text: str | None, indicator: str | None = None) -> Check | None:
    """The finding for a number cell that holds no usable number, or None."""
    if reading.problem is None:
        return None
    shown = join_wrapped(text)
    shown = shown if len(shown) <= CUT_TEXT else shown[:CUT_TEXT] + "…"
    template = texts.VALUE_OUT_OF_RANGE if reading.problem == VALUE_OUT_OF_RANGE else texts.VALUE_UNREADABLE
    return Check(
        rule=reading.problem,
        severity=Severity.ERROR,
        message=template.format(field=field_name, text=shown),
        indicator=indicator,
    )


class NumberCells:
    """Reads the number cells of one form and collects a finding for each that holds no usable number."""

    def __init__(self, checks: list[Check]):
        self.checks = checks

    def _note(self, reading: Reading, field_name: str, text: str | None, indicator: str | None) -> float | None:
        check = number_check(reading, field_name, text, indicator)
        if check is not None:
            self.checks.append(check)
        return reading.value

    def amount(self, text: str | None, unit: str, field_name: str, indicator: str | None = None) -> float | None:
        return self._note(read_amount(text, unit), field_name, text, indicator)

    def points(self, text: str | None, field_name: str, indicator: str | None = None) -> float | None:
        return self._note(read_number(text), field_name, text, indicator)

    def percent(self, text: str | None, field_name: str, indicator: str | None = None) -> float | None:
        return self._note(read_percent(text), field_name, text, indicator)

    def fund_row(self, printed: Mapping[str, str | None], unit: str, row_key: str) -> FundRow:
        """A 项目资金 row from its printed cells by FundRow field (amounts in `unit`)."""

        def name(column: str) -> str:
            row = texts.FUND_ROW_LABELS[row_key]
            return texts.FIELD_FUND_CELL.format(row=row, column=texts.FIELD_FUND_COLUMNS[column])

        amounts = {key: self.amount(printed.get(key), unit, name(key)) for key in FUND_AMOUNT_FIELDS}
        return FundRow(
            **amounts,
            rate_pct=self.percent(printed.get("rate_pct"), name("rate_pct")),
            weight=self.points(printed.get("weight"), name("weight")),
            score=self.points(printed.get("score"), name("score")),
        )

    def indicator_points(
        self, weight: str | None, score: str | None, indicator: str
    ) -> tuple[float | None, float | None]:
        """An indicator row's 分值 and 得分."""
        return (
            self.points(
                weight, texts.FIELD_INDICATOR_CELL.format(name=indicator, column=texts.FIELD_WEIGHT), indicator
            ),
            self.points(score, texts.FIELD_INDICATOR_CELL.format(name=indicator, column=texts.FIELD_SCORE), indicator),
        )

    def total_points(self, weight: str | None, score: str | None) -> tuple[float | None, float | None]:
        """The 总分 row's 分值 and 得分."""
        return (
            self.points(weight, texts.FIELD_TOTAL_ROW.format(column=texts.FIELD_WEIGHT)),
            self.points(score, texts.FIELD_TOTAL_ROW.format(column=texts.FIELD_SCORE)),
        )


def fund_unit(heading: str | None) -> str:
    """The money unit a fund block heading prints: "项目资金（万元）" → "万元", else "元"."""
    return "万元" if heading and "万元" in label_key(heading) else "元"


# A line (or cell) of its own that gives the money unit of a whole table: "单位：万元", "金额单位：元".
_UNIT_LINE_RE = re.compile(r"^(?:\(?(?:金额|资金)?单位(万元|元)\)?)$")


def unit_line(text: str | None) -> str | None:
    """The unit a table's unit line prints ("单位：万元" → "万元"), None for any other text."""
    match = _UNIT_LINE_RE.match(label_key(text))
    return match.group(1) if match else None


def label_unit(label: str | None) -> str | None:
    """The money unit a label prints after its name: "项目金额（万元）" → "万元", "项目金额(元)" → "元", else None."""
    key = label_key(label)
    if "万元" in key:
        return "万元"
    return "元" if "元" in key else None


def project_amount_unit(label: str | None, table_unit: str | None) -> str:
    """The unit 项目金额 is printed in: its label's, else the table's unit line's, else 元.

    A fund block heading in 万元 says nothing about 项目金额: forms print an unlabelled 项目金额 in 元 beside a
    项目资金（万元） block (118800 beside 3.96), so only the label or a unit line for the whole table counts.
    """
    return label_unit(label) or table_unit or "元"


# The mark with a bracket on at least one side, as printed or as damage leaves it ("，盖章）"); a name that
# merely contains the word (福田区公章管理中心) keeps it.
_STAMP_MARK = r"(?:盖\s*章|公\s*章|签\s*章|印\s*章)"
_STAMP_RE = re.compile(rf"(?:[（(，,、]\s*{_STAMP_MARK}\s*[)）]?|{_STAMP_MARK}\s*[)）])\s*[:：]?")


def without_stamp(text: str | None) -> str | None:
    """A unit or department as printed, without the "（盖章）" mark a stamped copy leaves in its cell; None
    where nothing else is printed ("实施单位（盖章）" is a label, "（盖章）" alone a blank with the mark)."""
    if text is None:
        return None
    cleaned = _STAMP_RE.sub("", text).strip()
    return cleaned or None


def split_project_name(name: str) -> tuple[str, str | None]:
    """Project type and status from a project name.

    "预算准备金(停用）" → ("预算准备金", "停用"); "一般管理事务（宣传费）" → ("一般管理事务", None).
    """
    status = domain.STOPPED if domain.STOPPED_RE.search(name) else None
    base = name.strip()
    while True:
        stripped = _SUFFIX_RE.sub("", base)
        if stripped == base or not stripped:
            break
        base = stripped
    return base.strip(), status


def strip_level1_suffix(text: str) -> str:
    """ "产出指标（50分）" → "产出指标"."""
    return _LEVEL1_SUFFIX_RE.sub("", join_wrapped(text)).strip()


def year_from_title(text: str | None) -> int | None:
    """The year printed in a title: "2021年度项目支出绩效自评表", "项目支出绩效自评表（2022年度）"."""
    if not text:
        return None
    match = re.search(r"(20[0-9]{2})\s*年", unicodedata.normalize("NFKC", text))  # ASCII digits only
    return int(match.group(1)) if match else None


def has_cjk(text: str) -> bool:
    return bool(re.search(f"[{_CJK}]", text))
