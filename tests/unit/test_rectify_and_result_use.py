"""整改 ledger (CLI and the module's steps) and the 结果应用 rule table (issue 20)."""

from __future__ import annotations

import re
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest

from dashboard.audit import rectify, result_use, spot_check
from dashboard.core import texts
from dashboard.queries import cycle_queries
from dashboard.queries.filters import Filters
from dashboard.store import connect
from tests.cli_runner import run_cli as run_any

FORM = "43af4d333ae1-019"  # 专项业务, 主管部门 0402009, no 实施单位


def run_cli(*args: str, db):
    return run_any(*args, "--db", str(db))


@pytest.fixture
def db(sample_db, tmp_path):
    path = tmp_path / "forms.duckdb"
    shutil.copy(sample_db, path)
    return path


def test_an_item_goes_open_answered_returned_answered_verified_with_who_and_files(db, tmp_path):
    added = run_cli("rectify", "add", "扣分未说明原因", "--form", FORM, "--due", "2026-01-31", "--by", "李审", db=db)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == texts.CLI_RECTIFY_ADDED.format(item=1)
    (tmp_path / "evidence.pdf").write_bytes(b"%PDF-1.4 evidence")
    attachment = tmp_path / "evidence.pdf"
    steps = [
        ("feedback", "1", "--text", "已补充原因说明", "--attachment", str(attachment), "--by", "单位甲"),
        ("verify", "1", "--return", "--text", "缺少佐证", "--by", "李审"),
        ("verify", "1", "--by", "李审"),  # 退回 cannot be verified: refused
        ("feedback", "1", "--text", "已补充佐证", "--by", "单位甲"),
        ("verify", "1", "--text", "通过", "--by", "李审"),
    ]
    results = [run_cli("rectify", *step, db=db) for step in steps]
    assert [result.returncode for result in results] == [0, 0, 2, 0, 0]
    assert "不能“核验通过”" in results[2].stderr
    con = connect.open_db(db, read_only=True)
    try:
        item = rectify.items(con, today=date(2026, 2, 1)).iloc[0]
        history = rectify.history(con, 1)
    finally:
        con.close()
    assert item["status"] == "verified" and not item["overdue"]  # verified items are never overdue
    assert item["unit"] == "0402009" and item["project_name"] == "专项业务"
    assert history["action"].tolist() == ["add", "feedback", "return", "feedback", "verify"]
    assert history["status"].tolist() == ["open", "answered", "returned", "answered", "verified"]
    assert history["actor"].tolist() == ["李审", "单位甲", "李审", "单位甲", "李审"]
    assert history["attachment_name"][1] == "evidence.pdf"
    stored = rectify.attachments_folder(db) / history["attachment_file"][1]
    assert stored.name == "000001-002.pdf"
    assert stored.read_bytes() == b"%PDF-1.4 evidence"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_overdue_counts_and_the_second_actor_is_told(db):
    con = connect.open_db(db)
    try:
        first = rectify.add_item(con, "问题一", "甲", unit="单位甲", due=date(2026, 1, 1))
        rectify.add_item(con, "问题二", "甲", unit="单位乙", due=date(2027, 1, 1))
        assert rectify.counts(con, today=date(2026, 6, 1)) == {"open": 2, "overdue": 1}
        seen = int(rectify.items(con).set_index("item_id").loc[first, "version"])
        rectify.step(con, first, rectify.Action.FEEDBACK, "乙", "已改", version=seen)
        with pytest.raises(rectify.ConflictError, match="乙"):
            rectify.step(con, first, rectify.Action.FEEDBACK, "丙", "也改了", version=seen)
        assert rectify.history(con, first)["actor"].tolist() == ["甲", "乙"]
        with pytest.raises(rectify.RectifyError):
            rectify.add_item(con, "  ", "甲", unit="单位甲")
    finally:
        con.close()


def test_result_use_defaults_by_review_else_self_grade(sample_db):
    con = connect.open_db(sample_db, read_only=True)
    try:
        frame = cycle_queries.result_use_table(con, Filters(), result_use.default_rules())
    finally:
        con.close()
    assert len(frame) == 22
    by_grade = frame.groupby("grade")["action"].first().to_dict()
    assert by_grade == {"优": "优先保障", "良": "正常安排", "不评级": "单独研究"}
    graded = frame[frame["grade"] == "优"].iloc[0]
    assert graded["suggested"] == pytest.approx(graded["budget"])
    assert frame[frame["grade"] == "不评级"]["suggested"].isna().all()
    assert set(frame["grade_basis"]) == {texts.RESULT_USE_BASIS_SELF}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[rule]]\ngrade = "优"\naction = "x"\nspeed = 1\n', "rule[1].speed：不认识的设置项"),
        ('[[rule]]\ngrade = "优"\naction = "x"\nfactor = 3\n', "rule[1].factor：应为 0 到 2.0 之间的数"),
        ('[[rule]]\ngrade = "甲"\naction = "x"\n', "rule[1].grade：等级应为以下之一：优、良、中、差、不评级"),
        ('[[rule]]\ngrade = "优"\naction = "x"\n', "rule：缺少这些等级的规则：良、中、差、不评级"),
        ("rule = [", "不是有效的 TOML 格式"),
    ],
)
def test_a_bad_rule_file_names_the_key(tmp_path, toml, message):
    path = tmp_path / "rules.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(result_use.ResultRulesError, match=re.escape(message)):
        result_use.load_rules(path)


def test_the_rule_file_written_is_read_back_and_changes_the_actions(tmp_path):
    rules = tuple(
        result_use.UseRule(rule.grade, "压减 50%", 0.5) if rule.grade == "良" else rule
        for rule in result_use.default_rules()
    )
    path = tmp_path / "rules.toml"
    path.write_text(result_use.rules_toml(rules), encoding="utf-8")
    assert result_use.load_rules(path) == rules
    assert result_use.suggestion(rules, "良", 1000.0) == ("压减 50%", 500.0)
    assert result_use.suggestion(rules, "不评级", 1000.0) == ("单独研究", None)


def test_the_example_rule_file_is_the_defaults():
    example = Path(__file__).resolve().parents[2] / "docs" / "result-use.example.toml"
    assert result_use.load_rules(example) == result_use.default_rules()


def test_an_item_from_a_finding_or_a_signal_quotes_it(db):
    # 019 has two missing_reason findings (warning); 009 three copied_text signals.
    finding = run_cli("rectify", "add", "--form", FORM, "--rule", "missing_reason", "--due", "2027-03-31", db=db)
    signal = run_cli("rectify", "add", "--form", "43af4d333ae1-009", "--rule", "copied_text", db=db)
    nothing = run_cli("rectify", "add", "--form", FORM, "--rule", "copied_text", db=db)
    assert (finding.returncode, signal.returncode, nothing.returncode) == (0, 0, 2)
    assert "没有规则 copied_text 的发现" in nothing.stderr
    con = connect.open_db(db, read_only=True)
    try:
        items = rectify.items(con).set_index("item_id").sort_index()
        messages = [row[0] for row in con.execute(
            "SELECT message FROM checks WHERE form_id = ? AND rule = 'missing_reason' ORDER BY position", [FORM]
        ).fetchall()]  # fmt: skip
    finally:
        con.close()
    assert items["source"].tolist() == ["finding", "signal"]
    assert items["source_ref"].tolist() == ["missing_reason", "copied_text"]
    assert len(messages) == 2 and all(message in items.loc[1, "problem"] for message in messages)
    assert items.loc[1, "unit"] == "0402009"  # no 实施单位 printed: the 主管部门 answers for it


def test_a_review_follows_the_project_to_its_resubmitted_version(db):
    # Undo sample_form_a.pdf (batch 2): seed form 003 (购置费, 99.49, indicators 1–4 worth 10, 10, 15, 15) is
    # current again; review it down to 中: rows 3 and 4 re-scored 0 → 99.49 − 30 = 69.49. Then sample_form_a.pdf
    # comes back and replaces 003 again: its 结果应用 row takes the 复核 grade of the version it replaced.
    assert run_cli("remove", "2", db=db).returncode == 0
    con = connect.open_db(db)
    try:
        plan = spot_check.create_plan(con, "复核跟随", spot_check.Scope(), size=22, seed=1, by="甲")
        entry = spot_check.entries(con, plan).set_index("form_id").loc["43af4d333ae1-003"]
        rows = [spot_check.RowReview(3, score=0.0), spot_check.RowReview(4, score=0.0)]
        spot_check.save_reviews(con, [spot_check.FormReview(int(entry["entry_id"]), 0, rows=rows)], by="甲")
    finally:
        con.close()
    sample = Path(__file__).resolve().parents[2] / "data" / "samples" / "sample_form_a.pdf"
    assert run_any("import", "--db", str(db), "--year", "2021", str(sample)).returncode == 0
    con = connect.open_db(db, read_only=True)
    try:
        frame = cycle_queries.result_use_table(con, Filters(), result_use.default_rules()).set_index("form_id")
        pdf_form = con.execute("SELECT form_id FROM forms WHERE replaces = '43af4d333ae1-003'").fetchall()[0][0]
    finally:
        con.close()
    row = frame.loc[pdf_form]
    assert (row["grade"], row["grade_basis"], row["action"]) == ("中", texts.RESULT_USE_BASIS_REVIEW, "压减 10%")
    assert row["suggested"] == pytest.approx(row["budget"] * 0.9)


def test_removing_an_import_moves_an_item_to_the_version_it_replaced(db):
    added = run_cli("rectify", "add", "佐证不足", "--form", "aff65875b09d-001", db=db)  # sample_form_a.pdf's form
    assert added.returncode == 0, added.stderr
    assert run_cli("remove", "2", db=db).returncode == 0
    con = connect.open_db(db, read_only=True)
    try:
        item = rectify.items(con).iloc[0]
    finally:
        con.close()
    assert item["form_id"] == "43af4d333ae1-003"  # seed form 3, which the PDF had replaced
    assert item["project_name"] == "购置费"


def test_items_from_a_plan_for_marked_deviations_and_grade_changes_only_once(db):
    con = connect.open_db(db)
    try:
        plan = spot_check.create_plan(con, "抽查", spot_check.Scope(), size=6, seed=7, by="甲")
        entries = spot_check.entries(con, plan).set_index("form_id")
        reviews = [
            # 012: row 24 (分值 15) re-scored 5 → 99.99 − 10 = 89.99, 偏离度 10.01 %, 优 → 良
            spot_check.FormReview(int(entries.loc["43af4d333ae1-012", "entry_id"]), 0,
                                  rows=[spot_check.RowReview(24, score=5.0)]),
            # 017: row 21 (分值 1) re-scored 0 → 98.86, 偏离度 1.0 %: neither marked nor a grade change
            spot_check.FormReview(int(entries.loc["43af4d333ae1-017", "entry_id"]), 0,
                                  rows=[spot_check.RowReview(21, score=0.0)]),
        ]  # fmt: skip
        spot_check.save_reviews(con, reviews, by="甲")
        assert rectify.from_spot_check(con, "抽查", "甲", date(2027, 3, 31)) == 1
        assert rectify.from_spot_check(con, "抽查", "甲", None) == 0  # already registered
        item = rectify.items(con).iloc[0]
    finally:
        con.close()
    assert (item["form_id"], item["source"], item["source_ref"]) == ("43af4d333ae1-012", "spot_check", "抽查")
    assert "偏离度 10.01%" in item["problem"]
