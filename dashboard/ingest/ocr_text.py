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
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from dashboard.core import texts
from dashboard.core.model import FormReadError

# Lines handed to the model in one batch. The model pads a batch to its widest line; lines are sorted by
# width first, so a larger batch costs little padding and saves per-call overhead.
REC_BATCH = 16
# The model's input columns (48-pixel-high line widths, padded to the batch's widest) in one batch. The model's
# working memory grows with the batch's columns: sixteen long lines (a goal text across the table, 2,000 columns
# each) took hundreds of MB at once and, two pages at a time, ran a parser worker into its memory cap
# (onnxruntime std::bad_alloc). Long lines go in smaller batches; short cells still sixteen at a time.
REC_BATCH_COLUMNS = 8_000
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


@dataclass(frozen=True)
class Reading:
    """A line as the model read it: its text, its confidence (the mean of its characters' probabilities, as
    RapidOCR gives it) and, for each character of the text, the model's candidates at that step, best first
    ((character, probability), the first being the character read)."""

    text: str
    confidence: float
    choices: tuple[tuple[tuple[str, float], ...], ...] = ()
    # The line decoded over NUMBER_CHARACTERS only, and the least probability of a character of it: what the line
    # reads as where it is known to be a number (a 分值 column: "S" is 5).
    number: str = ""
    number_confidence: float = 0.0
    # The text with the decimal point the model weighed most (POINTED_MIN or more) between two digits but did not
    # print ("1.25" for "125"), "" where it weighed none; and that point's probability.
    pointed: str = ""
    point_probability: float = 0.0


CHOICES_KEPT = 3  # candidates kept for each character read
# A decimal point this probable between two digits is kept as the reading's runner-up (Reading.pointed), which the
# form's arithmetic may choose (ocr_image.mend_score_points; at 150 dpi "125" for 1.25 weighed it at 0.006).
POINTED_MIN = 0.0005
POINT_DOUBT_MIN = 0.05  # a decimal point this probable between two digits read without one makes the number unsure


def recognise(lines: Sequence[np.ndarray]) -> list[Reading]:
    """Each line image (grey or BGR) read, in order. Batches as RapidOCR's own TextRecognizer does (lines
    sorted by width, padded to the batch's widest), decoded greedily as its CTC decoder does, keeping each
    step's runners-up (ocr_image.py weighs them against the label vocabulary)."""
    if not lines:
        return []
    import cv2

    model = engine()
    characters = model.postprocess_op.character
    numeric = number_classes(tuple(characters))
    images = [line if line.ndim == 3 else cv2.cvtColor(line, cv2.COLOR_GRAY2BGR) for line in lines]
    ratios = [image.shape[1] / float(image.shape[0]) for image in images]
    order = np.argsort(np.array(ratios))
    _channels, height, width = model.rec_image_shape
    found: list[Reading] = [Reading("", 0.0)] * len(images)
    for part in batches([ratios[index] for index in order], width / height, height):
        batch = order[part]
        widest = max(width / height, *(ratios[index] for index in batch))
        tensor = np.concatenate([model.resize_norm_img(images[index], widest)[np.newaxis, :] for index in batch])
        predictions = model.session(tensor.astype(np.float32))[0]
        step_pixels = height * widest / predictions.shape[1]  # model input pixels per output step
        for index, steps in zip(batch, predictions, strict=True):
            reading = with_leading_digit(
                images[index], steps, decode(steps, characters), step_pixels / height, characters
            )
            reading = with_number(reading, steps, characters, numeric)
            found[index] = with_comparator(images[index], steps, reading, step_pixels / height, characters)
    return found


def batches(ratios: Sequence[float], narrowest: float, height: int) -> list[slice]:
    """Consecutive runs of lines (their width ÷ height `ratios`, ascending) of at most REC_BATCH lines whose padded
    width (count × the widest, at `height` pixels, no narrower than `narrowest`) stays within REC_BATCH_COLUMNS; a
    line wider than that goes alone."""
    found, start = [], 0
    while start < len(ratios):
        stop = start + 1
        while (
            stop < len(ratios)
            and stop - start < REC_BATCH
            and (stop - start + 1) * max(narrowest, ratios[stop]) * height <= REC_BATCH_COLUMNS
        ):
            stop += 1
        found.append(slice(start, stop))
        start = stop
    return found


# The comparators and what the model reads for them: "《" before a digit is no book title but a "≤" or "<" (at
# 200 dpi the model read "≤30万元" as "《30万元").
GREATER, LESS = "≥>＞》", "≤<＜《"
# The model's probability of a comparator at a skipped glyph that lets its shape decide. The glyph's bar is the
# evidence; the model's weight only says a comparator may stand there (seeds 9, 13, 14, 15, 17 at 150 dpi +0.5°:
# 5 comparators lost at 0.02, 2 at 0.01, 1 at 0.005, and none put where none is printed, there or at 200 dpi). A
# comparator put in lowers the line's confidence to at most this probability: a person confirms it.
COMPARATOR_MIN = 0.005
# A comparator glyph at least this share of the following characters' height has its bar (≥ ≤: as high as the
# digits, measured 0.9–1.0); ">" and "<" stand in the middle of the line (0.55–0.65).
BAR_HEIGHT_SHARE = 0.75
INK_BELOW_BACKGROUND = 40  # grey levels below the line's median that are ink
INKED_COLUMNS_MIN = 3  # pixel columns with ink that make a glyph (fewer: specks)


def ink_mask(image: np.ndarray) -> np.ndarray:
    """The line image's ink: pixels INK_BELOW_BACKGROUND grey levels darker than its median."""
    gray = image[:, :, 0] if image.ndim == 3 else image
    return gray < np.median(gray) - INK_BELOW_BACKGROUND


def inked_columns(ink: np.ndarray, edge: int) -> np.ndarray:
    """The pixel columns left of `edge` with ink in them."""
    return np.flatnonzero(ink[:, : max(0, edge)].any(axis=0))


def with_comparator(
    image: np.ndarray, steps: np.ndarray, reading: Reading, step_heights: float, characters: Sequence[str]
) -> Reading:
    """A number read without the "≥" (or "≤") printed before it: at a scan's small print the model reads ">" but
    skips "≥" (measured on 150 dpi scans: the glyph is there, the steps before the first digit weigh ≥ and > at
    2–50 %, and the text starts at the digit), or reads it as ">" (or "《" for "≤"). Where the text starts with a
    digit or a comparator read without its bar (">", "<", "《", "》"),
    the model weighed a comparator (COMPARATOR_MIN) at the steps before that digit, and a glyph stands there
    as high as the digits (BAR_HEIGHT_SHARE: it has the bar), the comparator with a bar is put in front. The
    line's confidence falls to the comparator's probability where that is lower: a person sees the doubt."""
    text = reading.text
    if not text or not (text[0].isdigit() or (text[0] in "><《》" and text[1:2].isdigit())):
        return reading
    best = steps.argmax(axis=1)
    read = np.flatnonzero(best)
    first = int(read[0])
    stop = first + 1 if not text[0].isdigit() else first
    if stop == 0:
        return reading
    greater = float(steps[:stop, [characters.index(char) for char in GREATER]].sum(axis=1).max())
    less = float(steps[:stop, [characters.index(char) for char in LESS]].sum(axis=1).max())
    if max(greater, less) < COMPARATOR_MIN:
        return reading
    ink = ink_mask(image)
    step_pixels = step_heights * ink.shape[0]
    if text[0].isdigit():
        edge = int(first * step_pixels) - 2
    else:  # the glyph read reaches halfway to the next character read: a "≤" is wider than its step
        following = next((int(step) for step in read if best[step] != best[first]), first + 1)
        edge = int(((first + following) / 2 + 0.5) * step_pixels)
    columns = inked_columns(ink, edge)
    if len(columns) < INKED_COLUMNS_MIN:
        return reading
    start = end = int(columns[0])
    for column in columns[1:]:
        if column - end > 1:
            break
        end = int(column)
    glyph_rows = np.flatnonzero(ink[:, start : end + 1].any(axis=1))
    rest_rows = np.flatnonzero(ink[:, end + 2 :].any(axis=1))
    if not len(glyph_rows) or not len(rest_rows):
        return reading
    high, rest_high = glyph_rows[-1] - glyph_rows[0] + 1, rest_rows[-1] - rest_rows[0] + 1
    if high < BAR_HEIGHT_SHARE * rest_high or end - start + 1 > 1.2 * rest_high:  # ">", or a glyph run into a digit
        return reading
    sign = "≥" if greater >= less else "≤"
    if not text[0].isdigit() and (text[0] in GREATER) != (sign == "≥"):
        return reading  # the glyph read points the other way
    body = text if text[0].isdigit() else text[1:]
    choices = (((sign, max(greater, less)),),) + (reading.choices if text[0].isdigit() else reading.choices[1:])
    return replace(reading, text=sign + body, confidence=min(reading.confidence, max(greater, less)), choices=choices)


# A digit this probable at a step before a line's first character, where the model put a blank and ink stands,
# was printed: at 150 dpi a lone "0" before a unit ("0起") was weighed at 0.06–0.44 and dropped.
LEADING_DIGIT_MIN = 0.05


def with_leading_digit(
    image: np.ndarray, steps: np.ndarray, reading: Reading, step_heights: float, characters: Sequence[str]
) -> Reading:
    """A line starting with a character that is no digit, the model having weighed a digit (LEADING_DIGIT_MIN or
    more) at a step before it where a glyph is inked (`inked_before`): that digit in front, and the line's
    confidence no higher than its probability (a person confirms it)."""
    text = reading.text
    if not text or text[0].isdigit() or len(reading.choices) != len(text):
        return reading
    first = int(np.flatnonzero(steps.argmax(axis=1))[0])
    if first == 0 or not inked_before(image, int(first * step_heights * image.shape[0]) - 2):
        return reading
    digits = [characters.index(char) for char in "0123456789"]
    before = steps[:first][:, digits]
    step, which = np.unravel_index(int(before.argmax()), before.shape)
    probability = float(before[step, which])
    if probability < LEADING_DIGIT_MIN:
        return reading
    digit = characters[digits[int(which)]]
    return replace(
        reading,
        text=digit + text,
        confidence=min(reading.confidence, probability),
        choices=(((digit, probability),), *reading.choices),
    )


def inked_before(image: np.ndarray, edge: int) -> bool:
    """Whether a glyph is inked left of `edge` (INKED_COLUMNS_MIN pixel columns or more)."""
    return len(inked_columns(ink_mask(image), edge)) >= INKED_COLUMNS_MIN


NUMBER_CHARACTERS = "0123456789.,%"


@functools.cache
def number_classes(characters: tuple[str, ...]) -> np.ndarray:
    """The model's classes of the blank (0) and of NUMBER_CHARACTERS."""
    return np.array([0, *(characters.index(char) for char in NUMBER_CHARACTERS if char in characters)])


def with_number(reading: Reading, steps: np.ndarray, characters: Sequence[str], classes: np.ndarray) -> Reading:
    """The reading with its decoding over `classes` (number_classes) only, greedy as `decode`: each step's best of
    those classes, repeats joined, blanks dropped."""
    best = classes[steps[:, classes].argmax(axis=1)]
    keep = best != 0
    keep[1:] &= best[1:] != best[:-1]
    picked = np.flatnonzero(keep)
    if not len(picked):
        return reading
    text = "".join(characters[klass] for klass in best[picked])
    return replace(reading, number=text, number_confidence=float(steps[picked, best[picked]].min()))


def decode(steps: np.ndarray, characters: Sequence[str]) -> Reading:
    """Greedy CTC decoding of one line's (steps × classes) probabilities: the best class of each step, repeats
    joined, blanks (class 0) dropped."""
    best = steps.argmax(axis=1)
    keep = best != 0
    keep[1:] &= best[1:] != best[:-1]
    picked = np.flatnonzero(keep)
    if not len(picked):
        return Reading("", 0.0)
    probabilities = steps[picked, best[picked]]
    ranked = np.argsort(-steps[picked], axis=1)[:, : CHOICES_KEPT + 1]
    choices = tuple(
        tuple((characters[klass], float(steps[step, klass])) for klass in row if klass != 0)[:CHOICES_KEPT]
        for step, row in zip(picked, ranked, strict=True)
    )
    text = "".join(characters[klass] for klass in best[picked])
    confidence = float(np.mean(probabilities))
    if "." not in text and sum(char.isdigit() for char in text) >= 2:
        # A decimal point the model weighed between two digits but did not print ("25" for 2.5, measured at
        # 150 dpi: 13 %): the number keeps that doubt, so the cell is named for a person to confirm.
        between = [step for step in range(int(picked[0]) + 1, int(picked[-1])) if best[step] == 0]
        dot = characters.index(".")
        point, at = max(((float(steps[step, dot]), step) for step in between), default=(0.0, 0))
        if point >= POINT_DOUBT_MIN:
            confidence = min(confidence, 1 - point)
        if point >= POINTED_MIN:
            before = int((picked < at).sum())
            return Reading(
                text, confidence, choices, pointed=text[:before] + "." + text[before:], point_probability=point
            )
    return Reading(text, confidence, choices)
