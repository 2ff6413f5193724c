"""Command line: python -m dashboard reference import-orgs | export-rules | import-rules | types
| export-reason-rules | import-reason-rules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.core import texts
from dashboard.outputs import output_files
from dashboard.reference import organisations, project_types, reason_classes
from dashboard.security.untrusted import display_name
from dashboard.store import connect


def add_reference_commands(commands: argparse._SubParsersAction) -> None:
    """Add `reference` with its subcommands to the main parser's subcommands."""
    reference_cmd = commands.add_parser("reference", help=texts.CLI_REFERENCE_HELP)
    actions = reference_cmd.add_subparsers(dest="reference_command", required=True)
    import_orgs = actions.add_parser("import-orgs", help=texts.CLI_REF_IMPORT_ORGS_HELP)
    import_orgs.add_argument("file", type=Path, help=texts.CLI_REF_FILE_HELP)
    export_rules = actions.add_parser("export-rules", help=texts.CLI_REF_EXPORT_RULES_HELP)
    export_rules.add_argument("file", type=Path, nargs="?", help=texts.CLI_REF_FILE_HELP)
    import_rules = actions.add_parser("import-rules", help=texts.CLI_REF_IMPORT_RULES_HELP)
    import_rules.add_argument("file", type=Path, help=texts.CLI_REF_FILE_HELP)
    types = actions.add_parser("types", help=texts.CLI_REF_TYPES_HELP)
    export_reasons = actions.add_parser("export-reason-rules", help=texts.CLI_REF_EXPORT_REASON_RULES_HELP)
    export_reasons.add_argument("file", type=Path, nargs="?", help=texts.CLI_REF_FILE_HELP)
    import_reasons = actions.add_parser("import-reason-rules", help=texts.CLI_REF_IMPORT_REASON_RULES_HELP)
    import_reasons.add_argument("file", type=Path, help=texts.CLI_REF_FILE_HELP)
    for action in (import_orgs, export_rules, import_rules, types, export_reasons, import_reasons):
        action.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)


def run_reference(args: argparse.Namespace) -> int:
    """Run one `reference` subcommand; a file that cannot be used prints the reason and returns 2."""
    path = getattr(args, "file", None)
    exporting = args.reference_command in ("export-rules", "export-reason-rules")
    if path is not None and not exporting and not path.is_file():
        print(texts.CLI_REF_FILE_MISSING.format(path=display_name(str(path))), file=sys.stderr)
        return 2
    try:
        if args.reference_command == "import-orgs":
            rows = organisations.read_file(args.file)  # read before the database is opened: a bad file changes nothing
            message = _with_db(args, lambda con: _import_orgs(con, rows))
        elif args.reference_command == "import-rules":
            rules = project_types.rules_from_toml(args.file.read_text(encoding="utf-8-sig"))
            message = _with_db(args, lambda con: _import_rules(con, rules))
        elif args.reference_command == "export-rules":
            message = _with_db(args, lambda con: _export_rules(con, path))
        elif args.reference_command == "import-reason-rules":
            reason_rules = reason_classes.rules_from_toml(args.file.read_text(encoding="utf-8-sig"))
            message = _with_db(args, lambda con: _import_reason_rules(con, reason_rules))
        elif args.reference_command == "export-reason-rules":
            message = _with_db(args, lambda con: _export_reason_rules(con, path))
        else:
            message = _with_db(args, _types)
    except (organisations.OrgFileError, project_types.RuleError, UnicodeDecodeError) as error:
        print(str(error) if not isinstance(error, UnicodeDecodeError) else texts.REF_ORG_FILE_ENCODING, file=sys.stderr)
        return 2
    if message:
        print(message)
    return 0


def _with_db(args: argparse.Namespace, work):
    con = connect.open_db(args.db)  # a writer's open creates the reference tables of an older file
    try:
        return work(con)
    finally:
        con.close()


def _import_orgs(con, rows: list[organisations.OrgRow]) -> str:
    count = organisations.import_rows(con, rows)
    orgs = con.execute("SELECT count(*) FROM ref_organisations").fetchone()[0]
    return texts.CLI_REF_ORGS_IMPORTED.format(count=count, orgs=orgs)


def _import_rules(con, rules: list[project_types.Rule]) -> str:
    project_types.save_rules(con, rules)
    return texts.CLI_REF_RULES_IMPORTED.format(count=len(rules))


def _export_rules(con, path: Path | None) -> str:
    rules = project_types.load_rules(con)
    return _write_rules(project_types.rules_to_toml(rules), len(rules), path)


def _import_reason_rules(con, rules: list[reason_classes.Rule]) -> str:
    reason_classes.save_rules(con, rules)
    return texts.CLI_REF_REASON_RULES_IMPORTED.format(count=len(rules))


def _export_reason_rules(con, path: Path | None) -> str:
    rules = reason_classes.load_rules(con)
    return _write_rules(reason_classes.rules_to_toml(rules), len(rules), path)


def _write_rules(content: str, count: int, path: Path | None) -> str:
    """A rules file to `path` (whole or not at all), or to standard output where no path is given."""
    if path is None:
        sys.stdout.write(content)
        return ""
    output_files.write_bytes(path, content.encode("utf-8"))
    return texts.CLI_REF_RULES_EXPORTED.format(count=count, path=display_name(str(path)))


def _types(con) -> str:
    frame = project_types.projects(con)
    lines = [texts.CLI_REF_TYPES_HEADER]
    for project_type, group in frame.groupby("project_type", sort=False):
        lines.append(f"{display_name(project_type)}\t{len(group)}\t{int(group['forms'].sum())}")
    unclassified = frame[frame["project_type"] == project_types.UNCLASSIFIED]
    lines += [
        f"  {display_name(name)}\t{forms}"
        for name, forms in zip(unclassified["project_name"], unclassified["forms"], strict=True)
    ]
    return "\n".join(lines)
