"""Runs the audit over forms and keeps the stored findings in step with the rules.

At import every form gets its per-form findings; findings that compare a unit's forms
with each other are refreshed over the whole database after each import, and
`audit_database` re-runs everything when rules or thresholds change.
"""

from __future__ import annotations

import duckdb

from dashboard import audit, completeness, store, texts
from dashboard.audit_config import AuditConfig, AuditConfigError, active_config
from dashboard.model import Check, Form

# Findings written by the readers, not by the audit: kept when the audit is re-run.
PARSER_RULES = frozenset(texts.READER_RULE_TITLES)  # the readers' own findings (dashboard/ingest/rules.py)


def check_form(form: Form, config: AuditConfig | None = None, layout: str | None = None) -> None:
    """Choose the form's scheme (`form.scheme`; `layout`: a printed title, where a reader knows it),
    then replace its audit findings and recomputed 总分 (parser findings are kept; None: 不可评价)."""
    scheme = (config or active_config()).scheme_for(form, layout)
    form.scheme = scheme.name
    kept = [check for check in form.checks if check.rule in PARSER_RULES]
    form.checks = kept + completeness.findings(form) + audit.run_form_rules(form, scheme)
    form.recomputed_score = audit.recompute_total(form, scheme)


def refresh_unit_findings(con: duckdb.DuckDBPyConnection, config: AuditConfig | None = None) -> None:
    """Recompute the findings that compare a unit's forms (e.g. all indicators at full marks).

    Only the forms that count (current, complete, settled) are compared; a form that stopped counting
    (replaced, or removed from the totals) loses its unit findings.
    """
    forms = store.load_forms(con, versions="counted")
    findings = audit.run_unit_rules(forms, config)
    stale = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT c.form_id FROM checks c JOIN forms f ON f.form_id = c.form_id "
            f"WHERE c.rule IN (SELECT unnest(?)) AND NOT {store.counted_sql('f')}",
            [list(audit.UNIT_RULE_IDS)],
        ).fetchall()
    ]
    forms += store.load_forms(con, stale)
    changed: dict[str, list[Check]] = {}
    for form in forms:
        kept = [check for check in form.checks if check.rule not in audit.UNIT_RULE_IDS]
        new = kept + findings.get(form.id, [])
        if new != form.checks:
            changed[form.id] = new
    if changed:
        store.replace_checks(con, changed)


def audit_database(con: duckdb.DuckDBPyConnection, config: AuditConfig | None = None, scheme: str | None = None) -> int:
    """Re-run every rule over the stored forms; returns the number of forms audited.

    `scheme`: only the forms that scheme covers, before or after (a changed scheme re-runs its forms);
    AuditConfigError where no scheme has that name. Unit findings are refreshed over all forms.
    """
    config = config or active_config()
    if scheme is not None and scheme not in config.scheme_names:
        raise AuditConfigError(texts.CLI_AUDIT_NO_SCHEME.format(name=scheme, names="、".join(config.scheme_names)))
    forms = [
        form
        for form in store.load_forms(con)
        if scheme is None or scheme in (form.scheme, config.scheme_for(form).name)
    ]
    for form in forms:
        check_form(form, config)
    store.replace_checks(con, {form.id: form.checks for form in forms})
    store.set_recomputed_scores(
        con, {form.id: form.recomputed_score for form in forms}, {form.id: form.scheme for form in forms}
    )
    refresh_unit_findings(con, config)
    return len(forms)
