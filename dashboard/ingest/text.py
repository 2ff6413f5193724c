"""Reader for text dumps of 项目支出绩效自评表 (text extracted from PDF pages).

A dump keeps the words of the table but not its grid: every printed line becomes a
line of text, the cells of one row are separated by spaces, long cells wrap onto
lines of their own and two columns can interleave. The reader therefore works from
the structure of the form, not from line positions:

* a form starts at its title (…项目支出绩效自评表…), or at 项目名称 when untitled;
* header labels (项目名称, 项目金额, 主管部门, 实施单位) delimit the header values;
* a fund row is a label followed by its numbers;
* the goal block holds two columns, 预期目标 then 实际完成情况;
* an indicator row ends with its value columns (target, actual, weight, score),
  optionally followed by the reason; a name that wraps is gathered from the lines
  before its values, and text printed under a row is that row's reason.

Whatever cannot be placed with confidence becomes a parse_uncertain check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from dashboard import texts
from dashboard.ingest import cells
from dashboard.ingest.grid import FUND_COLUMNS, FUND_ROW_LABELS, TITLE_KEY, uncertain
from dashboard.model import Check, Form, FormReadError, FundRow, Funds, Indicator

# 一级指标 labels. 满意度指标 and 成本指标 are 一级 in some regions and 二级 in others.
LEVEL1_LABELS = ("产出指标", "效益指标", "满意度指标", "成本指标")
AMBIGUOUS_LABELS = ("满意度指标", "成本指标")
# 二级指标 labels seen in practice; other short "…指标" words are accepted too.
LEVEL2_LABELS = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济成本指标",
    "社会成本指标",
    "生态环境成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "满意度指标",
    "服务对象满意度指标",
)
NOT_LEVEL_LABELS = ("一级指标", "二级指标", "三级指标", "绩效指标", "年度绩效指标")

HEADER_LABELS = {
    "project_name": "项目名称",
    "project_amount": "项目金额",
    "department": "主管部门",
    "unit": "实施单位",
}

DEFAULT_FUND_ORDER = ("initial_budget", "annual_budget", "executed", "weight", "rate_pct", "score")
SHORT_FUND_ORDER = ("initial_budget", "annual_budget", "executed", "rate_pct")

GOAL_LABELS = ("年度总体目标", "年度总体", "总体目标", "目标", "绩效目标")

DASHES = {"—", "-", "－", "--", "—-", "/", "／"}
SENTENCE_END = "。！？"
SENTENCE_PUNCT = "，。；：！？,;:"
# A space between two columns of goal text: not before closing punctuation, not next to digits.
OPENING_CHARS = "“‘（《"
CLOSING_ON_LEFT = "。；！？”’）》"

_NUMBER_RE = re.compile(r"[+-]?\d+(\.\d+)?")
_PERCENT_RE = re.compile(r"[+-]?\d+(\.\d+)?%")
_SUFFIX_RE = re.compile(r"[（(]\s*\d+(\.\d+)?\s*分\s*[)）]")
_VALUE_FRAGMENT_RE = re.compile(r"[≥≤><=]?\s*\d+(\.\d+)?")
_UNIT_FRAGMENT_RE = re.compile(r"[%％].{0,2}")


@dataclass
class _Line:
    text: str
    page: int


def read_text(text: str, source_file: str) -> list[Form]:
    """Every 自评表 in a text dump, in the order printed."""
    lines = _normalise(text)
    chunks = _split_forms(lines)
    if not chunks:
        raise FormReadError(texts.REASON_NOT_A_FORM)
    paged = "\f" in text
    return [_read_form(chunk, source_file, paged) for chunk in chunks]


# ---------------------------------------------------------------- lines and forms


def _normalise(text: str) -> list[_Line]:
    text = cells.fix_lookalikes(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    lines: list[_Line] = []
    for page, page_text in enumerate(text.split("\f"), start=1):
        lines.extend(_Line(line.rstrip(), page) for line in page_text.split("\n"))
    return lines


def _key(text: str) -> str:
    return cells.label_key(text)


def _is_title(text: str) -> bool:
    return TITLE_KEY in _key(text) and len(_key(text)) <= 30


def _is_project_name_line(text: str) -> bool:
    return _key(text).startswith("项目名称")


def _split_forms(lines: list[_Line]) -> list[list[_Line]]:
    starts = [i for i, line in enumerate(lines) if _is_title(line.text)]
    if not starts:
        starts = [i for i, line in enumerate(lines) if _is_project_name_line(line.text)]
    chunks = [lines[start:end] for start, end in zip(starts, [*starts[1:], len(lines)], strict=False)]
    return [chunk for chunk in chunks if _looks_like_form(chunk)]


def _looks_like_form(chunk: list[_Line]) -> bool:
    keys = [_key(line.text) for line in chunk]
    has_name = any(key.startswith("项目名称") for key in keys)
    has_table = any(key.startswith("一级指标") for key in keys)
    return has_name or has_table


def _find(lines: list[_Line], test, start: int = 0) -> int | None:
    for index in range(start, len(lines)):
        if test(_key(lines[index].text)):
            return index
    return None


# ---------------------------------------------------------------- one form


@dataclass
class _Sections:
    funds: int | None
    goals: int | None
    table: int | None
    total: int | None

    def header_end(self, size: int) -> int:
        return min(i for i in (self.funds, self.goals, self.table, size) if i is not None)


def _locate(lines: list[_Line]) -> _Sections:
    table = _find(lines, lambda key: key.startswith("一级指标"))
    total = _find(lines, lambda key: key.startswith("总分"), table or 0)
    return _Sections(
        funds=_find(lines, lambda key: key.startswith("项目资金")),
        goals=_find(lines, lambda key: "预期目标" in key),
        table=table,
        total=total,
    )


def _read_form(lines: list[_Line], source_file: str, paged: bool) -> Form:
    sections = _locate(lines)
    checks: list[Check] = []
    header = _read_header(lines[: sections.header_end(len(lines))])
    funds = _read_funds(lines, sections, checks)
    expected, actual = _read_goals(lines, sections, checks)
    indicators, total = _read_table(lines, sections, checks)
    name = header.get("project_name") or ""
    if not name:
        checks.append(uncertain(texts.UNCERTAIN_NO_PROJECT_NAME))
    project_type, status = cells.split_project_name(name)
    form = Form(
        project_name=name,
        project_type=project_type,
        status=status,
        department=header.get("department") or None,
        unit=header.get("unit") or None,
        year=cells.year_from_title(lines[0].text) if _is_title(lines[0].text) else None,
        project_amount=_project_amount(header, funds.unit_printed),
        funds=funds,
        goal_expected=expected,
        goal_actual=actual,
        indicators=indicators,
        total_weight=total[0],
        total_score=total[1],
        source_file=source_file,
        source_pages=sorted({line.page for line in lines}) if paged else [],
    )
    checks.extend(_weight_sum_checks(form))
    form.checks = checks
    return form


# ---------------------------------------------------------------- header


def _label_pattern(label: str) -> str:
    """A label as printed: letters may be spaced out; a unit and a colon may follow."""
    spaced = r"\s*".join(re.escape(char) for char in label)
    return spaced + r"\s*(?:[（(]\s*万?\s*元\s*[)）])?\s*[:：]?"


def _read_header(lines: list[_Line]) -> dict[str, str]:
    """Header values: the text between one label and the next (or the line's end)."""
    values: dict[str, str] = {}
    for line in lines:
        text = line.text
        found = []
        for field_name, label in HEADER_LABELS.items():
            match = re.search(_label_pattern(label), text)
            if match:
                found.append((match.start(), match.end(), field_name, match.group(0)))
        found.sort()
        for index, (_, end, field_name, printed) in enumerate(found):
            stop = found[index + 1][0] if index + 1 < len(found) else len(text)
            values.setdefault(field_name, text[end:stop].strip())
            if field_name == "project_amount" and "万元" in _key(printed):
                values["project_amount_unit"] = "万元"
            elif field_name == "project_amount" and "元" in _key(printed):
                values["project_amount_unit"] = "元"
    return values


def _project_amount(header: dict[str, str], fund_unit: str) -> float | None:
    unit = header.get("project_amount_unit", fund_unit)
    return cells.amount_in_yuan(header.get("project_amount"), unit)


# ---------------------------------------------------------------- funds


def _is_number(token: str) -> bool:
    return bool(_NUMBER_RE.fullmatch(re.sub(r"[,，]", "", unicodedata.normalize("NFKC", token))))


def _is_fund_value(token: str) -> bool:
    token = unicodedata.normalize("NFKC", token)
    return _is_number(token) or bool(_PERCENT_RE.fullmatch(token.replace(",", ""))) or token in DASHES


def _split_trailing_values(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(label tokens, value tokens) of a row whose numbers come after its label."""
    cut = len(tokens)
    while cut > 0 and _is_fund_value(tokens[cut - 1]):
        cut -= 1
    return tokens[:cut], tokens[cut:]


def _fund_row_key(label: str) -> str | None:
    key = _key(label)
    for needle, row_key in FUND_ROW_LABELS:
        if needle in key:
            return row_key
    return None


def _fund_order(tokens: list[str]) -> tuple[str, ...] | None:
    """Column order from the header line "年初预算数 全年预算数 全年执行数 分值 执行率 得分"."""
    order = tuple(FUND_COLUMNS.get(_key(token)) for token in tokens)
    if len(order) == len(DEFAULT_FUND_ORDER) and None not in order:
        return order  # type: ignore[return-value]
    return None


def _read_funds(lines: list[_Line], sections: _Sections, checks: list[Check]) -> Funds:
    start = sections.funds if sections.funds is not None else sections.header_end(len(lines))
    stop = min(i for i in (sections.goals, sections.table, len(lines)) if i is not None and i >= start)
    funds = Funds()
    if sections.funds is not None:
        heading = " ".join(line.text for line in lines[sections.funds : sections.funds + 2])
        funds.unit_printed = cells.fund_unit(heading)
    order = DEFAULT_FUND_ORDER
    found = False
    for line in lines[start:stop]:
        tokens = line.text.split()
        order = _fund_order(tokens) or order
        label, values = _split_trailing_values(tokens)
        row_key = _fund_row_key(" ".join(label)) if values else None
        if row_key is None:
            continue
        found = True
        row = _fund_row(values, order, funds.unit_printed)
        if row is None:
            checks.append(uncertain(texts.UNCERTAIN_FUND_ROW.format(label=" ".join(label), text=line.text.strip())))
            continue
        setattr(funds, row_key, row)
    if not found:
        checks.append(uncertain(texts.UNCERTAIN_NO_FUNDS))
    return funds


def _fund_row(values: list[str], order: tuple[str, ...], unit: str) -> FundRow | None:
    if len(values) == len(order):
        columns = dict(zip(order, values, strict=True))
    elif len(values) == len(SHORT_FUND_ORDER):
        columns = dict(zip(SHORT_FUND_ORDER, values, strict=True))
    else:
        return None
    return FundRow(
        initial_budget=cells.amount_in_yuan(columns.get("initial_budget"), unit),
        annual_budget=cells.amount_in_yuan(columns.get("annual_budget"), unit),
        executed=cells.amount_in_yuan(columns.get("executed"), unit),
        rate_pct=cells.parse_percent(columns.get("rate_pct")),
        weight=cells.parse_number(columns.get("weight")),
        score=cells.parse_number(columns.get("score")),
    )


# ---------------------------------------------------------------- goals


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _strip_goal_labels(text: str) -> str:
    """Drop the 年度总体目标 label where the dump printed it inside the goal text."""
    tokens = text.split(maxsplit=1)
    while tokens and _key(tokens[0]) in GOAL_LABELS:
        tokens = tokens[1].split(maxsplit=1) if len(tokens) > 1 else []
    return " ".join(tokens).strip()


def _column_splits(text: str) -> list[int]:
    """Positions of spaces that may separate the two goal columns printed on one line."""
    splits = []
    for match in re.finditer(r"\s+", text):
        left, right = text[: match.start()], text[match.end() :]
        if not left or not right:
            continue
        before, after = left[-1], right[0]
        left_ok = cells.has_cjk(before) and (before in CLOSING_ON_LEFT or not _is_punct(before))
        right_ok = after in OPENING_CHARS or (cells.has_cjk(after) and not _is_punct(after))
        if left_ok and right_ok:
            splits.append(match.start())
    return splits


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


@dataclass
class _GoalLines:
    """Goal text lines routed to one column; None marks a blank line."""

    lines: list[str | None] = field(default_factory=list)

    def text(self) -> str:
        return cells.join_wrapped("\n".join(line or "" for line in self.lines))

    def insert_at_gap(self, extra: list[str]) -> None:
        """Put lines at the first blank after an unfinished sentence (else at the end)."""
        for index, line in enumerate(self.lines):
            if line is None and index > 0 and self.lines[index - 1] and not _ends_sentence(self.lines[index - 1]):
                self.lines[index:index] = extra
                return
        self.lines.extend(extra)


def _ends_sentence(text: str | None) -> bool:
    return bool(text) and text.rstrip()[-1] in SENTENCE_END


def _read_goals(lines: list[_Line], sections: _Sections, checks: list[Check]) -> tuple[str, str]:
    if sections.goals is None:
        return "", ""
    end = _find(lines, lambda key: key.startswith("年度绩效") or key.startswith("一级指标"), sections.goals + 1)
    raw = [_strip_goal_labels(line.text) for line in lines[sections.goals + 1 : end]]
    content = [text for text in raw if text]
    if not content:
        return "", ""
    if len(content) == 1:
        return _split_one_line(content[0], checks)
    return _split_columns(raw, checks)


def _split_one_line(text: str, checks: list[Check]) -> tuple[str, str]:
    splits = _column_splits(text)
    if len(splits) != 1:
        checks.append(uncertain(texts.UNCERTAIN_GOALS_ONE_LINE))
    if not splits:
        return text.strip(), ""
    cut = splits[0]
    return text[:cut].strip(), text[cut:].strip()


def _split_columns(raw: list[str], checks: list[Check]) -> tuple[str, str]:
    """Multi-line goals: the first paragraph is 预期目标, the rest 实际完成情况.

    Lines that print both columns side by side (the dump interleaved them) are split
    and their halves put where each column breaks off mid-sentence.
    """
    singles: list[str | None] = []
    lefts: list[str] = []
    rights: list[str] = []
    for text in raw:
        splits = _column_splits(text) if text else []
        if len(splits) == 1 and min(splits[0], len(text) - splits[0]) >= 4:
            lefts.append(text[: splits[0]].strip())
            rights.append(text[splits[0] :].strip())
        else:
            singles.append(text or None)
    cut = _first_paragraph_end(singles)
    expected = _GoalLines(singles[: cut + 1])
    actual = _GoalLines(singles[cut + 1 :])
    if lefts:
        expected.insert_at_gap(lefts)
        actual.insert_at_gap(rights)
        checks.append(uncertain(texts.UNCERTAIN_GOALS_INTERLEAVED))
    elif not actual.text():
        checks.append(uncertain(texts.UNCERTAIN_GOALS_ONE_LINE))
    return expected.text(), actual.text()


def _first_paragraph_end(lines: list[str | None]) -> int:
    """Index of the last line of the first paragraph of a single-column run.

    A paragraph ends at a line clearly shorter than the next one, or at a line closing a
    sentence, unless that line fills the column and the next one is as wide (the same
    column going on).
    """
    texts_only = [(index, text) for index, text in enumerate(lines) if text]
    column_width = 0
    for position, (index, text) in enumerate(texts_only[:-1]):
        width = _width(text)
        column_width = max(column_width, width)
        following = _width(texts_only[position + 1][1])
        if width < 0.8 * following:
            return index
        fills_column = width >= 0.94 * column_width
        same_width_next = abs(following - column_width) <= 0.06 * column_width
        if _ends_sentence(text) and not (fills_column and same_width_next):
            return index
    return len(lines) - 1


# ---------------------------------------------------------------- indicator table


def _tokens(text: str) -> list[str]:
    """Split a line on spaces, except spaces inside a “quoted” run closed on the same line."""
    tokens: list[str] = []
    current = ""
    quoted = False
    for index, char in enumerate(text):
        if char == "“" and "”" in text[index + 1 :]:
            quoted = True
        elif char == "”":
            quoted = False
        if char.isspace() and not quoted:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def _is_score_cell(token: str) -> bool:
    return _is_number(token) or unicodedata.normalize("NFKC", token) in {"—", "-", "－"}


@dataclass
class _Values:
    name: str
    target: str
    actual: str
    weight: float | None
    score: float | None
    reason: str


def _split_values(tokens: list[str]) -> _Values | None:
    """An indicator row's cells from the end: target, actual, weight, score, then an optional reason.

    The weight and score are the first two numbers with two cells before them that are not
    followed by another number (a number there would mean target/actual were numbers).
    """
    for index in range(2, len(tokens) - 1):
        if not (_is_number(tokens[index]) and _is_score_cell(tokens[index + 1])):
            continue
        rest = tokens[index + 2 :]
        if rest and _is_number(rest[0]):
            continue
        return _Values(
            name=" ".join(tokens[: index - 2]),
            target=tokens[index - 2],
            actual=tokens[index - 1],
            weight=cells.parse_number(tokens[index]),
            score=cells.parse_number(tokens[index + 1]),
            reason=" ".join(rest),
        )
    return None


def _level_label(tokens: list[str]) -> tuple[str, int, bool] | None:
    """(label, tokens used, has "（N分）" suffix) when the tokens start with a 一级/二级 label."""
    for count in range(1, min(len(tokens), 8) + 1):
        if count > 1 and any(len(token) > 2 for token in tokens[:count]):
            break  # only letter-spaced labels span several tokens
        printed = _key("".join(tokens[:count]))
        base = _SUFFIX_RE.sub("", printed)
        if _is_level_label(base):
            return base, count, base != printed
    return None


def _is_level_label(key: str) -> bool:
    if key in NOT_LEVEL_LABELS:
        return False
    if key in LEVEL1_LABELS or key in LEVEL2_LABELS:
        return True
    return key.endswith("指标") and 4 <= len(key) <= 10 and cells.has_cjk(key)


def _is_suffix_line(text: str) -> bool:
    return bool(_SUFFIX_RE.fullmatch(_key(text)))


def _is_name_like(lines: list[str]) -> bool:
    joined = "".join(lines)
    return not any(char in SENTENCE_PUNCT for char in joined) and len(joined) <= 40


def _joined(lines: list[str]) -> str:
    return cells.join_wrapped("\n".join(lines))


@dataclass
class _Row:
    indicator: Indicator
    wrapped_name: bool


class _TableReader:
    """Reads the indicator table line by line, keeping the text seen since the last row or label."""

    def __init__(self, checks: list[Check]):
        self.checks = checks
        self.level1 = ""
        self.level2 = ""
        self.rows: list[_Row] = []
        self.gap: list[list[str]] = [[]]
        self.after_label = True

    def read(self, lines: list[str]) -> list[Indicator]:
        for index, line in enumerate(lines):
            self._feed(line.strip(), lines[index + 1 :])
        self._close_gap()
        return [row.indicator for row in self.rows]

    # -- lines

    def _feed(self, text: str, following: list[str]) -> None:
        if not text:
            if self.gap[-1]:
                self.gap.append([])
            return
        if _is_suffix_line(text) or _key(text).startswith("一级指标"):
            return
        tokens = self._take_labels(_tokens(text), following)
        if not tokens:
            return
        values = _split_values(tokens)
        if values is None:
            self.gap[-1].append(" ".join(tokens))
        else:
            self._add_row(values)

    def _take_labels(self, tokens: list[str], following: list[str]) -> list[str]:
        while tokens:
            found = _level_label(tokens)
            if found is None:
                break
            label, count, has_suffix = found
            tokens = tokens[count:]
            if label in LEVEL1_LABELS and self._is_level1(label, has_suffix, tokens, following):
                self._close_gap()
                self.level1, self.level2 = label, ""
            else:
                self._close_gap()
                self.level2 = label
            self.after_label = True
        return tokens

    def _is_level1(self, label: str, has_suffix: bool, rest: list[str], following: list[str]) -> bool:
        if label not in AMBIGUOUS_LABELS or has_suffix or not self.level1:
            return True
        if rest:
            return _level_label(rest) is not None
        upcoming = next((line.strip() for line in following if line.strip()), "")
        return _is_suffix_line(upcoming) or _level_label(_tokens(upcoming)) is not None

    # -- rows

    def _take_gap(self) -> list[list[str]]:
        gap = [block for block in self.gap if block]
        self.gap = [[]]
        return gap

    def _add_row(self, values: _Values) -> None:
        gap = self._take_gap()
        gap, rejoined = self._rejoin_split_values(gap, values)
        previous = self.rows[-1] if self.rows and not self.after_label else None
        if values.name and previous is not None:
            self._give_reason(previous, gap)
            name, wrapped = values.name, False
        elif values.name:
            name, wrapped = _joined([line for block in gap for line in block] + [values.name]), False
        else:
            if previous is not None:
                gap = self._give_name_tail(previous, gap)
            name_blocks, reason_blocks = _split_gap(gap, previous)
            if previous is not None:
                self._give_reason(previous, reason_blocks)
            else:
                name_blocks = reason_blocks + name_blocks
            name = _joined([line for block in name_blocks for line in block])
            wrapped = True
        indicator = Indicator(
            level1=self.level1,
            level2=self.level2,
            name=name,
            target=values.target,
            actual=values.actual,
            weight=values.weight,
            score=values.score,
            reason=values.reason or None,
        )
        self.rows.append(_Row(indicator, wrapped))
        self.after_label = False
        self._note_rejoined(name, rejoined)

    def _rejoin_split_values(self, gap: list[list[str]], values: _Values) -> tuple[list[list[str]], list[tuple]]:
        """Put back a value the dump split in two ("≥90" on a line of its own, "%" in the row).

        Returns the gap without the stray numbers and the (head, tail) pairs rejoined.
        """
        strays = [line for block in gap for line in block if _VALUE_FRAGMENT_RE.fullmatch(line)]
        gap = [[line for line in block if line not in strays] for block in gap]
        rejoined = []
        for stray in strays:
            if _UNIT_FRAGMENT_RE.fullmatch(values.target):
                rejoined.append((stray, values.target))
                values.target = stray + values.target
            elif _UNIT_FRAGMENT_RE.fullmatch(values.actual):
                rejoined.append((stray, values.actual))
                values.actual = stray + values.actual
            else:
                self.checks.append(uncertain(texts.UNCERTAIN_LEFTOVER.format(text=stray)))
        return [block for block in gap if block], rejoined

    def _note_rejoined(self, name: str, rejoined: list[tuple]) -> None:
        for head, tail in rejoined:
            message = texts.UNCERTAIN_VALUE_REJOINED.format(name=name, head=head, tail=tail, value=head + tail)
            self.checks.append(uncertain(message, name or None))

    def _give_name_tail(self, previous: _Row, gap: list[list[str]]) -> list[list[str]]:
        """A one- or two-character fragment opening the gap ("率") ends the previous wrapped name."""
        if not previous.wrapped_name or not gap:
            return gap
        first = gap[0][0]
        lines_after = sum(len(block) for block in gap) - 1
        if len(first) > 2 or not cells.has_cjk(first) or lines_after == 0:
            return gap
        indicator = previous.indicator
        indicator.name += first
        message = texts.UNCERTAIN_NAME_TAIL.format(tail=first, name=indicator.name)
        self.checks.append(uncertain(message, indicator.name))
        gap = [gap[0][1:], *gap[1:]]
        return [block for block in gap if block]

    def _give_reason(self, row: _Row, blocks: list[list[str]]) -> None:
        lines = [line for block in blocks for line in block]
        if not lines:
            return
        indicator = row.indicator
        indicator.reason = _joined(([indicator.reason] if indicator.reason else []) + lines)

    def _close_gap(self) -> None:
        """Text before a label or the 总分 row: the reason of the row above, if there is one."""
        gap = self._take_gap()
        if not gap:
            return
        if self.rows and not self.after_label:
            self._give_reason(self.rows[-1], gap)
            return
        leftover = _joined([line for block in gap for line in block])
        self.checks.append(uncertain(texts.UNCERTAIN_LEFTOVER.format(text=leftover)))


def _expects_reason(row: _Row | None) -> bool:
    if row is None or row.indicator.reason:
        return False
    indicator = row.indicator
    if indicator.weight is not None and indicator.score is not None and indicator.score < indicator.weight:
        return True
    return _key(indicator.actual) in cells.NO_NUMBER


def _split_gap(gap: list[list[str]], previous: _Row | None) -> tuple[list[list[str]], list[list[str]]]:
    """(name blocks, reason blocks) of the text between two rows, for a row printed without a name.

    The name is at the end: the last block, less any leading lines up to the last one
    that reads like a sentence, and the blocks before it that read like a name — unless
    the first block is needed as the reason of the row above.
    """
    if not gap:
        return [], []
    last = gap[-1]
    punctuated = [index for index, line in enumerate(last) if any(char in SENTENCE_PUNCT for char in line)]
    if punctuated and punctuated[-1] + 1 < len(last):
        cut = punctuated[-1] + 1
        return [last[cut:]], [*gap[:-1], last[:cut]]
    index = len(gap) - 2
    while index >= 0 and _is_name_like(gap[index]) and not (index == 0 and _expects_reason(previous)):
        index -= 1
    return gap[index + 1 :], gap[: index + 1]


def _read_total(text: str) -> tuple[float | None, float | None]:
    values = [token for token in _tokens(text)[1:] if _is_fund_value(token)]
    numbers = [cells.parse_number(token) for token in values[:2]]
    numbers += [None] * (2 - len(numbers))
    return numbers[0], numbers[1]


def _read_table(
    lines: list[_Line], sections: _Sections, checks: list[Check]
) -> tuple[list[Indicator], tuple[float | None, float | None]]:
    if sections.table is None:
        checks.append(uncertain(texts.UNCERTAIN_NO_INDICATORS))
        return [], (None, None)
    end = sections.total if sections.total is not None else len(lines)
    indicators = _TableReader(checks).read([line.text for line in lines[sections.table + 1 : end]])
    if sections.total is None:
        checks.append(uncertain(texts.UNCERTAIN_NO_TOTAL))
        return indicators, (None, None)
    return indicators, _read_total(lines[sections.total].text)


def _weight_sum_checks(form: Form) -> list[Check]:
    if form.total_weight is None or not form.indicators:
        return []
    rows = sum(row.weight or 0 for row in form.indicators)
    fund = form.funds.total.weight or 0
    parsed = round(rows + fund, 4)
    if abs(parsed - form.total_weight) <= 0.01:
        return []
    message = texts.UNCERTAIN_WEIGHT_SUM.format(
        parsed=_fmt(parsed), fund=_fmt(fund), rows=_fmt(rows), printed=_fmt(form.total_weight)
    )
    check = uncertain(message)
    check.claimed, check.recomputed = form.total_weight, parsed
    return [check]


def _fmt(number: float) -> str:
    return f"{number:g}"
