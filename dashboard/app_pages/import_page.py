"""导入: upload 自评表 files, import them with per-file progress, see the results and the import history.

This page is the dashboard's one writer. DuckDB lets only one process hold a database
file read-write, so the import closes the app's shared read-only connection, opens the
file read-write for the duration of the import, closes it again and clears every cache so
that all pages show the new forms. If another process (the command-line import) holds the
file, the page says so and what to do; nothing is written.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard import db, downloads, importer, store, texts
from dashboard.importer import FileOutcome, ImportOptions

UPLOAD_TYPES = ["pdf", "txt"]
# One import at a time in this server process (sessions share the database file).
_IMPORT_LOCK = threading.Lock()

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
) -> list[FileOutcome]:
    """Import uploaded (file name, content) pairs into the database; one outcome per file, in order.

    Raises `store.StoreError` when the database cannot be opened for writing (e.g. the
    command-line import holds it) and `ImportBusyError` when another session is importing.
    """
    if not _IMPORT_LOCK.acquire(blocking=False):
        raise ImportBusyError(texts.IMPORT_BUSY)
    try:
        with tempfile.TemporaryDirectory(prefix="jixiao-upload-") as folder:
            files = _write_uploads(Path(folder), uploads)
            db.reset_connection()  # the read-only handle must go before this process opens read-write
            con = store.open_db(db_path)
            try:
                return importer.import_files(con, files, options, on_progress=on_progress)
            finally:
                con.close()
                db.clear_caches()  # st.cache_data and the read-only handle: every page reads the new data
    finally:
        _IMPORT_LOCK.release()


def _write_uploads(folder: Path, uploads: Iterable[tuple[str, bytes]]) -> list[tuple[Path, str]]:
    """Write each upload under its own name (one sub-folder each, so equal names do not collide)."""
    files = []
    for number, (name, data) in enumerate(uploads, start=1):
        display_name = Path(name).name or f"file-{number}"  # never a path from the browser
        target = folder / f"{number:04d}" / display_name
        target.parent.mkdir()
        target.write_bytes(data)
        files.append((target, display_name))
    return files


def outcomes_frame(outcomes: list[FileOutcome]) -> pd.DataFrame:
    """One row per file: 文件, 结果 (导入 N 张表 / 重复 / 错误), 说明."""
    error_prefix = texts.OUTCOME_ERROR.format(reason="")
    rows = []
    for outcome in outcomes:
        if outcome.outcome == importer.OUTCOME_IMPORTED:
            result, note = texts.OUTCOME_IMPORTED.format(count=outcome.form_count), ""
        elif outcome.outcome == importer.OUTCOME_DUPLICATE:
            result, note = texts.IMPORT_RESULT_DUPLICATE, outcome.message
        else:
            result, note = texts.IMPORT_RESULT_ERROR, outcome.message.removeprefix(error_prefix)
        rows.append((outcome.source_file, result, note))
    return pd.DataFrame(rows, columns=[texts.IMPORT_RESULT_FILE, texts.IMPORT_RESULT_OUTCOME, texts.IMPORT_RESULT_NOTE])


def history_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The import log, newest first, with Chinese headings."""
    columns = texts.IMPORT_HISTORY_COLUMNS
    history = store.import_history(con)
    history = history.sort_values("batch_id", ascending=False)[list(columns)]
    history["message"] = history["message"].fillna("")  # an empty cell, not "None"
    history["outcome"] = history["outcome"].map(lambda value: texts.IMPORT_HISTORY_OUTCOMES.get(value, value))
    return history.rename(columns=columns).reset_index(drop=True)


# --- the page ----------------------------------------------------------------------------------------------


def render() -> None:
    st.title(texts.IMPORT_TITLE)
    st.caption(texts.IMPORT_INTRO)

    generation = st.session_state.setdefault(_UPLOADER_GENERATION_KEY, 0)
    uploads = st.file_uploader(
        texts.IMPORT_UPLOADER,
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        help=texts.IMPORT_UPLOADER_HELP,
        key=f"import_page_uploader_{generation}",
    )
    options = _options_inputs()
    if uploads:
        st.caption(texts.IMPORT_FILE_COUNT.format(count=len(uploads)))
    if st.button(texts.IMPORT_START, type="primary", disabled=not uploads, icon=":material/upload:"):
        _import_with_progress([(upload.name, upload.getvalue()) for upload in uploads], options)

    _show_last_results()
    _show_history()


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
    )


def _import_with_progress(uploads: list[tuple[str, bytes]], options: ImportOptions) -> None:
    progress = st.progress(0.0, text=texts.IMPORT_READING)
    status = st.status(texts.IMPORT_RUNNING.format(count=len(uploads)), expanded=True)
    status.write(texts.IMPORT_READING)

    def on_progress(done: int, total: int, outcome: FileOutcome) -> None:
        progress.progress(done / total, text=texts.IMPORT_PROGRESS.format(done=done, total=total))
        result = outcomes_frame([outcome]).iloc[0]
        line = texts.IMPORT_FILE_DONE.format(name=outcome.source_file, result=result[texts.IMPORT_RESULT_OUTCOME])
        note = result[texts.IMPORT_RESULT_NOTE]
        status.write(f"{line}（{note}）" if note else line)

    try:
        outcomes = run_import(uploads, options, on_progress)
    except (store.StoreError, ImportBusyError) as error:
        progress.empty()
        status.update(label=texts.IMPORT_STORE_FAILED, state="error", expanded=False)
        st.error(f"{texts.IMPORT_STORE_FAILED}\n\n{error}\n\n{texts.IMPORT_STORE_WHAT_TO_DO}", icon=":material/lock:")
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
    downloads.download_buttons(frame, texts.IMPORT_RESULTS_FILE_STEM, key="import_page_results_download")


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
    downloads.download_buttons(history, texts.IMPORT_HISTORY_FILE_STEM, key="import_page_history_download")


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) draws nothing
    render()
