"""The import path: files in, forms checked and stored, one outcome per file.

The only code that writes forms. Used by the command line and the 导入 page alike.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import duckdb

from dashboard.audit import review
from dashboard.core import dialect, domain, texts
from dashboard.core.domain import Outcome
from dashboard.core.model import Form
from dashboard.core.transactions import is_conflict
from dashboard.importing import versions
from dashboard.ingest import pages
from dashboard.ingest.files import ReadResult, SafeReader, precheck
from dashboard.reference import reference
from dashboard.store import connect, lake, reads, writes

_LOG = logging.getLogger(__name__)
_T = TypeVar("_T")

# A DuckLake takes many writers: a step whose commit meets another writer's conflicting change (both settled
# the same meta row, say) runs again, on the newer snapshot, up to this many times, after a short random wait.
CONFLICT_ATTEMPTS = 8
CONFLICT_WAIT_SECONDS = 0.2


@dataclass(frozen=True)
class ImportOptions:
    """Values for files that do not print them."""

    year: int | None = None
    department: str | None = None
    unit: str | None = None
    imported_by: str | None = None  # the signed-in account, recorded with the import


@dataclass
class FileOutcome:
    source_file: str
    outcome: Outcome  # never REMOVED: an import is undone later
    form_count: int
    message: str  # Chinese, for people
    placed: dict[str, int] = field(default_factory=dict)  # new / replaced / duplicate / incomplete counts
    details: list[str] = field(default_factory=list)  # one line per replaced form: what changed
    batch_id: int | None = None
    skipped_pages: str | None = None  # the pages that hold no form and why ("另有 4 页不是自评表 …")

    @property
    def ok(self) -> bool:
        return self.outcome not in (Outcome.ERROR, Outcome.PARTIAL)


ProgressCallback = Callable[[int, int, FileOutcome], None]
PageCallback = Callable[[str, int, int], None]


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
    database: duckdb.DuckDBPyConnection | connect.StepWriter,
    files: list[tuple[Path, str]],
    options: ImportOptions = ImportOptions(),
    on_progress: ProgressCallback | None = None,
    reader: SafeReader | None = None,
    on_page: PageCallback | None = None,
) -> list[FileOutcome]:
    """Import (path, name shown to the user) pairs; one outcome per file, in order. `on_page` hears of each scanned
    page read by OCR: (name, pages read, pages of the file; 0 where an image file's pages are not yet known).

    Each file is stored in one transaction (all its forms or none), which also records that the unit-level
    audit findings of its groups are to be refreshed; they are refreshed once at the end (a killed run's
    record is finished by the next writer). Content already imported (same sha256) is not stored again.

    `database`: a connection the caller holds throughout, or a `connect.StepWriter`, which holds
    the file only while a file's forms are placed and stored (never while files are parsed),
    so that readers in other processes read on during the import.
    """
    # On a DuckLake other importers store forms at the same time: each stored file is checked against theirs.
    on_lake = lake.is_lake(database.path) if isinstance(database, connect.StepWriter) else dialect.is_lake(database)
    with database if isinstance(database, connect.StepWriter) else nullcontext():  # one import at a time
        if reader is None:
            with SafeReader(on_page=on_page) as own:
                return _import(_steps(database), files, options, on_progress, own, on_lake)
        reader.on_page = on_page or reader.on_page
        return _import(_steps(database), files, options, on_progress, reader, on_lake)


def _import(
    step: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    files: list[tuple[Path, str]],
    options: ImportOptions,
    on_progress: ProgressCallback | None,
    reader: SafeReader | None,
    on_lake: bool = False,
) -> list[FileOutcome]:
    hashes = {path: file_sha256(path) for path, _name in files if precheck(path) is None}  # no connection open
    plan = _retried(step, lambda con: _plan(con, files, hashes))
    to_read = [(path, name) for path, name, decided in plan if isinstance(decided, str)]
    owns_reader = reader is None
    reader = reader or SafeReader()
    outcomes: list[FileOutcome] = []
    try:
        results = reader.read_all(to_read)
        for _path, _name, decided in plan:
            if isinstance(decided, str):  # its sha256: read it now
                result = _checked(next(results), options)  # parsed and checked with no connection open
                outcome, placements = _retried(step, lambda con: _store_result(con, result, decided, options))  # noqa: B023
                if outcome.batch_id is not None and placements and on_lake:
                    outcome = _retried(step, lambda con: _recheck(con, result, outcome, placements))  # noqa: B023
            else:
                outcome = decided
            outcomes.append(outcome)
            if on_progress:
                on_progress(len(outcomes), len(plan), outcome)
    finally:
        if owns_reader:
            reader.close()
    stored = [o.batch_id for o in outcomes if o.outcome in (Outcome.IMPORTED, Outcome.PARTIAL) and o.batch_id]

    def finish(con: duckdb.DuckDBPyConnection) -> None:
        # The reference data of what the new forms print, then only the (unit, year) groups of the stored forms, as
        # recorded with each file (and any work a killed import left undone). In this order: the record stays until
        # both are done, and a writer's open redoes the reference step for the imports it still lists.
        if stored:
            reference.refresh(con, stored)  # organisations, project types and reasons of what the new forms print
        review.finish_unit_findings(con)

    _retried(step, finish)
    return outcomes


def _retried(
    step: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    work: Callable[[duckdb.DuckDBPyConnection], _T],
) -> _T:
    """`work` in one step, run again in a new step where another writer's commit conflicted with it
    (transactions.is_conflict; on a DuckLake): its decisions (which stored form a new one replaces) are made
    again on what that writer committed, so a conflict never stores a stale decision."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            with step() as con:
                return work(con)
        except duckdb.TransactionException as error:
            if not is_conflict(error) or attempt == CONFLICT_ATTEMPTS:
                raise
            _LOG.info("write conflict (attempt %d): %s", attempt, error)
            time.sleep(random.uniform(0.5, 1.5) * CONFLICT_WAIT_SECONDS * attempt)
    raise AssertionError("unreachable")


def _steps(
    database: duckdb.DuckDBPyConnection | connect.StepWriter,
) -> Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]:
    """`with step() as con:` for each piece of an import's writing."""
    if isinstance(database, connect.StepWriter):
        return database.step
    return lambda: nullcontext(database)


def _checked(result: ReadResult, options: ImportOptions) -> ReadResult:
    """The forms read get the import's defaults and the per-form checks (no database needed)."""
    for form in result.forms:
        apply_options(form, options)
        review.check_form(form, layout=form.layout_title)
    return result


def outcomes_summary(outcomes: list[FileOutcome]) -> str:
    """One line for a whole run: files, forms new / replaced / 可能重复 / incomplete, duplicates, errors."""

    def count(kind: str) -> int:
        return sum(outcome.outcome == kind for outcome in outcomes)

    def placed(kind: str) -> int:
        return sum(outcome.placed.get(kind, 0) for outcome in outcomes)

    return texts.IMPORT_SUMMARY.format(
        files=len(outcomes),
        imported=count(Outcome.IMPORTED) + count(Outcome.PARTIAL),
        forms=sum(outcome.form_count for outcome in outcomes),
        new=placed(writes.PlacementStatus.NEW),
        replaced=placed(writes.PlacementStatus.REPLACED),
        duplicate=placed(writes.PlacementStatus.DUPLICATE),
        incomplete=placed("incomplete"),
        duplicates=count(Outcome.DUPLICATE),
        partial=count(Outcome.PARTIAL),
        errors=count(Outcome.ERROR),
    )


def _plan(
    con, files: list[tuple[Path, str]], hashes: dict[Path, str] | None = None
) -> list[tuple[Path, str, FileOutcome | str]]:
    """Decide before parsing: refused files and duplicates get their outcome now, the files to read their
    sha256 (`hashes`: sha256 by path, computed beforehand)."""
    plan: list[tuple[Path, str, FileOutcome | str]] = []
    seen: dict[str, str] = {}
    for path, name in files:
        reason = precheck(path)
        if reason is not None:
            plan.append((path, name, _failure(con, name, None, reason)))
            continue
        sha256 = (hashes or {}).get(path) or file_sha256(path)
        earlier = reads.find_imported(con, sha256) or seen.get(sha256)
        if earlier is not None:
            message = texts.OUTCOME_DUPLICATE_OF.format(name=earlier)
            plan.append((path, name, FileOutcome(name, Outcome.DUPLICATE, 0, message)))
            continue
        seen[sha256] = name
        plan.append((path, name, sha256))
    return plan


def _recheck(con, result: ReadResult, outcome: FileOutcome, placements: list[writes.Placement]) -> FileOutcome:
    """The forms stored as new that another importer stored at the same time held as 可能重复
    (versions.recheck_new); the outcome's counts and message follow."""
    assert outcome.batch_id is not None
    held = versions.recheck_new(con, outcome.batch_id, placements)
    if not held:
        return outcome
    after = [
        replace(p, status=writes.PlacementStatus.DUPLICATE, candidates=held[p.form.id]) if p.form.id in held else p
        for p in placements
    ]  # the caller's placements change only once written: a conflict runs this step again on them
    placed, message = _placed_message(result, after, _problems(result, result.forms))
    writes.hold_as_duplicates(con, outcome.batch_id, held, message)
    placements[:] = after
    outcome.placed, outcome.message = placed, message
    return outcome


def _placed_message(
    result: ReadResult, placements: list[writes.Placement], problems: list[str]
) -> tuple[dict[str, int], str]:
    """The counts of a stored file's forms by placement, and its line for people."""
    forms = result.forms
    placed = {status.value: sum(p.status == status for p in placements) for status in writes.PlacementStatus}
    placed["incomplete"] = sum(not form.complete for form in forms)
    message = texts.OUTCOME_PLACED.format(count=len(forms), **placed)
    skipped = pages.skipped_note(result.skipped_pages)
    if skipped:
        message += "；" + skipped
    for note in result.notes:
        message += "；" + note
    if yearless := sum(p.form.year is None for p in placements):  # neither printed, given nor carried over
        message += "；" + texts.OUTCOME_NO_YEAR.format(count=yearless)
    if problems:
        message += "；" + texts.OUTCOME_PROBLEMS.format(problems="；".join(problems))
    return placed, message


def _store_result(
    con, result: ReadResult, sha256: str, options: ImportOptions
) -> tuple[FileOutcome, list[writes.Placement]]:
    """One read file stored (its forms placed as versions first), or its failure recorded; and the placements."""
    if result.error is not None:
        return _failure(con, result.source_file, sha256, result.error), []
    if (earlier := reads.find_imported(con, sha256)) is not None:  # stored since the plan (another import)
        message = texts.OUTCOME_DUPLICATE_OF.format(name=earlier)
        return FileOutcome(result.source_file, Outcome.DUPLICATE, 0, message), []
    forms = result.forms
    writes.assign_ids(forms, sha256, result.source_file)
    placements = versions.place(con, forms)
    problems = _problems(result, forms)
    outcome = Outcome.PARTIAL if problems else Outcome.IMPORTED
    placed, message = _placed_message(result, placements, problems)
    try:
        batch_id = writes.save_file(
            con, result.source_file, sha256, placements, outcome=outcome, message=message,
            imported_by=options.imported_by,
        )  # fmt: skip
    except duckdb.Error as error:  # the detail is for the server log; the user is told which file and that it failed
        if is_conflict(error):
            raise  # _retried runs the placement and the save again
        _LOG.exception("storing %s failed", result.source_file)
        return _failure(con, result.source_file, sha256, texts.REASON_STORE_FAILED), []
    replaced = [p for p in placements if p.status == writes.PlacementStatus.REPLACED]
    details = [
        texts.OUTCOME_REPLACED_DETAIL.format(name=p.form.project_name or "—", changes="；".join(p.changes))
        for p in replaced
        if p.changes
    ]
    if unchanged := sum(not p.changes for p in replaced):
        details.append(texts.OUTCOME_REPLACED_UNCHANGED.format(count=unchanged))
    skipped = pages.skipped_note(result.skipped_pages)
    stored = FileOutcome(result.source_file, outcome, len(forms), message, placed, details, batch_id, skipped)
    return stored, placements


def _problems(result: ReadResult, forms: list[Form]) -> list[str]:
    """What makes a stored file's line an error: pages that may have held a form not read (scanned, unreadable,
    a form's title or headings without a form), incomplete forms."""
    problems = pages.problems(result.skipped_pages)
    incomplete = [
        texts.OUTCOME_INCOMPLETE_ONE.format(
            position=position,
            name=f"（{form.project_name}）" if form.project_name else "",
            missing="、".join(domain.missing_parts(form)),
        )
        for position, form in enumerate(forms, start=1)
        if not form.complete
    ]
    if incomplete:
        problems.append(texts.OUTCOME_INCOMPLETE.format(count=len(incomplete), details="；".join(incomplete)))
    return problems


def remove_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[str]:
    """Undo one import (its forms leave, the versions they replaced are current again); unit findings follow."""
    restored = writes.remove_batch(con, batch_id)
    review.finish_unit_findings(con)
    return restored


def settle_duplicate(con: duckdb.DuckDBPyConnection, form_id: str, replaces: str | None) -> None:
    """A person's decision on a 可能重复 form: it replaces `replaces`, or (None) it is a form of its own."""
    changes, carried = [], None
    if replaces is not None:
        old, new = reads.load_forms(con, [replaces]), reads.load_forms(con, [form_id])
        if old and new:
            carried = new[0]
            versions.carry_over(old[0], carried, recheck=False)  # what the new copy does not print, kept
            changes = versions.describe_changes(old[0], carried)
    writes.settle_duplicate(con, form_id, replaces, changes, carried)
    review.finish_unit_findings(con)


def _failure(con, name: str, sha256: str | None, reason: str) -> FileOutcome:
    writes.record_failure(con, name, sha256, reason)
    return FileOutcome(name, Outcome.ERROR, 0, texts.OUTCOME_ERROR.format(reason=reason))
