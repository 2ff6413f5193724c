"""Command line for the cycle after the self-evaluation (issue 20):
python -m dashboard spotcheck create | list | export | import, and rectify list | add | feedback | verify.

Every write is one transaction and records who made it: `--by`, else the login name of the person running it.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path

from dashboard.audit import rectify, spot_check
from dashboard.core import domain, texts
from dashboard.core import formatting as fmt
from dashboard.outputs import output_files, spot_sheet
from dashboard.security.untrusted import display_name
from dashboard.store import connect


def add_cycle_commands(commands: argparse._SubParsersAction) -> None:
    spot = commands.add_parser("spotcheck", help=texts.CLI_SPOT_HELP)
    actions = spot.add_subparsers(dest="spot_command", required=True)
    create = actions.add_parser("create", help=texts.CLI_SPOT_CREATE_HELP)
    create.add_argument("name", help=texts.CLI_SPOT_NAME_HELP)
    size = create.add_mutually_exclusive_group(required=True)
    size.add_argument("--size", type=int, help=texts.CLI_SPOT_SIZE_HELP)
    size.add_argument("--share", type=float, help=texts.CLI_SPOT_SHARE_HELP)
    create.add_argument("--seed", type=int, help=texts.CLI_SPOT_SEED_HELP)
    create.add_argument("--year", type=int, action="append", default=[], help=texts.CLI_SPOT_YEAR_HELP)
    create.add_argument("--department", action="append", default=[], help=texts.CLI_SPOT_DEPARTMENT_HELP)
    create.add_argument("--type", action="append", default=[], help=texts.CLI_SPOT_TYPE_HELP)
    listing = actions.add_parser("list", help=texts.CLI_SPOT_LIST_HELP)
    listing.add_argument("name", nargs="?", help=texts.CLI_SPOT_NAME_HELP)
    export = actions.add_parser("export", help=texts.CLI_SPOT_EXPORT_HELP)
    export.add_argument("name", help=texts.CLI_SPOT_NAME_HELP)
    export.add_argument("--output", type=Path, required=True, help=texts.CLI_OUTPUT_HELP)
    load = actions.add_parser("import", help=texts.CLI_SPOT_IMPORT_HELP)
    load.add_argument("workbook", type=Path, help=texts.CLI_SPOT_WORKBOOK_HELP)
    for action in (create, listing, export, load):
        action.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    for action in (create, load):
        action.add_argument("--by", help=texts.CLI_BY_HELP)

    items = commands.add_parser("rectify", help=texts.CLI_RECTIFY_HELP)
    steps = items.add_subparsers(dest="rectify_command", required=True)
    listing = steps.add_parser("list", help=texts.CLI_RECTIFY_LIST_HELP)
    listing.add_argument("--status", choices=STATUS_CHOICES, help=texts.CLI_RECTIFY_STATUS_HELP)
    listing.add_argument("--overdue", action="store_true", help=texts.CLI_RECTIFY_OVERDUE_HELP)
    add = steps.add_parser("add", help=texts.CLI_RECTIFY_ADD_HELP)
    add.add_argument("problem", nargs="?", help=texts.CLI_RECTIFY_PROBLEM_HELP)
    add.add_argument("--form", help=texts.CLI_RECTIFY_FORM_HELP)
    add.add_argument("--unit", help=texts.CLI_RECTIFY_UNIT_HELP)
    add.add_argument("--due", type=_date, help=texts.CLI_RECTIFY_DUE_HELP)
    add.add_argument("--from-plan", help=texts.CLI_RECTIFY_FROM_PLAN_HELP)
    add.add_argument("--rule", help=texts.CLI_RECTIFY_RULE_HELP)
    feedback = steps.add_parser("feedback", help=texts.CLI_RECTIFY_FEEDBACK_HELP)
    feedback.add_argument("item", type=int, help=texts.CLI_RECTIFY_ITEM_HELP)
    feedback.add_argument("--text", required=True, help=texts.CLI_RECTIFY_TEXT_HELP)
    feedback.add_argument("--attachment", type=Path, help=texts.CLI_RECTIFY_ATTACHMENT_HELP)
    verify = steps.add_parser("verify", help=texts.CLI_RECTIFY_VERIFY_HELP)
    verify.add_argument("item", type=int, help=texts.CLI_RECTIFY_ITEM_HELP)
    verify.add_argument("--text", help=texts.CLI_RECTIFY_TEXT_HELP)
    verify.add_argument("--return", dest="send_back", action="store_true", help=texts.CLI_RECTIFY_RETURN_HELP)
    for action in (listing, add, feedback, verify):
        action.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    for action in (add, feedback, verify):
        action.add_argument("--by", help=texts.CLI_BY_HELP)


STATUS_CHOICES = [status.value for status in domain.RectifyStatus]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(texts.CLI_RECTIFY_BAD_DATE.format(value=value)) from None


def who(args: argparse.Namespace) -> str:
    if getattr(args, "by", None):
        return args.by
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return ""


def run_spotcheck(args: argparse.Namespace) -> int:
    read_only = args.spot_command in ("list", "export")
    con = connect.open_db(args.db, read_only=read_only)
    try:
        if args.spot_command == "create":
            scope = spot_check.Scope(tuple(args.year), tuple(args.department), tuple(args.type))
            plan = spot_check.create_plan(con, args.name, scope, args.size, args.share, args.seed, by=who(args))
            rule = spot_check.plans(con).set_index("plan_id").loc[plan, "rule"]
            count = len(spot_check.entries(con, plan))
            print(texts.CLI_SPOT_CREATED.format(name=args.name, count=count, rule=spot_check.plan_rule_text(rule)))
        elif args.spot_command == "list":
            _list(con, args.name)
        elif args.spot_command == "export":
            data = spot_sheet.workbook_bytes(con, args.name)
            count = len(spot_check.entries(con, spot_check.plan_id(con, args.name)))
            with output_files.replace_atomically(args.output) as out:
                out.write(data)
            print(texts.CLI_SPOT_EXPORTED.format(path=display_name(str(args.output), limit=200), count=count))
        else:
            name, count = spot_sheet.import_workbook(con, args.workbook.read_bytes(), who(args))
            print(texts.CLI_SPOT_IMPORTED.format(name=name, count=count))
    finally:
        con.close()
    return 0


def _list(con, name: str | None) -> None:
    if name is None:
        frame = spot_check.plans(con)
        if frame.empty:
            print(texts.CLI_SPOT_NONE)
            return
        columns = texts.SPOT_PLAN_COLUMNS
        print("\t".join(columns.values()))
        for row in frame.to_dict("records"):
            row["rule"] = spot_check.plan_rule_text(row["rule"])
            row["created_at"] = row["created_at"].strftime("%Y-%m-%d %H:%M")
            print("\t".join(_cell(row[key]) for key in columns))
        return
    frame = spot_check.entries(con, spot_check.plan_id(con, name))
    keys = ["position", "project_name", "unit", "basis", "self_score", "self_grade", "reviewed_score",
            "reviewed_grade", "deviation", "reviewer", "form_id"]  # fmt: skip
    print("\t".join(texts.SPOT_RESULT_COLUMNS[key] for key in keys))
    for row in frame.to_dict("records"):
        row["basis"] = texts.SPOT_BASIS_LABELS[row["basis"]]
        row["deviation"] = fmt.percent_text(row["deviation"])
        print("\t".join(_cell(row[key]) for key in keys))


def _cell(value) -> str:
    if fmt.is_missing(value):
        return texts.DASH
    if isinstance(value, float):
        return fmt.score_text(value)
    return display_name(str(value), limit=200)


def run_rectify(args: argparse.Namespace) -> int:
    database = args.db or connect.default_db_path()
    con = connect.open_db(args.db, read_only=args.rectify_command == "list")
    try:
        command = args.rectify_command
        if command == "list":
            _list_items(con, args.status, args.overdue)
        elif command == "add" and args.from_plan:
            count = rectify.from_spot_check(con, args.from_plan, who(args), args.due)
            print(texts.RECTIFY_FROM_PLAN_DONE.format(count=count))
        elif command == "add" and args.rule:
            if not args.form:
                raise rectify.RectifyError(texts.CLI_RECTIFY_RULE_NEEDS_FORM)
            item = rectify.from_finding(con, args.form, args.rule, who(args), args.due)
            print(texts.CLI_RECTIFY_ADDED.format(item=item))
        elif command == "add":
            item = rectify.add_item(con, args.problem or "", who(args), args.unit, args.form, args.due)
            print(texts.CLI_RECTIFY_ADDED.format(item=item))
        else:
            if command == "feedback":
                action = rectify.Action.FEEDBACK
            else:
                action = rectify.Action.RETURN if args.send_back else rectify.Action.VERIFY
            attachment = getattr(args, "attachment", None)
            given = (attachment.name, attachment.read_bytes()) if attachment else None
            folder = rectify.attachments_folder(Path(database))
            status = rectify.step(con, args.item, action, who(args), args.text, attachment=given, folder=folder)
            print(texts.CLI_RECTIFY_STEPPED.format(item=args.item, status=texts.RECTIFY_STATUS_LABELS[status]))
    finally:
        con.close()
    return 0


def _list_items(con, status: str | None, overdue: bool) -> None:
    frame = rectify.items(con)
    if status:
        frame = frame[frame["status"] == status]
    if overdue:
        frame = frame[frame["overdue"]]
    if frame.empty:
        print(texts.CLI_RECTIFY_NONE)
        return
    keys = ["item_id", "status", "unit", "project_name", "problem", "due", "overdue", "updated_by"]
    print("\t".join(texts.RECTIFY_COLUMNS[key] for key in keys))
    for row in frame.to_dict("records"):
        row["status"] = texts.RECTIFY_STATUS_LABELS[row["status"]]
        row["overdue"] = texts.RECTIFY_OVERDUE_MARK if row["overdue"] else ""
        row["due"] = row["due"].date().isoformat() if not fmt.is_missing(row["due"]) else None
        print("\t".join(_cell(row[key]) for key in keys))
