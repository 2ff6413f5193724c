"""The SQL that differs between the two places a database can live: one DuckDB file, or a DuckLake (tables as
Parquet files in a data folder, the catalog in PostgreSQL; connected by dashboard/store/lake.py).

DuckLake has no PRIMARY KEY, UNIQUE, sequences, non-literal defaults or RETURNING. The tables keep one
definition each (the file's DDL); `execute_ddl` translates it for a lake. Ids a sequence gives on the file
come from a PostgreSQL sequence of the same name in the lake's catalog database (`next_id`): PostgreSQL's
`nextval` never hands one number out twice, whichever process or machine asks, so ids stay unique with
many writers. Keys the file's PRIMARY KEY kept unique (meta's key) are replaced by delete-then-insert
(`put_meta`).
"""

from __future__ import annotations

import re

import duckdb

LAKE_ALIAS = "lake"  # the name a lake is attached under (store/lake.py); its catalog is __ducklake_metadata_lake
LAKE_CATALOG = f"__ducklake_metadata_{LAKE_ALIAS}"  # the lake's catalog tables, as DuckDB names them


def sql_text(value: object) -> str:
    """`value` as an SQL string literal ('…', quotes doubled): for texts and paths written into SQL that takes no
    parameters there (ATTACH, CASE constants in generated SQL)."""
    return "'" + str(value).replace("'", "''") + "'"


_SEQUENCE = re.compile(r"CREATE SEQUENCE IF NOT EXISTS (\w+);\s*")
_NEXTVAL_DEFAULT = re.compile(r"\s+DEFAULT nextval\('\w+'\)")
_KEY = re.compile(r"\s+(PRIMARY KEY|UNIQUE)\b")


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this connection's current database is a DuckLake (not a DuckDB file)."""
    rows = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return bool(rows) and rows[0][0] == "ducklake"


def lake_ddl(ddl: str) -> tuple[str, list[str]]:
    """The file's DDL for a lake: no sequences, no nextval defaults, no PRIMARY KEY / UNIQUE (NOT NULL stays);
    and the names of the sequences it created, which next_id serves from PostgreSQL instead."""
    sequences = _SEQUENCE.findall(ddl)
    return _KEY.sub("", _NEXTVAL_DEFAULT.sub("", _SEQUENCE.sub("", ddl))), sequences


_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", re.DOTALL)
_SEQUENCE_COLUMN = re.compile(r"^\s*(\w+)\s[^\n]*DEFAULT nextval\('(\w+)'\)", re.MULTILINE)


def sequence_columns(ddl: str) -> dict[str, tuple[str, str]]:
    """Each sequence of the DDL with the (table, column) it numbers (a copy moves it past the copied ids)."""
    return {
        sequence: (table, column)
        for table, body in _TABLE.findall(ddl)
        for column, sequence in _SEQUENCE_COLUMN.findall(body)
    }


def execute_ddl(con: duckdb.DuckDBPyConnection, ddl: str) -> None:
    """Run CREATE … IF NOT EXISTS statements on either backend (on a lake, translated by lake_ddl)."""
    if not is_lake(con):
        con.execute(ddl)
        return
    translated, sequences = lake_ddl(ddl)
    for name in sequences:
        con.execute("CALL postgres_execute(?, ?)", [LAKE_CATALOG, f"CREATE SEQUENCE IF NOT EXISTS {name}"])
    con.execute(translated)


def next_id(con: duckdb.DuckDBPyConnection, sequence: str, above: int = 0) -> int:
    """The next number of a sequence the DDL creates: DuckDB's own on a file, PostgreSQL's on a lake.

    `above` (a lake only): the largest id the table holds, where some were written without the sequence (a
    lake copied from a file, ids kept; organisations numbered before they took ids from it): the sequence
    is moved past it first, under a PostgreSQL lock that every such call takes, so two writers catching it
    up at once still get two numbers."""
    if not re.fullmatch(r"\w+", sequence):
        raise ValueError(sequence)
    if is_lake(con):
        query = f"SELECT nextval(''{sequence}'')"
        if above:
            query = (
                f"SELECT setval(''{sequence}'', greatest(nextval(''{sequence}''), {int(above) + 1})) "
                f"FROM (SELECT pg_advisory_xact_lock(hashtext(''{sequence}''))) AS locked"
            )
        sql = f"SELECT * FROM postgres_query('{LAKE_CATALOG}', '{query}')"
    else:
        sql = f"SELECT nextval('{sequence}')"
    return int(con.execute(sql).fetchall()[0][0])


def set_sequence(con: duckdb.DuckDBPyConnection, sequence: str, last: int) -> None:
    """A lake's sequence set so that its next number is `last` + 1 (a lake copied with its ids kept)."""
    if not re.fullmatch(r"\w+", sequence):
        raise ValueError(sequence)
    con.execute("CALL postgres_execute(?, ?)", [LAKE_CATALOG, f"SELECT setval('{sequence}', {int(last) + 1}, false)"])


def put_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Set one `meta` row (the table's key is `key`): INSERT OR REPLACE on a file; delete, then insert on a lake
    (no keys there; the caller's transaction makes the two one change)."""
    if is_lake(con):
        con.execute("DELETE FROM meta WHERE key = ?", [key])
        con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
    else:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
