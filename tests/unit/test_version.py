"""One version number (pyproject.toml), read by dashboard.__version__, and a CHANGELOG entry for it that names
the schema version it ships: changing SCHEMA_VERSION without a new release entry fails here (CHANGELOG.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import dashboard
from dashboard.store.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_package_version_is_pyprojects():
    assert dashboard.__version__ == project_version(), "installed before the version moved: make .venv/.installed-test"


def test_latest_changelog_entry_is_this_version_and_schema():
    entries = re.findall(r"^## (\S+) — schema (\d+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert entries, "CHANGELOG.md has no '## <version> — schema <n>' entry"
    if entries[0][0] == "Unreleased":  # work since the last release: it names the schema it ships, the release
        assert entries[0][1] == str(SCHEMA_VERSION)  # number comes when it is released
        assert entries[1][0] == project_version()
        return
    assert entries[0] == (project_version(), str(SCHEMA_VERSION))
