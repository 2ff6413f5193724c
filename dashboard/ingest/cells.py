"""Cell clean-up shared by every reader: wraps, numbers, percents, labels, names."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Printed placeholders meaning "no number here".
NO_NUMBER = {"", "—", "-", "--", "—-", "－", "/", "／", "无", "不适用", "—。"}

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

_STATUS_RE = re.compile(r"[（(]\s*(停用)\s*[)）]")
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


def label_key(text: str | None) -> str:
    """A matching key for labels: NFKC, look-alikes fixed, no spaces, no colons, no '*'."""
    if not text:
        return ""
    key = unicodedata.normalize("NFKC", fix_lookalikes(text))
    return re.sub(r"[\s*:：]", "", key)


def parse_number(text: str | None) -> float | None:
    """A printed number ("10012516.44", "1,016,318", "100125\\n16.44") or None for "—", "/", blank."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", str(text)))
    if cleaned in NO_NUMBER:
        return None
    cleaned = cleaned.rstrip("元")
    try:
        return float(Decimal(cleaned))
    except InvalidOperation:
        return None


def parse_percent(text: str | None) -> float | None:
    """A printed rate "96.37%" → 96.37; None where no number is printed."""
    if text is None:
        return None
    cleaned = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text)))
    return parse_number(cleaned.rstrip("%"))


def amount_in_yuan(text: str | None, unit_printed: str) -> float | None:
    """A printed amount converted to 元 (万元 × 10 000, exact to the cent)."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", str(text)))
    if cleaned in NO_NUMBER:
        return None
    scale = Decimal(10000) if unit_printed == "万元" else Decimal(1)
    if cleaned.endswith("万元"):
        cleaned, scale = cleaned[:-2], Decimal(10000)
    elif cleaned.endswith("元"):
        cleaned, scale = cleaned[:-1], Decimal(1)
    try:
        value = Decimal(cleaned) * scale
    except InvalidOperation:
        return None
    return float(value.quantize(Decimal("0.01")))


def fund_unit(heading: str | None) -> str:
    """The money unit a fund block heading prints: "项目资金（万元）" → "万元", else "元"."""
    return "万元" if heading and "万元" in label_key(heading) else "元"


def split_project_name(name: str) -> tuple[str, str | None]:
    """Project type and status from a project name.

    "预算准备金(停用）" → ("预算准备金", "停用"); "一般管理事务（宣传费）" → ("一般管理事务", None).
    """
    status = "停用" if _STATUS_RE.search(name) else None
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
    match = re.search(r"(20\d{2})\s*年", unicodedata.normalize("NFKC", text))
    return int(match.group(1)) if match else None


def has_cjk(text: str) -> bool:
    return bool(re.search(f"[{_CJK}]", text))
