"""The PDF reader's shortcuts give what the pdfplumber calls they replace give, object for object.

`unique_chars` stands for pdfplumber's `dedupe_chars` (quadratic in a page's characters),
`CellGrid.char_cell` for a scan of every cell per character and `TableFinder` (with
`intersections_to_cells`) for `page.find_tables` (quadratic in a page's ruling intersections):
all are there for speed only. The last test also fails when a new pdfplumber finds tables differently.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pdfplumber
from pdfplumber import table as plumber_table
from pdfplumber import utils as plumber_utils

from dashboard.ingest.pdf import (
    EDGE_TOLERANCE,
    TABLE_SETTINGS,
    CellGrid,
    TableFinder,
    closing_lines,
    intersections_to_cells,
    unique_chars,
)

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tests/unit is not a package: make tests.pdf_factory importable
    sys.path.insert(0, str(ROOT))

from tests import pdf_factory as factory  # noqa: E402


def same_objects(first: list, second: list) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))


def random_chars(rng: random.Random) -> list[dict]:
    """Characters crowded on a few positions, with copies within and beyond the tolerance and exact twins."""
    chars = []
    for _ in range(rng.randint(0, 60)):
        char = {
            "upright": rng.random() < 0.9,
            "text": rng.choice("ab项"),
            "fontname": rng.choice(["F1", "F2"]),
            "size": rng.choice([7.0, 8.0]),
            "doctop": rng.choice([5.0, 5.5, 6.2, 7.0, rng.uniform(0, 10)]),
            "x0": rng.choice([10.0, 10.3, 10.9, 11.5, 12.0, 20.0, rng.uniform(0, 30)]),
            "serial": rng.randint(0, 2),
        }
        chars.append(char)
        if rng.random() < 0.2:
            chars.append(dict(char))
    return chars


def test_unique_chars_keeps_what_dedupe_chars_keeps_on_random_pages():
    rng = random.Random(9)
    for _ in range(2000):
        chars = random_chars(rng)
        assert same_objects(unique_chars(chars), plumber_utils.dedupe_chars(chars))


def test_unique_chars_keeps_what_dedupe_chars_keeps_on_fake_bold_labels(tmp_path):
    spec = factory.FormSpec(letter_spacing=5.0, fake_bold_labels=True)
    with pdfplumber.open(factory.write_pdf(tmp_path / "bold.pdf", [spec])) as pdf:
        chars = pdf.pages[0].chars
        kept = unique_chars(chars)
        assert len(kept) < len(chars)  # the labels' second pass is dropped
        assert same_objects(kept, plumber_utils.dedupe_chars(chars))


def scanned_cell(char: dict, cells: list, box: tuple) -> tuple | None:
    """The cell a character belongs to, by testing every cell in order (what CellGrid replaces)."""
    x_mid, y_mid = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    left, top, right, bottom = box
    if not (left <= x_mid < right) or char["top"] >= bottom or char["bottom"] <= top:
        return None
    if y_mid < bottom:
        return next((c for c in cells if c[0] <= x_mid < c[2] and c[1] <= y_mid < c[3]), None)
    return next((c for c in cells if abs(c[3] - bottom) <= EDGE_TOLERANCE and c[0] <= x_mid < c[2]), None)


def random_cells(rng: random.Random) -> list[tuple]:
    """Cells on a grid, some merged across rows or columns, some overlapping, some of zero width."""
    xs = sorted(rng.sample(range(0, 200, 5), rng.randint(2, 8)))
    ys = sorted(rng.sample(range(0, 200, 5), rng.randint(2, 8)))
    cells = []
    for _ in range(rng.randint(1, 25)):
        x0, x1 = sorted(rng.sample(xs, 2)) if rng.random() < 0.95 else (xs[0], xs[0])
        y0, y1 = sorted(rng.sample(ys, 2))
        cells.append((float(x0), float(y0), float(x1), float(y1)))
    return cells


def test_cell_grid_finds_the_cell_a_scan_of_the_cells_finds():
    rng = random.Random(5)
    for _ in range(500):
        cells = random_cells(rng)
        grid = CellGrid(cells)
        for _ in range(60):
            x, y = rng.choice([rng.uniform(-5, 205), float(rng.randrange(0, 200, 5))]), rng.uniform(-5, 205)
            char = {"x0": x - 2, "x1": x + 2, "top": y - rng.choice([1, 3, 6]), "bottom": y + rng.choice([1, 3])}
            assert grid.char_cell(char) == scanned_cell(char, cells, grid.box)


def random_edges(rng: random.Random) -> list[dict]:
    """Ruling lines on a coarse grid, some broken, some overlapping, like a table with merged cells."""
    xs, ys = sorted(rng.sample(range(0, 300, 10), 6)), sorted(rng.sample(range(0, 300, 10), 6))
    edges = []
    for _ in range(rng.randint(2, 16)):
        x, (top, bottom) = float(rng.choice(xs)), sorted(rng.sample(ys, 2))
        edges.append({"x0": x, "x1": x, "top": float(top), "bottom": float(bottom), "orientation": "v"})
        y, (left, right) = float(rng.choice(ys)), sorted(rng.sample(xs, 2))
        edges.append({"x0": float(left), "x1": float(right), "top": y, "bottom": y, "orientation": "h"})
    return edges


def test_intersections_to_cells_finds_pdfplumbers_cells_on_random_rulings():
    rng = random.Random(3)
    for _ in range(400):
        intersections = plumber_table.edges_to_intersections(random_edges(rng), 3, 3)
        assert intersections_to_cells(intersections) == plumber_table.intersections_to_cells(intersections)


def test_table_finder_finds_pdfplumbers_tables_on_every_fixture_page():
    pdfs = sorted([*(ROOT / "tests" / "fixtures").rglob("*.pdf"), *(ROOT / "data" / "samples").glob("*.pdf")])
    for path in pdfs:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                settings = {**TABLE_SETTINGS, "explicit_horizontal_lines": closing_lines(page)}
                found = [table.cells for table in TableFinder(page, settings).tables]
                assert found == [table.cells for table in page.find_tables(settings)], (path.name, page.page_number)
