"""Screenshot every page of the dashboard into a folder, for reviewing the layout.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--db data/forms.duckdb]

Starts `streamlit run dashboard/app.py` on a free port (against --db; built from data/samples
with year 2021 into a temporary file when --db is not given), opens each page in headless
Debian Chromium (/usr/bin/chromium, through playwright) and saves a full-page PNG per page;
the 项目 and 复核 pages are also captured with their first row selected.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import build_sample_db  # noqa: E402
from tests.live_app import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

# (file name, URL path, click the first row of the n-th grid: None for no click)
PAGES = [
    ("1_overview", "", None),
    ("2_projects", "projects", None),
    ("3_projects_selected", "projects", 0),
    ("4_deductions", "deductions", None),
    ("5_import", "import_page", None),
    ("6_review", "review_page", None),
    ("7_review_selected", "review_page", 1),
]


def settle(page) -> None:
    """Wait until Streamlit has finished the run (no running indicator) and charts are drawn."""
    page.wait_for_load_state("networkidle")
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=30_000)
    # The first run after a page load may start late: wait until nothing is drawn as stale.
    page.wait_for_timeout(1000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=30_000)
    page.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stSkeleton"], [data-stale="true"]\')', timeout=30_000
    )
    page.wait_for_timeout(1500)


def click_first_row(page, grid_index: int) -> None:
    grid = page.locator('[data-testid="stDataFrame"]').nth(grid_index)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
    settle(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--width", type=int, default=1440)
    # Streamlit scrolls inside its main container, so a "full page" shot is only the window:
    # a tall window shows the whole page.
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db_file = args.db
        if db_file is None:
            db_file = Path(folder) / "forms.duckdb"
            build_sample_db(db_file)
        with running_app(db_file, Path(folder) / "streamlit.log") as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for name, path, grid in PAGES:
                    page = browser.new_page(viewport={"width": args.width, "height": args.height}, locale="zh-CN")
                    page.goto(f"{url}/{path}")
                    settle(page)
                    if grid is not None:
                        click_first_row(page, grid)
                    target = args.out / f"{name}.png"
                    page.screenshot(path=str(target))
                    print(target)
                    page.close()
            finally:
                browser.close()


if __name__ == "__main__":
    main()
