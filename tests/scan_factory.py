"""Scans made from the repository's own printed forms, as an office copier makes them: each page of a PDF
rendered at a scanner's resolution, turned by a small angle, blurred a little and given grain and a grey cast.

Used by the OCR reader tests (truth: tests/fixtures/seed_forms.json, written by hand) and by
benchmarks/ocr_accuracy.py. Nothing is committed: scans are made at test time from the PDFs kept in
tests/fixtures/libreoffice and data/samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_PDFS = FIXTURES / "libreoffice"


@dataclass(frozen=True)
class Copier:
    dpi: int = 200
    angle: float = 1.0  # degrees, counter-clockwise
    grain: float = 6.0  # standard deviation of the grey-level noise
    blur: float = 0.7  # Gaussian sigma in pixels
    seed: int = 1

    @property
    def label(self) -> str:
        return f"{self.dpi}dpi {self.angle:+.1f}° grain {self.grain:g}"


def scan_pages(pdf: Path, copier: Copier) -> list[Image.Image]:
    """Every page of `pdf` as the copier scans it (grey, with the scan's resolution recorded)."""
    import cv2

    rng = np.random.default_rng(copier.seed)
    document = pypdfium2.PdfDocument(str(pdf))
    pages = []
    try:
        for page in document:
            gray = page.render(scale=copier.dpi / 72, grayscale=True).to_numpy()
            gray = (gray if gray.ndim == 2 else gray[:, :, 0]).astype(np.float32)
            page.close()
            centre = (gray.shape[1] / 2, gray.shape[0] / 2)
            matrix = cv2.getRotationMatrix2D(centre, copier.angle, 1.0)
            gray = cv2.warpAffine(gray, matrix, gray.shape[::-1], flags=cv2.INTER_LINEAR, borderValue=255)
            if copier.blur:
                gray = cv2.GaussianBlur(gray, (0, 0), copier.blur)
            gray = gray * 0.9 + 12 + rng.normal(0, copier.grain, gray.shape)  # grey cast and grain
            image = Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))
            image.info["dpi"] = (copier.dpi, copier.dpi)
            pages.append(image)
    finally:
        document.close()
    return pages


def write_scanned_pdf(pdf: Path, out: Path, copier: Copier) -> Path:
    """A PDF of picture pages only (no text layer), as a copier's scan-to-PDF writes it."""
    pages = scan_pages(pdf, copier)
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=copier.dpi, format="PDF")
    return out


def write_scanned_image(pdf: Path, out: Path, copier: Copier) -> Path:
    """The first page as an image file (.png, .jpg or .tif by `out`'s suffix), its resolution recorded."""
    (page, *_) = scan_pages(pdf, copier)
    options = {"quality": 85} if out.suffix.lower() in (".jpg", ".jpeg") else {}
    page.save(out, dpi=(copier.dpi, copier.dpi), **options)
    return out


def write_photo(pdf: Path, out: Path, copier: Copier, tilt: float = 0.08) -> Path:
    """The first page as a phone photo taken at a slant: the far (top) edge narrower by `tilt` of the page's width,
    light falling off across the page, saved as the camera does (.jpg, or the format `out` names)."""
    import cv2

    (page, *_) = scan_pages(pdf, copier)
    gray = np.asarray(page, dtype=np.float32)
    height, width = gray.shape
    inset = tilt * width / 2
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    slanted = np.float32([[inset, 0.02 * height], [width - inset, 0.02 * height], [width, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(corners, slanted)
    gray = cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=225)
    gray = gray + np.linspace(-30, 10, width, dtype=np.float32)[None, :]  # the light comes from one side
    photo = Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))
    options = {"quality": 90} if out.suffix.lower() in (".jpg", ".jpeg") else {}
    photo.save(out, dpi=(copier.dpi, copier.dpi), **options)
    return out


def seed_pdf(position: int) -> Path:
    """The seed form at `position` (1-based), printed by LibreOffice: its truth is seed_records()[position - 1]."""
    return SEED_PDFS / f"seed_forms_{position:02d}.pdf"


NUMBER_FIELDS = ("project_amount", "total_weight", "total_score")


def numbers_of(record: dict) -> dict:
    """Every number of a form record: what a wrong OCR reading would put in a total."""
    found = {field: record.get(field) for field in NUMBER_FIELDS}
    for key, row in record["funds"].items():
        if isinstance(row, dict):
            found.update({f"funds.{key}.{name}": value for name, value in row.items()})
    for index, row in enumerate(record["indicators"]):
        found[f"indicators[{index}].weight"] = row["weight"]
        found[f"indicators[{index}].score"] = row["score"]
    return found


ROW_FIELDS = ("name", "target", "actual", "weight", "score")


def weighted_rows(got: dict, want: dict) -> tuple[int, int, int]:
    """(weighted indicator rows in the truth, rows read exactly in ROW_FIELDS, rows whose numbers are exact)."""
    got_rows = {row["name"]: row for row in got["indicators"]}
    total = exact = numbers = 0
    for index, row in enumerate(want["indicators"]):
        if not row["weight"]:
            continue
        total += 1
        same = got["indicators"][index] if index < len(got["indicators"]) else got_rows.get(row["name"])
        if same is None:
            continue
        exact += all(same[field] == row[field] for field in ROW_FIELDS)
        numbers += same["weight"] == row["weight"] and same["score"] == row["score"]
    return total, exact, numbers
