"""The one vocabulary of printed labels: every layout's spelling of a field, and the shapes around them.

Provinces, systems and offices print the same 自评表 fields under different labels (docs: layouts.md):
调整后预算数 is 全年预算数, 权重 is 分值, 合计 is 总分 … The readers find fields through these tables
only, never through positions, so a new variant is a table entry (and a fixture), not a new code path.

Every label is compared as `label_key` gives it (NFKC, no spaces or colons): "全年(调整)预算数" matches
"全年（调整）预算数". A header cell takes the field of the LONGEST label it starts with, so 执行率权重 is a
weight and 执行率 a rate, 得分系数 is not a 得分.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from dashboard.core import domain
from dashboard.ingest.cells import join_wrapped, label_key, one_edit_apart

# ---------------------------------------------------------------- titles

TITLE_KEY = "绩效自评表"  # every 自评表 title holds this
DEPARTMENT_TITLE_KEYS = ("部门整体",)  # 部门整体支出绩效自评表, 部门整体绩效自评表
# A title line: an optional 附件 mark, a short title ending in 绩效自评表, an optional "(2022年度)" or other short
# parenthesis after it. Leader dots
# (a table of contents) or sentence punctuation (narrative that names the form) make a line no title.
_TITLE_RE = re.compile(r"^(?:附件\d*[-、.]?)?[^，。；,;…]{0,40}绩效自评表(?:\([^，。；,;…()]{0,20}\))?$")
# A line of its own under the title that gives the year: "（2022年度）", "2022年度", "(2023年)".
_YEAR_LINE_RE = re.compile(r"^\(?(20[0-9]{2})年度?\)?$")
# Lines around a form that are not part of it: who filled it in, page numbers ("— 14 —", "-3-", "第 2 页").
_SIGN_OFF_LABELS = ("填报人", "联系电话", "填报日期", "填表人", "单位负责人", "审核人")
_PAGE_NUMBER_RE = re.compile(r"^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\d{1,4}页(?:共\d{1,4}页)?$")


@lru_cache(maxsize=65536)
def title_kind(text: str | None) -> domain.FormKind | None:
    """domain.FormKind of a printed title line, or None where the text is no form title."""
    key = label_key(text)
    if TITLE_KEY not in key or not _TITLE_RE.match(key):
        return None
    if any(mark in key for mark in DEPARTMENT_TITLE_KEYS):
        return domain.FormKind.DEPARTMENT
    return domain.FormKind.PROJECT


@lru_cache(maxsize=65536)
def year_line(text: str | None) -> int | None:
    """The year of a line that prints only a year ("（2022年度）"), else None."""
    match = _YEAR_LINE_RE.match(label_key(text))
    return int(match.group(1)) if match else None


# A table of contents: its heading, or an entry that runs into its page number over leader dots.
_CONTENTS_HEADING = "目录"
_CONTENTS_ENTRY_RE = re.compile(r"(?:\.{4,}|…{2,}|·{4,}|-{6,})\d{1,4}$")


@lru_cache(maxsize=65536)
def is_contents_line(text: str | None) -> bool:
    """A line of a table of contents: "目录", or "三、部门整体支出绩效自评表……………12"."""
    key = label_key(text)
    return key == _CONTENTS_HEADING or bool(_CONTENTS_ENTRY_RE.search(key))


@lru_cache(maxsize=65536)
def is_margin_line(text: str | None) -> bool:
    """A 填报人/联系电话/填报日期 line or a page number: printed beside a form, never part of it."""
    key = label_key(text)
    return bool(key) and (key.startswith(_SIGN_OFF_LABELS) or bool(_PAGE_NUMBER_RE.match(key)))


# ---------------------------------------------------------------- header block

# The 部门整体 form's name labels that only a 自评表 prints (a row of one starts a form). Written as `label_key`
# gives them: "部门（单位）名称" and "部门(单位)名称" are one key.
DEPARTMENT_NAME_LABELS = ("部门名称", "部门(单位)名称", "部门单位名称", "预算部门名称")
# Header field → the labels that print it. The value is the next cell, or the text after a colon.
HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "project_name": ("项目名称",),
    # 单位名称 names the department on some 部门整体 forms, but other tables of a report print it too: it is
    # read where a form has begun (at its title), and starts none.
    "department_name": (*DEPARTMENT_NAME_LABELS, "单位名称"),
    "project_amount": ("项目金额",),
    "department": ("主管部门", "主管部门及代码"),
    "unit": ("实施单位",),  # "实施单位（盖章）" starts with it
    "total_score": ("自评总分",),  # the Chongqing 部门整体 form prints its 总分 in the header
}
# Labels that start a form's name row (a second one of the same field in a chunk starts the next form).
NAME_LABELS = HEADER_FIELDS["project_name"] + DEPARTMENT_NAME_LABELS
# Every label that ends a header value when met as the next cell.
HEADER_LABELS = (
    *(label for labels in HEADER_FIELDS.values() for label in labels),
    "财政处室",
    "部门联系人",
    "联系电话",
)

# A project code printed before the name: "51000021R000000019951-工资性支出" → ("51000021R000000019951", "工资性支出").
_CODE_NAME_RE = re.compile(r"^\s*([0-9A-Za-z]{8,32})\s*[-－—_]\s*(\S.*)$", re.S)


def split_code(name: str) -> tuple[str | None, str]:
    """(project_code, name) of a printed project name; (None, name) where it prints no code."""
    match = _CODE_NAME_RE.match(name)
    if not match or not any(char.isdigit() for char in match.group(1)):
        return None, name
    return match.group(1), match.group(2).strip()


# ---------------------------------------------------------------- funds

# The fund block's heading cells (its unit is printed there, or in a column heading).
FUND_HEADINGS = ("项目资金", "预算执行情况", "年度部门整体支出预算", "年度预算数", "部门整体支出预算")
# Fund header text → FundRow field (longest label wins; see the module's doc).
FUND_COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "initial_budget": ("年初预算数", "年初预算"),
    "annual_budget": ("全年预算数", "调整后预算数", "全年(调整)预算数", "全年调整预算数", "调整后预算"),
    "executed": ("全年执行数", "预算执行数", "全年实际执行数", "执行数"),
    "weight": ("分值", "权重", "执行率权重"),
    "rate_pct": ("执行率", "预算执行率"),
    "score": ("得分", "执行率得分"),
}
# Substrings of a fund row's label → Funds attribute, first match wins. 财政专户管理资金 and 单位资金 (Sichuan)
# are neither 财政拨款 nor 上年结转: they count with 其他资金 (amounts added).
FUND_ROW_LABELS = (
    ("年度资金总额", "total"),
    ("资金总额", "total"),
    ("财政专户", "other"),
    ("财政拨款", "current_year"),
    ("财政资金", "current_year"),
    ("上年结转", "carryover"),
    ("单位资金", "other"),
    ("其他资金", "other"),
    ("总额", "total"),
)

# ---------------------------------------------------------------- goals

# Goal column headings, most specific first: the first found is the column read.
GOAL_EXPECTED_LABELS = ("预期目标", "项目年度目标", "全年(调整)绩效目标", "年度目标", "年初绩效目标")
GOAL_ACTUAL_LABELS = ("实际完成情况", "年度目标完成情况", "全年目标实际完成情况", "目标实际完成情况")

# ---------------------------------------------------------------- indicators

# Indicator header text → column (longest label wins). "ignore" columns are known so that a shorter
# label does not take them (得分系数 is not 得分, 是否核心指标 not a name).
INDICATOR_COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "指标名称"),
    "target": ("年度指标值", "指标值", "调整指标值", "全年(调整)指标值"),
    "target_initial": ("年初指标值",),
    "target_op": ("指标性质",),
    "target_unit": ("度量单位", "计量单位"),
    "actual": ("实际完成值", "完成值", "全年完成值", "全年实际完成值", "实际值"),
    "weight": ("分值", "权重", "指标权重"),
    "score": ("得分", "指标得分"),
    "reason": ("偏差原因", "未完成原因", "原因分析", "偏差原因分析及改进措施"),
    "ignore": ("得分系数", "是否核心指标", "指标类型"),
}
REQUIRED_INDICATOR_COLUMNS = ("name", "weight", "score")
# Side headings of the indicator block ("绩效指标（90分）", "年度绩效指标") are no column.
# 总分 row labels: 分值 and 得分 follow.
TOTAL_LABELS = ("总分", "合计", "总计", "综合得分")
# Template rows left in: "指标1", "指标2…", "……" with nothing else printed.
_PLACEHOLDER_RE = re.compile(r"^(?:指标\d*|\.{2,}|…+|—+)$")
# Comparison signs of 指标性质 that `target` repeats; "＝", "=", 定性 … are not repeated.
TARGET_SIGNS = ("≥", "≤", ">", "<", "≧", "≦", "＞", "＜", "大于等于", "小于等于")


def is_placeholder_name(text: str | None) -> bool:
    return bool(_PLACEHOLDER_RE.match(label_key(text)))


def join_target(op: str, value: str, unit: str) -> str:
    """The target as the form reads it: "≥" "90" "%" → "≥90%"; "＝" "10" "台" → "10台"."""
    sign = op if unicodedata.normalize("NFKC", op) in TARGET_SIGNS or op in TARGET_SIGNS else ""
    if value and unit and value.endswith(unit):
        unit = ""
    return f"{sign}{value}{unit}" if value else ""


def target_parts(op: str | None, value: str | None, unit: str | None) -> dict:
    return {"op": join_wrapped(op).strip(), "value": join_wrapped(value).strip(), "unit": join_wrapped(unit).strip()}


# ---------------------------------------------------------------- matching


def _keyed(table: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(label key, field) pairs, longest label first."""
    pairs = [(label_key(label), name) for name, labels in table.items() for label in labels]
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


_FUND_KEYED = _keyed(FUND_COLUMN_LABELS)
_INDICATOR_KEYED = _keyed(INDICATOR_COLUMN_LABELS)
_HEADER_KEYED = _keyed(HEADER_FIELDS)


@lru_cache(maxsize=65536)
def column_of(key: str, table: str) -> str | None:
    """The field a header cell's key names in `table` ("fund", "indicator", "header"), longest label first."""
    pairs = {"fund": _FUND_KEYED, "indicator": _INDICATOR_KEYED, "header": _HEADER_KEYED}[table]
    for label, name in pairs:
        if key.startswith(label):
            return name
    return None


# The columns every cell of which is a number (an amount, 分值, 执行率, 得分) or a dash: the OCR reader reads
# their cells as numbers (ocr_image.mend_number_columns). Of those, the points (分值, 得分) never print a "%".
NUMBER_COLUMNS = {"fund": tuple(FUND_COLUMN_LABELS), "indicator": ("weight", "score")}
POINTS_COLUMNS = ("weight", "score")


def heading_kind(key: str) -> str | None:
    """ "points" for a header cell's key that names a POINTS_COLUMNS column, "number" for another NUMBER_COLUMNS
    column, "text" for another column of the fund or indicator table, None for a cell that names no column."""
    found = [(table, column_of(key, table)) for table in NUMBER_COLUMNS]
    numbers = [name for table, name in found if name and name in NUMBER_COLUMNS[table]]
    if numbers:
        return "points" if numbers[0] in POINTS_COLUMNS else "number"
    return "text" if any(name for _, name in found) else None


def missing_heading(key: str, present: set[str], table: str) -> str | None:
    """The one column label of `table` one character away from `key` whose column is not among the `present`
    columns of the header row (得分 for "分" read in a row that heads 分值 but no 得分); None where there is not
    exactly one."""
    columns = {"fund": FUND_COLUMN_LABELS, "indicator": INDICATOR_COLUMN_LABELS}[table]
    near = {
        label
        for column, names in columns.items()
        if column not in present and column != "ignore"
        for label in names
        if one_edit_apart(key, label_key(label))
    }
    return near.pop() if len(near) == 1 else None


@lru_cache(maxsize=65536)
def near_column_labels(key: str, table: str) -> tuple[str, ...]:
    """The column labels of `table` one character away from a header cell's key that names no column itself: a
    heading damaged in the file ("执行5" for 执行率), whose column would otherwise be dropped without a word."""
    if not key or column_of(key, table) is not None:
        return ()
    pairs = {"fund": _FUND_KEYED, "indicator": _INDICATOR_KEYED}[table]
    return tuple(dict.fromkeys(label for label, _name in pairs if one_edit_apart(key, label)))


@lru_cache(maxsize=65536)
def fund_row_of(key: str) -> str | None:
    for label, name in FUND_ROW_LABELS:
        if label in key:
            return name
    return None


# Every fund header spelling → field, for readers that look a token up whole (the text reader).
FUND_COLUMNS = {label: name for name, labels in FUND_COLUMN_LABELS.items() for label in labels}
# Labels that only a 自评表 prints: a chunk holding one is a form, however little else can be read.
FORM_LABELS = (
    "项目名称",
    *DEPARTMENT_NAME_LABELS,
    "项目金额",
    "主管部门",
    "实施单位",
    "项目资金",
    "年度资金总额",
    "上年结转",
    "预期目标",
    "年度总体目标",
    "年度绩效指标",
    "一级指标",
    "三级指标",
    "总分",
    "年度主要任务",
)


def printed_labels() -> frozenset[str]:
    """Every label of the vocabulary as a label key: what a cell printing a heading or a row's label reads. The OCR
    reader snaps a cell read one character away from exactly one of them back to it (ocr_image.snap_label)."""
    return _printed_labels()


@lru_cache(maxsize=1)
def _printed_labels() -> frozenset[str]:
    tables = (HEADER_FIELDS, FUND_COLUMN_LABELS, INDICATOR_COLUMN_LABELS)
    found = [label for table in tables for names in table.values() for label in names]
    found += [*HEADER_LABELS, *FUND_HEADINGS, *(label for label, _ in FUND_ROW_LABELS), *GOAL_EXPECTED_LABELS]
    found += [*GOAL_ACTUAL_LABELS, *TOTAL_LABELS, *FORM_LABELS, "其中：当年财政拨款", "其他资金", "年度绩效指标"]
    found += [*domain.STANDARD_LEVEL1_LABELS, *domain.STANDARD_LEVEL2_LABELS]
    return frozenset(key for label in found if len(key := label_key(label)) >= 3)


# Words that indicator names and targets print, whatever the project: the rates, degrees and qualities a 绩效指标
# measures and the common words around them. General knowledge of the genre, not any form's text. The OCR reader
# takes a character's runner-up where it completes one of these words and the character read completes none
# ("有效事" → 有效率: ocr_image.mend_words); it never touches a digit.
INDICATOR_WORDS = (
    *(f"{stem}率" for stem in (
        "完成", "合格", "达标", "覆盖", "有效", "执行", "及时", "到位", "使用", "利用", "准确", "通过", "参与",
        "知晓", "增长", "发放", "正确", "出勤", "普及", "达成", "完好", "支付", "办结", "处置", "回复", "响应",
        "受理", "满意", "入学", "就业", "治愈", "结案", "上线", "运行", "检出", "降低", "下降", "提升", "节约",
    )),
    "完成", "及时", "合格", "准确", "满意度", "知晓度", "完成度", "及时性", "准确性", "完整性", "规范性",
    "有效性", "安全性", "可持续",
    "组织", "策划", "指挥", "调度", "购置", "采购", "维修", "维护", "保障", "运行", "管理", "培训", "宣传",
    "检查", "监督", "服务", "设备", "设施", "系统", "经费", "资金", "人员", "工作", "项目", "活动", "任务",
    "会议", "人次", "次数", "数量", "质量", "时效", "成本", "效益", "影响", "群众", "公众", "对象", "社会",
    "经济", "生态", "环境", "安全", "应急", "办公", "建设", "开展", "按时", "提高", "提升", "保持", "确保",
    "意度", "效率", "效果", "水平", "能力", "支出", "预算", "执行", "目标", "指标", "情况", "合同", "验收",
)  # fmt: skip


@lru_cache(maxsize=1)
def indicator_words() -> tuple[frozenset[str], int]:
    """INDICATOR_WORDS as a set, and the longest word's length."""
    return frozenset(INDICATOR_WORDS), max(len(word) for word in INDICATOR_WORDS)
