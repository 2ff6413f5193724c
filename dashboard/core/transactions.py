"""One DuckDB transaction as a `with` block: committed when the block ends, rolled back when it raises; and
which errors say that another writer committed a conflicting change first (a DuckLake's many writers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")  # inside the try: a COMMIT that fails (disk full) is rolled back too
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.TransactionException as error:  # a COMMIT that failed may have ended it already
            if "no transaction is active" not in str(error):
                raise
        raise


def is_conflict(error: BaseException) -> bool:
    """Whether a transaction failed because another one committed a conflicting change first: on a DuckLake,
    "Transaction conflict" (the whole transaction can be run again on the newer snapshot); on a file,
    DuckDB's own write-write conflict between two connections."""
    return isinstance(error, duckdb.TransactionException) and "conflict" in str(error).lower()


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query (None where it has none), its result read to the end.

    DuckDB ≥ 2 refuses `register` and `sql` on a connection whose last result is unfinished, and
    `fetchone()` leaves a one-row result unfinished: an import whose last file was already imported
    crashed in versions.place (issue 24). Every one-row read on a writer's connection goes through here.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def only_row(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple:
    """The one row of a query that always returns one (an aggregate without GROUP BY, a RETURNING insert)."""
    row = first_row(con, sql, params)
    if row is None:
        raise LookupError(f"no row from a query that always returns one: {sql}")
    return row
