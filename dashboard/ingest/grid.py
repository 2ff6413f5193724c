"""A grid of table cells → `Form` objects.

The grid is a list of rows; a row is a list of cells: a string (the printed text, line
wraps as "\\n"), "" for a real empty cell, or None for a position covered by a merged
cell. Rows may have different lengths. Columns are located by the header texts of the
form itself (年初预算数 …, 一级指标 …), never by fixed positions, so any reader that
yields cells in this shape (PDF tables, spreadsheets) shares this module.

One grid may hold many forms: a form starts at each 项目支出绩效自评表 title, or at a
项目名称 row when the current form already has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard import texts
from dashboard.ingest.cells import (
    FUND_AMOUNT_FIELDS,
    NumberCells,
    fund_unit,
    join_wrapped,
    label_key,
    parse_number,
    split_project_name,
    strip_level1_suffix,
    year_from_title,
)
from dashboard.ingest.rules import PARSE_UNCERTAIN
from dashboard.model import Check, Form, Funds, Indicator

Cell = str | None

# Matching keys (label_key of the printed labels).
TITLE_KEY = "绩效自评表"
PROJECT_NAME = "项目名称"
PROJECT_AMOUNT = "项目金额"
DEPARTMENT = "主管部门"
UNIT = "实施单位"
HEADER_LABELS = (PROJECT_NAME, PROJECT_AMOUNT, DEPARTMENT, UNIT)
FUND_HEADING = "项目资金"
TOTAL_ROW = "总分"
GOAL_EXPECTED = "预期目标"
GOAL_ACTUAL = "实际完成情况"
LEVEL_LABEL_END = "指标"
# Labels that only a 自评表 prints: a chunk holding one is a form, however little else can be read.
FORM_LABELS = (
    *HEADER_LABELS,
    FUND_HEADING,
    "年度资金总额",
    "上年结转",
    GOAL_EXPECTED,
    "年度总体目标",
    "年度绩效指标",
    "一级指标",
    "三级指标",
    TOTAL_ROW,
)

# Fund header texts → FundRow fields.
FUND_COLUMNS = {
    "年初预算数": "initial_budget",
    "全年预算数": "annual_budget",
    "全年执行数": "executed",
    "分值": "weight",
    "执行率": "rate_pct",
    "得分": "score",
}

# Indicator header texts → column names used below.
INDICATOR_COLUMNS = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "name",
    "年度指标值": "target",
    "实际完成值": "actual",
    "分值": "weight",
    "得分": "score",
    "偏差原因": "reason",
}
REQUIRED_INDICATOR_COLUMNS = ("level1", "level2", "name", "weight", "score")

# Substrings of a fund row's label → Funds attribute. Order matters: first match wins.
FUND_ROW_LABELS = (
    ("年度资金总额", "total"),
    ("财政拨款", "current_year"),
    ("上年结转", "carryover"),
    ("其他资金", "other"),
)


@dataclass
class GridForm:
    """The rows of one form, with the page each row was printed on."""

    rows: list[list[Cell]]
    pages: list[int]


@dataclass
class ParsedForm:
    """What the grid says about one form: fields of `model.Form` plus findings."""

    project_name: str = ""
    project_amount: float | None = None
    department: str | None = None
    unit: str | None = None
    year: int | None = None
    funds: Funds = field(default_factory=Funds)
    goal_expected: str = ""
    goal_actual: str = ""
    indicators: list[Indicator] = field(default_factory=list)
    total_weight: float | None = None
    total_score: float | None = None
    checks: list[Check] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- cell access


def cell_at(row: Sequence[Cell], index: int | None) -> Cell:
    """The cell at `index`, None where the row is shorter or no column was found."""
    if index is None or index < 0 or index >= len(row):
        return None
    return row[index]


def row_keys(row: Sequence[Cell]) -> list[str]:
    return [label_key(cell) for cell in row]


def find_cell(row: Sequence[Cell], key: str, prefix: bool = False) -> int | None:
    """Index of the first cell whose label key equals `key` (or starts with it)."""
    for index, cell_key in enumerate(row_keys(row)):
        if cell_key == key or (prefix and cell_key.startswith(key)):
            return index
    return None


def is_title_row(row: Sequence[Cell]) -> bool:
    return any(TITLE_KEY in key for key in row_keys(row))


def is_project_name_row(row: Sequence[Cell]) -> bool:
    return find_cell(row, PROJECT_NAME, prefix=True) is not None


def is_blank_row(row: Sequence[Cell]) -> bool:
    return all(not (cell or "").strip() for cell in row)


# ---------------------------------------------------------------- splitting


def split_forms(rows: Sequence[Sequence[Cell]], pages: Sequence[int]) -> list[GridForm]:
    """Cut the grid into forms: at each title row, or at a second 项目名称 row."""
    chunks: list[GridForm] = []
    has_name = False
    for row, page in zip(rows, pages, strict=True):
        name_row = is_project_name_row(row)
        if is_title_row(row) or (name_row and (not chunks or has_name)):
            chunks.append(GridForm(rows=[], pages=[]))
            has_name = False
        if not chunks:
            continue
        chunks[-1].rows.append(list(row))
        chunks[-1].pages.append(page)
        has_name = has_name or name_row
    return [chunk for chunk in merge_continuations(chunks) if looks_like_form(chunk.rows)]


def merge_continuations(chunks: list[GridForm]) -> list[GridForm]:
    """A chunk that follows a repeated title (a continuation page) joins the one before.

    That is a chunk without 项目名称 while the form before has not reached its 总分 row (the
    title repeated between its 项目名称 row and the rest), or a chunk without 项目名称, fund
    header or any other label of a form. A chunk with form labels after a finished form is a
    form of its own, however little of it can be read (a layout the reader does not know, a
    form cut short): its rows must not vanish into the form before.
    """
    merged: list[GridForm] = []
    for chunk in chunks:
        unfinished = bool(merged) and first_row(merged[-1].rows, is_total_row) is None
        named = any(is_project_name_row(row) for row in chunk.rows)
        own = starts_form(chunk.rows) or has_form_labels(chunk.rows)
        if merged and (not own or (unfinished and not named)):
            merged[-1].rows.extend(chunk.rows)
            merged[-1].pages.extend(chunk.pages)
        else:
            merged.append(chunk)
    return merged


def starts_form(rows: Sequence[Sequence[Cell]]) -> bool:
    return any(is_project_name_row(row) or fund_columns(row) for row in rows)


def looks_like_form(rows: Sequence[Sequence[Cell]]) -> bool:
    """A chunk is a form when it names a project, has a fund or indicator header, or prints form labels."""
    return has_form_labels(rows) or any(
        is_project_name_row(row) or fund_columns(row) or indicator_columns(row) for row in rows
    )


def has_form_labels(rows: Sequence[Sequence[Cell]]) -> bool:
    """Whether a cell starts with a label only a 自评表 prints (项目金额, 年度资金总额, 一级指标, 总分 …)."""
    return any(key.startswith(FORM_LABELS) for row in rows for key in row_keys(row) if key)


# ---------------------------------------------------------------- header block


def header_value(rows: Sequence[Sequence[Cell]], label: str) -> tuple[bool, str | None]:
    """(found, value) of a header label: the next cell after it, or the text after a colon."""
    for row in rows:
        index = find_cell(row, label, prefix=True)
        if index is None:
            continue
        inline = inline_value(row[index] or "", label)
        if inline:
            return True, inline
        return True, next_value(row, index)
    return False, None


def inline_value(text: str, label: str) -> str:
    """ "项目名称：购置费" → "购置费"; "" where the cell holds only the label."""
    if label_key(text) == label:
        return ""
    for colon in ("：", ":"):
        if colon in text:
            return join_wrapped(text.split(colon, 1)[1]).strip()
    return ""


def next_value(row: Sequence[Cell], index: int) -> str | None:
    """The first cell right of `index` that is not covered; None where blank or another label."""
    for cell in row[index + 1 :]:
        if cell is None:
            continue
        if any(label_key(cell).startswith(label) for label in HEADER_LABELS):
            return None
        value = join_wrapped(cell).strip()
        return value or None
    return None


def read_title_year(rows: Sequence[Sequence[Cell]]) -> int | None:
    for row in rows:
        for cell in row:
            if TITLE_KEY in label_key(cell):
                year = year_from_title(join_wrapped(cell))
                if year is not None:
                    return year
    return None


# ---------------------------------------------------------------- columns


def header_columns(row: Sequence[Cell], names: dict[str, str]) -> dict[str, int]:
    """Column index of each header text found in `row` (first occurrence, prefix match)."""
    found: dict[str, int] = {}
    for index, key in enumerate(row_keys(row)):
        for label, column in names.items():
            if column not in found and key.startswith(label):
                found[column] = index
                break
    return found


def fund_columns(row: Sequence[Cell]) -> dict[str, int]:
    columns = header_columns(row, FUND_COLUMNS)
    return columns if all(name in columns for name in FUND_AMOUNT_FIELDS) else {}


def indicator_columns(row: Sequence[Cell]) -> dict[str, int]:
    columns = header_columns(row, INDICATOR_COLUMNS)
    return columns if all(name in columns for name in REQUIRED_INDICATOR_COLUMNS) else {}


def first_row(rows: Sequence[Sequence[Cell]], test, start: int = 0) -> int | None:
    for index in range(start, len(rows)):
        if test(rows[index]):
            return index
    return None


# ---------------------------------------------------------------- funds


def read_fund_unit(rows: Sequence[Sequence[Cell]], header: Sequence[Cell]) -> str:
    """ "万元" where the 项目资金 heading or a fund column heading says so, else "元"."""
    for row in rows:
        for cell in row:
            if label_key(cell).startswith(FUND_HEADING):
                return fund_unit(cell)
    return "万元" if any(fund_unit(cell) == "万元" for cell in header if cell) else "元"


def fund_row_key(row: Sequence[Cell]) -> str | None:
    for key in row_keys(row):
        for label, name in FUND_ROW_LABELS:
            if label in key:
                return name
    return None


def read_funds(rows: Sequence[Sequence[Cell]], end: int, numbers: NumberCells) -> Funds | None:
    """The 项目资金 block, or None where no fund header row is found before `end`."""
    header_at = first_row(rows[:end], lambda row: bool(fund_columns(row)))
    if header_at is None:
        return None
    columns = fund_columns(rows[header_at])
    funds = Funds(unit_printed=read_fund_unit(rows[:end], rows[header_at]))
    for row in rows[header_at + 1 : end]:
        name = fund_row_key(row)
        if name is not None:
            printed = {column: cell_at(row, index) for column, index in columns.items()}
            setattr(funds, name, numbers.fund_row(printed, funds.unit_printed, name))
    return funds


# ---------------------------------------------------------------- goals


def read_goals(rows: Sequence[Sequence[Cell]], end: int) -> tuple[str, str]:
    """预期目标 and 实际完成情况: the cells under their labels, down to `end`."""
    label_at = first_row(rows[:end], lambda row: find_cell(row, GOAL_EXPECTED) is not None)
    if label_at is None:
        return "", ""
    expected_col = find_cell(rows[label_at], GOAL_EXPECTED)
    actual_col = find_cell(rows[label_at], GOAL_ACTUAL)
    below = rows[label_at + 1 : end]
    return column_text(below, expected_col), column_text(below, actual_col)


def column_text(rows: Sequence[Sequence[Cell]], column: int | None) -> str:
    parts = [cell_at(row, column) or "" for row in rows]
    return join_wrapped("\n".join(parts))


# ---------------------------------------------------------------- indicators


@dataclass
class LevelCarry:
    """The 一级/二级指标 carried down merged cells, healed across a page break.

    A merged cell cut by a page break prints as two cells, one per page. Some producers
    print its text in one fragment only: a blank first cell on a new page continues the
    span above; a text there names the rows of the blank fragment just above it, on the
    previous page. Others let the text flow on from one fragment into the next ("产出指标
    （50" | "分）"): a text on the new page that completes an unfinished label continues
    the span, and the rows above take the whole label.
    """

    value: str = ""
    printed: str = ""  # the current span's text as printed, fragments joined
    span_rows: list[Indicator] = field(default_factory=list)
    attribute: str = "level1"

    def take(self, cell: Cell, new_page: bool) -> str:
        if cell is None or (new_page and not self.clean(cell)):
            return self.value  # covered, or a blank (or suffix-only: "（50分）") fragment continuing the span
        if new_page and self.span_rows and (not self.value or self.continues(cell)):
            self.printed = f"{self.printed}\n{cell}" if self.value else cell
            self.value = self.clean(self.printed)
            for indicator in self.span_rows:
                setattr(indicator, self.attribute, self.value)
            return self.value
        self.printed, self.value, self.span_rows = cell, self.clean(cell), []
        return self.value

    def continues(self, cell: str) -> bool:
        """Whether `cell`, first on a new page, is the rest of the label printed above it."""
        return not is_full_label(self.value) and is_full_label(self.clean(f"{self.printed}\n{cell}"))

    def clean(self, cell: str) -> str:
        return strip_level1_suffix(cell) if self.attribute == "level1" else join_wrapped(cell).strip()

    def note(self, indicator: Indicator) -> None:
        self.span_rows.append(indicator)


def is_full_label(text: str) -> bool:
    """一级/二级指标 labels end in 指标 (产出指标, 社会效益指标, 满意度指标 …)."""
    return text.endswith(LEVEL_LABEL_END)


def read_indicators(
    rows: Sequence[Sequence[Cell]], pages: Sequence[int], header_at: int, end: int, numbers: NumberCells
) -> list[Indicator]:
    """The indicator rows between the header row and `end`; their findings go to `numbers.checks`."""
    columns = indicator_columns(rows[header_at])
    level1 = LevelCarry(attribute="level1")
    level2 = LevelCarry(attribute="level2")
    indicators: list[Indicator] = []
    previous_page = pages[header_at]
    for row, page in zip(rows[header_at + 1 : end], pages[header_at + 1 : end], strict=True):
        if indicator_columns(row) or is_title_row(row):
            continue  # headings repeated on a continuation page
        new_page = page != previous_page
        previous_page = page
        first = level1.take(cell_at(row, columns.get("level1")), new_page)
        second = level2.take(cell_at(row, columns.get("level2")), new_page)
        if not has_indicator_content(row, columns):
            continue
        indicator = make_indicator(row, columns, first, second, numbers)
        level1.note(indicator)
        level2.note(indicator)
        indicators.append(indicator)
        numbers.checks.extend(indicator_checks(row, columns, indicator))
    return indicators


def has_indicator_content(row: Sequence[Cell], columns: dict[str, int]) -> bool:
    names = ("name", "target", "actual", "weight", "score")
    return any((cell_at(row, columns.get(name)) or "").strip() for name in names)


def make_indicator(
    row: Sequence[Cell], columns: dict[str, int], level1: str, level2: str, numbers: NumberCells
) -> Indicator:
    def text(name: str) -> str:
        return join_wrapped(cell_at(row, columns.get(name))).strip()

    reason, name = text("reason"), text("name")
    weight, score = numbers.indicator_points(
        cell_at(row, columns.get("weight")), cell_at(row, columns.get("score")), name
    )
    return Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=text("target"),
        actual=text("actual"),
        weight=weight,
        score=score,
        reason=reason or None,
    )


def indicator_checks(row: Sequence[Cell], columns: dict[str, int], indicator: Indicator) -> list[Check]:
    """A parse_uncertain finding for an indicator row that prints neither 分值 nor 得分.

    Cells that print something that is not a usable number get their finding from `NumberCells`.
    """
    weight_text = cell_at(row, columns.get("weight"))
    score_text = cell_at(row, columns.get("score"))
    if not (weight_text or "").strip() and not (score_text or "").strip():
        message = texts.UNCERTAIN_NO_NUMBERS.format(name=indicator.name)
        return [uncertain(message, indicator.name)]
    return []


def uncertain(message: str, indicator: str | None = None) -> Check:
    return Check(rule=PARSE_UNCERTAIN, severity="warning", message=message, indicator=indicator)


# ---------------------------------------------------------------- total row


def read_total(row: Sequence[Cell], columns: dict[str, int], numbers: NumberCells) -> tuple[float | None, float | None]:
    """总分 row: 分值 and 得分 under their header columns, else the first two numbers after the label."""
    printed = cell_at(row, columns.get("weight")), cell_at(row, columns.get("score"))
    weight, score = parse_number(printed[0]), parse_number(printed[1])
    if weight is not None and score is not None:
        return weight, score
    label_at = find_cell(row, TOTAL_ROW, prefix=True) or 0
    found = [parse_number(cell) for cell in row[label_at + 1 :] if cell is not None]
    found = [number for number in found if number is not None]
    if len(found) >= 2:
        return found[0], found[1]
    return numbers.total_points(*printed)


def is_total_row(row: Sequence[Cell]) -> bool:
    return find_cell(row, TOTAL_ROW) is not None


# ---------------------------------------------------------------- one form


def parse_form(form: GridForm) -> ParsedForm:
    rows, pages = form.rows, form.pages
    parsed = ParsedForm(pages=sorted(set(pages)))
    numbers = NumberCells(parsed.checks)
    parse_header(rows, parsed, numbers)
    header_at = first_row(rows, lambda row: bool(indicator_columns(row)))
    body_end = header_at if header_at is not None else len(rows)
    funds = read_funds(rows, body_end, numbers)
    if funds is None:
        parsed.checks.append(uncertain(texts.UNCERTAIN_NO_FUNDS))
    else:
        parsed.funds = funds
    parsed.goal_expected, parsed.goal_actual = read_goals(rows, body_end)
    if header_at is None:
        parsed.checks.append(uncertain(texts.UNCERTAIN_NO_INDICATORS))
        return parsed
    total_at = first_row(rows, is_total_row, start=header_at + 1)
    end = total_at if total_at is not None else len(rows)
    parsed.indicators = read_indicators(rows, pages, header_at, end, numbers)
    if total_at is None:
        parsed.checks.append(uncertain(texts.UNCERTAIN_NO_TOTAL))
    else:
        parsed.total_weight, parsed.total_score = read_total(
            rows[total_at], indicator_columns(rows[header_at]), numbers
        )
    return parsed


def parse_header(rows: Sequence[Sequence[Cell]], parsed: ParsedForm, numbers: NumberCells) -> None:
    found, name = header_value(rows, PROJECT_NAME)
    parsed.project_name = name or ""
    if not found or not name:
        parsed.checks.append(uncertain(texts.UNCERTAIN_NO_PROJECT_NAME))
    _, amount = header_value(rows, PROJECT_AMOUNT)
    parsed.project_amount = numbers.amount(amount, "元", texts.FIELD_PROJECT_AMOUNT)
    _, parsed.department = header_value(rows, DEPARTMENT)
    _, parsed.unit = header_value(rows, UNIT)
    parsed.year = read_title_year(rows)


def to_form(parsed: ParsedForm, source_file: str) -> Form:
    project_type, status = split_project_name(parsed.project_name)
    return Form(
        project_name=parsed.project_name,
        project_type=project_type,
        status=status,
        department=parsed.department,
        unit=parsed.unit,
        year=parsed.year,
        project_amount=parsed.project_amount,
        funds=parsed.funds,
        goal_expected=parsed.goal_expected,
        goal_actual=parsed.goal_actual,
        indicators=parsed.indicators,
        total_weight=parsed.total_weight,
        total_score=parsed.total_score,
        checks=parsed.checks,
        source_file=source_file,
        source_pages=parsed.pages,
    )


def forms_from_grid(
    rows: Sequence[Sequence[Cell]], pages: Sequence[int] | None = None, source_file: str = ""
) -> list[Form]:
    """Every form in the grid, in order. `pages[i]` is the 1-based page of `rows[i]`."""
    if pages is None:
        pages = [1] * len(rows)
    return [to_form(parse_form(form), source_file) for form in split_forms(rows, pages)]
