"""Other provinces' layouts read by label (docs: layouts.md B and C), from every producer units use.

Each layout is built once (tests/layout_factory.Table) and written as the readers' grid, an .xlsx workbook,
a .docx document, a reportlab PDF and a Chromium-printed PDF; every one must give the truth written by hand
below: header fields, every fund row, every weighted indicator with its reason, goals and 总分. Variants of
the same layouts (columns in another order, other spellings, spaces in labels) check that the reader goes by
label and structure, not by position.
"""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest

from dashboard.core import domain
from dashboard.importing import importer
from dashboard.ingest import labels
from dashboard.ingest.cells import fix_lookalikes
from dashboard.ingest.files import parse_file
from dashboard.ingest.grid import forms_from_grid
from dashboard.ingest.office import read_docx, read_xlsx
from dashboard.ingest.pdf import read_pdf, read_pdf_file
from dashboard.store import connect, reads
from tests import layout_factory, tools
from tests.layout_factory import Table
from tests.seed_truth import as_read

# ---------------------------------------------------------------- B. Sichuan 部门预算项目支出绩效自评表

SICHUAN_WIDTHS = (34, 40, 44, 70, 32, 34, 32, 40, 30, 30, 60)
SICHUAN_GOAL = "保障在职人员工资按时足额发放，维持机关正常运转。"
SICHUAN_DONE = "全年按月足额发放工资，机关运转正常。"
SICHUAN_INDICATORS = [  # 一级 as printed, 二级, 三级, 指标性质, 指标值, 度量单位, 完成值, 权重, 得分, 未完成原因分析
    ("产出指标（50分）", "数量指标", "保障在职人数", "≥", "120", "人", "125", "20", "20", ""),
    ("产出指标（50分）", "质量指标", "工资发放准确率", "＝", "100", "%", "100%", "15", "15", ""),
    ("产出指标（50分）", "时效指标", "按时发放率", "≥", "95", "%", "93%", "10", "8", "个别月份因系统升级延迟发放"),
    ("产出指标（50分）", "经济成本指标", "人均成本", "≤", "8", "万元", "7.9", "5", "5", ""),
    ("效益指标（30分）", "社会效益指标", "机关运转正常", "定性", "保障", "", "保障", "30", "30", ""),
    ("满意度指标（10分）", "服务对象满意度指标", "职工满意度", "≥", "90", "%", "92%", "10", "10", ""),
    ("满意度指标（10分）", "服务对象满意度指标", "……", "", "", "", "", "", "", ""),
]


def sichuan_table(labels: dict[str, str] | None = None) -> Table:
    """The Sichuan form; `labels` respells printed labels (a variant of the same layout)."""
    say = labels or {}

    def lab(text: str) -> str:
        return say.get(text, text)

    t = Table(SICHUAN_WIDTHS)
    t.row((lab("项目名称"), 2), ("51000021R000000019951-工资性支出", 9))
    t.row((lab("主管部门"), 2), ("四川省某某厅", 3), (lab("实施单位（盖章）"), 2), ("四川省某某中心", 4))
    t.add(0, "项目基本情况", rowspan=3).add(1, "1.项目年度目标完成情况", rowspan=2)
    t.add(2, lab("项目年度目标"), colspan=4).add(6, lab("年度目标完成情况"), colspan=5).end()
    t.add(2, SICHUAN_GOAL, colspan=4).add(6, SICHUAN_DONE, colspan=5).end()
    t.add(1, "2.项目实施内容及过程概述").add(2, "按月发放工资、缴纳社会保险。", colspan=9).end()
    t.add(0, "预算执行情况（10分）", rowspan=6)
    t.add(1, "年度预算数（万元）", colspan=2)
    for col, text in enumerate(("年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"), 3):
        t.add(col, lab(text))
    t.add(9, "原因", colspan=2).end()
    for label, values, reason in (
        ("总额", ("120.5", "130.5", "125.28", "96.00%", "10", "9.6"), "部分资金年底未支付"),
        ("其中：财政资金", ("100", "110", "106", "96.36%", "/", "/"), ""),
        ("财政专户管理资金", ("0", "0", "0", "/", "/", "/"), ""),
        ("单位资金", ("20.5", "20.5", "19.28", "94.05%", "/", "/"), ""),
        ("其他资金", ("0", "0", "0", "/", "/", "/"), ""),
    ):
        t.add(1, lab(label), colspan=2)
        for col, value in enumerate(values, 3):
            t.add(col, value)
        t.add(9, reason, colspan=2).end()
    rows = SICHUAN_INDICATORS
    t.add(0, lab("绩效指标（90分）"), rowspan=len(rows) + 1)
    heads = (
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "完成值",
        "权重",
        "得分",
        "未完成原因分析",
    )
    for col, text in enumerate(heads, 1):
        t.add(col, lab(text))
    t.end()
    for index, row in enumerate(rows):
        add_level(t, rows, index, depth=1, col=1)
        add_level(t, rows, index, depth=2, col=2)
        for col, text in enumerate(row[2:], 3):
            t.add(col, text)
        t.end()
    t.add(0, lab("合计"), colspan=8).add(8, "100").add(9, "97.6").add(10, "").end()
    return t


def add_level(t: Table, rows: list[tuple], index: int, depth: int, col: int) -> None:
    """The 一级 (depth 1) or 二级 (depth 2) cell of row `index`, merged down the rows that share it."""
    row = rows[index]
    if index == 0 or row[:depth] != rows[index - 1][:depth]:
        t.add(col, row[depth - 1], rowspan=sum(1 for other in rows if other[:depth] == row[:depth]))


SICHUAN_TITLE = ["报表编号：510000_0013zp", "部门预算项目支出绩效自评表（2023年度）"]


def sichuan_truth() -> dict:
    def ind(level1, level2, name, op, value, unit, target, actual, weight, score, reason=None):
        parts = {"op": op, "value": value, "unit": unit}
        return dict(
            level1=level1,
            level2=level2,
            name=name,
            target=target,
            actual=actual,
            weight=weight,
            score=score,
            target_parts=parts,
            reason=reason,
        )

    return {
        "form_kind": "project",
        "year": 2023,
        "project_code": "51000021R000000019951",
        "project_name": "工资性支出",
        "department": "四川省某某厅",
        "unit": "四川省某某中心",
        "project_amount": None,
        "goal_expected": SICHUAN_GOAL,
        "goal_actual": SICHUAN_DONE,
        "funds": {
            "unit_printed": "万元",
            "total": {
                "initial_budget": 1205000.0,
                "annual_budget": 1305000.0,
                "executed": 1252800.0,
                "weight": 10.0,
                "rate_pct": 96.0,
                "score": 9.6,
            },
            "current_year": {
                "initial_budget": 1000000.0,
                "annual_budget": 1100000.0,
                "executed": 1060000.0,
                "rate_pct": 96.36,
            },
            "carryover": {"initial_budget": None, "annual_budget": None, "executed": None, "rate_pct": None},
            # 财政专户管理资金 0 + 单位资金 20.5/20.5/19.28 + 其他资金 0 (万元); 19.28 / 20.5 = 94.05 %
            "other": {"initial_budget": 205000.0, "annual_budget": 205000.0, "executed": 192800.0, "rate_pct": 94.05},
        },
        "indicators": [
            ind("产出指标", "数量指标", "保障在职人数", "≥", "120", "人", "≥120人", "125", 20.0, 20.0),
            ind("产出指标", "质量指标", "工资发放准确率", "＝", "100", "%", "100%", "100%", 15.0, 15.0),
            ind(
                "产出指标",
                "时效指标",
                "按时发放率",
                "≥",
                "95",
                "%",
                "≥95%",
                "93%",
                10.0,
                8.0,
                "个别月份因系统升级延迟发放",
            ),
            ind("产出指标", "经济成本指标", "人均成本", "≤", "8", "万元", "≤8万元", "7.9", 5.0, 5.0),
            ind("效益指标", "社会效益指标", "机关运转正常", "定性", "保障", "", "保障", "保障", 30.0, 30.0),
            ind("满意度指标", "服务对象满意度指标", "职工满意度", "≥", "90", "%", "≥90%", "92%", 10.0, 10.0),
        ],
        "total_weight": 100.0,
        "total_score": 97.6,
    }


# ---------------------------------------------------------------- C. 部门整体支出绩效自评表 (national shape)

DEPARTMENT_WIDTHS = (36, 40, 46, 96, 50, 50, 44, 36, 52, 52)
DEPARTMENT_INDICATORS = [  # 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因
    ("产出指标（50分）", "数量指标", "高标准农田建设面积", "≥5万亩", "5.2万亩", "20", "20", ""),
    ("产出指标（50分）", "质量指标", "项目验收合格率", "100%", "98%", "15", "13", "两个项目整改后验收"),
    ("产出指标（50分）", "时效指标", "资金拨付及时率", "≥95%", "96%", "15", "15", ""),
    ("效益指标（30分）", "经济效益指标", "粮食产量", "≥30万吨", "31万吨", "15", "15", ""),
    ("效益指标（30分）", "可持续影响指标", "耕地保护", "长期", "达成预期指标", "15", "15", ""),
    ("满意度指标（10分）", "满意度指标", "农户满意度", "≥90%", "93%", "10", "10", ""),
]
DEPARTMENT_GOAL = "完成高标准农田建设，稳定粮食生产。"
DEPARTMENT_DONE = "建成高标准农田5.2万亩，粮食产量31万吨。"


def department_table(reason_of_row_2: str | None = None) -> Table:
    """The national-shaped 部门整体 form; `reason_of_row_2` replaces the second indicator's reason."""
    t = Table(DEPARTMENT_WIDTHS)
    t.row(("部门名称", 2), ("某某县农业农村局", 8))
    t.add(0, "年度主要任务", colspan=2, rowspan=3).add(2, "任务名称", colspan=2).add(4, "主要内容", colspan=6).end()
    t.add(2, "农业生产", colspan=2).add(4, "稳定粮食播种面积，推广良种良法。", colspan=6).end()
    t.add(2, "乡村建设", colspan=2).add(4, "改善农村人居环境。", colspan=6).end()
    t.add(0, "年度部门整体支出预算（万元）", colspan=2, rowspan=4).add(2, "", colspan=2)
    for col, text in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), 4):
        t.add(col, text)
    t.end()
    for label, values in (
        ("年度资金总额", ("1500", "1620", "1590.5", "10", "98.18%", "9.82")),
        ("其中：当年财政拨款", ("1400", "1500", "1480.5", "—", "98.70%", "—")),
        ("其他资金", ("100", "120", "110", "—", "91.67%", "—")),
    ):
        t.add(2, label, colspan=2)
        for col, value in enumerate(values, 4):
            t.add(col, value)
        t.end()
    t.add(0, "年度总体目标", colspan=2, rowspan=2).add(2, "预期目标", colspan=4).add(6, "实际完成情况", colspan=4).end()
    t.add(2, DEPARTMENT_GOAL, colspan=4).add(6, DEPARTMENT_DONE, colspan=4).end()
    rows = list(DEPARTMENT_INDICATORS)
    if reason_of_row_2 is not None:
        rows[1] = (*rows[1][:7], reason_of_row_2)
    t.add(0, "年度绩效指标", rowspan=len(rows) + 1)
    for col, text in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"), 1):
        t.add(col, text)
    t.add(8, "偏差原因分析及改进措施", colspan=2).end()
    for index, row in enumerate(rows):
        add_level(t, rows, index, depth=1, col=1)
        for col, text in enumerate(row[1:7], 2):
            t.add(col, text)
        t.add(8, row[7], colspan=2).end()
    t.add(0, "总分", colspan=6).add(6, "100").add(7, "97.82").add(8, "", colspan=2).end()
    return t


def department_truth() -> dict:
    def ind(level1, level2, name, target, actual, weight, score, reason=None):
        return dict(
            level1=level1,
            level2=level2,
            name=name,
            target=target,
            actual=actual,
            weight=weight,
            score=score,
            target_parts=None,
            reason=reason,
        )

    return {
        "form_kind": "department",
        "year": 2022,
        "project_code": None,
        "project_name": None,
        "project_type": None,
        "department": "某某县农业农村局",
        "unit": None,
        "goal_expected": DEPARTMENT_GOAL,
        "goal_actual": DEPARTMENT_DONE,
        "funds": {
            "unit_printed": "万元",
            "total": {
                "initial_budget": 15000000.0,
                "annual_budget": 16200000.0,
                "executed": 15905000.0,
                "weight": 10.0,
                "rate_pct": 98.18,
                "score": 9.82,
            },
            "current_year": {
                "initial_budget": 14000000.0,
                "annual_budget": 15000000.0,
                "executed": 14805000.0,
                "rate_pct": 98.7,
            },
            "carryover": {"initial_budget": None, "annual_budget": None, "executed": None, "rate_pct": None},
            "other": {
                "initial_budget": 1000000.0,
                "annual_budget": 1200000.0,
                "executed": 1100000.0,
                "rate_pct": 91.67,
            },
        },
        "indicators": [
            ind("产出指标", "数量指标", "高标准农田建设面积", "≥5万亩", "5.2万亩", 20.0, 20.0),
            ind("产出指标", "质量指标", "项目验收合格率", "100%", "98%", 15.0, 13.0, "两个项目整改后验收"),
            ind("产出指标", "时效指标", "资金拨付及时率", "≥95%", "96%", 15.0, 15.0),
            ind("效益指标", "经济效益指标", "粮食产量", "≥30万吨", "31万吨", 15.0, 15.0),
            ind("效益指标", "可持续影响指标", "耕地保护", "长期", "达成预期指标", 15.0, 15.0),
            ind("满意度指标", "满意度指标", "农户满意度", "≥90%", "93%", 10.0, 10.0),
        ],
        "total_weight": 100.0,
        "total_score": 97.82,
    }


DEPARTMENT_TITLE = ["部门整体支出绩效自评表", "（2022年度）"]

# ---------------------------------------------------------------- C. Chongqing 部门整体 form, flat indicator list

CHONGQING_WIDTHS = (70, 40, 40, 44, 44, 44, 44, 44, 44, 40)
CHONGQING_INDICATORS = [  # 指标名称, 计量单位, 指标性质, 年初指标值, 调整指标值, 全年完成值, 得分系数, 权重, 得分, 核心
    ("义务教育巩固率", "%", "≥", "95", "96", "97.2", "100", "30", "30", "是"),
    ("新建校舍面积", "平方米", "≥", "20000", "", "18500", "92.5", "20", "18.5", "否"),
    ("家长满意度", "%", "≥", "90", "90", "88", "97.78", "20", "19.56", "是"),
    ("资金到位及时率", "%", "＝", "100", "100", "100", "100", "20", "20", "否"),
]
CHONGQING_GOALS = ("全面提升义务教育质量。", "巩固义务教育成果，新建校舍2万平方米。", "义务教育巩固率97.2%。")


def chongqing_table(order: tuple[int, ...] = tuple(range(10))) -> Table:
    """The flat list; `order` permutes its ten columns (a variant with the columns moved)."""
    t = Table(CHONGQING_WIDTHS)
    t.row(
        "主管部门",
        "重庆市某某区教育委员会",
        "财政处室",
        "教科文处",
        "自评总分(分)",
        "97.87",
        "部门联系人",
        "张三",
        "联系电话",
        "023-12345678",
    )
    t.add(0, "部门预算执行情况（万元）", rowspan=2).add(1, "年初预算数", colspan=2).add(3, "全年(调整)预算数")
    t.add(4, "全年执行数").add(5, "执行率(%)", colspan=2).add(7, "执行率权重").add(8, "执行率得分(分)", colspan=2).end()
    t.add(1, "5000", colspan=2).add(3, "5200").add(4, "5100").add(5, "98.08", colspan=2).add(7, "10")
    t.add(8, "9.81", colspan=2).end()
    t.add(0, "绩效目标", rowspan=2).add(1, "年初绩效目标", colspan=3).add(4, "全年(调整)绩效目标", colspan=3)
    t.add(7, "全年目标实际完成情况", colspan=3).end()
    t.add(1, CHONGQING_GOALS[0], colspan=3).add(4, CHONGQING_GOALS[1], colspan=3).add(7, CHONGQING_GOALS[2], colspan=3)
    t.end()
    heads = (
        "指标名称",
        "计量单位",
        "指标性质",
        "年初指标值",
        "调整指标值",
        "全年完成值",
        "得分系数(%)",
        "指标权重(分)",
        "指标得分(分)",
        "是否核心指标",
    )
    t.row(*(heads[i] for i in order))
    for row in CHONGQING_INDICATORS:
        t.row(*(row[i] for i in order))
    return t


def chongqing_truth() -> dict:
    def ind(name, unit, op, value, target, actual, weight, score):
        parts = {"op": op, "value": value, "unit": unit}
        return dict(
            level1="",
            level2="",
            name=name,
            target=target,
            actual=actual,
            weight=weight,
            score=score,
            target_parts=parts,
            reason=None,
        )

    return {
        "form_kind": "department",
        "year": 2022,
        "project_code": None,
        "department": "重庆市某某区教育委员会",
        "unit": None,
        "goal_expected": CHONGQING_GOALS[1],
        "goal_actual": CHONGQING_GOALS[2],
        "funds": {
            "unit_printed": "万元",
            "total": {
                "initial_budget": 50000000.0,
                "annual_budget": 52000000.0,
                "executed": 51000000.0,
                "weight": 10.0,
                "rate_pct": 98.08,
                "score": 9.81,
            },
            "current_year": {"initial_budget": None, "annual_budget": None, "executed": None, "rate_pct": None},
            "carryover": {"initial_budget": None, "annual_budget": None, "executed": None, "rate_pct": None},
            "other": {"initial_budget": None, "annual_budget": None, "executed": None, "rate_pct": None},
        },
        "indicators": [
            ind("义务教育巩固率", "%", "≥", "96", "≥96%", "97.2", 30.0, 30.0),
            ind(
                "新建校舍面积", "平方米", "≥", "20000", "≥20000平方米", "18500", 20.0, 18.5
            ),  # 年初 value: none adjusted
            ind("家长满意度", "%", "≥", "90", "≥90%", "88", 20.0, 19.56),
            ind("资金到位及时率", "%", "＝", "100", "100%", "100", 20.0, 20.0),
        ],
        "total_weight": None,
        "total_score": 97.87,
    }


CHONGQING_TITLE = ["2022年度部门整体支出绩效自评表"]

LAYOUTS = {  # name → (lines above the table, table builder, truth)
    "sichuan": (SICHUAN_TITLE, sichuan_table, sichuan_truth),
    "department": (DEPARTMENT_TITLE, department_table, department_truth),
    "chongqing": (CHONGQING_TITLE, chongqing_table, chongqing_truth),
}


def differences(form, truth: dict) -> list[str]:
    record = form.to_record()
    out = []
    for key, want in truth.items():
        got = record[key]
        if key == "funds":
            got = {
                row: ({k: v for k, v in values.items()} if isinstance(values, dict) else values)
                for row, values in got.items()
            }
        if key == "indicators":
            got = as_read(got)
            if len(got) != len(want):
                out.append(f"indicators: {len(got)} rows, want {len(want)}: {[row['name'] for row in got]}")
                continue
            out.extend(f"indicator {i}: {g} != {w}" for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
        elif got != want:
            out.append(f"{key}: {got!r} != {want!r}")
    return out


def parts_of(name: str) -> list:
    lines, table, _truth = LAYOUTS[name]
    return [*lines, table()]


# ---------------------------------------------------------------- every producer


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_grid(name):
    lines, table, truth = LAYOUTS[name]
    rows = [[line] for line in lines] + table().grid()
    forms = forms_from_grid(rows)
    assert len(forms) == 1
    assert differences(forms[0], truth()) == []


def write_html(parts: list, path: Path) -> Path:
    """The page layout_factory prints with Chromium, as a web page in GBK (its <meta> says UTF-8: a wrong label)."""
    path.write_bytes(layout_factory.html_page(parts).encode("gbk"))
    return path


def read_file(path: Path, source_file: str) -> list:
    return parse_file(path, source_file).forms


PRODUCERS = {  # name → (write the parts to this path, read the file)
    "xlsx": (lambda parts, path: layout_factory.write_xlsx([parts], path), read_xlsx),
    "html": (write_html, read_file),
    "docx": (layout_factory.write_docx, read_docx),
    "reportlab.pdf": (layout_factory.write_reportlab, read_pdf),
    "chromium.pdf": (layout_factory.print_chromium, read_pdf),
    "libreoffice-docx.pdf": (lambda parts, path: print_via(layout_factory.write_docx(parts, path)), read_pdf),
    "libreoffice-xlsx.pdf": (lambda parts, path: print_via(layout_factory.write_xlsx([parts], path)), read_pdf),
    "libreoffice-xls": (lambda parts, path: save_as(layout_factory.write_xlsx([parts], path), ".xlsx"), read_file),
    "libreoffice-doc": (lambda parts, path: save_as(layout_factory.write_docx(parts, path), ".docx"), read_file),
}


def save_as(path: Path, written_as: str) -> Path:
    """The .xlsx/.docx written at `path` (named .xls/.doc), saved there by LibreOffice in the old format."""
    source = path.rename(path.with_name(f"source{written_as}"))
    return layout_factory.save_libreoffice(source, path.suffix.lstrip(".")).rename(path)


def print_via(document: Path) -> Path:
    """An office file written beside the PDF's path, printed by LibreOffice."""
    return layout_factory.print_libreoffice(document)


@pytest.mark.parametrize("producer", tools.producer_params(PRODUCERS))
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_producer(name, producer, tmp_path):
    write, read = PRODUCERS[producer]
    suffix = producer.split("-")[-1].split(".")[0] if producer.startswith("libreoffice") else producer.split(".")[-1]
    path = tmp_path / f"form.{suffix}"
    forms = read(write(parts_of(name), path), path.name)
    assert len(forms) == 1
    assert differences(forms[0], LAYOUTS[name][2]()) == []


# ---------------------------------------------------------------- variants: by label, not by position


def test_sichuan_other_spellings():
    """Synonyms and spaced labels of the same fields give the same form."""
    respelled = {
        "调整后预算数": "全年预算数",
        "预算执行数": "全年执行数",
        "权重": "分值",
        "完成值": "实际完成值",
        "未完成原因分析": "偏差原因分析及改进措施",
        "合计": "总  分",
        "项目名称": "项 目 名 称",
        "年初预算": "年初预算数",
        "预算执行率": "执行率",
    }
    rows = [[line] for line in SICHUAN_TITLE] + sichuan_table(respelled).grid()
    forms = forms_from_grid(rows)
    assert differences(forms[0], sichuan_truth()) == []


def test_chongqing_columns_moved():
    order = (0, 7, 8, 2, 1, 4, 3, 5, 9, 6)  # weight and score first, unit after the sign, 调整 before 年初 …
    rows = [[line] for line in CHONGQING_TITLE] + chongqing_table(order).grid()
    forms = forms_from_grid(rows)
    assert differences(forms[0], chongqing_truth()) == []


def test_department_form_is_its_own_kind_and_complete():
    rows = [[line] for line in DEPARTMENT_TITLE] + department_table().grid()
    form = forms_from_grid(rows)[0]
    assert form.form_kind == domain.FormKind.DEPARTMENT
    assert domain.missing_parts(form) == []


def test_year_line_ignores_narrative_and_contents(tmp_path):
    """A contents line or a sentence naming the form is no title; the year comes from the line under it."""
    rows = [
        ["目录"],
        ["三、部门整体支出绩效自评表……………………12"],
        ["我局按要求填报了部门整体支出绩效自评表，现予公开。"],
        *([[line] for line in DEPARTMENT_TITLE] + department_table().grid()),
        ["填报人：李四    联系电话：0838-1234567    填报日期：2023年3月1日"],
        ["— 14 —"],
    ]
    forms = forms_from_grid(rows)
    assert len(forms) == 1
    assert differences(forms[0], department_truth()) == []


def test_placeholder_rows_are_left_out():
    form = forms_from_grid([[line] for line in SICHUAN_TITLE] + sichuan_table().grid())[0]
    assert [row.name for row in form.indicators if row.name.startswith(("…", "指标"))] == []


def test_project_code_only_where_printed():
    rows = [[line] for line in SICHUAN_TITLE] + sichuan_table().grid()
    rows[2][2] = "工资性支出（2023）"
    form = forms_from_grid(rows)[0]
    assert (form.project_code, form.project_name) == (None, "工资性支出（2023）")


# ---------------------------------------------------------------- D. a 决算公开 report holding the forms

LONG_REASON = (
    "两个项目因雨季推迟施工，经整改后于次年一月通过验收。今后将提前编制施工计划，" * 12
    + "加强与施工单位的沟通，确保项目按期验收。"
)
REPORT_PREFACE: list = [  # four pages before the first form: cover, contents, narrative, a financial table
    "某某县农业农村局2022年度部门决算",
    "目录",
    "一、部门概况……………………1",
    "二、部门决算表……………………3",
    "三、部门整体支出绩效自评表……………………5",
    "第一部分 部门概况",
    "我局主要职责是统筹研究和组织实施“三农”工作。本年度按要求开展了部门整体支出绩效自评和项目支出绩效自评，"
    "填报了部门整体支出绩效自评表和项目支出绩效自评表，现予公开。",
    "收入支出决算总表",
    Table((120, 70, 70, 70))
    .row("项目", "年初预算数", "调整预算数", "决算数")
    .row("一般公共预算财政拨款收入", "1400", "1500", "1480.5")
    .row("其他收入", "100", "120", "110")
    .row("本年收入合计", "1500", "1620", "1590.5"),
]
PREFACE_BREAKS = {1, 5, 7}  # parts that start a page: contents, narrative, the financial table
SIGN_OFF = "填报人：李四　　联系电话：0838-1234567　　填报日期：2023年3月1日"


def report_parts(records: list[dict]) -> tuple[list, set[int]]:
    """The report: preface, the 部门整体 form, then one project form per record, each on a new page."""
    from dashboard.outputs import form_sheet

    parts, breaks = list(REPORT_PREFACE), set(PREFACE_BREAKS)
    breaks.add(len(parts))
    parts += [*DEPARTMENT_TITLE, department_table(reason_of_row_2=LONG_REASON), SIGN_OFF]
    book = form_sheet.build_workbook(records, title_year=False)
    widths = tuple(width * 6.0 for width in form_sheet.COLUMN_WIDTHS)
    for sheet in book.worksheets:
        breaks.add(len(parts))
        parts += [
            "项目支出绩效自评表",
            "（2022年度）",
            layout_factory.from_worksheet(sheet, widths, skip_rows=1),
            SIGN_OFF,
        ]
    return parts, breaks


def report_truths(records: list[dict]) -> list[dict]:
    department = department_truth()
    department["indicators"][1]["reason"] = LONG_REASON
    return [department, *({**record, "year": 2022} for record in records)]


@pytest.fixture(scope="module")
def seed_nine() -> list[dict]:
    from tests.seed_truth import seed_records

    return seed_records()[:9]


def assert_report_forms(forms, seed_nine, spaces_lost: dict | None = None) -> None:
    """Every form as the truth says. `spaces_lost`: (project, field) → spaces of the truth that the producer
    broke a line at and did not print (no reader can give them back); everything else must match."""
    from tests.seed_truth import record_differences

    truths = report_truths(seed_nine)
    assert [form.form_kind for form in forms] == ["department"] + ["project"] * 9
    assert differences(forms[0], truths[0]) == []
    for form, want in zip(forms[1:], truths[1:], strict=True):
        got = form.to_record()
        for (project, field), count in (spaces_lost or {}).items():
            if project == want["project_name"]:
                assert got[field].replace(" ", "") == want[field].replace(" ", "")
                assert want[field].count(" ") - got[field].count(" ") == count
                got[field] = want[field]
        assert record_differences(got, want) == [], want["project_name"]


@pytest.fixture(scope="module")
def chromium_report(tmp_path_factory, seed_nine) -> Path:
    parts, breaks = report_parts(seed_nine)
    return layout_factory.print_chromium(parts, tmp_path_factory.mktemp("report") / "report.pdf", breaks)


@pytest.mark.chromium
def test_report_printed_by_chromium(chromium_report, seed_nine):
    """Narrative and financial pages are skipped and counted, the year comes from the line under each title,
    page numbers and 填报人 lines stay out, and the indicator row cut by a page break is one row."""
    with pdfplumber.open(chromium_report) as pdf:  # the fixture really cuts the long reason over two pages
        holding = [n for n, page in enumerate(pdf.pages, 1) if "雨季" in fix_lookalikes(page.extract_text() or "")]
    assert len(holding) == 2
    read = read_pdf_file(chromium_report, "report.pdf")
    assert_report_forms(read.forms, seed_nine)
    assert read.pages_without_form == [1, 2, 3, 4]


@pytest.mark.chromium
def test_report_import_says_what_was_skipped(chromium_report, tmp_path):
    con = connect.open_db(tmp_path / "forms.duckdb")
    try:
        outcome = importer.import_files(con, [(chromium_report, "report.pdf")])[0]
        kinds = con.execute("SELECT form_kind, count(*) FROM forms GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()
    assert outcome.outcome == importer.Outcome.IMPORTED
    assert outcome.form_count == 10
    assert "另有 4 页不是自评表" in outcome.message
    assert kinds == [("department", 1), ("project", 9)]


def test_report_as_web_page(tmp_path, seed_nine):
    parts, _breaks = report_parts(seed_nine)
    assert_report_forms(read_file(write_html(parts, tmp_path / "report.html"), "report.html"), seed_nine)


def test_report_as_word_document(tmp_path, seed_nine):
    parts, _breaks = report_parts(seed_nine)
    forms = read_docx(layout_factory.write_docx(parts, tmp_path / "report.docx"), "report.docx")
    assert_report_forms(forms, seed_nine)


def test_sichuan_form_is_judged_by_its_layout(tmp_path):
    """The printed title goes to the audit, which picks the Sichuan scheme by it (the 主管部门 sets none)."""
    workbook = layout_factory.write_xlsx([parts_of("sichuan"), parts_of("department")], tmp_path / "f.xlsx")
    con = connect.open_db(tmp_path / "forms.duckdb")
    try:
        importer.import_files(con, [(workbook, "f.xlsx")])
        schemes = con.execute("SELECT form_kind, scheme FROM forms ORDER BY position").fetchall()
    finally:
        con.close()
    assert schemes == [("project", "sichuan"), ("department", "national")]


def _sichuan_db(tmp_path: Path) -> Path:
    workbook = layout_factory.write_xlsx([parts_of("sichuan"), parts_of("department")], tmp_path / "f.xlsx")
    path = tmp_path / "forms.duckdb"
    con = connect.open_db(path)
    try:
        importer.import_files(con, [(workbook, "f.xlsx")])
    finally:
        con.close()
    return path


def test_a_re_audit_keeps_the_scheme_its_printed_title_chose(tmp_path):
    """The title that chose the Sichuan scheme is stored with the form: `audit` and `audit --scheme` keep the
    scheme, the findings stay the same, and 复核 sees no form whose scheme the configuration would change."""
    from dashboard.audit import review
    from dashboard.queries import review_queries

    con = connect.open_db(_sichuan_db(tmp_path))
    try:
        stored = "SELECT form_kind, scheme, scheme_title FROM forms ORDER BY position"
        findings = "SELECT form_id, rule, severity, message FROM checks ORDER BY ALL"
        before, checks_before = con.execute(stored).fetchall(), con.execute(findings).fetchall()
        assert before[0][:2] == ("project", "sichuan") and "部门预算项目支出绩效自评表" in before[0][2]
        assert before[1] == ("department", "national", None)
        assert review_queries.stale_scheme_count(con) == 0
        assert review.audit_database(con) == 2
        assert review.audit_database(con, scheme="sichuan") == 1
        assert con.execute(stored).fetchall() == before
        assert con.execute(findings).fetchall() == checks_before
        assert review_queries.stale_scheme_count(con) == 0
        assert reads.load_forms(con, versions="counted")[0].scheme_title == before[0][2]
    finally:
        con.close()


def test_a_version_8_file_gets_an_empty_scheme_title(tmp_path):
    """Version 9 adds forms.scheme_title; a version-8 file stored no title, so its forms get NULL (the scheme
    then comes from the 主管部门 or the default) and keep the scheme stored with them."""
    import duckdb

    from dashboard.store import schema

    path = _sichuan_db(tmp_path)
    con = duckdb.connect(str(path))  # back to version 8: no title column
    con.execute("ALTER TABLE forms DROP COLUMN scheme_title")
    con.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    con.close()
    con = connect.open_db(path)
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION == 17
        rows = con.execute("SELECT scheme, scheme_title FROM forms ORDER BY position").fetchall()
        assert rows == [("sichuan", None), ("national", None)]
    finally:
        con.close()


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("附件2：2021年度项目支出绩效自评表", "project"),
        ("某某区财政局2021年度项目支出绩效自评表（宣传费）", "project"),
        ("部门预算项目支出绩效自评表（2023年度）", "project"),
        ("2022年度部门整体支出绩效自评表", "department"),
        ("部 门 整 体 支 出 绩 效 自 评 表", "department"),
        ("三、部门整体支出绩效自评表……………………12", None),
        ("我局填报了部门整体支出绩效自评表，现予公开。", None),
        ("关于项目支出绩效自评表的说明", None),
    ],
)
def test_title_lines(line, kind):
    assert labels.title_kind(line) == kind


# "待遇 。" and "消息 70万条" print with the line broken at the space.
LIBREOFFICE_SPACES_LOST_AT_WRAPS = {("一般管理事务", "goal_actual"): 1, ("疫情防控", "goal_actual"): 1}


@pytest.mark.libreoffice
def test_report_as_word_printed_by_libreoffice(tmp_path, seed_nine):
    """The Word report printed by LibreOffice (rows split across pages, page numbers in the footer)."""
    parts, breaks = report_parts(seed_nine)
    path = layout_factory.print_libreoffice(layout_factory.write_docx(parts, tmp_path / "report.docx", breaks))
    read = read_pdf_file(path, "report.pdf")
    assert_report_forms(read.forms, seed_nine, LIBREOFFICE_SPACES_LOST_AT_WRAPS)
    assert read.pages_without_form == [1, 2, 3, 4]


def test_text_dump_year_under_title_and_code_prefix():
    """The text reader shares the vocabulary: the year on the line under the title, the code before the name,
    the printed title handed to the audit."""
    from dashboard.ingest.text import read_text

    seed = (Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.txt")
    lines = sorted(seed)[0].read_text(encoding="utf-8").splitlines()
    at = next(index for index, line in enumerate(lines) if line.strip() == "项目支出绩效自评表")
    lines[at : at + 1] = ["部门预算项目支出绩效自评表", "（2023年度）"]
    named = next(index for index, line in enumerate(lines) if line.startswith("项目名称"))
    lines[named] = lines[named].replace("项目名称", "项目名称 51000021R000000019951-", 1).replace("- ", "-", 1)
    form = read_text("\n".join(lines), "dump.txt")[0]
    assert (form.year, form.layout_title) == (2023, "部门预算项目支出绩效自评表")
    assert (form.project_code, form.project_name) == ("51000021R000000019951", "预算准备金")


def test_export_carries_kind_code_and_target_parts(tmp_path):
    """Stored and exported (form-json.md): form_kind, project_code, target_parts; a 部门整体 form names no project."""
    from dashboard.outputs import export

    workbook = layout_factory.write_xlsx([parts_of("sichuan"), parts_of("chongqing")], tmp_path / "f.xlsx")
    con = connect.open_db(tmp_path / "forms.duckdb")
    try:
        importer.import_files(con, [(workbook, "f.xlsx")])
        records = json.loads(export.forms_to_json(reads.load_forms(con)))
    finally:
        con.close()
    sichuan, chongqing = sorted(records, key=lambda record: record["form_kind"], reverse=True)
    assert (sichuan["form_kind"], sichuan["project_code"], sichuan["project_name"]) == (
        "project",
        "51000021R000000019951",
        "工资性支出",
    )
    assert sichuan["indicators"][0]["target_parts"] == {"op": "≥", "value": "120", "unit": "人"}
    assert (chongqing["form_kind"], chongqing["project_name"], chongqing["project_type"]) == ("department", None, None)
    assert chongqing["indicators"][1]["target"] == "≥20000平方米"
