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


# Keys of an indicator record that a reader does not read: the 偏差原因分类 comes from the reference data
# (tests/unit/test_reason_classes.py tests it), so the readers' truth leaves it out.
NOT_READ_INDICATOR_KEYS = ("reason_class", "reason_subclass")


def as_read(rows: list[dict] | None) -> list[dict] | None:
    """Indicator records without the keys no reader reads."""
    if rows is None:
        return None
    return [{k: v for k, v in row.items() if k not in NOT_READ_INDICATOR_KEYS} for row in rows]


def record_differences(got: dict, want: dict) -> list[str]:
    """Every compared field where the read form differs from the ground truth."""
    got = {**got, "indicators": as_read(got.get("indicators"))}
    return [
        f"{field}: {got.get(field)!r} != {want.get(field)!r}"
        for field in COMPARED_FIELDS
        if got.get(field) != want.get(field)
    ]
