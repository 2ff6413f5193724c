"""The import path: files in, forms checked and stored, one outcome per file.

The only code that writes forms. Used by the command line and the 导入 page alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard import review, store, texts
from dashboard.ingest.files import ReadResult, SafeReader, precheck
from dashboard.model import Form

OUTCOME_IMPORTED = "imported"
OUTCOME_DUPLICATE = "duplicate"
OUTCOME_ERROR = "error"


@dataclass(frozen=True)
class ImportOptions:
    """Values for files that do not print them."""

    year: int | None = None
    department: str | None = None
    unit: str | None = None


@dataclass
class FileOutcome:
    source_file: str
    outcome: str  # imported | duplicate | error
    form_count: int
    message: str  # Chinese, for people

    @property
    def ok(self) -> bool:
        return self.outcome != OUTCOME_ERROR


ProgressCallback = Callable[[int, int, FileOutcome], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def apply_options(form: Form, options: ImportOptions) -> None:
    """Fill year, 主管部门 and 实施单位 where the form does not print them."""
    if form.year is None:
        form.year = options.year
    if not form.department:
        form.department = options.department
    if not form.unit:
        form.unit = options.unit


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[Path, str]],
    options: ImportOptions = ImportOptions(),
    on_progress: ProgressCallback | None = None,
    reader: SafeReader | None = None,
) -> list[FileOutcome]:
    """Import (path, name shown to the user) pairs; one outcome per file, in order.

    Each file is stored in one transaction (all its forms or none). Content already
    imported (same sha256) is not stored again. Unit-level audit findings are refreshed
    once at the end.
    """
    plan = _plan(con, files)
    to_read = [(path, name) for path, name, outcome, _ in plan if outcome is None]
    owns_reader = reader is None
    reader = reader or SafeReader()
    outcomes: list[FileOutcome] = []
    try:
        results = reader.read_all(to_read)
        for _path, _name, outcome, sha256 in plan:
            if outcome is None:
                outcome = _store_result(con, next(results), sha256, options)
            outcomes.append(outcome)
            if on_progress:
                on_progress(len(outcomes), len(plan), outcome)
    finally:
        if owns_reader:
            reader.close()
    if any(outcome.outcome == OUTCOME_IMPORTED for outcome in outcomes):
        review.refresh_unit_findings(con)
    return outcomes


def outcomes_summary(outcomes: list[FileOutcome]) -> str:
    """One line for a whole run: files, forms imported, duplicates, errors."""

    def count(kind: str) -> int:
        return sum(outcome.outcome == kind for outcome in outcomes)

    return texts.IMPORT_SUMMARY.format(
        files=len(outcomes),
        imported=count(OUTCOME_IMPORTED),
        forms=sum(outcome.form_count for outcome in outcomes),
        duplicates=count(OUTCOME_DUPLICATE),
        errors=count(OUTCOME_ERROR),
    )


def _plan(con, files: list[tuple[Path, str]]) -> list[tuple[Path, str, FileOutcome | None, str | None]]:
    """Decide before parsing: refused files and duplicates get their outcome now."""
    plan = []
    seen: dict[str, str] = {}
    for path, name in files:
        reason = precheck(path)
        if reason is not None:
            plan.append((path, name, _failure(con, name, None, reason), None))
            continue
        sha256 = file_sha256(path)
        earlier = store.find_imported(con, sha256) or seen.get(sha256)
        if earlier is not None:
            message = texts.OUTCOME_DUPLICATE_OF.format(name=earlier)
            plan.append((path, name, FileOutcome(name, OUTCOME_DUPLICATE, 0, message), sha256))
            continue
        seen[sha256] = name
        plan.append((path, name, None, sha256))
    return plan


def _store_result(con, result: ReadResult, sha256: str, options: ImportOptions) -> FileOutcome:
    if result.error is not None:
        return _failure(con, result.source_file, sha256, result.error)
    for form in result.forms:
        apply_options(form, options)
        review.check_form(form)
    try:
        store.save_file(con, result.source_file, sha256, result.forms)
    except duckdb.Error as error:
        return _failure(con, result.source_file, sha256, texts.REASON_STORE_FAILED.format(detail=error))
    count = len(result.forms)
    return FileOutcome(result.source_file, OUTCOME_IMPORTED, count, texts.OUTCOME_IMPORTED.format(count=count))


def _failure(con, name: str, sha256: str | None, reason: str) -> FileOutcome:
    store.record_failure(con, name, sha256, reason)
    return FileOutcome(name, OUTCOME_ERROR, 0, texts.OUTCOME_ERROR.format(reason=reason))
