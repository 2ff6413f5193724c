"""Nothing lost inside a file (issue 17, points 4–6): every form of a file is read as a form of its own,
部门整体 forms name their department whatever the label spelling, and every page is accounted for.

The files are made by code (tests/layout_factory, tests/pdf_factory) and read by the real readers; the truth is
the hand-written truth of tests/unit/test_layouts.
"""

from __future__ import annotations

import pytest

from dashboard.importing import importer
from dashboard.ingest import pages
from dashboard.ingest.grid import forms_from_grid
from dashboard.ingest.office import read_docx, read_xlsx
from dashboard.ingest.pdf import read_pdf, read_pdf_file
from dashboard.store import connect
from dashboard.ui.pages import import_page
from tests import layout_factory, pdf_factory
from tests.cli_runner import run_cli
from tests.layout_factory import Table
from tests.unit.test_layouts import (  # noqa: F401 (chromium_report, seed_nine: fixtures)
    CHONGQING_TITLE,
    DEPARTMENT_TITLE,
    chongqing_table,
    chongqing_truth,
    chromium_report,
    department_table,
    department_truth,
    differences,
    seed_nine,
)

OTHER_DEPARTMENT = "重庆市某某区卫生健康委员会"


def with_text(table: Table, old: str, new: str) -> Table:
    """The table with the cell that prints `old` printing `new` instead."""
    (cell,) = [cell for cell in table.cells if cell.text == old]
    cell.text = new
    return table


def two_chongqing_forms() -> list:
    second = with_text(chongqing_table(), "重庆市某某区教育委员会", OTHER_DEPARTMENT)
    return [*CHONGQING_TITLE, chongqing_table(), *CHONGQING_TITLE, second]


def two_chongqing_truths() -> list[dict]:
    return [chongqing_truth(), {**chongqing_truth(), "department": OTHER_DEPARTMENT}]


def grid_of(parts: list) -> list[list[str | None]]:
    return [row for part in parts for row in ([[part]] if isinstance(part, str) else part.grid())]


TWO_FORM_PRODUCERS = {  # name → write the parts to a file and read it
    "grid": lambda parts, tmp: forms_from_grid(grid_of(parts)),
    "reportlab.pdf": lambda parts, tmp: read_pdf(layout_factory.write_reportlab(parts, tmp / "f.pdf"), "f.pdf"),
    "xlsx": lambda parts, tmp: read_xlsx(layout_factory.write_xlsx([parts], tmp / "f.xlsx"), "f.xlsx"),
    "docx": lambda parts, tmp: read_docx(layout_factory.write_docx(parts, tmp / "f.docx"), "f.docx"),
}


@pytest.mark.parametrize("producer", list(TWO_FORM_PRODUCERS))
def test_two_chongqing_department_forms_are_two_forms(producer, tmp_path):
    """Two departments' 部门整体 forms (no 部门名称 row, no 总分 row) in one file: split at the second title."""
    forms = TWO_FORM_PRODUCERS[producer](two_chongqing_forms(), tmp_path)
    assert [form.department for form in forms] == ["重庆市某某区教育委员会", OTHER_DEPARTMENT]
    for form, truth in zip(forms, two_chongqing_truths(), strict=True):
        assert differences(form, truth) == []


def test_two_national_department_forms_are_two_forms(tmp_path):
    second = with_text(department_table(), "某某县农业农村局", "某某县水利局")
    parts = [*DEPARTMENT_TITLE, department_table(), *DEPARTMENT_TITLE, second]
    forms = read_pdf(layout_factory.write_reportlab(parts, tmp_path / "f.pdf"), "f.pdf")
    assert differences(forms[0], department_truth()) == []
    assert differences(forms[1], {**department_truth(), "department": "某某县水利局"}) == []
    assert len(forms) == 2


# ---------------------------------------------------------------- 部门整体 name labels (issue 17, point 5)

DEPARTMENT_NAME_SPELLINGS = ("部门（单位）名称", "部门(单位)名称", "部 门 名 称", "单位名称", "部门名称：")
ONE_FORM_PRODUCERS = {
    **TWO_FORM_PRODUCERS,
    "chromium.pdf": lambda parts, tmp: read_pdf(layout_factory.print_chromium(parts, tmp / "f.pdf"), "f.pdf"),
}


SPELLING_CASES = [  # every spelling through the cheap readers; the Chromium print with the one of the issue
    *((spelling, producer) for spelling in DEPARTMENT_NAME_SPELLINGS for producer in TWO_FORM_PRODUCERS),
    pytest.param("部门（单位）名称", "chromium.pdf", marks=pytest.mark.chromium),
]


@pytest.mark.parametrize(("spelling", "producer"), SPELLING_CASES)
def test_department_name_spellings(spelling, producer, tmp_path):
    """The national 部门整体 form under each spelling of its name label names its department, from every reader."""
    table = with_text(department_table(), "部门名称", spelling)
    forms = ONE_FORM_PRODUCERS[producer]([*DEPARTMENT_TITLE, table], tmp_path)
    assert len(forms) == 1
    assert differences(forms[0], department_truth()) == []


def test_department_name_without_title_is_still_a_department_form():
    """No title printed: 部门（单位）名称 without 项目名称 makes the form a 部门整体 form."""
    table = with_text(department_table(), "部门名称", "部门（单位）名称")
    (form,) = forms_from_grid(table.grid())
    assert (form.form_kind, form.department, form.project_name) == ("department", "某某县农业农村局", "")


def test_unit_name_row_of_another_table_starts_no_form():
    """单位名称 is printed on a report's other tables too: a table that prints it is no form."""
    other = Table((120, 200)).row("单位名称", "某某县农业农村局").row("单位代码", "123456")
    assert forms_from_grid(other.grid()) == []


# ---------------------------------------------------------------- every page accounted for (issue 17, point 4)


def import_one(path, tmp_path) -> importer.FileOutcome:
    con = connect.open_db(tmp_path / "forms.duckdb")
    try:
        (outcome,) = importer.import_files(con, [(path, path.name)])
        logged = con.execute("SELECT outcome, message FROM import_batches").fetchall()
    finally:
        con.close()
    assert logged == [(outcome.outcome, outcome.message)]  # the import history keeps the file's line
    return outcome


def test_scanned_second_form_is_named_and_the_file_is_not_ok(tmp_path):
    """A PDF whose first form has a text layer and whose second page is a scan: 1 form read, page 2 named."""
    path = pdf_factory.write_form_then_scan_pdf(tmp_path / "mixed.pdf", pdf_factory.FormSpec())
    read = read_pdf_file(path, path.name)
    assert [form.source_pages for form in read.forms] == [[1]]
    assert read.skipped_pages == {2: pages.PageKind.SCANNED}
    outcome = import_one(path, tmp_path)
    assert outcome.outcome == importer.Outcome.PARTIAL and not outcome.ok
    assert "第 2 页是扫描件，未读取" in outcome.message


def test_scanned_page_makes_the_cli_exit_non_zero(tmp_path):
    path = pdf_factory.write_form_then_scan_pdf(tmp_path / "mixed.pdf", pdf_factory.FormSpec())
    result = run_cli("import", str(path), db=tmp_path / "f.duckdb")
    assert result.returncode == 1, result.stdout
    (line,) = [line for line in result.stdout.splitlines() if "mixed.pdf：" in line]
    assert "第 2 页是扫描件，未读取" in line


def test_page_with_a_title_but_no_table_is_a_problem(tmp_path):
    """A form printed without ruling lines (text only) after a ruled one: its page is named, not skipped."""
    path = tmp_path / "two.pdf"
    writer = pdf_factory.PdfWriter(path)
    spec = pdf_factory.FormSpec()
    writer.text_line(spec.title)
    writer.sheet(pdf_factory.sheet_for(spec))
    writer.new_page()
    for line in ("项目支出绩效自评表", "项目名称  办公楼维修", "主管部门  某某局    实施单位  某某中心"):
        writer.text_line(line)
    writer.close()
    read = read_pdf_file(path, path.name)
    assert (len(read.forms), read.skipped_pages) == (1, {2: pages.PageKind.FORM_UNREAD})
    outcome = import_one(path, tmp_path)
    assert outcome.outcome == importer.Outcome.PARTIAL
    assert "第 2 页像是自评表" in outcome.message


@pytest.mark.chromium
def test_report_pages_are_each_named(chromium_report, tmp_path):  # noqa: F811 (the fixture)
    """The 决算 report: cover, contents, narrative and a financial table, each named; no problem."""
    read = read_pdf_file(chromium_report, "report.pdf")
    assert read.skipped_pages == {
        1: pages.PageKind.NARRATIVE,
        2: pages.PageKind.CONTENTS,
        3: pages.PageKind.NARRATIVE,
        4: pages.PageKind.OTHER_TABLE,
    }
    outcome = import_one(chromium_report, tmp_path)
    assert outcome.outcome == importer.Outcome.IMPORTED
    skipped = "另有 4 页不是自评表，已跳过：第 1、3 页是说明文字，第 2 页是目录，第 4 页是其他报表"
    assert skipped in outcome.message
    frame = import_page.outcomes_frame([outcome])  # the 导入 page's result table says it too
    assert skipped in frame["说明"].iloc[0]


def test_page_list_gives_ranges():
    assert pages.page_list([7, 1, 2, 3, 4, 9, 10]) == "1–4、7、9–10"


# ---------------------------------------------------------------- rows healed across page breaks (issue 17, point 6)

CUT_OFFSETS = (7, 22, 33)  # lines of 说明 before the form: LibreOffice then cuts a row (and a 二级指标 label) mid-text


@pytest.fixture(scope="module")
def word_report_with_cut_rows(tmp_path_factory, seed_nine):  # noqa: F811 (the fixture)
    """One form (数据规划管理, 29 indicators) printed by LibreOffice from Word three times, each on a new page after
    a different number of lines, so that page breaks fall inside different indicator rows; "填报人：李四" right
    under each table."""
    from dashboard.outputs import form_sheet

    book = form_sheet.build_workbook([seed_nine[1]], title_year=False)
    widths = tuple(width * 6.0 for width in form_sheet.COLUMN_WIDTHS)
    table = layout_factory.from_worksheet(book.worksheets[0], widths, skip_rows=1)
    parts, breaks = [], set()
    for lines in CUT_OFFSETS:
        breaks.add(len(parts))
        parts += ["说明"] * lines + ["项目支出绩效自评表", "（2022年度）", table, "填报人：李四"]
    folder = tmp_path_factory.mktemp("cut")
    return layout_factory.print_libreoffice(layout_factory.write_docx(parts, folder / "report.docx", breaks))


def page_tops(path) -> list[str]:
    """The first line of every page's text."""
    import pdfplumber

    from dashboard.ingest.cells import fix_lookalikes

    with pdfplumber.open(path) as pdf:
        return [(fix_lookalikes(page.extract_text() or "").splitlines() or [""])[0] for page in pdf.pages]


@pytest.mark.libreoffice
def test_rows_cut_by_page_breaks_keep_every_cell(word_report_with_cut_rows, seed_nine):  # noqa: F811
    """Every copy reads as the hand-written truth: a name cut mid-word ("智慧化建设专项规" | "划编制工作完成率",
    "群众满意" | "度" with its 二级指标 "满意度指" | "标") is one indicator with its whole name, and the 填报人 line
    printed against the table's bottom rule is no part of the 总分 row."""
    from tests.seed_truth import record_differences

    tops = page_tops(word_report_with_cut_rows)
    assert any("划编制" in top for top in tops) and any(top.startswith("标 度") for top in tops)  # really cut there
    read = read_pdf_file(word_report_with_cut_rows, "report.pdf")
    assert len(read.forms) == len(CUT_OFFSETS)
    for form in read.forms:
        want = {**seed_nine[1], "year": 2022}
        assert record_differences(form.to_record(), want) == []


def test_indicator_header_cut_by_a_page_break():
    """The indicator header row cut by a page break as LibreOffice prints it ("年度指标" | "实际完成" at the foot of
    one page, "值" | "值" at the top of the next): 指标值 and 实际完成值 are still read."""
    rows = [
        ["项目支出绩效自评表"],
        ["项目名称", "数据规划管理", "项目金额", "35181000"],
        [
            "年度绩效\n指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标",
            "实际完成",
            "分值",
            "得分",
            "偏差原因分析及改进",
        ],
        ["指标", "", "", "", "值", "值", "", "", "及改进措施"],
        [None, "产出指标\n（50\n分）", "数量指标", "智慧化建设专项规划编制工作完成率", "100%", "100%", "3", "3", ""],
        ["总分", None, None, None, None, None, "100", "97.14", "—"],
    ]
    (form,) = forms_from_grid(rows, [1, 1, 1, 2, 2, 2])
    (indicator,) = form.indicators
    assert (indicator.target, indicator.actual, indicator.weight, indicator.score) == ("100%", "100%", 3.0, 3.0)
    assert (form.total_weight, form.total_score) == (100.0, 97.14)
