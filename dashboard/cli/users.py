"""Command line: python -m dashboard user add | list | remove | passwd | role.

A password or role change, or a removal, ends the account's open sessions in the dashboard at their next
run (dashboard/ui/auth.py).

Passwords come from a prompt (asked twice, not echoed) or, with --password-stdin, from one
line of standard input (for scripts); they are never taken as an argument, which would leave
them in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.core import texts
from dashboard.security import accounts
from dashboard.security.untrusted import display_name
from dashboard.store import connect

# Choices as plain strings: argparse names them with repr() when it refuses a value.
ROLE_CHOICES = [role.value for role in accounts.ROLES]


def add_user_commands(commands: argparse._SubParsersAction) -> None:
    """Add `user` with its five subcommands to the main parser's subcommands."""
    user_cmd = commands.add_parser("user", help=texts.CLI_USER_HELP)
    actions = user_cmd.add_subparsers(dest="user_command", required=True)

    add = actions.add_parser("add", help=texts.CLI_USER_ADD_HELP)
    add.add_argument("name", help=texts.CLI_USER_NAME_HELP)
    add.add_argument("--role", choices=ROLE_CHOICES, required=True, help=texts.CLI_USER_ROLE_HELP)
    add.add_argument("--password-stdin", action="store_true", help=texts.CLI_PASSWORD_STDIN_HELP)

    actions.add_parser("list", help=texts.CLI_USER_LIST_HELP)

    remove = actions.add_parser("remove", help=texts.CLI_USER_REMOVE_HELP)
    remove.add_argument("name", help=texts.CLI_USER_NAME_HELP)

    passwd = actions.add_parser("passwd", help=texts.CLI_USER_PASSWD_HELP)
    passwd.add_argument("name", help=texts.CLI_USER_NAME_HELP)
    passwd.add_argument("--password-stdin", action="store_true", help=texts.CLI_PASSWORD_STDIN_HELP)

    role = actions.add_parser("role", help=texts.CLI_USER_ROLE_CHANGE_HELP)
    role.add_argument("name", help=texts.CLI_USER_NAME_HELP)
    role.add_argument("--role", choices=ROLE_CHOICES, required=True, help=texts.CLI_USER_ROLE_HELP)

    for action in (add, actions.choices["list"], remove, passwd, role):
        action.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)


def run_user(args: argparse.Namespace) -> int:
    """Run one `user` subcommand; refused requests print the reason and return 2."""
    try:
        password = _password(args) if args.user_command in ("add", "passwd") else ""
        con = connect.open_db(args.db, read_only=args.user_command == "list")
        try:
            message = _run(con, args, password)
        finally:
            con.close()
    except accounts.AccountError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(message)
    return 0


def _run(con, args: argparse.Namespace, password: str) -> str:
    """`password`: read before the database opened, for add and passwd ("" for the others)."""
    name = getattr(args, "name", "")
    if args.user_command == "add":
        account = accounts.add_user(con, name, args.role, password)
        return texts.CLI_USER_ADDED.format(name=display_name(account.name), role=texts.ROLE_LABELS[account.role])
    if args.user_command == "remove":
        accounts.remove_user(con, name)
        return texts.CLI_USER_REMOVED.format(name=display_name(name))
    if args.user_command == "passwd":
        accounts.set_password(con, name, password)
        return texts.CLI_USER_PASSWORD_SET.format(name=display_name(name))
    if args.user_command == "role":
        accounts.set_role(con, name, args.role)
        return texts.CLI_USER_ROLE_SET.format(name=display_name(name), role=texts.ROLE_LABELS[args.role])
    rows = accounts.list_users(con)
    if not rows:
        return texts.CLI_USER_NONE
    return "\n".join(
        texts.CLI_USER_LINE.format(name=display_name(n), role=texts.ROLE_LABELS[r], created=f"{c:%Y-%m-%d %H:%M}")
        for n, r, c in rows
    )


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(texts.CLI_PASSWORD_PROMPT)
    if getpass.getpass(texts.CLI_PASSWORD_AGAIN) != first:
        raise accounts.AccountError(texts.CLI_PASSWORD_MISMATCH)
    return first
