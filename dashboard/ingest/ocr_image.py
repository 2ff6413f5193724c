"""A scanned page (a raster image) → the ruled table's cells and the lines printed outside it, read by OCR.

The table comes from the image, not from the order of words:

1. ink: the page in black and white (adaptive threshold, so a grey copier background or uneven light is white);
   a photo taken at a slant (the table's outer border a quadrilateral whose opposite sides are not parallel) is
   first warped so that the border is a rectangle (`flatten`);
2. straighten: the angle (within ±MAX_SKEW_DEGREES) at which the horizontal ruling lines are sharpest in the
   rows' ink profile, and the page turned back by it;
3. rules: horizontal ruling lines by morphology (an opening with a long flat kernel); between two neighbouring
   rules (a band), a vertical rule is a column of ink across the band's whole height, which no character's
   stroke is (cells keep a margin above and below their text);
4. cells: the pieces of a band between its vertical rules; a piece whose top rule is missing continues the
   cell above it (a merged cell);
5. text: each cell's ink cut into lines, each line read by the recognition model (ocr_text.py); the cell keeps
   its text, its lowest line confidence and its box. Lines outside every table (the title, "（2022年度）")
   become one-cell rows, as the PDF reader's title lines do.

The result is `ScanPage`: the page's `Block`s in PDF points (pdf.py joins them with text pages and hands
them to the one grid reader) and its `OcrCell`s (kept with the form, for the hold rule and for a person to
confirm). Nothing here knows a label of the form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from dashboard.core import domain
from dashboard.core.model import OcrCell
from dashboard.ingest import labels, ocr_text
from dashboard.ingest.cells import fix_lookalikes, join_wrapped, label_key, parse_number
from dashboard.ingest.consistency import one_edit_apart

INK_CONTRAST = 35  # grey levels darker than the neighbourhood's mean that are ink (a copier's grain is less)
MAX_SKEW_DEGREES = 3.0
SKEW_STEP_DEGREES = 0.1
RULE_MIN_SHARE = 0.25  # a horizontal rule runs at least this share of the page's width (a short one is text)
VERTICAL_INK_SHARE = 0.9  # a vertical rule inks this share of a band's rows
TOP_RULE_SHARE = 0.6  # a cell whose top edge is inked this much starts there; less: it continues the cell above
MIN_BAND_PX = 6  # bands thinner than this are a doubled rule, not a row
MIN_CELL_INK = 12  # ink pixels: fewer is dust, not text
LINE_GAP_PX = 2  # blank pixel rows that separate two lines of a cell
CROP_MAX_HEIGHT = 64  # the kept image of a cell (for a person to confirm) is scaled down to this height
BORDER_MIN_AREA = 0.15  # a table's outer border encloses at least this share of the page
SLANT_MIN_DEGREES = 0.6  # opposite sides of the border further from parallel than this: a photo in perspective


@dataclass
class ScanPage:
    """What one scanned page gave: blocks for the grid (PDF points) and the cells read, with their images."""

    page: int
    blocks: list = field(default_factory=list)  # pdf.Block
    cells: list[OcrCell] = field(default_factory=list)
    grids: int = 0  # ruled tables found
    tables: int = 0  # ruled tables holding text (an empty grid gives no block, as on a PDF text page)
    angle: float = 0.0  # degrees the page was turned back by
    flattened: bool = False  # a photo in perspective, warped so that its table's border is a rectangle
    too_large: bool = False  # not read: more pixels than a page may have (ocr_scan.MAX_PIXELS)


# ---------------------------------------------------------------- ink and angle


def ink(gray: np.ndarray) -> np.ndarray:
    """Black-and-white, ink 255: a local threshold, so a grey or unevenly lit page stays white."""
    import cv2

    block = max(15, (min(gray.shape) // 60) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, INK_CONTRAST)


def smooth(gray: np.ndarray) -> np.ndarray:
    """The page without a copier's grain and dust: a 3×3 median keeps strokes and rules."""
    import cv2

    return cv2.medianBlur(gray, 3)


def skew_angle(binary: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise positive as cv2 turns) that makes the rows' ink profile sharpest:
    printed lines and ruling lines are then level."""
    import cv2

    scale = 800 / max(binary.shape)
    small = cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else binary
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        turned = cv2.warpAffine(small, cv2.getRotationMatrix2D(centre, angle, 1.0), small.shape[::-1])
        profile = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 1e-9, 0.25)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, SKEW_STEP_DEGREES / 2)
    return float(max(fine, key=sharpness))


def border_corners(binary: np.ndarray) -> np.ndarray | None:
    """The four corners (top-left, top-right, bottom-right, bottom-left; pixels) of the largest ruled table's outer
    border, or None where no four-sided border encloses BORDER_MIN_AREA of the page."""
    import cv2

    closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    if cv2.contourArea(outline) < BORDER_MIN_AREA * binary.shape[0] * binary.shape[1]:
        return None
    corners = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True).reshape(-1, 2)
    if len(corners) != 4:
        return None
    by_sum, by_diff = corners.sum(axis=1), np.diff(corners, axis=1).ravel()
    ordered = np.array(
        [corners[by_sum.argmin()], corners[by_diff.argmin()], corners[by_sum.argmax()], corners[by_diff.argmax()]]
    )
    return ordered.astype(np.float32) if len({tuple(point) for point in ordered.tolist()}) == 4 else None


def _direction(start: np.ndarray, end: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(end[1] - start[1], end[0] - start[0])))


def slant(corners: np.ndarray) -> float:
    """How far (degrees) the border's opposite sides are from parallel: 0 for a rectangle, turned or not."""
    top_left, top_right, bottom_right, bottom_left = corners
    across = abs(_direction(top_left, top_right) - _direction(bottom_left, bottom_right))
    down = abs(_direction(top_left, bottom_left) - _direction(top_right, bottom_right))
    return max(across, down)


def flatten(gray: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The page warped so that the border `corners` becomes an upright rectangle of the border's longer side
    lengths, where its top-left corner was; the rest of the page (titles above the table) goes along."""
    import cv2

    top_left, top_right, bottom_right, bottom_left = corners
    width = max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left))
    height = max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right))
    x, y = float(min(top_left[0], bottom_left[0])), float(min(top_left[1], top_right[1]))
    target = np.array([[x, y], [x + width, y], [x + width, y + height], [x, y + height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    size = (max(gray.shape[1], int(x + width) + 10), max(gray.shape[0], int(y + height) + 10))
    return cv2.warpPerspective(
        gray, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


def straighten(gray: np.ndarray, angle: float) -> np.ndarray:
    import cv2

    if abs(angle) < 0.05:
        return gray
    centre = (gray.shape[1] / 2, gray.shape[0] / 2)
    matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
    return cv2.warpAffine(
        gray, matrix, gray.shape[::-1], flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


# ---------------------------------------------------------------- rules and cells


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate(([False], flags, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


@dataclass
class Table:
    rules: list[tuple[int, int]]  # the horizontal rules: (first, last + 1) pixel row
    left: int
    right: int
    cells: list[list[int]] = field(default_factory=list)  # [x0, y0, x1, y1] between the rules' inner edges


def horizontal_rules(binary: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The horizontal-rule mask, and each rule as (top, bottom, left, right) pixels."""
    import cv2

    width = binary.shape[1]
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, width // 30), 1))
    mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
    rules = []
    for top, bottom in runs(mask.sum(axis=1) > 255 * width * RULE_MIN_SHARE / 3):
        columns = np.flatnonzero(mask[top:bottom].max(axis=0))
        if len(columns) and columns[-1] - columns[0] >= width * RULE_MIN_SHARE:
            rules.append((top, bottom, int(columns[0]), int(columns[-1]) + 1))
    return mask, rules


def find_tables(binary: np.ndarray) -> list[Table]:
    """The ruled tables of a straightened page, each with its cells."""
    hmask, rules = horizontal_rules(binary)
    tables: list[Table] = []
    for before, rule in zip([None, *rules], rules, strict=False):
        if before is not None and tables and joined(binary, before, rule, tables[-1]):
            tables[-1].rules.append(rule[:2])
            tables[-1].left = min(tables[-1].left, rule[2])
            tables[-1].right = max(tables[-1].right, rule[3])
        else:
            tables.append(Table(rules=[rule[:2]], left=rule[2], right=rule[3]))
    found = [table for table in tables if len(table.rules) >= 2]
    for table in found:
        table.cells = table_cells(binary, hmask, table)
    return [table for table in found if table.cells]


def joined(binary: np.ndarray, upper: tuple, lower: tuple, table: Table) -> bool:
    """Two rules belong to one table when a vertical rule joins them at the table's left or right edge."""
    top, bottom = upper[1], lower[0]
    if bottom - top < 1:
        return True
    left, right = max(table.left, lower[2]), min(table.right, lower[3])
    return any(
        band_separators(binary, top, bottom, max(0, edge - 6), min(binary.shape[1], edge + 6))
        for edge in (left, right - 1)
    )


def band_separators(binary: np.ndarray, top: int, bottom: int, left: int, right: int) -> list[int]:
    """x (pixels) of each vertical rule crossing the band [top, bottom) between left and right."""
    margin = 1 if bottom - top > 4 else 0
    band = binary[top + margin : bottom - margin, left:right]
    if band.shape[0] < 2:
        return []
    share = (band > 0).mean(axis=0)
    return [left + (start + end) // 2 for start, end in runs(share >= VERTICAL_INK_SHARE)]


def table_cells(binary: np.ndarray, hmask: np.ndarray, table: Table) -> list[list[int]]:
    """The table's cells as [x0, y0, x1, y1]: each band cut at its vertical rules, a piece without a top rule
    joined to the cell above it."""
    cells: list[list[int]] = []
    above: list[list[int]] = []  # cells of the band above
    for (_, top), (bottom, _) in pairwise(table.rules):
        if bottom - top < MIN_BAND_PX:
            continue
        xs = band_separators(binary, top, bottom, max(0, table.left - 4), min(binary.shape[1], table.right + 4))
        current: list[list[int]] = []
        for x0, x1 in pairwise(xs):
            if x1 - x0 < MIN_BAND_PX:
                continue
            inner = binary[max(0, top - 4) : top + 1, x0 + 3 : max(x0 + 4, x1 - 3)]
            has_top = inner.size and (inner.max(axis=0) > 0).mean() >= TOP_RULE_SHARE
            parent = None if has_top else best_overlap(above, x0, x1)
            if parent is not None:
                parent[3] = bottom
                parent[0], parent[2] = min(parent[0], x0), max(parent[2], x1)
                current.append(parent)
            else:
                cell = [x0, top, x1, bottom]
                cells.append(cell)
                current.append(cell)
        above = current
    return cells


def best_overlap(cells: list[list[int]], x0: int, x1: int) -> list[int] | None:
    best, overlap = None, 0
    for cell in cells:
        shared = min(cell[2], x1) - max(cell[0], x0)
        if shared > overlap:
            best, overlap = cell, shared
    return best


# ---------------------------------------------------------------- text


def text_lines(binary: np.ndarray, box: tuple[int, int, int, int], inset: int) -> list[tuple[int, int, int, int]]:
    """The text lines inside a box, as (x0, y0, x1, y1) pixels; rule remnants at the box's edges left out."""
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    region = binary[y0:y1, x0:x1] > 0
    if region.sum() < MIN_CELL_INK:
        return []
    row_ink = region.sum(axis=1)
    lines = []
    for top, bottom in merge_runs(runs(row_ink > 0), LINE_GAP_PX):
        part = region[top:bottom]
        if part.sum() < MIN_CELL_INK or bottom - top < 3:
            continue
        columns = np.flatnonzero(part.any(axis=0))
        lines.append((x0 + int(columns[0]), y0 + top, x0 + int(columns[-1]) + 1, y0 + bottom))
    return lines


def merge_runs(found: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in found:
        if merged and start - merged[-1][1] <= gap:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


DASH = "—"


def is_dash(line: tuple[int, int, int, int], line_height: float) -> bool:
    """A line that is one flat stroke, much lower than the page's lines of text: the "—" forms print where a
    cell has no number. The model reads it as "1", "一" or nothing; its shape says what it is."""
    width, height = line[2] - line[0], line[3] - line[1]
    return line_height > 0 and height <= 0.3 * line_height and width >= 3 * height


def line_image(gray: np.ndarray, line: tuple[int, int, int, int], within: tuple[int, int, int, int]) -> np.ndarray:
    """A line's pixels with a margin, as the recognition model expects a detected line. The margin is the page's own
    pixels as far as the cell's inside (`within`) allows: sideways, a faint first character ("≥" printed thin and
    blurred by a copier) lies outside the line's ink box; above and below, repeating the box's edge rows would draw
    the glyphs' tops and bottoms out into stripes (measured at 150 dpi: rows exact 50 → 62 of 174 on seeds 1–6).
    Where the cell ends, and above and below a line no wider than high (a lone "0": the page's grain around it cost
    the model's confidence), the margin repeats the edge pixels: a white frame around a grey scan reads as strokes
    (measured: 0 read as 。, % lost)."""
    import cv2

    x0, y0, x1, y1 = line
    pad = max(2, int((y1 - y0) * 0.35))
    left, right = max(within[0], x0 - 2 * pad), min(within[2], x1 + 2 * pad)
    top, bottom = y0, y1
    if x1 - x0 > y1 - y0:
        top, bottom = max(min(y0, within[1]), y0 - pad), min(max(y1, within[3]), y1 + pad)
    crop = gray[top:bottom, left:right]
    sides = (pad - (x0 - left) // 2, pad - (right - x1) // 2)
    return cv2.copyMakeBorder(
        crop, pad - (y0 - top), pad - (bottom - y1), max(0, sides[0]), max(0, sides[1]), cv2.BORDER_REPLICATE
    )


def crop_png(gray: np.ndarray, box: tuple[int, int, int, int]) -> bytes:
    """The cell's image, scaled down to at most CROP_MAX_HEIGHT pixels, as PNG bytes."""
    import cv2

    x0, y0, x1, y1 = box
    crop = gray[max(0, y0) : y1, max(0, x0) : x1]
    if crop.shape[0] > CROP_MAX_HEIGHT:
        scale = CROP_MAX_HEIGHT / crop.shape[0]
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".png", crop, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return data.tobytes() if ok else b""


def outside_lines(binary: np.ndarray, tables: list[Table]) -> list[tuple[int, int, int, int]]:
    """Text lines printed outside every table (a title, a year line, a 填报人 line), top to bottom."""
    free = binary.copy()
    for table in tables:
        free[table.rules[0][0] : table.rules[-1][1] + 1, max(0, table.left - 8) : table.right + 8] = 0
    height, width = free.shape
    return text_lines(free, (0, 0, width, height), 0)


# ---------------------------------------------------------------- the page


def read_page(gray: np.ndarray, page: int, points_per_pixel: float, want_crops: bool = True) -> ScanPage:
    """One scanned page: tables and outside lines as pdf.Blocks (in points), and every cell read."""
    from dashboard.ingest.pdf import Block

    binary = ink(smooth(gray))
    corners = border_corners(binary)
    flattened = False
    if corners is not None and slant(corners) >= SLANT_MIN_DEGREES:
        gray, flattened = flatten(gray, corners), True
        binary = ink(smooth(gray))
    angle = skew_angle(binary)
    if abs(angle) >= 0.05:
        gray = straighten(gray, angle)
        binary = ink(smooth(gray))
    tables = find_tables(binary)
    result = ScanPage(page=page, grids=len(tables), angle=angle, flattened=flattened)
    thickness = rule_thickness(tables)
    Box = tuple[int, int, int, int]
    jobs: list[tuple[str, int, Box, Box]] = []  # (kind, index, line box, the inside of its cell)
    inset = thickness + 1
    for table_index, table in enumerate(tables):
        for cell_index, cell in enumerate(table.cells):
            inside = (cell[0] + inset, cell[1] + inset, cell[2] - inset, cell[3] - inset)
            for line in text_lines(binary, box_of(cell), inset):
                jobs.append((*cell_key(table_index, cell_index), line, inside))
    titles = [line for line in outside_lines(binary, tables) if line[3] - line[1] >= 8]
    for index, line in enumerate(titles):
        jobs.append(("line", index, line, line))
    line_height = float(np.median([job[2][3] - job[2][1] for job in jobs])) if jobs else 0.0
    dashes = [is_dash(job[2], line_height) for job in jobs]
    to_read = [line_image(gray, job[2], job[3]) for job, dash in zip(jobs, dashes, strict=True) if not dash]
    read = iter(ocr_text.recognise(to_read))
    readings: dict[tuple[str, int], list[ocr_text.Reading]] = {}
    for (kind, index, _, _), dash in zip(jobs, dashes, strict=True):
        readings.setdefault((kind, index), []).append(ocr_text.Reading(DASH, 1.0) if dash else next(read))
    readings = {key: mend_cell_words(lines) for key, lines in readings.items()}
    mended = iter(mend_from_page([line for lines in readings.values() for line in lines]))
    readings = {key: [next(mended) for _ in lines] for key, lines in readings.items()}
    texts = {
        key: [(fix_lookalikes(line.text).strip(), line.confidence) for line in lines] for key, lines in readings.items()
    }

    for table_index, table in enumerate(tables):
        mend_headings(table, table_index, readings, texts)
        mend_number_columns(table, table_index, readings, texts)
        mend_percent_rows(table, table_index, readings, texts)
        mend_score_points(table, table_index, readings, texts)

    def point_box(box) -> tuple[float, float, float, float]:
        return tuple(round(value * points_per_pixel, 2) for value in box)  # type: ignore[return-value]

    for table_index, table in enumerate(tables):
        rows: dict[int, list[tuple[list[int], str]]] = {}
        for cell_index, cell in enumerate(table.cells):
            lines = texts.get(cell_key(table_index, cell_index), [])
            text = snap_label(
                "\n".join(line for line, _ in lines if line), readings.get(cell_key(table_index, cell_index), [])
            )
            confidence = min((score for line, score in lines if line), default=1.0)
            rows.setdefault(cell[1], []).append((cell, text))
            if text:
                result.cells.append(
                    OcrCell(
                        page=page,
                        box=point_box(cell),
                        text=text,
                        confidence=round(confidence, 4),
                        crop=crop_png(gray, box_of(cell)) if want_crops and needs_crop(text, confidence) else b"",
                    )
                )
        ordered = sorted(rows.items())
        if not any(text for _, row in ordered for _, text in row):
            continue
        result.tables += 1
        result.blocks.append(
            Block(
                page=page,
                top=round(table.rules[0][0] * points_per_pixel, 2),
                texts=[[text for _, text in sorted(row, key=lambda item: item[0][0])] for _, row in ordered],
                boxes=[[point_box(cell) for cell, _ in sorted(row, key=lambda item: item[0][0])] for _, row in ordered],
            )
        )
    for index, line in enumerate(titles):
        found = texts.get(("line", index), [])
        text = "".join(part for part, _ in found)
        if text:
            top = round(line[1] * points_per_pixel, 2)
            result.blocks.append(Block(page=page, top=top, texts=[[text]]))
    result.blocks.sort(key=lambda block: block.top)
    return result


def snap_label(text: str, readings: Sequence[ocr_text.Reading] = ()) -> str:
    """A cell read one character away from a label of the vocabulary (labels.printed_labels) is that label: where
    the model's runner-up for one character (its `readings`, the cell's lines) makes exactly one label, that one
    ("执行事" with 率 as 事's runner-up is 执行率, not 执行数), else the one label one edit away ("二级指标" read for
    三级指标 heads the name column). Only whole cells of at least three characters with no digit: a figure or a
    name is never changed."""
    key = label_key(text)
    known = labels.printed_labels()
    if len(key) < 3 or key in known or any(char.isdigit() for char in key):
        return text
    named = {label_key(variant) for variant in runner_up_texts(readings)} & known
    if len(named) == 1:
        return named.pop()
    near = [label for label in known if one_edit_apart(key, label)]
    return near[0] if len(near) == 1 else text


RUNNER_UP_MIN = 0.01  # a character's runner-up at least this probable is a reading the model weighed


def runner_up_texts(readings: Sequence[ocr_text.Reading]) -> list[str]:
    """The cell's text with one character of one line replaced by a runner-up of it (RUNNER_UP_MIN or more)."""
    lines = [fix_lookalikes(reading.text).strip() for reading in readings]
    found = []
    for at, reading in enumerate(readings):
        if len(reading.choices) != len(reading.text):
            continue
        for position, choices in enumerate(reading.choices):
            for other, probability in choices[1:]:
                if probability >= RUNNER_UP_MIN:
                    line = fix_lookalikes(reading.text[:position] + other + reading.text[position + 1 :]).strip()
                    found.append("\n".join(text for text in [*lines[:at], line, *lines[at + 1 :]] if text))
    return found


def mend_words(reading: ocr_text.Reading) -> ocr_text.Reading:
    """A Chinese character that is part of no word of labels.INDICATOR_WORDS, whose runner-up (RUNNER_UP_MIN or
    more, also Chinese) makes one, replaced by it: "有效事" → 有效率 where the model weighed 率 for 事. Digits, points
    and signs are never touched; the line keeps its confidence (the model's, lowered by the doubt)."""
    chars = list(reading.text)
    if len(reading.choices) != len(chars):
        return reading
    changed = False
    for at, choices in enumerate(reading.choices):
        if not is_chinese(chars[at]) or in_word(chars, at):
            continue
        for other, probability in choices[1:]:
            if probability < RUNNER_UP_MIN or not is_chinese(other):
                continue
            trial = [*chars[:at], other, *chars[at + 1 :]]
            if in_word(trial, at):
                chars, changed = trial, True
                break
    return ocr_text.Reading("".join(chars), reading.confidence, reading.choices) if changed else reading


PAGE_SURE = 0.9  # a character read at least this probable is one the page's own vocabulary may be made of


def page_pairs(readings: Sequence[ocr_text.Reading]) -> frozenset[str]:
    """The page's own vocabulary: each two neighbouring Chinese characters of a line, both read sure (PAGE_SURE)."""
    found: set[str] = set()
    for reading in readings:
        if len(reading.choices) != len(reading.text):
            continue
        pairs = zip(reading.text, reading.choices, strict=True)
        sure = [is_chinese(char) and choices[0][1] >= PAGE_SURE for char, choices in pairs]
        found.update(reading.text[at : at + 2] for at in range(len(sure) - 1) if sure[at] and sure[at + 1])
    return frozenset(found)


def mend_from_page(readings: list[ocr_text.Reading]) -> list[ocr_text.Reading]:
    """A Chinese character read unsure (below PAGE_SURE) that makes no pair of the page's own vocabulary with its
    neighbours (`page_pairs`), whose runner-up (RUNNER_UP_MIN or more, Chinese) makes one, replaced by it: a form
    prints the same words on many rows ("劳务派遣" in four names), and the rows read sure name the words of the
    rows read unsure ("劳务派造", 遣 the runner-up of 造). Digits, points and signs are never touched; each line
    keeps its confidence."""
    pairs = page_pairs(readings)
    return [mend_pairs(reading, pairs) for reading in readings]


def mend_pairs(reading: ocr_text.Reading, pairs: frozenset[str]) -> ocr_text.Reading:
    chars = list(reading.text)
    if len(reading.choices) != len(chars):
        return reading

    def paired(at: int, char: str) -> bool:
        left = at > 0 and chars[at - 1] + char in pairs
        return left or (at + 1 < len(chars) and char + chars[at + 1] in pairs)

    changed = False
    for at, choices in enumerate(reading.choices):
        if not is_chinese(chars[at]) or choices[0][1] >= PAGE_SURE or paired(at, chars[at]):
            continue
        for other, probability in choices[1:]:
            if probability >= RUNNER_UP_MIN and is_chinese(other) and paired(at, other):
                chars[at], changed = other, True
                break
    return ocr_text.Reading("".join(chars), reading.confidence, reading.choices) if changed else reading


def cell_key(table_index: int, cell_index: int) -> tuple[str, int]:
    """The key of a table's cell among the page's lines read (`read_page`)."""
    return "cell", table_index * 100_000 + cell_index


def table_rows(table: Table, table_index: int) -> list[list[tuple[str, int]]]:
    """The keys of a table's cells, row by row (the cells starting at one rule)."""
    rows: dict[int, list[tuple[str, int]]] = {}
    for cell_index, cell in enumerate(table.cells):
        rows.setdefault(cell[1], []).append(cell_key(table_index, cell_index))
    return list(rows.values())


HEADING_ROW_MIN = 3  # cells naming columns of one table that make a row its header row
SHORT_HEADING = 3  # at most this many characters: a heading that lost a character ("分" for 得分)


def mend_headings(
    table: Table,
    table_index: int,
    readings: dict[tuple[str, int], list[ocr_text.Reading]],
    texts: dict[tuple[str, int], list[tuple[str, float]]],
) -> None:
    """In a header row (HEADING_ROW_MIN cells naming columns of the fund or indicator table), a short cell naming
    no column that is one character away from exactly one label of a column the row lacks is that label
    (labels.missing_heading): "分" beside 分值 is 得分, which the model read without its first character. Without
    it the grid reader finds no 得分 column and reads none of the form's indicators."""
    for keys in table_rows(table, table_index):
        found = {
            key: label_key(join_wrapped(snap_label("\n".join(line for line, _ in texts.get(key, []) if line))))
            for key in keys
        }
        for table_name in ("indicator", "fund"):
            named = {key: labels.column_of(text, table_name) for key, text in found.items() if text}
            present = {column for column in named.values() if column}
            if len(present) < HEADING_ROW_MIN:
                continue
            for key, column in named.items():
                if column is None and len(found[key]) <= SHORT_HEADING:
                    label = labels.missing_heading(found[key], present, table_name)
                    if label is not None:
                        confidence = min(score for _, score in texts[key])
                        readings[key] = [ocr_text.Reading(label, confidence)]
                        texts[key] = [(label, confidence)]


NUMBERS = ("number", "points")  # labels.heading_kind of the columns read as numbers
NUMBER_CELL = re.compile(r"^\d[\d,]*(?:\.\d+)?%?$")
NUMBER_PATH_MIN = 0.02  # a number decoded over digits only whose least probable character is less is no reading


def mend_number_columns(
    table: Table,
    table_index: int,
    readings: dict[tuple[str, int], list[ocr_text.Reading]],
    texts: dict[tuple[str, int], list[tuple[str, float]]],
) -> None:
    """A one-line cell under a heading of a number column (labels.heading_kind: an amount, 分值, 执行率, 得分) read
    as no number ("S" for 5) takes the line decoded over digits only (Reading.number), where that is a number its
    characters at least NUMBER_PATH_MIN probable; its confidence falls to that path's least probable character, so
    a person confirms it. A cell read as a number, as a dash or as words (`number_like`), and a heading, are left
    as read."""
    keys = [cell_key(table_index, index) for index in range(len(table.cells))]
    kinds = heading_kinds(keys, readings, texts)
    for cell, key, kind in zip(table.cells, keys, kinds, strict=True):
        found = readings.get(key, [])
        if kind or len(found) != 1 or not found[0].number or found[0].text == DASH:
            continue
        (reading,) = found
        free = fix_lookalikes(reading.text).strip()
        if NUMBER_CELL.match(free) or not NUMBER_CELL.match(reading.number) or not number_like(free, reading.number):
            continue
        if reading.number_confidence < NUMBER_PATH_MIN or heading_above(table.cells, kinds, cell) not in NUMBERS:
            continue
        confidence = min(reading.confidence, reading.number_confidence)
        readings[key] = [ocr_text.Reading(reading.number, confidence)]
        texts[key] = [(reading.number, confidence)]


def heading_kinds(
    keys: list[tuple[str, int]],
    readings: dict[tuple[str, int], list[ocr_text.Reading]],
    texts: dict[tuple[str, int], list[tuple[str, float]]],
) -> list[str | None]:
    """labels.heading_kind of each cell's text (label-snapped), None for an empty cell."""
    kinds = []
    for key in keys:
        text = snap_label("\n".join(line for line, _ in texts.get(key, []) if line), readings.get(key, []))
        kinds.append(labels.heading_kind(label_key(join_wrapped(text))) if text else None)
    return kinds


def number_like(text: str, number: str) -> bool:
    """A cell's text that may be a misread number: no Chinese, hardly longer than the number read in its place."""
    return not any(is_chinese(char) for char in text) and len(text) <= len(number) + 1


def heading_above(cells: list[list[int]], kinds: Sequence[str | None], cell: list[int]) -> str | None:
    """The kind of the nearest heading cell above `cell` whose columns take in the cell's centre."""
    middle = (cell[0] + cell[2]) / 2
    above = [
        (other[3], kind)
        for other, kind in zip(cells, kinds, strict=True)
        if kind and other[3] <= cell[1] + 2 and other[0] <= middle <= other[2]
    ]
    return max(above)[1] if above else None


# "%" at least this probable at each character of a number's tail makes the tail a "%" (in a row printing a
# percentage, outside the points columns). At 150 dpi the model gave "%" 0.005–0.04 where it read "6" for it.
PERCENT_RUNNER_UP = 0.005
_PERCENT_BODY = re.compile(r"^[≥≤><]?\d+(?:\.\d+)?$")


def percent_tail(reading: ocr_text.Reading) -> ocr_text.Reading | None:
    """A number whose "%" the model read as one or two characters ("100%" as "1009", "99%" as "9996", "98%" as
    "98%6"): where the last one or two characters each had "%" as their reading or a runner-up (PERCENT_RUNNER_UP)
    and what stands before them is a number, the reading with that tail as "%", its confidence no higher than the
    least probable "%" (so the number is confirmed by a person). None where no tail is one."""
    text = reading.text
    if len(reading.choices) != len(text):
        return None
    for size in (2, 1):
        body, tail = text[:-size], reading.choices[-size:]
        if len(text) <= size or not _PERCENT_BODY.match(fix_lookalikes(body)):
            continue
        chances = [max((p for char, p in choices if char == "%"), default=0.0) for choices in tail]
        if tail[-1][0][0] == "%" or min(chances) < PERCENT_RUNNER_UP:
            continue
        choices = (*reading.choices[:-size], (("%", min(chances)),))
        return ocr_text.Reading(body + "%", min(reading.confidence, min(chances)), choices)
    return None


def mend_percent_rows(
    table: Table,
    table_index: int,
    readings: dict[tuple[str, int], list[ocr_text.Reading]],
    texts: dict[tuple[str, int], list[tuple[str, float]]],
) -> None:
    """In a table row where a cell reads a percentage ("…%"), a one-line cell whose "%" was read as digits
    (`percent_tail`) gets its "%": the row's unit is the evidence, the model's runner-up the glyph's. A row without
    a percentage is left as read ("1009" may be 1009), and so are the cells under 分值 and 得分, which print no "%"."""
    every = [cell_key(table_index, index) for index in range(len(table.cells))]
    kinds = heading_kinds(every, readings, texts)
    points = {
        key for key, cell in zip(every, table.cells, strict=True) if heading_above(table.cells, kinds, cell) == "points"
    }
    for keys in table_rows(table, table_index):
        if not any(line.endswith("%") for key in keys for line, _ in texts.get(key, [])):
            continue
        for key in keys:
            if len(readings.get(key, [])) != 1 or key in points:
                continue
            mended = percent_tail(readings[key][0])
            if mended is not None:
                readings[key] = [mended]
                texts[key] = [(fix_lookalikes(mended.text).strip(), mended.confidence)]


def mend_score_points(
    table: Table,
    table_index: int,
    readings: dict[tuple[str, int], list[ocr_text.Reading]],
    texts: dict[tuple[str, int], list[tuple[str, float]]],
) -> None:
    """A 得分 read without the decimal point the model weighed ("125" for 1.25, Reading.pointed) takes the point
    where without it the score is above its row's 分值 and with it is not (domain.score_above_weight): the form's
    own arithmetic picks the model's runner-up. The cell's confidence falls to the point's probability, so a person
    confirms it."""
    every = [cell_key(table_index, index) for index in range(len(table.cells))]
    names = []
    for key in every:
        text = snap_label("\n".join(line for line, _ in texts.get(key, []) if line), readings.get(key, []))
        found = label_key(join_wrapped(text)) if text else ""
        names.append(found and (labels.column_of(found, "indicator") or labels.column_of(found, "fund")))
    column = {key: heading_above(table.cells, names, cell) for key, cell in zip(every, table.cells, strict=True)}
    for keys in table_rows(table, table_index):
        weights = [key for key in keys if column[key] == "weight" and texts.get(key)]
        scores = [key for key in keys if column[key] == "score" and len(readings.get(key, [])) == 1]
        if len(weights) != 1 or len(scores) != 1:
            continue
        weight = parse_number("".join(line for line, _ in texts[weights[0]]))
        (reading,) = readings[scores[0]]
        score, pointed = parse_number(reading.text), parse_number(reading.pointed)
        if weight is None or score is None or pointed is None:
            continue
        if domain.score_above_weight(weight, score) and not domain.score_above_weight(weight, pointed):
            confidence = min(reading.confidence, reading.point_probability)
            readings[scores[0]] = [ocr_text.Reading(reading.pointed, confidence)]
            texts[scores[0]] = [(reading.pointed, confidence)]


def mend_cell_words(lines: list[ocr_text.Reading]) -> list[ocr_text.Reading]:
    """`mend_words` over a cell's lines as one text: a name wrapped in its cell ends a line with "完成" and prints
    "率" alone on the next, where the model read "事" with 率 its runner-up; the word is only seen across the
    break. Each line keeps its own confidence and candidates."""
    if len(lines) < 2 or any(len(line.choices) != len(line.text) for line in lines):
        return [mend_words(line) for line in lines]
    joined = ocr_text.Reading(
        "".join(line.text for line in lines), 1.0, tuple(choices for line in lines for choices in line.choices)
    )
    text, found, start = mend_words(joined).text, [], 0
    for line in lines:
        part = text[start : start + len(line.text)]
        found.append(line if part == line.text else ocr_text.Reading(part, line.confidence, line.choices))
        start += len(line.text)
    return found


def in_word(chars: list[str], at: int) -> bool:
    """Whether the character at `at` is part of a word of labels.INDICATOR_WORDS printed around it."""
    words, longest = labels.indicator_words()
    text = "".join(chars)
    return any(
        text[start : start + length] in words
        for length in range(2, longest + 1)
        for start in range(max(0, at - length + 1), min(at, len(text) - length) + 1)
    )


def is_chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def needs_crop(text: str, confidence: float) -> bool:
    """A cell a person may have to confirm (a number, or text read without confidence) keeps its image."""
    return confidence < domain.OCR_CONFIDENCE_MIN or any(char.isdigit() for char in text)


def box_of(cell: list[int]) -> tuple[int, int, int, int]:
    return cell[0], cell[1], cell[2], cell[3]


def rule_thickness(tables: list[Table]) -> int:
    widths = [bottom - top for table in tables for top, bottom in table.rules]
    return int(np.median(widths)) if widths else 2
