"""Hand-written truth about which sample forms are graded (issue 17), read from data/samples/000_*.txt and the
two sample PDFs, not from the code under test.

The sample holds 22 forms that count (the PDFs replace seed forms 3 and 10). Five are unused 预算准备金
forms whose 总分 grades no work done; they are counted on the 不评级 card, apart from 优/良/中/差:
"""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"

# (项目名称 as printed, 项目金额 as printed) → why the form is not graded (domain.NOT_GRADED_REASONS), with
# what the seed text prints for it.
SAMPLE_NOT_GRADED = {
    # Seed form 1: 全年预算数 0.00, 全年执行数 0.00 (年初 100000 taken back), every actual "0%", 总分 0.
    ("预算准备金", 200000.0): "no_budget",
    # Seed form 9: 全年预算数 30000, nothing spent, every weighted actual 不适用 with full points, 总分 90.
    ("预算准备金", 90000.0): "not_evaluable",
    # Seed form 14: the name prints "(停用）"; every actual 不适用, 全年预算数 0, 总分 100.
    ("预算准备金(停用）", 0.0): "stopped",
    # Seed form 16: 全年预算数 20000, nothing spent, every indicator 分值 0 ("项目停用"), 总分 10 分 of which 0.
    ("预算准备金", 60000.0): "no_indicator_points",
    # Seed form 20: the name prints "（停用）"; every indicator 分值 0, 总分 0 of 10.
    ("预算准备金（停用）", 0.0): "stopped",
}

# The 总分 of the 17 graded forms, in seed order, forms 3 and 10 as their PDFs print them.
SAMPLE_GRADED_SCORES = [
    97.14,  # 2 数据规划管理
    99.49,  # 3 购置费 (sample_form_a.pdf)
    99.92,  # 4 政务事项管理
    99.52,  # 5 网格信息管理
    99.88,  # 6 一般管理事务
    100,  # 7 离退休干部慰问金
    99.99,  # 8 疫情防控
    94,  # 10 一般管理事务 (sample_form_b.pdf)
    100,  # 11 电子政务管理
    100,  # 12 电子政务运行维护
    100,  # 13 购置费
    100,  # 15 疫情防控
    99.86,  # 17 一般管理事务
    98.02,  # 18 购置费
    92.49,  # 19 专项业务
    95,  # 21 一般管理事务（宣传费）
    87.93,  # 22 疫情防控
]
# Counted by hand from the scores above with the default bands (优 ≥ 90, 良 80–90, 中 60–80, 差 < 60).
SAMPLE_GRADES = {"优": 16, "良": 1, "中": 0, "差": 0}
SAMPLE_NOT_GRADED_COUNT = 5
# Σ = 1663.24 over 17 forms = 97.8376…; shown rounded to 2 decimals. (All 22 forms: 1853.24 / 22 = 84.24.)
SAMPLE_AVERAGE_TEXT = "97.84"


def not_graded(form) -> str | None:
    """The hand-written reason a sample form (a Form, or a record of tests/fixtures/seed_forms.json) is not
    graded, None where it is graded."""
    name, amount = (
        (form["project_name"], form["project_amount"])
        if isinstance(form, dict)
        else (form.project_name, form.project_amount)
    )
    return SAMPLE_NOT_GRADED.get((name, None if amount is None else float(amount)))


def graded(form) -> bool:
    return not_graded(form) is None
