"""The download builders: CSV with BOM, .xlsx that opens with the given rows, the one-form workbook."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.core import texts
from dashboard.core.model import Check, Form, FundRow, Funds, Indicator
from dashboard.outputs import downloads


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "项目名称": ["数据规划管理", "服装购置", "预算准备金"],
            "总分": [98.5, 91.2, None],
            "实施单位": ["区数据局", None, "区财政局"],
            "扣分": [1, 0, 3],
        }
    )


def sample_form() -> Form:
    return Form(
        project_name="服装购置",
        project_type="购置费",
        department="0402009",
        unit="区城管局",
        year=2021,
        project_amount=1_000_000.0,
        funds=Funds(
            unit_printed="元",
            total=FundRow(1_000_000.0, 1_000_000.0, 963_700.0, 96.37, 10.0, 9.64),
            current_year=FundRow(1_000_000.0, 1_000_000.0, 963_700.0, 96.37),
        ),
        goal_expected="为一线人员采购服装",
        goal_actual="已采购服装 1172 套",
        indicators=[
            Indicator("产出指标", "数量指标", "采购服装数量", "1350套", "1172套", 6.0, 5.2, "供应商缺货，明年提前采购"),
            Indicator("产出指标", "质量指标", "服装验收合格率", "100%", "100%", 10.0, 10.0),
            Indicator("满意度指标", "服务对象满意度指标", "职工满意度", "≥90%", "95%", 10.0, 10.0),
        ],
        total_weight=100.0,
        total_score=95.0,
        recomputed_score=94.84,
        checks=[Check("total_not_sum", "error", "总分与各项得分之和不符", None, 95.0, 94.84)],
        source_file="服装.pdf",
        source_pages=[1, 2],
        id="abc123-001",
    )


def test_csv_has_bom_and_round_trips(frame):
    data = downloads.to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == ["项目名称", "总分", "实施单位", "扣分"]
    assert back["项目名称"].tolist() == ["数据规划管理", "服装购置", "预算准备金"]
    assert len(back) == 3
    assert back["扣分"].tolist() == [1, 0, 3]


def test_csv_of_empty_frame_keeps_headers():
    data = downloads.to_csv_bytes(pd.DataFrame(columns=["文件", "结果"]))
    assert data.decode("utf-8-sig").strip() == "文件,结果"


def test_xlsx_round_trips_with_chinese_headers(frame):
    data = downloads.to_xlsx_bytes(frame)
    back = pd.read_excel(io.BytesIO(data), sheet_name=texts.XLSX_DEFAULT_SHEET)
    assert list(back.columns) == list(frame.columns)
    assert len(back) == len(frame)
    assert back["项目名称"].tolist() == frame["项目名称"].tolist()
    assert back["总分"].iloc[0] == pytest.approx(98.5)
    assert pd.isna(back["实施单位"].iloc[1])


def test_xlsx_header_is_bold_frozen_and_columns_readable(frame):
    workbook = load_workbook(io.BytesIO(downloads.to_xlsx_bytes(frame, sheet_name="项目")))
    sheet = workbook["项目"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    # "数据规划管理" is 6 CJK characters = 12 Latin widths: the column must be at least that wide.
    assert sheet.column_dimensions["A"].width >= 12
    assert sheet.max_row == 4


def test_xlsx_title_row_scope_autofilter_frozen_header_numbers_as_numbers(frame):
    title = "扣分指标　范围：年度 2021；包含“=HYPERLINK(1)”　导出时间：2026-12-04 17:30"
    workbook = load_workbook(io.BytesIO(downloads.to_xlsx_bytes(frame, sheet_name="表", title=title)))
    sheet = workbook["表"]
    assert sheet["A1"].value == title and sheet["A1"].font.bold and sheet["A1"].data_type == "s"
    assert [cell.value for cell in sheet[2]] == list(frame.columns)  # the header under the title
    assert sheet.freeze_panes == "A3"  # title and header stay in view
    assert sheet.auto_filter.ref == f"A2:D{2 + len(frame)}"
    assert isinstance(sheet["B3"].value, float) and sheet["B3"].data_type == "n"  # 总分 a number
    assert isinstance(sheet["D3"].value, int)
    back = pd.read_excel(io.BytesIO(downloads.to_xlsx_bytes(frame, title=title)), skiprows=1)
    assert list(back.columns) == list(frame.columns) and len(back) == len(frame)


def test_xlsx_title_starting_like_a_formula_stays_text(frame):
    workbook = load_workbook(io.BytesIO(downloads.to_xlsx_bytes(frame, sheet_name="表", title="=1+2")))
    cell = workbook["表"]["A1"]
    assert cell.data_type == "s" and not str(cell.value).startswith("=")


def test_xlsx_accepts_awkward_values():
    frame = pd.DataFrame(
        {
            "导入时间": pd.to_datetime([datetime(2024, 1, 2, 3, 4)]).tz_localize("Asia/Shanghai"),
            "所在页": [[1, 2]],
            "说明": ["很长的说明" * 40],
        }
    )
    back = pd.read_excel(io.BytesIO(downloads.to_xlsx_bytes(frame, sheet_name="a/b:c*d?[e]")))
    assert back["所在页"].tolist() == ["1、2"]
    assert len(back) == 1


def test_sheet_title_and_file_stem_are_safe():
    assert downloads.sheet_title("a/b:c*d?[e]") == "a_b_c_d__e_"
    assert len(downloads.sheet_title("长" * 40)) == 31
    assert downloads.safe_file_stem("复核 结果/2021:*") == "复核_结果_2021"
    assert downloads.safe_file_stem("  ") == "download"


def test_form_workbook_holds_every_part():
    form = sample_form()
    workbook = pd.read_excel(io.BytesIO(downloads.form_workbook_bytes(form)), sheet_name=None)
    assert list(workbook) == [
        texts.FORM_SHEET_HEADER,
        texts.FORM_SHEET_FUNDS,
        texts.FORM_SHEET_GOALS,
        texts.FORM_SHEET_INDICATORS,
        texts.FORM_SHEET_CHECKS,
        texts.EXPLAIN_TITLE,
    ]
    indicators = workbook[texts.FORM_SHEET_INDICATORS]
    assert len(indicators) == 3
    assert indicators[texts.EXPORT_COLUMNS["name"]].tolist() == ["采购服装数量", "服装验收合格率", "职工满意度"]
    first = indicators.iloc[0]
    assert first[texts.EXPORT_COLUMNS["score"]] == pytest.approx(5.2)
    assert first[texts.EXPORT_COLUMNS["points_lost"]] == pytest.approx(0.8)
    assert first[texts.EXPORT_COLUMNS["reason"]] == "供应商缺货，明年提前采购"

    header = dict(workbook[texts.FORM_SHEET_HEADER].values.tolist())
    assert header["项目名称"] == "服装购置"
    assert header["差额（自评 − 复算）"] == pytest.approx(0.16)

    funds = workbook[texts.FORM_SHEET_FUNDS]
    assert funds[texts.FUND_COLUMNS["row"]].tolist() == list(texts.FUND_ROW_LABELS.values())
    assert funds[texts.FUND_COLUMNS["rate_pct"]].iloc[0] == pytest.approx(96.37)

    checks = workbook[texts.FORM_SHEET_CHECKS]
    assert checks[texts.CHECK_COLUMNS["severity"]].tolist() == ["错误"]

    # How the audit recomputes 总分, with the scheme it judged by: 10 × 96.37 % + 6 × 1172/1350 + 10 + 10.
    assert header[texts.FORM_HEADER_SCHEME] == "全国通用"
    steps = workbook[texts.EXPLAIN_TITLE].set_index(texts.EXPLAIN_COLUMNS["row"])
    formula, result = texts.EXPLAIN_COLUMNS["formula"], texts.EXPLAIN_COLUMNS["result"]
    assert steps.at["采购服装数量", formula] == "6 × 1172 ÷ 1350 = 5.21（实际“1172套”，指标值“1350套”）"
    assert steps.at["复算总分", result] == pytest.approx(34.85)


def test_form_workbook_says_not_evaluable_where_nothing_was_measured():
    form = sample_form()
    form.indicators = [dataclasses.replace(row, actual="不适用") for row in form.indicators]
    form.recomputed_score = None
    header = dict(downloads.form_header_frame(form).values.tolist())
    assert header[texts.FORM_HEADER_FIELDS["recomputed_score"]] == texts.NOT_EVALUABLE
    assert downloads.form_explanation_frame(form).iloc[-1][texts.EXPLAIN_COLUMNS["rule"]] == texts.NOT_EVALUABLE


def test_form_workbook_of_empty_form():
    form = Form(project_name="空表", project_type="")
    workbook = pd.read_excel(io.BytesIO(downloads.form_workbook_bytes(form)), sheet_name=None)
    assert workbook[texts.FORM_SHEET_INDICATORS].empty
    assert list(workbook[texts.FORM_SHEET_INDICATORS].columns)[3] == "三级指标"


def test_download_buttons_draws_two_buttons():
    from streamlit.testing.v1 import AppTest

    def script():
        import pandas as pd

        from dashboard.ui import download_buttons

        download_buttons.download_buttons(pd.DataFrame({"项目": ["甲"]}), "项目 列表", key="projects")

    app = AppTest.from_function(script).run()
    assert not app.exception
    buttons = app.get("download_button")
    assert len(buttons) == 2
    labels = [button.proto.label for button in buttons]
    assert labels == [texts.DOWNLOAD_CSV, texts.DOWNLOAD_XLSX]
