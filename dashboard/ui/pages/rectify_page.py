"""整改: the ledger of problems to fix (audit/rectify.py) — list with filters (status, unit, overdue), one item's
history with its attachments, and, for the 导入 role, registering items and moving them on.

Each step names the item's version the page read: a step someone else took meanwhile is refused with a message
(rectify.ConflictError). Attachments are kept under generated names beside the database (rectify.attachments_folder);
their own names are shown as text only.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd
import streamlit as st

from dashboard.audit import rectify, spot_check
from dashboard.audit.audit import RULES
from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.core.domain import RectifyStatus
from dashboard.security import accounts
from dashboard.security.untrusted import markdown_literal
from dashboard.ui import auth, data_gate, db, download_buttons
from dashboard.ui.pages import import_page

ITEM_KEY = "rectify_item"
_GENERATION_KEY = "rectify_page_generation"


def render() -> None:
    st.title(texts.RECTIFY_TITLE, anchor=False)
    st.caption(texts.RECTIFY_INTRO)
    data_gate.require_data()
    can_edit = auth.allowed(accounts.Role.IMPORTER)
    if not can_edit:
        st.info(texts.RECTIFY_SIGNIN, icon=":material/lock:")
    with db.cursor() as cur:
        frame = rectify.items(cur)
        plans = spot_check.plans(cur)["name"].tolist()
    if can_edit:
        _add(plans)
    if frame.empty:
        st.info(texts.RECTIFY_NONE, icon=":material/info:")
    else:
        shown = _filtered(frame)
        table = items_table(shown)
        st.dataframe(table, hide_index=True, width="stretch", key="rectify_table")
        download_buttons.download_buttons(table, texts.RECTIFY_DOWNLOAD, key="rectify_download")
        if not shown.empty:
            _item(shown, can_edit)
    if not can_edit:
        auth.require(accounts.Role.IMPORTER)


def _write(
    work: Callable[[duckdb.DuckDBPyConnection], object], done: Callable[[object], str], forget: str | None = None
) -> None:
    """Run one change read-write (import_page.write_and_rerun); `done` turns its result into the message shown;
    `forget`: a session key dropped whether it worked or not (the version a step was based on)."""
    import_page.write_and_rerun(work, done, _GENERATION_KEY, forget)


def _filtered(frame: pd.DataFrame) -> pd.DataFrame:
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    labels = texts.RECTIFY_STATUS_LABELS
    statuses = left.multiselect(
        texts.RECTIFY_FILTER_STATUS, list(labels), format_func=lambda key: labels[key], key="rectify_status"
    )
    units = middle.multiselect(texts.RECTIFY_FILTER_UNIT, sorted(frame["unit"].unique()), key="rectify_unit")
    overdue = right.toggle(texts.RECTIFY_FILTER_OVERDUE, key="rectify_overdue")
    if statuses:
        frame = frame[frame["status"].isin(statuses)]
    if units:
        frame = frame[frame["unit"].isin(units)]
    if overdue:
        frame = frame[frame["overdue"]]
    return frame


def items_table(frame: pd.DataFrame) -> pd.DataFrame:
    keys = list(texts.RECTIFY_COLUMNS)
    shown = frame.reindex(columns=keys).copy()
    shown["status"] = shown["status"].map(texts.RECTIFY_STATUS_LABELS)
    shown["source"] = shown["source"].map(texts.RECTIFY_SOURCE_LABELS)
    shown["overdue"] = [texts.RECTIFY_OVERDUE_MARK if late else "" for late in shown["overdue"]]
    shown["due"] = [texts.DASH if fmt.is_missing(day) else pd.Timestamp(day).date().isoformat() for day in shown["due"]]
    return shown.rename(columns=texts.RECTIFY_COLUMNS)


def _item(frame: pd.DataFrame, can_edit: bool) -> None:
    rows = frame.set_index("item_id")
    labels = {int(item): f"{item} {row['unit']}：{row['problem'][:40]}" for item, row in rows.iterrows()}
    item = st.selectbox(texts.RECTIFY_PICK, list(labels), format_func=lambda key: labels[key], key=ITEM_KEY)
    if item is None:
        return
    row = rows.loc[item]
    with db.cursor() as cur:
        history = rectify.history(cur, int(item))
    shown = history.reindex(columns=list(texts.RECTIFY_HISTORY_COLUMNS)).copy()
    shown["action"] = shown["action"].map(texts.RECTIFY_ACTION_LABELS)
    shown["status"] = shown["status"].map(texts.RECTIFY_STATUS_LABELS)
    st.dataframe(
        shown.rename(columns=texts.RECTIFY_HISTORY_COLUMNS), hide_index=True, width="stretch", key="rectify_history"
    )
    folder = rectify.attachments_folder(db.location())
    for line in history.dropna(subset=["attachment_file"]).to_dict("records"):
        path = folder / line["attachment_file"]
        if path.is_file():
            st.download_button(
                texts.RECTIFY_ATTACHMENT_GET.format(name=markdown_literal(line["attachment_name"])),
                data=path.read_bytes(),
                file_name=line["attachment_file"], key=f"rectify_file_{item}_{line['seq']}", on_click="ignore",
                icon=":material/attach_file:",
            )  # fmt: skip
    if can_edit:
        _step(int(item), RectifyStatus(row["status"]), int(row["version"]))


def _seen(item: int, stored: int) -> tuple[str, int]:
    """The item's version this page first showed (kept across reruns): a step is based on it."""
    key = f"rectify_seen_{item}"
    for other in [name for name in st.session_state if str(name).startswith("rectify_seen_") and name != key]:
        del st.session_state[other]  # another item picked meanwhile: coming back bases on the stored one
    return key, int(st.session_state.setdefault(key, stored))


def _step(item: int, status: RectifyStatus, version: int) -> None:
    allowed = [action for action, (starts, _) in rectify.STEPS.items() if status in starts]
    if not allowed:
        return
    seen_key, version = _seen(item, version)
    key = f"rectify_step_{item}_{version}_{st.session_state.get(_GENERATION_KEY, 0)}"
    with st.form(key):
        action = st.radio(
            texts.RECTIFY_STEP_ACTION, allowed, format_func=texts.RECTIFY_ACTION_LABELS.get, horizontal=True,
            key=f"{key}_action",
        )  # fmt: skip
        text = st.text_area(texts.RECTIFY_STEP_TEXT, key=f"{key}_text")
        upload = st.file_uploader(texts.RECTIFY_STEP_ATTACHMENT, key=f"{key}_file")
        if st.form_submit_button(texts.RECTIFY_STEP_SUBMIT):
            given = (upload.name, upload.getvalue()) if upload is not None else None
            by = auth.signed_in_name()
            folder = rectify.attachments_folder(db.location())
            done = texts.RECTIFY_STEP_DONE.format(item=item, action=texts.RECTIFY_ACTION_LABELS[action])
            _write(
                lambda con: rectify.step(con, item, action, by, text, version=version, attachment=given, folder=folder),
                lambda _status: done,
                forget=seen_key,
            )


def _add(plans: list[str]) -> None:
    generation = st.session_state.get(_GENERATION_KEY, 0)
    with st.expander(texts.RECTIFY_ADD), st.form(f"rectify_add_{generation}"):
        problem = st.text_area(texts.RECTIFY_PROBLEM, key=f"rectify_add_problem_{generation}")
        form_id = st.text_input(texts.RECTIFY_ADD_FORM, key=f"rectify_add_form_{generation}")
        unit = st.text_input(texts.RECTIFY_UNIT, key=f"rectify_add_unit_{generation}")
        due = st.date_input(texts.RECTIFY_ADD_DUE, value=None, key=f"rectify_add_due_{generation}")
        if st.form_submit_button(texts.RECTIFY_ADD_SUBMIT):
            by = auth.signed_in_name()
            _write(
                lambda con: rectify.add_item(con, problem, by, unit or None, form_id.strip() or None, due),
                lambda added: texts.RECTIFY_ADDED.format(item=added),
            )
    titles = {rule_id: title for rule_id, _severity, title in RULES}
    with st.expander(texts.RECTIFY_FROM_RULE), st.form(f"rectify_from_rule_{generation}"):
        st.caption(texts.RECTIFY_FROM_RULE_HELP)
        rule_form = st.text_input(texts.SPOT_SHEET_FORM_ID, key=f"rectify_rule_form_{generation}")
        rule = st.selectbox(
            texts.RECTIFY_RULE, list(titles), format_func=lambda key: f"{titles[key]}（{key}）",
            key=f"rectify_rule_{generation}",
        )  # fmt: skip
        rule_due = st.date_input(texts.RECTIFY_ADD_DUE, value=None, key=f"rectify_rule_due_{generation}")
        if st.form_submit_button(texts.RECTIFY_ADD_SUBMIT):
            by = auth.signed_in_name()
            _write(
                lambda con: rectify.from_finding(con, rule_form.strip(), rule, by, rule_due),
                lambda added: texts.RECTIFY_ADDED.format(item=added),
            )
    if not plans:
        return
    with st.expander(texts.RECTIFY_FROM_PLAN), st.form(f"rectify_from_plan_{generation}"):
        st.caption(texts.RECTIFY_FROM_PLAN_HELP)
        plan = st.selectbox(texts.SPOT_PICK_PLAN, plans, key=f"rectify_plan_{generation}")
        due = st.date_input(texts.RECTIFY_ADD_DUE, value=None, key=f"rectify_plan_due_{generation}")
        if st.form_submit_button(texts.RECTIFY_FROM_PLAN_SUBMIT):
            by = auth.signed_in_name()
            _write(
                lambda con: rectify.from_spot_check(con, plan, by, due),
                lambda count: texts.RECTIFY_FROM_PLAN_DONE.format(count=count),
            )


if __name__ == "__main__":
    render()
