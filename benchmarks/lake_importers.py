"""Concurrent importers on one DuckLake: forms per second with 4 importer processes at once against 1 alone.

Starts its own PostgreSQL (tests/lake_server.py). Each importer is `python -m dashboard import` of one text
file of the 22 seed forms (tests/seed_truth.py), their project names and 实施单位 made distinct per file (so
every form is new and every file teaches the lake new organisations). Runs:
  1. one importer alone into a fresh lake (its tables made first, as in a lake in use);
  2. IMPORTERS importers started at once into another fresh lake.
Prints wall seconds, the importers' CPU seconds (children's user+sys) and forms/s of each, the ratio, the
write conflicts the importers met and ran again, and `uptime`. Each run is repeated ROUNDS times; the
median is used. Not a test: `.venv/bin/python benchmarks/lake_importers.py [--importers 4] [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.store import connect, lake  # noqa: E402
from tests import lake_server  # noqa: E402
from tests.seed_truth import seed_records  # noqa: E402
from tests.text_copies import pipe_copy  # noqa: E402

SHOW_CONFLICTS = False


def form_file(folder: Path, number: int) -> Path:
    """The 22 seed forms with project names and 实施单位 of their own (file `number`)."""
    records = seed_records()
    for record in records:
        record["project_name"] = f"{record['project_name']}（第{number}批）"
        record["unit"] = f"{record.get('unit') or '某单位'}第{number}分部"
    path = folder / f"forms{number}.txt"
    path.write_text(pipe_copy(records), encoding="utf-8")
    return path


def start_import(location: str, path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`python -m dashboard import` of one file into `location`, started (its output kept for the caller)."""
    command = [sys.executable, "-m", "dashboard", "import", "--db", location, "--year", "2021", str(path)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(server: lake_server.PostgresServer, files: list[Path]) -> tuple[float, float, int]:
    """(wall seconds, importers' CPU seconds, conflicts run again) of importing `files` at once, one process
    each, into a fresh lake."""
    location, data = server.new_lake()
    env = {**os.environ, lake.LAKE_DATA_ENV_VAR: str(data), "DASHBOARD_DEBUG": "1"}
    os.environ[lake.LAKE_DATA_ENV_VAR] = str(data)
    connect.open_db(location).close()
    cpu = children_cpu()
    started = time.perf_counter()
    processes = [start_import(location, path, env) for path in files]
    outputs = [process.communicate(timeout=1800) for process in processes]
    wall = time.perf_counter() - started
    conflicts = 0
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise SystemExit(f"an importer failed:\n{stdout}\n{stderr[-3000:]}")
        conflicts += stderr.count("write conflict")
        if SHOW_CONFLICTS:
            print(*(line[:300] for line in stderr.splitlines() if "conflict" in line.lower()), sep="\n")
    return wall, children_cpu() - cpu, conflicts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--importers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--show-conflicts", action="store_true")
    args = parser.parse_args()
    global SHOW_CONFLICTS
    SHOW_CONFLICTS = args.show_conflicts
    server = lake_server.start_server()
    if server is None:
        raise SystemExit("PostgreSQL is not installed")
    try:
        with tempfile.TemporaryDirectory() as folder:
            files = [form_file(Path(folder), number) for number in range(args.importers)]
            forms = 22
            results: dict[str, list[tuple[float, float, int]]] = {"one": [], "many": []}
            for _round in range(args.rounds):  # alternated: both see the same load
                results["one"].append(run(server, files[:1]))
                results["many"].append(run(server, files))
            for name, count in (("one", forms), ("many", forms * args.importers)):
                walls = [wall for wall, _cpu, _c in results[name]]
                cpus = [cpu for _wall, cpu, _c in results[name]]
                conflicts = [c for _wall, _cpu, c in results[name]]
                wall = statistics.median(walls)
                print(
                    f"{name:>4}: {count} forms, wall {wall:.1f} s (runs {', '.join(f'{w:.1f}' for w in walls)}), "
                    f"CPU {statistics.median(cpus):.1f} s, {count / wall:.2f} forms/s, conflicts {conflicts}"
                )
            one = forms / statistics.median(w for w, _c, _n in results["one"])
            many = forms * args.importers / statistics.median(w for w, _c, _n in results["many"])
            print(f"throughput ratio ({args.importers} importers / 1): {many / one:.2f}x")
    finally:
        lake_server.stop_server(server)
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
