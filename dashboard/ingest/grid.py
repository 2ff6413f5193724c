"""A grid of table cells → `Form` objects.

The grid is a list of rows; a row is a list of cells: a string (the printed text, line
wraps as "\\n"), "" for a real empty cell, or None for a position covered by a merged
cell. Rows may have different lengths. Columns are located by the header texts of the
form itself (年初预算数 …, 一级指标 …), never by fixed positions, so any reader that
yields cells in this shape (PDF tables, spreadsheets) shares this module.

One grid may hold many forms: a form starts at each 自评表 title (项目支出…, 部门整体支出…, 部门预算
项目支出…), or at a 项目名称/部门名称 row when the current form already has one. Every label is looked up
in the one vocabulary of `labels` (调整后预算数 is 全年预算数, 权重 is 分值, 合计 is 总分 …).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard.core import domain, texts
from dashboard.core.domain import Severity
from dashboard.core.model import Check, Form, FundRow, Funds, Indicator
from dashboard.core.rule_ids import PARSE_UNCERTAIN
from dashboard.ingest import labels
from dashboard.ingest.cells import (
    FUND_AMOUNT_FIELDS,
    NumberCells,
    fund_unit,
    is_plain_number,
    join_wrapped,
    label_key,
    looks_like_number,
    parse_number,
    project_amount_unit,
    split_project_name,
    strip_level1_suffix,
    unit_line,
    without_stamp,
    year_from_title,
)

Cell = str | None

# The vocabulary lives in `labels`; these names are what the other readers import.
TITLE_KEY = labels.TITLE_KEY
HEADER_LABELS = labels.HEADER_LABELS
FORM_LABELS = labels.FORM_LABELS
FUND_COLUMNS = labels.FUND_COLUMNS
FUND_ROW_LABELS = labels.FUND_ROW_LABELS
LEVEL_LABEL_END = "指标"


@dataclass
class GridForm:
    """The rows of one form, with the page each row was printed on."""

    rows: list[list[Cell]]
    pages: list[int]


@dataclass
class ParsedForm:
    """What the grid says about one form: fields of `model.Form` plus findings."""

    form_kind: domain.FormKind = domain.FormKind.PROJECT
    project_name: str = ""
    project_code: str | None = None
    title: str | None = None  # the title as printed
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


def find_cell(row: Sequence[Cell], key: str | tuple[str, ...], prefix: bool = False) -> int | None:
    """Index of the first cell whose label key equals `key` (or one of them, or starts with it)."""
    keys = (key,) if isinstance(key, str) else key
    for index, cell_key in enumerate(row_keys(row)):
        if cell_key in keys or (prefix and cell_key.startswith(keys)):
            return index
    return None


def title_kind(row: Sequence[Cell]) -> str | None:
    """The form kind of a title row (a cell that is a 自评表 title), None for any other row."""
    return next((kind for cell in row if cell and (kind := labels.title_kind(cell))), None)


def is_title_row(row: Sequence[Cell]) -> bool:
    return title_kind(row) is not None


def is_project_name_row(row: Sequence[Cell]) -> bool:
    """A row that names the form: 项目名称 (部门名称 on a 部门整体 form)."""
    return name_field(row) is not None


def name_field(row: Sequence[Cell]) -> str | None:
    """The field a name row prints ("project_name", "department_name"), None for any other row."""
    index = find_cell(row, labels.NAME_LABELS, prefix=True)
    return None if index is None else labels.column_of(label_key(row[index]), "header")


def is_blank_row(row: Sequence[Cell]) -> bool:
    return all(not (cell or "").strip() for cell in row)


# ---------------------------------------------------------------- splitting


def split_forms(rows: Sequence[Sequence[Cell]], pages: Sequence[int]) -> list[GridForm]:
    """Cut the grid into forms: at each title row, or at a second 项目名称 (部门名称 …) row."""
    chunks: list[GridForm] = []
    names: set[str] = set()  # the name fields the current chunk printed
    for row, page in zip(rows, pages, strict=True):
        name = name_field(row)
        if is_title_row(row) or (name is not None and (not chunks or name in names)):
            chunks.append(GridForm(rows=[], pages=[]))
            names = set()
        if not chunks:
            continue
        chunks[-1].rows.append(list(row))
        chunks[-1].pages.append(page)
        if name is not None:
            names.add(name)
    return [chunk for chunk in merge_continuations(chunks) if looks_like_form(chunk.rows)]


def merge_continuations(chunks: list[GridForm]) -> list[GridForm]:
    """A chunk that follows a repeated title (a continuation page) joins the one before.

    That is a chunk without 项目名称 while the form before has not reached its 总分 row (the
    title repeated between its 项目名称 row and the rest), or a chunk without 项目名称, fund
    header or any other label of a form. A chunk with form labels after a finished form is a
    form of its own, however little of it can be read (a layout the reader does not know, a
    form cut short): its rows must not vanish into the form before. So is a chunk that prints a header
    field the form before printed already (主管部门, 自评总分 …): a continuation page never repeats the
    header block, while the next form of a layout without 项目名称 and 总分 rows (Chongqing's 部门整体 form)
    starts with it. A bare title (and year line) after a finished form continues nothing: it is the title of
    a form that printed no table the reader could read, and is left out (its page is then named as such).
    """
    merged: list[GridForm] = []
    for chunk in chunks:
        unfinished = bool(merged) and first_row(merged[-1].rows, is_total_row) is None
        named = any(is_project_name_row(row) for row in chunk.rows)
        own = starts_form(chunk.rows) or has_form_labels(chunk.rows)
        repeats_header = bool(merged) and bool(header_fields(chunk.rows) & header_fields(merged[-1].rows))
        continues = not own or (unfinished and not named and not repeats_header)
        if merged and continues and (unfinished or not only_titles(chunk.rows)):
            merged[-1].rows.extend(chunk.rows)
            merged[-1].pages.extend(chunk.pages)
        else:
            merged.append(chunk)
    return merged


def only_titles(rows: Sequence[Sequence[Cell]]) -> bool:
    """Whether the rows are a title and the year line under it, nothing else."""
    return all(is_title_row(row) or is_year_row(row) for row in rows)


def is_year_row(row: Sequence[Cell]) -> bool:
    texts_in_row = [cell for cell in row if cell and cell.strip()]
    return len(texts_in_row) == 1 and labels.year_line(texts_in_row[0]) is not None


def header_fields(rows: Sequence[Sequence[Cell]]) -> set[str]:
    """The header fields (labels.HEADER_FIELDS) whose label heads a cell of the rows."""
    found = (labels.column_of(key, "header") for row in rows for key in row_keys(row) if key)
    return {name for name in found if name is not None}


def starts_form(rows: Sequence[Sequence[Cell]]) -> bool:
    return any(is_project_name_row(row) or fund_columns(row) for row in rows)


def looks_like_form(rows: Sequence[Sequence[Cell]]) -> bool:
    """A chunk is a form when it names a project, has a fund or indicator header, or prints form labels."""
    return has_form_labels(rows) or any(
        is_project_name_row(row) or fund_columns(row) or indicator_columns(row) for row in rows
    )


def shows_form(rows: Sequence[Sequence[Cell]]) -> bool:
    """Whether rows print what a form is known by: a 自评表 title, a name row, a fund or indicator header.
    (Single labels such as 上年结转 or 总分 are printed by other tables too.)"""
    return any(
        is_title_row(row) or is_project_name_row(row) or fund_columns(row) or indicator_columns(row) for row in rows
    )


def has_form_labels(rows: Sequence[Sequence[Cell]]) -> bool:
    """Whether a cell starts with a label only a 自评表 prints (项目金额, 年度资金总额, 一级指标, 总分 …)."""
    return any(key.startswith(FORM_LABELS) for row in rows for key in row_keys(row) if key)


# ---------------------------------------------------------------- header block


def header_value(rows: Sequence[Sequence[Cell]], field_name: str) -> tuple[bool, str | None]:
    """(found, value) of a header field (labels.HEADER_FIELDS): the next cell after its label, or the
    text after a colon."""
    names = labels.HEADER_FIELDS[field_name]
    for row in rows:
        index = find_cell(row, names, prefix=True)
        if index is None:
            continue
        inline = inline_value(row[index] or "")
        if inline:
            return True, inline
        return True, next_value(row, index)
    return False, None


def header_label(rows: Sequence[Sequence[Cell]], field_name: str) -> str | None:
    """The label cell of a header field as printed ("项目金额（万元）"), None where the form prints none."""
    for row in rows:
        index = find_cell(row, labels.HEADER_FIELDS[field_name], prefix=True)
        if index is not None:
            return row[index]
    return None


def table_unit(rows: Sequence[Sequence[Cell]]) -> str | None:
    """The money unit of the table's unit line ("单位：万元"), printed above its fund block; None where none is."""
    for row in rows:
        if fund_columns(row) or indicator_columns(row):
            return None
        for cell in row:
            if cell and (unit := unit_line(cell)):
                return unit
    return None


def inline_value(text: str) -> str:
    """ "项目名称：购置费" → "购置费"; "" where the cell holds only the label."""
    for colon in ("：", ":"):
        if colon in text:
            return join_wrapped(text.split(colon, 1)[1]).strip()
    return ""


def next_value(row: Sequence[Cell], index: int) -> str | None:
    """The first cell right of `index` that is not covered; None where blank or another label."""
    for cell in row[index + 1 :]:
        if cell is None:
            continue
        if label_key(cell).startswith(HEADER_LABELS):
            return None
        value = join_wrapped(cell).strip()
        return value or None
    return None


def read_title_year(rows: Sequence[Sequence[Cell]]) -> int | None:
    """The year in the title, or on a line of its own right under it ("（2022年度）")."""
    for at, row in enumerate(rows):
        if not is_title_row(row):
            continue
        for cell in row:
            if cell and labels.title_kind(cell):
                year = year_from_title(join_wrapped(cell))
                if year is not None:
                    return year
        below = [cell for cell in (rows[at + 1] if at + 1 < len(rows) else []) if cell]
        if len(below) == 1 and (year := labels.year_line(below[0])) is not None:
            return year
    return None


# ---------------------------------------------------------------- columns


def header_columns(row: Sequence[Cell], table: str) -> dict[str, int]:
    """Column index of each field whose label heads a cell of `row` (first occurrence; labels.column_of)."""
    found: dict[str, int] = {}
    for index, key in enumerate(row_keys(row)):
        column = labels.column_of(key, table) if key else None
        if column is not None and column not in found:
            found[column] = index
    return found


def fund_columns(row: Sequence[Cell]) -> dict[str, int]:
    columns = header_columns(row, "fund")
    return columns if all(name in columns for name in FUND_AMOUNT_FIELDS) else {}


def indicator_columns(row: Sequence[Cell]) -> dict[str, int]:
    columns = header_columns(row, "indicator")
    return columns if all(name in columns for name in labels.REQUIRED_INDICATOR_COLUMNS) else {}


def indicator_header(rows: Sequence[Sequence[Cell]], header_at: int) -> tuple[dict[str, int], int]:
    """The indicator columns and the last header row: 年度指标值 may be split over a second header row
    (指标性质 | 指标值 | 度量单位), whose columns then replace the merged one. A header row cut by a page break
    ("年度指标" | "实际完成" at the foot of a page, "值" | "值" on the next) is read with its rest: a row below
    that prints no number and completes labels of the header."""
    columns = indicator_columns(rows[header_at])
    if header_at + 1 < len(rows):
        below_row = rows[header_at + 1]
        below = header_columns(below_row, "indicator")
        if "target_op" in below or "target_unit" in below:
            return columns | below, header_at + 1
        if not any(is_plain_number(cell) for cell in below_row):
            joined = [f"{cell or ''}{cell_at(below_row, index) or ''}" for index, cell in enumerate(rows[header_at])]
            healed = header_columns(joined, "indicator")
            if len(healed) > len(columns) and all(healed.get(name) == at for name, at in columns.items()):
                return healed, header_at + 1
    return columns, header_at


def damaged_headings(row: Sequence[Cell], table: str) -> list[Check]:
    """A finding for each cell of a header row one character away from a column label ("执行5" for 执行率):
    its column is not read."""
    found = []
    for cell, key in zip(row, row_keys(row), strict=True):
        near = labels.near_column_labels(key, table)
        if near:
            found.append(uncertain(texts.UNCERTAIN_HEADING_NEAR.format(text=cell, label="”或“".join(near))))
    return found


def first_row(rows: Sequence[Sequence[Cell]], test, start: int = 0) -> int | None:
    for index in range(start, len(rows)):
        if test(rows[index]):
            return index
    return None


# ---------------------------------------------------------------- funds


def read_fund_unit(rows: Sequence[Sequence[Cell]], header: Sequence[Cell]) -> str:
    """ "万元" where the fund block's heading (项目资金（万元）, 年度预算数（万元） …) or a fund column heading
    says so, else "元"."""
    for row in (*rows, header):
        for cell in row:
            key = label_key(cell)
            if key.startswith(labels.FUND_HEADINGS) and "元" in key:
                return fund_unit(cell)
    return "万元" if any(fund_unit(cell) == "万元" for cell in header if cell) else "元"


def fund_row_key(row: Sequence[Cell], columns: dict[str, int]) -> str | None:
    """The Funds attribute a fund row's label names; the label stands left of the amount columns."""
    first = min(columns.values())
    for key in row_keys(row[:first]):
        if name := labels.fund_row_of(key):
            return name
    return None


def read_funds(
    rows: Sequence[Sequence[Cell]], end: int, numbers: NumberCells, pages: Sequence[int] | None = None
) -> Funds | None:
    """The 项目资金 block, or None where no fund header row is found before `end`.

    Rows whose labels name the same attribute add up (Sichuan's 财政专户管理资金, 单位资金 and 其他资金 are
    all 其他资金 of the national form). A block of one unlabelled row (Chongqing's 部门整体 form) is the total.
    A fund row cut by a page break ("764200" at the foot of a page, "0.00" at the top of the next) is read
    whole: an unlabelled row first on a new page, right under a fund row, is that row's rest.
    """
    header_at = first_row(rows[:end], lambda row: bool(fund_columns(row)))
    if header_at is None:
        return None
    columns = fund_columns(rows[header_at])
    numbers.checks.extend(damaged_headings(rows[header_at], "fund"))
    funds = Funds(unit_printed=read_fund_unit(rows[:end], rows[header_at]))
    printed_rows: list[tuple[str, dict[str, Cell]]] = []
    whole_rows: list[Sequence[Cell]] = []  # as printed, labels included: a row repeated by a bad copy
    last_read = None
    for at in range(header_at + 1, end):
        row = rows[at]
        name = fund_row_key(row, columns)
        cut = last_read == at - 1 and pages is not None and pages[at] != pages[at - 1]
        if name is None and cut and is_fund_row_rest(row, columns):
            continue_fund_row(printed_rows[-1][1], row, columns)
            last_read = at
            continue
        if name is None and at == header_at + 1 and fund_amounts_printed(row, columns):
            name = "total"
        elif name is None:
            if printed_rows and not fund_amounts_printed(row, columns):
                break  # the block is over: the rows below belong to other parts of the form
            continue
        printed_rows.append((name, {column: cell_at(row, index) for column, index in columns.items()}))
        whole_rows.append(row)
        last_read = at
    for repeated in repeated_rows(whole_rows):
        numbers.checks.append(uncertain(texts.UNCERTAIN_ROW_TWICE.format(text=repeated)))
    read: dict[str, list[FundRow]] = {}
    for name, printed in printed_rows:
        read.setdefault(name, []).append(numbers.fund_row(printed, funds.unit_printed, name))
    for name, found in read.items():
        setattr(funds, name, found[0] if len(found) == 1 else added_rows(found))
    return funds


def is_fund_row_rest(row: Sequence[Cell], columns: dict[str, int]) -> bool:
    """Whether a row is the rest of a fund row: figures (or their ends: ".00", "%") under the fund columns, no
    label of a form anywhere (the 年度总体目标 row under a block that ends at a page's foot is no rest)."""
    figures = [(cell_at(row, index) or "").strip() for index in columns.values()]
    if has_form_labels([row]) or not any(figures):
        return False
    return all(not figure or looks_like_number(figure) or figure in ("%", "—", "-") for figure in figures)


def continue_fund_row(printed: dict[str, Cell], rest: Sequence[Cell], columns: dict[str, int]) -> None:
    """The cells of a fund row with the rest a page break carried to the next page, line by line."""
    for column, index in columns.items():
        more = (cell_at(rest, index) or "").strip()
        if more:
            printed[column] = f"{printed[column]}\n{more}" if (printed[column] or "").strip() else more


def fund_amounts_printed(row: Sequence[Cell], columns: dict[str, int]) -> bool:
    return any(is_plain_number(cell_at(row, columns[name])) for name in FUND_AMOUNT_FIELDS)


def repeated_rows(rows: Sequence[Sequence[str | None]]) -> list[str]:
    """Rows printed twice, cell for cell (as a line repeated by a bad copy leaves them): each once, as text.
    Rows that only add up (Sichuan's 单位资金 and 其他资金 under one attribute) differ in their labels."""
    seen: set[tuple] = set()
    found: list[str] = []
    for row in rows:
        key = tuple(text or "" for text in row)
        if key in seen and any(key):
            found.append(" ".join(text for text in key if text))
        seen.add(key)
    return found


def added_rows(found: list[FundRow]) -> FundRow:
    """Fund rows of one attribute added up (amounts to the cent); the rate recomputed from the sums."""
    sums: dict[str, float | None] = {}
    for name in FUND_AMOUNT_FIELDS:
        values = [getattr(row, name) for row in found if getattr(row, name) is not None]
        sums[name] = round(sum(values), 2) if values else None
    budget, executed = sums["annual_budget"], sums["executed"]
    rate = round(executed / budget * 100, 2) if budget and executed is not None else None
    return FundRow(**sums, rate_pct=rate)


# ---------------------------------------------------------------- goals


def read_goals(rows: Sequence[Sequence[Cell]], end: int) -> tuple[str, str]:
    """预期目标 and 实际完成情况 (or their synonyms): the cells under their labels, down to `end` or to a
    row that prints a label of its own left of them (the next part of the form)."""
    label_at = first_row(rows[:end], lambda row: goal_column(row, labels.GOAL_EXPECTED_LABELS) is not None)
    if label_at is None:
        return "", ""
    expected_col = goal_column(rows[label_at], labels.GOAL_EXPECTED_LABELS)
    actual_col = goal_column(rows[label_at], labels.GOAL_ACTUAL_LABELS)
    goal_keys = {label_key(name) for name in labels.GOAL_EXPECTED_LABELS + labels.GOAL_ACTUAL_LABELS}
    first_col = min(index for index, key in enumerate(row_keys(rows[label_at])) if key in goal_keys)
    below = []
    for row in rows[label_at + 1 : end]:
        if is_title_row(row) or is_margin_row(row):
            continue  # a title repeated on a continuation page
        if any((cell or "").strip() for cell in row[:first_col]):
            break
        below.append(row)
    return column_text(below, expected_col), column_text(below, actual_col)


def goal_column(row: Sequence[Cell], names: tuple[str, ...]) -> int | None:
    """The column of the first of `names` (most specific first) that heads a cell of `row`."""
    for name in names:
        if (index := find_cell(row, label_key(name))) is not None:
            return index
    return None


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
    """The indicator rows between the header row(s) and `end`; their findings go to `numbers.checks`.

    A row cut by a page break prints its first lines at the foot of one page and the rest at the top of
    the next: a first row on a new page that prints only text (name, reason), no target, actual, 分值 or
    得分, is the rest of the row before it, not an indicator of its own.
    """
    columns, last_header = indicator_header(rows, header_at)
    numbers.checks.extend(damaged_headings(rows[header_at], "indicator"))
    level1 = LevelCarry(attribute="level1")
    level2 = LevelCarry(attribute="level2")
    indicators: list[Indicator] = []
    previous_page = pages[header_at]
    for row, page in zip(rows[last_header + 1 : end], pages[last_header + 1 : end], strict=True):
        if indicator_columns(row) or is_title_row(row) or is_margin_row(row):
            continue  # headings repeated on a continuation page, a page number
        new_page = page != previous_page
        previous_page = page
        if new_page and indicators and is_row_rest(row, columns, level1, level2):
            continue_row(indicators[-1], row, columns)
            level1.take(cell_at(row, columns.get("level1")), new_page)  # "满意度指" | "标": the label's rest
            level2.take(cell_at(row, columns.get("level2")), new_page)
            continue
        first = level1.take(cell_at(row, columns.get("level1")), new_page)
        second = level2.take(cell_at(row, columns.get("level2")), new_page)
        if not has_indicator_content(row, columns) or is_placeholder_row(row, columns):
            continue
        indicator = make_indicator(row, columns, first, second, numbers)
        level1.note(indicator)
        level2.note(indicator)
        indicators.append(indicator)
        numbers.checks.extend(indicator_checks(row, columns, indicator))
    return indicators


VALUE_COLUMNS = ("target", "target_initial", "actual", "weight", "score")


def column_cell(row: Sequence[Cell], columns: dict[str, int], name: str) -> str:
    return (cell_at(row, columns.get(name)) or "").strip()


def has_indicator_content(row: Sequence[Cell], columns: dict[str, int]) -> bool:
    return any(column_cell(row, columns, name) for name in ("name", *VALUE_COLUMNS))


def is_placeholder_row(row: Sequence[Cell], columns: dict[str, int]) -> bool:
    """A template row left in: "指标1", "……" with no 分值, 得分 or actual printed."""
    empty = not any(column_cell(row, columns, name) for name in ("actual", "weight", "score"))
    return empty and labels.is_placeholder_name(column_cell(row, columns, "name"))


def is_margin_row(row: Sequence[Cell]) -> bool:
    """A one-cell row of a page number or 填报人 line (Word documents keep them as paragraphs)."""
    texts_in_row = [cell for cell in row if cell and cell.strip()]
    return len(texts_in_row) == 1 and labels.is_margin_line(texts_in_row[0])


def is_row_rest(row: Sequence[Cell], columns: dict[str, int], *levels: LevelCarry) -> bool:
    """Whether a row is the rest of a row a page break cut: text in its name or reason cells, no value, and in
    its 一级/二级 cells nothing or the rest of the label above ("满意度指" on one page, "标" on the next)."""
    if any(column_cell(row, columns, name) for name in (*VALUE_COLUMNS, "target_op", "target_unit")):
        return False
    level_texts = [column_cell(row, columns, carry.attribute) for carry in levels]
    if any(text and not carry.continues(text) for text, carry in zip(level_texts, levels, strict=True)):
        return False
    return any(level_texts) or bool(column_cell(row, columns, "name") or column_cell(row, columns, "reason"))


def continue_row(indicator: Indicator, row: Sequence[Cell], columns: dict[str, int]) -> None:
    name, reason = column_cell(row, columns, "name"), column_cell(row, columns, "reason")
    if name:
        indicator.name = join_wrapped(f"{indicator.name}\n{name}")
    if reason:
        indicator.reason = join_wrapped(f"{indicator.reason or ''}\n{reason}")


def make_indicator(
    row: Sequence[Cell], columns: dict[str, int], level1: str, level2: str, numbers: NumberCells
) -> Indicator:
    def text(name: str) -> str:
        return join_wrapped(cell_at(row, columns.get(name))).strip()

    reason, name = text("reason"), text("name")
    weight, score = numbers.indicator_points(
        cell_at(row, columns.get("weight")), cell_at(row, columns.get("score")), name
    )
    target, parts = text("target") or text("target_initial"), None
    if "target_op" in columns or "target_unit" in columns:
        parts = labels.target_parts(text("target_op"), target, text("target_unit"))
        target = labels.join_target(parts["op"], parts["value"], parts["unit"])
    return Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=target,
        actual=text("actual"),
        weight=weight,
        score=score,
        reason=reason or None,
        target_parts=parts,
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
    return Check(rule=PARSE_UNCERTAIN, severity=Severity.WARNING, message=message, indicator=indicator)


# ---------------------------------------------------------------- total row


def read_total(row: Sequence[Cell], columns: dict[str, int], numbers: NumberCells) -> tuple[float | None, float | None]:
    """总分 row: 分值 and 得分 under their header columns, else the first two numbers after the label."""
    printed = cell_at(row, columns.get("weight")), cell_at(row, columns.get("score"))
    weight, score = parse_number(printed[0]), parse_number(printed[1])
    if weight is not None and score is not None:
        return weight, score
    label_at = find_cell(row, labels.TOTAL_LABELS, prefix=True) or 0
    found = [parse_number(cell) for cell in row[label_at + 1 :] if cell is not None]
    found = [number for number in found if number is not None]
    if len(found) >= 2:
        return found[0], found[1]
    return numbers.total_points(*printed)


def is_total_row(row: Sequence[Cell]) -> bool:
    return find_cell(row, labels.TOTAL_LABELS) is not None


# ---------------------------------------------------------------- one form


def parse_form(form: GridForm) -> ParsedForm:
    rows, pages = form.rows, form.pages
    parsed = ParsedForm(pages=sorted(set(pages)))
    numbers = NumberCells(parsed.checks)
    parse_header(rows, parsed, numbers)
    header_at = first_row(rows, lambda row: bool(indicator_columns(row)))
    body_end = header_at if header_at is not None else len(rows)
    funds = read_funds(rows, body_end, numbers, pages)
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
    if total_at is not None:
        parsed.total_weight, parsed.total_score = read_total(
            rows[total_at], indicator_header(rows, header_at)[0], numbers
        )
    elif parsed.total_score is None:
        parsed.checks.append(uncertain(texts.UNCERTAIN_NO_TOTAL))
    return parsed


def parse_header(rows: Sequence[Sequence[Cell]], parsed: ParsedForm, numbers: NumberCells) -> None:
    """Header fields by label; a 部门整体 form (its title, or 部门名称 without 项目名称) names its department."""
    found, name = header_value(rows, "project_name")
    _, department_name = header_value(rows, "department_name")
    titles = [join_wrapped(cell) for row in rows for cell in row if cell and labels.title_kind(cell)]
    parsed.title = titles[0] if titles else None
    kinds = [labels.title_kind(title) for title in titles]
    department_form = (kinds[0] if kinds else None) == domain.FormKind.DEPARTMENT or (not found and department_name)
    parsed.department = without_stamp(header_value(rows, "department")[1])
    parsed.unit = without_stamp(header_value(rows, "unit")[1])
    if department_form:
        parsed.form_kind = domain.FormKind.DEPARTMENT
        parsed.department = department_name or parsed.department
    else:
        parsed.project_code, parsed.project_name = labels.split_code(name or "")
        if not found or not name:
            parsed.checks.append(uncertain(texts.UNCERTAIN_NO_PROJECT_NAME))
    _, amount = header_value(rows, "project_amount")
    unit = project_amount_unit(header_label(rows, "project_amount"), table_unit(rows))
    parsed.project_amount = numbers.amount(amount, unit, texts.FIELD_PROJECT_AMOUNT)
    _, total = header_value(rows, "total_score")
    parsed.total_score = numbers.points(total, texts.FIELD_TOTAL_ROW.format(column=texts.FIELD_SCORE))
    parsed.year = read_title_year(rows)


def to_form(parsed: ParsedForm, source_file: str) -> Form:
    project_type, status = split_project_name(parsed.project_name)
    return Form(
        form_kind=parsed.form_kind,
        project_code=parsed.project_code,
        layout_title=parsed.title,
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
