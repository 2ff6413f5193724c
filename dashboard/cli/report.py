"""python -m dashboard report: the 汇总报告 (Word, or PDF where LibreOffice is installed) for the same filters the
pages offer."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from dashboard.core import texts
from dashboard.outputs import output_files, report, report_pdf
from dashboard.queries import queries
from dashboard.queries.filters import Filters
from dashboard.security.untrusted import display_name
from dashboard.store import connect, lake, snapshots


def add_report_command(commands) -> None:
    command = commands.add_parser("report", help=texts.CLI_REPORT_HELP)
    command.add_argument("--db", type=connect.database_location, help=texts.CLI_DB_HELP)
    command.add_argument("--year", type=int, action="append", default=[], help=texts.CLI_REPORT_YEAR_HELP)
    command.add_argument("--department", action="append", default=[], help=texts.CLI_REPORT_DEPARTMENT_HELP)
    command.add_argument("--unit", action="append", default=[], help=texts.CLI_REPORT_UNIT_HELP)
    command.add_argument("--type", action="append", default=[], help=texts.CLI_REPORT_TYPE_HELP)
    command.add_argument("--output", type=Path, required=True, help=texts.CLI_REPORT_OUTPUT_HELP)
    command.add_argument("--format", choices=FORMATS, help=texts.CLI_REPORT_FORMAT_HELP)
    command.add_argument("--as-of", dest="as_of", metavar="快照号|batch:批次号", help=texts.CLI_REPORT_AS_OF_HELP)


FORMATS = tuple(texts.REPORT_FORMATS)  # docx, pdf


def report_format(args: argparse.Namespace) -> str:
    """--format, else the output's suffix (.pdf → pdf), else docx."""
    return args.format or ("pdf" if args.output.suffix.lower() == ".pdf" else "docx")


def run_report(args: argparse.Namespace) -> int:
    as_pdf = report_format(args) == "pdf"
    if as_pdf and not report_pdf.available():  # said before the report is built
        print(texts.REPORT_PDF_NO_LIBREOFFICE, file=sys.stderr)
        return 2
    location = connect.database_location(args.db)
    if args.as_of is not None and not lake.is_lake(location):  # said before anything is opened
        print(texts.AS_OF_NEEDS_LAKE, file=sys.stderr)
        return 2
    as_of = None
    if args.as_of is not None:
        with contextlib.closing(connect.open_db(location, read_only=True)) as latest:
            as_of = snapshots.resolve(latest, args.as_of)  # StoreError (a message) when it names nothing kept
    con = connect.open_db(location, read_only=True, snapshot=as_of.snapshot if as_of else None)
    try:
        options = queries.filter_options(con)
        try:
            filters = Filters(
                years=tuple(args.year),
                departments=tuple(resolve(value, options["departments"]) for value in args.department),
                units=tuple(resolve(value, options["units"]) for value in args.unit),
                types=tuple(resolve(value, options["types"]) for value in args.type),
            )
        except LookupError as error:
            print(str(error), file=sys.stderr)
            return 2
        data = report.build_report(con, filters, as_of=as_of)
    finally:
        con.close()
    if as_pdf:
        try:
            data = report_pdf.pdf_bytes(data)
        except report_pdf.ReportPdfError as error:
            print(str(error), file=sys.stderr)
            return 1
    output_files.write_bytes(args.output, data)  # whole or not at all: a full disk keeps the old file
    print(texts.CLI_REPORT_WRITTEN.format(path=display_name(str(args.output))))
    return 0


def resolve(value: str, options: list[str]) -> str:
    """The sidebar's value for what a user typed: the value itself, or the one option that contains it
    (a code such as 0402009 finds "某某局（0402009）"). LookupError, in Chinese, where none or several do."""
    if value in options:
        return value
    found = [option for option in options if value and value in str(option)]
    if len(found) == 1:
        return found[0]
    raise LookupError(texts.CLI_REPORT_NO_MATCH.format(value=value, options="、".join(map(str, found or options[:10]))))
