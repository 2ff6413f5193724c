"""The command line run as a user runs it (`python -m dashboard ...` in a new process), for the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, db: Path | str | None = None, env: dict | None = None, stdin: str | None = None, text: bool = True
) -> subprocess.CompletedProcess:
    """`python -m dashboard *args` from the repository root; `db` is given as `--db` after the command's
    name; `text=False` keeps stdout and stderr as the bytes printed."""
    command = [sys.executable, "-m", "dashboard", *args]
    if db is not None:
        command[4:4] = ["--db", str(db)]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=text, input=stdin, env={**os.environ, **(env or {})}, timeout=600
    )


def export_json(db: Path | str) -> list[dict]:
    """The current forms of `db` as `export --format json` prints them."""
    result = run_cli("export", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
