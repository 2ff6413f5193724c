"""The 汇总报告 as PDF, for phones and printing: the Word report (report.py) converted by LibreOffice.

LibreOffice runs as the readers run it (ingest/libreoffice.py: headless, a private profile folder made for this
one conversion, its own process group and time limit, no macros). The official fonts the report names (仿宋,
黑体, 楷体, 方正小标宋简体, Times New Roman) are often not installed on a Linux server; a fontconfig file made for the
conversion names a stand-in for each (`FONT_STAND_INS`: Debian's Noto Serif/Sans CJK SC), used only where
the official font is missing, so the PDF is set in a Song/serif body with Hei/sans headings instead of whatever
fallback the machine would pick. Where LibreOffice is not installed, ReportPdfError says so and how to get it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from dashboard.core import texts
from dashboard.ingest import libreoffice

SYSTEM_FONTCONFIG = "/etc/fonts/fonts.conf"
# The fonts the report names (report.py) and the stand-in for each where it is not installed: Debian's
# fonts-noto-cjk — Noto Serif CJK SC, a Song face, for 仿宋, 楷体 and 小标宋 (and Latin text); Noto Sans CJK SC, a
# Hei face, for 黑体.
SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
FONT_STAND_INS = {
    texts.REPORT_FONT_TITLE: SERIF,
    texts.REPORT_FONT_HEADING_1: SANS,
    texts.REPORT_FONT_HEADING_2: SERIF,
    texts.REPORT_FONT_BODY: SERIF,
    "Times New Roman": SERIF,
    # the alternate names the report's font table gives them (report.FONT_TABLE)
    "SimHei": SANS,
    "KaiTi": SERIF,
    "FangSong": SERIF,
}
PDF_MIME = "application/pdf"


class ReportPdfError(Exception):
    """The PDF cannot be made here; the message (Chinese) says why and what to do."""


def available() -> bool:
    """True where LibreOffice is installed (the PDF button and `--format pdf` are offered)."""
    return libreoffice.soffice() is not None


def fontconfig(stand_ins: dict[str, str]) -> str:
    """A fontconfig file: the system's configuration, and after each official font its stand-in (`accept`:
    used only where the official font is not installed)."""
    aliases = "".join(
        f'  <alias binding="same"><family>{escape(font)}</family>'
        f"<accept><family>{escape(stand_in)}</family></accept></alias>\n"
        for font, stand_in in stand_ins.items()
    )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{SYSTEM_FONTCONFIG}</include>\n{aliases}</fontconfig>\n'
    )


def pdf_bytes(docx: bytes) -> bytes:
    """The Word report `docx` as PDF bytes, or ReportPdfError."""
    command = libreoffice.soffice()
    if command is None:
        raise ReportPdfError(texts.REPORT_PDF_NO_LIBREOFFICE)
    with tempfile.TemporaryDirectory(prefix="jixiao-report-pdf-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(docx)
        fonts = work / "fonts.conf"
        fonts.write_text(fontconfig(FONT_STAND_INS), encoding="utf-8")
        seconds = libreoffice.timeout_seconds()
        result = libreoffice.convert_in(command, work, source, "pdf", seconds, env={"FONTCONFIG_FILE": str(fonts)})
        if result is None:
            raise ReportPdfError(texts.REPORT_PDF_TIMEOUT.format(seconds=f"{seconds:g}"))
        if not result.is_file() or result.stat().st_size == 0:
            raise ReportPdfError(texts.REPORT_PDF_FAILED)
        return result.read_bytes()
