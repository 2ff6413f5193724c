"""The OCR engine: RapidOCR's PP-OCR recognition model on onnxruntime, reading lines of text cut from a scan.

The models ship inside the `rapidocr-onnxruntime` wheel (its `models/` folder); nothing is downloaded, and
`engine()` refuses to start if the configured model files are not the wheel's own. Only the recognition model
is used: the table's ruling lines already cut the page into cells and each cell into lines (ocr_image.py), so
the detection model (the slow half of a whole-page run, see README "扫描件") is not needed.

One engine per process (the parser workers each load their own, about 0.3 s), created on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from dashboard.core import texts
from dashboard.core.model import FormReadError

# Lines handed to the model in one batch. The model pads a batch to its widest line; lines are sorted by
# width first, so a larger batch costs little padding and saves per-call overhead.
REC_BATCH = 16
# The narrowest batch the model is given (pixels at its 48-pixel line height). The wheel's 320 pads every
# short cell ("0.00", "10") to 320 pixels; 160 read the same texts on the seed forms in 60 % of the time
# (measured: 4.7 s against 7.2 s for a page's 118 lines), where 96 or 128 read a lone "0" as "o".
REC_MIN_WIDTH = 160
# Threads per model run: one, so that two workers (two pages) use the two cores without contending.
REC_THREADS = 1


@functools.cache
def engine():
    """The text recogniser, its model loaded from the installed wheel (never fetched)."""
    try:
        import rapidocr_onnxruntime
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
        from rapidocr_onnxruntime.utils import read_yaml
    except ImportError as error:  # a broken install: said in the file's line, not a crash
        raise FormReadError(texts.REASON_OCR_UNAVAILABLE, str(error)) from error
    root = Path(rapidocr_onnxruntime.__file__).resolve().parent
    config = read_yaml(str(root / "config.yaml"))["Rec"]
    model = (root / config["model_path"]).resolve()
    if root not in model.parents or not model.is_file():
        raise FormReadError(texts.REASON_OCR_UNAVAILABLE, f"model not in the wheel: {model}")
    config = {
        **config,
        "model_path": str(model),
        "rec_batch_num": REC_BATCH,
        "rec_img_shape": [3, 48, REC_MIN_WIDTH],
        "intra_op_num_threads": REC_THREADS,
        "inter_op_num_threads": REC_THREADS,
    }
    return TextRecognizer(config)


def recognise(lines: Sequence[np.ndarray]) -> list[tuple[str, float]]:
    """(text, confidence 0–1) of each line image (grey or BGR), in order; ("", 0.0) for an empty list entry."""
    if not lines:
        return []
    import cv2

    images = [line if line.ndim == 3 else cv2.cvtColor(line, cv2.COLOR_GRAY2BGR) for line in lines]
    found, _elapsed = engine()(images)
    return [(str(text), float(score)) for text, score in found]
