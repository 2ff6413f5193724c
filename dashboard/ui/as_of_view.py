"""总览 "as of" a past snapshot of a lake (store/snapshots.py): what leadership saw at last month's meeting.

The choice sits in the sidebar of 总览 (a lake only: a file keeps no past states, and the choice is not
drawn there): an import batch from a list of the recent ones, or a snapshot number. app.py asks `chosen()`
before the run and reads the whole run at that snapshot (db.shared_reads); the page says which one
(`statement`), and its report download is built from the same snapshot.
"""

from __future__ import annotations

import streamlit as st

from dashboard.core import texts
from dashboard.store import schema, snapshots
from dashboard.ui import db

KEY_BATCH = "as_of_batch"  # the selectbox: None (the latest) or a batch id
KEY_SNAPSHOT = "as_of_snapshot"  # the number input: 0 (none) or a snapshot id; wins over the batch
SHOWN_BATCHES = 50  # the most recent batches listed; earlier states by snapshot number


def chosen() -> snapshots.AsOf | None:
    """The past state this session picked on 总览, or None (the latest, or a file, or nothing valid)."""
    if not db.on_lake() or db.problem() is not None:  # the page says what is wrong (start_page)
        return None
    found = _resolve(db.latest_key(), st.session_state.get(KEY_BATCH), int(st.session_state.get(KEY_SNAPSHOT) or 0))
    return found if isinstance(found, snapshots.AsOf) else None


@st.cache_data(ttl=600, max_entries=64, show_spinner=False)
def _resolve(latest_key: str, batch: int | None, snapshot: int) -> snapshots.AsOf | str | None:
    """The AsOf of a choice, or the Chinese reason it names nothing; keyed by the latest snapshot (a batch's
    state ends when the next batch arrives)."""
    if not batch and not snapshot:
        return None
    with db.catalog_cursor() as cur:
        try:
            return snapshots.as_of_snapshot(cur, snapshot) if snapshot else snapshots.as_of_batch(cur, int(batch or 0))
        except schema.StoreError as error:
            return db.shown_error(error)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _recent(latest_key: str) -> tuple[dict[int, str], int]:
    """The recent batches as the list shows them, and the latest snapshot id."""
    with db.catalog_cursor() as cur:
        batches = snapshots.recent_batches(cur, SHOWN_BATCHES)
        latest = snapshots.current(cur)
    labels = {
        int(row.batch_id): texts.AS_OF_BATCH_OPTION.format(
            batch=row.batch_id, time=row.imported_at.strftime(texts.AS_OF_TIME_FORMAT), file=row.file_name
        )
        for row in batches.itertuples()
    }
    return labels, latest


def choice() -> None:
    """The sidebar choice on 总览 (a lake only), and, while a past state is shown, which one it is."""
    if not db.on_lake() or db.problem() is not None:
        return
    latest_key = db.latest_key()
    labels, latest = _recent(latest_key)
    sidebar = st.sidebar
    sidebar.divider()
    sidebar.selectbox(
        texts.AS_OF_LABEL,
        [None, *labels],
        format_func=lambda batch: texts.AS_OF_LATEST if batch is None else labels.get(batch, str(batch)),
        key=KEY_BATCH,
        help=texts.AS_OF_HELP.format(count=SHOWN_BATCHES, latest=latest),
    )
    sidebar.number_input(
        texts.AS_OF_SNAPSHOT_LABEL, min_value=0, step=1, key=KEY_SNAPSHOT, help=texts.AS_OF_SNAPSHOT_HELP
    )
    found = _resolve(latest_key, st.session_state.get(KEY_BATCH), int(st.session_state.get(KEY_SNAPSHOT) or 0))
    if isinstance(found, str):
        sidebar.error(found, icon=":material/history:")
    shown = db.run_as_of()
    if shown is not None:
        st.info(shown.statement(), icon=":material/history:")
