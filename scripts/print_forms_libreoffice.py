"""Print form records (form-json.md) as PDFs the way a department prints them from Excel.

Each record becomes one worksheet laid out like the sample forms (data/samples): a ruled
10-column grid with merged cells, wrapped text, A4 portrait, fitted to the page width.
The workbook is written with openpyxl and printed by LibreOffice Calc
(`soffice --headless --convert-to pdf`), a program the PDF reader's tests never use, so the
PDFs are an independent check of the reader.

Usage:
    python scripts/print_forms_libreoffice.py records.json OUT_DIR [--each PREFIX]
        [--combined NAME.pdf --select 1,5,17]

--each PREFIX writes one PDF per record (PREFIX01.pdf …); --combined writes one PDF holding
the selected records (1-based positions), one form after another.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: make the dashboard package importable
    sys.path.insert(0, str(ROOT))

from dashboard.outputs import form_sheet  # noqa: E402

# The layout (one sheet per form, merged cells, A4) is the dashboard's own: dashboard/outputs/form_sheet.py.
build_workbook = form_sheet.build_workbook


# ---------------------------------------------------------------- workbook → PDF


def convert_to_pdf(xlsx: Path, out_dir: Path) -> Path:
    """soffice --headless --convert-to pdf, with a private profile so parallel runs do not clash."""
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(xlsx),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return out_dir / (xlsx.stem + ".pdf")


def print_records(records: list[dict], pdf_path: Path, title_year: bool = True) -> Path:
    """Write `records` as one PDF at `pdf_path` (one form after another)."""
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        xlsx = Path(work) / (pdf_path.stem + ".xlsx")
        build_workbook(records, title_year).save(xlsx)
        printed = convert_to_pdf(xlsx, Path(work))
        shutil.move(printed, pdf_path)
    return pdf_path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, help="JSON array of form records")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--each", metavar="PREFIX", help="one PDF per record: PREFIX01.pdf …")
    parser.add_argument("--combined", metavar="NAME", help="one PDF holding the selected records")
    parser.add_argument("--select", default="", help="1-based positions for --combined, e.g. 2,6,17")
    parser.add_argument("--no-title-year", action="store_true", help="print the title without the year")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    records = json.loads(args.records.read_text(encoding="utf-8"))
    title_year = not args.no_title_year
    if args.each:
        for number, record in enumerate(records, 1):
            print(print_records([record], args.out_dir / f"{args.each}{number:02d}.pdf", title_year))
    if args.combined:
        picks = [int(part) for part in args.select.split(",") if part.strip()] or range(1, len(records) + 1)
        chosen = [records[number - 1] for number in picks]
        print(print_records(chosen, args.out_dir / args.combined, title_year))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
