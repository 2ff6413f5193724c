"""The 项目支出绩效自评表 as plain dataclasses.

Every reader (PDF, text) produces `Form` objects; the store, the audit and the
JSON export only ever see this model. Field names follow the public JSON contract
(docs: form-json.md): `Form.to_record()` is exactly one element of the export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.core import domain, texts
from dashboard.core.domain import Severity

# Keys of the four fund rows, in the form's order.
FUND_ROW_KEYS = ("total", "current_year", "carryover", "other")


@dataclass
class FundRow:
    """One row of the 项目资金 block. Amounts are in 元 whatever the form printed."""

    initial_budget: float | None = None  # 年初预算数
    annual_budget: float | None = None  # 全年预算数
    executed: float | None = None  # 全年执行数
    rate_pct: float | None = None  # 执行率 as printed, in percent (96.37)
    weight: float | None = None  # 分值 (only the 年度资金总额 row has one)
    score: float | None = None  # 得分 (only the 年度资金总额 row has one)

    def to_record(self, with_score: bool) -> dict:
        record = {
            "initial_budget": self.initial_budget,
            "annual_budget": self.annual_budget,
            "executed": self.executed,
        }
        if with_score:
            record["weight"] = self.weight
        record["rate_pct"] = self.rate_pct
        if with_score:
            record["score"] = self.score
        return record


@dataclass
class Funds:
    """The 项目资金 block: 年度资金总额 and its three sub-rows."""

    unit_printed: str = "元"  # "元" or "万元", as the block's heading says
    total: FundRow = field(default_factory=FundRow)  # 年度资金总额
    current_year: FundRow = field(default_factory=FundRow)  # 其中：当年/本年财政拨款
    carryover: FundRow = field(default_factory=FundRow)  # 上年结转资金
    other: FundRow = field(default_factory=FundRow)  # 其他资金

    def rows(self) -> dict[str, FundRow]:
        return {key: getattr(self, key) for key in FUND_ROW_KEYS}

    def to_record(self) -> dict:
        record: dict = {"unit_printed": self.unit_printed}
        for key, row in self.rows().items():
            record[key] = row.to_record(with_score=key == "total")
        return record


@dataclass
class Indicator:
    """One row of the 年度绩效指标 table, texts as printed with line wraps removed."""

    level1: str  # 一级指标 without the "（50分）" suffix
    level2: str  # 二级指标 as printed
    name: str  # 三级指标
    target: str  # 年度指标值
    actual: str  # 实际完成值
    weight: float | None  # 分值
    score: float | None  # 得分
    reason: str | None = None  # 偏差原因分析及改进措施
    # 年度指标值 split as printed: {"op": "≥", "value": "90", "unit": "%"}; None where printed whole.
    target_parts: dict | None = None
    ocr_confidence: float | None = None  # read by OCR: the lowest confidence of the row's cells (0–1)
    # 偏差原因分类 (reference data: dashboard/reference/reason_classes.py, set by reference.annotate); where
    # not annotated, a deduction without a reason is still 未说明原因 (domain.is_unexplained).
    reason_class: str | None = None
    reason_subclass: str | None = None

    @property
    def points_lost(self) -> float:
        return domain.points_lost(self.weight, self.score)

    def to_record(self) -> dict:
        """Contract order (form-json.md): texts, figures, target_parts, the reason, then its class (and the OCR
        confidence of a row read by OCR)."""
        record = {
            "level1": self.level1,
            "level2": self.level2,
            "name": self.name,
            "target": self.target,
            "actual": self.actual,
            "weight": self.weight,
            "score": self.score,
            "target_parts": self.target_parts,
            "reason": self.reason,
            "reason_class": self.reason_class
            or (texts.REASON_UNEXPLAINED if domain.is_unexplained(self.weight, self.score, self.reason) else None),
            "reason_subclass": self.reason_subclass,
        }
        if self.ocr_confidence is not None:
            record["ocr_confidence"] = self.ocr_confidence
        return record


@dataclass
class OcrCell:
    """A table cell of a scanned page as OCR read it: what a person confirms where the form is held."""

    page: int  # 1-based page of the file
    box: tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points (72 per inch) on the straightened page
    text: str  # as read (line wraps as "\n")
    confidence: float  # the lowest confidence of its lines, 0–1
    crop: bytes = b""  # the cell's image (PNG), shown beside the value when a person confirms it
    confirmed_text: str | None = None  # what a person confirmed or corrected it to
    confirmed_by: str | None = None
    confirmed_at: str | None = None  # ISO time


@dataclass
class Check:
    """A finding about a form: an import consistency check or an audit rule."""

    rule: str  # stable rule id, e.g. "total_not_sum"
    severity: Severity
    message: str  # Chinese, for people
    indicator: str | None = None  # indicator name, or None for a form-level finding
    claimed: float | None = None  # the figure the form prints
    recomputed: float | None = None  # the figure the rule computes

    def to_record(self) -> dict:
        """Contract order first (rule, severity, indicator, message), then the figures."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "indicator": self.indicator,
            "message": self.message,
            "claimed": self.claimed,
            "recomputed": self.recomputed,
        }


@dataclass
class Form:
    """One 项目支出绩效自评表 (or 部门整体支出绩效自评表, form_kind FormKind.DEPARTMENT)."""

    project_name: str
    project_type: str
    form_kind: domain.FormKind = domain.FormKind.PROJECT
    project_code: str | None = None  # printed code prefix of the project name, where there is one
    status: str | None = None  # "停用" or None
    department: str | None = None  # 主管部门 as printed
    unit: str | None = None  # 实施单位 as printed, None where blank
    year: int | None = None
    project_amount: float | None = None  # 项目金额 in 元
    funds: Funds = field(default_factory=Funds)
    goal_expected: str = ""
    goal_actual: str = ""
    indicators: list[Indicator] = field(default_factory=list)
    total_weight: float | None = None  # 总分 row, 分值 column
    total_score: float | None = None  # 总分 row, 得分 column
    checks: list[Check] = field(default_factory=list)
    recomputed_score: float | None = None  # the 总分 the scoring rules give (audit)
    source_file: str = ""
    source_pages: list[int] = field(default_factory=list)
    id: str = ""  # stable id in the database, set by the store
    scheme: str | None = None  # the scoring scheme the audit judged the form by
    scheme_title: str | None = None  # the printed title that chose `scheme` (its layout); None: 主管部门 or default
    complete: bool = True  # False where domain.missing_parts finds something missing (set at import)
    superseded_by: str | None = None  # id of the version that replaced this one; None while current
    # Names of the 主管部门 and 实施单位 from the reference data (dashboard/reference.annotate), for the export.
    department_name: str | None = None
    unit_name: str | None = None
    # The title as printed ("部门预算项目支出绩效自评表（2023年度）"): the audit picks a layout's scheme by it
    # (review.check_form). Set by the readers, not stored and not exported.
    layout_title: str | None = None
    # How the form's cells were read: "pdf", "text", "xlsx", "docx", "ocr" (any page of it scanned).
    read_by: str | None = None
    ocr_cells: list[OcrCell] = field(default_factory=list)  # read by OCR: every cell of its scanned pages
    ocr_confirmed_by: str | None = None  # who confirmed the form's held OCR cells, and when (ISO time)
    ocr_confirmed_at: str | None = None
    # Read by OCR: the page blocks the form was read from ({"page", "top", "texts", "boxes"}, pdf.Block's fields),
    # so that a person's correction of a cell is read again by the one grid reader (importing/ocr_confirm.py).
    ocr_blocks: list[dict] = field(default_factory=list)

    def to_record(self, with_version: bool = False) -> dict:
        """The form as one element of the JSON export (form-json.md), key order included.

        `with_version` adds `superseded_by` (the export's --all-versions).
        """
        record = {"id": self.id, "form_kind": self.form_kind, "complete": self.complete}
        project = self.form_kind == domain.FormKind.PROJECT  # a 部门整体 form names no project (null)
        if with_version:
            record["superseded_by"] = self.superseded_by
        not_graded = domain.not_graded_reason(self)  # 停用, 不可评价 …: kept out of grades and averages
        return (
            record
            | {
                "source_file": self.source_file,
                "source_pages": list(self.source_pages),
                "year": self.year,
                "department": self.department,
                "unit": self.unit,
                "project_code": self.project_code,
                "project_name": self.project_name if project else None,
                "project_type": self.project_type if project else None,
                "status": self.status,
                "project_amount": self.project_amount,
                "funds": self.funds.to_record(),
                "goal_expected": self.goal_expected,
                "goal_actual": self.goal_actual,
                "indicators": [row.to_record() for row in self.indicators],
                "total_weight": self.total_weight,
                "total_score": self.total_score,
                "checks": [check.to_record() for check in self.checks],
                "recomputed_score": self.recomputed_score,
                "scheme": self.scheme,
                "graded": not_graded is None,
                "graded_reason": not_graded,
                "department_name": self.department_name,
                "unit_name": self.unit_name,
                "read_by": self.read_by,
            }
            | (
                {"ocr_confirmed_by": self.ocr_confirmed_by, "ocr_confirmed_at": self.ocr_confirmed_at}
                if self.ocr_confirmed_by
                else {}
            )
        )


class FormReadError(Exception):
    """A file that cannot be read as 自评表: the message says why, in Chinese, for the user."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason if not detail else f"{reason}：{detail}")
        self.reason = reason
        self.detail = detail
