"""The export formats: the JSON contract (form-json.md) and a flat per-indicator table."""

from __future__ import annotations

import json

import pandas as pd

from dashboard import texts, untrusted
from dashboard.model import Form


def forms_to_json(forms: list[Form], with_versions: bool = False) -> str:
    """One JSON array of form records, UTF-8, not ASCII-escaped; `with_versions` adds `superseded_by`."""
    return json.dumps([form.to_record(with_versions) for form in forms], ensure_ascii=False, indent=2)


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


def indicators_csv(forms: list[Form]) -> bytes:
    """The per-indicator table as CSV with Chinese headers, UTF-8 with BOM (Excel-friendly)."""
    return csv_bytes(indicator_rows(forms).rename(columns=texts.EXPORT_COLUMNS))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The one CSV writer: UTF-8 with BOM, no index, formula-like text neutralised (untrusted.spreadsheet_value).

    Lines end in CRLF (RFC 4180): then a field holding a bare carriage return is quoted too.
    """
    return untrusted.spreadsheet_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
