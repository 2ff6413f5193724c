"""Synthetic 自评表 for trying the dashboard at a city's scale: `python -m dashboard demo --db PATH --forms N`.

The forms go through the real schema and the real per-form audit (review.check_form), then the unit
findings (rule 10) over the whole file; they are written in bulk (Arrow tables, one insert per chunk),
not form by form. Everything is marked as synthetic: source files are named "demo-…", the batches say
so, and the meta table holds the key `synthetic`. Worker processes generate and audit chunks of forms
while the main process writes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from dashboard.audit import review
from dashboard.core import dialect, domain
from dashboard.core.model import Form, FundRow, Funds, Indicator
from dashboard.core.transactions import transaction
from dashboard.reference import reference, shown
from dashboard.store import connect, schema, writes

CHUNK_FORMS = 5000
DEPARTMENT_COUNT = 50
UNITS_PER_DEPARTMENT = 40  # about 2,000 实施单位 in all
YEARS = tuple(range(2019, 2026))
SYNTHETIC_META_KEY = "synthetic"
SOURCE_PREFIX = "demo-"
INDICATOR_FIELDS = schema.INDICATOR_COLUMNS

# The sample's project types, with how often each occurs.
PROJECT_TYPES = {
    "一般管理事务": 30, "购置费": 15, "专项业务": 15, "预算准备金": 5, "疫情防控": 5, "电子政务运行维护": 8,
    "电子政务管理": 5, "数据规划管理": 4, "政务事项管理": 5, "网格信息管理": 4, "离退休干部慰问金": 4,
}  # fmt: skip
DEPARTMENT_STEMS = (
    "教育", "卫生健康", "民政", "财政", "人力资源和社会保障", "住房和建设", "交通运输", "水务", "城市管理和综合执法",
    "生态环境", "文化广电旅游体育", "科技创新", "工业和信息化", "商务", "应急管理", "市场监督管理", "司法",
    "公安", "统计", "审计", "政务服务数据管理", "规划和自然资源", "退役军人事务", "医疗保障", "信访",
)  # fmt: skip
UNIT_KINDS = ("服务中心", "事务中心", "管理所", "保障中心", "监测站", "发展中心", "执法大队", "信息中心")
# Stock reasons, copied word for word onto a small share of deductions (COPIED_SHARE): what copied_text is for.
REASONS = (
    "受疫情影响，部分工作延后，将在下一年度加快推进。",
    "项目尚未验收，将按合同进度完成。",
    "采购流程较长，资金支付滞后，已督促供应商加快履约。",
    "年中调整预算，目标值未同步调整，今后加强预算与目标衔接。",
)
COPIED_SHARE = 0.03
# The other reasons are each unit's own words: the indicator, what was reached, a cause and a measure, a detail.
CAUSES = (
    "受疫情影响部分工作延后", "项目尚未完成验收", "采购流程较长导致资金支付滞后", "年中调整预算但目标值未同步调整",
    "上级资金到位较晚", "合同变更后工期顺延", "服务对象需求减少", "部分设备到货延迟",
)  # fmt: skip
MEASURES = (
    "将在下一年度加快推进", "已督促供应商加快履约", "今后加强预算与目标衔接", "已调整实施计划",
    "将加强过程监控", "已约谈承建单位",
)  # fmt: skip
AIMS = ("保障{type}工作正常开展", "提升{type}服务质量", "按期完成{type}年度任务", "规范{type}资金使用")
NO_REASONS = (None, "", "无", "/")

# (一级, 二级, 三级, target template, kind): kind says how the actual is written.
INDICATORS = (
    ("产出指标", "数量指标", "{type}工作完成率", "100%", "percent"),
    ("产出指标", "数量指标", "组织培训场次", "≥{n}场", "count:场"),
    ("产出指标", "数量指标", "服务对象覆盖人数", "≥{n}人", "count:人"),
    ("产出指标", "数量指标", "设备购置数量", "{n}台", "count:台"),
    ("产出指标", "质量指标", "验收合格率", "100%", "percent"),
    ("产出指标", "质量指标", "{type}规范率", "≥95%", "percent"),
    ("产出指标", "时效指标", "{type}完成及时率", "100%", "percent"),
    ("产出指标", "时效指标", "资金支付及时性", "及时", "word"),
    ("产出指标", "成本指标", "{type}成本控制", "≤{m}万元", "money"),
    ("产出指标", "成本指标", "支出进度达标率", "≥90%", "percent"),
    ("效益指标", "经济效益指标", "不适用", "不适用", "na"),
    ("效益指标", "社会效益指标", "{type}工作有效率", "≥90%", "percent"),
    ("效益指标", "社会效益指标", "安全事故发生数", "0起", "zero:起"),
    ("效益指标", "生态效益指标", "不适用", "不适用", "na"),
    ("效益指标", "可持续影响指标", "长效机制建立情况", "建立", "word"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "percent"),
    ("满意度指标", "服务对象满意度指标", "工作人员满意度", "≥85%", "percent"),
)


def organisations(rng: random.Random) -> list[tuple[str, list[str]]]:
    """About 50 主管部门, each with about 40 实施单位."""
    found = []
    for number in range(DEPARTMENT_COUNT):
        stem = DEPARTMENT_STEMS[number % len(DEPARTMENT_STEMS)]
        department = f"示例区{stem}局" if number < len(DEPARTMENT_STEMS) else f"示例{number}区{stem}局"
        count = rng.randint(UNITS_PER_DEPARTMENT - 10, UNITS_PER_DEPARTMENT + 10)
        kinds = len(UNIT_KINDS)
        units = [
            f"{department}{stem}{UNIT_KINDS[k % kinds]}{k // kinds + 1 if k >= kinds else ''}" for k in range(count)
        ]
        found.append((department, units))
    return found


def _weights(count: int, total: int, rng: random.Random) -> list[float]:
    """`count` integer 分值 summing to `total` (at least 1 each)."""
    if count == 0:
        return []
    cuts = sorted(rng.sample(range(1, total), count - 1)) if count > 1 else []
    edges = [0, *cuts, total]
    return [float(edges[k + 1] - edges[k]) for k in range(count)]


def _indicator(
    template: tuple, project_type: str, weight: float, deduct: bool, explain: bool, rng, words: random.Random
) -> Indicator:
    level1, level2, name, target, kind = template
    n = rng.choice((2, 4, 6, 10, 12, 20, 50, 100, 120, 300))
    m = rng.choice((5, 10, 20, 46.5, 80, 120, 300))
    name, target = name.format(type=project_type), target.format(n=n, m=m)
    if kind == "na":
        return Indicator(level1, level2, name, target, "不适用", 0.0, 0.0)
    share = rng.choice((0.5, 0.6, 0.8, 0.9)) if deduct else 1.0
    if kind == "percent":
        base = float(target.lstrip("≥≤").rstrip("%"))
        actual = f"{round(base * share, 2):g}%" if deduct else rng.choice((f"{base:g}%", "100%"))
    elif kind.startswith("count:"):
        actual = f"{int(n * share)}{kind.split(':')[1]}"
    elif kind.startswith("zero:"):
        actual = f"{1 if deduct else 0}{kind.split(':')[1]}"
    elif kind == "money":
        actual = f"{round(m * (2 - share) if deduct else m * rng.uniform(0.8, 1.0), 2):g}万元"
    else:
        actual = "部分完成" if deduct else target
    score = round(weight * share, 2) if deduct else weight
    reason = (_reason(name, actual, words) if explain else rng.choice(NO_REASONS)) if deduct else None
    return Indicator(level1, level2, name, target, actual, weight, score, reason)


def _reason(name: str, actual: str, rng: random.Random) -> str:
    if rng.random() < COPIED_SHARE:
        return rng.choice(REASONS)
    detail = f"涉及{rng.randint(2, 300)}项，截至{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    return f"{name}实际完成{actual}，{rng.choice(CAUSES)}（{detail}），{rng.choice(MEASURES)}。"


def _goals(year: int, owner: str, project_type: str, rng: random.Random) -> tuple[str, str]:
    """(年度总体目标, 实际完成情况) in the unit's own words."""
    aim = rng.choice(AIMS).format(type=project_type)
    people = rng.randint(50, 50_000)
    return (
        f"{year}年度{owner}{aim}，计划服务{people}人次。",
        f"{owner}{year}年度{aim.replace('保障', '保障了', 1)}，实际服务{int(people * rng.uniform(0.7, 1.1))}人次。",
    )


def make_form(rng: random.Random, number: int, seed: int, orgs: list, perfect: set, source_file: str) -> Form:
    """One synthetic form: about 15 indicators, money in 元, some deducted (with or without reason),
    some 停用, some whose 总分 does not add up, a few without 实施单位."""
    words = random.Random(f"{seed}-{number}")  # the texts: their own draws, so a seed's figures stay as they were
    department, units = orgs[rng.randrange(len(orgs))]
    unit = None if rng.random() < 0.05 else units[rng.randrange(len(units))]
    project_type = rng.choices(list(PROJECT_TYPES), weights=list(PROJECT_TYPES.values()))[0]
    stopped = rng.random() < 0.02
    budget = 0.0 if stopped else round(10 ** rng.uniform(4, 8), 2)
    rate = rng.choice((1.0, 1.0, rng.uniform(0.9, 1.0), rng.uniform(0.9, 1.0), rng.uniform(0.3, 0.9)))
    executed = round(budget * rate, 2)
    fund_rate = domain.execution_rate(budget, executed)
    fund_score = round(10 * min(fund_rate or 0.0, 1.0), 2)
    full_marks = (unit or department) in perfect
    templates = rng.sample(INDICATORS, rng.randint(12, len(INDICATORS)))
    output = [t for t in templates if t[0] == "产出指标"]
    effect = [t for t in templates if t[0] == "效益指标" and t[4] != "na"]
    satisfaction = [t for t in templates if t[0] == "满意度指标"]
    weights = dict(zip(output, _weights(len(output), 50, rng), strict=True))
    weights |= dict(zip(effect, _weights(len(effect), 30 if satisfaction else 40, rng), strict=True))
    weights |= dict(zip(satisfaction, _weights(len(satisfaction), 10, rng), strict=True))
    indicators = []
    for template in sorted(templates, key=INDICATORS.index):
        deduct = not full_marks and not stopped and template[4] != "na" and rng.random() < 0.12
        weight = weights.get(template, 0.0)
        indicators.append(_indicator(template, project_type, weight, deduct, rng.random() < 0.6, rng, words))
    total_score = round(fund_score + sum(row.score or 0.0 for row in indicators), 2)
    if rng.random() < 0.03:  # a form whose 总分 does not add up
        total_score = round(min(100.0, total_score + rng.choice((1, 2, 5))), 2)
    year = rng.choice(YEARS)
    goals = _goals(year, unit or department, project_type, words)
    total = FundRow(budget, budget, executed, round((fund_rate or 0.0) * 100, 2), 10.0, fund_score)
    form = Form(
        project_name=f"{project_type}{'（停用）' if stopped else ''}",
        project_type=project_type,
        status=domain.STOPPED if stopped else None,
        department=department,
        unit=unit,
        year=year,
        project_amount=round(budget * rng.choice((1, 1, 1.5, 3)), 2),
        funds=Funds("元", total, FundRow(budget, budget, executed, total.rate_pct), FundRow(0.0, 0.0, 0.0, 0.0)),
        goal_expected=goals[0],
        goal_actual=goals[1],
        indicators=indicators,
        total_weight=100.0,
        total_score=None if rng.random() < 0.002 else total_score,  # a few incomplete forms
        source_file=source_file,
        id=f"demo{seed}-{number:07d}",
    )
    form.funds.other = FundRow(0.0, 0.0, 0.0, 0.0)
    return form


def source_name(seed: int, chunk: int) -> str:
    return f"{SOURCE_PREFIX}{seed}-{chunk:04d}.txt"


def generate_chunk(seed: int, chunk: int, start: int, count: int) -> dict[str, pa.Table]:
    """Forms number start … start + count − 1, generated and audited, as Arrow tables named like the store's."""
    orgs = organisations(random.Random(seed))
    perfect = {units[k] for _, units in orgs for k in range(0, len(units), 31)}
    rng = random.Random(seed * 1_000_003 + chunk)
    placements = []
    for offset in range(count):
        form = make_form(rng, start + offset, seed, orgs, perfect, source_name(seed, chunk))
        review.check_form(form)
        placements.append(writes.Placement(form))
    rows = writes.form_rows(placements, 0)  # the import's own rows; the batch id is set when written
    return {table: writes.rows_table(writes.FORM_TABLE_COLUMNS[table], rows[table]) for table in rows}


def _chunks(total: int, size: int) -> Iterator[tuple[int, int, int]]:
    for chunk, start in enumerate(range(0, total, size)):
        yield chunk, start, min(size, total - start)


def build(path: Path | str, forms: int, seed: int = 1, workers: int | None = None, chunk: int = CHUNK_FORMS) -> int:
    """Add `forms` synthetic forms to the database at `path` (created if missing), one import batch per
    `chunk` forms; returns the count written."""
    con = connect.open_db(path)
    try:
        plan = list(_chunks(forms, chunk))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(generate_chunk, seed, *step) for step in plan]
            for future, (number, _, count) in zip(futures, plan, strict=True):
                _write_chunk(con, future.result(), source_name(seed, number), count)
        writes.refresh_indicator_sums(con)  # once for every form: one pass over the indicators, not one per chunk
        writes.refresh_finding_counts(con)  # likewise over the findings
        review.refresh_unit_findings(con)
        # Organisations, project types and reason classes resolved as an import resolves them: otherwise the
        # file would read 未分类 everywhere until a writer next opened it (and a copy of it would differ).
        reference.refresh(con)
        shown.sync(con)  # what every view shows of the forms the refresh did not change (as an import writes it)
        made = f"python -m dashboard demo --forms {forms} --seed {seed} ({datetime.now():%Y-%m-%d})"
        dialect.put_meta(con, SYNTHETIC_META_KEY, made)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return forms


def _write_chunk(con, tables: dict[str, pa.Table], file_name: str, count: int) -> None:
    with transaction(con):
        batch_id = dialect.next_id(con, "batch_id_seq")
        con.execute(
            "INSERT INTO import_batches (batch_id, file_name, imported_at, outcome, form_count, message, new_count) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                file_name,
                datetime.now(),
                domain.Outcome.IMPORTED,
                count,
                "示例数据（合成，非真实报送）",
                count,
            ],
        )
        forms = tables["forms"]
        tables["forms"] = forms.set_column(
            forms.schema.get_field_index("batch_id"), "batch_id", pa.array([batch_id] * forms.num_rows, pa.int64())
        )
        for table, data in tables.items():
            if data.num_rows:
                con.register("demo_chunk", data)
                writes.insert_registered(con, table, data.column_names, "demo_chunk")
                con.unregister("demo_chunk")
