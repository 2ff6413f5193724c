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

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from dashboard.core import domain, texts
from dashboard.core.model import Check, Form, FormReadError, FundRow, Funds, Indicator
from dashboard.ingest import cells, grid, labels
from dashboard.ingest.grid import FORM_LABELS, FUND_COLUMNS, FUND_ROW_LABELS, forms_from_grid, uncertain

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

# The header fields a text form's lines give, each by its labels in labels.HEADER_FIELDS (longest tried first:
# "主管部门及代码" before "主管部门").
TEXT_HEADER_LABELS = {
    field_name: tuple(sorted(labels.HEADER_FIELDS[field_name], key=len, reverse=True))
    for field_name in ("project_name", "project_amount", "department", "unit")
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

_SUFFIX_RE = re.compile(r"[（(]\s*\d+(\.\d+)?\s*分\s*[)）]")
_VALUE_FRAGMENT_RE = re.compile(r"[≥≤><=]?\s*\d+(\.\d+)?")
_UNIT_FRAGMENT_RE = re.compile(r"[%％].{0,2}")
_UNIT_PIECE_RE = re.compile(r"[（(]万?元[)）]")


@dataclass
class _Line:
    text: str
    page: int


def read_text(text: str, source_file: str) -> list[Form]:
    """Every 自评表 in a text dump, in the order printed: a copy of the table with "|" between its cells
    is read as the grid of cells it is (`pipe_rows`), any other text line by line."""
    lines = _normalise(text)
    table = pipe_rows(lines)
    if table is not None:
        forms = _grid_forms(*table, source_file)
        if "\f" not in text:
            for form in forms:
                form.source_pages = []
    else:
        chunks = _split_forms(lines)
        paged = "\f" in text
        forms = [_read_form(chunk, source_file, paged) for chunk in chunks]
        title = _title_without_form(lines)
        if forms and title is not None:
            forms[-1].checks.append(uncertain(texts.UNCERTAIN_TITLE_WITHOUT_FORM.format(title=title)))
        cut = _cut_in_a_first_line(lines)
        if forms and cut is not None:
            forms[-1].checks.append(uncertain(texts.UNCERTAIN_TEXT_CUT.format(text=cut[0], line=cut[1])))
    if not forms:
        raise FormReadError(texts.REASON_NOT_A_FORM)
    if any(_is_shell(form) for form in forms):
        raise FormReadError(texts.REASON_TEXT_NOT_READ)
    for form in forms:
        form.checks.extend(_missing_fund_rows(form))
        form.checks.extend(_damaged_characters(form, table is None))
        if not (form.goal_expected or form.goal_actual) and (form.indicators or form.total_score is not None):
            form.checks.append(uncertain(texts.UNCERTAIN_NO_GOALS))  # printed above the table in every layout
        form.checks.extend(_odd_level_labels(form))
    return forms


def _odd_level_labels(form: Form) -> list[Check]:
    """一级/二级指标 labels end in 指标 (grid.is_full_label); one that does not took in text of another cell."""
    printed = dict.fromkeys(label for row in form.indicators for label in (row.level1, row.level2) if label)
    return [
        uncertain(texts.UNCERTAIN_ODD_LEVEL.format(label=label)) for label in printed if not grid.is_full_label(label)
    ]


# C0 control characters other than tab, line breaks and the page break: no form prints them, a damaged
# file or a bad copy leaves them. "|" in a text read line by line is a cell border that lost its row.
_DAMAGE_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_STRAY_PIPE_RE = re.compile(r"[|｜]")


def _damaged_characters(form: Form, by_lines: bool) -> list[Check]:
    """A finding for each text field of the form that holds a control character (or, read line by line, a "|")."""
    header = texts.FORM_HEADER_FIELDS
    fields = [
        (header["project_name"], form.project_name),
        (header["department"], form.department),
        (header["unit"], form.unit),
        (texts.GOAL_EXPECTED, form.goal_expected),
        (texts.GOAL_ACTUAL, form.goal_actual),
    ]
    for row in form.indicators:
        fields += [(row.name, text) for text in (row.name, row.target, row.actual, row.reason)]
    found = []
    for label, text in fields:
        if text and (_DAMAGE_CHARACTERS_RE.search(text) or (by_lines and _STRAY_PIPE_RE.search(text))):
            shown = _DAMAGE_CHARACTERS_RE.sub("�", text)[: cells.CUT_TEXT]
            found.append(uncertain(texts.UNCERTAIN_DAMAGED_CHARACTERS.format(field=label, text=shown)))
    return found


def _missing_fund_rows(form: Form) -> list[Check]:
    """A text copy has no checksum: a fund row lost to damage would go unnoticed where its amounts are 0. A form
    that prints its 年度资金总额 row and some of the rows under it must print all of them."""
    rows = form.funds.rows()
    printed = {
        key for key, row in rows.items() if any(getattr(row, name) is not None for name in cells.FUND_AMOUNT_FIELDS)
    }
    parts = [key for key in rows if key != "total"]
    if "total" not in printed or not printed.intersection(parts):
        return []
    return [
        uncertain(texts.UNCERTAIN_FUND_ROW_MISSING.format(row=texts.FUND_ROW_LABELS[key]))
        for key in parts
        if key not in printed
    ]


def _is_shell(form: Form) -> bool:
    """A form with nothing read: no name, no fund amount, no indicator, no 总分 (a layout the reader does not know)."""
    named = form.project_name or (form.form_kind == domain.FormKind.DEPARTMENT and form.department)
    amounts = any(
        getattr(row, name) is not None for row in form.funds.rows().values() for name in cells.FUND_AMOUNT_FIELDS
    )
    return not (named or amounts or form.indicators or form.total_score is not None)


# ---------------------------------------------------------------- copies with "|" between cells
#
# A table copied from a web page, a converter's Markdown or a spreadsheet prints each row on a line with
# "|" between its cells ("| 项目名称 | 购置费 | 项目金额 | 118800 |"), with or without the outer pipes,
# sometimes with a Markdown separator row (|---|---|). Such a copy keeps the table's cells, so it is read as
# the grid the PDF, Excel and Word readers read (grid.forms_from_grid), with the same labels. An empty cell
# is a position without text (None, as a merged cell is), so 一级/二级 labels carry down as in a PDF.
# A cell's text may go on over lines: a row that opens with "|" and does not close with one goes on in the
# next lines, a "<br>" inside a cell is a line wrap, and a row that prints only text under the text cells of
# the row above it (no number, no cell of its own) is the rest of that row's wrapped cells.

PIPES = "|｜"
_PIPE_SPLIT_RE = re.compile(r"[|｜]")
_SEPARATOR_CELL_RE = re.compile(r"^\s*:?[-=—+]{2,}:?\s*$")
_RULE_LINE_RE = re.compile(r"^[\s|｜+\-=:—]+$")  # +----+----+ or |---|:--:|
_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Labels that open a row in every layout (never after an empty cell): they tell whether rows have outer pipes.
ROW_START_LABELS = (*labels.NAME_LABELS, *labels.HEADER_FIELDS["department"], *labels.TOTAL_LABELS)
EVEN_TABLE_SHARE = 0.9  # a copy whose rows have one number of cells this often is a table of even rows
MIN_PIPE_ROWS = 3  # fewer rows with "|" than this: a dump that happens to print a "|" somewhere


def pipe_rows(lines: list[_Line]) -> tuple[list[list[str | None]], list[int], set[int]] | None:
    """The rows of cells of a copy that separates its cells with "|", each row's page, and the rows printed with
    a control character (stripped from the cells with the spaces around them); None for other text."""
    table_lines = [line for line in lines if _pipe_count(line.text) >= 2 and not _RULE_LINE_RE.match(line.text)]
    if len(table_lines) < MIN_PIPE_ROWS:
        return None
    if not any(_key(cell).startswith(FORM_LABELS) for line in table_lines for cell in _PIPE_SPLIT_RE.split(line.text)):
        return None
    outer = _outer_pipes([line.text.strip() for line in table_lines])
    rows: list[list[str | None]] = []
    pages: list[int] = []
    damaged: set[int] = set()
    open_row: tuple[str, int] | None = None  # a row whose cells go on over lines, and its page

    def add(row: list[str | None], page: int, printed: str) -> None:
        if rows and _continues(rows[-1], row):
            rows[-1] = [_join_cell(above, below) for above, below in zip(rows[-1], row, strict=True)]
        else:
            rows.append(row)
            pages.append(page)
        if _DAMAGE_CHARACTERS_RE.search(printed):
            damaged.add(len(rows) - 1)

    for line in lines:
        text = _BREAK_RE.sub("\n", line.text.strip())
        if open_row is not None and text[:1] in PIPES:  # a row left open: the copy dropped its closing pipe
            add(_pipe_cells(open_row[0], outer), open_row[1], open_row[0])
            open_row = None
        if open_row is not None:  # a cell that goes on over lines
            open_row = (f"{open_row[0]}\n{text}", open_row[1])
            if text.endswith(tuple(PIPES)):
                add(_pipe_cells(open_row[0], outer), open_row[1], open_row[0])
                open_row = None
            continue
        if outer and text[:1] in PIPES and not text.endswith(tuple(PIPES)) and not _RULE_LINE_RE.match(text):
            open_row = (text, line.page)
            continue
        if text and not _RULE_LINE_RE.match(text):
            add(_pipe_cells(text, outer) if _pipe_count(text) else [text], line.page, line.text)
    if open_row is not None:  # the copy ends inside a row
        add(_pipe_cells(open_row[0], outer), open_row[1], open_row[0])
    return rows, pages, damaged


def _outer_pipes(texts_with_pipes: list[str]) -> bool:
    """Whether the rows open and close with a pipe ("| 项目名称 | 购置费 |"). An empty first cell looks the same
    in a copy without outer pipes ("| 数量指标 | …" for " | 数量指标 | …"), so the rows that tell are those
    whose first cell is a label: "| 项目名称 | …" has outer pipes, "项目名称 | …" has none."""
    labelled = [text for text in texts_with_pipes if _key(_PIPE_SPLIT_RE.sub(" ", text)).startswith(ROW_START_LABELS)]
    rows = labelled or texts_with_pipes
    return sum(text[:1] in PIPES for text in rows) * 2 > len(rows)


def _grid_forms(rows: list[list[str | None]], pages: list[int], damaged: set[int], source_file: str) -> list[Form]:
    """The forms of a copy's rows (grid.forms_from_grid), and a form of their own for rows that a damaged or
    cut copy left without title and name: a fund block or indicator table before the first form, or after a
    form's 总分 row (grid.forms_from_grid would drop the first, and keep the second in the form before)."""
    forms: list[Form] = []
    for segment in _headless_segments(rows):
        seg_rows, seg_pages = rows[segment], pages[segment]
        named = next(
            (at for at, row in enumerate(seg_rows) if grid.is_title_row(row) or grid.is_project_name_row(row)), None
        )
        lead = len(seg_rows) if named is None else named
        if any(_is_table_head(row) for row in seg_rows[:lead]):
            forms.append(grid.to_form(grid.parse_form(grid.GridForm(seg_rows[:lead], seg_pages[:lead])), source_file))
        found = forms_from_grid(seg_rows[lead:], seg_pages[lead:], source_file)
        first = segment.start + lead
        _flag_stray_lines(seg_rows[lead:], found, {at - first for at in damaged if at >= first})
        forms.extend(found)
    return forms


def _flag_stray_lines(rows: list[list[str | None]], forms: list[Form], damaged: set[int]) -> None:
    """Rows the grid reader cannot place get a finding on the form they stand in: a line without "|" between
    the rows of a table (a line that lost or left its row), and, in a copy whose rows all have one number of
    cells (a Markdown table), a row with another number (a "|" lost or added: its cells moved)."""
    starts: list[int] = []
    named = False
    for at, row in enumerate(rows):
        name_row = grid.is_project_name_row(row)
        if grid.is_title_row(row) or (name_row and (not starts or named)):
            starts.append(at)
            named = False
        named = named or name_row
    table_rows = [at for at, row in enumerate(rows) if len(row) > 1]
    widths = Counter(len(rows[at]) for at in table_rows)
    width, count = widths.most_common(1)[0] if widths else (0, 0)
    even = count >= EVEN_TABLE_SHARE * len(table_rows)
    for at, row in enumerate(rows):
        if at in damaged:
            shown = " | ".join(cell or "" for cell in row)[: cells.CUT_TEXT]
            message = texts.UNCERTAIN_DAMAGED_CHARACTERS.format(field=texts.FIELD_ROW, text=shown)
        elif len(row) == 1 and table_rows and table_rows[0] < at < table_rows[-1] and _is_stray(row[0]):
            message = texts.UNCERTAIN_STRAY_LINE.format(text=(row[0] or "")[: cells.CUT_TEXT])
        elif len(row) > 1 and even and len(row) != width:
            shown = " | ".join(cell or "" for cell in row)[: cells.CUT_TEXT]
            message = texts.UNCERTAIN_ROW_WIDTH.format(cells=len(row), width=width, text=shown)
        else:
            continue
        mapped = len(starts) == len(forms)  # else: the row is named on every form of the copy
        for form in [forms[max(0, bisect.bisect_right(starts, at) - 1)]] if mapped else forms:
            form.checks.append(uncertain(message))


def _is_stray(text: str | None) -> bool:
    if not text or _is_title(text) or labels.is_margin_line(text) or labels.year_line(text) or cells.unit_line(text):
        return False
    key = _key(text)
    return not key.startswith(FORM_LABELS) and not key.startswith(labels.HEADER_LABELS)


def _is_table_head(row: list[str | None]) -> bool:
    return bool(grid.fund_columns(row) or grid.indicator_columns(row))


def _headless_segments(rows: list[list[str | None]]) -> list[slice]:
    """Cut the rows before each fund or indicator header that follows a 总分 row (or comes before any form)."""
    cuts = [0]
    finished = True  # no form begun yet, or the current one printed its 总分 row
    for at, row in enumerate(rows):
        if grid.is_title_row(row) or grid.is_project_name_row(row):
            finished = False
        elif grid.is_total_row(row):
            finished = True
        elif finished and _is_table_head(row):
            cuts.append(at)
            finished = False
    return [slice(start, end) for start, end in zip(cuts, [*cuts[1:], len(rows)], strict=True) if start < end]


def _pipe_count(text: str) -> int:
    return sum(text.count(pipe) for pipe in PIPES)


def _pipe_cells(text: str, outer: bool) -> list[str | None]:
    """A row's cells: stripped, "" and separator cells as None; the outer pipes dropped."""
    text = text.strip()
    if outer:
        text = text[1:] if text[:1] in PIPES else text
        text = text[:-1] if text[-1:] in PIPES else text
    cells_text = [cell.strip() for cell in _PIPE_SPLIT_RE.split(text)]
    return [cell if cell and not _SEPARATOR_CELL_RE.match(cell) else None for cell in cells_text]


def _continues(above: list[str | None], below: list[str | None]) -> bool:
    """Whether `below` is the rest of `above`'s wrapped cells: as many cells, text only under text cells of a
    row that prints numbers (an indicator, fund or header row), no number, no label of its own."""
    if len(above) != len(below) or not any(below) or not any(cells.is_plain_number(cell) for cell in above):
        return False
    for top, cell in zip(above, below, strict=True):
        if cell is None:
            continue
        if top is None or cells.looks_like_number(top) or cells.looks_like_number(cell) or _is_label_cell(cell):
            return False
    return True


def _is_label_cell(text: str) -> bool:
    key = _key(text)
    return (
        key.startswith(FORM_LABELS) or key.startswith(labels.TOTAL_LABELS) or _is_level_label(_SUFFIX_RE.sub("", key))
    )


def _join_cell(above: str | None, below: str | None) -> str | None:
    if below is None:
        return above
    return below if above is None else f"{above}\n{below}"


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
    return labels.title_kind(text) is not None  # not a contents line or a sentence naming the form


def _is_project_name_line(text: str) -> bool:
    return _key(text).startswith("项目名称")


# The heads of a form's fund block and indicator table. Before a form's title, or after its 总分 line, they
# start a form whose title and name a damaged or cut copy lost: its lines must not vanish into the form before.
HEADLESS_STARTS = ("项目资金", "年初预算数", "年度资金总额", "一级指标")


def _split_forms(lines: list[_Line]) -> list[list[_Line]]:
    starts = [i for i, line in enumerate(lines) if _is_title(line.text)]
    if not starts:
        starts = [i for i, line in enumerate(lines) if _is_project_name_line(line.text)]
    if _headless_start(lines[: starts[0] if starts else len(lines)], 0) is not None:
        starts.insert(0, 0)
    chunks = []
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=False):
        while (cut := _headless_start(lines[start:end], _total_line(lines[start:end]))) not in (None, 0):
            chunks.append(lines[start : start + cut])
            start += cut
        chunks.append(lines[start:end])
    return [chunk for chunk in chunks if _looks_like_form(chunk)]


def _title_without_form(lines: list[_Line]) -> str | None:
    """The last form title of a text where nothing after it is a form (no line starts with a form's label): the
    text was cut right after it ("项目支出绩效自评表\n项" at the end of a truncated copy), and the forms that
    followed are lost."""
    last = next((at for at in range(len(lines) - 1, -1, -1) if _is_title(lines[at].text)), None)
    if last is None or _looks_like_form(lines[last:]):
        return None
    return lines[last].text.strip()


def _cut_in_a_first_line(lines: list[_Line]) -> tuple[str, str] | None:
    """(last line, the line it begins) where the text's last line is the beginning of a line that starts a form
    of this text (its title): the text was cut inside the next form's first line ("项目支" at the end of a copy
    whose forms start "项目支出绩效自评表"), and the forms that followed are lost."""
    last = next((line.text.strip() for line in reversed(lines) if line.text.strip()), "")
    key = _key(last)
    firsts = {_key(line.text): line.text.strip() for line in lines if _is_title(line.text)}
    begun = next((text for first, text in firsts.items() if first != key and first.startswith(key)), None)
    return (last, begun) if len(key) >= 2 and begun is not None else None


def _total_line(chunk: list[_Line]) -> int | None:
    table = _find(chunk, lambda key: key.startswith("一级指标"))
    return None if table is None else _find(chunk, lambda key: key.startswith("总分"), table)


def _headless_start(chunk: list[_Line], after: int | None) -> int | None:
    """The first line from `after` on that opens a fund block or indicator table, where a 年度资金总额 row or an
    一级指标 header follows (other tables of a report print 年初预算数 too); None where there is none."""
    if after is None:
        return None
    head = _find(chunk, lambda key: key.startswith(HEADLESS_STARTS), after)
    if head is None or _find(chunk, lambda key: key.startswith(("年度资金总额", "一级指标")), head) is None:
        return None
    return head


def _looks_like_form(chunk: list[_Line]) -> bool:
    """A chunk is a form when a line starts with a label only a 自评表 prints (项目名称, 一级指标, 总分 …),
    however little else of it can be read."""
    return any(_key(line.text).startswith(FORM_LABELS) for line in chunk)


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
    heading = _find(lines, lambda key: key.startswith("项目资金"))
    # Some extractors print the merged 项目资金 heading in the middle of its rows, after the
    # column header line and the 年度资金总额 row: the block then starts at the column header.
    column_header = _find(lines, lambda key: key.startswith("年初预算数"))
    if column_header is not None and (heading is None or column_header < heading):
        heading = column_header
    return _Sections(
        funds=heading,
        goals=_find(lines, lambda key: "预期目标" in key),
        table=table,
        total=total,
    )


def _read_form(lines: list[_Line], source_file: str, paged: bool) -> Form:
    sections = _locate(lines)
    checks: list[Check] = [
        uncertain(texts.UNCERTAIN_DAMAGED_CHARACTERS.format(field=texts.FIELD_ROW, text=shown[: cells.CUT_TEXT]))
        for line in lines
        if _DAMAGE_CHARACTERS_RE.search(line.text)
        for shown in [_DAMAGE_CHARACTERS_RE.sub("�", line.text.strip())]
    ]  # control characters are spaces to str.split(): gone from the cells, so the line is named
    numbers = cells.NumberCells(checks)
    header_lines = lines[: sections.header_end(len(lines))]
    header = _read_header(header_lines)
    funds = _read_funds(lines, sections, numbers)
    project_amount = _project_amount(header, _table_unit(header_lines), numbers)
    expected, actual = _read_goals(lines, sections, checks)
    indicators, total = _read_table(lines, sections, numbers)
    title = lines[0].text if _is_title(lines[0].text) else None
    code, name = labels.split_code(header.get("project_name") or "")
    if not name:
        checks.append(uncertain(texts.UNCERTAIN_NO_PROJECT_NAME))
    project_type, status = cells.split_project_name(name)
    year = cells.year_from_title(title) if title else None
    if year is None and title and len(lines) > 1:
        year = labels.year_line(lines[1].text)  # "（2022年度）" on the line under the title
    form = Form(
        project_code=code,
        layout_title=title,
        project_name=name,
        project_type=project_type,
        status=status,
        department=cells.without_stamp(header.get("department")),
        unit=cells.without_stamp(header.get("unit")),
        year=year,
        project_amount=project_amount,
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
    checks.extend(_sections_twice(lines))
    checks.extend(_rows_after_total(lines))
    form.checks = checks
    return form


def _rows_after_total(lines: list[_Line]) -> list[Check]:
    """Indicator rows printed after the form's 总分 line: the rest of a form whose title, header and table head
    were lost (fuzz seed 2035: a block cut from the middle of a text left three of its rows under the form
    before, where nothing read them)."""
    total_at = _total_line(lines)
    if total_at is None:
        return []
    rows = [line.text.strip() for line in lines[total_at + 1 :] if _reads_as_row(_tokens(line.text))]
    if not rows:
        return []
    return [uncertain(texts.UNCERTAIN_ROWS_AFTER_TOTAL.format(count=len(rows), text=rows[0][: cells.CUT_TEXT]))]


# Lines a form prints once: the 项目名称 line, the 年度资金总额 row and the 预期目标 heading. (The indicator table's
# header may be printed again on each page.) Printed twice in one form's text, they are two forms run together
# where the text between them was lost: the form holds one's header and funds and the other's indicators.
_ONCE_PER_FORM = ("项目名称", "年度资金总额", "预期目标")


def _sections_twice(lines: list[_Line]) -> list[Check]:
    counts = Counter(label for line in lines for label in _ONCE_PER_FORM if _key(line.text).startswith(label))
    return [
        uncertain(texts.UNCERTAIN_SECTION_TWICE.format(label=label)) for label in _ONCE_PER_FORM if counts[label] > 1
    ]


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
        for field_name, field_labels in TEXT_HEADER_LABELS.items():
            match = next(filter(None, (re.search(_label_pattern(label), text) for label in field_labels)), None)
            if match:
                found.append((match.start(), match.end(), field_name, match.group(0)))
        found.sort()
        for index, (_, end, field_name, printed) in enumerate(found):
            stop = found[index + 1][0] if index + 1 < len(found) else len(text)
            values.setdefault(field_name, text[end:stop].strip())
            if field_name == "project_amount":
                values.setdefault("project_amount_label", printed)
    return values


def _table_unit(lines: list[_Line]) -> str | None:
    """The unit of a line "单位：万元" printed above the form's table (its header lines)."""
    return next((unit for line in lines if (unit := cells.unit_line(line.text))), None)


def _project_amount(header: dict[str, str], table_unit: str | None, numbers: cells.NumberCells) -> float | None:
    """项目金额 in 元, read in the unit `cells.project_amount_unit` gives (its label's, the table's, else 元)."""
    unit = cells.project_amount_unit(header.get("project_amount_label"), table_unit)
    return numbers.amount(header.get("project_amount"), unit, texts.FIELD_PROJECT_AMOUNT)


# ---------------------------------------------------------------- funds


def _is_number(token: str) -> bool:
    return cells.is_plain_number(token)


def _is_fund_value(token: str) -> bool:
    """A token in a value position of a fund or 总分 row: a number, a rate, a dash, or a figure meant as a
    number that is not one ("1e30"; it becomes a value_unreadable finding, not part of the row's label)."""
    return cells.looks_like_number(token) or unicodedata.normalize("NFKC", token) in DASHES


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


def _read_funds(lines: list[_Line], sections: _Sections, numbers: cells.NumberCells) -> Funds:
    start = sections.funds if sections.funds is not None else sections.header_end(len(lines))
    stop = min(i for i in (sections.goals, sections.table, len(lines)) if i is not None and i >= start)
    funds = Funds()
    if sections.funds is not None:
        funds.unit_printed = _fund_block_unit(lines[start:stop])
    order: tuple[str, ...] = DEFAULT_FUND_ORDER
    found = False
    for line in lines[start:stop]:
        tokens = line.text.split()
        order = _fund_order(tokens) or order
        label, values = _split_trailing_values(tokens)
        row_key = _fund_row_key(" ".join(label)) if values else None
        if row_key is None:
            if len(values) >= len(SHORT_FUND_ORDER) and label and _fund_order(tokens) is None:
                numbers.checks.append(uncertain(texts.UNCERTAIN_FUND_ROW_UNKNOWN.format(text=line.text.strip())))
            continue
        found = True
        row = _fund_row(values, order, funds.unit_printed, numbers, row_key)
        if row is None:
            numbers.checks.append(
                uncertain(texts.UNCERTAIN_FUND_ROW.format(label=" ".join(label), text=line.text.strip()))
            )
            continue
        setattr(funds, row_key, row)
    if not found:
        numbers.checks.append(uncertain(texts.UNCERTAIN_NO_FUNDS))
    return funds


def _fund_block_unit(lines: list[_Line]) -> str:
    """The unit of the 项目资金 heading: on its own line, on the next line ("（万元）"), or as a
    piece printed before a fund row's label ("（万元） 其中：当年财政拨款 …")."""
    for line in lines:
        key = _key(line.text)
        if key.startswith("项目资金") and "元" in key:
            return cells.fund_unit(key)
        if _UNIT_PIECE_RE.match(key):
            return cells.fund_unit(key)
    return "元"


def _fund_row(
    values: list[str], order: tuple[str, ...], unit: str, numbers: cells.NumberCells, row_key: str
) -> FundRow | None:
    if len(values) == len(order):
        columns = dict(zip(order, values, strict=True))
    elif len(values) == len(SHORT_FUND_ORDER):
        columns = dict(zip(SHORT_FUND_ORDER, values, strict=True))
    else:
        return None
    return numbers.fund_row(columns, unit, row_key)


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
    if not text:
        return False
    return text.rstrip()[-1] in SENTENCE_END


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
    printed: tuple[str, str] = ("", "")  # weight and score as printed
    second_row: bool = False  # the reason reads as another row (target, actual, 分值, 得分): two rows on one line


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
            printed=(tokens[index], tokens[index + 1]),
            second_row=_reads_as_row(rest),
        )
    return None


def _reads_as_row(tokens: list[str]) -> bool:
    """Whether a reason's tokens read as an indicator row of their own (two rows joined on one line)."""
    values = _split_values(tokens)
    return values is not None and values.weight is not None and values.score is not None


def _second_row_check(values: _Values, name: str, checks: list[Check]) -> None:
    if values.second_row:
        checks.append(uncertain(texts.UNCERTAIN_TWO_ROWS.format(name=name, text=values.reason[: cells.CUT_TEXT]), name))


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
            self._note_reason_or_name(previous, gap, values.name)
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
        weight, score = cells.NumberCells(self.checks).indicator_points(*values.printed, name)
        indicator = Indicator(
            level1=self.level1,
            level2=self.level2,
            name=name,
            target=values.target,
            actual=values.actual,
            weight=weight,
            score=score,
            reason=values.reason or None,
        )
        self.rows.append(_Row(indicator, wrapped))
        self.after_label = False
        _second_row_check(values, name, self.checks)
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

    def _note_reason_or_name(self, previous: _Row, gap: list[list[str]], name: str) -> None:
        """Text between two rows goes to the row above as its reason. Where that row has nothing to explain
        (full marks, measured) and the text reads like the start of a name, it may as well be the first line
        of the next row's name (a line broken in two): the reader cannot tell, so it says so."""
        lines = [line for block in gap for line in block]
        if not lines or _expects_reason(previous) or previous.indicator.reason or not _is_name_like(lines):
            return
        message = texts.UNCERTAIN_REASON_OR_NAME.format(text=_joined(lines), above=previous.indicator.name, name=name)
        self.checks.append(uncertain(message, previous.indicator.name or None))

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


def _read_total(text: str, numbers: cells.NumberCells) -> tuple[float | None, float | None]:
    values = [token for token in _tokens(text)[1:] if _is_fund_value(token)]
    values += [""] * (2 - len(values))
    return numbers.total_points(values[0], values[1])


def _read_table(
    lines: list[_Line], sections: _Sections, numbers: cells.NumberCells
) -> tuple[list[Indicator], tuple[float | None, float | None]]:
    checks = numbers.checks
    if sections.table is None:
        checks.append(uncertain(texts.UNCERTAIN_NO_INDICATORS))
        return [], (None, None)
    end = sections.total if sections.total is not None else len(lines)
    body = lines[sections.table + 1 : end]
    peeled = _peel_lines(body)
    labels = _labels_of(peeled)
    if _is_centred(peeled, labels):
        indicators = _CentredTable(peeled, labels, checks).read()
    else:
        indicators = _TableReader(checks).read([line.text for line in body])
    if sections.total is None:
        checks.append(uncertain(texts.UNCERTAIN_NO_TOTAL))
        return indicators, (None, None)
    return indicators, _read_total(lines[sections.total].text, numbers)


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


# ---------------------------------------------------------------- indicator table, centred labels
#
# Extractors that print a page line by line in reading order (pdfplumber's extract_text) put a
# merged 一级/二级 cell's text at the vertical middle of its rows, not before them, and every
# multi-line cell (a wrapped name or reason) is centred on its row's value line as well. The
# left-most label (年度绩效指标) comes in pieces between the rows. Such a table is read in three
# steps: take the labels and the pieces off every line; build the rows from their value lines
# and the loose lines above and below them; then give each label the rows whose middle is
# nearest to it (a least-cost split of the rows into contiguous groups, one per label).

SIDE_LABEL = "年度绩效指标"
# Pieces of the side label as one extractor splits it ("年度绩效" | "指标"): prefixes and suffixes.
SIDE_PIECES = {SIDE_LABEL[:n] for n in range(2, len(SIDE_LABEL) + 1)} | {
    SIDE_LABEL[n:] for n in range(0, len(SIDE_LABEL) - 1)
}
KNOWN_LABELS = sorted(set(LEVEL1_LABELS) | set(LEVEL2_LABELS), key=len, reverse=True)
# The 一级 label each 二级 label stands under in the standard form; a 二级 group is put under
# another 一级 label only where the positions say so clearly (the cost below).
LEVEL1_OF = {
    **dict.fromkeys(("数量指标", "质量指标", "时效指标"), ("产出指标",)),
    **dict.fromkeys(("成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标"), ("产出指标", "成本指标")),
    **dict.fromkeys(("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"), ("效益指标",)),
    **dict.fromkeys(("满意度指标", "服务对象满意度指标"), ("效益指标", "满意度指标")),
}
UNUSUAL_PARENT_COST = 1.0
# A row next to a group boundary is flagged when moving it to the neighbouring group costs less than this.
CLEAR_MARGIN = 1.0
LINE_HEIGHT = 0.7  # a text line's height in one-line-row heights
SHARED_LINE_WEIGHT = 2.0  # a label on a row's own line pins its group's middle to that row
TIE = 1e-9


@dataclass
class _Label:
    text: str
    level: int
    line: int  # index of the line it is printed on
    suffix_line: int | None = None  # line of its "（50分）" suffix, when printed on a line below


@dataclass
class _Peeled:
    """One table line without its labels and side-label pieces."""

    index: int
    page: int
    labels: list[list]  # [label, has suffix on the same line]
    suffix_only: bool  # the line starts with a "（N分）" suffix of the label above
    rest: list[str]
    values: _Values | None = None


@dataclass
class _CentredRow:
    values: _Values
    line: int
    page: int
    heads: list[tuple[int, str]] = field(default_factory=list)
    tails: list[tuple[int, str]] = field(default_factory=list)
    indicator: Indicator | None = None  # made by _CentredTable._name_rows, for every row

    @property
    def made(self) -> Indicator:
        """The row's indicator, once named (the steps after _name_rows read it)."""
        if self.indicator is None:
            raise AssertionError("indicator read before _name_rows made it")
        return self.indicator

    def lines(self) -> list[int]:
        return [index for index, _ in self.heads] + [self.line] + [index for index, _ in self.tails]


def _peel(tokens: list[str]) -> tuple[list[list], bool, list[str]]:
    """(labels, starts with a suffix, the rest) of a table line: labels and side pieces come first."""
    labels: list[list] = []
    suffix_first = False
    while tokens:
        key = _key(tokens[0])
        if key in SIDE_PIECES:
            tokens = tokens[1:]
            continue
        suffix = _SUFFIX_RE.match(key)
        if suffix:
            if labels:
                labels[-1][1] = True
            else:
                suffix_first = True
            tokens = ([key[suffix.end() :]] if key[suffix.end() :] else []) + tokens[1:]
            continue
        found = _level_label(tokens)
        if found is not None:
            label, count, has_suffix = found
            labels.append([label, has_suffix])
            tokens = tokens[count:]
            continue
        glued = next((label for label in KNOWN_LABELS if key.startswith(label) and key != label), None)
        if glued is None:
            break
        labels.append([glued, False])
        tokens = [key[len(glued) :], *tokens[1:]]
    return labels, suffix_first, tokens


def _peel_lines(lines: list[_Line]) -> list[_Peeled]:
    peeled = []
    for index, line in enumerate(lines):
        text = "" if _key(line.text).startswith("一级指标") else line.text.strip()
        labels, suffix_first, rest = _peel(_tokens(text))
        item = _Peeled(index, line.page, labels, suffix_first, rest)
        if rest:
            item.values = _split_values(rest)
        peeled.append(item)
    return peeled


def _labels_of(peeled: list[_Peeled]) -> list[_Label]:
    """The 一级/二级 labels in print order. 满意度指标 and 成本指标 are 一级 only with a "（N分）" suffix
    (on their line or the next one) or with a 二级 label after them on the same line."""
    labels: list[_Label] = []
    for position, item in enumerate(peeled):
        following = next((p for p in peeled[position + 1 :] if p.labels or p.rest or p.suffix_only), None)
        for order, (text, has_suffix) in enumerate(item.labels):
            last = order == len(item.labels) - 1
            first_on_line = order == 0
            suffix_below = first_on_line and following is not None and following.suffix_only
            level = 2
            if text in LEVEL1_LABELS:
                sure = text not in AMBIGUOUS_LABELS or has_suffix or suffix_below or not last
                level = 1 if sure else 2
            label = _Label(text, level, item.index)
            if level == 1 and following is not None and suffix_below and not has_suffix:
                label.suffix_line = following.index
            labels.append(label)
    return labels


def _is_centred(peeled: list[_Peeled], labels: list[_Label]) -> bool:
    """Labels sit in the middle of their rows when a row is printed before the first 一级 or 二级 label."""
    first_row = next((p.index for p in peeled if p.values is not None), None)
    if first_row is None:
        return False
    for level in (1, 2):
        first_label = next((label.line for label in labels if label.level == level), None)
        if first_label is not None and first_row < first_label:
            return True
    return False


class _CentredTable:
    def __init__(self, peeled: list[_Peeled], labels: list[_Label], checks: list[Check]):
        self.peeled = peeled
        self.labels = labels
        self.checks = checks
        self.rows: list[_CentredRow] = []

    def read(self) -> list[Indicator]:
        self._build_rows()
        if not self.rows:
            return []
        self._name_rows()
        self._place_labels()
        return [row.made for row in self.rows]

    # -- rows from value lines and the loose lines around them

    def _build_rows(self) -> None:
        gap: list[tuple[int, str]] = []
        gaps: list[list[tuple[int, str]]] = []
        for item in self.peeled:
            if item.values is not None:
                self.rows.append(_CentredRow(item.values, item.index, item.page))
                gaps.append(gap)
                gap = []
            elif item.rest:
                gap.append((item.index, " ".join(item.rest)))
        if not self.rows:
            leftover = _joined([text for _, text in gap])
            if leftover:
                self.checks.append(uncertain(texts.UNCERTAIN_LEFTOVER.format(text=leftover)))
            return
        self.width = self._name_width()
        self.rows[0].heads = gaps[0]
        for row, following, between in zip(self.rows, self.rows[1:], gaps[1:], strict=False):
            cut = self._gap_cut(row, following, between)
            row.tails, following.heads = between[:cut], between[cut:]
        self.rows[-1].tails = gap

    def _name_width(self) -> int:
        """The name column's width in print cells: the widest name printed on a value line, or the
        widest loose line without punctuation (a wrapped name's lines fill the column)."""
        widths = [_print_width(row.values.name) for row in self.rows if row.values.name]
        loose = [text for item in self.peeled if item.values is None and item.rest for text in [" ".join(item.rest)]]
        widths += [_print_width(text) for text in loose if not any(char in SENTENCE_PUNCT + "、" for char in text)]
        return max([24, *widths])

    def _full(self, text: str) -> bool:
        """Whether a name line fills the column (so the name goes on in the next line)."""
        return self.width - 1 <= _print_width(text) <= self.width

    def _name_like(self, text: str) -> bool:
        return _print_width(text) <= self.width and not any(char in "。；：！？" for char in text)

    def _gap_cut(self, above: _CentredRow, below: _CentredRow, gap: list[tuple[int, str]]) -> int:
        """How many loose lines between two value lines belong to the row above (its tails).

        A centred cell puts as many of its lines below its value line as above it; a name printed
        full-width on the value line goes on below it; a row printed without a name on its
        value line, or with a one- or two-character tail there, has the start of its name above.
        """
        expected = len(above.heads)
        name = above.values.name
        if name and self._full(name):
            expected += 1
        elif name and above.heads and self._name_like(above.heads[-1][1]) and self._full(above.heads[-1][1]):
            expected -= 1
        wants_head = not below.values.name or (_width(below.values.name) <= 4 and cells.has_cjk(below.values.name))
        best, best_cost = 0, None
        for cut in range(len(gap) + 1):
            cost = abs(cut - expected) + (1.5 if wants_head and cut == len(gap) else 0.0)
            # A sentence goes to a row that has a reason to give (points lost, or nothing done).
            for number, (_, text) in enumerate(gap):
                if not self._name_like(text) and not _gives_reason(above if number < cut else below):
                    cost += 1.0
            if best_cost is None or cost < best_cost - TIE:
                best, best_cost = cut, cost
        return best

    def _name_rows(self) -> None:
        for row in self.rows:
            heads = [text for _, text in row.heads]
            tails = [text for _, text in row.tails]
            inline = row.values.name
            ups: list[str] = []
            while len(ups) < len(heads) and self._name_like(heads[-1 - len(ups)]):
                candidate = heads[-1 - len(ups)]
                if not self._full(candidate) and (ups or inline or (tails and self._name_like(tails[0]))):
                    break
                ups.insert(0, candidate)
            continues = self._full(inline) if inline else (not ups or self._full(ups[-1]))
            downs: list[str] = []
            while continues and len(downs) < len(tails) and self._name_like(tails[len(downs)]):
                downs.append(tails[len(downs)])
                continues = self._full(downs[-1])
            name = _joined([*ups, inline, *downs]) if inline else _joined([*ups, *downs])
            reason = _joined([*heads[: len(heads) - len(ups)], row.values.reason, *tails[len(downs) :]])
            weight, score = cells.NumberCells(self.checks).indicator_points(*row.values.printed, name)
            row.indicator = Indicator(
                level1="",
                level2="",
                name=name,
                target=row.values.target,
                actual=row.values.actual,
                weight=weight,
                score=score,
                reason=reason or None,
            )
            if not name:
                self.checks.append(uncertain(texts.UNCERTAIN_NO_NAME.format(line=row.values.target)))
            _second_row_check(row.values, name, self.checks)

    # -- labels to rows

    def _place_labels(self) -> None:
        """Label the rows: 二级 labels over the rows, then 一级 labels over the 二级 groups."""
        self._layout()
        second = [label for label in self.labels if label.level == 2]
        first = [label for label in self.labels if label.level == 1]
        units = [[index] for index in range(len(self.rows))]
        if second:
            units = self._assign(units, second, "level2")
        self._assign(units, first, "level1", parent_cost=second != [])

    def _layout(self) -> None:
        """Vertical positions in row heights: a one-line row is 1 high; each further line of a row
        adds LINE_HEIGHT (text lines are closer together than rows). A line between two rows that
        holds only labels sits on their boundary."""
        self.spans: list[tuple[float, float]] = []
        self.line_at: dict[int, float] = {}
        self.boundary: list[tuple[int, float]] = []  # (first line of a row, its top)
        top = 0.0
        for row in self.rows:
            lines = row.lines()
            height = 1.0 + LINE_HEIGHT * (len(lines) - 1)
            for number, line in enumerate(lines):
                self.line_at[line] = top + 0.5 + LINE_HEIGHT * number
            self.boundary.append((lines[0], top))
            self.spans.append((top, top + height))
            top += height
        self.bottom = top

    def _position(self, line: int) -> float:
        if line in self.line_at:
            return self.line_at[line]
        for first_line, top in self.boundary:
            if first_line > line:
                return top
        return self.bottom

    def _label_position(self, label: _Label) -> float:
        """Where a label's cell has its middle: its line, or between it and its suffix's line."""
        at = self._position(label.line)
        if label.suffix_line is None:
            return at
        below = self._position(label.suffix_line)
        on_row, suffix_on_row = label.line in self.line_at, label.suffix_line in self.line_at
        if on_row and not suffix_on_row:
            return min(at + LINE_HEIGHT / 2, below)
        if suffix_on_row and not on_row:
            return max(below - LINE_HEIGHT / 2, at)
        return (at + below) / 2

    def _assign(self, units, labels, attribute, parent_cost: bool = False) -> list[list[int]]:
        """Give each label a contiguous run of units (rows or 二级 groups), page by page; returns the groups."""
        groups: list = []
        carried: str | None = None
        pages = [row.page for row in self.rows]
        for page in sorted(set(pages)):
            page_units = [unit for unit in units if pages[unit[0]] == page]
            page_labels = [label for label in labels if self._label_page(label) == page]
            if not page_labels:
                page_labels_text = [carried] if carried else []
                choice = [0] * len(page_units)
                ambiguous: set[int] = set()
            else:
                page_labels_text = [label.text for label in page_labels]
                extra = self._parent_cost(page_units, page_labels) if parent_cost else None
                choice, ambiguous = self._split(page_units, page_labels, extra)
            if not page_labels_text or len(page_units) == 0:
                if page_units:
                    self._flag_unplaced(page_units, attribute)
                continue
            for number, unit in enumerate(page_units):
                text = page_labels_text[choice[number]]
                for row_index in unit:
                    setattr(self.rows[row_index].made, attribute, text)
                if number in ambiguous:
                    self._flag_ambiguous(unit, attribute, text)
                key = (page, choice[number])
                if groups and groups[-1][0] == key:
                    groups[-1][1].extend(unit)
                else:
                    groups.append((key, list(unit)))
            carried = page_labels_text[-1]
        return [rows for _, rows in groups]

    def _open_side(self, label: _Label) -> int:
        """+1 when the label's cell goes on to the next page (its text repeated there first), -1 when
        it comes from the previous page: the rows printed on this page are then only part of the
        cell, so the label may sit below (+1) or above (-1) their middle at no cost."""
        same = [other for other in self.labels if other.level == label.level]
        index = same.index(label)
        page = self._label_page(label)
        after = same[index + 1] if index + 1 < len(same) else None
        before = same[index - 1] if index > 0 else None
        if after is not None and self._label_page(after) == page + 1 and after.text == label.text:
            return 1
        if before is not None and self._label_page(before) == page - 1 and before.text == label.text:
            return -1
        return 0

    def _label_page(self, label: _Label) -> int:
        return self.peeled[label.line].page

    def _parent_cost(self, units, labels) -> list[list[float]]:
        """Cost of putting each 二级 group (unit) under each 一级 label: 0 where the 二级 label is
        unknown or usually stands under it."""
        table = []
        for unit in units:
            second = self.rows[unit[0]].made.level2
            parents = LEVEL1_OF.get(second)
            table.append([0.0 if not parents or label.text in parents else UNUSUAL_PARENT_COST for label in labels])
        return table

    def _split(self, units, labels, extra=None) -> tuple[list[int], set[int]]:
        """Least-cost split of the units into one contiguous run per label (runs may not be empty).

        A run's cost is the distance between its middle and the label (doubled for a label printed
        on a row's line; one-sided for a cell cut by a page break), plus `extra[unit][label]`.
        Returns each unit's label number and the units next to a group boundary that could move
        to the neighbouring group for less than CLEAR_MARGIN (the text cannot tell which group
        they are in).
        """
        centres = []
        for label in labels:
            shared = label.line in self.line_at
            centres.append((self._label_position(label), SHARED_LINE_WEIGHT if shared else 1.0, self._open_side(label)))
        count = len(units)
        if len(labels) > count:  # more labels than rows on this page: the last ones get none
            for label in labels[count:]:
                self.checks.append(uncertain(texts.UNCERTAIN_LABEL_UNUSED.format(label=label.text)))
            centres = centres[:count]
        choice = _least_cost_split(units, self.spans, centres, extra)
        best = _split_cost(choice, units, self.spans, centres, extra)
        ambiguous = set()
        for index in range(len(units)):
            for neighbour in (index - 1, index + 1):
                if not 0 <= neighbour < len(units) or choice[neighbour] == choice[index]:
                    continue
                moved = list(choice)
                moved[index] = choice[neighbour]
                if not moved.count(choice[index]):
                    continue  # the group would be left empty
                if _split_cost(moved, units, self.spans, centres, extra) < best + CLEAR_MARGIN:
                    ambiguous.add(index)
        return choice, ambiguous

    def _flag_ambiguous(self, unit: list[int], attribute: str, text: str) -> None:
        column = "一级指标" if attribute == "level1" else "二级指标"
        for row_index in unit:
            name = self.rows[row_index].made.name
            message = texts.UNCERTAIN_LABEL_TIE.format(name=name, column=column, label=text)
            self.checks.append(uncertain(message, name or None))

    def _flag_unplaced(self, units: list[list[int]], attribute: str) -> None:
        column = "一级指标" if attribute == "level1" else "二级指标"
        for unit in units:
            for row_index in unit:
                name = self.rows[row_index].made.name
                self.checks.append(uncertain(texts.UNCERTAIN_LABEL_MISSING.format(name=name, column=column), name))


def _print_width(text: str) -> int:
    """Width in print cells, counting the quotes “” (East Asian ambiguous) as wide, as CJK fonts draw them."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def _gives_reason(row: _CentredRow) -> bool:
    values = row.values
    if values.reason:
        return True
    if values.weight is not None and values.score is not None and values.score < values.weight:
        return True
    return _key(values.actual) in cells.NO_NUMBER


def _distance(centre: float, at: float, open_side: int) -> float:
    if open_side > 0:
        return max(0.0, centre - at)
    if open_side < 0:
        return max(0.0, at - centre)
    return abs(centre - at)


def _split_cost(choice, units, spans, centres, extra=None) -> float:
    total = 0.0
    for label, (at, weight, open_side) in enumerate(centres):
        members = [index for index, chosen in enumerate(choice) if chosen == label]
        if not members:
            continue
        top, bottom = spans[units[members[0]][0]][0], spans[units[members[-1]][-1]][1]
        total += weight * _distance((top + bottom) / 2, at, open_side)
        if extra is not None:
            total += sum(extra[index][label] for index in members)
    return total


def _least_cost_split(units, spans, centres, extra=None) -> list[int]:
    """Label number of each unit in the least-cost split (see `_CentredTable._split`)."""
    count, labels = len(units), len(centres)
    if labels == 0:
        return [0] * count
    infinity = float("inf")
    cost = [[infinity] * (count + 1) for _ in range(labels + 1)]
    back = [[0] * (count + 1) for _ in range(labels + 1)]
    cost[0][0] = 0.0
    for label in range(1, labels + 1):
        at, weight, open_side = centres[label - 1]
        for end in range(label, count - (labels - label) + 1):
            for start in range(label - 1, end):
                if cost[label - 1][start] == infinity:
                    continue
                top = spans[units[start][0]][0]
                bottom = spans[units[end - 1][-1]][1]
                total = cost[label - 1][start] + weight * _distance((top + bottom) / 2, at, open_side)
                if extra is not None:
                    total += sum(extra[index][label - 1] for index in range(start, end))
                if total < cost[label][end] - TIE:
                    cost[label][end], back[label][end] = total, start
    choice = [0] * count
    end = count
    for label in range(labels, 0, -1):
        start = back[label][end]
        for index in range(start, end):
            choice[index] = label - 1
        end = start
    return choice
