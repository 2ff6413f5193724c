"""结果应用: the rule table turning a project's grade into a suggested action for next year's budget (issue 20).

The grade is the 复核等级 where the form was reviewed in a spot check, else the grade of its self-score
(不评级 for forms that are not graded: 停用, 不可评价 …). Each grade has an action and, where the action is a
figure, a factor on this year's 全年预算数 (suggested amount = budget × factor; no factor: no amount).

The defaults (texts.RESULT_USE_DEFAULTS): 优 优先保障, 良 正常安排, 中 压减 10 %, 差 压减 30 % 或暂停,
不评级 单独研究. A TOML file ($DASHBOARD_RESULT_RULES, or the CLI's --rules) replaces them, validated like the
audit configuration (audit/config.py): every key named in the error, every grade of the audit configuration and
不评级 exactly once:

    [[rule]]
    grade = "优"
    action = "优先保障"
    factor = 1.0
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NoReturn

from dashboard.audit.config import AuditConfig, AuditConfigError, active_config, read_toml_file
from dashboard.core import texts

ENV_VAR = "DASHBOARD_RESULT_RULES"
MAX_FACTOR = 2.0
_RULE_KEYS = ("grade", "action", "factor")


class ResultRulesError(AuditConfigError):
    """A rule file that cannot be used; the message names the file and the key (the CLI prints it as it prints a
    bad audit configuration)."""


@dataclass(frozen=True)
class UseRule:
    grade: str
    action: str
    factor: float | None  # × 全年预算数; None: no suggested amount


def default_rules() -> tuple[UseRule, ...]:
    return tuple(UseRule(grade, action, factor) for grade, action, factor in texts.RESULT_USE_DEFAULTS)


def all_grades(config: AuditConfig | None = None) -> tuple[str, ...]:
    return (*(config or active_config()).grades, texts.NOT_GRADED)


def load_rules(path: str | os.PathLike | None = None) -> tuple[UseRule, ...]:
    """The rules in `path`, else in $DASHBOARD_RESULT_RULES, else the defaults; ResultRulesError for a bad file."""
    if path is None:
        path = os.environ.get(ENV_VAR) or None
    if path is None:
        return default_rules()
    data = read_toml_file(path, ResultRulesError, texts.RESULT_USE_UNREADABLE, texts.RESULT_USE_NOT_TOML)
    return rules_from_data(data, str(path))


def rules_from_data(data: dict, name: str) -> tuple[UseRule, ...]:
    def fail(key: str, problem: str) -> NoReturn:
        raise ResultRulesError(texts.RESULT_USE_BAD_KEY.format(file=name, key=key, problem=problem))

    for key in data:
        if key != "rule":
            fail(key, texts.CONFIG_UNKNOWN_KEY)
    entries = data.get("rule")
    if not isinstance(entries, list) or not entries:
        fail("rule", texts.RESULT_USE_WANT_RULES)
    grades = all_grades()
    rules: list[UseRule] = []
    for index, entry in enumerate(entries, 1):
        where = f"rule[{index}]"
        if not isinstance(entry, dict):
            fail(where, texts.CONFIG_WANT_TABLE)
        for key in entry:
            if key not in _RULE_KEYS:
                fail(f"{where}.{key}", texts.CONFIG_UNKNOWN_KEY)
        grade, action, factor = entry.get("grade"), entry.get("action"), entry.get("factor")
        if grade not in grades:
            fail(f"{where}.grade", texts.RESULT_USE_BAD_GRADE.format(grades="、".join(grades)))
        if any(rule.grade == grade for rule in rules):
            fail(f"{where}.grade", texts.RESULT_USE_GRADE_TWICE.format(grade=grade))
        if not isinstance(action, str) or not action.strip():
            fail(f"{where}.action", texts.RESULT_USE_WANT_ACTION)
        if factor is not None and (
            isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 <= factor <= MAX_FACTOR
        ):
            fail(f"{where}.factor", texts.RESULT_USE_BAD_FACTOR.format(maximum=MAX_FACTOR))
        rules.append(UseRule(str(grade), action.strip(), None if factor is None else float(factor)))
    missing = [grade for grade in grades if grade not in {rule.grade for rule in rules}]
    if missing:
        fail("rule", texts.RESULT_USE_MISSING_GRADES.format(grades="、".join(missing)))
    return tuple(rules)


def active_rules() -> tuple[UseRule, ...]:
    return load_rules(None)


def rules_toml(rules: tuple[UseRule, ...]) -> str:
    """The rules as a TOML file load_rules reads back (the page's download, a start for an office's own file)."""
    lines = [texts.RESULT_USE_TOML_HEADER]
    for rule in rules:
        lines += ["", "[[rule]]", f"grade = {_toml_string(rule.grade)}", f"action = {_toml_string(rule.action)}"]
        if rule.factor is not None:
            lines.append(f"factor = {rule.factor!r}")
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped) + '"'


def suggestion(rules: tuple[UseRule, ...], grade: str | None, budget: float | None) -> tuple[str, float | None]:
    """(action, suggested amount) for a project of `grade` and 全年预算数 `budget`; no grade: ("—", None)."""
    for rule in rules:
        if rule.grade == grade:
            amount = None if rule.factor is None or budget is None else round(budget * rule.factor, 2)
            return rule.action, amount
    return texts.DASH, None
