"""A small seeded slice of benchmarks/fuzz_import.py: damaged copies of real files through the whole import.

The full run (≥ 2,000 files, `python benchmarks/fuzz_import.py --count 2000`) takes minutes; this slice of
24 files, three per kind of file (PDF, text, .xlsx, .docx, web page, .xls, .doc, scan), runs the same code on
small originals. The .doc original is made by LibreOffice.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import fuzz_import  # noqa: E402
import pytest  # noqa: E402


@pytest.mark.libreoffice
def test_damaged_files_cost_nothing_and_hide_nothing(tmp_path):
    figures = fuzz_import.run(count=24, seed=7, time_limit=600, folder=tmp_path, workers=1, small=True)
    assert figures.files == 24 and dict(figures.by_kind) == dict.fromkeys(fuzz_import.KINDS, 3)
    assert figures.errors > 0 and figures.stored > 0  # the slice exercises both outcomes
    assert figures.tracebacks == []
    assert figures.partial_writes == []
    assert figures.changed_unflagged == []
    assert figures.lost_unflagged == []


def test_typo_like_changes_are_told_apart():
    """Only a printable character for another (same length) is a typo no reader can tell; lost or added text,
    spaces, control characters and "|" are damage the reader must flag."""
    name = ("购置费", 118800.0, (("total", 39600.0),))
    assert fuzz_import.typo_like(name, ("购置贵", 118800.0, (("total", 39600.0),)))
    assert fuzz_import.typo_like(name, ("购置费", 118900.0, (("total", 39600.0),)))
    assert fuzz_import.typo_like(name, ("购置/", 118800.0, (("total", 39700.0),)))
    assert not fuzz_import.typo_like(name, ("购置费", 11880.0, (("total", 39600.0),)))  # a digit lost
    assert not fuzz_import.typo_like(name, ("购置", 118800.0, (("total", 39600.0),)))
    assert not fuzz_import.typo_like(name, ("购|费", 118800.0, (("total", 39600.0),)))
    assert not fuzz_import.typo_like(name, ("购 费", 118800.0, (("total", 39600.0),)))
    assert not fuzz_import.typo_like(name, ("购置费", 118800.0, (("total", 39600.0), ("other", 0.0))))


def test_free_text_changes_are_told_apart_from_figures():
    """A form whose goals or row texts alone changed keeps its figures; one whose 得分, row count, categories,
    identity or a deducted row's reason changed does not."""
    row = ("产出指标", "数量指标", "购置办公设备数量", "10台", "10台", 10.0, 10.0, None)
    deducted = ("效益指标", "满意度指标", "投诉量", "0", "21", 4.0, 0.0, "改进措施：加强培训")
    form = ("project", "0402009", "购置费", "部门", None, 2021, 118800.0, "元", (), "预期", "完成", (row, deducted),
            100.0, 96.0)  # fmt: skip

    def changed(**parts):
        fields = dict(zip(("goal", "rows", "score", "name"), (9, 11, 13, 2), strict=True))
        value = list(form)
        for key, new in parts.items():
            value[fields[key]] = new
        return tuple(value)

    same = fuzz_import.figures_of(form)
    assert fuzz_import.figures_of(changed(goal="预期目标少了一行")) == same
    assert fuzz_import.figures_of(changed(rows=((*row[:2], "购置 办公设备", *row[3:]), deducted))) == same
    assert fuzz_import.figures_of(changed(rows=(row, (*deducted[:7], "改进")))) == same  # reason text, still given
    assert fuzz_import.figures_of(changed(rows=(row, (*deducted[:7], None)))) != same  # a deducted row's reason lost
    assert fuzz_import.figures_of(changed(rows=(row,))) != same
    assert fuzz_import.figures_of(changed(rows=((*row[:1], "生效益指标", *row[2:]), deducted))) != same
    assert fuzz_import.figures_of(changed(score=95.0)) != same
    assert fuzz_import.figures_of(changed(name="购置费9")) != same


def test_one_character_typo():
    assert fuzz_import.one_character_typo(("网格信息管理", 1.0), ("网格信息管理9", 1.0))
    assert fuzz_import.one_character_typo(("生态效益指标",), ("生效益指标",))
    assert not fuzz_import.one_character_typo(("打造环境", "有效保障"), ("打造环境有效", "保障"))
    assert not fuzz_import.one_character_typo(("购置费", 118800.0), ("购置费", 11880.0))


def test_rows_without_points_and_row_order_are_in_no_figure():
    counted = ("产出指标", "数量指标", "购置办公设备数量", "10台", "10台", 10.0, 10.0, None)
    other = ("产出指标", "质量指标", "验收合格率", "100%", "100%", 10.0, 10.0, None)
    unused = ("效益指标", "生态效益指标", "不适用", "不适用", "不适用", 0.0, 0.0, None)
    form = ("project", None, "购置费", None, None, 2021, 0.0, "元", (), "", "", (counted, other, unused), 100.0, 99.0)

    def with_rows(*rows):
        return (*form[:11], rows, *form[12:])

    same = fuzz_import.figures_of(form)
    assert fuzz_import.figures_of(with_rows(other, counted, unused)) == same
    assert fuzz_import.figures_of(with_rows(counted, other)) == same
    assert fuzz_import.figures_of(with_rows(counted, unused)) != same


def test_a_blank_cell_that_got_one_character_is_a_typo():
    assert fuzz_import.one_character_typo(("购置费", None), ("购置费", "枏"))
    assert not fuzz_import.one_character_typo(("购置费", None), ("购置费", "原因"))


def test_a_fund_rows_zero_read_blank_is_told_apart_and_nothing_else():
    """A 0 of a fund row read as a blank cell means the same amount; any other change of the funds does not."""
    funds = (("other", 0.0, 0.0, 0.0, None, 0.0, None), ("total", 100.0, 100.0, 90.0, 10.0, 90.0, 10.0))
    form = ("project", None, "购置费", "部门", "单位", 2021, 100.0, "元", funds, "目标", "完成", (), 100.0, 95.0)
    blank = (("other", None, None, None, None, None, None), funds[1])
    assert fuzz_import.zeros_blank(form) == fuzz_import.zeros_blank((*form[:8], blank, *form[9:]))
    changed = (funds[0], ("total", 100.0, 100.0, None, 10.0, 90.0, 10.0))  # 全年执行数 90 lost: not a zero
    assert fuzz_import.zeros_blank(form) != fuzz_import.zeros_blank((*form[:8], changed, *form[9:]))
