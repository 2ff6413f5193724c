"""Command line: python -m dashboard import | export | audit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard import cli_users, export, importer, review, store, texts
from dashboard.ingest.files import expand_paths


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=texts.CLI_DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)

    import_cmd = commands.add_parser("import", help=texts.CLI_IMPORT_HELP)
    import_cmd.add_argument("--db", type=Path, help=texts.CLI_DB_HELP)
    import_cmd.add_argument("--year", type=int, help=texts.CLI_YEAR_HELP)
    import_cmd.add_argument("--department", help=texts.CLI_DEPARTMENT_HELP)
    import_cmd.add_argument("--unit", help=texts.CLI_UNIT_HELP)
    import_cmd.add_argument("paths", nargs="+", type=Path, help=texts.CLI_PATHS_HELP)

    export_cmd = commands.add_parser("export", help=texts.CLI_EXPORT_HELP)
    export_cmd.add_argument("--db", type=Path, help=texts.CLI_DB_HELP)
    export_cmd.add_argument("--format", choices=("json", "csv"), required=True, help=texts.CLI_FORMAT_HELP)
    export_cmd.add_argument("--output", type=Path, help=texts.CLI_OUTPUT_HELP)

    audit_cmd = commands.add_parser("audit", help=texts.CLI_AUDIT_HELP)
    audit_cmd.add_argument("--db", type=Path, help=texts.CLI_DB_HELP)
    cli_users.add_user_commands(commands)
    return parser


def run_import(args: argparse.Namespace) -> int:
    files = [(path, path.name) for path in expand_paths(args.paths)]
    if not files:
        print(texts.CLI_NO_FILES, file=sys.stderr)
        return 1
    options = importer.ImportOptions(year=args.year, department=args.department, unit=args.unit)

    def report(done: int, total: int, outcome: importer.FileOutcome) -> None:
        line = texts.CLI_FILE_LINE.format(name=outcome.source_file, message=outcome.message)
        print(f"[{done}/{total}] {line}", flush=True)  # one line per file, in order, on stdout

    con = store.open_db(args.db)
    try:
        outcomes = importer.import_files(con, files, options, on_progress=report)
    finally:
        con.close()
    print(importer.outcomes_summary(outcomes))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def run_export(args: argparse.Namespace) -> int:
    con = store.open_db(args.db, read_only=True)
    try:
        forms = store.load_forms(con)
    finally:
        con.close()
    data = export.forms_to_json(forms).encode("utf-8") if args.format == "json" else export.indicators_csv(forms)
    if args.output:
        args.output.write_bytes(data)
        print(texts.CLI_EXPORTED.format(count=len(forms), path=args.output), file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def run_audit(args: argparse.Namespace) -> int:
    con = store.open_db(args.db)
    try:
        count = review.audit_database(con)
    finally:
        con.close()
    print(texts.CLI_AUDITED.format(count=count))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands = {"import": run_import, "export": run_export, "audit": run_audit, "user": cli_users.run_user}
    try:
        return commands[args.command](args)
    except store.StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(texts.CLI_INTERRUPTED, file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
