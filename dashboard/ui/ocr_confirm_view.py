"""导入 page section: forms read by OCR and held, each cell to check shown beside its image, confirmed or corrected
by a person (dashboard/importing/ocr_confirm.py does the work; the page passes how to write)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.core import texts
from dashboard.importing import ocr_confirm
from dashboard.security.untrusted import display_name
from dashboard.ui import db

Work = Callable[[str, dict[int, str]], str]  # (form id, {ocr cell position: value}) → what to tell the person


def show_held_scans(confirm: Callable[[Callable[[], object]], None], work: Work) -> None:
    """The held forms (the first ocr_confirm.HELD_LIST_LIMIT), one chosen at a time; `work(form_id, values)` stores a
    confirmation and returns what to say, `confirm(job)` runs it the page's way (errors said, then a rerun)."""
    if db.problem() is not None:
        return
    with db.cursor() as cur:
        held = ocr_confirm.held_forms(cur)
    if held.empty:
        return
    st.subheader(texts.OCR_CONFIRM_TITLE)
    st.caption(texts.OCR_CONFIRM_INTRO)
    labels = {row.form_id: _label(row) for row in held.itertuples()}
    form_id = st.selectbox(
        texts.OCR_CONFIRM_TITLE, list(labels), format_func=labels.__getitem__, key="import_page_ocr_form",
        label_visibility="collapsed",
    )  # fmt: skip
    if len(held) >= ocr_confirm.HELD_LIST_LIMIT:
        st.caption(texts.OCR_CONFIRM_MORE.format(count=len(held)))
    with db.cursor() as cur:
        reasons = ocr_confirm.hold_reasons(cur, form_id)
        cells = ocr_confirm.cells_to_check(cur, form_id)
    with st.container(border=True):
        st.markdown(f"**{texts.OCR_CONFIRM_REASONS}**")
        for reason in reasons:
            st.text(reason)  # names cells as read: data, never Markdown
        with st.form(key=f"import_page_ocr_confirm_{form_id}", border=False):
            values = _unsure_inputs(form_id, [cell for cell in cells if cell.unsure])
            values.update(_other_cells(form_id, [cell for cell in cells if not cell.unsure]))
            if st.form_submit_button(
                texts.OCR_CONFIRM_BUTTON,
                type="primary",
                icon=":material/task_alt:",
                key=f"import_page_ocr_submit_{form_id}",
            ):
                confirm(lambda: work(form_id, values))


def _label(row) -> str:
    pages = "、".join(str(page) for page in (row.source_pages if row.source_pages is not None else []))
    return texts.OCR_CONFIRM_FORM.format(
        name=row.project_name or texts.DASH,
        file=display_name(row.source_file),
        pages=pages or texts.DASH,
        unit=row.unit or texts.DASH,
    )  # fmt: skip  (selectbox options are plain text, not Markdown)


def _unsure_inputs(form_id: str, cells: list[ocr_confirm.CellToCheck]) -> dict[int, str]:
    """Each unsure cell: its image beside a text box holding what was read (what the person confirms)."""
    if not cells:
        return {}
    st.markdown(f"**{texts.OCR_CONFIRM_UNSURE.format(count=len(cells))}**")
    values = {}
    for cell in cells:
        picture, value = st.columns([3, 2], vertical_alignment="center")
        if cell.crop:
            picture.image(cell.crop)
        else:
            picture.text(texts.OCR_CONFIRM_NO_IMAGE)
        picture.text(texts.OCR_CONFIRM_CELL.format(page=cell.page, text=cell.text, confidence=cell.confidence))
        values[cell.position] = value.text_input(
            texts.OCR_CONFIRM_VALUE, value=cell.text, key=f"import_page_ocr_{form_id}_{cell.position}"
        )
    return values


def _other_cells(form_id: str, cells: list[ocr_confirm.CellToCheck]) -> dict[int, str]:
    """The form's other number cells in an editable table (image, as read, confidence, value): only the values
    a person changed are returned."""
    if not cells:
        return {}
    with st.expander(texts.OCR_CONFIRM_OTHERS.format(count=len(cells))):
        frame = pd.DataFrame(
            {
                "image": [_data_url(cell.crop) for cell in cells],
                "page": [cell.page for cell in cells],
                "text": [cell.text for cell in cells],
                "confidence": [cell.confidence for cell in cells],
                "value": [cell.text for cell in cells],
            },
            index=[cell.position for cell in cells],
        )
        edited = st.data_editor(
            frame,
            hide_index=True,
            disabled=["image", "page", "text", "confidence"],
            column_config={
                "image": st.column_config.ImageColumn(texts.OCR_CONFIRM_IMAGE),
                "page": st.column_config.NumberColumn(texts.OCR_CONFIRM_PAGE, format="%d"),
                "text": st.column_config.TextColumn(texts.OCR_CONFIRM_READ),
                "confidence": st.column_config.ProgressColumn(
                    texts.OCR_CONFIRM_CONFIDENCE, min_value=0.0, max_value=1.0, format="percent"
                ),
                "value": st.column_config.TextColumn(texts.OCR_CONFIRM_VALUE),
            },
            key=f"import_page_ocr_others_{form_id}",
        )
    return {
        int(position): str(value)
        for position, value, text in zip(edited.index, edited["value"], frame["text"], strict=True)
        if isinstance(value, str) and value.strip() != text
    }


def _data_url(png: bytes) -> str | None:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else None
