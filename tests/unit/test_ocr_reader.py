"""Scanned forms and photos read by OCR (ingest/ocr_*.py), held where not certain (audit/completeness.ocr_hold).

The scans are made at test time from the repository's own printed forms (tests/scan_factory.py: rendered at a
scanner's resolution, turned, blurred, grained); their truth is the hand-written tests/fixtures/seed_forms.json.
Each OCR'd page costs seconds, so the pages read here are few and shared by module fixtures;
benchmarks/ocr_accuracy.py measures all 22 seed forms at 150 and 200 dpi.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from PIL import Image, ImageDraw

from dashboard.audit import review
from dashboard.core import domain, texts
from dashboard.core.domain import Severity
from dashboard.core.model import Check, FormReadError, OcrCell
from dashboard.core.rule_ids import PARSE_UNCERTAIN
from dashboard.importing import importer
from dashboard.ingest import labels, ocr_image, ocr_scan, ocr_text
from dashboard.ingest.files import SafeReader, parse_file
from dashboard.ingest.text import read_text
from dashboard.outputs import export
from dashboard.store import connect, reads
from tests import scan_factory
from tests.seed_truth import seed_records

SAMPLE_TEXT = Path(__file__).resolve().parents[2] / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def checked(form):
    review.check_form(form, layout=form.layout_title)
    return form


def wrong_numbers(form, want: dict) -> list[str]:
    got = scan_factory.numbers_of(form.to_record())
    return [key for key, value in scan_factory.numbers_of(want).items() if got.get(key) != value]


@pytest.fixture(scope="module")
def scanned_seed(tmp_path_factory) -> Path:
    """Seed form 1 scanned at 200 dpi, turned 1°, as a copier's scan-to-PDF (pictures only)."""
    out = tmp_path_factory.mktemp("scan") / "scan_200.pdf"
    return scan_factory.write_scanned_pdf(scan_factory.seed_pdf(1), out, scan_factory.Copier(dpi=200, angle=1.0))


@pytest.fixture(scope="module")
def scanned_seed_read(scanned_seed):
    return parse_file(scanned_seed, scanned_seed.name)


def test_scanned_pdf_reads_the_form_exactly(scanned_seed_read):
    (form,) = scanned_seed_read.forms
    want = seed_records()[0]
    assert form.read_by == "ocr" and form.source_pages == [1]
    rows, exact, numbers = scan_factory.weighted_rows(form.to_record(), want)
    assert rows > 0 and exact / rows >= 0.9 and numbers == rows
    assert form.project_name == want["project_name"] and form.department == want["department"]
    assert wrong_numbers(form, want) == []
    assert checked(form).complete  # certain and arithmetic right: counted like a text PDF's form


def test_every_ocr_cell_keeps_confidence_box_and_image(scanned_seed_read):
    (form,) = scanned_seed_read.forms
    assert len(form.ocr_cells) > 50
    for cell in form.ocr_cells:
        assert 0 <= cell.confidence <= 1 and cell.page == 1
        x0, top, x1, bottom = cell.box
        assert 0 <= x0 < x1 <= 600 and 0 <= top < bottom <= 845  # PDF points on an A4 page
    numbers = [cell for cell in form.ocr_cells if any(char.isdigit() for char in cell.text)]
    assert numbers and all(cell.crop.startswith(PNG_MAGIC) for cell in numbers)
    weighted = [row for row in form.indicators if row.weight]
    assert all(row.ocr_confidence is not None and 0 < row.ocr_confidence <= 1 for row in weighted)
    assert all("ocr_confidence" in row.to_record() for row in weighted)


def test_scanned_image_at_150_dpi_is_exact_or_held(tmp_path):
    """A rougher scan (150 dpi, turned the other way, more grain) as a .png: whatever OCR misreads, no form with a
    wrong number is counted; a held form names what is unsure."""
    copier = scan_factory.Copier(dpi=150, angle=-1.5, grain=8, seed=7)
    path = scan_factory.write_scanned_image(scan_factory.seed_pdf(3), tmp_path / "photo.png", copier)
    (form,) = parse_file(path, path.name).forms
    assert form.read_by == "ocr"
    checked(form)
    if form.complete:
        assert wrong_numbers(form, seed_records()[2]) == []
    else:
        held = [check for check in form.checks if check.rule == domain.OCR_UNSURE_RULE]
        assert held and all(check.severity == "error" for check in held)


def test_pdf_of_a_text_page_and_a_scanned_page_reads_both(tmp_path, scanned_seed):
    text_pdf = pypdfium2.PdfDocument(str(scan_factory.seed_pdf(2)))
    text_pdf.import_pages(pypdfium2.PdfDocument(str(scanned_seed)))
    path = tmp_path / "mixed.pdf"
    text_pdf.save(str(path))
    text_pages = len(pypdfium2.PdfDocument(str(scan_factory.seed_pdf(2))))
    result = parse_file(path, path.name)
    scanned_page = text_pages + 1
    assert [(form.read_by, form.source_pages) for form in result.forms] == [
        ("pdf", list(range(1, scanned_page))),
        ("ocr", [scanned_page]),
    ]
    assert [form.project_name for form in result.forms] == [seed_records()[1]["project_name"], "预算准备金"]
    assert result.skipped_pages == {}


# ---------------------------------------------------------------- bad input


def reason_of(path: Path) -> str:
    with pytest.raises(FormReadError) as raised:
        parse_file(path, path.name)
    return raised.value.reason


def test_a_photo_without_ruling_lines_is_named(tmp_path):
    rng = np.random.default_rng(3)
    photo = rng.normal(128, 40, (900, 700)).clip(0, 255).astype(np.uint8)  # texture, no table
    path = tmp_path / "photo.jpg"
    Image.fromarray(photo).save(path)
    assert reason_of(path) == texts.REASON_SCAN_NO_GRID


def test_a_table_that_is_no_form_is_named(tmp_path):
    image = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(image)
    for y in range(100, 701, 100):
        draw.line([(100, y), (1100, y)], fill=0, width=3)
    for x in range(100, 1101, 250):
        draw.line([(x, 100), (x, 700)], fill=0, width=3)
    for row, y in enumerate(range(130, 700, 100)):
        for column, x in enumerate(range(130, 1100, 250)):
            draw.text((x, y), f"Room {row}{column}", fill=0, font_size=28)
    path = tmp_path / "timetable.png"
    image.save(path)
    assert reason_of(path) == texts.REASON_SCAN_NOT_A_FORM


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG file whose header claims `width` × `height` pixels (an image bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return PNG_MAGIC + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


def test_an_image_bomb_is_refused_before_it_is_decoded(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(50_000, 50_000))
    assert reason_of(path) == texts.REASON_IMAGE_TOO_LARGE.format(limit=ocr_scan.MAX_PIXELS // 10_000)
    just_over = tmp_path / "just_over.png"  # below Pillow's own refusal (twice the limit), above ours
    just_over.write_bytes(png_claiming(8000, ocr_scan.MAX_PIXELS // 8000 + 1))
    assert reason_of(just_over) == texts.REASON_IMAGE_TOO_LARGE.format(limit=ocr_scan.MAX_PIXELS // 10_000)


def test_a_damaged_image_is_named_and_the_next_file_goes_on(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(PNG_MAGIC + b"not an image at all")
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(50_000, 50_000))
    with SafeReader(workers=1) as reader:
        results = list(reader.read_all([(broken, "broken.png"), (bomb, "bomb.png"), (SAMPLE_TEXT, "sample.txt")]))
    assert results[0].error.startswith(texts.REASON_IMAGE_DAMAGED) and results[0].forms == []
    assert results[1].error == texts.REASON_IMAGE_TOO_LARGE.format(limit=ocr_scan.MAX_PIXELS // 10_000)
    assert results[2].error is None and len(results[2].forms) == 22


# ---------------------------------------------------------------- the hold rule


def ocr_form(cells: list[OcrCell]):
    """A real form (the sample text's first) as if OCR had read it, with the given cells."""
    form = read_text(SAMPLE_TEXT.read_text(encoding="utf-8"), "scan.png")[0]
    form.read_by, form.ocr_cells, form.source_pages = "ocr", cells, [1]
    return form


def test_a_number_read_without_confidence_holds_the_form_until_confirmed():
    unsure = OcrCell(page=1, box=(10, 10, 50, 20), text="95.5", confidence=domain.OCR_CONFIDENCE_MIN - 0.2)
    sure = OcrCell(page=1, box=(60, 10, 90, 20), text="10", confidence=0.999)
    form = checked(ocr_form([sure, unsure]))
    assert not form.complete
    (held,) = [check for check in form.checks if check.rule == domain.OCR_UNSURE_RULE]
    assert "“95.5”" in held.message and "第 1 页" in held.message and "“10”" not in held.message
    assert domain.PART_OCR_CONFIRMED in domain.missing_parts(form)
    unsure.confirmed_text, unsure.confirmed_by, unsure.confirmed_at = "95.5", "张三", "2026-12-04 15:00:00"
    assert checked(form).complete
    assert not [check for check in form.checks if check.rule == domain.OCR_UNSURE_RULE]


def test_text_read_without_confidence_holds_nothing():
    name = OcrCell(page=1, box=(10, 10, 50, 20), text="工作人员满意度", confidence=0.5)
    assert checked(ocr_form([name])).complete


def test_failed_arithmetic_holds_a_scanned_form_but_not_a_text_form():
    form = ocr_form([])
    row = next(row for row in form.indicators if row.weight)
    row.score = row.weight + 5  # 得分 > 分值: a misread digit on a scan
    checked(form)
    held = [check for check in form.checks if check.rule == domain.OCR_UNSURE_RULE]
    assert not form.complete and held and "得分" in held[0].message
    form.ocr_confirmed_by, form.ocr_confirmed_at = "张三", "2026-12-04 15:00:00"  # the printed figure confirmed
    assert checked(form).complete
    form.read_by = "text"
    form.ocr_confirmed_by = None
    assert checked(form).complete  # a text form's wrong arithmetic is a finding, not a hold


def test_a_heading_the_grid_reader_could_not_place_holds_a_scanned_form_but_not_a_text_form():
    form = ocr_form([])
    damaged = texts.UNCERTAIN_HEADING_NEAR.format(text="执行事", label="执行数”或“执行率")
    form.checks.append(Check(rule=PARSE_UNCERTAIN, severity=Severity.WARNING, message=damaged))
    checked(form)
    held = [check for check in form.checks if check.rule == domain.OCR_UNSURE_RULE]
    assert not form.complete and len(held) == 1 and "执行事" in held[0].message  # the rate column was not read
    form.ocr_confirmed_by, form.ocr_confirmed_at = "张三", "2026-12-04 15:00:00"
    assert checked(form).complete
    form.read_by, form.ocr_confirmed_by = "text", None
    assert checked(form).complete


# ---------------------------------------------------------------- the model's runners-up


def reading(text: str, doubt: dict[int, tuple[str, float]]) -> ocr_text.Reading:
    """A line read as `text`, sure of each character but those in `doubt` (position → runner-up, its probability)."""
    return ocr_text.Reading(
        text,
        0.95,
        tuple(((char, 0.6), doubt[at]) if at in doubt else ((char, 0.99),) for at, char in enumerate(text)),
    )


def test_a_heading_one_character_off_two_labels_takes_the_one_the_model_weighed():
    # 执行事 is one character from both 执行数 and 执行率: the runner-up of 事 decides
    assert ocr_image.snap_label("执行事") == "执行事"
    assert ocr_image.snap_label("执行事", [reading("执行事", {2: ("率", 0.02)})]) == "执行率"
    assert ocr_image.snap_label("执行事", [reading("执行事", {2: ("数", 0.3)})]) == "执行数"
    assert ocr_image.snap_label("执行事", [reading("执行事", {2: ("率", 0.001)})]) == "执行事"  # not weighed


def test_a_character_completing_no_word_takes_the_runner_up_that_completes_one():
    assert ocr_image.mend_words(reading("提高工作有效事", {6: ("率", 0.29)})).text == "提高工作有效率"
    assert ocr_image.mend_words(reading("提高工作有效事", {6: ("率", 0.001)})).text == "提高工作有效事"
    assert ocr_image.mend_words(reading("事故发生率", {0: ("率", 0.3)})).text == "事故发生率"  # 事 makes no word
    assert ocr_image.mend_words(reading("完成98件", {2: ("率", 0.4)})).text == "完成98件"  # a digit never changes
    mended = ocr_image.mend_words(reading("有效事", {2: ("率", 0.29)}))
    assert mended.confidence == 0.95  # the doubt stays in the line's confidence


def test_a_word_wrapped_in_its_cell_is_mended_across_the_line_break():
    first, second = reading("工作完成", {}), reading("事", {0: ("率", 0.11)})
    assert [line.text for line in ocr_image.mend_cell_words([first, second])] == ["工作完成", "率"]
    assert ocr_image.mend_words(second).text == "事"  # alone, 事 has no word to complete
    assert ocr_image.mend_cell_words([first, reading("事", {0: ("率", 0.001)})])[1].text == "事"  # not weighed


def test_a_character_read_unsure_takes_the_runner_up_the_page_reads_sure_elsewhere():
    sure = reading("劳务派遣工作完成率", {})
    unsure = reading("劳务派造人员满意度", {3: ("遣", 0.12)})
    assert [line.text for line in ocr_image.mend_from_page([sure, unsure])][1] == "劳务派遣人员满意度"
    assert ocr_image.mend_from_page([unsure])[0].text == "劳务派造人员满意度"  # no sure line prints 派遣
    weak = reading("劳务派造人员满意度", {3: ("遣", 0.005)})
    assert ocr_image.mend_from_page([sure, weak])[1].text == "劳务派造人员满意度"  # 遣 not weighed
    kept = reading("派造人员", {})  # the pair read sure elsewhere: the character read makes a word of the page
    assert ocr_image.mend_from_page([sure, kept, unsure])[2].text == "劳务派造人员满意度"
    assert ocr_image.mend_from_page([sure, unsure])[1].confidence == 0.95


def test_long_lines_go_to_the_model_in_smaller_batches():
    ratios = [2.0] * 20 + [60.0] * 2 + [100.0] * 2  # 160, 2,880 and 4,800 columns at 48 pixels high
    found = ocr_text.batches(ratios, 160 / 48, 48)
    assert [(part.start, part.stop) for part in found] == [(0, 16), (16, 20), (20, 22), (22, 23), (23, 24)]


def number_reading(text: str, percent: dict[int, float]) -> ocr_text.Reading:
    """A number read as `text`, "%" the runner-up of the characters in `percent` (position → its probability)."""
    return ocr_text.Reading(
        text,
        0.96,
        tuple(((char, 0.8), ("%", percent[at])) if at in percent else ((char, 0.99),) for at, char in enumerate(text)),
    )


def test_a_percent_sign_read_as_digits_is_a_percent_sign_where_the_model_weighed_it():
    assert ocr_image.percent_tail(number_reading("1009", {3: 0.11})).text == "100%"
    assert ocr_image.percent_tail(number_reading("1009", {3: 0.11})).confidence == 0.11  # confirmed by a person
    assert ocr_image.percent_tail(number_reading("9996", {2: 0.06, 3: 0.12})).text == "99%"
    assert ocr_image.percent_tail(number_reading("≥9996", {3: 0.06, 4: 0.12})).text == "≥99%"
    assert ocr_image.percent_tail(number_reading("1009", {3: 0.001})) is None  # "%" not weighed
    assert ocr_image.percent_tail(number_reading("1009", {})) is None
    assert ocr_image.percent_tail(number_reading("9", {0: 0.3})) is None  # no number before it
    assert ocr_image.percent_tail(number_reading("完成9", {2: 0.3})) is None


def test_a_percent_tail_is_mended_only_in_a_row_that_prints_a_percentage():
    table = ocr_image.Table(rules=[], left=0, right=300, cells=[[0, 0, 100, 20], [100, 0, 200, 20], [0, 20, 100, 40]])
    keys = [("cell", index) for index in range(3)]
    readings = {
        keys[0]: [number_reading("1009", {3: 0.11})],
        keys[1]: [number_reading("0%", {})],
        keys[2]: [number_reading("1009", {3: 0.11})],
    }
    texts = {key: [(found[0].text, found[0].confidence)] for key, found in readings.items()}
    ocr_image.mend_percent_rows(table, 0, readings, texts)
    assert texts[keys[0]] == [("100%", 0.11)]
    assert texts[keys[2]] == [("1009", 0.96)]  # its row prints no percentage


def test_a_score_above_its_weight_takes_the_decimal_point_the_model_weighed():
    table = ocr_image.Table(rules=[], left=0, right=200, cells=[[0, 0, 100, 20], [100, 0, 200, 20]])
    table.cells += [[0, 20, 100, 40], [100, 20, 200, 40], [0, 40, 100, 60], [100, 40, 200, 60]]
    keys = [("cell", index) for index in range(6)]
    lines = ["分值", "得分", "2.5", "125", "30", "25"]
    readings = {key: [ocr_text.Reading(text, 0.99)] for key, text in zip(keys, lines, strict=True)}
    readings[keys[3]] = [ocr_text.Reading("125", 0.99, (), pointed="1.25", point_probability=0.006)]
    readings[keys[5]] = [ocr_text.Reading("25", 0.99, (), pointed="2.5", point_probability=0.006)]
    texts = {key: [(found[0].text, found[0].confidence)] for key, found in readings.items()}
    ocr_image.mend_score_points(table, 0, readings, texts)
    assert texts[keys[3]] == [("1.25", 0.006)]  # 125 > 2.5 ≥ 1.25: the arithmetic chooses, a person confirms
    assert texts[keys[5]] == [("25", 0.99)]  # 25 ≤ 30: the arithmetic holds as read


def test_a_percent_tail_is_not_mended_under_a_points_heading():
    # 得分 | 实际完成值 heading row; the row below prints 100% and a score 16 whose 6 weighed "%"
    table = ocr_image.Table(rules=[], left=0, right=200, cells=[[0, 0, 100, 20], [100, 0, 200, 20]])
    table.cells += [[0, 20, 100, 40], [100, 20, 200, 40]]
    keys = [("cell", index) for index in range(4)]
    readings = {
        keys[0]: [number_reading("得分", {})],
        keys[1]: [number_reading("实际完成值", {})],
        keys[2]: [number_reading("16", {1: 0.02})],
        keys[3]: [number_reading("1006", {3: 0.02})],
    }
    texts = {key: [(found[0].text, found[0].confidence)] for key, found in readings.items()}
    texts[keys[3]] = [("100%", 0.96)]  # the row's percentage
    readings[keys[3]] = [number_reading("100%", {})]
    ocr_image.mend_percent_rows(table, 0, readings, texts)
    assert texts[keys[2]] == [("16", 0.96)]


def test_a_cell_under_a_number_heading_read_as_no_number_takes_its_digits_only_reading():
    def line(text: str, number: str = "", sure: float = 0.0) -> ocr_text.Reading:
        return ocr_text.Reading(text, 0.97, (), number, sure)

    # heading row 分值 | 三级指标, then two rows; the 分值 column's "S" is the model's 5 among digits
    table = ocr_image.Table(
        rules=[],
        left=0,
        right=200,
        cells=[[0, 0, 100, 20], [100, 0, 200, 20], [0, 20, 100, 40], [100, 20, 200, 40], [0, 40, 100, 60]],
    )
    keys = [("cell", index) for index in range(5)]
    readings = {
        keys[0]: [line("分值", "", 0.0)],
        keys[1]: [line("三级指标")],
        keys[2]: [line("S", "5", 0.3)],
        keys[3]: [line("S", "5", 0.3)],  # under 三级指标: a name, left as read
        keys[4]: [line("S", "5", 0.001)],  # 5 not weighed
    }
    texts = {key: [(found[0].text, found[0].confidence)] for key, found in readings.items()}
    ocr_image.mend_number_columns(table, 0, readings, texts)
    assert texts[keys[2]] == [("5", 0.3)]  # read as a number, and confirmed by a person
    assert texts[keys[3]] == [("S", 0.97)]
    assert texts[keys[4]] == [("S", 0.97)]
    assert texts[keys[0]] == [("分值", 0.97)]


def test_headings_of_number_columns_are_known_from_the_labels():
    assert labels.heading_kind("分值") == "points"
    assert labels.heading_kind("得分") == "points"
    assert labels.heading_kind("执行率") == "number"
    assert labels.heading_kind("全年预算数") == "number"
    assert labels.heading_kind("三级指标") == "text"
    assert labels.heading_kind("年度指标值") == "text"
    assert labels.heading_kind("劳务派遣工作完成率") is None


def test_a_heading_that_lost_a_character_is_the_label_its_header_row_lacks():
    assert labels.missing_heading("分", {"name", "target", "actual", "weight"}, "indicator") == "得分"
    assert labels.missing_heading("分", {"name", "target", "actual", "weight", "score"}, "indicator") is None
    assert labels.missing_heading("分", {"name", "target", "actual"}, "indicator") is None  # 分值 or 得分
    header = ["三级指标", "年度指标值", "实际完成值", "分值", "分"]
    table = ocr_image.Table(rules=[], left=0, right=500, cells=[[100 * at, 0, 100 * at + 100, 20] for at in range(5)])
    table.cells += [[100 * at, 20, 100 * at + 100, 40] for at in range(5)]
    body = ["完成率", "100%", "100%", "5", "分"]
    keys = [("cell", index) for index in range(10)]
    readings = {key: [ocr_text.Reading(text, 0.97)] for key, text in zip(keys, header + body, strict=True)}
    texts = {key: [(found[0].text, 0.97)] for key, found in readings.items()}
    ocr_image.mend_headings(table, 0, readings, texts)
    assert texts[keys[4]] == [("得分", 0.97)]
    assert texts[keys[9]] == [("分", 0.97)]  # a body row is no header row


def test_a_digit_the_model_weighed_before_a_line_but_dropped_is_put_in_front():
    characters = ocr_text.engine().postprocess_op.character
    steps = np.zeros((4, len(characters)), dtype=np.float32)
    zero, unit = characters.index("0"), characters.index("起")
    steps[0, 0], steps[1, 0], steps[1, zero], steps[2, unit], steps[3, 0] = 1, 0.6, 0.4, 1, 1
    inked = np.full((20, 40), 220, dtype=np.uint8)
    inked[5:15, 2:8] = 30  # the "0", before the step of 起 (step 2 of 4: columns 20 on)
    inked[5:15, 22:34] = 30
    blank = inked.copy()
    blank[:, :20] = 220

    def read(image: np.ndarray) -> ocr_text.Reading:
        return ocr_text.with_leading_digit(image, steps, ocr_text.decode(steps, characters), 0.5, characters)

    assert (read(inked).text, round(read(inked).confidence, 3)) == ("0起", 0.4)  # a person confirms it
    assert read(blank).text == "起"  # no glyph stands there
    steps[1, 0], steps[1, zero] = 0.99, 0.01
    assert read(inked).text == "起"  # not weighed


def test_the_model_reads_a_line_over_digits_only_as_well():
    steps = np.zeros((4, 6625), dtype=np.float32)
    characters = ocr_text.engine().postprocess_op.character
    s_class, five, blank = characters.index("S"), characters.index("5"), 0
    steps[0, blank], steps[1, s_class], steps[1, five], steps[2, blank], steps[3, blank] = 1, 0.7, 0.2, 1, 1
    classes = ocr_text.number_classes(tuple(characters))
    found = ocr_text.with_number(ocr_text.decode(steps, characters), steps, characters, classes)
    assert (found.text, found.number) == ("S", "5")
    assert abs(found.number_confidence - 0.2) < 1e-6


def printed_line(text: str, size: int = 13) -> np.ndarray:
    """A line of small print as a 150 dpi copier scans it: blurred, greyed, grained."""
    import cv2
    from PIL import ImageFont

    font = ImageFont.truetype(str(DEJAVU), size)
    image = Image.new("L", (80, 24), 255)
    ImageDraw.Draw(image).text((6, 3), text, font=font, fill=0)
    gray = cv2.GaussianBlur(np.asarray(image).astype(np.float32), (0, 0), 0.9)
    gray = np.clip(gray * 0.9 + 12 + np.random.default_rng(0).normal(0, 6, gray.shape), 0, 255).astype(np.uint8)
    columns = np.flatnonzero((gray < 150).any(axis=0))
    return gray[:, max(0, columns[0] - 8) : columns[-1] + 8]


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans not installed")
def test_a_comparator_the_model_skips_is_read_from_its_glyph():
    greater_equal, greater = ocr_text.recognise([printed_line("≥90%"), printed_line(">90%")])
    assert greater_equal.text == "≥90%" and greater_equal.confidence < 0.95  # the model alone reads "90%"
    assert greater.text == ">90%"  # no bar: as the model read it
    (plain,) = ocr_text.recognise([printed_line("90%")])
    assert plain.text == "90%"
    # the glyph read as "<" is looked at up to halfway to the digit (a "≤" is wider than its step): a true "<",
    # small print or large, gets no bar from the digit beside it
    assert [found.text for found in ocr_text.recognise([printed_line("<2%", size) for size in (13, 15, 17, 19)])] == [
        "<2%"
    ] * 4


# ---------------------------------------------------------------- stored and exported


def test_import_stores_read_by_cells_and_images_and_export_says_ocr(tmp_path, scanned_seed):
    con = connect.open_db(tmp_path / "forms.duckdb")
    try:
        (outcome,) = importer.import_files(con, [(scanned_seed, scanned_seed.name), (SAMPLE_TEXT, "sample.txt")])[:1]
        assert outcome.outcome == importer.Outcome.IMPORTED, outcome.message
        assert con.execute("SELECT read_by, count(*) FROM forms GROUP BY read_by ORDER BY 1").fetchall() == [
            ("ocr", 1),
            ("text", 22),
        ]
        stored = con.execute("SELECT count(*), count(crop), min(confidence) FROM ocr_cells").fetchone()
        assert stored[0] > 50 and stored[1] > 10 and 0 < stored[2] <= 1
        (form,) = [form for form in reads.load_forms(con) if form.read_by == "ocr"]
        assert form.complete and len(form.ocr_cells) == stored[0]
        assert all(cell.crop.startswith(PNG_MAGIC) for cell in form.ocr_cells if cell.crop)
        records = json.loads(export.forms_to_json(reads.load_forms(con)))
        assert {record["read_by"] for record in records} == {"ocr", "text"}
        (scanned,) = [record for record in records if record["read_by"] == "ocr"]
        assert all("ocr_confidence" in row for row in scanned["indicators"] if row["weight"])
    finally:
        con.close()


def test_the_parser_pool_reports_each_scanned_page(tmp_path):
    """A two-page scan read in a worker: the import hears that OCR started and of page 1 and page 2 (the 导入 page
    shows them). The pages are pictures of an empty ruled table (quick to read; no form, so the file is refused)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from tests.pdf_factory import scanned_page_image

    path = tmp_path / "two.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(2):
        pdf.drawImage(scanned_page_image(), 40, 80, width=515, height=690)
        pdf.showPage()
    pdf.save()
    heard: list[tuple[str, int, int]] = []
    with SafeReader(workers=1, on_page=lambda *page: heard.append(page)) as reader:
        (result,) = reader.read_all([(path, "两页.pdf")])
    assert result.error == texts.REASON_SCAN_NOT_A_FORM
    assert heard == [("两页.pdf", 0, 2), ("两页.pdf", 1, 2), ("两页.pdf", 2, 2)]


def test_a_decimal_point_the_model_weighed_but_did_not_read_leaves_the_number_unsure():
    characters = ocr_text.engine().postprocess_op.character

    def steps(*columns: dict[str, float]) -> np.ndarray:
        found = np.zeros((len(columns), len(characters)), dtype=np.float32)
        for step, column in enumerate(columns):
            for char, probability in column.items():
                found[step, 0 if char == "blank" else characters.index(char)] = probability
        return found

    two, five, blank = {"2": 0.99, "blank": 0.01}, {"5": 0.99, "blank": 0.01}, {"blank": 1.0}
    doubted = ocr_text.decode(steps(blank, two, {"blank": 0.8, ".": 0.2}, five, blank), characters)
    assert doubted.text == "25" and doubted.confidence == pytest.approx(0.8)  # below OCR_CONFIDENCE_MIN: named
    sure = ocr_text.decode(steps(blank, two, {"blank": 0.99, ".": 0.01}, five, blank), characters)
    assert sure.text == "25" and sure.confidence == pytest.approx(0.99)
    printed = ocr_text.decode(steps(two, {".": 0.9, "blank": 0.1}, five), characters)
    assert printed.text == "2.5" and printed.confidence == pytest.approx((0.99 + 0.9 + 0.99) / 3)


def test_a_photo_taken_at_a_slant_is_flattened_and_read(tmp_path):
    """A phone photo in perspective (the far edge 16 % narrower, light falling off across the page): the table's
    border is found and warped to a rectangle, so the grid is one table again, and the form reads exactly or is
    held — never counted with a wrong number. A copier's scan (turned, not slanted) is not warped."""
    copier = scan_factory.Copier(dpi=200, angle=0.5, seed=3)
    photo = scan_factory.write_photo(scan_factory.seed_pdf(3), tmp_path / "手机拍照.jpg", copier, tilt=0.16)
    gray = np.asarray(Image.open(photo).convert("L"))
    corners = ocr_image.border_corners(ocr_image.ink(ocr_image.smooth(gray)))
    assert corners is not None and ocr_image.slant(corners) > 5
    page = ocr_image.read_page(gray, 1, 72 / 200, want_crops=False)
    assert page.flattened and page.tables == 1

    (form,) = parse_file(photo, photo.name).forms
    want = seed_records()[2]
    rows, exact, numbers = scan_factory.weighted_rows(form.to_record(), want)
    assert rows == exact == numbers == 6  # every weighted row as written by hand
    if checked(form).complete:
        assert wrong_numbers(form, want) == []
    else:
        assert any(check.rule == domain.OCR_UNSURE_RULE for check in form.checks)

    scan = scan_factory.scan_pages(scan_factory.seed_pdf(3), scan_factory.Copier(dpi=200, angle=1.5, seed=3))[0]
    straight = ocr_image.border_corners(ocr_image.ink(ocr_image.smooth(np.asarray(scan))))
    assert straight is not None and ocr_image.slant(straight) < ocr_image.SLANT_MIN_DEGREES
