"""抽查复核: plan a sample, review its forms (worksheet or on the page), see the results; and 结果应用.

Everyone may look; making a plan and saving reviews needs the 导入 role once accounts exist (auth.allowed),
written through the 导入 page's one-writer path like the 参考数据 page. Each save names the entry's version the
page read: a form someone else saved meanwhile is refused with a message (spot_check.ConflictError). Text from
forms is shown in tables and as literal text, never as Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from dashboard.audit import result_use, spot_check
from dashboard.core import formatting as fmt
from dashboard.core import texts
from dashboard.outputs import spot_sheet
from dashboard.outputs.downloads import XLSX_MIME, safe_file_stem
from dashboard.queries import cycle_queries, filters, queries
from dashboard.security import accounts
from dashboard.security.untrusted import hide_paths, markdown_literal
from dashboard.ui import auth, data_gate, db, download_buttons, filter_widgets, paging
from dashboard.ui.pages import import_page

PLAN_KEY = "spot_plan"
RESULT_USE_PAGE_KEY = "result_use_page"
FORM_KEY = "spot_form"
_GENERATION_KEY = "spot_page_generation"


def render() -> None:
    st.title(texts.SPOT_PAGE_TITLE, anchor=False)
    st.caption(texts.SPOT_RULE_ORDER)
    data_gate.require_data()
    can_edit = auth.allowed(accounts.Role.IMPORTER)
    if not can_edit:
        st.info(texts.SPOT_EDIT_SIGNIN, icon=":material/lock:")
    with db.cursor() as cur:
        plans = spot_check.plans(cur)
        options = spot_check.scope_options(cur)
    plan_tab, review_tab, use_tab = st.tabs([texts.SPOT_TAB_PLANS, texts.SPOT_TAB_REVIEW, texts.RESULT_USE_TITLE])
    with plan_tab:
        if can_edit:
            _new_plan(options)
        chosen = _plans(plans)
    with review_tab:
        if chosen is None:
            st.info(texts.SPOT_NO_PLANS, icon=":material/info:")
        else:
            _review(chosen, can_edit)
    with use_tab:
        _result_use()
    if not can_edit:
        auth.require(accounts.Role.IMPORTER)


def _write(work: Callable[[duckdb.DuckDBPyConnection], object], done: str, forget: str | None = None) -> None:
    """Run one change read-write (import_page.write_and_rerun), then show `done`; `forget`: a session key dropped
    whether it worked or not (the version a save was based on: the next run reads the stored one)."""
    import_page.write_and_rerun(work, lambda _result: done, _GENERATION_KEY, forget)


# --- plans ---------------------------------------------------------------------------------------------------


def _new_plan(options: dict) -> None:
    with st.expander(texts.SPOT_NEW_PLAN, expanded=False), st.form("spot_new_plan"):
        name = st.text_input(texts.SPOT_NEW_NAME, key="spot_new_name")
        by_share = st.radio(texts.SPOT_NEW_HOW, texts.SPOT_NEW_HOW_OPTIONS, horizontal=True, key="spot_new_how")
        size = st.number_input(texts.SPOT_NEW_SIZE, min_value=1, value=10, step=1, key="spot_new_size")
        share = st.number_input(texts.SPOT_NEW_SHARE, min_value=1, max_value=100, value=15, key="spot_new_share")
        seed = st.number_input(texts.SPOT_NEW_SEED, min_value=0, value=0, step=1, key="spot_new_seed")
        years = st.multiselect(texts.SPOT_RULE_SCOPE["years"], options["years"], key="spot_new_years")
        departments = st.multiselect(
            texts.SPOT_RULE_SCOPE["departments"], options["departments"], key="spot_new_departments"
        )
        types = st.multiselect(texts.SPOT_RULE_SCOPE["types"], options["types"], key="spot_new_types")
        if st.form_submit_button(texts.SPOT_NEW_SUBMIT):
            share_chosen = by_share == texts.SPOT_NEW_HOW_OPTIONS[1]
            scope = spot_check.Scope(tuple(years), tuple(departments), tuple(types))
            by = auth.signed_in_name()
            st.session_state[PLAN_KEY] = name.strip()
            _write(
                lambda con: spot_check.create_plan(
                    con, name, scope, None if share_chosen else int(size), share / 100 if share_chosen else None,
                    int(seed) or None, by=by,
                ),
                texts.SPOT_PLAN_CREATED.format(name=name.strip()),
            )  # fmt: skip


def _plans(plans: pd.DataFrame) -> str | None:
    if plans.empty:
        st.info(texts.SPOT_NO_PLANS, icon=":material/info:")
        return None
    shown = plans.assign(rule=plans["rule"].map(spot_check.plan_rule_text))
    columns = texts.SPOT_PLAN_COLUMNS
    st.dataframe(shown[list(columns)].rename(columns=columns), hide_index=True, width="stretch")
    names = plans["name"].tolist()
    if st.session_state.get(PLAN_KEY) not in names:
        st.session_state[PLAN_KEY] = names[-1]
    chosen = st.selectbox(texts.SPOT_PICK_PLAN, names, key=PLAN_KEY)
    with db.cursor() as cur:
        entries = spot_check.entries(cur, spot_check.plan_id(cur, chosen))
    st.subheader(texts.SPOT_RESULTS, anchor=False)
    st.dataframe(results_table(entries), hide_index=True, width="stretch", key="spot_results")
    by_department, by_unit = st.tabs([texts.SPOT_BY_DEPARTMENT, texts.SPOT_BY_UNIT])
    with by_department:
        st.dataframe(summary_table(entries, "department"), hide_index=True, width="stretch", key="spot_by_department")
    with by_unit:
        st.dataframe(summary_table(entries, "unit"), hide_index=True, width="stretch", key="spot_by_unit")
    _workbook(chosen)
    return chosen


def results_table(entries: pd.DataFrame) -> pd.DataFrame:
    """The plan's forms as the page lists them (Chinese headings; 偏离度 as text, 等级变化 as 是/否)."""
    keys = ["position", "project_name", "self_score", "self_grade", "reviewed_score", "reviewed_grade", "deviation",
            "grade_changed", "department", "unit", "basis", "basis_note", "reviewer", "saved_by",
            "form_id"]  # fmt: skip
    frame = entries.reindex(columns=keys).copy()
    frame["basis"] = frame["basis"].map(texts.SPOT_BASIS_LABELS)
    frame["deviation"] = frame["deviation"].map(fmt.percent_text)
    frame["grade_changed"] = [texts.SPOT_YES if changed else "" for changed in frame["grade_changed"]]
    return frame.rename(columns=texts.SPOT_RESULT_COLUMNS)


def summary_table(entries: pd.DataFrame, by: str) -> pd.DataFrame:
    frame = spot_check.summary(entries, by)
    frame[by] = frame[by].map(lambda value: value or texts.ORG_BLANK)
    frame["mean_deviation"] = frame["mean_deviation"].map(fmt.percent_text)
    return frame.rename(columns=texts.SPOT_SUMMARY_COLUMNS)


def _workbook(plan: str) -> None:
    st.subheader(texts.SPOT_WORKBOOK, anchor=False)
    st.caption(texts.SPOT_WORKBOOK_HELP)

    def build() -> bytes:
        with db.cursor() as cur:
            return spot_sheet.workbook_bytes(cur, plan)

    st.download_button(
        texts.SPOT_WORKBOOK_DOWNLOAD, data=build, file_name=f"{safe_file_stem(plan)}.xlsx", mime=XLSX_MIME,
        key="spot_workbook_download", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    if not auth.allowed(accounts.Role.IMPORTER):
        return
    generation = st.session_state.get(_GENERATION_KEY, 0)
    upload = st.file_uploader(texts.SPOT_WORKBOOK_UPLOAD, type=["xlsx"], key=f"spot_upload_{generation}")
    if upload is not None and st.button(texts.SPOT_WORKBOOK_IMPORT, key="spot_upload_apply"):
        data = upload.getvalue()
        by = auth.signed_in_name()
        _write(lambda con: spot_sheet.import_workbook(con, data, by), texts.SPOT_WORKBOOK_IMPORTED)


# --- reviewing on the page -----------------------------------------------------------------------------------


def _review(plan: str, can_edit: bool) -> None:
    with db.cursor() as cur:
        entries = spot_check.entries(cur, spot_check.plan_id(cur, plan))
    labels = {int(row["entry_id"]): f"{row['position']} {row['project_name']}" for row in entries.to_dict("records")}
    entry_id = st.selectbox(texts.SPOT_PICK_FORM, list(labels), format_func=lambda key: labels[key], key=FORM_KEY)
    if entry_id is None:
        return
    entry = entries.set_index("entry_id").loc[entry_id]
    if not entry["stored"]:
        st.caption(texts.SPOT_FORM_GONE)
    # The version this page first showed is the one a save is based on, kept across reruns: a save by someone
    # else meanwhile makes this page's save a conflict (told), not a silent overwrite.
    seen_key = f"spot_seen_{entry_id}"
    for other in [key for key in st.session_state if str(key).startswith("spot_seen_") and key != seen_key]:
        del st.session_state[other]  # another form picked meanwhile: coming back shows and bases on the stored one
    version = int(st.session_state.setdefault(seen_key, int(entry["version"])))
    with db.cursor() as cur:
        base = spot_check.base_rows(cur, int(entry_id), entry["form_id"])
        stored = spot_check.entry_rows(cur, int(entry_id))
    frame = rows_frame(base, stored)
    st.text(texts.SPOT_REVIEW_STATE.format(
        self_score=fmt.score_text(entry["self_score"]), reviewed=fmt.score_text(entry["reviewed_score"]),
        grade=fmt.text_or_dash(entry["reviewed_grade"]), deviation=fmt.percent_text(entry["deviation"]),
        by=fmt.text_or_dash(entry["saved_by"]), version=int(entry["version"]),
    ))  # fmt: skip
    changed = frame[frame["reviewed_score"].notna() | frame["note"].notna() | frame["reviewed_actual"].notna()]
    if not changed.empty:
        st.caption(texts.SPOT_CHANGED_ROWS)
        st.dataframe(changed.rename(columns=texts.SPOT_ROW_COLUMNS), hide_index=True, width="stretch")
    if not can_edit:
        return
    key = f"spot_editor_{entry_id}_{version}_{st.session_state.get(_GENERATION_KEY, 0)}"
    edited = st.data_editor(
        frame.rename(columns=texts.SPOT_ROW_COLUMNS), hide_index=True, width="stretch", key=key,
        disabled=[texts.SPOT_ROW_COLUMNS[c] for c in ("position", "name", "weight", "self_score")],
        column_config={
            texts.SPOT_ROW_COLUMNS["reviewed_score"]: st.column_config.NumberColumn(min_value=0.0, format="%.2f"),
            texts.SPOT_ROW_COLUMNS["reviewed_actual"]: st.column_config.TextColumn(),
            texts.SPOT_ROW_COLUMNS["note"]: st.column_config.TextColumn(),
        },
    )  # fmt: skip
    reviewer = st.text_input(texts.SPOT_SHEET_REVIEWER, value=_text(entry["reviewer"]), key=f"{key}_reviewer")
    reviewed_on = st.date_input(texts.SPOT_SHEET_DATE, value=_day(entry["reviewed_on"]), key=f"{key}_date")
    conclusion = st.text_area(texts.SPOT_SHEET_CONCLUSION, value=_text(entry["conclusion"]), key=f"{key}_conclusion")
    if st.button(texts.SPOT_REVIEW_SAVE, key=f"{key}_save", type="primary"):
        review = spot_check.FormReview(
            int(entry_id), version, reviewer.strip() or None, reviewed_on, conclusion.strip() or None,
            rows=edited_rows(edited.rename(columns={v: k for k, v in texts.SPOT_ROW_COLUMNS.items()})),
        )  # fmt: skip
        by = auth.signed_in_name()
        _write(lambda con: spot_check.save_reviews(con, [review], by), texts.SPOT_REVIEW_SAVED, forget=seen_key)


def rows_frame(base: dict, stored: pd.DataFrame) -> pd.DataFrame:
    kept = {int(row["position"]): row for row in stored.to_dict("records")} if not stored.empty else {}
    rows = []
    for position, (name, weight, own) in sorted(base.items()):
        value = kept.get(position, {})
        rows.append(
            {
                "position": position,
                "name": name,
                "weight": weight,
                "self_score": own,
                "reviewed_actual": _or_none(value.get("reviewed_actual")),
                "reviewed_score": _or_none(value.get("reviewed_score")),
                "note": _or_none(value.get("note")),
            }
        )
    frame = pd.DataFrame(rows, columns=list(texts.SPOT_ROW_COLUMNS))
    frame["reviewed_score"] = pd.to_numeric(frame["reviewed_score"], errors="coerce")
    return frame.astype({"reviewed_actual": object, "note": object})


def edited_rows(frame: pd.DataFrame) -> list[spot_check.RowReview]:
    return [
        spot_check.RowReview(
            int(row["position"]),
            _or_none(row["reviewed_actual"]),
            None if fmt.is_missing(row["reviewed_score"]) else float(row["reviewed_score"]),
            _or_none(row["note"]),
        )
        for row in frame.to_dict("records")
    ]


def _or_none(value):
    if fmt.is_missing(value):
        return None
    return str(value).strip() or None if isinstance(value, str) else value


def _text(value) -> str:
    return "" if fmt.is_missing(value) else str(value)


def _day(value) -> date | None:
    return None if fmt.is_missing(value) else pd.Timestamp(value).date()


# --- 结果应用 ------------------------------------------------------------------------------------------------


def _result_use() -> None:
    st.caption(texts.RESULT_USE_INTRO)
    try:
        rules = result_use.active_rules()
    except result_use.ResultRulesError as error:  # a bad $DASHBOARD_RESULT_RULES: its message, not a trace
        st.error(markdown_literal(hide_paths(str(error))), icon=":material/settings_alert:")
        return
    st.markdown(f"**{texts.RESULT_USE_RULES}**")
    rule_frame = pd.DataFrame(
        [{"grade": r.grade, "action": r.action, "factor": r.factor} for r in rules],
        columns=["grade", "action", "factor"],
    )
    st.dataframe(rule_frame.rename(columns=texts.RESULT_USE_RULE_COLUMNS), hide_index=True, key="result_use_rules")
    st.download_button(
        texts.RESULT_USE_DOWNLOAD_RULES, data=result_use.rules_toml(rules).encode("utf-8"), file_name="result-use.toml",
        mime="application/toml", key="result_use_rules_download", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    current = filter_widgets.current()
    with db.cursor() as cur:
        frame = cycle_queries.result_use_table(cur, current, rules)
    st.text(cycle_queries.result_use_summary(frame))
    shown = frame.assign(grade=frame["grade"].map(fmt.text_or_dash)).rename(columns=texts.RESULT_USE_COLUMNS)
    offset = paging.pick_offset(len(shown), RESULT_USE_PAGE_KEY)  # a city's 10⁵ projects: one page is sent
    page = shown.iloc[offset : offset + queries.PAGE_SIZE]
    st.dataframe(page, hide_index=True, width="stretch", key="result_use_table")
    st.caption(paging.shown_text(offset, len(page), len(shown)))
    download_buttons.download_buttons(shown, texts.RESULT_USE_DOWNLOAD, key="result_use_download")
    st.caption(markdown_literal(texts.RESULT_USE_FILTERS.format(filters=filters.describe(current))))


if __name__ == "__main__":
    render()
