"""Streamlit entry: `streamlit run dashboard/app.py`. Everything it shows is dashboard/ui/shell.py's (the UI layer,
the only one that imports Streamlit); the pages' paths there are relative to this file's folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.ui import shell  # noqa: E402

shell.run()
