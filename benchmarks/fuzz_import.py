"""Fuzz the whole import with damaged copies of real files, across every reader (PDF, text, Excel, Word, web
pages, old Excel and Word, scans read by OCR).

    .venv/bin/python benchmarks/fuzz_import.py --count 2000 --seed 1 [--time-limit 1800] [--keep DIR]

The originals are the repository's own: the sample text (22 forms), the same forms copied with "|" between
cells, the two sample PDFs and a LibreOffice print of seven forms, Excel workbooks and a Word document made
from the hand-written truth (tests/fixtures/seed_forms.json); web pages of the same truth (GBK and UTF-8, one and
several forms), an Excel 97 workbook and an XML Spreadsheet saved as ".xls", a .doc made by LibreOffice, and a
copier's scan of a printed seed form (PNG and PDF, read by OCR). Each mutant is one original damaged the way
disks, downloads and copy-paste damage files (bytes flipped, zeroed, lost, repeated or cut off; zip parts
dropped or their XML broken; text lines lost, repeated, swapped, joined or garbled; a scan smudged, streaked
or with a corner torn off), chosen by a seeded random generator, so a run is repeatable.

Every mutant goes through the real import (worker processes with their time limit and memory cap, the
checks, DuckDB writes) and is judged against what its original gives:

- traceback: an exception escaping the import, a Python traceback on stderr, or an internal-error reason
  (texts.REASON_INTERNAL) instead of a Chinese reason;
- partial write: a file reported as an error with forms stored, or stored with another number of forms
  than its outcome says;
- changed and unflagged: a complete form (one the totals count) whose content differs from every form of
  its original and that carries no finding its original does not (a reader, completeness or audit finding);
- lost and unflagged: a file imported without problems that has fewer forms than its original, none of them
  carrying a finding the original's forms do not.

Counted apart, not as failures, each listed with its count:
- a form of a file without checksums (text, web page, .xls, .doc: NO_CHECKSUM) changed where the damage only put
  one letter, digit or ideograph for another (or one punctuation mark for another) — what a typo in the original
  prints (`typo_like`); and, where the mutation replaced one character of the file, a form whose every field
  differs by at most one character (`one_character_typo`);
- a form whose free text alone changed — its goals, or an indicator row's name, 指标值, 实际完成值 or reason
  text — while every figure the totals and the audit rest on is the same (`figures_of`: kind, code, name, 主管部门,
  实施单位, year, amounts, 分值, 得分, 总分, the rows that carry points and their categories, and whether each
  deducted row gives a reason). A line lost from a paragraph of a text copy has no checksum and no structure to
  check it by;
- a form of a file without checksums whose only change is a 0 of a fund row read as a blank cell (`zeros_blank`:
  both mean no money; a byte flip in a .xls or .doc can turn one into the other);
- a form equal to its original once spaces and line breaks are left out (where a reader puts a space is layout).
A text file carries no checksum (PDF streams and zip parts do), so no reader can tell such changes.

Prints the figures and the machine load; exits 1 when any of the four is not 0. tests/unit/test_fuzz_import.py
runs a small seeded slice of the same code.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.core import texts  # noqa: E402
from dashboard.core.model import Form  # noqa: E402
from dashboard.importing import importer  # noqa: E402
from dashboard.ingest import cells  # noqa: E402
from dashboard.ingest.files import SafeReader  # noqa: E402
from dashboard.store import connect, reads  # noqa: E402

SEED_TRUTH = ROOT / "tests" / "fixtures" / "seed_forms.json"
KINDS = ("pdf", "txt", "xlsx", "docx", "html", "xls", "doc", "scan")
# Formats with no checksum over their content: a changed character reads as another character (see `judge`).
NO_CHECKSUM = frozenset({"txt", "html", "xls", "doc"})
YEAR = 2021


# ---------------------------------------------------------------- originals


_STAMP_RE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?")


def fixed_zip(path: Path) -> Path:
    """The package rewritten without the moment it was made (zip entry times, docProps/core.xml dates), so that
    the same seed gives the same mutants in every run (mutations depend on the file's size and bytes)."""
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = _STAMP_RE.sub(b"2021-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return path


def make_small_originals(folder: Path) -> dict[str, list[Path]]:
    """One small file per reader (the test's slice): a one-page PDF, three forms of text, two of Excel and Word."""
    from tests import office_factory
    from tests.text_copies import pipe_copy

    truth = json.loads(SEED_TRUTH.read_text(encoding="utf-8"))
    sample = next((ROOT / "data" / "samples").glob("000_*.txt")).read_text(encoding="utf-8")
    fourth = [index for index in range(len(sample)) if sample.startswith("项目支出绩效自评表", index)][3]
    text = folder / "three_forms.txt"
    text.write_text(sample[:fourth], encoding="utf-8")
    pipes = folder / "pipe_copy.txt"
    pipes.write_text(pipe_copy(truth[:3], separator=True, stamp=True, wrap="cell"), encoding="utf-8")
    return {
        "pdf": [ROOT / "data" / "samples" / "sample_form_a.pdf"],
        "txt": [text, pipes],
        "xlsx": [fixed_zip(office_factory.xlsx_workbook(truth[:2], folder / "two_sheets.xlsx"))],
        "docx": [fixed_zip(office_factory.docx_document(truth[:2], folder / "two_forms.docx"))],
        **later_originals(truth[:2], folder),
    }


def later_originals(truth: list[dict], folder: Path) -> dict[str, list[Path]]:
    """Web pages, old Office files and scans of `truth` (the .doc is made by LibreOffice, the scan from the first
    seed form's LibreOffice print)."""
    from tests import layout_factory, office_factory, scan_factory, web_factory

    gbk = folder / "forms_gbk.html"
    gbk.write_bytes(web_factory.cms_page(truth).encode("gbk"))
    utf8 = folder / "form_utf8.htm"
    utf8.write_bytes(web_factory.modern_page(truth[:1]).encode("utf-8"))
    xml = folder / "report_system.xls"
    xml.write_bytes(web_factory.xml_spreadsheet(truth))
    word = office_factory.docx_document(truth, folder / "old_word.docx")
    scan = scan_factory.Copier(dpi=200, angle=0.5, seed=3)
    return {
        "html": [gbk, utf8],
        "xls": [ROOT / "tests" / "fixtures" / "libreoffice" / "seed_forms.xls", xml],
        "doc": [layout_factory.save_libreoffice(word, "doc")],
        "scan": [
            scan_factory.write_scanned_image(scan_factory.seed_pdf(1), folder / "scan.png", scan),
            scan_factory.write_scanned_pdf(scan_factory.seed_pdf(2), folder / "scan.pdf", scan),
        ],
    }


def make_originals(folder: Path) -> dict[str, list[Path]]:
    """The undamaged files, by reader."""
    from tests import office_factory
    from tests.text_copies import pipe_copy

    truth = json.loads(SEED_TRUTH.read_text(encoding="utf-8"))
    sample_text = next((ROOT / "data" / "samples").glob("000_*.txt"))
    pipes = folder / "pipe_copy.txt"
    pipes.write_text(pipe_copy(truth[:6], separator=True, stamp=True, wrap="cell"), encoding="utf-8")
    return {
        "pdf": [
            ROOT / "data" / "samples" / "sample_form_a.pdf",
            ROOT / "data" / "samples" / "sample_form_b.pdf",
            ROOT / "tests" / "fixtures" / "libreoffice" / "seven_forms.pdf",
        ],
        "txt": [sample_text, pipes],
        "xlsx": [
            fixed_zip(office_factory.xlsx_workbook(truth[:4], folder / "four_sheets.xlsx")),
            fixed_zip(office_factory.xlsx_workbook(truth[4:8], folder / "typed.xlsx", numbers=True)),
            fixed_zip(office_factory.xlsx_workbook(truth[8:11], folder / "stacked.xlsx", numbers=True, one_sheet=True)),
        ],
        "docx": [fixed_zip(office_factory.docx_document(truth[:4], folder / "four_forms.docx"))],
        **later_originals(truth[:4], folder),
    }


# ---------------------------------------------------------------- mutations


def _span(rng: random.Random, size: int, longest: int) -> tuple[int, int]:
    length = rng.randint(1, max(1, min(longest, size // 4)))
    start = rng.randrange(0, max(1, size - length))
    return start, start + length


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out))
        out[at] ^= rng.choice([0xFF, 1 << rng.randrange(8), rng.randrange(1, 256)])
    return bytes(out)


def zero_block(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, len(data), 512)
    return data[:start] + b"\0" * (end - start) + data[end:]


def lose_block(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, len(data), 2048)
    return data[:start] + data[end:]


def repeat_block(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, len(data), 2048)
    return data[:end] + data[start:end] + data[end:]


def garbage_block(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, len(data), 256)
    return data[:start] + rng.randbytes(end - start) + data[end:]


def cut_short(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


BYTE_MUTATIONS = (flip_bytes, zero_block, lose_block, repeat_block, garbage_block, cut_short)


def _decoded(data: bytes) -> tuple[str, str] | None:
    """The text of a text file and its encoding (UTF-8, else GB18030 as Chinese pages use); None for binary."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def text_lines(rng: random.Random, data: bytes) -> bytes:
    """Lines lost, repeated, swapped, joined or split, as a bad copy-paste or editor leaves them."""
    decoded = _decoded(data)
    if decoded is None:  # an Excel 97 file among the .xls originals
        return flip_bytes(rng, data)
    lines = decoded[0].split("\n")
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        action = rng.choice(("lose", "repeat", "swap", "join", "split"))
        if action == "lose":
            del lines[at]
        elif action == "repeat":
            lines.insert(at, lines[at])
        elif action == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        elif action == "join" and at + 1 < len(lines):
            lines[at : at + 2] = [lines[at] + rng.choice(("", " ")) + lines[at + 1]]
        elif action == "split" and len(lines[at]) > 2:
            cut = rng.randrange(1, len(lines[at]))
            lines[at : at + 1] = [lines[at][:cut], lines[at][cut:]]
        if not lines:
            lines = [""]
    return "\n".join(lines).encode(decoded[1], errors="replace")


def text_characters(rng: random.Random, data: bytes) -> bytes:
    """One character replaced by another (a CJK character, a digit, punctuation, a control character): one, so
    that a typo-like change (see `typo_like`) is told apart from damage a reader must flag."""
    decoded = _decoded(data)
    if decoded is None:
        return flip_bytes(rng, data)
    chars = list(decoded[0])
    for _ in range(1):
        at = rng.randrange(len(chars))
        cjk, digit, control = chr(rng.randint(0x4E00, 0x9FA5)), str(rng.randrange(10)), chr(rng.randint(0, 31))
        chars[at] = rng.choice((cjk, digit, rng.choice("，。|：%—-/ "), control))
    return "".join(chars).encode(decoded[1], errors="replace")


TEXT_MUTATIONS = (text_lines, text_characters)


def zip_part(rng: random.Random, data: bytes) -> bytes:
    """A well-formed zip whose one part is dropped, cut, or has its XML garbled (checksums match)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    victim = rng.choice(names)
    action = rng.choice(("drop", "cut", "garble"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            part = source.read(name)
            if name == victim:
                if action == "drop":
                    continue
                if action == "cut":
                    part = part[: rng.randrange(0, max(1, len(part)))]
                else:
                    part = garbage_block(rng, part) if part else part
            target.writestr(source.getinfo(name), part, zipfile.ZIP_DEFLATED)  # its time: no run's moment
    return out.getvalue()


def pdf_stream(rng: random.Random, data: bytes) -> bytes:
    """Bytes flipped inside one of the PDF's streams (content, font or image data)."""
    starts = [index for index in range(len(data)) if data.startswith(b"stream", index)][:400]
    if not starts:
        return flip_bytes(rng, data)
    begin = rng.choice(starts) + len(b"stream") + 1
    end = data.find(b"endstream", begin)
    if end <= begin:
        return flip_bytes(rng, data)
    out = bytearray(data)
    at = rng.randrange(begin, end)
    for offset in range(rng.randint(1, 3)):
        if at + offset < end:
            out[at + offset] ^= 0xFF
    return bytes(out)


def scan_damage(rng: random.Random, data: bytes) -> bytes:
    """A scanned page damaged as paper and copiers damage it: a smudge, a streak along the page, or a torn-off
    corner (an image file), else bytes flipped in one of the PDF's streams."""
    from PIL import Image, ImageDraw

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:  # a scanned PDF
        return pdf_stream(rng, data)
    width, height = image.size
    draw = ImageDraw.Draw(image)
    action = rng.choice(("smudge", "streak", "corner"))
    if action == "smudge":
        x, y = rng.randrange(width), rng.randrange(height)
        size = rng.randint(10, max(11, width // 8))
        draw.ellipse((x, y, x + size, y + size // 2), fill=rng.choice((0, 90, 160)))
    elif action == "streak":
        x = rng.randrange(width)
        draw.rectangle((x, 0, x + rng.randint(1, 4), height), fill=rng.choice((0, 60)))
    else:
        cut = rng.randint(width // 10, width // 3)
        draw.polygon([(width - cut, height), (width, height - cut), (width, height)], fill=255)
    out = io.BytesIO()
    image.save(out, format=image.format or "PNG", dpi=image.info.get("dpi", (200, 200)))
    return out.getvalue()


MUTATIONS = {
    "pdf": (*BYTE_MUTATIONS, pdf_stream, pdf_stream),
    "txt": (*BYTE_MUTATIONS, *TEXT_MUTATIONS, *TEXT_MUTATIONS),
    "xlsx": (*BYTE_MUTATIONS, zip_part, zip_part),
    "docx": (*BYTE_MUTATIONS, zip_part, zip_part),
    "html": (*BYTE_MUTATIONS, *TEXT_MUTATIONS, *TEXT_MUTATIONS),
    "xls": (*BYTE_MUTATIONS, *TEXT_MUTATIONS),
    "doc": BYTE_MUTATIONS,
    "scan": (*BYTE_MUTATIONS, scan_damage, scan_damage, scan_damage),
}


@dataclass
class Mutant:
    path: Path
    kind: str
    original: Path
    mutation: str


def make_mutants(originals: dict[str, list[Path]], count: int, seed: int, folder: Path) -> list[Mutant]:
    rng = random.Random(seed)
    mutants = []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        original = rng.choice(originals[kind])
        mutation = rng.choice(MUTATIONS[kind])
        data = original.read_bytes()
        for _attempt in range(5):  # a mutation that changes nothing (a swap of equal lines) is tried again
            damaged = mutation(rng, data)
            if damaged != data:
                break
        path = folder / f"m{number:05d}_{original.stem}{original.suffix}"
        path.write_bytes(damaged)
        mutants.append(Mutant(path, kind, original, mutation.__name__))
    return mutants


# ---------------------------------------------------------------- judging


def content(form: Form) -> tuple:
    """What a form says (not where it came from, nor its findings)."""
    funds = tuple(
        (key, row.initial_budget, row.annual_budget, row.executed, row.weight, row.rate_pct, row.score)
        for key, row in sorted(form.funds.rows().items())
    )
    indicators = tuple(
        (i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score, i.reason) for i in form.indicators
    )
    return (
        form.form_kind, form.project_code, form.project_name, form.department, form.unit, form.year,
        form.project_amount, form.funds.unit_printed, funds, form.goal_expected, form.goal_actual, indicators,
        form.total_weight, form.total_score,
    )  # fmt: skip


def zeros_blank(value: tuple) -> tuple:
    """A `content` value with every 0 of its fund rows read as blank: an empty cell and a printed 0 are the same
    amount (nothing), and no total or rule tells them apart."""
    funds = tuple(tuple(None if cell == 0 else cell for cell in row) for row in value[8])
    return (*value[:8], funds, *value[9:])


def findings(form: Form) -> set[tuple]:
    return {(check.rule, check.severity, check.indicator, check.message) for check in form.checks}


def _printable(char: str) -> bool:
    """A character a form prints as text: not a space, line break, control character or cell border."""
    return unicodedata.category(char)[0] not in "CZ" and char not in "|｜"


def typo_like(original, changed) -> bool:
    """Whether `changed` differs from `original` (two `content` values, or parts of them) only where a printable
    character stands for another, lengths unchanged: "购置贵" for "购置费", 118900 for 118800. That is what a
    form with a typo prints; a text file has no checksum (PDF streams and zip parts have one), so no reader can
    tell such a change from the original, and it is counted apart."""
    if original == changed:
        return True
    if isinstance(original, tuple) and isinstance(changed, tuple):
        return len(original) == len(changed) and all(map(typo_like, original, changed))
    if isinstance(original, float) and isinstance(changed, float):
        original, changed = format(original, "f"), format(changed, "f")
    if not (isinstance(original, str) and isinstance(changed, str)) or len(original) != len(changed):
        return False
    return all(_printable(a) and _printable(b) for a, b in zip(original, changed, strict=True) if a != b)


def squeezed(value):
    """`value` (a `content` value or a part of it) with every space and line break taken out of its texts: where
    a reader puts a space ("刊 物编印") is layout, not content."""
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, tuple):
        return tuple(squeezed(part) for part in value)
    return value


def one_character_typo(original, changed) -> bool:
    """For a file that had exactly one character replaced (`text_characters`): whether each field of the form
    differs by at most that one character (one inserted, lost or replaced, spaces aside) — the typo the file
    now prints, which no reader can tell from the original (a space replaced by "9" after a name is "网格信息管理9")."""
    if original == changed:
        return True
    if isinstance(original, tuple) and isinstance(changed, tuple):
        return len(original) == len(changed) and all(map(one_character_typo, original, changed))
    if isinstance(original, str | None) and isinstance(changed, str | None):  # a blank cell that got one character
        a, b = squeezed(original or ""), squeezed(changed or "")
        return a == b or cells.one_edit_apart(a, b)
    return typo_like(original, changed)


def is_typo(original: tuple, changed: tuple, mutation: str) -> bool:
    return typo_like(original, changed) or (mutation == "text_characters" and one_character_typo(original, changed))


def figures_of(value: tuple) -> tuple:
    """What totals, identity and the audit's structure rest on, of a `content` value: the form's kind, code,
    name, 主管部门, 实施单位 and year, every amount, the 总分, and for each indicator row that carries points its
    categories, 分值, 得分 and whether a deducted row gives a reason, in any order. Not its free text: the goals
    and each row's name, 指标值, 实际完成值 and reason text; nor rows with no points (不适用, 0 分)."""
    kind, code, name, department, unit, year, amount, unit_printed, funds, _goal, _actual, rows, weight, score = (
        squeezed(value)
    )
    structure = sorted(
        (level1, level2, row_weight, row_score, bool(reason) if _deducted(row_weight, row_score) else None)
        for level1, level2, _name, _target, _done, row_weight, row_score, reason in rows
        if row_weight or row_score  # a row with no points (不适用, 0 分) is in no figure
    )  # in any order: the order of rows is in no figure either
    return (kind, code, name, department, unit, year, amount, unit_printed, funds, tuple(structure), weight, score)


def _deducted(weight: float | None, score: float | None) -> bool:
    return weight is not None and score is not None and score < weight


@dataclass
class Figures:
    files: int = 0
    by_kind: Counter = field(default_factory=Counter)
    errors: int = 0  # files refused with a reason
    stored: int = 0
    tracebacks: list[str] = field(default_factory=list)
    partial_writes: list[str] = field(default_factory=list)
    changed_unflagged: list[str] = field(default_factory=list)
    typo_like: list[str] = field(default_factory=list)  # changed, no finding, and no reader could tell (typo_like)
    lost_unflagged: list[str] = field(default_factory=list)
    # changed, no finding, every figure and row the same, only free text differs (figures_of): see `judge`
    text_only: list[str] = field(default_factory=list)
    # changed, no finding, a file without checksums: only zeros of fund rows became blank cells (zeros_blank)
    zero_as_blank: list[str] = field(default_factory=list)
    equal: int = 0  # complete forms equal to a form of their original
    spacing_only: int = 0  # of those, equal only with spaces and line breaks left out (squeezed)
    flagged: int = 0  # complete forms that differ and carry a new finding
    incomplete: int = 0
    reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def failures(self) -> int:
        return len(self.tracebacks) + len(self.partial_writes) + len(self.changed_unflagged) + len(self.lost_unflagged)


def stored_forms(con, batch_id: int | None) -> list[Form]:
    if batch_id is None:
        return []
    query = "SELECT form_id FROM forms WHERE batch_id = ? ORDER BY position"
    ids = [row[0] for row in con.execute(query, [batch_id]).fetchall()]
    return reads.load_forms(con, ids)


def import_chunk(db: Path, files: list[Path], reader: SafeReader, figures: Figures):
    """Import the files into a fresh database; (outcome, stored forms) per file, None where the import raised."""
    con = connect.open_db(db)
    try:
        try:
            outcomes = importer.import_files(
                con, [(path, path.name) for path in files], importer.ImportOptions(year=YEAR), reader=reader
            )
        except Exception as error:  # the import itself failed: every file of the chunk is a traceback
            figures.tracebacks.extend(f"{path.name}: {type(error).__name__}: {error}" for path in files)
            return [None] * len(files)
        return [(outcome, stored_forms(con, outcome.batch_id)) for outcome in outcomes]
    finally:
        con.close()


def judge(mutant: Mutant, outcome, forms: list[Form], reference: list[Form], figures: Figures) -> None:
    name = f"{mutant.path.name} ({mutant.mutation})"
    figures.files += 1
    figures.by_kind[mutant.kind] += 1
    if texts.REASON_INTERNAL in outcome.message:
        figures.tracebacks.append(f"{name}: {outcome.message}")
    if outcome.outcome == importer.Outcome.ERROR:
        figures.errors += 1
        figures.reasons[outcome.message.split("：")[1] if "：" in outcome.message else outcome.message] += 1
        if forms:
            figures.partial_writes.append(f"{name}: error with {len(forms)} forms stored")
        return
    if outcome.outcome == importer.Outcome.DUPLICATE:
        return
    figures.stored += 1
    if len(forms) != outcome.form_count:
        figures.partial_writes.append(f"{name}: outcome says {outcome.form_count} forms, {len(forms)} stored")
    original_findings = set().union(*(findings(form) for form in reference)) if reference else set()
    flagged = any(findings(form) - original_findings for form in forms)
    if outcome.outcome == importer.Outcome.IMPORTED and len(forms) < len(reference) and not flagged:
        figures.lost_unflagged.append(f"{name}: {len(forms)} of {len(reference)} forms, imported without a word")
    originals = {content(form) for form in reference}
    squeezed_originals = {squeezed(content(form)) for form in reference}
    for position, form in enumerate(forms):
        if not form.complete:
            figures.incomplete += 1
            continue
        if content(form) in originals or squeezed(content(form)) in squeezed_originals:
            figures.equal += 1
            figures.spacing_only += content(form) not in originals
            continue
        match = closest(form, reference, position)
        new = findings(form) - (findings(match) if match is not None else set())
        where = f"{name}: form {position + 1} 《{form.project_name}》"
        if new:
            figures.flagged += 1
        elif (
            match is not None and mutant.kind in NO_CHECKSUM and is_typo(content(match), content(form), mutant.mutation)
        ):
            figures.typo_like.append(where)
        elif match is not None and figures_of(content(match)) == figures_of(content(form)):
            figures.text_only.append(where)
        elif (
            match is not None
            and mutant.kind in NO_CHECKSUM
            and zeros_blank(content(match)) == zeros_blank(content(form))
        ):
            figures.zero_as_blank.append(where)
        else:
            figures.changed_unflagged.append(f"{where} changed, no finding")


def closest(form: Form, reference: list[Form], position: int) -> Form | None:
    """The form of the original this one was read from: of those with its name (spaces aside), the one that
    differs in the fewest parts (several forms of one file may share a name); by position where none has it."""
    named = [other for other in reference if squeezed(other.project_name) == squeezed(form.project_name)]
    if not named:
        return reference[position] if position < len(reference) else None
    mine = squeezed(content(form))
    return min(named, key=lambda other: sum(a != b for a, b in zip(squeezed(content(other)), mine, strict=True)))


@contextlib.contextmanager
def stderr_to(path: Path):
    """Send this process's file descriptor 2 (and the workers', which inherit it) to `path`."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("wb") as handle:
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def run(
    count: int, seed: int, time_limit: float, folder: Path, workers: int | None = None, small: bool = False
) -> Figures:
    figures = Figures()
    started = time.monotonic()
    originals = make_small_originals(folder) if small else make_originals(folder)
    mutants = make_mutants(originals, count, seed, folder)
    err_log = folder / "stderr.log"
    with stderr_to(err_log), SafeReader(workers=workers) as reader:
        every_original = [path for paths in originals.values() for path in paths]
        reference = {}  # each original in a database of its own, as each mutant (see below)
        for number, path in enumerate(every_original):
            (result,) = import_chunk(folder / f"original{number}.duckdb", [path], reader, figures)
            reference[path] = result[1] if result is not None else []
        for number, mutant in enumerate(mutants):
            if time.monotonic() - started > time_limit:
                break
            # A database of its own: in a shared one, a mutant's forms would replace (and take fields from) the
            # forms of other mutants of the same original, and the judge would see one file's form changed by
            # another file (docs/form-identity.md: what a replacement keeps).
            db = folder / f"mutant{number:05d}.duckdb"
            (result,) = import_chunk(db, [mutant.path], reader, figures)
            if result is not None:
                judge(mutant, result[0], result[1], reference[mutant.original], figures)
            for suffix in ("", ".wal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
    logged = err_log.read_text(encoding="utf-8", errors="replace")
    if "Traceback" in logged:
        figures.tracebacks.append(f"stderr: {logged[logged.index('Traceback') :][:500]}")
    figures.seconds = time.monotonic() - started
    return figures


def report(figures: Figures, seed: int) -> str:
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    lines = [
        f"seed {seed}: {figures.files} mutated files ({dict(figures.by_kind)}) in {figures.seconds:.0f} s, "
        f"load {' '.join(load)}",
        f"  refused with a reason: {figures.errors}; stored: {figures.stored} "
        f"(complete forms equal to the original's: {figures.equal}, changed and flagged: {figures.flagged}, "
        f"incomplete: {figures.incomplete})",
        f"  tracebacks: {len(figures.tracebacks)}",
        f"  partial writes: {len(figures.partial_writes)}",
        f"  counted forms changed without a finding: {len(figures.changed_unflagged)}",
        f"  forms lost without a word: {len(figures.lost_unflagged)}",
        f"  (apart: text forms changed by a typo-like substitution no reader can tell: {len(figures.typo_like)};",
        f"   forms whose free text alone changed — goals, indicator names, 指标值/实际完成值, reason text — with every "
        f"figure, identity field and row the same: {len(figures.text_only)} "
        f"{dict(Counter(line.split(' (')[0].rsplit('.', 1)[1] for line in figures.text_only))};",
        f"   forms of files without checksums whose only change is a fund row's 0 read as a blank cell: "
        f"{len(figures.zero_as_blank)};",
        f"   forms equal but for spaces and line breaks: {figures.spacing_only})",
        "  reasons: " + "; ".join(f"{reason} ×{n}" for reason, n in figures.reasons.most_common(8)),
    ]
    for problem in (figures.tracebacks + figures.partial_writes + figures.changed_unflagged + figures.lost_unflagged)[
        :30
    ]:
        lines.append(f"    {problem}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=3600.0, help="seconds; no new chunk starts after it")
    parser.add_argument("--keep", type=Path, help="keep the mutants in this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = run(args.count, args.seed, args.time_limit, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="fuzz_import_") as folder:
            figures = run(args.count, args.seed, args.time_limit, Path(folder))
    print(report(figures, args.seed))
    if args.keep:  # every problem, not only the first 30, for the one who follows them up
        problems = figures.tracebacks + figures.partial_writes + figures.changed_unflagged + figures.lost_unflagged
        listed = [*problems, "", "typo-like:", *figures.typo_like, "", "text only:", *figures.text_only]
        listed += ["", "zero as blank:", *figures.zero_as_blank]
        (args.keep / "problems.txt").write_text("\n".join(listed) + "\n", encoding="utf-8")
    return 1 if figures.failures() else 0


if __name__ == "__main__":
    raise SystemExit(main())
