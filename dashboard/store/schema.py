"""The tables: their DDL and version, the columns each holds, and the error a database that cannot be
used raises (StoreError)."""

from __future__ import annotations

import duckdb

from dashboard.core.transactions import first_row

# The schema this code writes. Bump it with every change below, and add the step in `migrations.MIGRATIONS`.
SCHEMA_VERSION = 17

# Columns stored as SQL gives them from what was read (writes.insert_registered, migrations._migrate_13_to_14): a
# printed 主管部门 and 实施单位 keep no spaces at their ends (DuckDB's trim(): spaces and other space separators
# such as U+3000, not tabs or line breaks), so the page SQL compares and joins them as stored, with no trim() on
# every row of every query.
STORED_AS = {"forms": {"department": "trim({value})", "unit": "trim({value})"}}  # {value}: the value as read


# Cells read by OCR (a form's scanned pages): also created by migrations._migrate_9_to_10.
OCR_CELLS_DDL = """
CREATE TABLE IF NOT EXISTS ocr_cells (
    form_id        VARCHAR NOT NULL,    -- a form read by OCR: every cell of its scanned pages
    position       INTEGER NOT NULL,
    page           INTEGER NOT NULL,
    x0 DOUBLE, top DOUBLE, x1 DOUBLE, bottom DOUBLE,  -- the cell's box in PDF points on the straightened page
    text           VARCHAR NOT NULL,    -- as read
    confidence     DOUBLE NOT NULL,     -- 0–1, the lowest of its lines
    crop           BLOB,                -- the cell's image (PNG): cells with a digit or read without confidence
    confirmed_text VARCHAR,             -- what a person confirmed or corrected it to, who and when
    confirmed_by   VARCHAR,
    confirmed_at   TIMESTAMP
);
"""

# The page blocks a form read by OCR was read from (JSON: ocr_scan.block_record each), read again when a person
# corrects a cell (importing/ocr_confirm.py). Also created by migrations._migrate_12_to_13.
OCR_BLOCKS_DDL = """
CREATE TABLE IF NOT EXISTS ocr_blocks (
    form_id VARCHAR NOT NULL,
    blocks  VARCHAR NOT NULL            -- JSON list of {"page", "top", "texts", "boxes"}
);
"""

# The finance bureau's cycle after the self-evaluation (issue 20): 抽查复核 plans, the forms they sampled and the
# reviewer's values per row; 整改 items and their history. Also created by migrations._migrate_11_to_12.
# A sampled form or an item points at a form version (`form_id`); removing the import of that version moves
# it to the version it replaced (writes.remove_batch), and what people read (names, scores, rows) is copied
# in, so no plan or item is orphaned. `version` counts saves: a save naming an older one is refused.
CYCLE_DDL = """
CREATE SEQUENCE IF NOT EXISTS spot_plan_seq;
CREATE TABLE IF NOT EXISTS spot_plans (
    plan_id      BIGINT NOT NULL DEFAULT nextval('spot_plan_seq'),
    name         VARCHAR NOT NULL,
    rule         VARCHAR NOT NULL,      -- JSON: options, seed and the order of choice (audit/spot_check.py)
    created_by   VARCHAR,
    created_at   TIMESTAMP NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS spot_entry_seq;
CREATE TABLE IF NOT EXISTS spot_entries (  -- one sampled form of a plan
    entry_id     BIGINT NOT NULL DEFAULT nextval('spot_entry_seq'),
    plan_id      BIGINT NOT NULL,
    form_id      VARCHAR NOT NULL,      -- the version sampled (moved to the one it replaced if its import is removed)
    position     INTEGER NOT NULL,      -- order of choice in the plan
    basis        VARCHAR NOT NULL,      -- spot_check.Basis: risk | amount | coverage | random
    basis_note   VARCHAR NOT NULL,      -- why this form, in words
    year         INTEGER,               -- the form as sampled
    department   VARCHAR,
    unit         VARCHAR,
    project_name VARCHAR NOT NULL,
    self_score   DOUBLE,
    not_graded   VARCHAR,
    budget       DECIMAL(18, 2),
    reviewer     VARCHAR,               -- 复核人, 复核日期, 结论 as the reviewer wrote them
    reviewed_on  DATE,
    conclusion   VARCHAR,
    reviewed_score DOUBLE,              -- 复核总分; NULL: not reviewed
    saved_by     VARCHAR,               -- the account (or CLI --by) that saved the review, and when
    saved_at     TIMESTAMP,
    version      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS spot_rows (     -- the reviewer's values on the rows of a sampled form
    entry_id     BIGINT NOT NULL,
    position     INTEGER NOT NULL,      -- indicator position (1-based); 0: the 年度资金总额 row
    name         VARCHAR,               -- the row as sampled
    weight       DOUBLE,
    self_score   DOUBLE,
    reviewed_actual VARCHAR,            -- 复核完成值
    reviewed_score  DOUBLE,             -- 复核得分; NULL keeps the self-score
    note         VARCHAR                -- 复核意见
);
CREATE SEQUENCE IF NOT EXISTS rectify_seq;
CREATE TABLE IF NOT EXISTS rectify_items (
    item_id      BIGINT NOT NULL DEFAULT nextval('rectify_seq'),
    form_id      VARCHAR,               -- NULL: a problem of a unit, not of one form
    year         INTEGER,
    department   VARCHAR,
    unit         VARCHAR NOT NULL,      -- the responsible unit
    project_name VARCHAR,
    source       VARCHAR NOT NULL,      -- rectify.Source: finding | signal | spot_check | manual
    source_ref   VARCHAR,               -- the rule id or the plan's name
    problem      VARCHAR NOT NULL,
    due          DATE,
    status       VARCHAR NOT NULL,      -- domain.RectifyStatus
    created_by   VARCHAR,
    created_at   TIMESTAMP NOT NULL,
    updated_by   VARCHAR,
    updated_at   TIMESTAMP,
    version      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS rectify_history (
    item_id      BIGINT NOT NULL,
    seq          INTEGER NOT NULL,
    acted_at     TIMESTAMP NOT NULL,
    actor        VARCHAR,
    action       VARCHAR NOT NULL,      -- rectify.Action: add | feedback | verify | return
    status       VARCHAR NOT NULL,      -- the status after it
    text         VARCHAR,
    attachment_name VARCHAR,            -- the file's own name, cleaned for display
    attachment_file VARCHAR             -- its generated name in the attachments folder
);
"""

UNIT_FINDINGS_MARKS_DDL = """
-- Unit findings still to refresh (store/writes.py mark_unit_findings_pending): rows are only ever added, one
-- per write of forms and one when its refresh is done, so writers on a lake never conflict over them.
CREATE TABLE IF NOT EXISTS unit_findings_marks (
    token   VARCHAR NOT NULL,           -- one per write of forms
    batches VARCHAR,                    -- JSON list of import batch ids; NULL: every group; '' on a done row
    done    BOOLEAN NOT NULL            -- false: to refresh; true: the refresh of `token` is done
);
"""

SCHEMA = (
    OCR_CELLS_DDL
    + CYCLE_DDL
    + OCR_BLOCKS_DDL
    + UNIT_FINDINGS_MARKS_DDL
    + """
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS batch_id_seq;
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id     BIGINT PRIMARY KEY DEFAULT nextval('batch_id_seq'),
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR,
    imported_at  TIMESTAMP NOT NULL,
    outcome      VARCHAR NOT NULL,      -- imported | partial (stored, with problems) | error | removed
    form_count   INTEGER NOT NULL,
    message      VARCHAR,
    new_count        INTEGER,           -- forms seen for the first time
    replaced_count   INTEGER,           -- forms that replaced a stored version
    duplicate_count  INTEGER,           -- forms held as 可能重复 for a person to settle
    incomplete_count INTEGER,
    imported_by  VARCHAR,
    removed_at   TIMESTAMP
);
CREATE TABLE IF NOT EXISTS forms (
    form_id          VARCHAR PRIMARY KEY,
    batch_id         BIGINT NOT NULL,
    position         INTEGER NOT NULL,  -- the form's place in its file
    source_file      VARCHAR NOT NULL,
    source_pages     INTEGER[],
    year             INTEGER,
    department       VARCHAR,           -- as printed, without spaces at its ends (STORED_AS)
    unit             VARCHAR,           -- likewise
    project_name     VARCHAR NOT NULL,
    project_type     VARCHAR NOT NULL,
    status           VARCHAR,
    project_amount   DECIMAL(18, 2),
    unit_printed     VARCHAR NOT NULL,
    goal_expected    VARCHAR,
    goal_actual      VARCHAR,
    total_weight     DOUBLE,
    total_score      DOUBLE,
    recomputed_score DOUBLE,            -- the 总分 the scoring rules give (audit)
    form_kind        VARCHAR DEFAULT 'project',
    project_code     VARCHAR,
    scheme           VARCHAR,           -- the scoring scheme the audit used
    complete         BOOLEAN DEFAULT true,
    exec_rate        DOUBLE,            -- domain.execution_rate of the 年度资金总额 row
    superseded_by    VARCHAR,           -- the version that replaced this one; NULL while current
    replaces         VARCHAR,           -- the version this one replaced
    changes          VARCHAR,           -- JSON list: what changed against the replaced version
    pending_duplicate BOOLEAN DEFAULT false,  -- 可能重复: waits for a person to settle it
    identity_name    VARCHAR,           -- domain.identity_text of the fields that identify a form
    identity_department VARCHAR,
    identity_unit    VARCHAR,
    identity_code    VARCHAR,
    indicator_count  INTEGER DEFAULT 0, -- sums of the form's indicator rows (FORM_INDICATOR_SUMS_SQL),
    deducted_count   INTEGER DEFAULT 0, -- stored so that pages sum forms, not millions of indicators
    points_lost      DOUBLE DEFAULT 0,
    unexplained_count INTEGER DEFAULT 0,
    error_count      INTEGER DEFAULT 0, -- the form's findings per severity (FORM_FINDING_COUNTS_SQL), stored so
    warning_count    INTEGER DEFAULT 0, -- that pages rank and sum forms, not every finding
    info_count       INTEGER DEFAULT 0,
    signal_count     INTEGER DEFAULT 0, -- its findings of a risk signal (domain.RISK_SIGNAL_IDS), likewise
    budget           DECIMAL(18, 2),    -- the 年度资金总额 row's 全年预算数 and 全年执行数 (fund_rows 'total'),
    executed         DECIMAL(18, 2),    -- kept with the form so that totals need no join
    not_graded       VARCHAR,           -- domain.not_graded_reason: why the 总分 is not graded; NULL: graded
    scheme_title     VARCHAR,           -- the printed title that chose `scheme` (its layout); NULL: 主管部门 or default
    read_by          VARCHAR,           -- how its cells were read: pdf | text | xlsx | docx | ocr
    ocr_confirmed_by VARCHAR,           -- read by OCR: who confirmed its held cells, and when
    ocr_confirmed_at TIMESTAMP,
    shown_department VARCHAR,           -- the 主管部门, 实施单位 and project type as every view shows them, from the
    shown_unit       VARCHAR,           -- reference data (reference/shown.py, which keeps them in step); what
    shown_type       VARCHAR            -- the form printed stays in department, unit and project_type
);
CREATE TABLE IF NOT EXISTS fund_rows (
    form_id        VARCHAR NOT NULL,
    row_key        VARCHAR NOT NULL,    -- total | current_year | carryover | other
    position       INTEGER NOT NULL,
    initial_budget DECIMAL(18, 2),
    annual_budget  DECIMAL(18, 2),
    executed       DECIMAL(18, 2),
    weight         DOUBLE,
    rate_pct       DOUBLE,
    score          DOUBLE
);
CREATE TABLE IF NOT EXISTS indicators (
    form_id   VARCHAR NOT NULL,
    position  INTEGER NOT NULL,
    level1    VARCHAR,
    level2    VARCHAR,
    name      VARCHAR,
    target    VARCHAR,
    actual    VARCHAR,
    weight    DOUBLE,
    score     DOUBLE,
    reason    VARCHAR,
    target_parts VARCHAR,               -- JSON {"op", "value", "unit"} or NULL
    deducted     BOOLEAN,               -- domain.is_deducted
    points_lost  DOUBLE,                -- domain.points_lost
    no_reason    BOOLEAN,               -- domain.is_no_reason (of the reason, deducted or not)
    not_measured BOOLEAN,               -- domain.is_not_measured (of the actual)
    ocr_confidence DOUBLE               -- read by OCR: the lowest confidence of the row's cells (0–1)
);
CREATE TABLE IF NOT EXISTS checks (
    form_id    VARCHAR NOT NULL,
    position   INTEGER NOT NULL,
    rule       VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL,
    indicator  VARCHAR,
    message    VARCHAR NOT NULL,
    claimed    DOUBLE,
    recomputed DOUBLE
);
CREATE TABLE IF NOT EXISTS copy_keys (   -- texts copied_text compares (domain.copy_key), one row per form and text
    form_id    VARCHAR NOT NULL,
    field      VARCHAR NOT NULL,        -- domain.COPY_FIELDS: reason | goal_expected | goal_actual
    key        VARCHAR NOT NULL,        -- hash of domain.copy_text: equal texts, equal keys
    length     INTEGER NOT NULL,        -- characters of domain.copy_text
    indicator  VARCHAR,                 -- the first indicator giving this reason; NULL for the goals
    excerpt    VARCHAR NOT NULL         -- the text as printed, its beginning
);
CREATE TABLE IF NOT EXISTS duplicate_candidates (
    form_id      VARCHAR NOT NULL,      -- a form held as 可能重复
    candidate_id VARCHAR NOT NULL       -- a stored form it may replace
);
"""
)


FORM_COLUMNS = [
    "form_id", "batch_id", "position", "source_file", "source_pages", "year", "department", "unit",
    "project_name", "project_type", "status", "project_amount", "unit_printed", "goal_expected",
    "goal_actual", "total_weight", "total_score", "recomputed_score", "form_kind", "project_code", "scheme",
    "complete", "exec_rate", "superseded_by", "replaces", "changes", "pending_duplicate",
    "identity_name", "identity_department", "identity_unit", "identity_code", "budget", "executed", "not_graded",
    "scheme_title", "read_by", "ocr_confirmed_by", "ocr_confirmed_at",
]  # fmt: skip


FUND_COLUMNS = ["initial_budget", "annual_budget", "executed", "weight", "rate_pct", "score"]


INDICATOR_COLUMNS = ["level1", "level2", "name", "target", "actual", "weight", "score", "reason"]


INDICATOR_DERIVED = ["target_parts", "deducted", "points_lost", "no_reason", "not_measured"]


INDICATOR_OCR = ["ocr_confidence"]


OCR_BLOCK_COLUMNS = ["form_id", "blocks"]


OCR_CELL_COLUMNS = [
    "form_id", "position", "page", "x0", "top", "x1", "bottom", "text", "confidence", "crop", "confirmed_text",
    "confirmed_by", "confirmed_at",
]  # fmt: skip


COPY_KEY_COLUMNS = ["form_id", "field", "key", "length", "indicator", "excerpt"]


CHECK_COLUMNS = ["rule", "severity", "indicator", "message", "claimed", "recomputed"]


class StoreError(Exception):
    """The database cannot be opened or written; the message says why and what to do.

    `kind` says which: LOCKED (another program writes it), DAMAGED, NOT_DUCKDB, TOO_NEW, TOO_OLD, or "".
    """

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind


# What is wrong with a database file that cannot be opened (StoreError.kind).
LOCKED, DAMAGED, NOT_DUCKDB, TOO_NEW, TOO_OLD = "locked", "damaged", "not_duckdb", "too_new", "too_old"


# No page can use the file, and waiting does not help: it must be replaced, or the program upgraded. (A file
# of an older version, TOO_OLD, the 导入 page's writer migrates.)
BROKEN_KINDS = (DAMAGED, NOT_DUCKDB, TOO_NEW)


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The file's schema version: None for an empty file, 1 for files made before versions were recorded."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "meta" in tables:
        row = first_row(con, "SELECT value FROM meta WHERE key = 'schema_version'")
        if row:
            return int(row[0])
    return 1 if "forms" in tables else None
