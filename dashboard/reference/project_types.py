"""Project types by rule: an ordered list of rules maps each project name to one of a short list of types.

A rule looks at the project name (or the type a layout prints, or the printed project code) and says:
these keywords (any of them), this regular expression, or exactly this text → this type. The first rule
that matches decides; a type a person assigned to a project name beats every rule; a name nothing matches
is 未分类 and waits on the 参考数据 page. Types are resolved once per distinct (name, printed type, code)
into `ref_project_types`, which the page SQL joins (dashboard/reference/reference.py): a changed rule or assignment
re-resolves those few thousand names, never the forms, and shows in every view at once.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from dashboard.core import dialect, domain, texts
from dashboard.core.transactions import only_row, transaction
from dashboard.reference import shown
from dashboard.security import untrusted

UNCLASSIFIED = texts.REF_TYPE_UNCLASSIFIED
FIELDS = ("name", "printed_type", "code")  # project_name, the type as the reader derived/printed it, project_code
MATCHES = ("keyword", "regex", "exact")  # keyword: any of "|"-separated keywords is in the text
SOURCE_PERSON = "person"
SOURCE_NONE = "none"
MAX_PATTERN_LENGTH = 500

DDL = """
CREATE TABLE IF NOT EXISTS ref_type_rules (
    position     INTEGER NOT NULL,      -- 1 = tried first
    project_type VARCHAR NOT NULL,
    field        VARCHAR NOT NULL,      -- name | printed_type | code
    match_kind   VARCHAR NOT NULL,      -- keyword | regex | exact
    pattern      VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_type_assignments (
    project_name VARCHAR NOT NULL,      -- as printed
    project_type VARCHAR NOT NULL,
    assigned_by  VARCHAR,
    assigned_at  TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_project_types (
    project_name  VARCHAR NOT NULL,
    printed_type  VARCHAR NOT NULL,     -- forms.project_type
    project_code  VARCHAR NOT NULL,     -- forms.project_code, '' for none
    resolved_type VARCHAR NOT NULL,
    source        VARCHAR NOT NULL      -- rule position | person | none (未分类)
);
"""


class RuleError(ValueError):
    """A rule or a rules file that cannot be used; the message (Chinese) says which and why."""


@dataclass(frozen=True)
class Rule:
    project_type: str
    pattern: str
    field: str = "name"
    match: str = "keyword"


def _keywords(pattern: str) -> list[str]:
    return [domain.identity_text(part) for part in re.split(r"[|｜、,，]", pattern) if domain.identity_text(part)]


# The common kinds of 项目支出, in the order they are tried (the first match decides): the specific ones
# before the broad ones ("一般管理事务（宣传费）" is 一般管理事务, not 宣传; "电子政务运行维护" is 信息化, not 维修).
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("预算准备金", "预算准备金|准备金"),
    Rule("一般管理事务", "一般管理事务|一般行政管理事务|日常运转|日常运行|办公经费|公用经费|机关运行|行政运行"),
    Rule("疫情防控", "疫情|防疫|新冠|核酸|防控物资"),
    Rule("购置费", "购置|采购|购买|添置"),
    Rule("补助补贴", "补助|补贴|慰问|救助|抚恤|奖补|资助|救济|困难群众"),
    Rule("工资福利", "工资|津贴|奖金|绩效奖|福利|社保|社会保险|养老保险|医疗保险|公积金|人员经费|离退休|退休"),
    Rule("信息化建设与运维", "信息化|信息系统|信息管理|电子政务|数据|网络|软件|平台|运维|机房|网站|安可|信创|智慧"),
    Rule("基本建设与维修", "改造|维修|修缮|装修|基建|工程|建设|暖通|维护|大楼|宿舍楼|道路"),
    Rule("培训", "培训|研修|轮训|教育学习"),
    Rule("宣传", "宣传|宣讲|广告|新闻|印刷"),
    Rule("专项业务", "专项业务|专项工作|专项经费|业务经费|专项"),
)
DEFAULT_TYPES: tuple[str, ...] = tuple(dict.fromkeys(rule.project_type for rule in DEFAULT_RULES))


def check_rule(rule: Rule, where: str = "") -> Rule:
    """The rule, trimmed, or RuleError saying what is wrong (`where` names it: "第 3 条")."""
    project_type, pattern = (rule.project_type or "").strip(), (rule.pattern or "").strip()
    if not project_type or len(project_type) > 50:
        raise RuleError(texts.REF_RULE_BAD_TYPE.format(where=where))
    if project_type == UNCLASSIFIED:
        raise RuleError(texts.REF_RULE_UNCLASSIFIED.format(where=where, type=UNCLASSIFIED))
    if rule.field not in FIELDS:
        raise RuleError(texts.REF_RULE_BAD_FIELD.format(where=where, choices=" / ".join(FIELDS)))
    if rule.match not in MATCHES:
        raise RuleError(texts.REF_RULE_BAD_MATCH.format(where=where, choices=" / ".join(MATCHES)))
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleError(texts.REF_RULE_BAD_PATTERN.format(where=where, limit=MAX_PATTERN_LENGTH))
    if rule.match == "regex":
        try:
            re.compile(pattern)
        except re.error as error:
            raise RuleError(texts.REF_RULE_BAD_REGEX.format(where=where, detail=error)) from error
    return Rule(project_type, pattern, rule.field, rule.match)


def resolve_name(
    rules: list[Rule] | tuple[Rule, ...], assigned: dict[str, str], name: str, printed_type: str = "", code: str = ""
) -> tuple[str, str]:
    """(type, source) of one project: a person's assignment, else the first matching rule ("3"), else 未分类."""
    return Resolver(rules, assigned)(name, printed_type, code)


class Resolver:
    """The rules prepared once (keywords split, patterns compiled) for resolving many names."""

    def __init__(self, rules: list[Rule] | tuple[Rule, ...], assigned: dict[str, str]):
        self.assigned = assigned
        self.tests = [(rule.field, _test(rule), rule.project_type, str(n)) for n, rule in enumerate(rules, start=1)]

    def __call__(self, name: str, printed_type: str = "", code: str = "") -> tuple[str, str]:
        if name in self.assigned:
            return self.assigned[name], SOURCE_PERSON
        values = dict(zip(FIELDS, map(domain.identity_text, (name, printed_type, code)), strict=True))
        for field, test, project_type, position in self.tests:
            if values[field] and test(values[field]):
                return project_type, position
        return UNCLASSIFIED, SOURCE_NONE


def _test(rule: Rule):
    """A function of the normalised text that says whether `rule` matches it."""
    if rule.match == "keyword":
        keywords = _keywords(rule.pattern)
        return lambda text: any(keyword in text for keyword in keywords)
    if rule.match == "exact":
        wanted = domain.identity_text(rule.pattern)
        return lambda text: text == wanted
    pattern = re.compile(rule.pattern)
    return lambda text: pattern.search(text) is not None


# --- stored rules and assignments --------------------------------------------------------------------------


def seed_defaults(con: duckdb.DuckDBPyConnection) -> None:
    """Give a database the default rules once (a later empty list is the office's choice and stays)."""
    with transaction(con):  # on a new lake two first writers seed at once: one commit conflicts, runs again
        seeded = only_row(con, "SELECT count(*) FROM meta WHERE key = 'reference_rules_seeded'")[0]
        if not seeded:
            _write_rules(con, DEFAULT_RULES)
            dialect.put_meta(con, "reference_rules_seeded", "1")


def load_rules(con: duckdb.DuckDBPyConnection) -> list[Rule]:
    rows = con.execute(
        "SELECT project_type, pattern, field, match_kind FROM ref_type_rules ORDER BY position"
    ).fetchall()
    return [Rule(*row) for row in rows]


def _write_rules(con, rules) -> None:
    con.execute("DELETE FROM ref_type_rules")
    for position, rule in enumerate(rules, start=1):
        con.execute(
            "INSERT INTO ref_type_rules VALUES (?, ?, ?, ?, ?)",
            [position, rule.project_type, rule.field, rule.match, rule.pattern],
        )


def save_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> None:
    """Replace the rules (each checked first; nothing changes if one is wrong) and re-resolve every project."""
    checked = [check_rule(rule, texts.REF_RULE_WHERE.format(position=n)) for n, rule in enumerate(rules, start=1)]
    with transaction(con):
        _write_rules(con, checked)
        resolve(con, everything=True)


def assignments(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT project_name, project_type FROM ref_type_assignments").fetchall())


def assign(con: duckdb.DuckDBPyConnection, changes: dict[str, str | None], by: str | None = None) -> None:
    """A person's types for project names (None: back to the rules); every view follows at once."""
    with transaction(con):
        for name, project_type in changes.items():
            con.execute("DELETE FROM ref_type_assignments WHERE project_name = ?", [name])
            if project_type is not None:
                project_type = project_type.strip()
                if not project_type or project_type == UNCLASSIFIED:
                    raise RuleError(texts.REF_RULE_UNCLASSIFIED.format(where=name, type=UNCLASSIFIED))
                con.execute(
                    "INSERT INTO ref_type_assignments VALUES (?, ?, ?, ?)", [name, project_type, by, datetime.now()]
                )
        con.execute("DELETE FROM ref_project_types WHERE project_name IN (SELECT unnest(?))", [list(changes)])
        resolve(con)


def resolve(con: duckdb.DuckDBPyConnection, everything: bool = False) -> int:
    """Resolve the type of each distinct (name, printed type, code) the forms print that has none yet
    (`everything`: all of them again, after the rules changed). Returns how many project names were resolved."""
    if everything:
        con.execute("DELETE FROM ref_project_types")
    names = _resolve_new(con)
    if everything:
        shown.sync(con, organisations=False)  # every form's type may show otherwise
    elif names:  # the forms of the names resolved now
        shown.sync(con, "f.project_name IN (SELECT unnest(?))", [names], organisations=False)
    return len(names)


def _resolve_new(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Resolve the (name, printed type, code) keys the forms print that have no type yet; the names resolved."""
    keys = con.execute(
        """
        SELECT DISTINCT f.project_name, f.project_type, coalesce(f.project_code, '')
        FROM forms f
        WHERE f.project_name <> '' AND NOT EXISTS (
            SELECT 1 FROM ref_project_types r
            WHERE r.project_name = f.project_name AND r.printed_type = f.project_type
              AND r.project_code = coalesce(f.project_code, ''))
        """
    ).fetchall()
    if not keys:
        return []
    resolver = Resolver(load_rules(con), assignments(con))
    rows = [[name, printed, code, *resolver(name, printed, code)] for name, printed, code in keys]
    frame = pd.DataFrame(rows, columns=["n", "p", "c", "t", "s"], dtype=object)
    con.register("resolved_frame", frame)
    try:
        con.execute("INSERT INTO ref_project_types SELECT n, p, c, t, s FROM resolved_frame")
    finally:
        con.unregister("resolved_frame")
    return sorted({name for name, _printed, _code in keys})


def projects(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every distinct project name of the current forms with its type, what decided it and its form count."""
    return con.execute(
        """
        SELECT f.project_name, coalesce(r.resolved_type, ?) AS project_type,
               coalesce(any_value(r.source), ?) AS source, count(*) AS forms
        FROM forms f
        LEFT JOIN ref_project_types r ON r.project_name = f.project_name AND r.printed_type = f.project_type
             AND r.project_code = coalesce(f.project_code, '')
        WHERE f.superseded_by IS NULL AND f.project_name <> ''
        GROUP BY f.project_name, r.resolved_type
        ORDER BY (r.resolved_type IS NULL OR r.resolved_type = ?) DESC, forms DESC, f.project_name
        """,
        [UNCLASSIFIED, SOURCE_NONE, UNCLASSIFIED],
    ).df()


def known_types(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The types a person can choose: the defaults, then those of the rules and assignments."""
    used = [row[0] for row in con.execute(
        "SELECT project_type FROM ref_type_rules UNION ALL SELECT project_type FROM ref_type_assignments"
    ).fetchall()]  # fmt: skip
    return list(dict.fromkeys([*DEFAULT_TYPES, *used]))


# --- the rules as a file (TOML) ----------------------------------------------------------------------------


def rules_to_toml(rules: list[Rule]) -> str:
    """The rules as TOML, one [[rule]] table each, in order; read back by `rules_from_toml`."""
    lines = [texts.REF_RULES_FILE_HEADER, ""]
    for rule in rules:
        lines += [
            "[[rule]]",
            f"type = {toml_string(rule.project_type)}",
            f"field = {toml_string(rule.field)}",
            f"match = {toml_string(rule.match)}",
            f"pattern = {toml_string(rule.pattern)}",
            "",
        ]
    return "\n".join(lines)


def toml_string(text: str) -> str:
    # A JSON string is a TOML basic string (same escapes, \uXXXX for control characters; TOML refuses a raw
    # DEL, and json_carriable escapes it with the other characters no output carries raw).
    return untrusted.json_carriable(json.dumps(text, ensure_ascii=False))


def rule_entries_from_toml(text: str, keys: set[str], keys_message: str) -> list[tuple[str, dict]]:
    """(where, entry) of each [[rule]] of a rules file (project types, reason classes), its shape checked: a
    TOML file of [[rule]] tables only, each with no key outside `keys` (else RuleError with `keys_message`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RuleError(texts.REF_RULES_FILE_BAD.format(detail=error)) from error
    entries = data.get("rule", [])
    if not isinstance(entries, list) or set(data) - {"rule"}:
        raise RuleError(texts.REF_RULES_FILE_SHAPE)
    found = []
    for position, entry in enumerate(entries, start=1):
        where = texts.REF_RULE_WHERE.format(position=position)
        if not isinstance(entry, dict) or set(entry) - keys:
            raise RuleError(keys_message.format(where=where))
        found.append((where, entry))
    return found


def rules_from_toml(text: str) -> list[Rule]:
    """Rules from a TOML file like `rules_to_toml` writes; RuleError names the rule and what is wrong."""
    rules = []
    for where, entry in rule_entries_from_toml(text, {"type", "field", "match", "pattern"}, texts.REF_RULES_FILE_KEYS):
        values = [
            entry.get("type", ""),
            entry.get("pattern", ""),
            entry.get("field", "name"),
            entry.get("match", "keyword"),
        ]
        if not all(isinstance(value, str) for value in values):
            raise RuleError(texts.REF_RULES_FILE_KEYS.format(where=where))
        rules.append(check_rule(Rule(*values), where))
    return rules
