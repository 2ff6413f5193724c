"""Organisations (主管部门 and 实施单位): code, name and parent department, and what each printed spelling means.

Forms print an organisation as a code ("0402009"), a name ("某某镇人民政府") or both ("219-某某镇人民政府").
The table `ref_organisations` holds one row per organisation; it is learned from what the forms print
(a "code-name" spelling gives both facts) and kept by the office (a CSV/xlsx of codes and names, or the
参考数据 page), whose entries forms never overwrite. The table `ref_org_spellings` says, for every spelling
the forms print, which organisation it is and how to show it ("某某镇人民政府（219）"); the page SQL joins
it (dashboard/reference/reference.py), so a change here shows in every view at once. Forms keep what they printed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.core import dialect, domain, texts
from dashboard.core.transactions import transaction
from dashboard.reference import shown

ORIGIN_FORMS, ORIGIN_FILE, ORIGIN_PAGE = "forms", "file", "page"

DDL = """
CREATE SEQUENCE IF NOT EXISTS ref_org_id_seq;
CREATE TABLE IF NOT EXISTS ref_organisations (
    org_id     BIGINT NOT NULL DEFAULT nextval('ref_org_id_seq'),
    code       VARCHAR,                 -- as printed or imported; NULL where only a name is known
    name       VARCHAR,                 -- NULL where only a code is known
    parent_id  BIGINT,                  -- the 主管部门 of an 实施单位
    origin     VARCHAR NOT NULL,        -- forms | file | page: who said so last
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_org_spellings (
    spelling VARCHAR NOT NULL,          -- trim() of a printed 主管部门 or 实施单位
    org_id   BIGINT NOT NULL,
    label    VARCHAR NOT NULL,          -- "name（code）", the name or the code: what every view shows
    name     VARCHAR                    -- the organisation's name, NULL where only its code is known
);
"""

# "219-某某镇人民政府", "219 某某镇人民政府", "219：某某镇人民政府": a code (letters and digits, at least one digit)
# before a separator, then the name.
_CODE_NAME_RE = re.compile(r"^([0-9A-Za-z]*[0-9][0-9A-Za-z]*)\s*(?:[-_:/\s]|——|—)\s*(.*\S)$")
_CODE_RE = re.compile(r"^[0-9A-Za-z]*[0-9][0-9A-Za-z]*$")
_FILE_COLUMNS = {
    "code": ("编码", "代码", "单位编码", "单位代码", "部门编码", "部门代码", "code"),
    "name": ("名称", "单位名称", "部门名称", "name"),
    "parent": ("上级", "上级部门", "主管部门", "上级编码", "主管部门编码", "parent"),
}
MAX_FILE_ROWS = 100_000


class OrgFileError(ValueError):
    """A file of organisations that cannot be read; the message (Chinese) says why."""


@dataclass(frozen=True)
class Org:
    org_id: int
    code: str | None
    name: str | None
    parent_id: int | None
    origin: str

    @property
    def label(self) -> str:
        return label(self.code, self.name)


def parse(text: str | None) -> tuple[str | None, str | None]:
    """(code, name) of a printed spelling: "219-某某镇人民政府" → ("219", "某某镇人民政府"), "219" → ("219", None)."""
    printed = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "").strip())
    cleaned = re.sub(r"[-_:/—\s]+$", "", printed)  # "219-" is the code alone
    if not cleaned:
        return None, None
    if _CODE_RE.match(cleaned):
        return cleaned, None
    match = _CODE_NAME_RE.match(cleaned)
    if match:
        return match.group(1), match.group(2).strip()
    return None, printed  # a name alone keeps what it printed, trailing punctuation included


def label(code: str | None, name: str | None) -> str:
    """What every view shows: "某某镇人民政府（219）", or the name, or the code."""
    if code and name:
        return texts.REF_ORG_LABEL.format(name=name, code=code)
    return name or code or ""


def _key(text: str | None) -> str:
    return domain.identity_text(text)


class Directory:
    """The organisations in memory, found by code or by name, for learning and resolving spellings."""

    def __init__(
        self, orgs: list[Org], spellings: dict[str, int] | None = None, new_id: Callable[[int], int] | None = None
    ):
        self.orgs = {org.org_id: org for org in orgs}
        # Spellings already resolved stay with their organisation when the office renames or recodes it.
        self.spellings = {text: org_id for text, org_id in (spellings or {}).items() if org_id in self.orgs}
        # Ids are never reused: a spelling row of a removed organisation must not find a new one. `new_id(used)`
        # gives one above `used` (the largest id seen): on a lake, PostgreSQL's sequence (load), so that two
        # importers learning organisations at once never take the same id; else the next number.
        self.used = max([*self.orgs, *(spellings or {}).values()], default=0)
        self._new_id = new_id or (lambda used: used + 1)
        self.changed: set[int] = set()  # written by `flush` in one statement, not row by row
        self.removed: set[int] = set()
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for org in orgs:
            self._index(org)

    def _index(self, org: Org) -> None:
        if org.code:
            self.by_code.setdefault(_key(org.code), org.org_id)
        if org.name:
            ids = self.by_name.setdefault(_key(org.name), [])
            if org.org_id not in ids:
                ids.append(org.org_id)

    def add(self, code: str | None, name: str | None, origin: str, parent_id: int | None = None) -> int:
        org_id = self._new_id(self.used)
        self.used = max(self.used, org_id)
        self.put(Org(org_id, code, name, parent_id, origin))
        return org_id

    def remove(self, org_id: int) -> None:
        org = self.orgs[org_id]
        self.put(Org(org_id, None, None, None, org.origin))  # drops it from the indexes
        del self.orgs[org_id]
        self.removed.add(org_id)
        self.spellings = {text: known for text, known in self.spellings.items() if known != org_id}
        for other in list(self.orgs.values()):
            if other.parent_id == org_id:
                self.put(Org(other.org_id, other.code, other.name, None, other.origin))

    def put(self, org: Org) -> None:
        self.changed.add(org.org_id)
        old = self.orgs.get(org.org_id)
        if old is not None:
            if old.code and self.by_code.get(_key(old.code)) == old.org_id:
                del self.by_code[_key(old.code)]
            if old.name and old.org_id in self.by_name.get(_key(old.name), []):
                self.by_name[_key(old.name)].remove(old.org_id)
        self.orgs[org.org_id] = org
        self._index(org)

    def find(self, code: str | None, name: str | None) -> int | None:
        """The organisation a (code, name) means: by code first; by name when it names one organisation only."""
        if code:
            found = self.by_code.get(_key(code))
            if found is not None:
                return found
        if name:
            ids = self.by_name.get(_key(name), [])
            if code:  # a code we do not know yet: only a name-only organisation may take it
                ids = [org_id for org_id in ids if not self.orgs[org_id].code]
            if len(ids) == 1:
                return ids[0]
        return None

    def find_text(self, text: str | None) -> int | None:
        """The organisation of a printed spelling: the one it was resolved to before, else by code or name."""
        known = self.spellings.get((text or "").strip())
        return known if known is not None else self.find(*parse(text))


def load(con: duckdb.DuckDBPyConnection) -> Directory:
    rows = con.execute("SELECT org_id, code, name, parent_id, origin FROM ref_organisations ORDER BY org_id").fetchall()
    spellings = dict(con.execute("SELECT spelling, org_id FROM ref_org_spellings").fetchall())
    orgs = [Org(int(r[0]), r[1], r[2], None if r[3] is None else int(r[3]), r[4]) for r in rows]
    if not dialect.is_lake(con):
        return Directory(orgs, spellings)
    return Directory(orgs, spellings, lambda used: dialect.next_id(con, "ref_org_id_seq", above=used))


def flush(con: duckdb.DuckDBPyConnection, directory: Directory) -> bool:
    """Write the organisations `directory` added, changed or removed, in one statement each; whether there
    was any."""
    gone = sorted(directory.removed | directory.changed)
    if gone:
        con.execute("DELETE FROM ref_organisations WHERE org_id IN (SELECT unnest(?))", [gone])
    now = datetime.now()
    rows = [
        [org.org_id, org.code, org.name, org.parent_id, org.origin, now]
        for org_id in sorted(directory.changed)
        if (org := directory.orgs.get(org_id)) is not None
    ]
    if rows:
        columns = ["org_id", "code", "name", "parent_id", "origin", "updated_at"]
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
        con.register("org_frame", frame)
        try:
            con.execute(
                "INSERT INTO ref_organisations (org_id, code, name, parent_id, origin, updated_at) "
                "SELECT CAST(org_id AS BIGINT), code, name, CAST(parent_id AS BIGINT), origin, "
                "CAST(updated_at AS TIMESTAMP) FROM org_frame"
            )
        finally:
            con.unregister("org_frame")
    directory.changed.clear()
    directory.removed.clear()
    return bool(gone)


def _take(directory: Directory, code: str | None, name: str | None, origin: str) -> int | None:
    """Find or add the organisation (code, name) stands for. Forms fill in what is missing (a name for
    a known code, a code for a known name); a file or the page is the office's word and overwrites."""
    if not code and not name:
        return None
    org_id = directory.find(code, name)
    if org_id is None and not code and directory.by_name.get(_key(name)):
        return None  # a bare name several organisations carry: which one is for a person to say
    if org_id is None:
        return directory.add(code, name, origin)
    org = directory.orgs[org_id]
    office = origin != ORIGIN_FORMS
    new_code = code if code and (office or not org.code) else org.code
    new_name = name if name and (office or not org.name) else org.name
    if (new_code, new_name) != (org.code, org.name):
        kept_origin = origin if office or org.origin == ORIGIN_FORMS else org.origin
        directory.put(Org(org_id, new_code, new_name, org.parent_id, kept_origin))
    return org_id


def learn_from_forms(con: duckdb.DuckDBPyConnection) -> bool:
    """Add what the forms print to the organisations (never overwriting the office's entries), then the
    spellings; whether anything was written."""
    pairs = con.execute("SELECT DISTINCT nullif(trim(department), ''), nullif(trim(unit), '') FROM forms").fetchall()
    spellings = sorted({text for pair in pairs for text in pair if text})
    directory = load(con)
    parsed = {text: parse(text) for text in spellings}
    for text in sorted(spellings, key=lambda text: _learning_order(*parsed[text])):
        if text not in directory.spellings:
            _take(directory, *parsed[text], ORIGIN_FORMS)
    for department, unit in pairs:
        if not department or not unit:
            continue
        unit_id, department_id = directory.find_text(unit), directory.find_text(department)
        if unit_id is None or department_id is None or unit_id == department_id:
            continue
        org = directory.orgs[unit_id]
        if org.parent_id is None:
            directory.put(Org(org.org_id, org.code, org.name, department_id, org.origin))
    flushed = flush(con, directory)
    return rebuild_spellings(con, directory) or flushed


def _learning_order(code: str | None, name: str | None) -> int:
    """Code-and-name spellings first, then bare codes, then bare names: each finds what the ones before made."""
    return 0 if code and name else 1 if code else 2


def rebuild_spellings(con: duckdb.DuckDBPyConnection, directory: Directory | None = None) -> bool:
    """Rewrite `ref_org_spellings` for every spelling the forms print (a few thousand at most), where it
    changed (on a lake, a rewrite conflicts with every other writer's); whether it did."""
    directory = directory or load(con)
    spellings = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT s FROM (SELECT nullif(trim(department), '') AS s FROM forms "
            "UNION SELECT nullif(trim(unit), '') FROM forms) WHERE s IS NOT NULL"
        ).fetchall()
    ]
    rows = []
    for text in spellings:
        org_id = directory.find_text(text)
        if org_id is not None:
            org = directory.orgs[org_id]
            rows.append([text, org_id, org.label or text, org.name])
    stored = con.execute("SELECT spelling, org_id, label, name FROM ref_org_spellings").fetchall()
    if sorted(map(tuple, rows)) == sorted(stored):
        return False
    changed = sorted({row[0] for row in set(map(tuple, rows)) ^ set(stored)})  # spellings added, gone or moved
    frame = pd.DataFrame(rows, columns=["spelling", "org_id", "label", "name"], dtype=object)
    con.execute("DELETE FROM ref_org_spellings")
    if rows:
        con.register("spelling_frame", frame)
        try:
            con.execute("INSERT INTO ref_org_spellings SELECT spelling, org_id, label, name FROM spelling_frame")
        finally:
            con.unregister("spelling_frame")
    # The forms printing a changed spelling: what their 主管部门 or 实施单位 shows may have changed.
    shown.sync(
        con, "f.department IN (SELECT unnest(?)) OR f.unit IN (SELECT unnest(?))", [changed, changed], types=False
    )
    return True


# --- the office's word: a file of codes and names, or the page --------------------------------------------


@dataclass(frozen=True)
class OrgRow:
    code: str | None
    name: str | None
    parent: str | None = None  # the parent department's code, name or "code-name"


def read_file(path: Path | str, data: bytes | None = None) -> list[OrgRow]:
    """Rows of a CSV (UTF-8, with or without BOM, or GB18030) or .xlsx file with columns 编码, 名称 and
    optionally 上级部门 (Chinese or English headings, see _FILE_COLUMNS)."""
    path = Path(path)
    content = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        table = _xlsx_rows(content)
    elif suffix in (".csv", ".txt"):
        table = _csv_rows(content)
    else:
        raise OrgFileError(texts.REF_ORG_FILE_TYPE)
    return _org_rows(table)


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise OrgFileError(texts.REF_ORG_FILE_ENCODING)
    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise OrgFileError(texts.REF_ORG_FILE_UNREADABLE) from error
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _org_rows(table: list[list[str]]) -> list[OrgRow]:
    table = [row for row in table if any(str(cell).strip() for cell in row)]
    if not table:
        raise OrgFileError(texts.REF_ORG_FILE_EMPTY)
    heading = [unicodedata.normalize("NFKC", str(cell)).strip().lower() for cell in table[0]]
    where = {
        key: next((heading.index(alias) for alias in aliases if alias in heading), None)
        for key, aliases in _FILE_COLUMNS.items()
    }
    if where["code"] is None and where["name"] is None:
        raise OrgFileError(texts.REF_ORG_FILE_HEADINGS)
    if len(table) - 1 > MAX_FILE_ROWS:
        raise OrgFileError(texts.REF_ORG_FILE_TOO_LONG.format(limit=MAX_FILE_ROWS))

    def cell(row: list[str], key: str) -> str | None:
        index = where[key]
        if index is None or index >= len(row):
            return None
        return unicodedata.normalize("NFKC", str(row[index])).strip() or None

    rows = []
    for row in table[1:]:
        code, name = cell(row, "code"), cell(row, "name")
        if code is None and name is not None:
            code, name = parse(name)  # a name column holding "219-某某镇人民政府"
        if code or name:
            rows.append(OrgRow(code, name, cell(row, "parent")))
    return rows


def import_rows(con: duckdb.DuckDBPyConnection, rows: list[OrgRow], origin: str = ORIGIN_FILE) -> int:
    """Store the office's codes and names (they overwrite what forms said); returns how many rows were taken."""
    directory = load(con)
    with transaction(con):
        for row in rows:
            org_id = _take(directory, row.code, row.name, origin)
            if org_id is None:
                continue
            parent_id = _take(directory, *parse(row.parent), origin) if row.parent else None
            org = directory.orgs[org_id]
            if parent_id is not None and parent_id != org_id and parent_id != org.parent_id:
                directory.put(Org(org_id, org.code, org.name, parent_id, origin))
        flush(con, directory)
        rebuild_spellings(con, directory)
    return len(rows)


def check_edits(frame: pd.DataFrame) -> None:
    """OrgFileError when the page's table gives one code to two rows."""
    codes = [_key(code) for code in map(_blank_to_none, frame["code"]) if code]
    if len(codes) != len(set(codes)):
        raise OrgFileError(texts.REF_ORG_DUPLICATE_CODE)


def save_edits(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """The 参考数据 page's table back: columns org_id (NaN for a new row), code, name, parent (a label)."""
    check_edits(frame)
    directory = load(con)
    by_label = {org.label: org.org_id for org in directory.orgs.values()}
    wanted: list[tuple[int | None, str | None, str | None, int | None]] = []
    for record in frame.to_dict("records"):
        code, name = _blank_to_none(record.get("code")), _blank_to_none(record.get("name"))
        if not code and not name:
            continue
        printed_id = _blank_to_none(record.get("org_id"))
        parent = _blank_to_none(record.get("parent"))
        org_id = None if printed_id is None else int(float(printed_id))
        wanted.append((org_id, code, name, by_label.get(parent) if parent else None))
    kept = {org_id for org_id, *_ in wanted if org_id is not None}
    with transaction(con):
        for org_id in [org_id for org_id in directory.orgs if org_id not in kept]:
            directory.remove(org_id)
        for org_id, code, name, parent_id in wanted:
            if parent_id == org_id or parent_id not in directory.orgs:
                parent_id = None
            old = directory.orgs.get(org_id) if org_id is not None else None
            if old is None:
                directory.add(code, name, ORIGIN_PAGE, parent_id)
            elif (old.code, old.name, old.parent_id) != (code, name, parent_id):
                directory.put(Org(old.org_id, code, name, parent_id, ORIGIN_PAGE))
        flush(con, directory)
        learn_from_forms(con)  # spellings no entry covers any more come back as the forms print them


def spellings_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every printed spelling with the label of the organisation it is grouped under, by label then spelling."""
    return con.execute("SELECT spelling, org_id, label FROM ref_org_spellings ORDER BY label, spelling").df()


def assign_spellings(con: duckdb.DuckDBPyConnection, changes: dict[str, int]) -> None:
    """A person's word: these printed spellings belong to these organisations ("某某镇政府" is 某某镇人民政府).
    An organisation learned from the forms that no spelling names any more is removed."""
    directory = load(con)
    unknown = [org_id for org_id in changes.values() if org_id not in directory.orgs]
    if unknown:
        raise OrgFileError(texts.REF_ORG_UNKNOWN)
    with transaction(con):
        directory.spellings.update(changes)
        named = set(directory.spellings.values())
        parents = {org.parent_id for org in directory.orgs.values()}
        for org in list(directory.orgs.values()):
            if org.origin == ORIGIN_FORMS and org.org_id not in named and org.org_id not in parents:
                directory.remove(org.org_id)
        flush(con, directory)
        rebuild_spellings(con, directory)


def _blank_to_none(value) -> str | None:
    """A cell of the page's table as text; None where blank (None, NaN, <NA>, "")."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(value).strip() or None


def table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every organisation, with how many current forms print it and the spellings they use."""
    return con.execute(
        """
        WITH printed AS (
            SELECT f.form_id, unnest([nullif(trim(f.department), ''), nullif(trim(f.unit), '')]) AS spelling
            FROM forms f WHERE f.superseded_by IS NULL
        )
        SELECT o.org_id, o.code, o.name, o.parent_id, o.origin,
               coalesce(n.forms, 0) AS forms, coalesce(n.spellings, '') AS spellings
        FROM ref_organisations o
        LEFT JOIN (
            SELECT s.org_id, count(DISTINCT p.form_id) AS forms,
                   string_agg(DISTINCT s.spelling, ' / ' ORDER BY s.spelling) AS spellings
            FROM ref_org_spellings s JOIN printed p ON p.spelling = s.spelling
            GROUP BY s.org_id
        ) n ON n.org_id = o.org_id
        ORDER BY o.parent_id NULLS FIRST, o.code NULLS LAST, o.name
        """
    ).df()
