"""Damaged PDFs: a page that cannot be decoded is named, costs only itself, and joins no forms.

Every case damages a copy of tests/fixtures/libreoffice/seven_forms.pdf (seven seed forms,
LibreOffice-printed on ten pages). Its layout, read off the printed file by hand:

    page 1–2   数据规划管理            总分 97.14
    page 3     网格信息管理            总分 99.52
    page 4     电子政务运行维护        总分 100
    page 5     预算准备金(停用）       总分 100
    page 6–7   一般管理事务            总分 99.86
    page 8–9   专项业务                总分 92.49
    page 10    一般管理事务（宣传费）  总分 95

Each form starts on a new page under a title printed in the bold font (F1).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from dashboard.core import texts
from dashboard.core.model import Form, FormReadError
from dashboard.ingest import pdf as pdf_reader
from dashboard.ingest.files import parse_file
from dashboard.ingest.pdf import read_pdf_file

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tests/unit is not a package: make tests.pdf_damage importable
    sys.path.insert(0, str(ROOT))

from tests import pdf_damage  # noqa: E402

SEVEN = ROOT / "tests" / "fixtures" / "libreoffice" / "seven_forms.pdf"

# (project name, pages, 总分 得分) of the undamaged file, in order.
LAYOUT = [
    ("数据规划管理", [1, 2], 97.14),
    ("网格信息管理", [3], 99.52),
    ("电子政务运行维护", [4], 100.0),
    ("预算准备金(停用）", [5], 100.0),
    ("一般管理事务", [6, 7], 99.86),
    ("专项业务", [8, 9], 92.49),
    ("一般管理事务（宣传费）", [10], 95.0),
]


def summary(forms: list[Form]) -> list[tuple[str, list[int], float | None]]:
    return [(form.project_name, form.source_pages, form.total_score) for form in forms]


def page_findings(form: Form) -> list[str]:
    return [check.message for check in form.checks if check.rule == "page_unreadable" and check.severity == "error"]


def without(*names: str) -> list[tuple[str, list[int], float | None]]:
    return [row for row in LAYOUT if row[0] not in names]


def test_undamaged_file_has_no_unreadable_page():
    read = read_pdf_file(SEVEN, "seven.pdf")
    assert read.unreadable_pages == []
    assert summary(read.forms) == LAYOUT


@pytest.mark.parametrize(
    ("page", "fraction", "lost"),
    [
        (4, 0.1, "电子政务运行维护"),  # a one-page form: nothing of it can be read
        (8, 0.1, "专项业务"),  # the first page of a two-page form: page 9 must not join 一般管理事务
        (6, 0.1, "一般管理事务"),  # likewise, page 7 must not join 预算准备金
        (1, 0.9, "数据规划管理"),  # pdfminer raises on this page: the other pages are still read
        (10, 0.9, "一般管理事务（宣传费）"),  # the last page raises
    ],
)
def test_page_lost_whole_costs_its_form_only(tmp_path, page, fraction, lost):
    damaged = pdf_damage.damage_page(SEVEN, tmp_path / "damaged.pdf", page, fraction)
    read = read_pdf_file(damaged, "damaged.pdf")
    assert read.unreadable_pages == [page]
    assert summary(read.forms) == without(lost)  # no form carries another's pages or 总分
    assert all(page_findings(form) == [] for form in read.forms)  # the neighbours end and start whole


def test_page_read_in_part_flags_its_form(tmp_path):
    """Page 2 decodes up to the damage: 数据规划管理 keeps what it has, without its 总分, and says why."""
    damaged = pdf_damage.damage_page(SEVEN, tmp_path / "damaged.pdf", 2, 0.5)
    read = read_pdf_file(damaged, "damaged.pdf")
    assert read.unreadable_pages == [2]
    assert summary(read.forms) == [("数据规划管理", [1, 2], None), *LAYOUT[1:]]
    first = read.forms[0]
    assert page_findings(first) == [texts.PAGE_UNREADABLE.format(page=2)]
    assert page_findings(first)[0].startswith("第 2 页无法读取：")
    assert first.funds.total.annual_budget == 10390000.0  # page 1 read as printed
    assert texts.UNCERTAIN_NO_TOTAL in [check.message for check in first.checks if check.rule == "parse_uncertain"]
    assert all(page_findings(form) == [] for form in read.forms[1:])


def test_second_page_lost_flags_the_form_it_cuts(tmp_path):
    """Page 7 decodes to nothing usable: 一般管理事务 ends without its 总分 and is flagged; 专项业务 is whole."""
    damaged = pdf_damage.damage_page(SEVEN, tmp_path / "damaged.pdf", 7, 0.1)
    read = read_pdf_file(damaged, "damaged.pdf")
    assert read.unreadable_pages == [7]
    assert summary(read.forms) == [*LAYOUT[:4], ("一般管理事务", [6], None), *LAYOUT[5:]]
    assert page_findings(read.forms[4]) == [
        "第 7 页无法读取：页面内容已损坏，本表在该页的内容缺失或不完整，请对照原件核对"
    ]
    assert [page_findings(form) for form in read.forms if form is not read.forms[4]] == [[]] * 6


def test_title_font_map_damaged(tmp_path):
    """The bold font's ToUnicode map is corrupt: every title comes out as (cid:…), on the pages that start a form.

    Forms must not run into each other for lack of titles: each page with a title is named, and no
    form carries another's pages or 总分.
    """
    objid = pdf_damage.to_unicode_objid(SEVEN, "F1")
    damaged = pdf_damage.flip_stream_bytes(SEVEN, tmp_path / "font.pdf", objid, 0.5)
    read = read_pdf_file(damaged, "font.pdf")
    assert read.unreadable_pages == [1, 3, 4, 5, 6, 8, 10]
    truth = {name: (pages, score) for name, pages, score in LAYOUT}
    names = [form.project_name for form in read.forms]
    assert names == [name for name, _pages, _score in LAYOUT]
    for form in read.forms:
        pages, score = truth[form.project_name]
        assert set(form.source_pages) <= set(pages), form.project_name
        assert form.total_score in (score, None), form.project_name
        assert page_findings(form), form.project_name  # every form has a page that lost its title


def test_body_font_map_damaged_fails_the_file(tmp_path):
    objid = pdf_damage.to_unicode_objid(SEVEN, "F2")
    damaged = pdf_damage.flip_stream_bytes(SEVEN, tmp_path / "font.pdf", objid, 0.5)
    with pytest.raises(FormReadError) as caught:
        read_pdf_file(damaged, "font.pdf")
    assert caught.value.reason == texts.REASON_DAMAGED
    assert caught.value.detail == "第 1、2、3、4、5、6、7、8、9、10 页无法读取"


def test_file_cut_mid_page_is_damaged(tmp_path):
    cut = pdf_damage.cut_in_page(SEVEN, tmp_path / "cut.pdf", 4)
    assert cut.stat().st_size < SEVEN.stat().st_size // 2
    with pytest.raises(FormReadError) as caught:
        read_pdf_file(cut, "cut.pdf")
    assert caught.value.reason == texts.REASON_DAMAGED


def test_parse_file_reports_unreadable_pages(tmp_path):
    damaged = pdf_damage.damage_page(SEVEN, tmp_path / "damaged.pdf", 4, 0.1)
    result = parse_file(damaged, "damaged.pdf")
    assert (result.error, result.unreadable_pages, len(result.forms)) == (None, [4], 6)
    assert texts.REASON_PAGES_UNREADABLE.format(pages="4") == "第 4 页无法读取"


@pytest.mark.parametrize(("page", "lost"), [(10, "一般管理事务（宣传费）"), (4, "电子政务运行维护")])
def test_page_dropped_from_the_tree_is_named(tmp_path, page, lost):
    """pdfminer passes over a page whose dictionary is destroyed without a word: the page is named, the
    pages after it keep their numbers, and the file's line is a problem (a fuzz run found this: 6 of 7
    forms imported without a word)."""
    damaged = pdf_damage.blank_page_object(SEVEN, tmp_path / "no_page.pdf", page)
    result = parse_file(damaged, "no_page.pdf")
    assert result.unreadable_pages == [page]
    assert result.skipped_pages == {page: "unreadable"}
    assert summary(result.forms) == without(lost)


def test_font_drawn_with_no_width_makes_its_pages_unreadable(tmp_path):
    """A zeroed width table lets characters overlap: pdfplumber then orders them wrongly ("刊 物编印") with
    no error anywhere (a fuzz run found forms counted that way). Every form is either read as printed or
    carries a page_unreadable error, and some page is named."""
    damaged = pdf_damage.zero_font_widths(SEVEN, tmp_path / "no_widths.pdf", 2)
    result = parse_file(damaged, "no_widths.pdf")
    assert result.unreadable_pages
    for form in result.forms:
        assert (form.project_name, form.source_pages, form.total_score) in LAYOUT or page_findings(form)


def test_content_stream_whose_filter_key_is_damaged_is_unreadable(tmp_path):
    """Two bytes flipped in "/Filter" of page 3's content stream: pdfminer reads the compressed bytes as the page's
    content, finds nothing to draw, and the page looked blank — its form (网格信息管理) lost without a word."""
    damaged = pdf_damage.damage_filter_key(SEVEN, tmp_path / "filter.pdf", 3)
    result = parse_file(damaged, "filter.pdf")
    assert result.unreadable_pages == [3]
    assert summary(result.forms) == without("网格信息管理")


def test_content_object_that_is_no_stream_any_more_is_unreadable(tmp_path):
    """A byte flipped in the "stream" keyword of page 8's content (fuzz seed 2030: 专项业务 lost without a word, its
    second page read on as part of the form before)."""
    damaged = pdf_damage.damage_stream_keyword(SEVEN, tmp_path / "keyword.pdf", 8)
    result = parse_file(damaged, "keyword.pdf")
    assert result.unreadable_pages == [8]
    for form in result.forms:
        assert (form.project_name, form.source_pages, form.total_score) in LAYOUT or page_findings(form)


def test_content_stream_whose_dictionary_end_is_damaged_is_unreadable(tmp_path):
    """Three bytes flipped where page 4's content dictionary ends (fuzz seed 2031: 电子政务运行维护 lost without a
    word, the page read as blank)."""
    damaged = pdf_damage.damage_dictionary_end(SEVEN, tmp_path / "dictionary.pdf", 4)
    result = parse_file(damaged, "dictionary.pdf")
    assert result.skipped_pages == {4: "unreadable"}
    assert summary(result.forms) == without("电子政务运行维护")


def test_cross_reference_table_rebuilt_is_said_on_every_form(tmp_path):
    shifted = pdf_damage.shift_offsets(SEVEN, tmp_path / "shifted.pdf")
    result = parse_file(shifted, "shifted.pdf")
    assert summary(result.forms) == LAYOUT
    assert all(texts.UNCERTAIN_XREF_REBUILT in [check.message for check in form.checks] for form in result.forms)
    assert not any(texts.UNCERTAIN_XREF_REBUILT in str(form.checks) for form in parse_file(SEVEN, "seven.pdf").forms)


def test_pdfminer_log_noise_is_silenced(tmp_path, capfd):
    """A damaged page makes pdfminer log per glyph and per stream; none of it reaches the output."""
    damaged = pdf_damage.damage_page(SEVEN, tmp_path / "damaged.pdf", 5, 0.5)
    read_pdf_file(damaged, "damaged.pdf")
    assert logging.getLogger("pdfminer").getEffectiveLevel() >= logging.ERROR
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def fail_on_page(monkeypatch, number: int, error: Exception) -> None:
    """Make reading page `number` raise `error` (chained as pdfplumber wraps pdfminer's errors)."""
    real = pdf_reader.read_page

    def read_page(page, page_number, stats):
        if page_number == number:
            raise RuntimeError("pdfminer failed") from error
        return real(page, page_number, stats)

    monkeypatch.setattr(pdf_reader, "read_page", read_page)


def test_page_that_raises_costs_only_that_page(monkeypatch):
    fail_on_page(monkeypatch, 3, ValueError("bad operator"))
    read = read_pdf_file(SEVEN, "seven.pdf")
    assert read.unreadable_pages == [3]
    assert summary(read.forms) == without("网格信息管理")


def test_running_out_of_memory_on_a_page_fails_the_file(monkeypatch):
    """The worker's memory cap is the file's problem: it is not hidden as one unreadable page."""
    fail_on_page(monkeypatch, 3, MemoryError())
    with pytest.raises(FormReadError) as caught:
        read_pdf_file(SEVEN, "seven.pdf")
    assert any(isinstance(error, MemoryError) for error in pdf_reader.error_chain(caught.value))


def test_form_that_started_on_the_lost_page_is_flagged(tmp_path):
    """Chromium prints forms one after another (collapse_flowing.pdf): 专项业务 on pages 1–2, 一般管理事务
    from the foot of page 2 (its title) to page 4, 网格信息管理 on pages 4–5. Page 2 is lost."""
    source = ROOT / "tests" / "fixtures" / "chromium" / "collapse_flowing.pdf"
    damaged = pdf_damage.damage_page(source, tmp_path / "damaged.pdf", 2, 0.3, count=1)
    read = read_pdf_file(damaged, "damaged.pdf")
    assert read.unreadable_pages == [2]
    assert summary(read.forms) == [
        ("专项业务", [1], None),
        ("一般管理事务", [3, 4], 99.86),
        ("网格信息管理", [4, 5], 99.52),
    ]
    lost = texts.PAGE_UNREADABLE.format(page=2)
    assert [page_findings(form) for form in read.forms] == [[lost], [lost], []]


def test_font_map_damaged_on_one_page_of_a_chromium_print(tmp_path):
    """Chromium (Skia) gives each page its own font subsets. Page 6 of thead_flowing.pdf (疫情防控, the last
    of seven forms) draws text in font F111, used nowhere else: a corrupt map there turns characters into
    other characters, not (cid:…), and must still name page 6 and only page 6."""
    source = ROOT / "tests" / "fixtures" / "chromium" / "thead_flowing.pdf"
    objid = pdf_damage.to_unicode_objid(source, "F111", page=6)
    damaged = pdf_damage.flip_stream_bytes(source, tmp_path / "font.pdf", objid, 0.2)
    read = read_pdf_file(damaged, "font.pdf")
    assert read.unreadable_pages == [6]
    names = [
        "预算准备金",
        "一般管理事务",
        "电子政务管理",
        "电子政务运行维护",
        "购置费",
        "预算准备金(停用）",
        "疫情防控",
    ]
    assert [form.project_name for form in read.forms] == names
    assert [bool(page_findings(form)) for form in read.forms] == [False] * 6 + [True]
