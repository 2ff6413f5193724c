"""偏差原因分类: a two-level taxonomy of the reasons given for deductions, assigned by ordered rules.

Like project types (project_types.py): a rule says "these keywords (any of them), this regular expression,
or exactly this text → this class and subclass"; the first rule that matches decides; a person's
classification of one reason text beats every rule; a reason nothing matches is 未分类 and is listed on the
参考数据 page. A deduction without a reason (domain.is_unexplained) is 未说明原因 whatever the rules say.
Classes are resolved once per distinct reason text into `ref_reason_classes`, which the page SQL joins
(`class_sql`): a changed rule re-resolves those texts, never the forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from dashboard.core import dialect, domain, texts
from dashboard.core.transactions import only_row, transaction
from dashboard.reference.project_types import (
    MATCHES,
    MAX_PATTERN_LENGTH,
    RuleError,
    _keywords,
    rule_entries_from_toml,
    toml_string,
)

UNEXPLAINED = texts.REASON_UNEXPLAINED
UNCLASSIFIED = texts.REASON_UNCLASSIFIED
RESERVED = (UNEXPLAINED, UNCLASSIFIED)
SOURCE_PERSON = "person"
SOURCE_NONE = "none"

DDL = """
CREATE TABLE IF NOT EXISTS ref_reason_rules (
    position        INTEGER NOT NULL,   -- 1 = tried first
    reason_class    VARCHAR NOT NULL,   -- level 1
    reason_subclass VARCHAR NOT NULL,   -- level 2 ('' for none)
    match_kind      VARCHAR NOT NULL,   -- keyword | regex | exact
    pattern         VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_reason_assignments (
    reason          VARCHAR NOT NULL,   -- the reason text as printed
    reason_class    VARCHAR NOT NULL,
    reason_subclass VARCHAR NOT NULL,
    assigned_by     VARCHAR,
    assigned_at     TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_reason_classes (
    reason          VARCHAR NOT NULL,   -- indicators.reason, as printed
    reason_class    VARCHAR NOT NULL,
    reason_subclass VARCHAR NOT NULL,   -- '' for none
    source          VARCHAR NOT NULL    -- rule position | person | none (未分类)
);
"""


@dataclass(frozen=True)
class Rule:
    reason_class: str
    reason_subclass: str
    pattern: str
    match: str = "keyword"


# The taxonomy (level 1 → level 2), in the order pages list it; 未说明原因 and 未分类 come after.
TAXONOMY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("目标设定", ("目标偏低", "目标偏高", "预算编制不精准", "指标设置不当")),
    ("执行", ("项目未完工或未验收", "资金拨付或支付滞后", "采购延迟", "合同变更")),
    ("外部因素", ("政策调整", "上级资金未到位", "疫情", "自然灾害")),
    ("证据不足", ("无佐证材料", "未开展满意度调查")),
    ("未实施", ("项目停用或无需实施",)),
)
CLASSES: tuple[str, ...] = (*(level1 for level1, _ in TAXONOMY), UNEXPLAINED, UNCLASSIFIED)

# Tried in order, the first match decides: what stops a project (停用, no need) first, then causes outside
# the office (疫情 before 未完成: "因疫情原因未完成…" is 外部因素), missing evidence, targets, and last the
# broad execution words.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("未实施", "项目停用或无需实施", "项目停用|已停用|不需要使用|无需使用|不需使用|未动用|无需实施"),
    Rule("外部因素", "疫情", "疫情|新冠|防疫|防控要求"),
    Rule("外部因素", "自然灾害", "自然灾害|台风|暴雨|洪水|洪涝|地震|干旱|极端天气|冰冻|雨季"),
    Rule("外部因素", "上级资金未到位", "上级资金|资金未到位|资金未下达|资金下达较晚|资金到位较晚|转移支付"),
    Rule("外部因素", "政策调整", "政策调整|政策变化|政策变动|政策原因|机构改革|规划"),
    Rule("证据不足", "未开展满意度调查", "未开展满意度|未进行满意度|未做满意度|满意度调查未|未组织满意度"),
    Rule("证据不足", "无佐证材料", "佐证|证明材料|无法提供|资料缺失|台账缺失"),
    Rule("目标设定", "目标偏低", "目标值偏低|目标设置偏低|指标值偏低|目标偏低|设定偏低"),
    Rule("目标设定", "目标偏高", "目标值偏高|目标设置偏高|指标值偏高|目标偏高|目标过高|预期过高"),
    Rule("目标设定", "预算编制不精准", "预算编制|预算偏|测算不|结余|节约|节余"),
    Rule("目标设定", "指标设置不当", "指标设置|指标不合理|口径"),
    Rule("执行", "采购延迟", "采购延迟|采购流程|采购程序|招标|流标|政府采购"),
    Rule("执行", "合同变更", "合同变更|变更合同|合同调整|补充协议"),
    Rule("执行", "资金拨付或支付滞后", "支付滞后|拨付滞后|未支付|尚未支付|未拨付|付款|支付进度|结算|资金拨付"),
    Rule("执行", "项目未完工或未验收", "未验收|尚未验收|未完工|未完成|未开展|进度|履约|工期|延期|延迟|滞后"),
)


def check_rule(rule: Rule, where: str = "") -> Rule:
    """The rule, trimmed, or RuleError saying what is wrong (`where` names it: "第 3 条规则")."""
    level1, level2 = (rule.reason_class or "").strip(), (rule.reason_subclass or "").strip()
    pattern = (rule.pattern or "").strip()
    if not level1 or len(level1) > 50 or level1 in RESERVED:
        raise RuleError(texts.REASON_RULE_BAD_CLASS.format(where=where, reserved="、".join(RESERVED)))
    if len(level2) > 50:
        raise RuleError(texts.REASON_RULE_BAD_SUBCLASS.format(where=where))
    if rule.match not in MATCHES:
        raise RuleError(texts.REF_RULE_BAD_MATCH.format(where=where, choices=" / ".join(MATCHES)))
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleError(texts.REF_RULE_BAD_PATTERN.format(where=where, limit=MAX_PATTERN_LENGTH))
    if rule.match == "regex":
        try:
            re.compile(pattern)
        except re.error as error:
            raise RuleError(texts.REF_RULE_BAD_REGEX.format(where=where, detail=error)) from error
    return Rule(level1, level2, pattern, rule.match)


class Resolver:
    """The rules prepared once (keywords split, patterns compiled) for classifying many reasons."""

    def __init__(self, rules: list[Rule] | tuple[Rule, ...], assigned: dict[str, tuple[str, str]] | None = None):
        self.assigned = assigned or {}
        self.tests = [(_test(rule), rule, str(n)) for n, rule in enumerate(rules, start=1)]

    def __call__(self, reason: str) -> tuple[str, str, str]:
        """(class, subclass, source) of one reason text (not a no-reason mark: that is `classify`'s)."""
        if reason in self.assigned:
            return (*self.assigned[reason], SOURCE_PERSON)
        text = domain.identity_text(reason)
        for test, rule, position in self.tests:
            if test(text):
                return rule.reason_class, rule.reason_subclass, position
        return UNCLASSIFIED, "", SOURCE_NONE


def _test(rule: Rule):
    if rule.match == "keyword":
        keywords = _keywords(rule.pattern)
        return lambda text: any(keyword in text for keyword in keywords)
    if rule.match == "exact":
        wanted = domain.identity_text(rule.pattern)
        return lambda text: text == wanted
    pattern = re.compile(rule.pattern)
    return lambda text: pattern.search(text) is not None


def classify(
    resolver: Resolver, weight: float | None, score: float | None, reason: str | None
) -> tuple[str | None, str | None]:
    """(reason_class, reason_subclass) of one indicator row: 未说明原因 for a deduction without a reason
    (domain.is_unexplained), nothing for a row with neither a deduction nor a reason, else the reason's
    class by the resolver (subclass None where the class has none)."""
    if domain.is_unexplained(weight, score, reason):
        return UNEXPLAINED, None
    if domain.is_no_reason(reason):
        return None, None
    level1, level2, _ = resolver(str(reason))
    return level1, level2 or None


# --- stored rules, assignments and resolved reasons -----------------------------------------------------------


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The tables and the default rules once (a later empty list is the office's choice); reference.ensure_schema
    resolves the new reasons next (`resolve`, with the organisations and types)."""
    dialect.execute_ddl(con, DDL)
    with transaction(con):  # on a new lake two first writers seed at once: one commit conflicts, runs again
        seeded = only_row(con, "SELECT count(*) FROM meta WHERE key = 'reason_rules_seeded'")[0]
        if not seeded:
            _write_rules(con, DEFAULT_RULES)
            dialect.put_meta(con, "reason_rules_seeded", "1")


def load_rules(con: duckdb.DuckDBPyConnection) -> list[Rule]:
    rows = con.execute(
        "SELECT reason_class, reason_subclass, pattern, match_kind FROM ref_reason_rules ORDER BY position"
    ).fetchall()
    return [Rule(*row) for row in rows]


def _write_rules(con, rules) -> None:
    con.execute("DELETE FROM ref_reason_rules")
    for position, rule in enumerate(rules, start=1):
        con.execute(
            "INSERT INTO ref_reason_rules VALUES (?, ?, ?, ?, ?)",
            [position, rule.reason_class, rule.reason_subclass, rule.match, rule.pattern],
        )


def save_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> None:
    """Replace the rules (each checked first; nothing changes if one is wrong) and re-resolve every reason."""
    checked = [check_rule(rule, texts.REF_RULE_WHERE.format(position=n)) for n, rule in enumerate(rules, start=1)]
    with transaction(con):
        _write_rules(con, checked)
        resolve(con, everything=True)


def assignments(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    rows = con.execute("SELECT reason, reason_class, reason_subclass FROM ref_reason_assignments").fetchall()
    return {reason: (level1, level2) for reason, level1, level2 in rows}


def assign(con: duckdb.DuckDBPyConnection, changes: dict[str, tuple[str, str] | None], by: str | None = None) -> None:
    """A person's (class, subclass) for reason texts (None: back to the rules); every view follows at once."""
    with transaction(con):
        for reason, chosen in changes.items():
            con.execute("DELETE FROM ref_reason_assignments WHERE reason = ?", [reason])
            if chosen is not None:
                rule = check_rule(Rule(chosen[0], chosen[1] or "", reason, "exact"), reason)
                con.execute(
                    "INSERT INTO ref_reason_assignments VALUES (?, ?, ?, ?, ?)",
                    [reason, rule.reason_class, rule.reason_subclass, by, datetime.now()],
                )
        con.execute("DELETE FROM ref_reason_classes WHERE reason IN (SELECT unnest(?))", [list(changes)])
        resolve(con)


def resolve(con: duckdb.DuckDBPyConnection, everything: bool = False, batches: list[int] | None = None) -> int:
    """Classify each distinct reason text the indicators give that has no class yet (`everything`: all again,
    after the rules changed; `batches`: only the indicators of these imports' forms, where a whole pass over every
    indicator is what a writer's open does anyway). No-reason marks (无, 不适用 …) are not classified: they are no
    reason."""
    if everything:
        con.execute("DELETE FROM ref_reason_classes")
    if batches is not None and not everything:
        reasons = _new_reasons_of(con, batches) if batches else []
    else:
        reasons = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT i.reason FROM indicators i WHERE i.reason IS NOT NULL AND NOT i.no_reason "
                "AND NOT EXISTS (SELECT 1 FROM ref_reason_classes r WHERE r.reason = i.reason)"
            ).fetchall()
        ]
    if not reasons:
        return 0
    resolver = Resolver(load_rules(con), assignments(con))
    frame = pd.DataFrame([[reason, *resolver(reason)] for reason in reasons], columns=list("rcsp"), dtype=object)
    con.register("reason_frame", frame)
    try:
        con.execute("INSERT INTO ref_reason_classes SELECT r, c, s, p FROM reason_frame")
    finally:
        con.unregister("reason_frame")
    return len(reasons)


def _new_reasons_of(con: duckdb.DuckDBPyConnection, batches: list[int]) -> list[str]:
    """The reasons of these imports' indicators that have no class yet: the imports' few reasons first, then which
    of them are classified (an anti-join of every indicator against every classified reason held both in memory)."""
    given = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT i.reason FROM indicators i WHERE i.reason IS NOT NULL AND NOT i.no_reason "
            "AND i.form_id IN (SELECT form_id FROM forms WHERE batch_id IN (SELECT unnest(?)))",
            [batches],
        ).fetchall()
    ]
    if not given:
        return []
    known = con.execute("SELECT reason FROM ref_reason_classes WHERE reason IN (SELECT unnest(?))", [given]).fetchall()
    classified = {row[0] for row in known}
    return [reason for reason in given if reason not in classified]


def join_sql(i: str = "i") -> str:
    """LEFT JOIN of the resolved class (ref_rc) of the indicators row `i`."""
    return f"LEFT JOIN ref_reason_classes ref_rc ON ref_rc.reason = {i}.reason"


def class_sql(i: str = "i") -> str:
    """SQL of an indicator row's reason_class (`classify` in SQL, over the stored domain columns): 未说明原因
    for a deduction without a reason, NULL for neither, else the resolved class (未分类 until resolved)."""
    return (
        f"CASE WHEN {i}.deducted AND {i}.no_reason THEN {dialect.sql_text(UNEXPLAINED)} "
        f"WHEN {i}.no_reason OR {i}.reason IS NULL THEN NULL "
        f"ELSE coalesce(ref_rc.reason_class, {dialect.sql_text(UNCLASSIFIED)}) END"
    )


def subclass_sql(i: str = "i") -> str:
    return f"CASE WHEN {i}.no_reason OR {i}.reason IS NULL THEN NULL ELSE nullif(ref_rc.reason_subclass, '') END"


def reasons(con: duckdb.DuckDBPyConnection, only_unclassified: bool = False) -> pd.DataFrame:
    """Every distinct reason of the current forms with its class, what decided it and its indicator count;
    unclassified first, then by count."""
    condition = (
        f"AND coalesce(r.reason_class, {dialect.sql_text(UNCLASSIFIED)}) = {dialect.sql_text(UNCLASSIFIED)}"
        if only_unclassified
        else ""
    )
    return con.execute(
        f"""
        SELECT i.reason, coalesce(r.reason_class, ?) AS reason_class,
               coalesce(r.reason_subclass, '') AS reason_subclass,
               coalesce(any_value(r.source), ?) AS source, count(*) AS indicators
        FROM indicators i JOIN forms f ON f.form_id = i.form_id
        LEFT JOIN ref_reason_classes r ON r.reason = i.reason
        WHERE f.superseded_by IS NULL AND i.reason IS NOT NULL AND NOT i.no_reason {condition}
        GROUP BY i.reason, r.reason_class, r.reason_subclass
        ORDER BY (reason_class = ?) DESC, indicators DESC, i.reason
        """,
        [UNCLASSIFIED, SOURCE_NONE, UNCLASSIFIED],
    ).df()


def annotate(con: duckdb.DuckDBPyConnection, forms) -> None:
    """Give loaded forms' indicators their reason_class and reason_subclass (for the export)."""
    wanted = sorted({row.reason for form in forms for row in form.indicators if not domain.is_no_reason(row.reason)})
    resolved = {
        reason: (level1, level2)
        for reason, level1, level2 in con.execute(
            "SELECT reason, reason_class, reason_subclass FROM ref_reason_classes WHERE reason IN (SELECT unnest(?))",
            [wanted],
        ).fetchall()
    }
    for form in forms:
        for row in form.indicators:
            if domain.is_unexplained(row.weight, row.score, row.reason):
                row.reason_class, row.reason_subclass = UNEXPLAINED, None
            elif domain.is_no_reason(row.reason):
                row.reason_class, row.reason_subclass = None, None
            else:
                level1, level2 = resolved.get(row.reason, (UNCLASSIFIED, ""))
                row.reason_class, row.reason_subclass = level1, level2 or None


# --- the rules as a file (TOML), in the project-type rules' conventions ----------------------------------------


def rules_to_toml(rules: list[Rule]) -> str:
    """The rules as TOML, one [[rule]] table each, in order; read back by `rules_from_toml`."""
    lines = [texts.REASON_RULES_FILE_HEADER, ""]
    for rule in rules:
        lines += [
            "[[rule]]",
            f"class = {toml_string(rule.reason_class)}",
            f"subclass = {toml_string(rule.reason_subclass)}",
            f"match = {toml_string(rule.match)}",
            f"pattern = {toml_string(rule.pattern)}",
            "",
        ]
    return "\n".join(lines)


def rules_from_toml(text: str) -> list[Rule]:
    """Rules from a TOML file like `rules_to_toml` writes; RuleError names the rule and what is wrong."""
    keys = {"class", "subclass", "match", "pattern"}
    rules = []
    for where, entry in rule_entries_from_toml(text, keys, texts.REASON_RULES_FILE_KEYS):
        values = [
            entry.get("class", ""),
            entry.get("subclass", ""),
            entry.get("pattern", ""),
            entry.get("match", "keyword"),
        ]
        if not all(isinstance(value, str) for value in values):
            raise RuleError(texts.REASON_RULES_FILE_KEYS.format(where=where))
        rules.append(check_rule(Rule(*values), where))
    return rules
