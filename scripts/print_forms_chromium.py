"""Print form records (form-json.md) as PDFs the way Chromium prints an HTML table (Skia).

Each record becomes one bordered HTML <table> laid out like the sample forms: ten columns,
rowspan/colspan for 项目资金 / 年度总体目标 / 年度绩效指标 / 一级 / 二级, text wrapped by the
browser in narrow cells, "（50分）" after each 一级指标. The page is printed by headless
Chromium (`--print-to-pdf`, A4 portrait), a producer the reader's other tests never use: its
borders are filled rectangles, not stroked lines, and it may repeat a <thead> on every page.

Styles (--style):
    collapse   border-collapse: collapse, 0.5pt rules, the title as the table's first row
    thead      as collapse, the title row in a <thead> that Chromium repeats on each page
    separate   <table border=1 cellspacing=2>: every cell its own box (two rules per cell edge),
               the title as a heading above the table, a serif font, amounts with thousands
               separators

Usage:
    python scripts/print_forms_chromium.py records.json OUT.pdf [--select 1,5,17]
        [--style collapse|thead|separate] [--page-per-form] [--font-size 9] [--html OUT.html]

--page-per-form starts each form on a new page (CSS page break); without it the forms
follow each other and long ones continue on the next page.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# a sibling script, not a package: found through the sys.path entry above
from print_forms_libreoffice import (
    COLUMN_WIDTHS,
    FUND_LABELS,
    level1_totals,
    level_spans,
    money,
    percent,
    plain,
    span_starts,
)

from tests.live_app import CHROMIUM_ARGS

STYLES = ("collapse", "thead", "separate")
FUND_HEADINGS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
INDICATOR_HEADINGS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")

CSS = """
@page { size: A4 portrait; margin: 14mm 12mm; }
body { margin: 0; font-family: "Noto Sans CJK SC", sans-serif; font-size: FONT_SIZEpt; }
table.form { width: 100%; table-layout: fixed; margin-bottom: 18pt; }
table.form td, table.form th { padding: 2pt 3pt; text-align: center; vertical-align: middle;
  font-weight: normal; overflow-wrap: anywhere; line-height: 1.35; }
table.form td.text { text-align: left; }
table.form .title { font-size: 13pt; font-weight: bold; padding: 6pt; }
.page-per-form .form-box + .form-box { break-before: page; }
/* collapse / thead */
.collapse table.form { border-collapse: collapse; }
.collapse table.form td, .collapse table.form th { border: 0.5pt solid #000; }
/* separate: the old HTML way, every cell a box of its own */
.separate { font-family: "Noto Serif CJK SC", serif; }
.separate h1 { font-size: 13pt; text-align: center; margin: 4pt 0 6pt; }
"""


# ---------------------------------------------------------------- cells


def cell(text: str, colspan: int = 1, rowspan: int = 1, css: str = "", tag: str = "td") -> str:
    """One table cell; "\\n" in `text` becomes a forced line break."""
    attrs = ""
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if css:
        attrs += f' class="{css}"'
    body = "<br>".join(html.escape(line) for line in text.split("\n"))
    return f"<{tag}{attrs}>{body}</{tag}>"


def grouped(text: str) -> str:
    """ "1016318.00" → "1,016,318.00" (amounts as a spreadsheet formats them)."""
    if text in ("—", ""):
        return text
    whole, _, cents = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    number = f"{int(whole.lstrip('-')):,}"
    return f"{sign}{number}.{cents}" if cents else f"{sign}{number}"


# ---------------------------------------------------------------- one form


def title_text(record: dict) -> str:
    year = record.get("year")
    return f"{year}年度项目支出绩效自评表" if year else "项目支出绩效自评表"


def header_rows(record: dict) -> list[str]:
    amount = record.get("project_amount")
    pairs = (
        ("项目名称", record["project_name"], "项目金额", "" if amount is None else plain(amount)),
        ("主管部门", record.get("department") or "", "实施单位", record.get("unit") or ""),
    )
    return [
        cell(left_label, 2) + cell(left, 4) + cell(right_label, 2) + cell(right, 2)
        for left_label, left, right_label, right in pairs
    ]


def fund_rows(funds: dict, separators: bool) -> list[str]:
    unit = funds.get("unit_printed") or "元"
    rows = [cell(f"项目资金\n（{unit}）", 2, 5) + cell("", 2) + "".join(cell(h) for h in FUND_HEADINGS)]
    for key, label in FUND_LABELS.items():
        row = funds[key]
        amounts = [money(row.get(name), unit) for name in ("initial_budget", "annual_budget", "executed")]
        if separators:
            amounts = [grouped(amount) for amount in amounts]
        values = [*amounts, plain(row.get("weight")), percent(row.get("rate_pct")), plain(row.get("score"))]
        rows.append(cell(label, 2) + "".join(cell(value) for value in values))
    return rows


def goal_rows(record: dict) -> list[str]:
    return [
        cell("年度总体\n目标", 2, 2) + cell("预期目标", 4) + cell("实际完成情况", 4),
        cell(record.get("goal_expected") or "", 4, css="text") + cell(record.get("goal_actual") or "", 4, css="text"),
    ]


def indicator_rows(record: dict) -> list[str]:
    indicators = record["indicators"]
    weights = level1_totals(indicators)
    heading = cell("年度绩效\n指标", 1, len(indicators) + 1)
    heading += "".join(cell(h) for h in INDICATOR_HEADINGS) + cell("偏差原因分析及改进措施", 2)
    rows = [heading]
    starts1 = span_starts(level_spans(indicators, "level1"))
    starts2 = span_starts(level_spans(indicators, "level2", within="level1"))
    for index, indicator in enumerate(indicators):
        row = ""
        if index in starts1:
            level1 = indicator["level1"]
            row += cell(f"{level1}（{plain(weights[level1])}分）", 1, starts1[index])
        if index in starts2:
            row += cell(indicator["level2"], 1, starts2[index])
        row += cell(indicator["name"]) + cell(indicator["target"]) + cell(indicator["actual"])
        row += cell(plain(indicator.get("weight"))) + cell(plain(indicator.get("score")))
        row += cell(indicator.get("reason") or "", 2, css="text")
        rows.append(row)
    rows.append(
        cell("总分", 6)
        + cell(plain(record.get("total_weight")))
        + cell(plain(record.get("total_score")))
        + cell("—", 2)
    )
    return rows


def form_html(record: dict, style: str) -> str:
    """One form: a <div> holding its table (and, for "separate", the title above it)."""
    columns = "".join(f'<col style="width:{width / sum(COLUMN_WIDTHS) * 100:.2f}%">' for width in COLUMN_WIDTHS)
    body = [
        *header_rows(record),
        *fund_rows(record["funds"], separators=style == "separate"),
        *goal_rows(record),
        *indicator_rows(record),
    ]
    title_row = "<tr>" + cell(title_text(record), 10, css="title", tag="th") + "</tr>"
    rows = "".join(f"<tr>{row}</tr>" for row in body)
    if style == "separate":
        table = f'<table class="form" border="1" cellspacing="2"><colgroup>{columns}</colgroup>{rows}</table>'
        return f'<div class="form-box"><h1>{html.escape(title_text(record))}</h1>{table}</div>'
    if style == "thead":
        table = f"<colgroup>{columns}</colgroup><thead>{title_row}</thead><tbody>{rows}</tbody>"
    else:
        table = f"<colgroup>{columns}</colgroup><tbody>{title_row}{rows}</tbody>"
    return f'<div class="form-box"><table class="form">{table}</table></div>'


def page_html(records: list[dict], style: str, page_per_form: bool, font_size: float = 9.0) -> str:
    classes = ["collapse" if style in ("collapse", "thead") else "separate"]
    if page_per_form:
        classes.append("page-per-form")
    forms = "\n".join(form_html(record, style) for record in records)
    css = CSS.replace("FONT_SIZE", f"{font_size:g}")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>项目支出绩效自评表</title>'
        f'<style>{css}</style></head><body class="{" ".join(classes)}">\n{forms}\n</body></html>\n'
    )


# ---------------------------------------------------------------- HTML → PDF


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium"


def print_html(html_path: Path, pdf_path: Path) -> Path:
    """Headless Chromium's print-to-PDF, with a private profile so parallel runs do not clash."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium_binary(),
                "--headless",
                *CHROMIUM_ARGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf_path}",
                "--no-pdf-header-footer",
                html_path.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    if not pdf_path.exists():
        raise RuntimeError(f"Chromium wrote no PDF for {html_path}")
    return pdf_path


def print_records(
    records: list[dict],
    pdf_path: Path,
    style: str = "collapse",
    page_per_form: bool = False,
    font_size: float = 9.0,
    keep_html: Path | None = None,
) -> Path:
    """Write `records` as one PDF at `pdf_path`, printed by Chromium."""
    pdf_path = pdf_path.resolve()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    page = page_html(records, style, page_per_form, font_size)
    with tempfile.TemporaryDirectory() as work:
        html_path = Path(work) / (pdf_path.stem + ".html")
        html_path.write_text(page, encoding="utf-8")
        if keep_html is not None:
            keep_html.write_text(page, encoding="utf-8")
        return print_html(html_path, pdf_path)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, help="JSON array of form records")
    parser.add_argument("out", type=Path, help="the PDF to write")
    parser.add_argument("--select", default="", help="1-based positions of the records to print, e.g. 2,6,17")
    parser.add_argument("--style", choices=STYLES, default="collapse")
    parser.add_argument("--page-per-form", action="store_true", help="start each form on a new page")
    parser.add_argument("--font-size", type=float, default=9.0, help="points (default 9)")
    parser.add_argument("--html", type=Path, help="also keep the HTML page here")
    return parser.parse_args(argv)


def selected(records: list[dict], select: str) -> list[dict]:
    picks = [int(part) for part in select.split(",") if part.strip()]
    return [records[number - 1] for number in picks] if picks else records


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    records = selected(json.loads(args.records.read_text(encoding="utf-8")), args.select)
    print(print_records(records, args.out, args.style, args.page_per_form, args.font_size, args.html))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
