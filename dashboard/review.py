"""Runs the audit over forms and keeps the stored findings in step with the rules.

At import every form gets its per-form findings; findings that compare a unit's forms
with each other are refreshed over the whole database after each import, and
`audit_database` re-runs everything when rules or thresholds change.
"""

from __future__ import annotations

import duckdb

from dashboard import audit, store
from dashboard.audit_config import DEFAULT_CONFIG, AuditConfig
from dashboard.model import Check, Form

# Findings written by the readers, not by the audit: kept when the audit is re-run.
PARSER_RULES = frozenset({"parse_uncertain"})


def check_form(form: Form, config: AuditConfig = DEFAULT_CONFIG) -> None:
    """Replace a form's audit findings and recomputed 总分 (parser findings are kept)."""
    kept = [check for check in form.checks if check.rule in PARSER_RULES]
    form.checks = kept + audit.run_form_rules(form, config)
    form.recomputed_score = audit.recompute_total(form, config)


def refresh_unit_findings(con: duckdb.DuckDBPyConnection, config: AuditConfig = DEFAULT_CONFIG) -> None:
    """Recompute the findings that compare a unit's forms (e.g. all indicators at full marks)."""
    forms = store.load_forms(con)
    findings = audit.run_unit_rules(forms, config)
    changed: dict[str, list[Check]] = {}
    for form in forms:
        kept = [check for check in form.checks if check.rule not in audit.UNIT_RULE_IDS]
        new = kept + findings.get(form.id, [])
        if new != form.checks:
            changed[form.id] = new
    if changed:
        store.replace_checks(con, changed)


def audit_database(con: duckdb.DuckDBPyConnection, config: AuditConfig = DEFAULT_CONFIG) -> int:
    """Re-run every rule over every stored form; returns the number of forms audited."""
    forms = store.load_forms(con)
    for form in forms:
        check_form(form, config)
    findings = audit.run_unit_rules(forms, config)
    store.replace_checks(con, {form.id: form.checks + findings.get(form.id, []) for form in forms})
    store.set_recomputed_scores(con, {form.id: form.recomputed_score for form in forms})
    return len(forms)
