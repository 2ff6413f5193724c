"""How exactly scans are read: the 22 seed forms (truth written by hand, tests/fixtures/seed_forms.json) printed by
LibreOffice, scanned as a copier does (tests/scan_factory.py) at 150 and 200 dpi, turned 0.5–1.5°, with grain and
blur, then read through the parser worker pool and checked as the import checks them.

Prints per copier setting: weighted indicator rows read exactly (name, target, actual, 分值, 得分), rows whose
numbers are exact, forms counted and held, and forms counted with a wrong number (must be 0).

    .venv/bin/python benchmarks/ocr_accuracy.py [--forms 22] [--settings all|quick|untuned] [--show]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.audit import review
from dashboard.ingest.files import SafeReader
from tests import scan_factory
from tests.seed_truth import seed_records

SETTINGS = [
    scan_factory.Copier(dpi=150, angle=0.5, seed=1),
    scan_factory.Copier(dpi=150, angle=-1.5, seed=2),
    scan_factory.Copier(dpi=200, angle=1.0, seed=3),
    scan_factory.Copier(dpi=200, angle=-1.5, grain=10, seed=4),
]
# A setting never used while tuning the reader: its figure says how far the tuning carries.
UNTUNED = scan_factory.Copier(dpi=150, angle=1.2, grain=8, seed=7)


def measure(
    copier: scan_factory.Copier, positions: list[int], folder: Path, reader: SafeReader, show: bool = False
) -> dict:
    truth = seed_records()
    files = []
    for position in positions:
        path = folder / f"seed_{position:02d}_{copier.dpi}_{copier.seed}.pdf"
        scan_factory.write_scanned_pdf(scan_factory.seed_pdf(position), path, copier)
        files.append((path, path.name))
    started = time.perf_counter()
    results = list(reader.read_all(files))
    seconds = time.perf_counter() - started
    figures = {"rows": 0, "exact": 0, "numbers": 0, "counted": 0, "held": 0, "wrong": 0, "failed": 0}
    wrong_forms = []
    for position, result in zip(positions, results, strict=True):
        want = truth[position - 1]
        if result.error or len(result.forms) != 1:
            figures["failed"] += 1
            print(f"  seed {position}: {result.error or len(result.forms)} forms", flush=True)
            rows = sum(1 for row in want["indicators"] if row["weight"])
            figures["rows"] += rows
            continue
        (form,) = result.forms
        review.check_form(form, layout=form.layout_title)
        got = form.to_record()
        rows, exact, numbers = scan_factory.weighted_rows(got, want)
        figures["rows"] += rows
        figures["exact"] += exact
        figures["numbers"] += numbers
        if show:
            show_rows(position, got, want)
        differs = [
            key
            for key, value in scan_factory.numbers_of(want).items()
            if scan_factory.numbers_of(got).get(key) != value
        ]
        if form.complete:
            figures["counted"] += 1
            if differs:
                figures["wrong"] += 1
                wrong_forms.append((position, differs))
        else:
            figures["held"] += 1
    figures["seconds_per_form"] = seconds / len(positions)
    for position, differs in wrong_forms:
        print(f"  COUNTED WRONG seed {position}: {differs}", flush=True)
    return figures


def show_rows(position: int, got: dict, want: dict) -> None:
    """Each weighted row not read exactly: the fields read and the truth."""
    for index, row in enumerate(want["indicators"]):
        same = got["indicators"][index] if index < len(got["indicators"]) else {}
        wrong = {key: (same.get(key), row[key]) for key in scan_factory.ROW_FIELDS if same.get(key) != row[key]}
        if row["weight"] and wrong:
            print(f"  seed {position} row {index}: " + "; ".join(f"{k} {g!r} ≠ {w!r}" for k, (g, w) in wrong.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=22)
    parser.add_argument("--settings", choices=("all", "quick", "untuned"), default="all")
    parser.add_argument("--show", action="store_true", help="print each row not read exactly")
    args = parser.parse_args()
    positions = list(range(1, args.forms + 1))
    settings = {"all": SETTINGS, "quick": SETTINGS[:1], "untuned": [UNTUNED]}[args.settings]
    total = {"rows": 0, "exact": 0, "numbers": 0, "wrong": 0}
    with tempfile.TemporaryDirectory() as folder, SafeReader() as reader:
        for copier in settings:
            figures = measure(copier, positions, Path(folder), reader, args.show)
            for key in total:
                total[key] += figures[key]
            rows = max(1, figures["rows"])
            print(
                f"{copier.label:28} rows exact {figures['exact']}/{figures['rows']} ({figures['exact'] / rows:.1%}), "
                f"numbers exact {figures['numbers']}/{figures['rows']} ({figures['numbers'] / rows:.1%}); "
                f"forms counted {figures['counted']}, held {figures['held']}, not read {figures['failed']}, "
                f"counted with a wrong number {figures['wrong']}; {figures['seconds_per_form']:.1f} s per form",
                flush=True,
            )
    rows = max(1, total["rows"])
    print(
        f"all settings: rows exact {total['exact']}/{total['rows']} ({total['exact'] / rows:.1%}), "
        f"numbers exact {total['numbers'] / rows:.1%}, forms counted with a wrong number {total['wrong']}"
    )


if __name__ == "__main__":
    main()
