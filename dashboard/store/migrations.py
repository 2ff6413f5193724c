"""Schema migrations, one function per step: `MIGRATIONS[n]` brings a version-n database to n + 1
(run by connect.open_db inside one transaction)."""

from __future__ import annotations

import pandas as pd

from dashboard.core import domain
from dashboard.core.transactions import only_row
from dashboard.reference import reference, shown
from dashboard.security import signin_guard
from dashboard.store import writes
from dashboard.store.reads import load_forms
from dashboard.store.schema import (
    COPY_KEY_COLUMNS,
    CYCLE_DDL,
    OCR_BLOCKS_DDL,
    OCR_CELLS_DDL,
    STORED_AS,
    UNIT_FINDINGS_MARKS_DDL,
)
from dashboard.store.writes import FORM_SUM_COLUMNS, refresh_derived, refresh_indicator_sums, update_from_frame


def add_columns(con, table: str, columns: list[str], if_missing: bool = False) -> None:
    """ALTER TABLE … ADD COLUMN for each "name TYPE [DEFAULT value]", existing rows given the default.

    A default is set after the column is added, and existing rows filled by one UPDATE after every ALTER:
    DuckDB 1.5 cannot commit a transaction in which a column added with a DEFAULT is followed by another ALTER
    and an UPDATE of the table (the table and its rows end the same as with ADD COLUMN … DEFAULT). `if_missing`:
    a column already there is kept (files made before version 6 got their forms table anew from today's DDL)."""
    defaults = {}
    for column in columns:
        definition, _, default = column.partition(" DEFAULT ")
        con.execute(f"ALTER TABLE {table} ADD COLUMN {'IF NOT EXISTS ' if if_missing else ''}{definition}")
        if default:
            name = definition.split()[0]
            con.execute(f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {default}")
            defaults[name] = default
    if defaults:
        con.execute(f"UPDATE {table} SET " + ", ".join(f"{name} = {value}" for name, value in defaults.items()))


def _migrate_1_to_2(con) -> None:
    """Version 1 (no versions, no derived columns): add the columns, then fill them from the rows."""
    added = {
        "import_batches": ["new_count INTEGER", "replaced_count INTEGER", "duplicate_count INTEGER",
                           "incomplete_count INTEGER", "imported_by VARCHAR", "removed_at TIMESTAMP"],
        "forms": ["form_kind VARCHAR DEFAULT 'project'", "project_code VARCHAR", "scheme VARCHAR",
                  "complete BOOLEAN DEFAULT true", "exec_rate DOUBLE", "superseded_by VARCHAR", "replaces VARCHAR",
                  "changes VARCHAR", "pending_duplicate BOOLEAN DEFAULT false", "identity_name VARCHAR",
                  "identity_department VARCHAR", "identity_unit VARCHAR", "identity_code VARCHAR"],
        "indicators": ["target_parts VARCHAR", "deducted BOOLEAN", "points_lost DOUBLE", "no_reason BOOLEAN",
                       "not_measured BOOLEAN"],
    }  # fmt: skip
    for table, columns in added.items():
        add_columns(con, table, columns)
    con.execute("UPDATE import_batches SET new_count = form_count WHERE outcome = 'imported'")
    ids = [row[0] for row in con.execute("SELECT form_id FROM forms ORDER BY form_id").fetchall()]
    for start in range(0, len(ids), _MIGRATION_CHUNK):
        refresh_derived(con, load_forms(con, ids[start : start + _MIGRATION_CHUNK]))


def _migrate_2_to_3(con) -> None:
    """Version 3 adds the reference tables (organisations, project types); reference.ensure_schema, which
    every writer's open runs next, creates and fills them. The step exists so that a reader of a version-2
    file, which has none of them, is told to migrate instead of failing on the page queries' joins."""


def _migrate_3_to_4(con) -> None:
    """Version 4 stores each form's indicator sums as columns of `forms`."""
    add_columns(con, "forms", FORM_SUM_COLUMNS)
    refresh_indicator_sums(con)


def _migrate_4_to_5(con) -> None:
    """Version 5 keeps the 年度资金总额 row's 全年预算数 and 全年执行数 in `forms`."""
    con.execute("ALTER TABLE forms ADD COLUMN budget DECIMAL(18, 2)")
    con.execute("ALTER TABLE forms ADD COLUMN executed DECIMAL(18, 2)")
    con.execute(
        "UPDATE forms SET budget = t.annual_budget, executed = t.executed FROM fund_rows t "
        "WHERE t.form_id = forms.form_id AND t.row_key = 'total'"
    )


def _migrate_5_to_6(con) -> None:
    """Version 6 stores 项目金额 in 元 where the form printed it in 万元 (earlier readers stored the printed figure).

    A stored form keeps no label of its 项目金额, so the unit is told by the form's own money: the figure was
    printed in 万元 when, taken as 万元, it lies within a factor of 100 of the form's largest fund amount
    (年初预算数, 全年预算数 or 全年执行数 of any fund row, stored in 元), and taken as 元 it does not (it would be
    less than a hundredth of it). The two readings differ by 10 000, so no figure meets both; a form with no
    fund amount above zero, or 项目金额 0, is left as stored.
    """
    con.execute(
        f"""
        UPDATE forms SET project_amount = CAST(CAST(forms.project_amount AS DECIMAL(38, 2)) * 10000 AS DECIMAL(18, 2))
        FROM (
            SELECT form_id, max(greatest(coalesce(abs(initial_budget), 0), coalesce(abs(annual_budget), 0),
                                         coalesce(abs(executed), 0))) AS largest
            FROM fund_rows GROUP BY form_id
        ) AS money
        WHERE money.form_id = forms.form_id AND money.largest > 0 AND forms.project_amount > 0
          AND forms.project_amount * 10000 >= money.largest / 100
          AND forms.project_amount * 10000 <= money.largest * 100
          AND forms.project_amount * 10000 < {int(domain.MAX_AMOUNT_YUAN)}
        """
    )


def _migrate_6_to_7(con) -> None:
    """Version 7 keeps with each form why its 总分 is not graded (domain.not_graded_reason), read from its rows."""
    con.execute("ALTER TABLE forms ADD COLUMN IF NOT EXISTS not_graded VARCHAR")
    ids = [row[0] for row in con.execute("SELECT form_id FROM forms ORDER BY form_id").fetchall()]
    for start in range(0, len(ids), _MIGRATION_CHUNK):
        forms = load_forms(con, ids[start : start + _MIGRATION_CHUNK])
        frame = pd.DataFrame(
            [[form.id, domain.not_graded_reason(form)] for form in forms],
            columns=["form_id", "not_graded"],
            dtype=object,
        )
        update_from_frame(con, "forms", frame, "not_graded = d.not_graded", "forms.form_id = d.form_id")


def _migrate_7_to_8(con) -> None:
    """Version 8 gives each account a credential stamp (a password or role change ends its sessions) and
    adds the sign-in log (dashboard/security/signin_guard.py). Stamps start at 0: sessions signed in before keep on
    until the account's next change."""
    users = only_row(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'users'")
    if users[0]:
        con.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS credential_stamp BIGINT DEFAULT 0")
    con.execute(signin_guard.SIGNIN_LOG_DDL)


def _migrate_8_to_9(con) -> None:
    """Version 9 stores the printed title that chose each form's scheme (`forms.scheme_title`), which
    re-audits pass to the scheme choice so that a layout's scheme (四川's title) is kept. Earlier versions
    stored no title: their forms get NULL (the scheme comes from the 主管部门 setting or the default)."""
    con.execute("ALTER TABLE forms ADD COLUMN IF NOT EXISTS scheme_title VARCHAR")


def _migrate_9_to_10(con) -> None:
    """Version 10 reads scans by OCR: each form says how it was read (`forms.read_by`; earlier forms by their
    file's suffix, none of them by OCR), who confirmed its held OCR cells and when, each indicator its OCR
    confidence, and the cells read by OCR have their own table (text, confidence, box, image, confirmation)."""
    for column in ("read_by VARCHAR", "ocr_confirmed_by VARCHAR", "ocr_confirmed_at TIMESTAMP"):
        con.execute(f"ALTER TABLE forms ADD COLUMN IF NOT EXISTS {column}")
    con.execute("ALTER TABLE indicators ADD COLUMN IF NOT EXISTS ocr_confidence DOUBLE")
    con.execute(
        """
        UPDATE forms SET read_by = CASE
            WHEN lower(source_file) LIKE '%.pdf' THEN 'pdf'
            WHEN lower(source_file) LIKE '%.xlsx' THEN 'xlsx'
            WHEN lower(source_file) LIKE '%.docx' THEN 'docx'
            WHEN lower(source_file) LIKE '%.txt' THEN 'text'
        END
        """
    )
    con.execute(OCR_CELLS_DDL)


def _migrate_10_to_11(con) -> None:
    """Version 11 keeps the hashes of each form's texts that copied_text compares (`copy_keys`, filled from
    the stored forms a chunk at a time) and asks for the cross-form findings to be refreshed (the next
    writer's open does it: review.finish_unit_findings)."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS copy_keys (form_id VARCHAR NOT NULL, field VARCHAR NOT NULL, "
        "key VARCHAR NOT NULL, length INTEGER NOT NULL, indicator VARCHAR, excerpt VARCHAR NOT NULL)"
    )
    con.execute("DELETE FROM copy_keys")  # filled from the forms, whatever a file marked older held
    ids = [row[0] for row in con.execute("SELECT form_id FROM forms ORDER BY form_id").fetchall()]
    for start in range(0, len(ids), _MIGRATION_CHUNK):
        rows = [
            row for form in load_forms(con, ids[start : start + _MIGRATION_CHUNK]) for row in writes.copy_key_rows(form)
        ]
        if rows:
            frame = pd.DataFrame(rows, columns=COPY_KEY_COLUMNS, dtype=object)
            con.register("copy_key_frame", frame)
            try:
                con.execute("INSERT INTO copy_keys SELECT * FROM copy_key_frame")
            finally:
                con.unregister("copy_key_frame")
    # A version-1 file has no `meta` yet (open_db creates the rest of the schema after the steps).
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute(UNIT_FINDINGS_MARKS_DDL)  # (made here for this step; SCHEMA makes it on every writer's open)
    writes.mark_unit_findings_pending(con, None)


def _migrate_11_to_12(con) -> None:
    """Version 12 adds the cycle after the self-evaluation (issue 20): 抽查复核 plans, their sampled forms and the
    reviewer's row values, and the 整改 ledger with its history (schema.CYCLE_DDL). Nothing is filled in."""
    con.execute(CYCLE_DDL)


def _migrate_12_to_13(con) -> None:
    """Version 13 keeps the page blocks each form read by OCR was read from (`ocr_blocks`), so that a person's
    correction of a held cell is read again by the grid reader. Forms read by OCR before keep none: they can be
    confirmed as read, not corrected (import the file again to correct them)."""
    con.execute(OCR_BLOCKS_DDL)


def _migrate_13_to_14(con) -> None:
    """Version 14 stores a printed 主管部门 and 实施单位 without spaces at their ends (schema.STORED_AS), as the page
    SQL compared them before (trim() on every row of every query), so no total and no grouping changes."""
    for column in STORED_AS["forms"]:
        stored = writes.stored_sql("forms", column, column)
        con.execute(f"UPDATE forms SET {column} = {stored} WHERE {column} IS DISTINCT FROM {stored}")


def _migrate_14_to_15(con) -> None:
    """Version 15 keeps on each form the 主管部门, 实施单位 and project type as every view shows them
    (reference/shown.py), which the page SQL resolved for every form on every query: filled here from the
    reference data (its tables made first where no writer has made them yet: empty, they show what was printed)."""
    add_columns(con, "forms", [f"{column} VARCHAR" for column in shown.COLUMNS], if_missing=True)
    reference.create_tables(con)
    shown.sync(con)


def _migrate_15_to_16(con) -> None:
    """Version 16 keeps each form's findings per severity (writes.FORM_FINDING_COUNTS_SQL), which the 复核 page and
    the form listings counted from every finding on every query."""
    add_columns(con, "forms", writes.FINDING_COUNT_COLUMNS, if_missing=True)
    writes.refresh_finding_counts(con)


def _migrate_16_to_17(con) -> None:
    """Version 17 keeps each form's findings of a risk signal too (writes.SIGNAL_COUNT), which the 复核 page's
    风险信号 view ranked and counted from every signal's finding on every query. (Step 15 → 16 adds the stored
    counts' whole list, this one included: from version 15 both steps recount.)"""
    signal = [column for column in writes.FINDING_COUNT_COLUMNS if column.split()[0] == writes.SIGNAL_COUNT]
    add_columns(con, "forms", signal, if_missing=True)
    writes.refresh_finding_counts(con)


MIGRATIONS = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
    4: _migrate_4_to_5,
    5: _migrate_5_to_6,
    6: _migrate_6_to_7,
    7: _migrate_7_to_8,
    8: _migrate_8_to_9,
    9: _migrate_9_to_10,
    10: _migrate_10_to_11,
    11: _migrate_11_to_12,
    12: _migrate_12_to_13,
    13: _migrate_13_to_14,
    14: _migrate_14_to_15,
    15: _migrate_15_to_16,
    16: _migrate_16_to_17,
}


_MIGRATION_CHUNK = 2000
