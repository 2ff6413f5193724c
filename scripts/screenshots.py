"""Screenshot every page of the dashboard into a folder, for reviewing the layout.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--db data/forms.duckdb]

Starts `streamlit run dashboard/app.py` on a free port (against --db; built from data/samples
with year 2021 into a temporary file when --db is not given), opens each page in headless
Debian Chromium (/usr/bin/chromium, through playwright) and saves a full-page PNG per page;
the 项目 and 复核 pages are also captured with their first row selected.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import importer, store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample_db(folder: Path) -> Path:
    path = folder / "forms.duckdb"
    files = sorted(p for p in (ROOT / "data" / "samples").iterdir() if p.suffix.lower() in (".pdf", ".txt"))
    con = store.open_db(path)
    try:
        importer.import_files(con, [(p, p.name) for p in files], importer.ImportOptions(year=2021))
    finally:
        con.close()
    return path


def wait_healthy(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"streamlit did not start within {seconds:.0f}s")


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
        db_file = args.db or sample_db(Path(folder))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT,
            env={**os.environ, store.DB_ENV_VAR: str(db_file)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_healthy(url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
