"""The export formats: the JSON contract (form-json.md) and a flat per-indicator table (CSV, Parquet).

`write_export` streams a whole database in chunks of EXPORT_CHUNK forms, so memory stays bounded
whatever its size; the bytes are the same as the one-piece functions give for the same forms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from typing import BinaryIO

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.audit import spot_check
from dashboard.core import texts
from dashboard.core.model import Form
from dashboard.reference import reference
from dashboard.security import untrusted
from dashboard.store import reads

# Forms read, written out and let go at a time.
EXPORT_CHUNK = 2000


class ExportFormat(StrEnum):
    """The formats `python -m dashboard export --format` writes."""

    JSON = "json"  # the forms, the contract of form-json.md
    CSV = "csv"  # one row per indicator
    PARQUET = "parquet"  # the same table, typed


FORMATS = tuple(ExportFormat)
# Types of the per-indicator table's columns in Parquet (the others are text).
_PARQUET_INTEGERS = ("year", "position")
_PARQUET_NUMBERS = ("project_amount", "annual_budget", "executed", "rate_pct", "fund_score", "total_weight",
                    "total_score", "weight", "score", "points_lost", "review_score")  # fmt: skip
# The whole-database export: every indicator column, then the row's 抽查复核 values (blank where not reviewed).
FILE_COLUMNS = {**texts.EXPORT_COLUMNS, **texts.EXPORT_REVIEW_COLUMNS}
PARQUET_SCHEMA = pa.schema(
    [
        (key, pa.int64() if key in _PARQUET_INTEGERS else pa.float64() if key in _PARQUET_NUMBERS else pa.string())
        for key in FILE_COLUMNS
    ]
)


def forms_to_json(forms: list[Form], with_versions: bool = False) -> str:
    """One JSON array of form records, UTF-8, not ASCII-escaped but for the characters no output carries
    raw (untrusted.json_carriable: "\\u001b", "\\u202e"); `with_versions` adds `superseded_by`."""
    return _json_text([form.to_record(with_versions) for form in forms])


def _json_text(value) -> str:
    return untrusted.json_carriable(json.dumps(value, ensure_ascii=False, indent=2))


def indicator_rows(forms: list[Form]) -> pd.DataFrame:
    """One row per indicator, each carrying its form's header columns (English keys)."""
    rows = []
    for form in forms:
        header = {
            "form_id": form.id,
            "source_file": form.source_file,
            "year": form.year,
            "department": form.department,
            "unit": form.unit,
            "project_name": form.project_name,
            "project_type": form.project_type,
            "status": form.status,
            "project_amount": form.project_amount,
            "unit_printed": form.funds.unit_printed,
            "annual_budget": form.funds.total.annual_budget,
            "executed": form.funds.total.executed,
            "rate_pct": form.funds.total.rate_pct,
            "fund_score": form.funds.total.score,
            "total_weight": form.total_weight,
            "total_score": form.total_score,
        }
        for position, indicator in enumerate(form.indicators, start=1):
            rows.append(
                header | {"position": position} | indicator.to_record() | {"points_lost": indicator.points_lost}
            )
    return pd.DataFrame(rows, columns=list(texts.EXPORT_COLUMNS))


def reviewed_rows(forms: list[Form], reviews: dict[tuple[str, int], tuple]) -> pd.DataFrame:
    """indicator_rows with the row's 抽查复核 values (spot_check.export_rows) in FILE_COLUMNS' last columns."""
    frame = indicator_rows(forms)
    values = [reviews.get((form_id, int(position)), (None,) * 4)
              for form_id, position in zip(frame["form_id"], frame["position"], strict=True)]  # fmt: skip
    for index, key in enumerate(texts.EXPORT_REVIEW_COLUMNS):
        frame[key] = pd.Series([value[index] for value in values], index=frame.index, dtype=object)
    return frame


def indicators_csv(forms: list[Form]) -> bytes:
    """The per-indicator table as CSV with Chinese headers, UTF-8 with BOM (Excel-friendly)."""
    return csv_bytes(indicator_rows(forms).rename(columns=texts.EXPORT_COLUMNS))


def file_csv(forms: list[Form], reviews: dict[tuple[str, int], tuple]) -> bytes:
    """The whole-database CSV of these forms in one piece (what write_export streams): FILE_COLUMNS."""
    return csv_bytes(reviewed_rows(forms, reviews).rename(columns=FILE_COLUMNS))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The one CSV writer: UTF-8 with BOM, no index, formula-like text neutralised (untrusted.spreadsheet_value).

    Lines end in CRLF (RFC 4180): then a field holding a bare carriage return is quoted too.
    """
    return untrusted.spreadsheet_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


# --- streaming a whole database ----------------------------------------------------------------------------


def form_chunks(con: duckdb.DuckDBPyConnection, versions: str = "current") -> Iterator[list[Form]]:
    """The stored forms in import order, EXPORT_CHUNK at a time (`versions` as reads.load_forms takes it),
    annotated with the reference data as the export shows them."""
    condition = {"all": "TRUE", "current": "superseded_by IS NULL", "counted": reads.counted_sql("forms")}[versions]
    ids = [row[0] for row in con.execute(f"SELECT form_id FROM forms WHERE {condition} ORDER BY batch_id, position")
           .fetchall()]  # fmt: skip
    for start in range(0, len(ids), EXPORT_CHUNK):
        forms = reads.load_forms(con, ids[start : start + EXPORT_CHUNK], versions=versions)
        reference.annotate(con, forms)  # resolved project_type, department_name and unit_name
        yield forms


def write_export(con: duckdb.DuckDBPyConnection, fmt: ExportFormat, out: BinaryIO, with_versions: bool = False) -> int:
    """Write every current form (every stored version with `with_versions`) as `fmt` to `out`; returns the
    number of forms. JSON is forms_to_json's text (with `spot_check` on reviewed forms), CSV file_csv's, written
    chunk by chunk."""
    chunks = form_chunks(con, "all" if with_versions else "current")
    if fmt == ExportFormat.JSON:
        return _write_json(chunks, out, with_versions, spot_check.export_records(con))
    writers = {ExportFormat.CSV: _write_csv, ExportFormat.PARQUET: _write_parquet}
    return writers[fmt](chunks, out, spot_check.export_rows(con))


def _write_json(chunks: Iterator[list[Form]], out: BinaryIO, with_versions: bool, reviews: dict[str, dict]) -> int:
    """Each reviewed form gets a `spot_check` object after the contract's fields (docs/export-notes.md)."""
    count = 0
    for forms in chunks:
        for form in forms:
            record = form.to_record(with_versions)
            if form.id in reviews:
                record["spot_check"] = reviews[form.id]
            text = _json_text(record)
            out.write(((",\n" if count else "[\n") + "  " + text.replace("\n", "\n  ")).encode("utf-8"))
            count += 1
    out.write(("\n]" if count else "[]").encode("utf-8"))
    return count


def _write_csv(chunks: Iterator[list[Form]], out: BinaryIO, reviews: dict) -> int:
    count = 0
    out.write("\ufeff".encode())  # the BOM, once
    for number, forms in enumerate(chunks):
        frame = untrusted.spreadsheet_frame(reviewed_rows(forms, reviews).rename(columns=FILE_COLUMNS))
        out.write(frame.to_csv(index=False, header=number == 0, lineterminator="\r\n").encode("utf-8"))
        count += len(forms)
    if count == 0:
        header = pd.DataFrame(columns=list(FILE_COLUMNS.values()))
        out.write(header.to_csv(index=False, lineterminator="\r\n").encode("utf-8"))
    return count


def _write_parquet(chunks: Iterator[list[Form]], out: BinaryIO, reviews: dict) -> int:
    """The per-indicator table with English column names (texts.EXPORT_COLUMNS' keys), for analysts; its text
    follows the CSV's cell rule (untrusted.spreadsheet_value): a spreadsheet may open it too."""
    count = 0
    with pq.ParquetWriter(out, PARQUET_SCHEMA, compression="zstd") as writer:
        for forms in chunks:
            frame = untrusted.spreadsheet_frame(reviewed_rows(forms, reviews))
            for column in _PARQUET_INTEGERS:
                frame[column] = pd.to_numeric(frame[column]).astype("Int64")
            writer.write_table(pa.Table.from_pandas(frame, schema=PARQUET_SCHEMA, preserve_index=False))
            count += len(forms)
    return count
