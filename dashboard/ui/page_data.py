"""Cached reads for the pages: the one module of the SQL side that knows Streamlit.

`read(queries.kpis, filters)` is `queries.kpis(connection, filters)` run on a read-only connection of
its own (db.cursor), remembered per database file and modification time (db.cache_key) and arguments.
The SQL modules (queries, review_queries) take a connection and know nothing of Streamlit, so tests
and the command line call them directly. db.clear_caches() forgets every result after an import.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard.ui import db

# How long cached results live, and how many argument combinations are kept per reader.
CACHE_TTL_SECONDS = 600
CACHE_MAX_ENTRIES = 256
_LOG = logging.getLogger(__name__)


def read(function: Callable[..., Any], *args, key_extra: str = "", **kwargs) -> Any:
    """`function(connection, *args, **kwargs)` for the current database file, from the cache when there.

    `key_extra`: something else the result depends on (e.g. the audit configuration's fingerprint).
    """
    name = f"{function.__module__}:{function.__qualname__}"
    return _read(db.cache_key(), key_extra, name, args, tuple(sorted(kwargs.items())))


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_MAX_ENTRIES, show_spinner=False)
def _read(db_key: str, key_extra: str, name: str, args: tuple, kwargs: tuple) -> Any:
    module, qualname = name.split(":")
    function = getattr(importlib.import_module(module), qualname)
    start = time.perf_counter()
    with db.cursor() as cur:
        result = function(cur, *args, **dict(kwargs))
    _LOG.debug("read %s in %.3f s", name, time.perf_counter() - start)  # what a cold page run spends, and where
    return result


def read_whole(function: Callable[..., Any], *args, **kwargs) -> Any:
    """`function(connection, *args, **kwargs)` run now and not remembered: for a whole table built when a
    download button is clicked, which the cache would otherwise keep (memory bounded by what is shown)."""
    with db.cursor() as cur:
        return function(cur, *args, **kwargs)
