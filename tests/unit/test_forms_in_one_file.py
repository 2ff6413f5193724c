"""Nothing lost inside a file (issue 17, points 4–6): every form of a file is read as a form of its own,
部门整体 forms name their department whatever the label spelling, and every page is accounted for.

The files are made by code (tests/layout_factory, tests/pdf_factory) and read by the real readers; the truth is
the hand-written truth of tests/unit/test_layouts.
"""

from __future__ import annotations

import pytest

from dashboard.ingest.grid import forms_from_grid
from dashboard.ingest.office import read_docx, read_xlsx
from dashboard.ingest.pdf import read_pdf
from tests import layout_factory
from tests.layout_factory import Table
from tests.unit.test_layouts import (
    CHONGQING_TITLE,
    DEPARTMENT_TITLE,
    chongqing_table,
    chongqing_truth,
    department_table,
    department_truth,
    differences,
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
    ("部门（单位）名称", "chromium.pdf"),
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
