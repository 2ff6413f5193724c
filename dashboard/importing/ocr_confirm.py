"""A person confirms or corrects the cells of a form read by OCR and held (audit/completeness.ocr_hold).

The 导入 page lists the held forms (`held_forms`), shows each one's cells to check beside their image
(`cells_to_check`), and hands the person's values to `confirm`:

- every listed cell is confirmed with the value the person gave (its `confirmed_text`; the text as read stays),
  who and when are stored with it, and the form is marked confirmed (`ocr_confirmed_by`, `ocr_confirmed_at`);
- where a value differs from what was read, the form is read again from its stored page blocks
  (`ocr_blocks`) with the corrected texts, by the same grid reader that read it first: a corrected 得分 reaches
  the 总分's sums, a corrected 预算数 the 执行率;
- the form is checked again (review.check_form) and stored in place of itself (same id, same version
  place), in one transaction: it counts from now on unless something other than OCR still holds it.

Two people confirming the same form at once: the second is told it was confirmed already (nothing written).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from dashboard.audit import review
from dashboard.core import domain, texts
from dashboard.core.model import Form
from dashboard.core.rule_ids import READER_RULES
from dashboard.core.transactions import first_row
from dashboard.ingest.cells import looks_like_number
from dashboard.reference import reference
from dashboard.store import reads, writes
from dashboard.store.schema import StoreError

HELD_LIST_LIMIT = 200  # held forms listed at once (the oldest first); the rest after these are settled


def held_forms(con: duckdb.DuckDBPyConnection, limit: int = HELD_LIST_LIMIT) -> pd.DataFrame:
    """Forms read by OCR that wait for a person: current, not confirmed, held by an ocr_unsure finding."""
    return con.execute(
        """
        SELECT f.form_id, f.source_file, f.source_pages, f.project_name, f.unit, f.year
        FROM forms f
        WHERE f.read_by = 'ocr' AND f.superseded_by IS NULL AND f.ocr_confirmed_by IS NULL
          AND EXISTS (SELECT 1 FROM checks c WHERE c.form_id = f.form_id AND c.rule = ?)
        ORDER BY f.batch_id, f.position LIMIT ?
        """,
        [domain.OCR_UNSURE_RULE, limit],
    ).df()


def hold_reasons(con: duckdb.DuckDBPyConnection, form_id: str) -> list[str]:
    """The ocr_unsure findings of a form, as the import wrote them (Chinese)."""
    rows = con.execute(
        "SELECT message FROM checks WHERE form_id = ? AND rule = ? ORDER BY position",
        [form_id, domain.OCR_UNSURE_RULE],
    ).fetchall()
    return [row[0] for row in rows]


@dataclass(frozen=True)
class CellToCheck:
    position: int  # the cell's place among the form's OCR cells (ocr_cells.position)
    page: int
    text: str  # as read
    confidence: float
    crop: bytes  # the cell's image (PNG); empty where none was kept
    unsure: bool  # held for itself (a number read with low confidence); else a number a person may correct


def cells_to_check(con: duckdb.DuckDBPyConnection, form_id: str) -> list[CellToCheck]:
    """The held form's number cells, the unsure ones first (page order within each), each with its image."""
    rows = con.execute(
        "SELECT position, page, text, confidence, crop FROM ocr_cells WHERE form_id = ? ORDER BY page, top, x0",
        [form_id],
    ).fetchall()
    cells = [
        CellToCheck(
            position=int(position),
            page=int(page),
            text=text,
            confidence=float(confidence),
            crop=bytes(crop) if crop else b"",
            unsure=confidence < domain.OCR_CONFIDENCE_MIN,
        )
        for position, page, text, confidence, crop in rows
        if looks_like_number(text)
    ]
    return sorted(cells, key=lambda cell: not cell.unsure)


def confirm(con: duckdb.DuckDBPyConnection, form_id: str, values: dict[int, str], user: str) -> Form:
    """Confirm the cells `values` names (ocr_cells.position → the value the person gives) and the form; where a
    value differs from the text read, the form is read again with it. Returns the form as stored.

    StoreError (Chinese, for the person): no such held form, confirmed by someone else already, a correction on
    a form whose page blocks were not kept, or corrected texts the reader no longer reads as this form."""
    found = reads.load_forms(con, [form_id])
    old = found[0] if found else None
    if old is None or old.read_by != "ocr" or old.superseded_by is not None:
        raise StoreError(texts.OCR_CONFIRM_NOT_HELD)
    if old.ocr_confirmed_by:
        raise StoreError(texts.OCR_CONFIRM_ALREADY.format(user=old.ocr_confirmed_by))
    now = datetime.now().isoformat(timespec="seconds")
    cells = old.ocr_cells
    corrected = False
    for position, value in values.items():
        if not 1 <= position <= len(cells):
            raise StoreError(texts.OCR_CONFIRM_NOT_HELD)
        cell = cells[position - 1]
        cell.confirmed_text = value.strip()
        cell.confirmed_by, cell.confirmed_at = user, now
        corrected = corrected or cell.confirmed_text != cell.text
    form = reread(con, old) if corrected else old
    if not form.ocr_blocks:  # kept as stored, for a later correction
        row = first_row(con, "SELECT blocks FROM ocr_blocks WHERE form_id = ?", [form_id])
        form.ocr_blocks = json.loads(row[0]) if row else []
    form.ocr_confirmed_by, form.ocr_confirmed_at = user, now
    review.check_form(form, layout=form.layout_title or form.scheme_title)
    writes.rewrite_form(con, form, unconfirmed=True)
    review.finish_unit_findings(con)
    reference.refresh(con)
    return form


def reread(con: duckdb.DuckDBPyConnection, old: Form) -> Form:
    """The form read again from its stored page blocks, each confirmed cell's text in place of what OCR read."""
    from dashboard.ingest.ocr_scan import row_confidence
    from dashboard.ingest.pdf import Block, blocks_to_forms

    row = first_row(con, "SELECT blocks FROM ocr_blocks WHERE form_id = ?", [old.id])
    if row is None:
        raise StoreError(texts.OCR_CONFIRM_NO_BLOCKS)
    records = json.loads(row[0])
    as_read = [_block(Block, record) for record in records]
    fixes = {
        (cell.page, tuple(cell.box)): cell.confirmed_text
        for cell in old.ocr_cells
        if cell.confirmed_text is not None and cell.confirmed_text != cell.text
    }
    fixed = [_block(Block, record, fixes) for record in records]
    try:
        before, after = blocks_to_forms(as_read, old.source_file), blocks_to_forms(fixed, old.source_file)
    except Exception as exc:  # the reader's own failure is said, never shown as a trace
        raise StoreError(texts.OCR_CONFIRM_UNREADABLE) from exc
    same = [i for i, form in enumerate(before) if form.project_name == old.project_name]
    if not same or len(after) != len(before):
        raise StoreError(texts.OCR_CONFIRM_UNREADABLE)
    form = after[same[0]]
    # Findings of the file, not of the form (a page that could not be read, scanned pages left): kept.
    own = before[same[0]].checks
    form.checks = [c for c in old.checks if c.rule in READER_RULES and c not in own] + form.checks
    form.id, form.source_file, form.source_pages = old.id, old.source_file, old.source_pages
    for name in ("year", "department", "unit"):  # given at import where the form does not print them
        if getattr(form, name) in (None, ""):
            setattr(form, name, getattr(old, name))
    form.read_by, form.ocr_cells, form.ocr_blocks = "ocr", old.ocr_cells, records
    for indicator in form.indicators:
        indicator.ocr_confidence = row_confidence(form.ocr_cells, indicator.name)
    return form


def _block(block_type, record: dict, fixes: dict | None = None):
    boxes = [[tuple(box) if box else None for box in row] for row in record["boxes"]]
    rows = [list(row) for row in record["texts"]]
    if fixes:
        for row_texts, row_boxes in zip(rows, boxes, strict=True):
            for index, box in enumerate(row_boxes):
                key = (record["page"], box)
                if box is not None and key in fixes:
                    row_texts[index] = fixes[key]
    return block_type(page=record["page"], top=record["top"], texts=rows, boxes=boxes)
