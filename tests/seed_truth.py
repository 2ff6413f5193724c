"""The ground truth of the seed forms (tests/fixtures/seed_forms.json, written by hand against the sample text)
and the one comparison of a read form's record with it, shared by the reader tests."""

from __future__ import annotations

import json
from pathlib import Path

SEED_TRUTH = Path(__file__).resolve().parent / "fixtures" / "seed_forms.json"
COMPARED_FIELDS = (
    "year",
    "department",
    "unit",
    "project_name",
    "project_type",
    "status",
    "project_amount",
    "funds",
    "goal_expected",
    "goal_actual",
    "indicators",
    "total_weight",
    "total_score",
)


def seed_records() -> list[dict]:
    """The 22 seed forms as records (form-json.md shape), a fresh copy on every call."""
    return json.loads(SEED_TRUTH.read_text(encoding="utf-8"))


def record_differences(got: dict, want: dict) -> list[str]:
    """Every compared field where the read form differs from the ground truth."""
    return [
        f"{field}: {got.get(field)!r} != {want.get(field)!r}"
        for field in COMPARED_FIELDS
        if got.get(field) != want.get(field)
    ]
