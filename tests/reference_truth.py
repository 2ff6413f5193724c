"""Hand-written truth about the reference data: the type each sample project belongs to, and forms with
real-world project names and mixed spellings of one department (tests/unit/test_reference.py)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SEED = SAMPLES / "000_4b30dd1c6dd4a20d.txt"

# The sample's project names (as the reader derives their type, i.e. without "（停用）" etc.) → type.
SAMPLE_TYPES = {
    "预算准备金": "预算准备金",
    "购置费": "购置费",
    "疫情防控": "疫情防控",
    "一般管理事务": "一般管理事务",
    "专项业务": "专项业务",
    "数据规划管理": "信息化建设与运维",
    "网格信息管理": "信息化建设与运维",
    "电子政务管理": "信息化建设与运维",
    "电子政务运行维护": "信息化建设与运维",
    "离退休干部慰问金": "补助补贴",
    "政务事项管理": "未分类",
}

TOWN = "某某镇人民政府（219）"
OFFICE = "某某镇财政所（219001）"
FUTIAN = "福田区政务服务信息中心"
# (project name, 主管部门 as printed, 实施单位 as printed, type, 主管部门 shown, 实施单位 shown)
MIXED = [
    ("2023年全县安可替代补助资金项目", "219-某某镇人民政府", "", "补助补贴", TOWN, None),
    ("工资性支出", "219", "某某镇中心小学", "工资福利", TOWN, "某某镇中心小学"),
    ("办公宿舍楼、食堂及餐厅暖通改造经费", "某某镇人民政府", "219001-某某镇财政所", "基本建设与维修", TOWN, OFFICE),
    ("档案数字化整理", "219－某某镇人民政府", "某某镇财政所", "未分类", TOWN, OFFICE),
    ("2022年干部教育培训经费", "219-某某镇人民政府", "219001", "培训", TOWN, OFFICE),
    ("政务公开宣传经费", "0402009", "", "宣传", "0402009", None),
    ("网络安全等级保护测评服务", "0402009", FUTIAN, "信息化建设与运维", "0402009", FUTIAN),
    ("农村人居环境整治专项资金", "219-某某镇人民政府", "", "专项业务", TOWN, None),
    ("疫情防控物资采购", "219", "", "疫情防控", TOWN, None),
]


def mixed_forms_text(rows=MIXED) -> str:
    """A text dump of forms (name, 主管部门, 实施单位, …): the seed's first form with those replaced."""
    first = "项目支出绩效自评表\n" + SEED.read_text(encoding="utf-8").split("\n项目支出绩效自评表\n")[1]
    blocks = []
    for name, department, unit, *_ in rows:
        block = re.sub(r"项目名称 .*? 项目金额", f"项目名称 {name} 项目金额", first, count=1)
        blocks.append(re.sub(r"主管部门 .*\n", f"主管部门 {department} 实施单位 {unit}\n", block, count=1))
    return "\n\n".join(blocks)


def write_mixed_forms(folder: Path) -> Path:
    path = folder / "mixed_spellings.txt"
    path.write_text(mixed_forms_text(), encoding="utf-8")
    return path


def build_mixed_db(folder: Path) -> Path:
    """The MIXED forms and the sample in a new database, imported as `python -m dashboard import --year 2021`."""
    from dashboard.importing import importer
    from dashboard.store import connect

    path = folder / "forms.duckdb"
    files = [write_mixed_forms(folder), *sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".txt"))]
    con = connect.open_db(path)
    try:
        outcomes = importer.import_files(con, [(p, p.name) for p in files], importer.ImportOptions(year=2021))
    finally:
        con.close()
    assert all(outcome.ok for outcome in outcomes), outcomes
    return path
