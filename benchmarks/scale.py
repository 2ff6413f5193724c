"""A city's archive: builds a demo database of 10⁵ forms (10⁶ with --million) and measures, in one run,
every figure of issue 9 beside its target, with ratios to a baseline measured in the same run.

    python benchmarks/scale.py [--forms N | --million] [--keep DIR] [--no-browser] [--parts pages,export,…]
                               [--formats json,csv,parquet] [--backend file|lake]            (make bench-scale)

--backend lake: the same figures on a DuckLake (store/lake.py). A PostgreSQL catalog server is started for the
run (tests/lake_server.py: Debian's postgresql package), the demo file is copied into a new lake by `migrate --to`
(timed), and the sample baseline is a lake too. The part `concurrent` (both backends; meant for the lake) imports
four different 22-form files from four processes at once into an empty database, against one process importing
one of them: the throughput ratio (the target on a lake is ≥ 2×; a file admits one writer at a time).

Baselines: pages against the same page on the 22-form sample database; the import of one 22-form
file into the big database against the same import into an empty one; audit, exports and downloads
against one bare DuckDB read of every row they need (the floor for any whole-database job).
Heavy jobs run as the command line in a child process, timed and measured (peak RSS) by /usr/bin/time.
Not a test: the figures depend on the machine, which is printed first.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.store import connect  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
SAMPLE_TEXT = SAMPLES / "000_4b30dd1c6dd4a20d.txt"
SAMPLE_YEAR = "2021"
GIB = 1024**3
PAGES = {
    "总览": None,
    "项目": "ui/pages/projects.py",
    "扣分指标": "ui/pages/deductions.py",
    "复核": "ui/pages/review_page.py",
}
PARTS = ("pages", "import", "concurrent", "audit", "export", "downloads", "browser")
rows: list[tuple[str, str, str, str]] = []  # (figure, measured, target, ratio/baseline)


def report(figure: str, measured: str, target: str = "", note: str = "") -> None:
    rows.append((figure, measured, target, note))
    print(f"  {figure:<44} {measured:>14}   {target:<22} {note}", flush=True)


def timed_cli(*args: str) -> tuple[float, float, float]:
    """Run `python -m dashboard ARGS` under /usr/bin/time: (wall seconds, peak GiB, CPU seconds of it and
    its children). CPU seconds say more than wall time on a machine others are using too."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stamp:
        command = ["/usr/bin/time", "-f", "%e %M %U %S", "-o", stamp.name, sys.executable, "-m", "dashboard", *args]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds, kib, user, system = stamp.read().split()[-4:]
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return float(seconds), int(kib) * 1024 / GIB, float(user) + float(system)


def bare_read_seconds(db: str, tables: tuple[str, ...]) -> float:
    con = connect.open_db(db, read_only=True)
    try:
        start = time.perf_counter()
        for table in tables:
            con.execute(f"SELECT * FROM {table}").to_arrow_table()
        return time.perf_counter() - start
    finally:
        con.close()


# --- pages ---------------------------------------------------------------------------------------------------


def page_times(db: str, page: str | None, query: dict | None = None) -> tuple[float, float, int, int]:
    """(first run, rerun) seconds of one page with empty caches, the most rows any st.dataframe got, and
    the most bars any chart trace drew."""
    import json

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ[connect.DB_ENV_VAR] = str(db)
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    start = time.perf_counter()
    at.run()
    again = time.perf_counter() - start
    most_rows = max((len(frame.value) for frame in at.dataframe), default=0)
    bars = [
        len(trace.get("y") or trace.get("x") or [])
        for chart in at.get("plotly_chart")
        for trace in json.loads(chart.proto.spec)["data"]
    ]
    return first, again, most_rows, max(bars, default=0)


# Drawn: the script has finished (no status widget) and every chart and table on the page is painted.
DRAWN_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))
    && [...document.querySelectorAll('[data-testid="stDataFrame"]')].every(t => t.querySelector('canvas'))"""


def browser_seconds(db: str, pages: dict[str, str | None]) -> dict[str, tuple[float, float]]:
    """Per page: (seconds from navigation until the page is drawn, seconds until the network has also
    been quiet for Playwright's 0.5 s, which that figure includes). Each visit is a fresh page load."""
    from playwright.sync_api import sync_playwright

    from tests.live_app import CHROMIUM, CHROMIUM_ARGS, running_app

    found = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        running_app(db, Path(folder) / "app.log") as url,
        sync_playwright() as play,
    ):
        browser = play.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        visits = [("总览 (caches empty)", None), *pages.items()]  # the first visit: the server's caches are empty
        for name, path in visits:
            start = time.perf_counter()
            page.goto(url + ("/" + Path(path).stem if path else ""))
            page.wait_for_selector("[data-testid='stMetric'], [data-testid='stDataFrame']", timeout=600_000)
            page.wait_for_function(DRAWN_JS, timeout=600_000)
            drawn = time.perf_counter() - start
            page.wait_for_load_state("networkidle")
            found[name] = (drawn, time.perf_counter() - start)
        browser.close()
    return found


# --- the backends --------------------------------------------------------------------------------------------


class Backend:
    """Where the run's databases live: files in the work folder, or lakes on a PostgreSQL started for the run.

    `new(name)` gives a new, empty database's location; `use(location)` points DASHBOARD_LAKE_DATA at that
    lake's data folder (each lake has its own) for this process and the command-line children it starts."""

    def __init__(self, kind: str, work: Path):
        self.kind, self.work, self.server, self.data = kind, work, None, {}
        if kind == "lake":
            from tests import lake_server

            self.server = lake_server.start_server()
            if self.server is None:
                raise SystemExit("--backend lake 需要 PostgreSQL（Debian 的 postgresql 包；.ci/run 会安装）")

    def new(self, name: str) -> str:
        if self.server is None:
            return str(self.work / f"{name}.duckdb")
        location, data = self.server.new_lake()
        self.data[location] = data
        return location

    def use(self, location: str) -> str:
        if location in self.data:
            from dashboard.store import lake

            os.environ[lake.LAKE_DATA_ENV_VAR] = str(self.data[location])
        return location

    def close(self) -> None:
        if self.server is not None:
            from tests import lake_server

            lake_server.stop_server(self.server)


def concurrent_figures(backend: Backend, importers: int = 4) -> None:
    """Forms per second: one importer with one file, then `importers` processes at once, each its own file of
    22 different forms (benchmarks/lake_importers.py: every form new, so none replaces or holds another's)."""
    from benchmarks import lake_importers

    copies = [lake_importers.form_file(backend.work, number) for number in range(importers)]
    one = backend.use(backend.new("one-importer"))
    seconds, _, cpu_alone = timed_cli("import", "--db", one, "--year", SAMPLE_YEAR, str(copies[0]))
    alone = 22 / seconds
    many = backend.use(backend.new("many-importers"))  # one lake: every child gets its data folder
    cpu_before = lake_importers.children_cpu()
    start = time.perf_counter()
    children = [lake_importers.start_import(many, path) for path in copies]
    said = [(child, child.communicate()[1]) for child in children]  # read to the end: no child blocks on a pipe
    failed = [stderr[-300:] for child, stderr in said if child.returncode != 0]
    elapsed = time.perf_counter() - start
    con = connect.open_db(many, read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM forms WHERE superseded_by IS NULL").fetchall()[0][0]
    finally:
        con.close()
    together = stored / elapsed  # forms that landed: on a file, the importers that found it held land none
    report(f"{importers} importers at once: forms/s", f"{together:.1f}", "≥ 2× one importer (lake)",
           f"×{together / alone:.2f} of one importer ({alone:.1f} forms/s); failed {len(failed)}")  # fmt: skip
    # The most this machine allows: its cores kept busy by importers each needing one importer's CPU per file.
    cores = os.cpu_count() or 1
    ceiling = min(importers, cores * seconds / cpu_alone)
    spent = lake_importers.children_cpu() - cpu_before
    report(f"{importers} importers at once: CPU ceiling", f"×{ceiling:.2f}", "",
           f"{cores} cores × one importer's wall {seconds:.1f} s ÷ its CPU {cpu_alone:.1f} s; reached "
           f"{together / alone / ceiling:.0%}; importers' CPU {spent:.1f} s")  # fmt: skip
    report(f"{importers} importers at once: forms stored", f"{stored}", f"{importers * 22}")
    for message in failed:
        print("    ", message.strip().splitlines()[-1] if message.strip() else "(no message)")


# --- the run -------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="10⁶ forms")
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the big database file in")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"which figures, comma-separated (default all: {','.join(PARTS)})"
    )
    parser.add_argument("--formats", default="json,csv,parquet", help="export formats measured")
    parser.add_argument("--backend", choices=("file", "lake"), default="file", help="where the databases live")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    forms = 1_000_000 if args.million else args.forms
    work = Path(tempfile.mkdtemp(prefix="scale-"))
    keep = args.keep or work
    keep.mkdir(parents=True, exist_ok=True)
    demo_file = keep / f"demo-{forms}.duckdb"
    page_target, browser_target = ("< 3 s", "< 3 s") if forms >= 1_000_000 else ("< 1 s", "< 2 s")
    print(
        f"机器: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} 核, 负载 {os.getloadavg()}"
    )
    print(f"  后端: {args.backend}")
    print(f"  {'figure':<44} {'measured':>14}   {'target':<22} ratio / baseline")
    backend = Backend(args.backend, work)
    try:
        if not demo_file.exists():
            seconds, gib, cpu = timed_cli("demo", "--db", str(demo_file), "--forms", str(forms))
            report(f"demo {forms:,} forms", f"{seconds:.1f} s", "< 120 s (10⁵)", f"CPU {cpu:.0f} s; peak {gib:.2f} GiB")
        big = str(demo_file)
        if args.backend == "lake":
            big = backend.use(backend.new("big"))
            seconds, gib, cpu = timed_cli("migrate", "--db", str(demo_file), "--to", big)
            report(f"migrate {forms:,} forms into a lake", f"{seconds:.1f} s", "",
                   f"CPU {cpu:.0f} s; peak {gib:.2f} GiB")  # fmt: skip
        small = backend.use(backend.new("sample"))
        timed_cli("import", "--db", small, "--year", SAMPLE_YEAR, str(SAMPLES))

        # Pages: the sample database is the baseline. One untimed run first: imports and first compiles.
        from streamlit import logger

        logger.set_log_level("error")
        page_times(backend.use(small), None)
        for name, path in PAGES.items() if "pages" in parts else ():
            base_first, base_again, _, _ = page_times(backend.use(small), path)
            first, again, most_rows, bars = page_times(backend.use(big), path)
            report(f"page {name}: first run", f"{first:.2f} s", page_target, f"×{first / base_first:.1f} of 22 forms")
            report(f"page {name}: rerun", f"{again:.2f} s", page_target, f"×{again / base_again:.1f} of 22 forms")
            report(f"page {name}: most table rows / chart bars", f"{most_rows} / {bars}", "≤ 100 / ≤ 16")
        if "pages" in parts:
            first, again, _, _ = page_times(backend.use(big), None, {"year": "2021", "type": "购置费"})
            report("page 总览 filtered (year+type): first run", f"{first:.2f} s", page_target)

        if "import" in parts:  # one 22-form file: into an empty database, then into (a copy of) the big one
            empty = backend.use(backend.new("empty"))
            base, base_gib, base_cpu = timed_cli("import", "--db", empty, "--year", SAMPLE_YEAR, str(SAMPLE_TEXT))
            target = backend.use(big)
            if args.backend == "file":
                target = str(work / "big-copy.duckdb")
                shutil.copy(demo_file, target)
            seconds, gib, cpu = timed_cli("import", "--db", target, "--year", SAMPLE_YEAR, str(SAMPLE_TEXT))
            report("import 22 forms into the big database", f"{seconds:.1f} s", "≤ empty + 5 s",
                   f"empty DB {base:.1f} s (+{seconds - base:.1f} s); CPU {cpu:.1f} s vs {base_cpu:.1f} s")  # fmt: skip
            report("import 22 forms: peak memory", f"{gib:.2f} GiB", "< 1 GiB", f"empty DB {base_gib:.2f} GiB")
        if "concurrent" in parts:
            concurrent_figures(backend)

        floor = bare_read_seconds(backend.use(big), ("forms", "fund_rows", "indicators", "checks"))
        report("baseline: DuckDB reads every row once", f"{floor:.2f} s")
        if "audit" in parts:
            target = backend.use(big)
            if args.backend == "file":
                target = str(work / "big-copy.duckdb")
                if not Path(target).exists():
                    shutil.copy(demo_file, target)
            seconds, gib, cpu = timed_cli("audit", "--db", target)
            report("audit (every form)", f"{seconds:.1f} s", "< 60 s (10⁵)",
                   f"CPU {cpu:.0f} s; ×{seconds / floor:.0f} of bare read")  # fmt: skip
            report("audit: peak memory", f"{gib:.2f} GiB", "< 1.5 GiB (10⁵)")
        for fmt in args.formats.split(",") if "export" in parts else ():
            out = work / f"export.{fmt}"
            seconds, gib, cpu = timed_cli("export", "--db", backend.use(big), "--format", fmt, "--output", str(out))
            size = out.stat().st_size / 1024**2
            report(f"export {fmt}", f"{seconds:.1f} s", "",
                   f"CPU {cpu:.0f} s; ×{seconds / floor:.0f} of bare read; {size:,.0f} MB")  # fmt: skip
            report(f"export {fmt}: peak memory", f"{gib:.2f} GiB", "< 1.5 GiB")
            out.unlink()

        if "downloads" in parts:
            downloads_figures(backend.use(big), floor)
        if "browser" in parts and not args.no_browser:
            base = browser_seconds(backend.use(small), PAGES)
            for name, (drawn, quiet) in browser_seconds(backend.use(big), PAGES).items():
                report(f"Chromium: {name} drawn", f"{drawn:.2f} s", browser_target,
                       f"22 forms {base[name][0]:.2f} s; network quiet 0.5 s later: {quiet:.2f} s")  # fmt: skip
    finally:
        backend.close()
        shutil.rmtree(work, ignore_errors=True)  # the big database file stays where --keep put it
    return 0


def downloads_figures(big: str, floor: float) -> None:
    """The whole 项目 table built on a click: CSV, and Excel where it fits a sheet."""
    from dashboard.outputs import downloads
    from dashboard.queries import queries
    from dashboard.queries.filters import Filters

    start = time.perf_counter()
    con = connect.open_db(big, read_only=True)
    try:
        table = _projects_table(queries.form_overview(con, Filters()))
    finally:
        con.close()
    built = time.perf_counter() - start
    start = time.perf_counter()
    data = downloads.to_csv_bytes(table)
    csv_seconds = built + time.perf_counter() - start
    report("download 项目 CSV (all rows)", f"{csv_seconds:.1f} s", "< 10 s",
           f"×{csv_seconds / floor:.0f} of bare read; {len(table):,} rows, {len(data) / 1024**2:.0f} MB")  # fmt: skip
    start = time.perf_counter()
    downloads.to_xlsx_bytes(table)
    report("download 项目 xlsx (all rows)", f"{built + time.perf_counter() - start:.1f} s", "",
           f"refused past {downloads.EXCEL_MAX_ROWS:,} rows")  # fmt: skip


def _projects_table(overview):
    from dashboard.ui.pages.projects import projects_table

    return projects_table(overview, "万元")


if __name__ == "__main__":
    sys.exit(main())
