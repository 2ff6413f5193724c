"""Every module imports as the first module of a process: an import cycle that only works in one order (core.model
and core.texts importing each other broke `make test` once, while the app, which imported texts first, ran) fails
here whichever module it starts from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import importlib, pkgutil, sys, traceback
import dashboard
names = [m.name for m in pkgutil.walk_packages(dashboard.__path__, 'dashboard.')
         if m.name != 'dashboard.app' and '.pages.' not in m.name and m.name != 'dashboard.__main__']
failed = []
for name in names:
    for loaded in [key for key in sys.modules if key.startswith('dashboard.')]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError:
        failed.append(name + ': ' + traceback.format_exc(limit=1).strip().splitlines()[-1])
print(len(names))
print('\\n'.join(failed))
"""


def test_every_module_imports_first():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    count, *failed = result.stdout.strip().split("\n")
    assert int(count) > 50
    assert [line for line in failed if line] == []
