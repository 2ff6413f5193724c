"""参考数据: project types (未分类 projects first, a person assigns a type), the ordered type rules (edit,
download, upload as TOML), and the organisations (codes, names, parent departments; a CSV/xlsx of them).

Everyone may look; changing anything needs the 导入 role once accounts exist (auth.allowed). Writes go
through the 导入 page's one-writer path (the shared read-only handle closed, the file opened read-write,
every cache cleared afterwards), so every page shows the change on its next run, without re-import.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd
import streamlit as st

from dashboard.core import texts
from dashboard.reference import organisations, project_types, reason_classes, reference
from dashboard.reference.project_types import Rule
from dashboard.security import accounts
from dashboard.security.untrusted import markdown_literal
from dashboard.ui import auth, data_gate, db
from dashboard.ui.pages import import_page

_GENERATION_KEY = "reference_page_generation"  # a new editor after each save, so old edits never linger
_EXTRA_TYPES_KEY = "reference_page_extra_types"


def render() -> None:
    st.title(texts.REF_TITLE, anchor=False)
    st.caption(texts.REF_INTRO)
    data_gate.require_data()
    with db.cursor() as cur:
        if not reference.present(cur):
            st.info(texts.REF_NOT_READY, icon=":material/info:")
            return
        projects = project_types.projects(cur)
        rules = project_types.load_rules(cur)
        known = project_types.known_types(cur)
        orgs = organisations.table(cur)
        spellings = organisations.spellings_table(cur)
        reasons = reason_classes.reasons(cur)
        reason_rules = reason_classes.load_rules(cur)
    can_edit = auth.allowed(accounts.Role.IMPORTER)
    if not can_edit:
        st.info(texts.REF_EDIT_SIGNIN, icon=":material/lock:")
    generation = st.session_state.setdefault(_GENERATION_KEY, 0)
    types_tab, rules_tab, orgs_tab, reasons_tab = st.tabs(
        [texts.REF_TAB_TYPES, texts.REF_TAB_RULES, texts.REF_TAB_ORGS, texts.REF_TAB_REASONS]
    )
    with types_tab:
        _types(projects, known, can_edit, generation)
    with rules_tab:
        _rules(rules, can_edit, generation)
    with orgs_tab:
        _organisations(orgs, can_edit, generation)
        _spellings(spellings, orgs, can_edit, generation)
    with reasons_tab:
        _reasons(reasons, reason_rules, can_edit, generation)
    if not can_edit:
        auth.require(accounts.Role.IMPORTER)  # the sign-in form


# --- writing -------------------------------------------------------------------------------------------------


def _write(work: Callable[[duckdb.DuckDBPyConnection], object], done: str) -> None:
    """Run one change with the database open read-write, then show `done` and rerun every view."""

    def run() -> str:
        with import_page._one_writer(), import_page._writing(None) as con:
            work(con)
        st.session_state[_GENERATION_KEY] = st.session_state.get(_GENERATION_KEY, 0) + 1
        return done

    import_page._write_then_rerun(run, done)


# --- project types -------------------------------------------------------------------------------------------


def source_text(source: str) -> str:
    if source == project_types.SOURCE_PERSON:
        return texts.REF_SOURCE_PERSON
    if source == project_types.SOURCE_NONE:
        return texts.REF_SOURCE_NONE
    return texts.REF_SOURCE_RULE.format(position=source)


def _types(projects: pd.DataFrame, known: list[str], can_edit: bool, generation: int) -> None:
    unclassified = projects[projects["project_type"] == project_types.UNCLASSIFIED]
    summary = (
        projects.groupby("project_type", sort=False)
        .agg(names=("project_name", "size"), forms=("forms", "sum"))
        .reset_index()
        .sort_values(["forms", "project_type"], ascending=[False, True])
    )
    if unclassified.empty:
        st.markdown(texts.REF_TYPES_ALL_CLASSIFIED.format(types=len(summary)))
    else:
        st.markdown(
            texts.REF_TYPES_SUMMARY.format(
                types=len(summary), unclassified=len(unclassified), forms=int(unclassified["forms"].sum())
            )
        )
    columns = texts.REF_TYPES_COLUMNS
    with st.expander(texts.REF_TYPES_COUNTS):
        st.dataframe(summary.rename(columns=columns), hide_index=True, width="stretch")
    only = st.toggle(texts.REF_TYPES_ONLY_UNCLASSIFIED, value=not unclassified.empty, key="reference_only_unclassified")
    shown = (unclassified if only else projects).reset_index(drop=True)
    table = shown[["project_name", "project_type", "source", "forms"]].copy()
    table["source"] = table["source"].map(source_text)
    extra = st.session_state.get(_EXTRA_TYPES_KEY, [])
    choices = [texts.REF_TYPES_BY_RULE, *dict.fromkeys([*known, *extra, *table["project_type"]])]
    config = {
        "project_name": st.column_config.TextColumn(columns["project_name"], disabled=True),
        "project_type": st.column_config.SelectboxColumn(columns["project_type"], options=choices, required=True),
        "source": st.column_config.TextColumn(columns["source"], disabled=True),
        "forms": st.column_config.NumberColumn(columns["forms"], disabled=True, format="%d"),
    }
    if not can_edit:
        st.dataframe(table.rename(columns=columns), hide_index=True, width="stretch")
        return
    st.caption(texts.REF_TYPES_EDITOR_HELP)
    edited = st.data_editor(
        table, column_config=config, hide_index=True, width="stretch", key=f"reference_types_{generation}"
    )
    with st.container(horizontal=True, vertical_alignment="bottom"):
        new_type = st.text_input(texts.REF_TYPES_NEW, key="reference_new_type", help=texts.REF_TYPES_NEW_HELP)
        if st.button(texts.REF_TYPES_NEW_ADD, key="reference_new_type_add") and new_type.strip():
            st.session_state[_EXTRA_TYPES_KEY] = [*extra, new_type.strip()]
            st.rerun()
    if st.button(texts.REF_TYPES_SAVE, type="primary", key="reference_types_save"):
        changes = type_changes(table, edited)
        if not changes:
            st.info(texts.REF_TYPES_NOTHING)
            return
        by = auth.signed_in_name()
        _write(lambda con: project_types.assign(con, changes, by=by), texts.REF_TYPES_SAVED.format(count=len(changes)))


def type_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, str | None]:
    """Project name → the type a person chose (None: back to the rules), for the rows whose type changed."""
    changes: dict[str, str | None] = {}
    for name, old, new in zip(before["project_name"], before["project_type"], after["project_type"], strict=True):
        if new == old or new is None:
            continue
        changes[name] = None if new == texts.REF_TYPES_BY_RULE else new
    return changes


# --- the rules -------------------------------------------------------------------------------------------------


def _rules(rules: list[Rule], can_edit: bool, generation: int) -> None:
    st.caption(texts.REF_RULES_HELP)
    columns = texts.REF_RULES_COLUMNS
    table = pd.DataFrame(
        [
            [rule.project_type, texts.REF_RULE_FIELDS[rule.field], texts.REF_RULE_MATCHES[rule.match], rule.pattern]
            for rule in rules
        ],
        columns=list(columns),
    )
    st.download_button(
        texts.REF_RULES_DOWNLOAD,
        project_types.rules_to_toml(rules).encode("utf-8"),
        file_name="project_type_rules.toml",
        mime="application/toml",
        icon=":material/download:",
        key="reference_rules_download",
    )
    if not can_edit:
        st.dataframe(table.rename(columns=columns), width="stretch")
        return
    config = {
        "project_type": st.column_config.TextColumn(columns["project_type"], required=True, max_chars=50),
        "field": st.column_config.SelectboxColumn(
            columns["field"], options=list(texts.REF_RULE_FIELDS.values()), required=True
        ),
        "match": st.column_config.SelectboxColumn(
            columns["match"], options=list(texts.REF_RULE_MATCHES.values()), required=True
        ),
        "pattern": st.column_config.TextColumn(columns["pattern"], required=True, width="large"),
    }
    edited = st.data_editor(
        table, column_config=config, num_rows="dynamic", width="stretch", key=f"reference_rules_{generation}"
    )
    with st.container(horizontal=True):
        if st.button(texts.REF_RULES_SAVE, type="primary", key="reference_rules_save"):
            _save_rules(rules_from_table(edited))
        if st.button(texts.REF_RULES_RESET, key="reference_rules_reset"):
            _save_rules(list(project_types.DEFAULT_RULES))
    upload = st.file_uploader(texts.REF_RULES_UPLOAD, type=["toml"], key=f"reference_rules_upload_{generation}")
    if upload is not None and st.button(texts.REF_RULES_UPLOAD_APPLY, key="reference_rules_upload_apply"):
        try:
            uploaded = project_types.rules_from_toml(upload.getvalue().decode("utf-8-sig"))
        except (project_types.RuleError, UnicodeDecodeError) as error:
            message = str(error) if isinstance(error, project_types.RuleError) else texts.REF_ORG_FILE_ENCODING
            st.error(markdown_literal(message), icon=":material/error:")
            return
        _save_rules(uploaded)


def rules_from_table(table: pd.DataFrame) -> list[Rule]:
    """The editor's rows back as rules, in their order (blank rows dropped)."""
    fields = {label: key for key, label in texts.REF_RULE_FIELDS.items()}
    matches = {label: key for key, label in texts.REF_RULE_MATCHES.items()}
    rules = []
    for row in table.to_dict("records"):
        values = [row.get(key) for key in ("project_type", "pattern", "field", "match")]
        if all(value is None or value != value or str(value).strip() == "" for value in values):
            continue
        project_type, pattern, field, match = (("" if v is None or v != v else str(v)) for v in values)
        rules.append(Rule(project_type, pattern, fields.get(field, field), matches.get(match, match)))
    return rules


def _save_rules(rules: list[Rule]) -> None:
    try:
        checked = [
            project_types.check_rule(rule, texts.REF_RULE_WHERE.format(position=position))
            for position, rule in enumerate(rules, start=1)
        ]
    except project_types.RuleError as error:
        st.error(markdown_literal(str(error)), icon=":material/error:")
        return
    _write(lambda con: project_types.save_rules(con, checked), texts.REF_RULES_SAVED)


# --- 偏差原因分类 ----------------------------------------------------------------------------------------------


def reasons_table(reasons: pd.DataFrame) -> pd.DataFrame:
    """The reasons as the editor shows them: the reason, its class and subclass, what decided it, its count."""
    table = reasons[["reason", "reason_class", "reason_subclass", "source", "indicators"]].copy()
    table["source"] = table["source"].map(source_text)
    return table.reset_index(drop=True)


def reason_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, tuple[str, str] | None]:
    """Reason → the (class, subclass) a person chose (None: back to the rules), for the rows that changed."""
    changes: dict[str, tuple[str, str] | None] = {}
    rows = zip(before["reason"], before["reason_class"], before["reason_subclass"], after["reason_class"],
               after["reason_subclass"], strict=True)  # fmt: skip
    for reason, old_class, old_sub, new_class, new_sub in rows:
        new_sub = "" if new_sub is None or new_sub != new_sub else str(new_sub).strip()
        if (new_class, new_sub) == (old_class, old_sub or "") or new_class is None:
            continue
        changes[reason] = None if new_class == texts.REF_TYPES_BY_RULE else (new_class, new_sub)
    return changes


def _reasons(reasons: pd.DataFrame, rules: list[reason_classes.Rule], can_edit: bool, generation: int) -> None:
    st.caption(texts.REF_REASONS_HELP)
    unclassified = reasons[reasons["reason_class"] == reason_classes.UNCLASSIFIED]
    st.markdown(
        texts.REF_REASONS_SUMMARY.format(
            reasons=len(reasons), unclassified=len(unclassified), indicators=int(unclassified["indicators"].sum())
        )
    )
    columns = texts.REF_REASONS_COLUMNS
    only = st.toggle(texts.REF_TYPES_ONLY_UNCLASSIFIED, value=not unclassified.empty, key="reference_reasons_only")
    table = reasons_table(unclassified if only else reasons)
    if not can_edit:
        st.dataframe(table.rename(columns=columns), hide_index=True, width="stretch", key="reference_reasons")
    else:
        choices = [texts.REF_TYPES_BY_RULE, *dict.fromkeys([*(c for c, _ in reason_classes.TAXONOMY),
                                                              *table["reason_class"]])]  # fmt: skip
        config = {
            "reason": st.column_config.TextColumn(columns["reason"], disabled=True, width="large"),
            "reason_class": st.column_config.SelectboxColumn(columns["reason_class"], options=choices, required=True),
            "reason_subclass": st.column_config.TextColumn(columns["reason_subclass"], max_chars=50),
            "source": st.column_config.TextColumn(columns["source"], disabled=True),
            "indicators": st.column_config.NumberColumn(columns["indicators"], disabled=True, format="%d"),
        }
        edited = st.data_editor(
            table, column_config=config, hide_index=True, width="stretch", key=f"reference_reasons_{generation}"
        )
        if st.button(texts.REF_REASONS_SAVE, type="primary", key="reference_reasons_save"):
            changes = reason_changes(table, edited)
            if not changes:
                st.info(texts.REF_TYPES_NOTHING)
            else:
                by = auth.signed_in_name()
                _write(
                    lambda con: reason_classes.assign(con, changes, by=by),
                    texts.REF_REASONS_SAVED.format(count=len(changes)),
                )
    rule_columns = texts.REF_REASONS_RULES_COLUMNS
    rule_table = pd.DataFrame(
        [[r.reason_class, r.reason_subclass, texts.REF_RULE_MATCHES[r.match], r.pattern] for r in rules],
        columns=list(rule_columns),
    )
    st.dataframe(rule_table.rename(columns=rule_columns), width="stretch", key="reference_reason_rules")
    st.download_button(
        texts.REF_REASONS_DOWNLOAD,
        reason_classes.rules_to_toml(rules).encode("utf-8"),
        file_name="reason_class_rules.toml",
        mime="application/toml",
        icon=":material/download:",
        key="reference_reason_rules_download",
    )
    if not can_edit:
        return
    upload = st.file_uploader(texts.REF_REASONS_UPLOAD, type=["toml"], key=f"reference_reason_upload_{generation}")
    if upload is not None and st.button(texts.REF_REASONS_UPLOAD_APPLY, key="reference_reason_upload_apply"):
        try:
            uploaded = reason_classes.rules_from_toml(upload.getvalue().decode("utf-8-sig"))
        except (project_types.RuleError, UnicodeDecodeError) as error:
            message = str(error) if isinstance(error, project_types.RuleError) else texts.REF_ORG_FILE_ENCODING
            st.error(markdown_literal(message), icon=":material/error:")
            return
        _write(lambda con: reason_classes.save_rules(con, uploaded), texts.REF_REASONS_REPLACED)


# --- organisations -------------------------------------------------------------------------------------------


def org_table(orgs: pd.DataFrame) -> pd.DataFrame:
    """The organisations as the editor shows them: parent as its label, origin in words."""
    labels = _labels(orgs)
    table = orgs[["org_id", "code", "name"]].copy()
    table["parent"] = [None if pd.isna(p) else labels.get(int(p)) for p in orgs["parent_id"]]
    table["origin"] = orgs["origin"].map(lambda origin: texts.REF_ORG_ORIGINS.get(origin, origin))
    table["forms"] = orgs["forms"]
    table["spellings"] = orgs["spellings"]
    return table


def _labels(orgs: pd.DataFrame) -> dict[int, str]:
    return {
        int(org_id): organisations.label(_text(code), _text(name))
        for org_id, code, name in zip(orgs["org_id"], orgs["code"], orgs["name"], strict=True)
    }


def _text(value) -> str | None:
    return None if value is None or value is pd.NA or value != value else str(value)


def _organisations(orgs: pd.DataFrame, can_edit: bool, generation: int) -> None:
    st.caption(texts.REF_ORGS_HELP)
    table = org_table(orgs)
    columns = texts.REF_ORGS_COLUMNS
    if not can_edit:
        st.dataframe(table.drop(columns=["org_id"]).rename(columns=columns), hide_index=True, width="stretch")
        return
    parents = sorted(set(_labels(orgs).values()))
    config = {
        "org_id": None,
        "code": st.column_config.TextColumn(columns["code"], max_chars=40),
        "name": st.column_config.TextColumn(columns["name"], max_chars=100, width="medium"),
        "parent": st.column_config.SelectboxColumn(columns["parent"], options=parents, width="medium"),
        "origin": st.column_config.TextColumn(columns["origin"], disabled=True),
        "forms": st.column_config.NumberColumn(columns["forms"], disabled=True, format="%d"),
        "spellings": st.column_config.TextColumn(columns["spellings"], disabled=True, width="large"),
    }
    edited = st.data_editor(
        table, column_config=config, num_rows="dynamic", hide_index=True, width="stretch",
        key=f"reference_orgs_{generation}",
    )  # fmt: skip
    if st.button(texts.REF_ORGS_SAVE, type="primary", key="reference_orgs_save"):
        try:
            organisations.check_edits(edited)
        except organisations.OrgFileError as error:
            st.error(markdown_literal(str(error)), icon=":material/error:")
        else:
            _write(lambda con: organisations.save_edits(con, edited), texts.REF_ORGS_SAVED)
    upload = st.file_uploader(
        texts.REF_ORGS_UPLOAD, type=["csv", "xlsx"], help=texts.REF_ORGS_UPLOAD_HELP,
        key=f"reference_orgs_upload_{generation}",
    )  # fmt: skip
    if upload is not None and st.button(texts.REF_ORGS_UPLOAD_APPLY, key="reference_orgs_upload_apply"):
        try:
            rows = organisations.read_file(upload.name, data=upload.getvalue())
        except organisations.OrgFileError as error:
            st.error(markdown_literal(str(error)), icon=":material/error:")
            return
        _write(lambda con: organisations.import_rows(con, rows), texts.REF_ORGS_IMPORTED.format(count=len(rows)))


def _spellings(spellings: pd.DataFrame, orgs: pd.DataFrame, can_edit: bool, generation: int) -> None:
    st.subheader(texts.REF_SPELLINGS, anchor=False, help=texts.REF_SPELLINGS_HELP)
    columns = texts.REF_SPELLINGS_COLUMNS
    table = spellings[["spelling", "label"]]
    if not can_edit:
        st.dataframe(table.rename(columns=columns), hide_index=True, width="stretch")
        return
    by_label = {label: org_id for org_id, label in _labels(orgs).items()}
    config = {
        "spelling": st.column_config.TextColumn(columns["spelling"], disabled=True),
        "label": st.column_config.SelectboxColumn(columns["label"], options=sorted(by_label), required=True),
    }
    edited = st.data_editor(
        table, column_config=config, hide_index=True, width="stretch", key=f"reference_spellings_{generation}"
    )
    if st.button(texts.REF_SPELLINGS_SAVE, key="reference_spellings_save"):
        changes = spelling_changes(table, edited, by_label)
        if not changes:
            st.info(texts.REF_TYPES_NOTHING)
            return
        done = texts.REF_SPELLINGS_SAVED.format(count=len(changes))
        _write(lambda con: organisations.assign_spellings(con, changes), done)


def spelling_changes(before: pd.DataFrame, after: pd.DataFrame, by_label: dict[str, int]) -> dict[str, int]:
    """Printed spelling → the organisation a person moved it to, for the rows whose organisation changed."""
    return {
        spelling: by_label[new]
        for spelling, old, new in zip(before["spelling"], before["label"], after["label"], strict=True)
        if new != old and new in by_label
    }


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) draws nothing
    render()
