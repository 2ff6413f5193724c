"""Copies of published 自评表 pasted as text with "|" between the cells, made from form records (form-json.md).

The patterns are those of real copies (issue 17, point 7): a Markdown table from a converter (outer pipes,
a |---| separator row under the first row, merged cells as empty cells), plain pipes without the outer
ones, a unit cell carrying "（盖章）", names wrapped over lines (the cell's text going on on the next line,
or on a row of its own under the row), a copy cut off part-way.
"""

from __future__ import annotations

from dashboard.outputs import form_sheet as layout

COLUMNS = 9
WRAP_AT = 6  # a name longer than this wraps after its sixth character


def _money(row: dict, key: str, unit: str) -> str:
    return layout.money(row.get(key), unit)


def form_rows(record: dict, stamp: bool = False) -> list[list[str]]:
    """The form's rows of cells, merged cells as "" (a title line is a row of one cell)."""
    funds, unit = record["funds"], record["funds"].get("unit_printed") or "元"
    unit_label = "实施单位（盖章）" if stamp else "实施单位"
    unit_value = (record.get("unit") or "") + ("（盖章）" if stamp else "")
    amount = "" if record.get("project_amount") is None else layout.plain(record["project_amount"])
    rows = [
        ["项目支出绩效自评表"],
        ["项目名称", "", record["project_name"], "", "", "", "项目金额", "", amount],
        ["主管部门", "", record.get("department") or "", "", "", "", unit_label, "", unit_value],
        [f"项目资金（{unit}）", "", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ]
    for key, label in layout.FUND_LABELS.items():
        row = funds[key]
        rows.append(
            ["", label, "", _money(row, "initial_budget", unit), _money(row, "annual_budget", unit),
             _money(row, "executed", unit), layout.plain(row.get("weight")), layout.percent(row.get("rate_pct")),
             layout.plain(row.get("score"))]
        )  # fmt: skip
    rows.append(["年度总体目标", "预期目标", "", "", "", "实际完成情况", "", "", ""])
    rows.append(["", record.get("goal_expected") or "", "", "", "", record.get("goal_actual") or "", "", "", ""])
    rows.append(["年度绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                 "偏差原因分析及改进措施"])  # fmt: skip
    level1 = level2 = None
    for indicator in record["indicators"]:
        first = indicator["level1"] if indicator["level1"] != level1 else ""
        second = indicator["level2"] if (indicator["level1"], indicator["level2"]) != (level1, level2) else ""
        level1, level2 = indicator["level1"], indicator["level2"]
        rows.append(
            ["", first, second, indicator["name"], indicator["target"], indicator["actual"],
             layout.plain(indicator.get("weight")), layout.plain(indicator.get("score")), indicator.get("reason") or ""]
        )  # fmt: skip
    rows.append(["总分", "", "", "", "", "", layout.plain(record.get("total_weight")),
                 layout.plain(record.get("total_score")), "—"])  # fmt: skip
    return rows


def _line(row: list[str], outer: bool) -> str:
    if len(row) == 1:
        return row[0]
    inner = " | ".join(row)
    return f"| {inner} |" if outer else inner


def pipe_copy(
    records: list[dict], outer: bool = True, separator: bool = False, stamp: bool = False, wrap: str = ""
) -> str:
    """The forms as one text. `wrap`: "" (none), "cell" (a long name's cell goes on on the next line, the
    row closing there) or "row" (the rest of a long name on a row of its own under its row)."""
    lines: list[str] = []
    for record in records:
        rows = form_rows(record, stamp)
        indicator_rows = range(len(rows) - 1 - len(record["indicators"]), len(rows) - 1)
        for number, row in enumerate(rows):
            name = row[3] if number in indicator_rows else ""
            if wrap and len(name) > WRAP_AT:
                cut = WRAP_AT
                while name[cut - 1 : cut + 1].isascii() and name[cut - 1 : cut + 1].isalpha():
                    cut += 1  # a wrap between two Latin letters reads as a space: wrap after the word
                head, tail = name[:cut], name[cut:]
                if wrap == "cell":
                    before = _line([*row[:3], head], outer).removesuffix(" |")
                    lines.append(before)
                    lines.append(_line([tail, *row[4:]], outer).removeprefix("| "))
                else:
                    lines.append(_line([*row[:3], head, *row[4:]], outer))
                    lines.append(_line(["", "", "", tail, "", "", "", "", ""], outer))
                continue
            lines.append(_line(row, outer))
            if separator and number == 1:
                lines.append(_line(["---"] * COLUMNS, outer))
        lines.append("")
    return "\n".join(lines)
