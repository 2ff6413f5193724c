"""Risk signals (docs/scoring-rules.md, "Risk signals"): a set of small forms, each built by hand to raise
exactly one signal, and one clean form raising none, imported into a database so that the cross-form
signals (copied_text, unit_all_full_marks) are computed as at import."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.audit import audit, review
from dashboard.audit.config import DEFAULT_CONFIG, NATIONAL, AuditConfig, load_config
from dashboard.core import domain
from dashboard.core.model import Form, FundRow, Funds, Indicator
from dashboard.queries import review_queries
from dashboard.queries.filters import Filters
from dashboard.store import connect, writes
from tests.unit.test_audit import clean_rows as audit_rows
from tests.unit.test_audit import row

SIGNALS = set(audit.RISK_SIGNAL_IDS)
COPIED_REASON = "受采购周期影响，部分设备到货延迟，已督促供应商加快供货进度。"
COPIED_GOAL = "全年完成办公设备采购并投入使用，保障单位日常运转。"


def clean_rows() -> list[Indicator]:
    """test_audit's consistent 50/40 rows where every target is met, without its 不适用 row."""
    rows = audit_rows()
    assert rows[-1].name == "不适用"
    return rows[:-1]


def form(name, unit, rows=None, executed=96370.0, goal_actual="", year=2022) -> Form:
    rows = clean_rows() if rows is None else rows
    rate = round(executed / 100000.0 * 100, 2)
    fund_score = round(10 * rate / 100, 2)
    total = FundRow(100000.0, 100000.0, executed, rate, 10.0, fund_score)
    zero = FundRow(0.0, 0.0, 0.0, 0.0)
    funds = Funds("元", total, FundRow(100000.0, 100000.0, executed, rate), zero, dataclasses.replace(zero))
    return Form(
        project_name=name,
        project_type="购置费",
        department="区财政局",
        unit=unit,
        year=year,
        funds=funds,
        goal_expected="",
        goal_actual=goal_actual,
        indicators=rows,
        total_weight=100.0,
        total_score=round(fund_score + sum(r.score for r in rows), 2),
    )


def replaced(rows: list[Indicator], position: int, new: Indicator) -> list[Indicator]:
    rows = list(rows)
    rows[position] = new
    return rows


def deducted_with(reason: str) -> list[Indicator]:
    """The clean rows with 工作完成率 at 95 % (19 of 20 points, prorated as the rule gives) and a reason."""
    return replaced(clean_rows(), 0, row("工作完成率", "100%", "95%", 20, 19, reason))


# Each form by name, with the signals it must raise (hand-written truth).
def signal_forms() -> list[tuple[Form, set[str]]]:
    satisfaction = row("工作人员满意度", "≥90%", "无投诉", 10, 10, level1="效益指标", level2="满意度指标")
    over = row("购置办公设备数量", "10台", "15台", 15, 15, level2="质量指标")
    not_done = row("工作完成及时性", "及时", "未完成", 15, 9, "供应商停产，改由其他渠道采购", level2="时效指标")
    return [
        (form("干净的项目", "甲单位"), set()),
        # 执行率 75 %: 总分 at most 89; 7.5 + 90 = 97.5.
        (form("执行率封顶", "乙单位", executed=75000.0), {"execution_cap", "score_outruns_execution"}),
        # 执行率 90 %, indicators 100 %: 10 points apart (> 5); 总分 99 is within every cap.
        (form("得分快于执行", "丙单位", executed=90000.0), {"score_outruns_execution"}),
        (form("超额完成", "丁单位", replaced(clean_rows(), 1, over)), {"over_target"}),
        (form("满意度未测", "戊单位", replaced(clean_rows(), 4, satisfaction)), {"satisfaction_unmeasured"}),
        (form("未完成得分", "己单位", replaced(clean_rows(), 2, not_done)), {"zero_actual_full_score"}),
        # Two projects of two units writing the same 实际完成情况 (a copy across units).
        (form("文字雷同甲", "庚单位", goal_actual=COPIED_GOAL), {"copied_text"}),
        (form("文字雷同乙", "辛单位", goal_actual=COPIED_GOAL), {"copied_text"}),
        # Two projects of one unit giving the same 偏差原因 (a copy within the unit); deducted, so not all full.
        (form("原因雷同甲", "壬单位", deducted_with(COPIED_REASON)), {"copied_text"}),
        (form("原因雷同乙", "壬单位", deducted_with(COPIED_REASON)), {"copied_text"}),
        # Two forms of one unit, every indicator at full marks.
        (form("全满分甲", "癸单位"), {"unit_all_full_marks"}),
        (form("全满分乙", "癸单位"), {"unit_all_full_marks"}),
    ]


def store(tmp_path, forms: list[Form], name="signals", config=None) -> list[set[str]]:
    """The forms imported as one file (the audit run as at import); the signals stored on each, in order."""
    con = connect.open_db(tmp_path / f"{name}.duckdb")
    try:
        for f in forms:
            review.check_form(f, config)
        writes.save_file(con, f"{name}.txt", name.ljust(64, "0"), [writes.Placement(f) for f in forms])
        review.finish_unit_findings(con, config)
        stored = con.execute("SELECT form_id, rule FROM checks").fetchall()
    finally:
        con.close()
    return [{rule for form_id, rule in stored if form_id == f.id and rule in SIGNALS} for f in forms]


def test_each_form_raises_exactly_its_signal(tmp_path):
    cases = signal_forms()
    assert store(tmp_path, [f for f, _ in cases]) == [signals for _, signals in cases]


def test_the_signal_listing_ranks_forms_by_their_signals_and_pages_them(tmp_path):
    """review_queries.signal_forms against the hand-written truth above: most signals first, then import order;
    each form's rules listed once, sorted; a page is the whole listing's slice; a rule or a unit narrows it."""
    cases = signal_forms()
    store(tmp_path, [f for f, _ in cases])
    expected = sorted(
        ((f.project_name, ",".join(sorted(signals)), len(signals)) for f, signals in cases if signals),
        key=lambda shown: -shown[2],  # stable: import order within a count
    )
    con = connect.open_db(tmp_path / "signals.duckdb", read_only=True)
    try:
        whole = review_queries.signal_forms(con, Filters())
        assert list(zip(whole["project_name"], whole["rules"], whole["signals"], strict=True)) == expected
        assert all(message for message in whole["messages"])
        pages = [review_queries.signal_forms(con, Filters(), offset=start, limit=4) for start in (0, 4, 8)]
        assert [name for page in pages for name in page["project_name"]] == list(whole["project_name"])
        copied = review_queries.signal_forms(con, Filters(), rule="copied_text")
        assert list(copied["project_name"]) == ["文字雷同甲", "文字雷同乙", "原因雷同甲", "原因雷同乙"]
        assert set(copied["rules"]) == {"copied_text"}
        unit = review_queries.signal_forms(con, Filters(), org="壬单位")
        assert list(unit["project_name"]) == ["原因雷同甲", "原因雷同乙"]
        counts = review_queries.finding_counts(con, Filters())  # the 复核 page's one grouping of the findings
        per_rule = {rule: sum(rule in signals for _, signals in cases) for rule in audit.RISK_SIGNAL_IDS}
        assert dict(zip(counts.signals["rule"], counts.signals["forms"], strict=True)) == per_rule
        assert counts.signal_forms == len(whole) == 11
        assert review_queries.signal_form_count(con, Filters(), rule="copied_text") == 4
        assert review_queries.signal_form_count(con, Filters(), org="壬单位") == 2
        units = review_queries.signal_units(con, Filters())  # per unit and signal: the same forms again
        assert units.groupby("rule")["forms"].sum().to_dict() == {rule: n for rule, n in per_rule.items() if n}
        assert units.loc[units["org"] == "壬单位", ["rule", "forms"]].values.tolist() == [["copied_text", 2]]
        assert counts.forms >= counts.signal_forms
        assert int(counts.severities["findings"].sum()) == int(counts.rules["findings"].sum())
    finally:
        con.close()


def test_execution_cap_alone_where_the_scheme_does_not_check_the_gap(tmp_path):
    """Under the defaults a 总分 above the cap always scores its indicators ≥ 10 points ahead of the 执行率
    (89 − 10 × 0.8 = 81 of 90 points at 执行率 80 %), so execution_cap comes with score_outruns_execution;
    a scheme that turns the gap off gives execution_cap alone."""
    config = AuditConfig(schemes=(dataclasses.replace(NATIONAL, outruns_execution_pct=None),))
    assert store(tmp_path, [form("执行率封顶", "乙单位", executed=75000.0)], config=config) == [{"execution_cap"}]


def test_signal_messages_name_the_numbers():
    cap = audit.run_form_rules(form("执行率封顶", "乙单位", executed=75000.0))
    (check,) = [c for c in cap if c.rule == "execution_cap"]
    assert check.message == "预算执行率 75% 低于 80%，总分最高 89 分，自评总分却为 97.5"
    assert (check.claimed, check.recomputed, check.severity) == (97.5, 89.0, "warning")
    checks = audit.run_form_rules(form("快", "丙", executed=90000.0))
    (gap,) = [c for c in checks if c.rule == "score_outruns_execution"]
    assert "指标得分率 100%（90 / 90）比预算执行率 90% 高 10 个百分点（> 5）" in gap.message


@pytest.mark.parametrize(
    ("rate", "total", "flagged"),
    [
        (79.99, 89.5, True),
        (79.99, 89, False),
        (80, 99, False),
        (65, 79.5, True),
        (55, 69.5, True),
        (49.9, 59.1, True),
        (49.9, 59, False),
    ],
)
def test_execution_cap_bands(rate, total, flagged):
    f = form("x", "y", executed=rate * 1000)
    f.total_score = total
    assert bool(audit.check_execution_cap(f, NATIONAL)) is flagged


def test_execution_cap_off_and_bands_from_the_configuration(tmp_path):
    path = tmp_path / "audit.toml"
    path.write_text("[schemes.national]\nexecution_caps = []\noutruns_execution_pct = 20\n", encoding="utf-8")
    config = load_config(path)
    assert config.default.execution_caps == () and config.default.outruns_execution_pct == 20
    f = form("执行率封顶", "乙单位", executed=75000.0)  # 25 points apart: still above 20
    assert {c.rule for c in audit.run_form_rules(f, config)} & SIGNALS == {"score_outruns_execution"}
    assert DEFAULT_CONFIG.default.execution_caps == ((80, 89), (70, 79), (60, 69), (50, 59))


def test_copied_text_ignores_stock_phrases_short_texts_and_the_same_project(tmp_path):
    stock = deducted_with("已完成。")
    short = deducted_with("采购周期长，到货延迟。")  # 10 characters after normalising: below 15
    forms = [
        form("甲", "一单位", stock), form("乙", "二单位", stock),
        form("丙", "一单位", short), form("丁", "二单位", short),
        # one project's forms of two years: the same project, not a copy
        form("同一项目", "三单位", deducted_with(COPIED_REASON), year=2021),
        form("同一项目", "三单位", deducted_with(COPIED_REASON), year=2022),
    ]  # fmt: skip
    assert store(tmp_path, forms) == [set()] * 6


def test_copied_text_normalises_and_counts_units(tmp_path):
    forms = [
        form("甲", "一单位", deducted_with(COPIED_REASON)),
        form("乙", "一单位", deducted_with(" 受采购周期影响 部分设备到货延迟 已督促供应商加快供货进度")),
        form("丙", "二单位", deducted_with("受采购周期影响,部分设备到货延迟,已督促供应商加快供货进度!")),
    ]
    store(tmp_path, forms)
    con = connect.open_db(tmp_path / "signals.duckdb", read_only=True)
    try:
        messages = dict(con.execute("SELECT form_id, message FROM checks WHERE rule = 'copied_text'").fetchall())
    finally:
        con.close()
    assert len(messages) == 3
    assert "与其他 2 个项目的表雷同（本单位 1 个、其他单位 1 个），如“丙”" in messages[forms[0].id]
    assert "（本单位 0 个、其他单位 2 个）" in messages[forms[2].id]


def test_copied_text_refreshed_when_a_partner_is_removed(tmp_path):
    from dashboard.importing import importer

    path = tmp_path / "signals.duckdb"
    con = connect.open_db(path)
    try:
        batches = []
        for number, (name, unit) in enumerate((("甲", "一单位"), ("乙", "二单位"))):
            f = form(name, unit, goal_actual=COPIED_GOAL)
            review.check_form(f)
            batches.append(writes.save_file(con, f"{name}.txt", str(number) * 64, [writes.Placement(f)]))
            review.finish_unit_findings(con)
        count = "SELECT count(*) FROM checks WHERE rule = 'copied_text'"
        assert con.execute(count).fetchone() == (2,)
        assert writes.finding_counts_out_of_step(con) == 0  # each form keeps its findings per severity
        warnings = "SELECT warning_count FROM forms WHERE batch_id = ?"
        kept = con.execute(warnings, [batches[0]]).fetchone()[0]
        importer.remove_batch(con, batches[1])
        assert con.execute(count).fetchone() == (0,)
        assert writes.finding_counts_out_of_step(con) == 0
        assert con.execute(warnings, [batches[0]]).fetchone() == (kept - 1,)  # its copied_text went with its partner
        review.refresh_copied_text(con)  # the whole database's (every form's findings of the rule replaced)
        assert writes.finding_counts_out_of_step(con) == 0
    finally:
        con.close()


def test_domain_definitions():
    assert domain.copy_text("因疫情原因， 项目延期。") == "因疫情原因项目延期"
    assert domain.copy_key("无") is None and domain.copy_key("不适用") is None
    assert domain.is_nothing_done("未完成") and domain.is_nothing_done("尚未启动")
    assert not domain.is_nothing_done("完成")
    assert domain.is_satisfaction("服务对象满意度") and domain.is_satisfaction("群众评价", "满意度指标")


def test_copied_text_over_every_form_in_shares_finds_what_one_pass_finds(tmp_path, monkeypatch):
    """The whole database's copied_text is found a share of the texts at a time (review.COPIED_TEXT_PARTS): the same
    findings, messages and order as one pass over every text, and the hand-written four."""
    path = tmp_path / "signals.duckdb"
    store(tmp_path, [f for f, _ in signal_forms()])  # writes tmp_path / "signals.duckdb"
    con = connect.open_db(path)
    try:
        found = "SELECT form_id, position, message FROM checks WHERE rule = 'copied_text' ORDER BY ALL"
        monkeypatch.setattr(review, "COPIED_TEXT_PARTS", 1)
        review.refresh_copied_text(con)
        whole = con.execute(found).fetchall()
        assert len(whole) == 4
        for parts in (2, 3, 5, 8):  # however the texts are shared out, every one is in exactly one share
            monkeypatch.setattr(review, "COPIED_TEXT_PARTS", parts)
            review.refresh_copied_text(con)
            assert con.execute(found).fetchall() == whole, parts
        assert writes.finding_counts_out_of_step(con) == 0
    finally:
        con.close()
