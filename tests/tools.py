"""Programs some tests need that pip cannot install (.ci/run installs them from Debian's packages).

A test that needs one carries its marker (`chromium`, `libreoffice`, `postgres`); tests/conftest.py skips it
when the program is missing, or fails it when the environment says every test must run (REQUIRE_ALL_TOOLS=1,
set by .ci/run, or CI set to a true value), so that a run in CI never counts a skipped test as done.
The paths can be pointed elsewhere (TESTS_CHROMIUM, TESTS_SOFFICE), e.g. to check the skip itself.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = Path(os.environ.get("TESTS_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_ENV_VAR = "REQUIRE_ALL_TOOLS"


def soffice() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    return shutil.which(os.environ.get("TESTS_SOFFICE", "soffice"))


def postgres() -> str | None:
    """PostgreSQL's server binary on PATH, or None (no test needs it yet; the marker is registered)."""
    return shutil.which("postgres") or shutil.which("pg_ctl")


# marker → (is the program there, how to install it)
MISSING = {
    "chromium": (lambda: CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)"),
    "libreoffice": (
        lambda: soffice() is not None,
        "LibreOffice (soffice) is not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui; "
        ".ci/run does)",
    ),
    "postgres": (lambda: postgres() is not None, "PostgreSQL is not installed (apt-get install postgresql)"),
}


def every_tool_required() -> bool:
    """True when a missing program must fail the run instead of skipping its tests (CI)."""
    truthy = ("1", "true", "yes")
    return os.environ.get(REQUIRE_ENV_VAR, "").lower() in truthy or os.environ.get("CI", "").lower() in truthy


def producer_params(names) -> list:
    """pytest params of producer names, each marked with the program it prints with ("chromium.pdf",
    "libreoffice-docx.pdf"): a parametrized test skips only the cases that need a missing program."""
    import pytest

    marks = {"chromium": pytest.mark.chromium, "libreoffice": pytest.mark.libreoffice}
    return [pytest.param(name, marks=[m for key, m in marks.items() if key in name]) for name in names]
