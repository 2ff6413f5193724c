"""导入: upload 自评表 files, import them with per-file progress, see the results and the import history.

This page is the dashboard's one writer. DuckDB lets only one process hold a database
file read-write, so the import opens the file read-write for the duration of the import
(db.writing; the pages of every session read on meanwhile through cursors of that
connection, seeing each file once it is stored), closes it again and clears every cache so
that all pages show the new forms. If another process (the command-line import) holds the
file, the page says so and what to do; nothing is written.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard.core import domain, formatting, texts
from dashboard.importing import importer, ocr_confirm
from dashboard.importing.importer import FileOutcome, ImportOptions
from dashboard.ingest.files import SUPPORTED_SUFFIXES
from dashboard.security import accounts
from dashboard.security.untrusted import display_name, hide_paths, markdown_literal
from dashboard.security.uploads import StoredUpload, store_uploads, upload_folder
from dashboard.store import reads, schema
from dashboard.ui import auth, db, download_buttons
from dashboard.ui.incomplete_view import show_incomplete_forms
from dashboard.ui.ocr_confirm_view import show_held_scans

# The uploader also takes legacy .xls/.doc, so that their owners are told to save them anew.
UPLOAD_TYPES = [suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES]
# One import at a time in this server process (sessions share the database file).
_IMPORT_LOCK = threading.Lock()
_LOG = logging.getLogger(__name__)

_RESULTS_KEY = "import_page_results"
_UPLOADER_GENERATION_KEY = "import_page_uploader_generation"


class ImportBusyError(Exception):
    """Another session of this server is importing right now."""


# --- the work behind the button (plain functions, tested without a browser) ---------------------------------


def run_import(
    uploads: Iterable[tuple[str, bytes]],
    options: ImportOptions,
    on_progress: Callable[[int, int, FileOutcome], None] | None = None,
    db_path: Path | str | None = None,
    on_page: Callable[[str, int, int], None] | None = None,
) -> list[FileOutcome]:
    """Import uploaded (file name, content) pairs into the database; one outcome per file, in order.

    Raises `schema.StoreError` when the database cannot be opened for writing (e.g. the
    command-line import holds it) and `ImportBusyError` when another session is importing.
    """
    with _one_writer(), upload_folder() as folder:  # owner-only, removed after the import (uploads.py)
        stored = store_uploads(folder, uploads)
        files = [(upload.path, upload.name) for upload in stored if upload.path is not None]
        with _writing(db_path) as con:
            outcomes = iter(importer.import_files(con, files, options, on_progress=on_progress, on_page=on_page))
        # Uploads that could not be written get their outcome in their place, in upload order.
        return [next(outcomes) if upload.path is not None else _not_stored(upload) for upload in stored]


@contextlib.contextmanager
def _writing(db_path: Path | str | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database open read-write for one piece of work; the other sessions' pages read on meanwhile
    (db.writing: through cursors of this connection), and afterwards every page reads the new data."""
    try:
        with db.writing(db_path) as con:
            auth.check_write_allowed(con)  # a StoreError (auth.WriteRefused) when the session may not write
            yield con
    finally:
        db.clear_caches()  # every cached query result


def remove_import(batch_id: int, db_path: Path | str | None = None) -> list[str]:
    """Undo one import (importer.remove_batch); returns the ids of the versions that are current again."""
    with _one_writer(), _writing(db_path) as con:
        return importer.remove_batch(con, batch_id)


def settle_duplicate(form_id: str, replaces: str | None, db_path: Path | str | None = None) -> None:
    """A person's decision on a 可能重复 form (importer.settle_duplicate)."""
    with _one_writer(), _writing(db_path) as con:
        importer.settle_duplicate(con, form_id, replaces)


def confirm_scan(form_id: str, values: dict[int, str], user: str | None, db_path: Path | str | None = None) -> str:
    """A person's confirmation of a form read by OCR and held (ocr_confirm.confirm); what to tell them."""
    with _one_writer(), _writing(db_path) as con:
        form = ocr_confirm.confirm(con, form_id, values, user or texts.OCR_CONFIRM_NOBODY)
    missing = domain.missing_parts(form)
    outcome = texts.OCR_CONFIRM_STILL_HELD.format(missing="、".join(missing)) if missing else texts.OCR_CONFIRM_COUNTED
    return texts.OCR_CONFIRM_DONE.format(name=form.project_name or texts.DASH, outcome=outcome)


@contextlib.contextmanager
def _one_writer() -> Iterator[None]:
    """One write at a time in this server process (sessions share the database file)."""
    if not _IMPORT_LOCK.acquire(blocking=False):
        raise ImportBusyError(texts.IMPORT_BUSY)
    try:
        yield
    finally:
        _IMPORT_LOCK.release()


def _not_stored(upload: StoredUpload) -> FileOutcome:
    return FileOutcome(upload.name, importer.Outcome.ERROR, 0, texts.OUTCOME_ERROR.format(reason=upload.error))


def outcomes_frame(outcomes: list[FileOutcome]) -> pd.DataFrame:
    """One row per file: 文件, 结果 (导入 N 张表 / 有问题 / 重复 / 错误), 说明 (new, replaced and what changed)."""
    error_prefix = texts.OUTCOME_ERROR.format(reason="")
    rows = []
    for outcome in outcomes:
        if outcome.outcome == importer.Outcome.IMPORTED:
            result = texts.OUTCOME_IMPORTED.format(count=outcome.form_count)
            # The counts and the file's notes (pages skipped, forms without a year), then what each replacement changed.
            placed = outcome.message.removeprefix(result + "：") or texts.OUTCOME_PLACED_COUNTS.format(**outcome.placed)
            note = "；".join([placed, *outcome.details])
        elif outcome.outcome == importer.Outcome.PARTIAL:
            result, note = texts.IMPORT_RESULT_PARTIAL, "；".join([outcome.message, *outcome.details])
        elif outcome.outcome == importer.Outcome.DUPLICATE:
            result, note = texts.IMPORT_RESULT_DUPLICATE, outcome.message
        else:
            result, note = texts.IMPORT_RESULT_ERROR, outcome.message.removeprefix(error_prefix)
        rows.append((outcome.source_file, result, note))
    return pd.DataFrame(rows, columns=[texts.IMPORT_RESULT_FILE, texts.IMPORT_RESULT_OUTCOME, texts.IMPORT_RESULT_NOTE])


def pending_comparison(rows: pd.DataFrame) -> pd.DataFrame:
    """One 可能重复 form and the stored forms it may replace, side by side: a row per fact (file, name, 主管部门,
    实施单位, year, amounts, 总分, indicator rows), a column per form, every value as text ("—" for none)."""
    facts = texts.IMPORT_PENDING_COMPARE_ROWS
    columns = {texts.IMPORT_PENDING_COMPARE_NEW: [_compared(key, rows.iloc[0][key]) for key in facts]}
    for number, (_index, row) in enumerate(rows.iterrows(), start=1):
        columns[texts.IMPORT_PENDING_COMPARE_OLD.format(number=number)] = [
            _compared(key, row[f"candidate_{key}"]) for key in facts
        ]
    frame = pd.DataFrame({texts.IMPORT_PENDING_COMPARE_FIELD: list(facts.values())})
    return frame.assign(**columns)


def _compared(key: str, value) -> str:
    if formatting.is_missing(value) or value == "":
        return texts.DASH
    if key in ("amount", "initial_budget", "budget", "executed"):
        return formatting.money_text(value, "元", with_unit=False)
    if key == "score":
        return formatting.score_text(value)
    if key == "file":
        return display_name(str(value))
    return str(int(value)) if key in ("year", "indicators") else str(value)


def history_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The import log, newest first, with Chinese headings."""
    columns = texts.IMPORT_HISTORY_COLUMNS
    history = reads.batches(con)[list(columns)]
    history["message"] = history["message"].fillna("")  # an empty cell, not "None"
    history["outcome"] = history["outcome"].map(lambda value: texts.IMPORT_HISTORY_OUTCOMES.get(value, value))
    return history.rename(columns=columns).reset_index(drop=True)


# --- the page ----------------------------------------------------------------------------------------------


def render() -> None:
    st.title(texts.IMPORT_TITLE)
    st.caption(texts.IMPORT_INTRO)
    if not auth.require(accounts.Role.IMPORTER):  # no uploader before an importer signs in
        return

    generation = st.session_state.setdefault(_UPLOADER_GENERATION_KEY, 0)
    uploads = st.file_uploader(
        texts.IMPORT_UPLOADER,
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        help=texts.IMPORT_UPLOADER_HELP,
        key=f"import_page_uploader_{generation}",
    )
    options = _options_inputs()
    if options.year is None:  # before the import, beside the field: what a blank year means (each file's line
        st.warning(texts.IMPORT_YEAR_BLANK_WARNING, icon=":material/event_busy:")  # counts such forms after it)
    if uploads:
        st.caption(texts.IMPORT_FILE_COUNT.format(count=len(uploads)))
    if st.button(texts.IMPORT_START, type="primary", disabled=not uploads, icon=":material/upload:"):
        _import_with_progress([(upload.name, upload.getvalue()) for upload in uploads], options)

    _show_last_results()
    _show_pending_duplicates()
    show_held_scans(
        lambda job: _write_then_rerun(job, None),
        lambda form_id, values: confirm_scan(form_id, values, auth.signed_in_name()),
    )
    show_incomplete_forms("import_page_incomplete_table")
    _show_history()
    _show_remove()


def _options_inputs() -> ImportOptions:
    st.markdown(f"**{texts.IMPORT_DEFAULTS}**", help=texts.IMPORT_DEFAULTS_HELP)
    year_column, department_column, unit_column = st.columns([1, 2, 2])
    year = year_column.number_input(
        texts.IMPORT_YEAR,
        min_value=1990,
        max_value=2100,
        value=None,
        step=1,
        placeholder=texts.IMPORT_YEAR_PLACEHOLDER,
        key="import_page_year",
    )
    department = department_column.text_input(texts.IMPORT_DEPARTMENT, key="import_page_department")
    unit = unit_column.text_input(texts.IMPORT_UNIT, key="import_page_unit")
    return ImportOptions(
        year=None if year is None else int(year),
        department=department.strip() or None,
        unit=unit.strip() or None,
        imported_by=auth.signed_in_name(),  # recorded with the import batch
    )


def _import_with_progress(uploads: list[tuple[str, bytes]], options: ImportOptions) -> None:
    progress = st.progress(0.0, text=texts.IMPORT_READING)
    status = st.status(texts.IMPORT_RUNNING.format(count=len(uploads)), expanded=True)
    status.write(texts.IMPORT_READING)

    files_done = [0]

    def on_progress(done: int, total: int, outcome: FileOutcome) -> None:
        files_done[0] = done
        progress.progress(done / total, text=texts.IMPORT_PROGRESS.format(done=done, total=total))
        result = outcomes_frame([outcome]).iloc[0]
        line = texts.IMPORT_FILE_DONE.format(name=outcome.source_file, result=result[texts.IMPORT_RESULT_OUTCOME])
        note = result[texts.IMPORT_RESULT_NOTE]
        status.write(markdown_literal(f"{line}（{note}）" if note else line))  # file names are data

    def on_page(name: str, done: int, pages: int) -> None:  # a scan read by OCR, page by page
        text = texts.IMPORT_OCR_PAGE.format(name=markdown_literal(name), done=done, pages=pages or "?")
        progress.progress(files_done[0] / max(1, len(uploads)), text=text)

    try:
        outcomes = run_import(uploads, options, on_progress, on_page=on_page)
    except (schema.StoreError, ImportBusyError) as error:
        progress.empty()
        status.update(label=texts.IMPORT_STORE_FAILED, state="error", expanded=False)
        message = markdown_literal(hide_paths(str(error)))
        st.error(f"{texts.IMPORT_STORE_FAILED}\n\n{message}\n\n{texts.IMPORT_STORE_WHAT_TO_DO}", icon=":material/lock:")
        return
    except Exception:  # no traceback or server path for the visitor; the server log has it
        _LOG.exception("import failed")
        progress.empty()
        status.update(label=texts.IMPORT_STORE_FAILED, state="error", expanded=False)
        st.error(texts.IMPORT_UNEXPECTED, icon=":material/error:")
        return
    all_ok = all(outcome.ok for outcome in outcomes)
    status.update(label=texts.IMPORT_DONE if all_ok else texts.IMPORT_DONE_WITH_ERRORS, state="complete")
    st.session_state[_RESULTS_KEY] = outcomes
    # A fresh, empty uploader: the imported files are not offered for import again.
    st.session_state[_UPLOADER_GENERATION_KEY] += 1
    st.rerun()


def _show_last_results() -> None:
    outcomes: list[FileOutcome] | None = st.session_state.get(_RESULTS_KEY)
    if not outcomes:
        return
    st.subheader(texts.IMPORT_RESULTS)
    summary = importer.outcomes_summary(outcomes)
    if all(outcome.ok for outcome in outcomes):
        st.success(summary, icon=":material/check_circle:")
    else:
        st.warning(summary, icon=":material/warning:")
    frame = outcomes_frame(outcomes)
    st.dataframe(frame, hide_index=True, key="import_page_results_table")
    download_buttons.download_buttons(frame, texts.IMPORT_RESULTS_FILE_STEM, key="import_page_results_download")


def _show_history() -> None:
    st.subheader(texts.IMPORT_HISTORY)
    found = db.problem()
    if found is not None and found[0] != "missing":
        st.warning(found[1], icon=":material/lock:")
        return
    history = pd.DataFrame()
    if found is None:
        with db.cursor() as cur:
            history = history_frame(cur)
    if history.empty:
        st.info(texts.IMPORT_HISTORY_EMPTY, icon=":material/info:")
        return
    st.dataframe(
        history,
        hide_index=True,
        key="import_page_history_table",
        column_config={
            texts.IMPORT_HISTORY_COLUMNS["imported_at"]: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            texts.IMPORT_HISTORY_COLUMNS["message"]: st.column_config.TextColumn(width="large"),
        },
    )
    download_buttons.download_buttons(history, texts.IMPORT_HISTORY_FILE_STEM, key="import_page_history_download")


def _read(query: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]) -> pd.DataFrame:
    """A read for this page's own sections; empty where the database is missing or busy."""
    if db.problem() is not None:
        return pd.DataFrame()
    with db.cursor() as cur:
        return query(cur)


def _show_pending_duplicates() -> None:
    pending = _read(reads.pending_duplicates)
    if pending.empty:
        return
    st.subheader(texts.IMPORT_PENDING)
    st.caption(texts.IMPORT_PENDING_INTRO)
    for form_id, rows in pending.groupby("form_id", sort=False):
        _pending_form(str(form_id), rows)


def _pending_form(form_id: str, rows: pd.DataFrame) -> None:
    """One 可能重复 form: which stored form it replaces, or none; applied on a button."""
    with st.container(border=True):
        st.text(_pending_label(texts.IMPORT_PENDING_FORM, rows.iloc[0], ""))  # form text is data: st.text
        # The new form and each stored form it may replace, side by side (a dataframe shows text as text).
        st.dataframe(pending_comparison(rows), hide_index=True, key=f"import_page_pending_compare_{form_id}")
        labels = {row.candidate_id: _pending_label(texts.IMPORT_PENDING_REPLACES, row, "candidate_")
                  for row in rows.itertuples()}  # fmt: skip
        choice = st.radio(
            texts.IMPORT_PENDING_CHOICE,
            [*labels, None],
            format_func=lambda value: markdown_literal(labels.get(value, texts.IMPORT_PENDING_KEEP)),
            key=f"import_page_pending_{form_id}",
        )
        if st.button(texts.IMPORT_PENDING_APPLY, key=f"import_page_pending_apply_{form_id}"):
            _write_then_rerun(lambda: settle_duplicate(form_id, choice), texts.IMPORT_PENDING_DONE)


def _pending_label(template: str, row, prefix: str) -> str:
    row = row._asdict() if hasattr(row, "_asdict") else row
    amount = row[f"{prefix}amount" if prefix else "project_amount"]
    return template.format(
        name=row[f"{prefix}name" if prefix else "project_name"] or texts.DASH,
        file=display_name(row[f"{prefix}file" if prefix else "source_file"]),
        unit=row[f"{prefix}unit" if prefix else "unit"] or texts.DASH,
        amount=texts.DASH if pd.isna(amount) else f"{amount:,.2f}",
    )


def _show_remove() -> None:
    batches = _read(reads.batches)
    if batches.empty:
        return
    removable = batches[batches["outcome"].isin(domain.STORED_OUTCOMES)]
    if removable.empty:
        return
    with st.expander(texts.IMPORT_REMOVE, icon=":material/undo:"):
        st.caption(texts.IMPORT_REMOVE_HELP)
        options = {
            int(row.batch_id): texts.IMPORT_REMOVE_OPTION.format(
                batch=row.batch_id,
                file=display_name(row.file_name),
                time=row.imported_at.strftime("%Y-%m-%d %H:%M"),
                forms=row.form_count,
            )
            for row in removable.itertuples()
        }
        batch = st.selectbox(
            texts.IMPORT_REMOVE_PICK,
            list(options),
            format_func=options.__getitem__,  # selectbox options are plain text, not Markdown
            key="import_page_remove_batch",
        )
        confirmed = st.checkbox(texts.IMPORT_REMOVE_CONFIRM, key="import_page_remove_confirm")
        if st.button(texts.IMPORT_REMOVE_BUTTON, disabled=not confirmed, key="import_page_remove_button"):
            forms = int(removable.set_index("batch_id").loc[batch, "form_count"])

            def remove() -> str:
                restored = remove_import(batch)
                return texts.IMPORT_REMOVE_DONE.format(batch=batch, forms=forms, restored=len(restored))

            _write_then_rerun(remove, None)


def write_and_rerun(
    work: Callable[[duckdb.DuckDBPyConnection], object],
    done: Callable[[object], str],
    generation_key: str,
    forget: str | None = None,
) -> None:
    """A change another page makes, written as this page writes (one writer, the file read-write only meanwhile,
    errors said, then a rerun). `done` turns the result into the message shown; `generation_key` counts the
    changes (widget keys built on it start anew); `forget`: a session key dropped whether it worked or not (the
    version an edit was based on: the next run reads the stored one)."""

    def run() -> str:
        try:
            with _one_writer(), _writing(None) as con:
                result = work(con)
        finally:
            if forget is not None:
                st.session_state.pop(forget, None)
        st.session_state[generation_key] = st.session_state.get(generation_key, 0) + 1
        return done(result)

    _write_then_rerun(run, None)


def _write_then_rerun(work: Callable[[], object], done_message: str | None) -> None:
    """Run a write, say how it went (a lock or a busy import is explained, never a traceback), rerun."""
    try:
        result = work()
    except (schema.StoreError, ImportBusyError) as error:
        st.error(markdown_literal(hide_paths(str(error))), icon=":material/lock:")
        return
    except Exception:  # no traceback or server path for the visitor; the server log has it
        _LOG.exception("write from the import page failed")
        st.error(texts.IMPORT_UNEXPECTED, icon=":material/error:")
        return
    st.toast(markdown_literal(done_message or str(result)), icon=":material/check_circle:")
    st.rerun()


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) draws nothing
    render()
