"""Command line: python -m dashboard import | export | audit | batches | remove | migrate | user | report |
backup | restore | …"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb

from dashboard.audit import config as audit_config
from dashboard.audit import rectify, review
from dashboard.cli import cycle as cli_cycle
from dashboard.cli import reference as cli_reference
from dashboard.cli import report as cli_report
from dashboard.cli import users as cli_users
from dashboard.core import texts
from dashboard.importing import demo, importer
from dashboard.ingest.files import expand_paths
from dashboard.outputs import backup, export, output_files, transfer
from dashboard.security.untrusted import display_name, terminal_text
from dashboard.store import connect, lake, lake_layout, reads, schema

# Choices as plain strings: argparse names them with repr() when it refuses a value.
FORMAT_CHOICES = [fmt.value for fmt in export.ExportFormat]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=texts.CLI_DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)

    import_cmd = commands.add_parser("import", help=texts.CLI_IMPORT_HELP)
    import_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    import_cmd.add_argument("--year", type=int, help=texts.CLI_YEAR_HELP)
    import_cmd.add_argument("--department", help=texts.CLI_DEPARTMENT_HELP)
    import_cmd.add_argument("--unit", help=texts.CLI_UNIT_HELP)
    import_cmd.add_argument("--config", type=Path, help=texts.CLI_AUDIT_CONFIG_HELP)
    import_cmd.add_argument("paths", nargs="+", type=Path, help=texts.CLI_PATHS_HELP)

    export_cmd = commands.add_parser("export", help=texts.CLI_EXPORT_HELP)
    export_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    export_cmd.add_argument("--format", choices=FORMAT_CHOICES, required=True, help=texts.CLI_FORMAT_HELP)
    export_cmd.add_argument("--output", type=Path, help=texts.CLI_OUTPUT_HELP)
    export_cmd.add_argument("--all-versions", action="store_true", help=texts.CLI_ALL_VERSIONS_HELP)

    batches_cmd = commands.add_parser("batches", help=texts.CLI_BATCHES_HELP)
    batches_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)

    remove_cmd = commands.add_parser("remove", help=texts.CLI_REMOVE_HELP)
    remove_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    remove_cmd.add_argument("batch", type=int, help=texts.CLI_BATCH_HELP)

    migrate_cmd = commands.add_parser("migrate", help=texts.CLI_MIGRATE_HELP)
    migrate_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    migrate_cmd.add_argument("--to", type=connect.database_location, help=texts.CLI_MIGRATE_TO_HELP)

    sample_cmd = commands.add_parser("sample-check", help=texts.CLI_SAMPLE_CHECK_HELP)
    sample_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    sample_cmd.add_argument("samples", type=Path)

    audit_cmd = commands.add_parser("audit", help=texts.CLI_AUDIT_HELP)
    audit_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    audit_cmd.add_argument("--config", type=Path, help=texts.CLI_AUDIT_CONFIG_HELP)
    audit_cmd.add_argument("--scheme", help=texts.CLI_AUDIT_SCHEME_HELP)
    cli_users.add_user_commands(commands)
    cli_report.add_report_command(commands)
    cli_reference.add_reference_commands(commands)
    cli_cycle.add_cycle_commands(commands)

    backup_cmd = commands.add_parser("backup", help=texts.CLI_BACKUP_HELP)
    backup_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    backup_cmd.add_argument("--output", type=Path, required=True, help=texts.CLI_BACKUP_OUTPUT_HELP)
    restore_cmd = commands.add_parser("restore", help=texts.CLI_RESTORE_HELP)
    restore_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    restore_cmd.add_argument("file", type=Path, help=texts.CLI_RESTORE_FILE_HELP)

    compact_cmd = commands.add_parser("lake-compact", help=texts.CLI_LAKE_COMPACT_HELP)
    compact_cmd.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    compact_cmd.add_argument("--expire-older-than", type=int, metavar="DAYS", help=texts.CLI_LAKE_EXPIRE_HELP)

    demo_cmd = commands.add_parser("demo", help=texts.CLI_DEMO_HELP)
    demo_cmd.add_argument("--db", type=connect.database_location, required=True, help=texts.CLI_DB_HELP)
    demo_cmd.add_argument("--forms", type=int, required=True, help=texts.CLI_DEMO_FORMS_HELP)
    demo_cmd.add_argument("--seed", type=int, default=1, help=texts.CLI_DEMO_SEED_HELP)
    return parser


def run_import(args: argparse.Namespace) -> int:
    files = [(path, path.name) for path in expand_paths(args.paths)]
    if not files:
        print(texts.CLI_NO_FILES, file=sys.stderr)
        return 1
    audit_config.use_config(args.config)  # refused before anything is read: a bad file names its key
    options = importer.ImportOptions(year=args.year, department=args.department, unit=args.unit)

    def report(done: int, total: int, outcome: importer.FileOutcome) -> None:
        line = texts.CLI_FILE_LINE.format(name=display_name(outcome.source_file), message=outcome.message)
        print(f"[{done}/{total}] {line}", flush=True)  # one line per file, in order, on stdout
        for detail in outcome.details:  # what each replacement changed, indented under its file
            print(f"    {display_name(detail, limit=400)}", flush=True)

    # The file is held only while each file is stored: the dashboard's pages read on during the import.
    outcomes = importer.import_files(connect.StepWriter(args.db), files, options, on_progress=report)
    print(importer.outcomes_summary(outcomes))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def run_export(args: argparse.Namespace) -> int:
    """Streams the export (export.write_export): memory stays bounded whatever the database's size."""
    fmt = export.ExportFormat(args.format)  # one of the parser's choices
    if fmt == export.ExportFormat.PARQUET and not args.output:
        print(texts.CLI_PARQUET_NEEDS_OUTPUT, file=sys.stderr)
        return 2
    con = connect.open_db(args.db, read_only=True)
    connect.cap_memory(con)
    try:
        if args.output:
            with output_files.replace_atomically(args.output) as out:  # a full disk leaves the old file whole
                count = export.write_export(con, fmt, out, with_versions=args.all_versions)
            print(texts.CLI_EXPORTED.format(count=count, path=display_name(str(args.output))), file=sys.stderr)
        else:
            export.write_export(con, fmt, sys.stdout.buffer, with_versions=args.all_versions)
            sys.stdout.flush()
    finally:
        con.close()
    return 0


def run_audit(args: argparse.Namespace) -> int:
    config = audit_config.use_config(args.config)
    con = connect.open_db(args.db)
    connect.cap_memory(con)
    try:
        count = review.audit_database(con, config, scheme=args.scheme)
    finally:
        con.close()
    print(texts.CLI_AUDITED.format(count=count))
    return 0


def _quiet_logs() -> None:
    """Log records (with their Python detail) stay out of the CLI's output; each file's line says what
    happened. DASHBOARD_DEBUG=1 shows them on stderr."""
    if os.environ.get("DASHBOARD_DEBUG"):
        logging.basicConfig(level=logging.DEBUG)
        return
    for name in ("dashboard", "pdfminer"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


def run_batches(args: argparse.Namespace) -> int:
    con = connect.open_db(args.db, read_only=True)
    try:
        frame = reads.batches(con)
    finally:
        con.close()
    if frame.empty:
        print(texts.CLI_BATCHES_NONE)
        return 0
    columns = [key for key in texts.IMPORT_HISTORY_COLUMNS if key != "message"]
    print("\t".join(texts.IMPORT_HISTORY_COLUMNS[key] for key in columns))
    for row in frame.to_dict("records"):
        print("\t".join(_batch_cell(key, row[key]) for key in columns))
    return 0


def _batch_cell(key: str, value) -> str:
    """One cell of the batches listing: times to the second, outcomes in Chinese, names made safe to print."""
    if value is None or value != value:  # None, NaN, NaT
        return "—"
    if key == "imported_at":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if key == "outcome":
        return texts.IMPORT_HISTORY_OUTCOMES.get(value, value)
    if isinstance(value, float):
        return str(int(value))
    return display_name(str(value))


def run_remove(args: argparse.Namespace) -> int:
    con = connect.open_db(args.db)
    try:
        batch = reads.batches(con).set_index("batch_id")
        restored = importer.remove_batch(con, args.batch)
    finally:
        con.close()
    row = batch.loc[args.batch]
    print(
        texts.CLI_REMOVED.format(
            batch=args.batch, file=display_name(row["file_name"]), forms=row["form_count"], restored=len(restored)
        )
    )
    return 0


def _database_file(args: argparse.Namespace) -> Path:
    """--db (or DASHBOARD_DB) for a command that works on a DuckDB file only (backup, restore, demo): a lake
    (store/lake.py) is refused with a message, not a traceback."""
    location = connect.database_location(args.db)
    if not isinstance(location, Path):
        raise schema.StoreError(texts.LAKE_FILE_ONLY.format(command=args.command))
    return location


def run_backup(args: argparse.Namespace) -> int:
    """A consistent copy while readers run (dashboard/outputs/backup.py); verified by reopening it."""
    copied = backup.backup(_database_file(args), args.output)
    shown = display_name(str(args.output), limit=200)
    print(texts.BACKUP_DONE.format(path=shown, forms=copied.forms, tables=len(copied.tables)))
    if copied.attachments:
        folder = rectify.attachments_folder(args.output)
        print(texts.ATTACHMENTS_COPIED.format(count=copied.attachments, path=display_name(str(folder), limit=200)))
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """The backup in the database's place; the database moved aside, never deleted."""
    database = _database_file(args)
    copied, aside = backup.restore(args.file, database)
    print(
        texts.RESTORE_DONE.format(
            file=display_name(str(args.file), limit=200), path=display_name(str(database), limit=200),
            forms=copied.forms,
        )
    )  # fmt: skip
    if aside is not None:
        print(texts.RESTORE_ASIDE.format(aside=display_name(str(aside), limit=200)))
    if copied.attachments:
        folder = rectify.attachments_folder(database)
        print(texts.ATTACHMENTS_COPIED.format(count=copied.attachments, path=display_name(str(folder), limit=200)))
    return 0


def run_demo(args: argparse.Namespace) -> int:
    count = demo.build(_database_file(args), args.forms, seed=args.seed)
    print(texts.CLI_DEMO_DONE.format(count=count, path=args.db))
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    if args.to is not None:
        return _copy_database(connect.database_location(args.db), args.to)
    connect.open_db(args.db).close()  # a writer's open brings the file up to date
    print(texts.CLI_MIGRATED.format(version=schema.SCHEMA_VERSION))
    return 0


def _copy_database(source: Path | str, target: Path | str) -> int:
    """migrate --to: the whole database into a new file or lake (dashboard/outputs/transfer.py), a line per table."""

    def table_done(table: str, rows: int) -> None:
        print(texts.MIGRATE_TABLE_LINE.format(table=table, rows=rows), flush=True)

    copied = transfer.copy_database(source, target, on_table=table_done)
    shown = {name: display_name(lake.without_password(str(where)), limit=200) for name, where in
             (("source", source), ("target", target))}  # fmt: skip
    print(texts.MIGRATE_DONE.format(tables=len(copied.rows), forms=copied.forms, **shown))
    if isinstance(source, Path) and (folder := rectify.attachments_folder(source)).exists():
        print(texts.MIGRATE_ATTACHMENTS.format(folder=display_name(str(folder), limit=200)))
    return 0


def run_lake_compact(args: argparse.Namespace) -> int:
    """Merge a lake's small data files; expire old snapshots only when asked (dashboard/store/lake_layout.py)."""
    if not lake.is_lake(connect.database_location(args.db)):
        raise schema.StoreError(texts.LAKE_ONLY.format(command=args.command))
    days = args.expire_older_than
    con = connect.open_db(args.db)
    connect.cap_memory(con)  # a table rewritten sorted passes every row of it
    try:
        done = lake_layout.compact(con, None if days is None else timedelta(days=days))
    finally:
        con.close()
    for counts, when in ((done.before, texts.LAKE_COMPACT_BEFORE), (done.after, texts.LAKE_COMPACT_AFTER)):
        print(texts.LAKE_COMPACT_FILES.format(live=counts.live, in_folder=counts.in_folder, when=when))
    print(texts.LAKE_COMPACT_KEPT if days is None else texts.LAKE_COMPACT_EXPIRED.format(days=days, count=done.expired))
    return 0


def run_sample_check(args: argparse.Namespace) -> int:
    """Exit 0 when every import in the database came from a file in `samples` (make clean deletes only those)."""
    path = connect.database_location(args.db)
    if not isinstance(path, Path) or not path.exists():  # a lake is never make clean's to delete
        return 1
    sample_hashes = {importer.file_sha256(p) for p in expand_paths([args.samples])}
    con = connect.open_db(path, read_only=True)
    try:
        stored = {row[0] for row in con.execute("SELECT DISTINCT sha256 FROM import_batches").fetchall()}
    finally:
        con.close()
    return 0 if stored and stored <= sample_hashes else 1


class _TerminalSafe(io.TextIOBase):
    """A text stream that passes everything written to it through untrusted.terminal_text: no escape sequence,
    control or bidirectional character that came with a form or a file name reaches the terminal raw.
    Bytes written to `.buffer` (an export to stdout) go through as they are: each format has its own rule."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_text(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def writable(self) -> bool:
        return True

    @property
    def buffer(self):
        return self._stream.buffer

    # typeshed declares TextIOBase.encoding a writable attribute; at run time it is a read-only property.
    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()


@contextlib.contextmanager
def _terminal_safe_output() -> Iterator[None]:
    """sys.stdout and sys.stderr wrapped in _TerminalSafe while a command runs."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(stdout), _TerminalSafe(stderr)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = stdout, stderr


def main(argv: list[str] | None = None) -> int:
    _quiet_logs()
    with _terminal_safe_output(), output_files.owner_only_files():  # the database, its .wal, exports: 0600
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    commands = {"import": run_import, "export": run_export, "audit": run_audit, "user": cli_users.run_user,
                "report": cli_report.run_report, "batches": run_batches, "remove": run_remove, "migrate": run_migrate,
                "sample-check": run_sample_check, "demo": run_demo, "backup": run_backup, "restore": run_restore,
                "reference": cli_reference.run_reference, "spotcheck": cli_cycle.run_spotcheck,
                "rectify": cli_cycle.run_rectify, "lake-compact": run_lake_compact}  # fmt: skip
    try:
        # The one place a configuration error becomes a message: every command reads the configuration here,
        # first (--config's file where the command has one), so a bad file is refused the same way by all.
        audit_config.use_config(getattr(args, "config", None))
        return commands[args.command](args)
    except (schema.StoreError, audit_config.AuditConfigError, output_files.OutputError) as error:
        print(str(error), file=sys.stderr)
        return 2
    except duckdb.OutOfMemoryException:  # said in Chinese, not a traceback; the job's transactions keep the rest whole
        print(texts.CLI_OUT_OF_MEMORY.format(command=args.command), file=sys.stderr)
        return 2
    except duckdb.Error as error:  # a damaged block met after the file opened: said as such, not a traceback
        damaged = connect.damage_error(error, getattr(args, "db", None) or connect.default_db_path())
        if damaged is None:
            raise
        print(str(damaged), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(texts.CLI_INTERRUPTED, file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
