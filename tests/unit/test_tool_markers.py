"""A test marked with a program it needs skips when the program is missing, and fails instead when the
environment says every test must run (REQUIRE_ALL_TOOLS=1 from .ci/run, or CI=1): checked by running pytest
on one marked test with LibreOffice's command pointed at a name that does not exist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKED = "tests/unit/test_printed_by_libreoffice.py::test_the_form_workbook_prints_as_the_form"


def run_marked(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "REQUIRE_ALL_TOOLS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", MARKED],
        cwd=ROOT, env=base | {"TESTS_SOFFICE": "no-such-soffice"} | env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_missing_program_skips_with_its_reason():
    result = run_marked()
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "LibreOffice (soffice) is not installed" in result.stdout


@pytest.mark.parametrize("env", [{"REQUIRE_ALL_TOOLS": "1"}, {"CI": "1"}])
def test_missing_program_fails_when_every_test_must_run(env):
    result = run_marked(**env)
    assert result.returncode != 0, result.stdout
    assert "skipped" not in result.stdout
    assert "LibreOffice (soffice) is not installed" in result.stdout
