"""偏差原因分类 (dashboard/reference/reason_classes.py): the sample's reasons against truth written by hand,
the rules' TOML round trip, a person's assignment, and the export's columns."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dashboard.core import domain, texts
from dashboard.importing import importer
from dashboard.outputs import export
from dashboard.reference import reason_classes as rc
from dashboard.reference.project_types import RuleError
from dashboard.store import connect

ROOT = Path(__file__).resolve().parents[2]
SEED = next((ROOT / "data" / "samples").glob("000_*.txt"))

UNEXPLAINED = texts.REASON_UNEXPLAINED
RESERVE = "本年预算编制合理，不需要使用预算准备金。"
# Every reason the seed text gives, read and classified by hand.
REASON_TRUTH = {
    # "the district's 数字化转型规划 must be settled first": waits on a plan from above.
    "由于福田区正在开展数字化转型规划，需规划正式确定后再开启宣传工作。": ("外部因素", "政策调整"),
    "未到合同履约完成时间，项目尚未验收，将按照项目进度完成宣传工作": ("执行", "项目未完工或未验收"),
    "因疫情原因未完成系统测评工作，未进行项目验收，将按照项目进度完成验收": ("外部因素", "疫情"),
    RESERVE: ("未实施", "项目停用或无需实施"),  # a reserve fund not drawn: nothing was to be done
    "因为疫情原因不组织培训": ("外部因素", "疫情"),
    "项目停用": ("未实施", "项目停用或无需实施"),
    # Improvement measures only (窗口人员培训 …), no cause of the 21 complaints: left for a person.
    "改进措施：一是持续推进窗口人员培训。": (texts.REASON_UNCLASSIFIED, None),
}


def truth_of(reason: str | None) -> tuple[str, str | None] | None:
    for start, classes in REASON_TRUTH.items():
        if reason and reason.startswith(start):
            return classes
    return None


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reasons") / "forms.duckdb"
    con = connect.open_db(path)
    try:
        outcomes = importer.import_files(con, [(SEED, SEED.name)], importer.ImportOptions(year=2021))
        assert all(outcome.ok for outcome in outcomes)
    finally:
        con.close()
    return path


def exported(path: Path, fmt: str) -> bytes:
    out = io.BytesIO()
    con = connect.open_db(path, read_only=True)
    try:
        export.write_export(con, fmt, out)
    finally:
        con.close()
    return out.getvalue()


def test_the_seeds_reasons_match_the_hand_written_truth(seed_db):
    records = json.loads(exported(seed_db, "json"))
    unexplained, classified = 0, 0
    for record in records:
        for row in record["indicators"]:
            got = (row["reason_class"], row["reason_subclass"])
            if domain.is_deducted(row["weight"], row["score"]) and domain.is_no_reason(row["reason"]):
                assert got == (UNEXPLAINED, None), (record["project_name"], row["name"])
                unexplained += 1
            elif domain.is_no_reason(row["reason"]):
                assert got == (None, None), (record["project_name"], row["name"])
            else:
                assert got == truth_of(row["reason"]), row["reason"]
                classified += 1
    assert unexplained == 11  # every deduction the seed leaves without a reason
    assert classified == 3 + 12 + 3 + 16 + 1


def test_csv_and_parquet_carry_the_class_columns(seed_db):
    frame = pq.read_table(io.BytesIO(exported(seed_db, "parquet"))).to_pandas()
    assert (frame["reason_class"] == UNEXPLAINED).sum() == 11
    assert (frame["reason_subclass"] == "疫情").sum() == 4
    csv = pd.read_csv(io.BytesIO(exported(seed_db, "csv")), encoding="utf-8-sig")
    assert (csv[texts.EXPORT_COLUMNS["reason_class"]] == "外部因素").sum() == 5
    # The indicator columns end in the two class columns; the 抽查复核 columns follow (texts.EXPORT_REVIEW_COLUMNS).
    review = len(texts.EXPORT_REVIEW_COLUMNS)
    assert list(csv.columns[-2 - review : -review]) == [
        texts.EXPORT_COLUMNS["reason_class"],
        texts.EXPORT_COLUMNS["reason_subclass"],
    ]


def test_unclassified_reasons_listed_and_a_person_assigns_one(seed_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    path.write_bytes(seed_db.read_bytes())
    con = connect.open_db(path)
    try:
        unclassified = rc.reasons(con, only_unclassified=True)
        assert len(unclassified) == 1 and unclassified["reason"][0].startswith("改进措施：一是持续推进窗口人员培训")
        reason = unclassified["reason"][0]
        rc.assign(con, {reason: ("证据不足", "无佐证材料")}, by="tester")
        assert rc.reasons(con, only_unclassified=True).empty
        row = rc.reasons(con).set_index("reason").loc[reason]
        assert (row["reason_class"], row["reason_subclass"], row["source"]) == ("证据不足", "无佐证材料", "person")
        rc.assign(con, {reason: None})  # back to the rules
        assert len(rc.reasons(con, only_unclassified=True)) == 1
    finally:
        con.close()


def test_rules_toml_round_trip_and_errors():
    text = rc.rules_to_toml(list(rc.DEFAULT_RULES))
    assert rc.rules_from_toml(text) == list(rc.DEFAULT_RULES)
    with pytest.raises(RuleError):
        rc.rules_from_toml('[[rule]]\nclass = "未说明原因"\npattern = "x"\n')  # reserved
    with pytest.raises(RuleError):
        rc.rules_from_toml('[[rule]]\nclass = "执行"\nmatch = "regex"\npattern = "("\n')
    with pytest.raises(RuleError):
        rc.rules_from_toml('[[rule]]\ntype = "执行"\npattern = "x"\n')  # the project-type key, not this file's


def test_rules_are_ordered_and_saved_rules_reclassify(seed_db, tmp_path):
    resolver = rc.Resolver(rc.DEFAULT_RULES)
    assert resolver("因疫情原因未完成系统测评工作")[:2] == ("外部因素", "疫情")  # 疫情 before 未完成
    assert resolver("政府采购流程较长，合同签订延迟")[:2] == ("执行", "采购延迟")
    path = tmp_path / "copy.duckdb"
    path.write_bytes(seed_db.read_bytes())
    con = connect.open_db(path)
    try:
        rc.save_rules(con, [rc.Rule("执行", "", "疫情"), *rc.DEFAULT_RULES])
        classes = dict(con.execute("SELECT reason, reason_class FROM ref_reason_classes").fetchall())
        assert classes["因为疫情原因不组织培训"] == "执行"
    finally:
        con.close()


def test_taxonomy_holds_the_issues_classes():
    level2 = dict(rc.TAXONOMY)
    assert {"目标偏低", "目标偏高", "预算编制不精准", "指标设置不当"} <= set(level2["目标设定"])
    assert {"政策调整", "上级资金未到位", "疫情", "自然灾害"} <= set(level2["外部因素"])
    assert {"无佐证材料", "未开展满意度调查"} <= set(level2["证据不足"])
    assert UNEXPLAINED in rc.CLASSES
    assert all((rule.reason_class, rule.reason_subclass) in {(a, b) for a, bs in rc.TAXONOMY for b in bs}
               for rule in rc.DEFAULT_RULES)  # fmt: skip


def test_reason_rules_export_and_import_from_the_command_line(seed_db, tmp_path):
    from tests.cli_runner import run_cli

    path = tmp_path / "copy.duckdb"
    path.write_bytes(seed_db.read_bytes())
    rules_file = tmp_path / "reasons.toml"
    db = ["--db", str(path)]
    result = run_cli("reference", "export-reason-rules", str(rules_file), *db)
    assert result.returncode == 0, result.stderr
    assert rc.rules_from_toml(rules_file.read_text(encoding="utf-8")) == list(rc.DEFAULT_RULES)
    rules_file.write_text(rc.rules_to_toml([rc.Rule("执行", "", "疫情")]), encoding="utf-8")
    result = run_cli("reference", "import-reason-rules", str(rules_file), *db)
    assert result.returncode == 0, result.stderr
    con = connect.open_db(path, read_only=True)
    try:
        assert rc.load_rules(con) == [rc.Rule("执行", "", "疫情")]
        classes = dict(con.execute("SELECT reason, reason_class FROM ref_reason_classes").fetchall())
    finally:
        con.close()
    assert classes["因为疫情原因不组织培训"] == "执行" and classes["项目停用"] == texts.REASON_UNCLASSIFIED
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nclass = "未分类"\npattern = "x"\n', encoding="utf-8")
    assert run_cli("reference", "import-reason-rules", str(bad), *db).returncode == 2


def _resolved(path: Path) -> set[str]:
    con = connect.open_db(path, read_only=True)
    try:
        return {row[0] for row in con.execute("SELECT reason FROM ref_reason_classes").fetchall()}
    finally:
        con.close()


def test_a_killed_imports_reasons_are_resolved_by_the_next_writers_open(tmp_path):
    """The forms of a file stored by a writer killed before its last steps: their reasons are unresolved, and the
    import is recorded as pending; the next writer's open resolves them (and only then clears the record)."""
    import duckdb

    from dashboard.ingest.text import read_text
    from dashboard.store import writes

    path = tmp_path / "killed.duckdb"
    connect.open_db(path).close()
    forms = read_text(SEED.read_text(encoding="utf-8"), SEED.name)
    reasons = {i.reason for f in forms for i in f.indicators if i.reason and not domain.is_no_reason(i.reason)}
    assert len(reasons) >= len(REASON_TRUTH)
    con = duckdb.connect(str(path))  # the raw file, as a killed import left it: stored, nothing after
    try:
        writes.save_file(con, SEED.name, "ab" * 32, [writes.Placement(form) for form in forms])
    finally:
        con.close()
    assert not reasons & _resolved(path)
    connect.open_db(path).close()  # a writer's open
    assert reasons <= _resolved(path)
    con = connect.open_db(path, read_only=True)
    try:
        assert writes.unit_findings_pending(con) is None
    finally:
        con.close()


def test_a_file_from_before_the_pending_record_has_every_reason_resolved_at_its_first_open(seed_db, tmp_path):
    """A database whose reasons a writer of this program never resolved all (no `reasons_all_resolved` mark): the
    first writer's open resolves every stored reason, pending import or not."""
    import duckdb

    path = tmp_path / "old.duckdb"
    path.write_bytes(seed_db.read_bytes())
    before = _resolved(path)
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM ref_reason_classes")
    con.execute("DELETE FROM meta WHERE key = 'reasons_all_resolved'")
    con.close()
    connect.open_db(path).close()
    assert _resolved(path) == before and before
