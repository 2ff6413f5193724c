"""The 汇总报告 as a briefing: the 要点 page's sentences against the 总览 cards, the paper's typography (numbered
black headings, no heading twice, numbers right-aligned, repeated header rows, "第 X 页 共 Y 页"), forms with the
same name told apart, and the PDF with its first two pages looked at as images."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from dashboard.core import domain, texts
from dashboard.outputs import briefing, report, report_pdf
from dashboard.queries import key_figures, queries
from dashboard.queries.filters import Filters
from dashboard.store import connect
from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "screenshots" / "report"  # gitignored: the report's pages as PNG, to look at


@pytest.fixture(scope="module")
def con(sample_db):
    connection = connect.open_db(sample_db, read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def document(con):
    return docx.Document(io.BytesIO(report.build_report(con, Filters())))


def brief_items(document) -> dict[str, list[str]]:
    """The 要点 page's numbered items under each of its subheadings."""
    items: dict[str, list[str]] = {}
    current = None
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            if paragraph.style.name == "Heading 1" and current is not None:
                break
            if paragraph.style.name == "Heading 2":
                current = re.sub(r"^（.）", "", paragraph.text)
                items[current] = []
            continue
        if current is not None and paragraph.text:
            items[current].append(paragraph.text)
    return items


def test_the_first_page_is_the_brief_with_findings_problems_and_suggestions(document):
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0] == texts.REPORT_TITLE
    scope = paragraphs[2]
    assert (
        scope == "本报告汇总2021 年度，0402009 所属 2 个单位（含部门本级）的 22 张项目支出绩效自评表（来自 3 个文件）。"
    )
    assert texts.FILTER_NONE_ACTIVE not in "".join(paragraphs)
    assert paragraphs[3] == "一、" + texts.REPORT_BRIEF
    items = brief_items(document)
    assert list(items) == [texts.REPORT_BRIEF_FINDINGS, texts.REPORT_BRIEF_PROBLEMS, texts.REPORT_BRIEF_SUGGESTIONS]
    for listed in items.values():
        assert [item.split(". ", 1)[0] for item in listed] == [str(n) for n in range(1, len(listed) + 1)]
    # the sample's problems: 11 deductions without a reason on 5 forms, 2 errors on 2 forms, 8 forms with signals
    assert items[texts.REPORT_BRIEF_PROBLEMS] == [
        "1. 11 个扣分指标未说明偏差原因（占扣分指标的 64.7%），涉及 5 张表。",
        "2. 自评复核发现错误 2 条，涉及 2 张表。",
        "3. 有预警级风险信号的表 8 张。",
    ]
    suggestions = items[texts.REPORT_BRIEF_SUGGESTIONS]
    assert len(suggestions) == 3 and all(re.search(r"\d+ ", s.split(". ", 1)[1]) for s in suggestions)  # a figure each
    assert "七、扣分情况" in suggestions[0] and "八、自评复核" in suggestions[1]  # the section holding the list
    # the key figures start page 2 (a break before their heading: no empty page where the 要点 fill page 1)
    breaking = [p.text for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert breaking == ["二、" + texts.REPORT_KEY_FIGURES]
    assert not [br for br in document.element.body.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]


def test_brief_sentences_carry_the_cards_numbers(con, document):
    figures = queries.kpis(con, Filters())
    cards = {label: value for _, section in key_figures.sections(figures, "万元") for label, value, _ in section}
    findings = brief_items(document)[texts.REPORT_BRIEF_FINDINGS]
    text = "\n".join(findings)
    budget = cards[key_figures.money_label(texts.KPI_BUDGET, "万元")]
    executed = cards[key_figures.money_label(texts.KPI_EXECUTED, "万元")]
    assert (budget, executed, cards[texts.KPI_RATE]) == ("10,048.83", "9,883.56", "98.36%")  # by hand
    assert f"{texts.KPI_BUDGET} {budget} 万元" in findings[0] and f"{texts.KPI_EXECUTED} {executed} 万元" in findings[0]
    assert f"{texts.KPI_RATE} {cards[texts.KPI_RATE]}" in findings[0]
    assert (
        f"{texts.KPI_AVG_SCORE} {cards[texts.KPI_AVG_SCORE]} 分" in findings[1]
        and cards[texts.KPI_AVG_SCORE] == "97.84"
    )
    assert f"另有 {cards[texts.NOT_GRADED]} 张表不评级" in findings[1]
    assert f"另有 {cards[texts.NOT_GRADED]} 张{texts.NOT_GRADED}" in findings[2]
    for grade in figures["grades"]:
        assert f"{grade} {cards[grade]} 张" in findings[2]
    assert "优 16 张（94.1%）" in findings[2]  # 16 of the 17 graded forms
    assert f"{texts.KPI_DEDUCTED} {cards[texts.KPI_DEDUCTED]} 个，共扣 121.8 分" in text
    assert f"{texts.KPI_UNEXPLAINED} {cards[texts.KPI_UNEXPLAINED]} 个" in text
    assert f"{texts.OVERVIEW_SIGNAL_FORMS} 8 张" in text
    # the units and types that stand out, by the stated rule (highest and lowest 执行率 and 平均总分)
    units = queries.group_summary(con, Filters(), "org").sort_values("exec_rate")
    worst = units.iloc[0]
    assert f"最低的是{worst.grp} 部门本级（98.30%，21 张表）" in text  # 0402009 prints no 实施单位
    assert (
        "项目类型比较（8 个）：执行率最高的是补助补贴（100.00%，1 张表），最低的是预算准备金（0.00%，5 张表）" in text
    )
    # the same sentences as briefing.build gives (the report adds nothing of its own)
    brief = briefing.build(con, Filters())
    assert [f"{n}. {f}" for n, f in enumerate(brief.findings, 1)] == findings


def test_brief_says_the_change_from_last_year(tmp_path):
    from tests.app.test_year_over_year import build_two_year_db

    db = build_two_year_db(tmp_path)
    con = connect.open_db(db, read_only=True)
    try:
        brief = briefing.build(con, Filters(years=(2022,)))
        rows = {key: values for key, _, values in key_figures.year_rows(_yoy_figures(con), "万元")}
        both_years = briefing.build(con, Filters())  # figures of two years summed: no change, as on the cards
    finally:
        con.close()
    assert rows["avg_score"][2] == "-0.26"  # 数据规划管理 97.14 → 95.14 in 2022, 离退休干部慰问金 (100) gone
    assert f"，较 2021 年 {rows['avg_score'][2]} 分" in brief.findings[1]
    assert f"{texts.KPI_AVG_SCORE}较 2021 年下降 0.26 分。" in brief.problems  # a fall is a problem, and its advice
    assert any("下降 0.26 分" in suggestion and "与上年比较" in suggestion for suggestion in brief.suggestions)
    assert rows["overall_rate"][2] == "0" and "，与 2021 年持平。" in brief.findings[0]  # the card's delta: 0
    assert brief.scope.startswith("本报告汇总2022 年度，0402009 部门本级的 21 张")  # its one unit is the department
    assert both_years.scope.startswith("本报告汇总2021、2022 年度")
    assert not any("较 2021 年" in finding or "持平" in finding for finding in both_years.findings)


def _yoy_figures(con):
    from dashboard.queries import yoy

    filters = Filters(years=(2022,))
    return yoy.key_figures(con, filters, yoy.year_pair(con, filters))


def test_brief_of_a_city_names_the_units_below_the_rate_and_counts_the_rest(tmp_path):
    """The demo city (300 forms, 7 years, hundreds of units): units under 90% are a problem, three named and the
    rest counted; the overall rate, also under 90%, is not said twice."""
    from dashboard.importing import demo

    path = tmp_path / "demo.duckdb"
    demo.build(path, 300, seed=7, workers=1, chunk=300)
    con = connect.open_db(path, read_only=True)
    try:
        brief = briefing.build(con, Filters())
        units = queries.group_summary(con, Filters(), "org")
        figures = queries.kpis(con, Filters())
    finally:
        con.close()
    below = units[units["exec_rate"] < briefing.RATE_CONCERN].sort_values(["exec_rate", "grp"])
    assert len(below) > briefing.NAMED_UNITS and figures["overall_rate"] < briefing.RATE_CONCERN
    (problem,) = [p for p in brief.problems if p.startswith("执行率低于 90% 的单位")]
    assert problem.startswith(f"执行率低于 90% 的单位 {len(below):,} 个：{below.iloc[0].grp}（")
    assert problem.endswith(f"其他 {len(below) - briefing.NAMED_UNITS} 个。")
    assert not any(p.startswith(texts.KPI_RATE) for p in brief.problems)
    assert any(f"{len(below):,} 个单位加快预算执行" in s for s in brief.suggestions)
    assert re.match(r"本报告汇总\d{4}—\d{4} 年度，\d+ 个主管部门所属 [\d,]+ 个单位", brief.scope)


def test_the_issue_20_hooks_say_nothing_until_their_data_exists(con):
    assert briefing.spot_check_point in briefing.POINTS and briefing.rectification_point in briefing.POINTS
    context = briefing.Context(con, Filters(), "万元", queries.kpis(con, Filters()), {}, None, {}, {})
    assert briefing.spot_check_point(context) is None and briefing.rectification_point(context) is None


def test_scope_names_the_filters_it_was_made_with(con):
    scope = briefing.scope_text(con, Filters(units=("福田区政务服务信息中心",), score_range=(90, 100)), 1)
    assert scope == (
        "本报告汇总2021 年度，福田区政务服务信息中心的 1 张项目支出绩效自评表"
        "（来自 1 个文件；筛选条件：总分范围 90–100）。"
    )
    assert (
        briefing.scope_text(con, Filters(types=("没有这种类型",)), 0)
        == "当前范围内没有自评表（项目类型 没有这种类型）。"
    )


def test_headings_are_numbered_black_and_never_repeated(document):
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    texts_ = [p.text for p in headings]
    assert len(texts_) == len(set(texts_))
    level1 = [t for p, t in zip(headings, texts_, strict=True) if p.style.name == "Heading 1"]
    # 要点 … 自评复核, then the cycle's 抽查复核, 结果应用, 整改情况 (issue 20)
    assert [t.split("、", 1)[0] for t in level1] == [*"一二三四五六七八九十", "十一"]
    assert all(re.match(r"（[一二三四五六七八九十]+）", p.text) for p in headings if p.style.name == "Heading 2")
    for name in ("Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        assert style.font.color.rgb == report.BLACK
        fonts = style.element.rPr.rFonts
        assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
    assert document.styles["Title"].element.rPr.rFonts.get(qn("w:eastAsia")) == report.FONT_TITLE
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == report.FONT_HEADING_1
    assert document.styles[report.STYLE_BODY].element.rPr.rFonts.get(qn("w:eastAsia")) == report.FONT_BODY
    font_table = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    from lxml import etree

    fonts = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in etree.fromstring(font_table.blob).iter(qn("w:font"))
        if font.find(qn("w:charset")) is not None and font.find(qn("w:charset")).get(qn("w:val")) == "86"
    }
    assert fonts == {report.FONT_TITLE: "SimHei", report.FONT_HEADING_1: "SimHei", report.FONT_HEADING_2: "KaiTi",
                     report.FONT_BODY: "FangSong"}  # fmt: skip


def test_forms_with_the_same_name_are_told_apart(con, document):
    names = report.FormNames.of(con, Filters())
    reserves = queries.form_overview(con, Filters())
    reserves = reserves[reserves["project_name"] == "预算准备金"]
    labels = [names.label(row.form_id, row.project_name) for row in reserves.itertuples()]
    assert len(reserves) == 3 and len(set(labels)) == 3
    assert "预算准备金（项目金额 20.00 万元）" in labels
    second_look = next(t for t in document.tables if t.rows[0].cells[0].text == texts.COL["project_name"]
                       and t.rows[0].cells[-1].text == texts.REPORT_COL_WARNINGS)  # fmt: skip
    rows = [(row.cells[0].text, row.cells[1].text) for row in second_look.rows[1:]]
    assert len(rows) == len(set(rows))  # one row per form, and no two alike


def test_numbers_are_right_aligned_and_texts_are_not(document):
    checked = 0
    for table in document.tables:
        for row in table.rows[1:]:
            for cell in row.cells:
                paragraph = cell.paragraphs[0]
                if report.is_number(cell.text):
                    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT, cell.text
                    checked += 1
                elif cell.text not in ("", texts.DASH):
                    assert paragraph.alignment != WD_ALIGN_PARAGRAPH.RIGHT, cell.text
    assert checked > 100
    key = document.tables[0]
    assert [row.cells[2].paragraphs[0].alignment for row in key.rows[1:]] == [WD_ALIGN_PARAGRAPH.RIGHT] * (
        len(key.rows) - 1
    )
    first = [cell._tc for cell in key.columns[0].cells[1:]]
    assert len(set(first)) == 5  # 类别 written once per section: 资金与得分, 自评表与扣分, 等级分布, 风险信号, 整改情况
    assert not report.is_number("0402009") and report.is_number("10,048.83") and report.is_number("+1.25 个百分点")


def test_tables_repeat_their_header_fit_their_columns_and_the_footer_counts_pages(document):
    for table in document.tables:
        first = table.rows[0]._tr.trPr
        assert first is not None and first.find(qn("w:tblHeader")) is not None
        widths = [column.width.cm for column in table.columns]
        assert sum(widths) == pytest.approx(report.TEXT_WIDTH_CM, abs=0.01)
    by_type = next(t for t in document.tables if t.rows[0].cells[0].text == texts.COL["project_type"])
    widths = [column.width.cm for column in by_type.columns]
    assert widths[0] > widths[1]  # "信息化建设与运维" is wider than a count
    footer = document.sections[0].footer.paragraphs[0]
    instructions = [node.text.strip() for node in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"] and footer.text.startswith("第 ")


def test_column_widths_keep_numbers_whole_when_the_line_is_full():
    headings = ["项目名称", "单位", "扣分"]
    rows = [["很长的项目名称" * 8, "0402009", "12.5"]]
    widths = report.column_widths(headings, rows, [False, False, True])
    assert sum(widths) == pytest.approx(report.TEXT_WIDTH_CM, abs=0.01)
    assert widths[2] >= 4 * 0.2  # the number keeps its own width
    assert widths[1] >= 7 * 0.2  # a code is never wrapped


@pytest.mark.libreoffice
@pytest.mark.chromium
def test_report_as_pdf_and_its_first_two_pages_as_images(sample_db, tmp_path):
    output = tmp_path / "报告.pdf"
    result = run_cli("report", "--db", str(sample_db), "--format", "pdf", "--output", str(output))
    assert result.returncode == 0, result.stderr
    data = output.read_bytes()
    assert data.startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(data)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "2", str(output), str(ARTIFACTS / "page")],
                   check=True, timeout=120)  # fmt: skip
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) == 2 and all(page.stat().st_size > 10_000 for page in pages)
    import pdfplumber

    with pdfplumber.open(output) as pdf:
        first = pdf.pages[0].extract_text()
        total = len(pdf.pages)
        fonts = {char["fontname"] for char in pdf.pages[0].chars}
        for page in pdf.pages:  # no page holding only the tail of a table: each has a section or is well filled
            body = [word["bottom"] for word in page.extract_words() if word["bottom"] < page.height - 60]
            has_section = re.search(r"^[一二三四五六七八九十]+、", page.extract_text(), re.M)
            assert has_section or max(body, default=0) > page.height * 0.5, page.page_number
    assert "一、要点" in first and "（三）建议" in first  # the whole 要点 on page 1
    assert f"第 1 页 共 {total} 页" in first
    assert any("Serif" in font for font in fonts) and any("Sans" in font for font in fonts)  # the stand-ins


def test_pdf_without_libreoffice_says_how_to_get_it(sample_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice here
    assert not report_pdf.available()
    with pytest.raises(report_pdf.ReportPdfError) as error:
        report_pdf.pdf_bytes(b"PK")
    assert "LibreOffice" in str(error.value) and "--format docx" in str(error.value)


def test_cli_pdf_without_libreoffice_says_so_and_writes_nothing(sample_db, tmp_path):
    output = tmp_path / "报告.pdf"
    bare = tmp_path / "bin"  # a PATH with no soffice (the interpreter is called by its full path)
    bare.mkdir()
    result = run_cli("report", "--db", str(sample_db), "--output", str(output), env={"PATH": str(bare)})
    assert result.returncode == 2 and texts.REPORT_PDF_NO_LIBREOFFICE in result.stderr
    assert "Traceback" not in result.stderr and not output.exists()  # the .pdf suffix alone asks for a PDF


@pytest.mark.libreoffice
def test_pdf_conversion_that_overruns_its_time_is_stopped(monkeypatch):
    from dashboard.ingest import libreoffice

    monkeypatch.setenv(libreoffice.TIMEOUT_ENV, "0.01")
    with pytest.raises(report_pdf.ReportPdfError) as error:
        report_pdf.pdf_bytes(b"PK")
    assert str(error.value) == texts.REPORT_PDF_TIMEOUT.format(seconds="0.01")


def test_headings_are_numbered_by_level_and_a_repeat_is_told_apart():
    import docx as python_docx

    writer = report._Writer(python_docx.Document())
    for text, level in (("甲", 1), ("乙", 2), ("乙", 2), ("丙", 3), ("丁", 1), ("戊", 2)):
        writer.heading(text, level)
    written = [p.text for p in writer.document.paragraphs]
    assert written == ["一、甲", "（一）乙", "（二）乙", "1. 丙", "二、丁", "（一）戊"]
    writer.heading("戊", 2)  # under 二、 again: （二）戊 — a new number, so no repeat
    writer.numbers = [2, 1]
    writer.counters[(2,)] = 0  # forced to write （一）戊 a second time
    writer.heading("戊", 2)
    assert writer.document.paragraphs[-1].text == texts.REPORT_HEADING_REPEAT.format(text="（一）戊", n=2)
    assert (
        report.chinese_number(10) == "十"
        and report.chinese_number(12) == "十二"
        and report.chinese_number(21) == "二十一"
    )


def test_grade_shares_when_nothing_is_graded():
    """Only not-graded forms (a held scan confirmed, a 停用 project): no grade share, 不评级 100% of all."""
    from dashboard.queries import key_figures

    figures = {"grades": {"优": 0, "良": 0, "中": 0, "差": 0}, "forms": 1, "not_graded": 1, "grade_none": 0}
    shares = key_figures.grade_shares(figures)
    assert "优" not in shares and shares[texts.NOT_GRADED] == texts.SHARE_OF_ALL.format(share="100.0%")


def test_the_spot_check_and_rectification_points_speak_once_their_data_exists(sample_db, tmp_path):
    """One form reviewed with a row's points taken away (its 偏离度 is that row's score over the 总分), one 整改 item
    past its due date: the 要点 says both, with a problem and a suggestion each; the figures are those of the
    抽查复核 page and the 总览's 整改 cards."""
    import datetime
    import shutil

    from dashboard.audit import rectify, spot_check
    from dashboard.audit.config import active_config

    path = tmp_path / "forms.duckdb"
    shutil.copy(sample_db, path)
    con = connect.open_db(path)
    try:
        plan = spot_check.create_plan(con, "年度抽查", spot_check.Scope(), size=1, seed=1, by="李四")
        (entry,) = spot_check.entries(con, plan).itertuples()
        form = spot_check.sampled_form(con, entry.form_id)
        position, row = max(enumerate(form.indicators, start=1), key=lambda item: item[1].score or 0)
        review = spot_check.FormReview(
            int(entry.entry_id), int(entry.version), reviewer="李四", rows=[spot_check.RowReview(position, score=0.0)]
        )
        spot_check.save_reviews(con, [review], "李四")
        rectify.add_item(con, "补充偏差原因", "李四", unit=form.unit or form.department, due=datetime.date(2020, 1, 1))
        brief = briefing.build(con, Filters())
    finally:
        con.close()
    deviation = row.score / form.total_score  # (自评 − 复核) ÷ 自评, the row's points taken away
    assert deviation >= 0.05  # the sample's largest row score is well over 5 % of a 总分
    grades = active_config().grade_of(form.total_score), active_config().grade_of(form.total_score - row.score)
    graded = domain.not_graded_reason(form) is None  # a form not graded stays 不评级 after its review
    changed = "1" if graded and grades[0] != grades[1] else "0"
    assert (
        texts.REPORT_BRIEF_SPOT.format(
            plans="1", forms="1", mean=f"{deviation * 100:.1f}%", threshold="5%", marked="1", changed=changed
        )
        in brief.findings
    )
    assert texts.REPORT_BRIEF_PROBLEM_SPOT.format(n="1", threshold="5%") in brief.problems
    assert texts.REPORT_BRIEF_RECTIFY.format(open="1", overdue="1") in brief.findings
    assert texts.REPORT_BRIEF_PROBLEM_RECTIFY.format(n="1") in brief.problems
    assert any("1 项整改" in suggestion for suggestion in brief.suggestions)
