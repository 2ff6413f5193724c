"""One whole 自评表 on screen: header, fund block, goals side by side, indicators, findings.

Used by the 项目 page (a selected row) and the 复核 page, which passes `show_recomputed=True`
to put the claimed 总分 beside the one the scoring rules give (forms.recomputed_score).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.audit import audit
from dashboard.audit.config import grade_of
from dashboard.core import domain, texts
from dashboard.core import formatting as fmt
from dashboard.core.domain import SEVERITIES, Severity
from dashboard.core.model import Form
from dashboard.outputs import downloads
from dashboard.queries.key_figures import GRADE_BADGE_COLORS, NO_GRADE_BADGE_COLOR, BadgeColor, grade_color
from dashboard.reference.reference import printed_with_name
from dashboard.security.untrusted import markdown_literal
from dashboard.ui import download_buttons, styles
from dashboard.ui import table_columns as cols

DEDUCTED_ROW_STYLE = "background-color: #fdecea"
NO_REASON_STYLE = "color: #b03a2e; font-weight: 600"
SEVERITY_BADGES: dict[str, BadgeColor] = {Severity.ERROR: "red", Severity.WARNING: "orange", Severity.INFO: "blue"}


def execution_rate(form: Form) -> float | None:
    """全年执行数 ÷ 全年预算数 of the 年度资金总额 row (domain.execution_rate)."""
    return domain.execution_rate(form.funds.total.annual_budget, form.funds.total.executed)


def recomputed_text(claimed: float | None, recomputed: float | None, places: int | None = None) -> str:
    """The recomputed 总分 as shown: the figure (with `places` decimals, for a table column, else as the
    cards write scores), 不可评价 where a claimed 总分 has none, else "—"."""
    if recomputed is not None and not fmt.is_missing(recomputed):
        return fmt.score_text(recomputed) if places is None else f"{float(recomputed):,.{places}f}"
    return texts.NOT_EVALUABLE if not fmt.is_missing(claimed) else texts.DASH


def render_form(form: Form, money_unit: str = "万元", show_recomputed: bool = False, key: str = "form") -> None:
    """Draw the whole form. `key` prefixes the widget keys (two forms may share a page)."""
    _header(form, money_unit)
    _figures(form, money_unit, show_recomputed)
    st.markdown(f"#### {texts.FORM_FUNDS}")
    _funds(form, money_unit, key)
    st.markdown(f"#### {texts.FORM_GOALS}")
    _goals(form)
    st.markdown(f"#### {texts.FORM_INDICATORS}")
    _indicators(form, key)
    st.markdown(f"#### {texts.FORM_CHECKS}")
    _checks(form)
    if show_recomputed:
        _explanation(form, key)
    download_buttons.form_download_button(form, key=f"{key}_workbook")


def _header(form: Form, money_unit: str) -> None:
    not_graded = domain.not_graded_reason(form)
    grade = texts.NOT_GRADED if not_graded else grade_of(form.total_score)
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.subheader(markdown_literal(form.project_name), anchor=False)  # text from the form is data
        if grade:
            st.badge(f"{texts.FORM_GRADE} {grade}", color=grade_color(grade, GRADE_BADGE_COLORS, NO_GRADE_BADGE_COLOR))
        if not_graded:
            st.caption(texts.NOT_GRADED_REASONS[not_graded])
        if form.status:
            st.badge(markdown_literal(form.status), color="gray", icon=":material/block:")
    st.caption(
        texts.FORM_META.format(
            department=markdown_literal(fmt.text_or_dash(printed_with_name(form.department, form.department_name))),
            unit=markdown_literal(fmt.text_or_dash(printed_with_name(form.unit, form.unit_name))),
            year=fmt.text_or_dash(form.year),
            amount=fmt.money_text(form.project_amount, money_unit),
        )
    )
    pages = "、".join(str(page) for page in form.source_pages)
    st.caption(
        texts.FORM_SOURCE.format(
            file=markdown_literal(form.source_file),
            pages=texts.FORM_PAGES.format(pages=pages) if pages else "",
            unit=markdown_literal(form.funds.unit_printed),
            form_id=form.id,
        )
    )


def _figures(form: Form, money_unit: str, show_recomputed: bool) -> None:
    total = form.funds.total
    rate = execution_rate(form)
    with st.container(horizontal=True, gap="small"):
        st.metric(texts.KPI_BUDGET, fmt.money_text(total.annual_budget, money_unit), border=True)
        st.metric(texts.KPI_EXECUTED, fmt.money_text(total.executed, money_unit), border=True)
        st.metric(
            texts.COL["exec_rate_pct"],
            fmt.percent_text(rate),
            border=True,
            help=texts.FORM_RATE_PRINTED.format(printed=fmt.percent_value_text(total.rate_pct)),
        )
        st.metric(
            texts.FORM_FUND_SCORE,
            fmt.score_text(total.score),
            border=True,
            help=texts.FORM_TOTAL_OF.format(weight=fmt.score_text(total.weight)),
        )
        if show_recomputed:
            st.metric(texts.FORM_CLAIMED, fmt.score_text(form.total_score), border=True)
            scheme = audit.scheme_of(form)
            st.metric(
                texts.FORM_RECOMPUTED,
                recomputed_text(form.total_score, form.recomputed_score),
                border=True,
                help=texts.FORM_RECOMPUTED_HELP
                + texts.FORM_SCHEME_HELP.format(scheme=scheme.label, source=scheme.source)
                + (texts.FORM_SCHEME_TITLE.format(title=form.scheme_title) if form.scheme_title else ""),
            )
            gap = downloads.score_gap(form.total_score, form.recomputed_score)
            st.metric(texts.FORM_GAP, fmt.score_text(gap), border=True, help=texts.FORM_GAP_HELP)
        else:
            st.metric(
                texts.FORM_TOTAL,
                fmt.score_text(form.total_score),
                border=True,
                help=texts.FORM_TOTAL_OF.format(weight=fmt.score_text(form.total_weight)),
            )


def _explanation(form: Form, key: str) -> None:
    st.markdown(f"#### {texts.EXPLAIN_TITLE}")
    st.caption(texts.EXPLAIN_HINT)
    result = texts.EXPLAIN_COLUMNS["result"]
    st.dataframe(
        downloads.form_explanation_frame(form),
        hide_index=True,
        width="stretch",
        placeholder=texts.DASH,
        column_config={
            texts.EXPLAIN_COLUMNS["formula"]: cols.text_column(texts.EXPLAIN_COLUMNS["formula"], width="large"),
            result: cols.score_column(result, width="small"),
        },
        key=f"{key}_explanation",
    )


def funds_frame(form: Form, money_unit: str) -> pd.DataFrame:
    """The 项目资金 block in the display unit, headed in Chinese."""
    unit = money_unit
    rows = []
    for key, row in form.funds.rows().items():
        rows.append(
            {
                texts.FUND_COLUMNS["row"]: texts.FUND_ROW_LABELS[key],
                f"年初预算数（{unit}）": fmt.in_unit(row.initial_budget, unit),
                f"全年预算数（{unit}）": fmt.in_unit(row.annual_budget, unit),
                f"全年执行数（{unit}）": fmt.in_unit(row.executed, unit),
                texts.FUND_COLUMNS["weight"]: row.weight,
                texts.FUND_COLUMNS["rate_pct"]: row.rate_pct,
                texts.FUND_COLUMNS["score"]: row.score,
            }
        )
    return pd.DataFrame(rows)


def _funds(form: Form, money_unit: str, key: str = "form") -> None:
    frame = funds_frame(form, money_unit)
    with st.container(key=f"{styles.PHONE_ONLY_KEY}{key}_funds"):  # a phone: one card per row of money
        for row in frame.to_dict("records"):
            with st.container(border=True, gap="small"):
                st.markdown(f"**{row[texts.FUND_COLUMNS['row']]}**")
                st.text(
                    "\n".join(
                        texts.FORM_PHONE_FIELD.format(label=label, value=_fund_value(label, value))
                        for label, value in row.items()
                        if label != texts.FUND_COLUMNS["row"]
                    )
                )
    config = {column: cols.money_column(column) for column in frame.columns if "（" in column and "%" not in column}
    config[texts.FUND_COLUMNS["rate_pct"]] = cols.percent_column(texts.FUND_COLUMNS["rate_pct"])
    config[texts.FUND_COLUMNS["weight"]] = cols.score_column(texts.FUND_COLUMNS["weight"])
    config[texts.FUND_COLUMNS["score"]] = cols.score_column(texts.FUND_COLUMNS["score"])
    st.container(key=f"{styles.WIDE_ONLY_KEY}{key}_funds").dataframe(
        frame, hide_index=True, column_config=config, width="stretch", placeholder=texts.DASH
    )


def _fund_value(label: str, value) -> str:
    """A cell of the 项目资金 block as its phone card writes it: money with two decimals, 执行率 in %, points."""
    if label == texts.FUND_COLUMNS["rate_pct"]:
        return fmt.percent_value_text(value)
    if label in (texts.FUND_COLUMNS["weight"], texts.FUND_COLUMNS["score"]):
        return fmt.score_text(value)
    return texts.DASH if fmt.is_missing(value) else f"{float(value):,.2f}"


def _goals(form: Form) -> None:
    left, right = st.columns(2)
    for column, title, body in (
        (left, texts.GOAL_EXPECTED, form.goal_expected),
        (right, texts.GOAL_ACTUAL, form.goal_actual),
    ):
        with column.container(border=True, height="stretch"):
            st.markdown(f"**{title}**")
            st.text(body.strip() or texts.FORM_EMPTY_TEXT)


def indicators_frame(form: Form) -> pd.DataFrame:
    """The indicator table as shown: Chinese headings, 扣分, "未说明原因" where a deduction has no reason."""
    rows = []
    for indicator in form.indicators:
        deducted = domain.is_deducted(indicator.weight, indicator.score)
        reason = (indicator.reason or "").strip()
        if deducted and domain.is_no_reason(reason):
            reason = texts.NO_REASON
        rows.append(
            {
                texts.COL["level1"]: indicator.level1 or texts.DASH,
                texts.COL["level2"]: indicator.level2 or texts.DASH,
                texts.COL["name"]: fmt.text_or_dash(indicator.name),
                texts.COL["target"]: fmt.text_or_dash(indicator.target),
                texts.COL["actual"]: fmt.text_or_dash(indicator.actual),
                texts.COL["weight"]: indicator.weight,
                texts.COL["score"]: indicator.score,
                texts.COL["points_lost"]: indicator.points_lost if deducted else None,
                texts.COL["reason"]: reason or texts.DASH,
                "_deducted": deducted,
            }
        )
    columns = [*(texts.COL[k] for k in ("level1", "level2", "name", "target", "actual", "weight", "score")),
               texts.COL["points_lost"], texts.COL["reason"], "_deducted"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _indicators(form: Form, key: str) -> None:
    frame = indicators_frame(form)
    if frame.empty:
        st.info(texts.FORM_NO_INDICATORS)
        return
    st.caption(texts.FORM_INDICATORS_HINT)
    level1 = texts.COL["level1"]
    for group_index, (group, rows) in enumerate(frame.groupby(level1, sort=False)):
        weight = rows[texts.COL["weight"]].sum(min_count=1)
        score = rows[texts.COL["score"]].sum(min_count=1)
        header = texts.FORM_LEVEL1_HEADER.format(
            level1=markdown_literal(group), weight=fmt.score_text(weight), score=fmt.score_text(score)
        )
        st.markdown(f"**{header}**")
        phone_cards(rows, f"{styles.PHONE_ONLY_KEY}{key}_{group_index}")
        shown = rows.drop(columns=[level1]).reset_index(drop=True)
        level2 = texts.COL["level2"]
        repeated = shown[level2].eq(shown[level2].shift())
        shown[level2] = shown[level2].where(~repeated, "")
        st.container(key=f"{styles.WIDE_ONLY_KEY}{key}_{group_index}").dataframe(
            _highlight(shown),
            placeholder=texts.DASH,
            hide_index=True,
            width="stretch",
            column_order=[column for column in shown.columns if column != "_deducted"],
            column_config={
                texts.COL["weight"]: cols.score_column(texts.COL["weight"], width="small"),
                texts.COL["score"]: cols.score_column(texts.COL["score"], width="small"),
                texts.COL["points_lost"]: cols.score_column(texts.COL["points_lost"], width="small"),
                texts.COL["reason"]: cols.text_column(texts.COL["reason"], width="large"),
            },
            key=f"{key}_indicators_{group}",
        )
    download_buttons.download_buttons(
        downloads.form_indicators_frame(form),
        texts.FORM_INDICATORS_FILE.format(name=form.project_name),
        key=f"{key}_indicators_download",
    )


def phone_cards(rows: pd.DataFrame, container_key: str) -> None:
    """The indicator rows as stacked cards, read without scrolling sideways on a phone (styles.py shows them
    only there, and the table only elsewhere): name, 二级指标 and points, target and result, the reason."""
    col = texts.COL
    with st.container(key=container_key):
        for row in rows.to_dict("records"):
            with st.container(border=True, gap="small"):
                st.markdown(f"**{markdown_literal(row[col['name']])}**")
                lost = row[col["points_lost"]]
                st.caption(
                    texts.FORM_PHONE_POINTS.format(
                        level2=markdown_literal(row[col["level2"]]), weight=fmt.score_text(row[col["weight"]]),
                        score=fmt.score_text(row[col["score"]]),
                    )
                    + (texts.FORM_PHONE_LOST.format(lost=fmt.score_text(lost)) if not fmt.is_missing(lost) else "")
                )  # fmt: skip
                st.text(texts.FORM_PHONE_VALUES.format(target=row[col["target"]], actual=row[col["actual"]]))
                reason = row[col["reason"]]
                if row["_deducted"]:
                    if reason == texts.NO_REASON:
                        st.markdown(f":red[**{texts.NO_REASON}**]")
                    else:
                        st.text(texts.FORM_PHONE_REASON.format(reason=reason))


def _highlight(frame: pd.DataFrame):
    reason = texts.COL["reason"]

    def row_style(row: pd.Series) -> list[str]:
        return [DEDUCTED_ROW_STYLE if row["_deducted"] else ""] * len(row)

    def reason_style(value) -> str:
        return NO_REASON_STYLE if value == texts.NO_REASON else ""

    return frame.style.apply(row_style, axis=1).map(reason_style, subset=[reason])


def _checks(form: Form) -> None:
    if not form.checks:
        st.success(texts.FORM_NO_CHECKS, icon=":material/check_circle:")
        return
    lines = []
    for check in sorted(form.checks, key=lambda c: SEVERITIES.index(c.severity)):
        color = SEVERITY_BADGES.get(check.severity, "gray")
        label = texts.SEVERITY_LABELS.get(check.severity, check.severity)
        where = f"（{check.indicator}）" if check.indicator else ""
        lines.append(f"- :{color}-badge[{label}] {markdown_literal(check.message + where)}")
    st.markdown("\n".join(lines))
