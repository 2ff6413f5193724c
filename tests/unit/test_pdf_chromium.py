"""The PDF reader on forms printed by Chromium (Skia), a third producer besides reportlab and LibreOffice.

tests/fixtures/chromium/*.pdf are the 22 seed forms (tests/fixtures/seed_forms.json) laid out as
HTML tables and printed with headless Chromium by scripts/print_forms_chromium.py:

    collapse_page_per_form.pdf  forms 1-8, border-collapse rules, one form per page (form 2 runs on)
    thead_flowing.pdf           forms 9-15, the title row in a <thead> repeated on every page, forms
                                following each other across pages
    separate_flowing.pdf        forms 16-22, <table border=1 cellspacing=2> (every cell its own box,
                                two rules per edge), title above the table, serif font, 1,234.00 amounts
    collapse_flowing.pdf        forms 19, 17, 5 following each other without a thead (three pages for 17)

What Chromium does that the other producers do not: borders are filled rectangles; glyphs shared
with Kangxi radicals come out as the radical (⽤ for 用, ⼾ for 户); a merged cell cut by a page
break carries its text on from one fragment to the next ("产出指标（50" | "分）"), and the last
line of a cut row hangs over the bottom rule; the <thead> title repeats inside a form.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from dashboard.ingest.cells import fix_lookalikes
from dashboard.ingest.grid import forms_from_grid
from dashboard.ingest.pdf import load_blocks, read_pdf
from tests.seed_truth import SEED_TRUTH, record_differences, seed_records

PRINTED = SEED_TRUTH.parent / "chromium"
PRINTS = {  # file → 1-based positions in seed_forms.json, in print order
    "collapse_page_per_form.pdf": (1, 2, 3, 4, 5, 6, 7, 8),
    "thead_flowing.pdf": (9, 10, 11, 12, 13, 14, 15),
    "separate_flowing.pdf": (16, 17, 18, 19, 20, 21, 22),
    "collapse_flowing.pdf": (19, 17, 5),
}
# Spaces of the seed text that Chromium broke a line at: a space at a wrap is not printed, so no
# reader can give it back ("评估工作 ，绩效" prints as "评估工作" | "，绩效").
# (file, position, field) → number of such spaces.
SPACES_LOST_AT_WRAPS = {("thead_flowing.pdf", 11, "goal_actual"): 1}


def printed_cases() -> list[tuple[str, int, int]]:
    return [(name, index, position) for name, positions in PRINTS.items() for index, position in enumerate(positions)]


@pytest.fixture(scope="module")
def read_files() -> dict[str, list]:
    return {name: read_pdf(PRINTED / name, name) for name in PRINTS}


def spaces_dropped(got: str, want: str) -> int | None:
    """How many spaces `want` loses to become `got`; None where they differ otherwise."""
    if not isinstance(got, str) or not isinstance(want, str) or got.replace(" ", "") != want.replace(" ", ""):
        return None
    return want.count(" ") - got.count(" ")


@pytest.mark.parametrize(("name", "index", "position"), printed_cases())
def test_chromium_printed_seed_form(read_files, name, index, position):
    """Every header, fund value, goal text, indicator row (all fields) and total as the seed says."""
    want = seed_records()[position - 1]
    forms = read_files[name]
    assert len(forms) == len(PRINTS[name])
    got = forms[index].to_record()
    lost = {
        field: count for (file, pos, field), count in SPACES_LOST_AT_WRAPS.items() if (file, pos) == (name, position)
    }
    differences = [line for line in record_differences(got, want) if line.split(":")[0] not in lost]
    assert differences == []
    for field, count in lost.items():
        assert spaces_dropped(got[field], want[field]) == count, field
    assert forms[index].checks == []


def test_space_lost_at_a_wrap_is_not_in_the_pdf():
    """The one difference allowed above: the printed cell itself has no space at that wrap."""
    blocks, _ = load_blocks(PRINTED / "thead_flowing.pdf")
    cells = [text for block in blocks for row in block.texts for text in row if text and "考核评估工作" in text]
    assert any("考核评估工作\n，绩效管理" in text for text in cells)
    assert "考核评估工作 ，绩效管理" in seed_records()[10]["goal_actual"]


def test_chromium_forms_crossing_pages(read_files):
    records = seed_records()
    for name, positions in PRINTS.items():
        assert [form.project_name for form in read_files[name]] == [records[n - 1]["project_name"] for n in positions]
        pages = [page for form in read_files[name] for page in form.source_pages]
        assert pages[0] == 1 and pages == sorted(pages), name
    by_name = {form.project_name: form.source_pages for form in read_files["collapse_flowing.pdf"]}
    assert len(by_name["一般管理事务"]) == 3
    assert len(read_files["collapse_page_per_form.pdf"][1].source_pages) == 2  # 数据规划管理 runs on
    crossing = [form.project_name for form in read_files["thead_flowing.pdf"] if len(form.source_pages) > 1]
    assert len(crossing) >= 2  # the repeated <thead> title does not start a new form


# ---------------------------------------------------------------- the same, as grids


HEADING = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]


def indicator_grid(fragments: list[tuple[str | None, str | None, str]]) -> tuple[list[list], list[int]]:
    """A form whose rows are (一级 cell, 二级 cell, name); a name "|" marks the page break."""
    rows: list[list] = [["项目名称", "测试项目"], HEADING]
    pages = [1, 1]
    page = 1
    for level1, level2, name in fragments:
        if name == "|":
            page += 1
            continue
        rows.append([level1, level2, name, "1", "1", "5", "5"])
        pages.append(page)
    rows.append(["总分", None, None, None, None, "25", "25"])
    pages.append(page)
    return rows, pages


def levels(rows: list[list], pages: list[int]) -> list[tuple[str, str]]:
    (form,) = forms_from_grid(rows, pages, "grid")
    return [(i.level1, i.level2) for i in form.indicators]


def test_level_text_flowing_on_into_the_next_fragment():
    rows, pages = indicator_grid(
        [
            ("产出指标（50", "社会效益", "甲"),
            (None, None, "乙"),
            (None, None, "|"),
            ("分）", "指标", "丙"),
            ("效益指\n标", "满意度指标", "丁"),
            (None, None, "|"),
            ("（40分）", "", "戊"),  # only the suffix came over; a blank 二级 fragment continues too
        ]
    )
    assert levels(rows, pages) == [
        ("产出指标", "社会效益指标"),
        ("产出指标", "社会效益指标"),
        ("产出指标", "社会效益指标"),
        ("效益指标", "满意度指标"),
        ("效益指标", "满意度指标"),
    ]


def test_complete_label_on_a_new_page_starts_a_new_span():
    rows, pages = indicator_grid(
        [
            ("产出指标（50分）", "数量指标", "甲"),
            (None, None, "|"),
            ("效益指标（40分）", "社会效益指标", "乙"),
            (None, "满意度指标", "丙"),
        ]
    )
    assert levels(rows, pages) == [
        ("产出指标", "数量指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "满意度指标"),
    ]


def test_title_repeated_between_project_name_and_the_rest():
    """A <thead> title printed again at the top of the page after the 项目名称 row: one form."""
    rows = [
        ["项目支出绩效自评表"],
        ["项目名称", "测试项目", "项目金额", "100"],
        ["项目支出绩效自评表"],  # page 2
        ["主管部门", "0402009", "实施单位", ""],
        ["项目资金（元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [None, "年度资金总额", "10", "10", "10", "10", "100%", "10"],
        HEADING,
        ["产出指标", "数量指标", "甲", "1", "1", "5", "5"],
        ["总分", None, None, None, None, "15", "15"],
        ["项目支出绩效自评表"],
        ["项目名称", "下一张", "项目金额", "0"],
    ]
    forms = forms_from_grid(rows, [1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2], "grid")
    assert [(f.project_name, f.department, f.funds.total.executed) for f in forms] == [
        ("测试项目", "0402009", 10.0),
        ("下一张", None, None),
    ]
    assert forms[0].source_pages == [1, 2]


def test_lookalikes_that_fonts_draw_with_one_glyph():
    assert fix_lookalikes("⽤⼾满意度、⻰岗区⻘少年⻝品、⻉⻚⻜⻥⻩") == "用户满意度、龙岗区青少年食品、贝页飞鱼黄"
    assert fix_lookalikes("∕ 1〜3 〈注〉") == "／ 1～3 〈注〉"


def test_fixtures_are_chromium_prints():
    for name in PRINTS:
        with pdfplumber.open(PRINTED / name) as pdf:
            assert "Skia" in pdf.metadata.get("Producer", ""), name
            assert Path(name).suffix == ".pdf" and len(pdf.pages) >= len(PRINTS[name]) // 2
