"""Programs some tests need that pip cannot install (.ci/run installs them from Debian's packages).

A test that needs one carries its marker (`chromium`, `libreoffice`, `lake`); tests/conftest.py skips it
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
    """The folder of PostgreSQL's initdb and pg_ctl (tests/lake_server.py starts the server), or None."""
    from tests import lake_server

    found = lake_server.pg_bin_dir()
    return None if found is None else str(found)


def lake_extensions() -> bool:
    """Whether the DuckDB extensions a lake needs are installed from their wheels (pyproject.toml pins them)."""
    from dashboard.store import lake, schema

    try:
        for name in lake.EXTENSION_PACKAGES:
            lake.extension_file(name)
    except schema.StoreError:
        return False
    return True


# marker → (is the program there, how to install it)
MISSING = {
    "chromium": (lambda: CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)"),
    "libreoffice": (
        lambda: soffice() is not None,
        "LibreOffice (soffice) is not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui; "
        ".ci/run does)",
    ),
    "lake": (
        lambda: postgres() is not None and lake_extensions(),
        "a DuckLake needs PostgreSQL (apt-get install postgresql; .ci/run does) and the DuckDB extension wheels "
        "of the installed DuckDB (pip install -e .)",
    ),
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
