"""Every page of a file accounted for: a page holds a form (its `source_pages` say which), or one of the
reasons below why it holds none.

The readers name the reason of each page that holds no form; the import prints them in the file's line and
keeps them in the import history, so a user can see that nothing was lost. A page that may have held a form
the reader could not read (a scan, an unreadable page, a page that prints a form's title or headings but
yielded no form) is a problem of the file: its line is not "imported" and the command line does not exit 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from dashboard.core import texts


class PageKind(StrEnum):
    """Why a page holds no form."""

    BLANK = "blank"  # nothing printed
    NARRATIVE = "narrative"  # text, no table: a cover, 说明, a 填报人 line left over
    CONTENTS = "contents"  # a table of contents (目录, leader dots)
    OTHER_TABLE = "other_table"  # a table that is no 自评表 (收入支出决算总表 …)
    SCANNED = "scanned"  # a picture and no text layer where the scan finds no table (read by OCR otherwise)
    UNREADABLE = "unreadable"  # its content could not be decoded
    FORM_UNREAD = "form_unread"  # prints a form's title or headings, but no form was read from it


SKIPPED = (PageKind.NARRATIVE, PageKind.CONTENTS, PageKind.OTHER_TABLE)  # in the order the file's line names them
PROBLEMS = (PageKind.SCANNED, PageKind.UNREADABLE, PageKind.FORM_UNREAD)
NAMES = {
    PageKind.NARRATIVE: texts.PAGE_KIND_NARRATIVE,
    PageKind.CONTENTS: texts.PAGE_KIND_CONTENTS,
    PageKind.OTHER_TABLE: texts.PAGE_KIND_TABLE,
}
PROBLEM_TEXTS = {
    PageKind.SCANNED: texts.PAGES_SCANNED,
    PageKind.UNREADABLE: texts.REASON_PAGES_UNREADABLE,
    PageKind.FORM_UNREAD: texts.PAGES_FORM_UNREAD,
}


def page_list(pages: Iterable[int]) -> str:
    """ "1–4、7": runs of consecutive pages as ranges."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    return "、".join(str(first) if first == last else f"{first}–{last}" for first, last in runs)


def pages_of(kinds: Mapping[int, PageKind], kind: PageKind) -> list[int]:
    return sorted(page for page, found in kinds.items() if found == kind)


def skipped_note(kinds: Mapping[int, PageKind]) -> str | None:
    """ "另有 4 页不是自评表，已跳过：第 1、3 页是说明文字，第 2 页是目录，第 4 页是其他报表"; None where none was."""
    parts = [
        texts.PAGES_OF_KIND.format(pages=page_list(found), kind=NAMES[kind])
        for kind in SKIPPED
        if (found := pages_of(kinds, kind))
    ]
    if not parts:
        return None
    count = sum(kind in SKIPPED for kind in kinds.values())
    return texts.OUTCOME_PAGES_WITHOUT_FORM.format(count=count, pages="，".join(parts))


def problems(kinds: Mapping[int, PageKind]) -> list[str]:
    """One line per problem kind: "第 3 页是扫描件，未读取" …"""
    return [PROBLEM_TEXTS[kind].format(pages=page_list(found)) for kind in PROBLEMS if (found := pages_of(kinds, kind))]
