"""Files that cannot be imported, made for the tests: each kind the importer must explain."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def scanned_pdf(path: Path) -> Path:
    """A page holding only a picture of a form (no text layer)."""
    picture = Image.new("RGB", (800, 1100), "white")
    draw = ImageDraw.Draw(picture)
    for y in range(100, 1000, 40):
        draw.line((50, y, 750, y), fill="black", width=2)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    buffer.seek(0)
    page = canvas.Canvas(str(path), pagesize=A4)
    page.drawImage(ImageReader(buffer), 20, 20, width=555, height=800)
    page.save()
    return path


def text_pdf(path: Path, lines: list[str], encrypt: str | None = None) -> Path:
    page = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    page.setFont(FONT, 12)
    for number, line in enumerate(lines):
        page.drawString(60, 780 - 20 * number, line)
    page.save()
    return path


def not_a_form_pdf(path: Path) -> Path:
    return text_pdf(path, ["关于召开年度工作会议的通知", "各科室：定于下周一召开全体会议。"])


def encrypted_pdf(path: Path) -> Path:
    return text_pdf(path, ["项目支出绩效自评表", "项目名称 购置费"], encrypt="secret")


def truncated_pdf(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def oversized_pdf(path: Path, size: int) -> Path:
    """A sparse file just over the limit: the size check must refuse it before reading."""
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(size)
    return path
