"""Runs the audit over forms and keeps the stored findings in step with the rules.

At import every form gets its per-form findings; findings that compare a unit's forms
with each other are refreshed over the whole database after each import, and
`audit_database` re-runs everything when rules or thresholds change.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import duckdb

from dashboard.audit import audit, completeness
from dashboard.audit.config import AuditConfig, AuditConfigError, active_config
from dashboard.core import domain, texts
from dashboard.core.model import Check, Form
from dashboard.core.rule_ids import READER_RULES  # the readers' own findings, kept when the audit re-runs
from dashboard.store import reads, writes

# Findings written by the readers, not by the audit: kept when the audit is re-run.


def check_form(form: Form, config: AuditConfig | None = None, layout: str | None = None) -> None:
    """Choose the form's scheme (`form.scheme`; `layout`: a printed title, where a reader knows it, else the
    stored title that chose it at import, `form.scheme_title`, so that a re-audit keeps a layout's scheme),
    then replace its audit findings and recomputed 总分 (parser findings are kept; None: 不可评价)."""
    config = config or active_config()
    layout = layout or form.scheme_title
    scheme = config.scheme_for(form, layout)
    form.scheme = scheme.name
    form.scheme_title = layout if config.layout_scheme(layout) is not None else None
    kept = [check for check in form.checks if check.rule in READER_RULES]
    form.checks = kept
    found = completeness.findings(form)  # may clear numbers out of range: before any row is assessed
    with audit.assessments_kept():  # the rows stay as they are from here on
        rules = audit.run_form_rules(form, scheme)
        held = completeness.ocr_hold(form, rules)  # a form read by OCR and not certain: incomplete until confirmed
        if held:
            form.checks = kept + held
            found = completeness.findings(form)
        form.checks = kept + held + found + rules
        form.recomputed_score = audit.recompute_total(form, scheme)


# The owner of a form for the unit rules (audit._unit_key): its 实施单位, else its 主管部门.
_OWNER_SQL = "coalesce(nullif(trim({f}.unit), ''), nullif(trim({f}.department), ''))"


def refresh_unit_findings(
    con: duckdb.DuckDBPyConnection, config: AuditConfig | None = None, batches: list[int] | None = None
) -> None:
    """Recompute the findings that compare a unit's forms (e.g. all indicators at full marks).

    Only the forms that count (current, complete, settled) are compared; a form that stopped counting
    (replaced, or removed from the totals) loses its unit findings. `batches`: only the (unit, year)
    groups the forms of these imports belong to, with the forms they replaced; None: every group.

    Bounded work: SQL picks the groups where every weighted indicator is at full marks (the only
    groups audit.run_unit_rules can flag) and the forms holding a unit finding now; only those forms
    are loaded, and audit.run_unit_rules decides.
    """
    owner = _OWNER_SQL.format(f="f")
    scope, params = "TRUE", []
    if batches is not None:
        if not batches:
            return
        scope = (
            f"EXISTS (SELECT 1 FROM forms s WHERE {_OWNER_SQL.format(f='s')} = {owner} "
            "AND s.year IS NOT DISTINCT FROM f.year AND (s.batch_id IN (SELECT unnest(?)) OR s.superseded_by IN "
            "(SELECT form_id FROM forms WHERE batch_id IN (SELECT unnest(?)))))"
        )
        params = [list(batches), list(batches)]
    candidates = con.execute(
        f"""
        WITH scoped AS (
            SELECT f.form_id, {owner} AS owner, f.year FROM forms f
            WHERE {reads.counted_sql("f")} AND {owner} IS NOT NULL AND {scope}
        ), full_groups AS (
            SELECT s.owner, s.year FROM scoped s LEFT JOIN indicators i ON i.form_id = s.form_id AND i.weight > 0
            GROUP BY s.owner, s.year
            HAVING count(i.form_id) > 0
               AND count(*) FILTER (WHERE i.form_id IS NOT NULL AND (i.score IS NULL OR i.score < i.weight - ?)) = 0
        )
        SELECT s.form_id, s.owner, s.year FROM scoped s
        JOIN full_groups g ON g.owner = s.owner AND g.year IS NOT DISTINCT FROM s.year
        """,
        [*params, domain.POINTS_EPSILON],
    ).fetchall()
    holders = con.execute(
        f"SELECT DISTINCT c.form_id FROM checks c JOIN forms f ON f.form_id = c.form_id "
        f"WHERE c.rule IN (SELECT unnest(?)) AND (NOT {reads.counted_sql('f')} OR {scope})",
        [list(audit.UNIT_RULE_IDS), *params],
    ).fetchall()
    compared: set[str] = set()
    for group_ids in _whole_groups(candidates, AUDIT_CHUNK):  # whole (unit, year) groups, a chunk at a time
        forms = reads.load_forms(con, group_ids, versions="counted")
        _replace_unit_findings(con, forms, audit.run_unit_rules(forms, config))
        compared.update(group_ids)
    rest = [row[0] for row in holders if row[0] not in compared]  # their unit findings no longer hold
    for start in range(0, len(rest), AUDIT_CHUNK):
        _replace_unit_findings(con, reads.load_forms(con, rest[start : start + AUDIT_CHUNK]), {})
    refresh_copied_text(con, config, batches)


def refresh_copied_text(
    con: duckdb.DuckDBPyConnection, config: AuditConfig | None = None, batches: list[int] | None = None
) -> None:
    """Recompute copied_text: a text (domain.copy_key) on the counted forms of two or more projects.

    Equal texts are found by their stored hashes (`copy_keys`), grouped in SQL: no pair of forms is compared
    and no form is loaded. `batches`: only the forms sharing a text with the forms of these imports (or with
    the forms they replaced); None: every form. A project is its identity name with its owner (实施单位, else
    主管部门), so the same project in another year is not a copy, and the same name in another unit is. A
    form's finding counts the other projects of its own unit and of other units; its scheme's
    copied_text_min_chars decides which lengths count.
    """
    config = config or active_config()
    minimum = min(scheme.copied_text_min_chars for scheme in config.schemes)
    affected = None if batches is None else _copied_text_affected(con, batches)  # None: every form
    if affected == []:
        return
    rows = _copied_text_rows(con, affected, minimum)
    found = [
        (form_id, audit.copied_text_check(field, excerpt, length, same, other, example, indicator))
        for form_id, field, length, indicator, excerpt, scheme, same, other, example in rows
        if length >= config.scheme(scheme).copied_text_min_chars
    ]
    writes.replace_rule_checks(con, audit.COPIED_TEXT, affected, found)


def _copied_text_affected(con: duckdb.DuckDBPyConnection, batches: list[int]) -> list[str]:
    """The forms whose copied_text these imports may change: their forms and the forms they replaced, and every form
    sharing a text with those (a holder of a finding shares the text it was about)."""
    if not batches:
        return []
    touched = (
        "SELECT form_id FROM forms WHERE batch_id IN (SELECT unnest(?)) OR superseded_by IN "
        "(SELECT form_id FROM forms WHERE batch_id IN (SELECT unnest(?)))"
    )
    rows = con.execute(
        f"SELECT DISTINCT k.form_id FROM copy_keys k WHERE k.form_id IN ({touched}) OR (k.field, k.key) IN "
        f"(SELECT field, key FROM copy_keys WHERE form_id IN ({touched}))",
        [list(batches)] * 4,  # `touched` twice
    ).fetchall()
    return [row[0] for row in rows]


# Every form's copied_text is found a share of the texts at a time (the texts split by a hash of their key; a
# text's findings need only its own rows): in one pass, the join of every text with its form held more than DuckDB's
# memory limit at 10⁶ forms on a lake (OutOfMemoryException in `audit`).
COPIED_TEXT_PARTS = 8


def _copied_text_rows(con: duckdb.DuckDBPyConnection, affected: list[str] | None, minimum: int) -> list[tuple]:
    """copied_text's rows (form, field, length, indicator, excerpt, scheme, same, other, example) for the forms
    `affected` (None: every form, COPIED_TEXT_PARTS shares of the texts in turn), in form, field and excerpt order."""
    if affected is not None:
        return _copied_text_part(con, affected, minimum, "TRUE")
    rows = [
        row
        for part in range(COPIED_TEXT_PARTS)
        for row in _copied_text_part(con, None, minimum, f"hash(c.key) % {COPIED_TEXT_PARTS} = {part}")
    ]
    return sorted(rows, key=lambda row: (row[0], row[1], row[4] is None, row[4] or ""))  # as ORDER BY, NULLS LAST


def _copied_text_part(
    con: duckdb.DuckDBPyConnection, affected: list[str] | None, minimum: int, share: str
) -> list[tuple]:
    """_copied_text_rows for the texts under `share` (a condition on copy_keys c)."""
    owner = _OWNER_SQL.format(f="f")

    def picked(alias: str) -> str:  # the affected forms' rows of `alias`
        return "TRUE" if affected is None else f"{alias}.form_id IN (SELECT unnest(?))"

    listed = [] if affected is None else [affected]
    return con.execute(
        f"""
        WITH affected_keys AS (  -- the texts of the affected forms: a key's counts need only that key's rows
            SELECT DISTINCT field, key FROM copy_keys c WHERE {picked("c")} AND length >= ? AND {share}
        ), texts AS (
            SELECT k.form_id, k.field, k.key, k.length, k.indicator, k.excerpt, f.project_name, f.scheme,
                   coalesce({owner}, '') AS owner,
                   coalesce(f.identity_name, '') || chr(31) || coalesce({owner}, '') AS project
            FROM copy_keys k JOIN affected_keys a ON a.field = k.field AND a.key = k.key
            JOIN forms f ON f.form_id = k.form_id
            WHERE {reads.counted_sql("f")} AND k.length >= ?
        ), shared AS (
            SELECT field, key, count(DISTINCT project) AS projects,
                   min(project) AS first_project, max(project) AS last_project,
                   arg_min(project_name, project) AS first_name, arg_max(project_name, project) AS last_name
            FROM texts GROUP BY field, key HAVING count(DISTINCT project) > 1
        ), by_owner AS (
            SELECT t.field, t.key, t.owner, count(DISTINCT t.project) AS projects
            FROM texts t JOIN shared s ON s.field = t.field AND s.key = t.key
            GROUP BY t.field, t.key, t.owner
        )
        SELECT t.form_id, t.field, t.length, t.indicator, t.excerpt, t.scheme,
               o.projects - 1 AS same, s.projects - o.projects AS other,
               CASE WHEN t.project = s.first_project THEN s.last_name ELSE s.first_name END AS example
        FROM texts t
        JOIN shared s ON s.field = t.field AND s.key = t.key
        JOIN by_owner o ON o.field = t.field AND o.key = t.key AND o.owner = t.owner
        WHERE {picked("t")}
        ORDER BY t.form_id, t.field, t.excerpt
        """,
        [*listed, minimum, minimum, *listed],
    ).fetchall()


def finish_unit_findings(con: duckdb.DuckDBPyConnection, config: AuditConfig | None = None) -> None:
    """Refresh the unit findings recorded as pending (writes.mark_unit_findings_pending), then clear the record.

    Every write of forms records its pending refresh in its own transaction, so a process killed between
    the write and the refresh leaves the record, and the next call (the next import, or connect.open_db for
    any writer) does the work."""
    pending = writes.unit_findings_pending(con)
    if pending is None:
        return
    refresh_unit_findings(con, config, batches=None if pending.everything else pending.batches)
    writes.clear_unit_findings_pending(con, pending)


def _whole_groups(rows: list[tuple], size: int) -> Iterator[list[str]]:
    """Form ids of (form_id, owner, year) rows, in chunks of whole (owner, year) groups of about `size`."""

    def group(row: tuple) -> tuple[str, int]:  # audit._unit_key's grouping (Python's strip, not SQL's trim)
        return ((row[1] or "").strip(), row[2] if row[2] is not None else -1)

    chunk: list[str] = []
    for _group, members in itertools.groupby(sorted(rows, key=group), key=group):
        ids = [row[0] for row in members]
        if chunk and len(chunk) + len(ids) > size:
            yield chunk
            chunk = []
        chunk.extend(ids)
    if chunk:
        yield chunk


def _replace_unit_findings(con: duckdb.DuckDBPyConnection, forms: list[Form], findings: dict) -> None:
    """Each form's checks with its unit findings replaced by `findings` (form id → checks), where they differ."""
    changed: dict[str, list[Check]] = {}
    for form in forms:
        kept = [check for check in form.checks if check.rule not in audit.UNIT_RULE_IDS]
        new = kept + findings.get(form.id, [])
        if new != form.checks:
            changed[form.id] = new
    if changed:
        writes.replace_checks(con, changed)


# Forms loaded, audited and written back at a time: memory stays bounded whatever the database's size.
AUDIT_CHUNK = 5000
# From this many forms on, worker processes run the rules while this process reads and writes.
PARALLEL_FROM = 2 * AUDIT_CHUNK


def _audit_part(
    stored: reads.StoredRows, config: AuditConfig, scheme: str | None = None
) -> tuple[int, list[tuple[str, list[Check], float | None, str | None]]]:
    """check_form over some stored forms (in a worker process, which also makes the forms of the rows): the
    number audited (`scheme`: only the forms that scheme covers, before or after) and, of the forms whose
    findings, recomputed 总分 or scheme changed, what is to be written back. The findings across forms
    (unit rules, copied_text) are not check_form's: refresh_unit_findings keeps them after the audit."""
    audited, changed = 0, []
    for form in reads.forms_from_rows(stored):
        if scheme is not None and scheme not in (form.scheme, config.scheme_for(form, form.scheme_title).name):
            continue
        own = [check for check in form.checks if check.rule not in _ACROSS_FORMS]
        before = (own, form.recomputed_score, form.scheme)
        check_form(form, config)
        audited += 1
        if (form.checks, form.recomputed_score, form.scheme) != before:
            changed.append((form.id, form.checks, form.recomputed_score, form.scheme))
    return audited, changed


_ACROSS_FORMS = frozenset({*audit.UNIT_RULE_IDS, audit.COPIED_TEXT})


def _write_audited(con: duckdb.DuckDBPyConnection, changed: list[tuple]) -> None:
    if not changed:
        return
    writes.replace_checks(con, {form_id: checks for form_id, checks, _, _ in changed})
    writes.set_recomputed_scores(
        con,
        {form_id: score for form_id, _, score, _ in changed},
        {form_id: scheme for form_id, _, _, scheme in changed},
    )


def audit_database(
    con: duckdb.DuckDBPyConnection,
    config: AuditConfig | None = None,
    scheme: str | None = None,
    workers: int | None = None,
) -> int:
    """Re-run every rule over the stored forms, AUDIT_CHUNK forms at a time; returns the number audited.

    `scheme`: only the forms that scheme covers, before or after (a changed scheme re-runs its forms);
    AuditConfigError where no scheme has that name. Unit findings are refreshed over all forms. A big
    database is audited by `workers` processes (default: one per core), a chunk each, while this process
    reads the next chunk and writes the last one.
    """
    config = config or active_config()
    if scheme is not None and scheme not in config.scheme_names:
        raise AuditConfigError(texts.CLI_AUDIT_NO_SCHEME.format(name=scheme, names="、".join(config.scheme_names)))
    ids = [row[0] for row in con.execute("SELECT form_id FROM forms ORDER BY batch_id, position").fetchall()]
    # This process reads the rows and writes what changed; the forms are made and judged where _audit_part runs.
    chunks = (reads.fetch_form_rows(con, ids[start : start + AUDIT_CHUNK]) for start in range(0, len(ids), AUDIT_CHUNK))
    audited = 0
    if len(ids) < PARALLEL_FROM or workers == 1:
        for stored in chunks:
            count, changed = _audit_part(stored, config, scheme)
            _write_audited(con, changed)
            audited += count
    else:
        slots = workers or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=slots, mp_context=multiprocessing.get_context("spawn")) as pool:
            pending: deque = deque()

            def write_next() -> int:
                count, changed = pending.popleft().result()
                _write_audited(con, changed)
                return count

            for stored in chunks:
                pending.append(pool.submit(_audit_part, stored, config, scheme))
                while len(pending) > slots:  # keep every worker busy, and memory bounded
                    audited += write_next()
            while pending:
                audited += write_next()
    refresh_unit_findings(con, config)
    return audited
