"""The PDF reader (dashboard.ingest.pdf) and the grid reader behind it (dashboard.ingest.grid).

PDFs are drawn by tests/pdf_factory.py (reportlab, real ruled lines, merged cells as spans);
the two sample PDFs and the LibreOffice-printed fixtures are read as they are.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dashboard.core import texts
from dashboard.core.model import FormReadError
from dashboard.ingest.grid import forms_from_grid
from dashboard.ingest.pdf import read_pdf

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tests/unit is not a package: make tests.pdf_factory importable
    sys.path.insert(0, str(ROOT))

from tests import pdf_factory as factory  # noqa: E402
from tests.seed_truth import record_differences, seed_records  # noqa: E402

FormSpec = factory.FormSpec
SAMPLES = ROOT / "data" / "samples"

# The 购置费 indicators as sample_form_a prints them.
PURCHASE_ROWS = [
    ("产出指标\n（50分）", "数量指标", "购置办公设备数量", "10台", "10台", "10", "10", ""),
    ("产出指标\n（50分）", "质量指标", "购置办公设备验收合格率", "100%", "100%", "10", "10", ""),
    ("产出指标\n（50分）", "时效指标", "购置办公设备验收完成及时率", "100%", "100%", "15", "15", ""),
    ("产出指标\n（50分）", "成本指标", "支付进度达标率", "≥90%", "94.93%", "15", "15", ""),
    ("效益指标\n（40分）", "经济效益指标", "不适用", "不适用", "不适用", "0", "0", ""),
    ("效益指标\n（40分）", "社会效益指标", "保障单位正常运转有效保障率", "≥90%", "100%", "20", "20", ""),
    ("效益指标\n（40分）", "生态效益指标", "不适用", "不适用", "不适用", "0", "0", ""),
    ("效益指标\n（40分）", "满意度指标", "工作人员满意度", "≥90%", "98%", "20", "20", ""),
]


def purchase_spec(**changes) -> FormSpec:
    return FormSpec(**{"indicators": list(PURCHASE_ROWS), **changes})


def read_one(path: Path) -> object:
    forms = read_pdf(path, path.name)
    assert len(forms) == 1
    return forms[0]


def indicator_tuples(form) -> list[tuple]:
    return [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score, i.reason) for i in form.indicators]


def fund_values(row) -> tuple:
    return (row.initial_budget, row.annual_budget, row.executed, row.weight, row.rate_pct, row.score)


# ---------------------------------------------------------------- grid reader


def test_grid_carries_levels_over_covered_cells_only():
    rows = [
        ["项目支出绩效自评表", None, None, None, None, None, None],
        ["项目名称", "测试项目", "项目金额", "100", None, None, None],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标（50分）", "数量指标", "甲", "1", "1", "5", "5"],
        [None, None, "乙", "1", "1", "5", "5"],
        [None, "", "丙", "1", "1", "5", "5"],
        ["总分", None, None, None, None, "15", "15"],
    ]
    (form,) = forms_from_grid(rows, source_file="grid")
    assert [(i.level1, i.level2, i.name) for i in form.indicators] == [
        ("产出指标", "数量指标", "甲"),
        ("产出指标", "数量指标", "乙"),
        ("产出指标", "", "丙"),
    ]
    assert (form.total_weight, form.total_score) == (15.0, 15.0)
    assert form.project_amount == 100.0


def test_grid_heals_merged_cell_cut_by_page_break():
    rows = [
        ["项目名称", "测试项目"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "甲", "1", "1", "5", "5"],
        ["", "", "乙", "1", "1", "5", "5"],  # fragment on page 1, text printed on page 2
        ["效益指标", "社会效益指标", "丙", "1", "1", "5", "5"],  # page 2: same spans' text
        [None, None, "丁", "1", "1", "5", "5"],
        ["总分", None, None, None, None, "20", "20"],
    ]
    pages = [1, 1, 1, 1, 2, 2, 2]
    (form,) = forms_from_grid(rows, pages, "grid")
    assert [(i.level1, i.level2) for i in form.indicators] == [
        ("产出指标", "数量指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "社会效益指标"),
    ]
    assert form.source_pages == [1, 2]


def test_grid_continuation_page_repeating_title_and_headings():
    heading = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    rows = [
        ["项目支出绩效自评表"],
        ["项目名称", "测试项目"],
        heading,
        ["产出指标", "数量指标", "甲", "1", "1", "5", "5"],
        ["", "", "乙", "1", "1", "5", "5"],
        ["项目支出绩效自评表"],  # page 2 repeats the title and the headings
        heading,
        ["效益指标", "社会效益指标", "丙", "1", "1", "5", "5"],
        ["总分", None, None, None, None, "15", "15"],
    ]
    (form,) = forms_from_grid(rows, [1, 1, 1, 1, 1, 2, 2, 2, 2], "grid")
    assert [(i.level1, i.level2, i.name) for i in form.indicators] == [
        ("产出指标", "数量指标", "甲"),
        ("效益指标", "社会效益指标", "乙"),
        ("效益指标", "社会效益指标", "丙"),
    ]
    assert (form.total_score, form.source_pages) == (15.0, [1, 2])


# ---------------------------------------------------------------- the two sample PDFs


def test_sample_form_a_every_value():
    form = read_one(SAMPLES / "sample_form_a.pdf")
    assert (form.project_name, form.project_type, form.status) == ("购置费", "购置费", None)
    assert (form.project_amount, form.department, form.unit, form.year) == (118800.0, "0402009", None, None)
    assert form.funds.unit_printed == "元"
    assert fund_values(form.funds.total) == (39600.0, 39600.0, 37592.0, 10.0, 94.93, 9.49)
    assert fund_values(form.funds.current_year) == (39600.0, 39600.0, 37592.0, None, 94.93, None)
    assert fund_values(form.funds.carryover) == (0.0, 0.0, 0.0, None, 0.0, None)
    assert fund_values(form.funds.other) == (0.0, 0.0, 0.0, None, 0.0, None)
    assert form.goal_expected == "通过本项目的实施，保障本单位各项工作正常开展。"
    assert form.goal_actual == "已按计划完成各项工作。"
    expected = [(r[0].split("\n")[0], r[1], r[2], r[3], r[4], float(r[5]), float(r[6]), None) for r in PURCHASE_ROWS]
    assert indicator_tuples(form) == expected
    assert (form.total_weight, form.total_score) == (100.0, 99.49)
    assert form.checks == []
    assert (form.source_file, form.source_pages) == ("sample_form_a.pdf", [1])


def test_sample_form_b_every_value():
    form = read_one(SAMPLES / "sample_form_b.pdf")
    assert (form.project_name, form.project_type) == ("一般管理事务", "一般管理事务")
    assert (form.project_amount, form.department, form.unit) == (11727908.0, "0402009", "福田区政务服务信息中心")
    assert fund_values(form.funds.total) == (4000980.0, 3725948.0, 3718493.96, 10.0, 99.8, 9.98)
    assert fund_values(form.funds.current_year) == (4000980.0, 3725948.0, 3718493.96, None, 99.8, None)
    assert fund_values(form.funds.carryover) == (0.0, 0.0, 0.0, None, 0.0, None)
    assert fund_values(form.funds.other) == (0.0, 0.0, 0.0, None, 0.0, None)
    assert (form.goal_expected, form.goal_actual) == (
        "通过本项目的实施，保障本单位各项工作正常开展。",
        "已按计划完成各项工作。",
    )
    reason = "因为疫情原因不组织培训"
    assert indicator_tuples(form) == [
        ("产出指标", "数量指标", "其他一般管理事务工作完成率", "100%", "100%", 10.0, 10.0, None),
        ("产出指标", "数量指标", "职工教育培训人数", "≥1人", "0", 2.0, 0.0, reason),
        ("产出指标", "数量指标", "审核合同份数", "≥20份", "32", 10.0, 10.0, None),
        ("产出指标", "质量指标", "其他一般管理事务工作合格率", "100%", "100%", 10.0, 10.0, None),
        ("产出指标", "质量指标", "职工教育培训参与率", "100%", "0", 2.0, 0.0, reason),
        ("产出指标", "时效指标", "其他一般管理事务工作完成及时性", "及时", "及时", 6.0, 6.0, None),
        ("产出指标", "时效指标", "职工教育培训完成及时性", "及时", "未组织培训", 2.0, 0.0, reason),
        ("产出指标", "成本指标", "支出进度达标率", "≥85%", "100%", 8.0, 8.0, None),
        ("效益指标", "经济效益指标", "不适用", "不适用", "不适用", 0.0, 0.0, None),
        ("效益指标", "社会效益指标", "保障单位日常运行工作的正常开展", "有效", "有效", 15.0, 15.0, None),
        ("效益指标", "社会效益指标", "提升职工业务水平", "有效", "有效", 15.0, 15.0, None),
        ("效益指标", "生态效益指标", "不适用", "不适用", "不适用", 0.0, 0.0, None),
        ("效益指标", "满意度指标", "工作人员投诉率", "≤2%", "0", 10.0, 10.0, None),
    ]
    assert (form.total_weight, form.total_score) == (100.0, 94.0)
    assert form.checks == []


# ---------------------------------------------------------------- generated forms


def test_generated_form_values_with_marks_and_suffixes(tmp_path):
    form = read_one(factory.write_pdf(tmp_path / "a.pdf", [purchase_spec(unit="福田区政务服务信息中心")]))
    assert form.unit == "福田区政务服务信息中心"
    assert form.project_amount == 118800.0
    assert fund_values(form.funds.total) == (39600.0, 39600.0, 37592.0, 10.0, 94.93, 9.49)
    assert indicator_tuples(form)[0] == ("产出指标", "数量指标", "购置办公设备数量", "10台", "10台", 10.0, 10.0, None)
    assert indicator_tuples(form)[4][:2] == ("效益指标", "经济效益指标")
    assert (form.total_weight, form.total_score) == (100.0, 99.49)


def test_generated_form_without_marks_or_suffixes_and_blank_unit(tmp_path):
    rows = [(row[0].split("\n")[0], *row[1:]) for row in PURCHASE_ROWS]
    spec = FormSpec(indicators=rows, stars=False, unit="")
    form = read_one(factory.write_pdf(tmp_path / "b.pdf", [spec]))
    assert form.unit is None
    assert [i.level1 for i in form.indicators] == ["产出指标"] * 4 + ["效益指标"] * 4
    assert [i.weight for i in form.indicators] == [10.0, 10.0, 15.0, 15.0, 0.0, 20.0, 0.0, 20.0]


def test_several_forms_in_one_file_on_new_pages_and_on_one_page(tmp_path):
    second = purchase_spec(project_name="预算准备金(停用）", project_amount="0", total=("100", "0"))
    third = purchase_spec(project_name="疫情防控", project_amount="290000")
    path = factory.write_pdf(tmp_path / "many.pdf", [purchase_spec(), second, third])
    forms = read_pdf(path, "many.pdf")
    assert [(f.project_name, f.project_type, f.status) for f in forms] == [
        ("购置费", "购置费", None),
        ("预算准备金(停用）", "预算准备金", "停用"),
        ("疫情防控", "疫情防控", None),
    ]
    assert [f.source_pages for f in forms] == [[1], [2], [3]]
    assert [f.project_amount for f in forms] == [118800.0, 0.0, 290000.0]
    assert [f.total_score for f in forms] == [99.49, 0.0, 99.49]
    assert all(len(f.indicators) == 8 for f in forms)

    small = [purchase_spec(project_name=f"项目{n}", indicators=list(PURCHASE_ROWS[:2])) for n in range(3)]
    stacked = read_pdf(factory.write_pdf(tmp_path / "stacked.pdf", small, new_page_per_form=False), "s.pdf")
    assert [f.project_name for f in stacked] == ["项目0", "项目1", "项目2"]
    assert [len(f.indicators) for f in stacked] == [2, 2, 2]
    assert stacked[0].source_pages == [1]


def long_rows(count: int) -> list[tuple]:
    rows = []
    for n in range(count):
        level1 = "产出指标\n（50分）" if n < count // 2 else "效益指标\n（40分）"
        level2 = ("数量指标", "质量指标")[n * 4 // count % 2] if n < count // 2 else "社会效益指标"
        deducted = n % 5 == 0
        reason = "由于福田区正在开展数字化转型规划，需规划正式确定后再开启宣传工作。" if deducted else ""
        name = f"“政务服务一层级”改革宣传工作完成率第{n}项"
        rows.append((level1, level2, name, "100%", "98.02%", "2", "1.5" if deducted else "2", reason))
    return rows


def test_indicator_table_crossing_pages_is_stitched(tmp_path):
    rows = long_rows(60)
    spec = purchase_spec(indicators=rows, total=("120", "114"))
    path = factory.write_pdf(tmp_path / "long.pdf", [spec, purchase_spec(project_name="后一张")])
    forms = read_pdf(path, "long.pdf")
    assert [f.project_name for f in forms] == ["购置费", "后一张"]
    form = forms[0]
    assert len(form.source_pages) >= 2 and form.source_pages[0] == 1
    assert forms[1].source_pages == [form.source_pages[-1] + 1]
    expected = [(r[0].split("\n")[0], r[1], r[2], r[3], r[4], float(r[5]), float(r[6]), r[7] or None) for r in rows]
    assert indicator_tuples(form) == expected
    assert (form.total_weight, form.total_score) == (120.0, 114.0)
    assert form.checks == []


def test_merged_span_text_printed_on_the_next_page(tmp_path):
    """A level span cut by the page break whose text lands in the later fragment."""
    rows = long_rows(40)
    spec = purchase_spec(indicators=rows)
    path = factory.write_pdf(tmp_path / "cut.pdf", [spec], page_height=520)
    form = read_one(path)
    assert len(form.source_pages) >= 2
    assert [(i.level1, i.level2) for i in form.indicators] == [(r[0].split("\n")[0], r[1]) for r in rows]


def test_wrapped_cells_and_wrapped_number(tmp_path):
    funds = [
        ["7642000.00", "10390000.00", "100125\n16.44", "10", "96.37%", "9.64"],
        ["7642000.00", "10390000.00", "10012516.44", "—", "96.37%", "—"],
        ["0.00", "0.00", "0.00", "—", "0.00%", "—"],
        ["0.00", "0.00", "0.00", "—", "0.00%", "—"],
    ]
    long_name = "深化“信用审批”建设宣传工作完成及时性与覆盖率"
    rows = [("产出指标", "数量指标", long_name, "100%", "50%", "2.5", "1.25", "由于福田区正在开展数字化转型规划")]
    goal = "通过本项目的实施，完成以下年度目标：（一）提供使用场地及管理。" * 4
    spec = FormSpec(fund_rows=funds, indicators=rows, goal_expected=goal, total=("12.5", "10.89"))
    form = read_one(factory.write_pdf(tmp_path / "wrap.pdf", [spec]))
    assert form.funds.total.executed == 10012516.44
    assert form.indicators[0].name == long_name
    assert form.indicators[0].reason == "由于福田区正在开展数字化转型规划"
    assert (form.indicators[0].weight, form.indicators[0].score) == (2.5, 1.25)
    assert form.goal_expected == goal


def test_regional_variant(tmp_path):
    funds = [
        ["1001.251644", "1039", "1001.251644", "10", "96.37%", "9.64"],
        ["1001.251644", "1039", "1001.251644", "—", "96.37%", "—"],
        ["0", "0", "0", "—", "0.00%", "—"],
        ["0", "0", "0", "—", "0.00%", "—"],
    ]
    rows = [
        ("产出指标（50分）", "数量指标", "道路清扫面积", "≥1000平方米", "1200平方米", "50", "50", ""),
        ("效益指标（30分）", "社会效益指标", "环境改善", "有效", "有效", "30", "30", ""),
        ("满意度指标（10分）", "满意度指标", "群众满意度", "≥90%", "95%", "10", "10", ""),
    ]
    spec = FormSpec(
        project_name="环卫保洁",
        project_amount="35181000",
        department="219-某某镇人民政府",
        unit="219001-某某镇环卫所",
        title="项目支出绩效自评表（2022年度）",
        title_in_table=False,
        fund_heading="项目资金\n（万元）",
        fund_labels=("年度资金总额:", "其中:本年财政拨款", "上年结转资金:", "其他资金:"),
        fund_rows=funds,
        indicators=rows,
        total=("100", "99.64"),
    )
    form = read_one(factory.write_pdf(tmp_path / "region.pdf", [spec]))
    assert form.year == 2022
    assert (form.department, form.unit) == ("219-某某镇人民政府", "219001-某某镇环卫所")
    assert form.funds.unit_printed == "万元"
    assert fund_values(form.funds.total) == (10012516.44, 10390000.0, 10012516.44, 10.0, 96.37, 9.64)
    assert fund_values(form.funds.current_year) == (10012516.44, 10390000.0, 10012516.44, None, 96.37, None)
    assert form.funds.carryover.executed == 0.0
    assert form.project_amount == 35181000.0
    assert [(i.level1, i.level2) for i in form.indicators] == [
        ("产出指标", "数量指标"),
        ("效益指标", "社会效益指标"),
        ("满意度指标", "满意度指标"),
    ]
    assert form.indicators[0].target == "≥1000平方米"


def test_year_in_title_inside_table(tmp_path):
    form = read_one(factory.write_pdf(tmp_path / "y.pdf", [purchase_spec(title="2021年度项目支出绩效自评表")]))
    assert form.year == 2021


def test_letter_spaced_and_fake_bold_labels(tmp_path):
    spec = purchase_spec(letter_spacing=5.0, fake_bold_labels=True, unit="福田区政务服务信息中心")
    form = read_one(factory.write_pdf(tmp_path / "spaced.pdf", [spec]))
    assert (form.project_name, form.unit, form.department) == ("购置费", "福田区政务服务信息中心", "0402009")
    assert fund_values(form.funds.total) == (39600.0, 39600.0, 37592.0, 10.0, 94.93, 9.49)
    assert len(form.indicators) == 8
    assert (form.total_weight, form.total_score) == (100.0, 99.49)


def test_indicator_row_without_numbers_is_flagged(tmp_path):
    rows = [*PURCHASE_ROWS[:2], ("产出指标", "时效指标", "完成及时率", "及时", "及时", "", "", "")]
    rows.append(("产出指标", "成本指标", "成本控制", "≤10万元", "9万元", "五", "5", ""))
    form = read_one(factory.write_pdf(tmp_path / "nonum.pdf", [purchase_spec(indicators=rows)]))
    assert [(i.weight, i.score) for i in form.indicators[2:]] == [(None, None), (None, 5.0)]
    found = [(c.rule, c.severity, c.indicator) for c in form.checks]
    assert found == [
        ("parse_uncertain", "warning", "完成及时率"),
        ("value_unreadable", "error", "成本控制"),
    ]
    assert form.checks[1].message == "指标“成本控制”的分值印的“五”不是可识别的数字，未计入"


# ---------------------------------------------------------------- files that are not readable forms


def reason_of(path: Path) -> str:
    with pytest.raises(FormReadError) as caught:
        read_pdf(path, path.name)
    return caught.value.reason


def test_encrypted_pdf(tmp_path):
    assert reason_of(factory.write_encrypted_pdf(tmp_path / "locked.pdf", purchase_spec())) == texts.REASON_ENCRYPTED


def test_truncated_pdf(tmp_path):
    whole = factory.write_pdf(tmp_path / "whole.pdf", [purchase_spec()])
    assert reason_of(factory.write_truncated_pdf(tmp_path / "cut.pdf", whole)) == texts.REASON_DAMAGED


def test_not_a_pdf_at_all(tmp_path):
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n\x00\x01garbage" * 50)
    assert reason_of(path) == texts.REASON_DAMAGED


def test_image_only_scan(tmp_path):
    """A scanned page is read by OCR now; this one is a picture of a ruled table that is no 自评表."""
    assert reason_of(factory.write_image_only_pdf(tmp_path / "scan.pdf")) == texts.REASON_SCAN_NOT_A_FORM


def test_scanned_page_beside_a_form_is_named_in_its_checks(tmp_path):
    (form,) = read_pdf(factory.write_form_then_scan_pdf(tmp_path / "mixed.pdf", factory.FormSpec()), "mixed.pdf")
    assert form.project_name == "购置费" and form.source_pages == [1]
    scanned = [check for check in form.checks if "扫描图像" in check.message]
    assert [(check.rule, check.severity) for check in scanned] == [("parse_uncertain", "warning")]
    assert "第 2 页" in scanned[0].message


def test_text_but_no_form(tmp_path):
    assert reason_of(factory.write_plain_text_pdf(tmp_path / "notice.pdf")) == texts.REASON_NOT_A_FORM


def test_font_without_character_map(tmp_path):
    assert reason_of(factory.write_no_cmap_pdf(tmp_path / "cid.pdf")) == texts.REASON_NO_CMAP


# ---------------------------------------------------------------- forms printed by LibreOffice Calc

FIXTURES = ROOT / "tests" / "fixtures"
PRINTED = FIXTURES / "libreoffice"
SEVEN_FORMS = (2, 5, 12, 14, 17, 19, 21)  # positions in seed_forms.json of seven_forms.pdf


@pytest.mark.parametrize("position", range(1, 23))
def test_libreoffice_printed_seed_form(position):
    want = seed_records()[position - 1]
    path = PRINTED / f"seed_forms_{position:02d}.pdf"
    form = read_one(path)
    assert record_differences(form.to_record(), want) == []
    assert form.checks == []


def test_libreoffice_seven_forms_crossing_pages():
    records = seed_records()
    forms = read_pdf(PRINTED / "seven_forms.pdf", "seven_forms.pdf")
    assert [form.project_name for form in forms] == [records[n - 1]["project_name"] for n in SEVEN_FORMS]
    for form, position in zip(forms, SEVEN_FORMS, strict=True):
        assert record_differences(form.to_record(), records[position - 1]) == [], position
    crossing = {form.project_name: form.source_pages for form in forms if len(form.source_pages) > 1}
    assert {"数据规划管理", "一般管理事务", "专项业务"} <= set(crossing)
    pages = [page for form in forms for page in form.source_pages]
    assert pages == sorted(set(pages)) and pages[0] == 1


def regional_variant(record: dict) -> dict:
    """A seed record as a region printing 万元, the year in the title and code-name departments."""
    variant = json.loads(json.dumps(record))
    variant.update(year=2022, department="219-某某镇人民政府", unit="219001-某某镇社会事务办")
    variant["funds"]["unit_printed"] = "万元"
    return variant


def test_libreoffice_regional_variant_in_wanyuan():
    """variant_wanyuan.pdf: seed forms 3 and 17 printed by the script with amounts in 万元."""
    records = seed_records()
    forms = read_pdf(PRINTED / "variant_wanyuan.pdf", "variant_wanyuan.pdf")
    assert len(forms) == 2
    for form, position in zip(forms, (3, 17), strict=True):
        assert record_differences(form.to_record(), regional_variant(records[position - 1])) == []
    assert forms[1].funds.total.annual_budget == 10525876.51
    assert forms[1].source_pages == [2, 3]
