"""Checks across a file's forms and inside each form that every reader shares: what damage to a file leaves
behind where no checksum catches it (a text copy, a PDF object overwritten with its size kept).

Each check only adds a reader finding (rule parse_uncertain, a warning): the form is stored and counted as
read, and 复核 lists it for a person to compare with the original. A fuzz run of damaged files
(benchmarks/fuzz_import.py) found each case: a 二级指标 that lost or gained one character, a row whose name
slid into the next cell, and a 主管部门 or project code that every other form of the file prints, lost
from one form because its label was damaged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from dashboard.core import domain, texts
from dashboard.core.model import Check, Form
from dashboard.ingest.cells import label_key, one_edit_apart
from dashboard.ingest.grid import uncertain

# Header fields a file prints on all its forms or on none; a form of a file that prints one on every
# other form and lacks it has lost it (at least this many other forms must print it).
FILE_FIELDS = ("project_code", "department", "unit")
# Header fields each form prints with its own value: only a blank one, among siblings that all print it, is suspect.
FORM_FIELDS = ("project_amount",)
MIN_OTHERS = 2
_LEVEL1_KEYS = {label_key(label): label for label in domain.STANDARD_LEVEL1_LABELS}
_LEVEL2_KEYS = {label_key(label): label for label in domain.STANDARD_LEVEL2_LABELS}


def check_forms(forms: Sequence[Form]) -> None:
    """Add the findings of every check to the forms of one file."""
    for form in forms:
        form.checks.extend(punctuation_name(form))
        form.checks.extend(points_on_fund_sub_rows(form))
        form.checks.extend(near_miss_levels(form))
        form.checks.extend(unnamed_indicators(form))
        form.checks.extend(labels_in_cells(form))
        form.checks.extend(rows_without_level2(form))
        form.checks.extend(categories_both_ways(form))
    fields_lost_in_file(forms)


def punctuation_name(form: Form) -> list[Check]:
    """A project name of punctuation alone ("：" from a damaged empty cell) is no name: the form is then incomplete
    (completeness: a project form needs its name), never counted under a name like "：" or "|"."""
    name = form.project_name or ""
    if not name.strip() or any(char.isalnum() for char in name):
        return []
    form.project_name = ""
    return [uncertain(texts.UNCERTAIN_NAME_PUNCTUATION.format(text=name))]


def points_on_fund_sub_rows(form: Form) -> list[Check]:
    """分值 or 得分 on a row under 年度资金总额: only the total row carries them ("—" on the others), so a number
    there is a cell another row's value slid into, or damage."""
    rows = form.funds.rows()
    return [
        uncertain(texts.UNCERTAIN_FUND_SUB_ROW_POINTS.format(row=texts.FUND_ROW_LABELS[key]))
        for key, row in rows.items()
        if key != "total" and (row.weight is not None or row.score is not None)
    ]


def near_miss_levels(form: Form) -> list[Check]:
    """A 一级/二级指标 one character away from a standard category of its level (生效益指标, 峼生态效益指标)."""
    found = []
    for attribute, standard_labels in (("level1", _LEVEL1_KEYS), ("level2", _LEVEL2_KEYS)):
        for label in dict.fromkeys(getattr(row, attribute) for row in form.indicators):
            key = label_key(label or "")
            if not key or key in standard_labels:
                continue
            near = [name for known, name in standard_labels.items() if one_edit_apart(key, known)]
            if near:
                found.append(uncertain(texts.UNCERTAIN_NEAR_LEVEL.format(label=label, standard="”或“".join(near))))
    return found


def unnamed_indicators(form: Form) -> list[Check]:
    """A row that prints values but no 三级指标 name: its name went into another cell."""
    return [
        uncertain(texts.UNCERTAIN_UNNAMED_INDICATOR.format(target=row.target or "—"))
        for row in form.indicators
        if not (row.name or "").strip() and (row.target or row.actual or row.weight is not None)
    ]


def labels_in_cells(form: Form) -> list[Check]:
    """A row whose name or reason is a category label (or one character off one): "社会效益徏标" read as the reason
    of the row above, "数量指标不可预见的政策性工作完成率" as a name — the label line lost its place."""
    found = []
    for row in form.indicators:
        for field, text in ((texts.EXPORT_COLUMNS["name"], row.name), (texts.EXPORT_COLUMNS["reason"], row.reason)):
            key = label_key(text or "")
            is_name = field == texts.EXPORT_COLUMNS["name"]
            if key and (_is_category(key, whole=not is_name) or (is_name and _starts_with_category_word(text or ""))):
                found.append(uncertain(texts.UNCERTAIN_LABEL_IN_CELL.format(name=row.name, field=field, text=text)))
    return found


def _is_category(key: str, whole: bool) -> bool:
    """Whether `key` is a 二级指标 (or one character off one); for a name, whether it starts with one."""
    for known in _LEVEL2_KEYS:
        if key == known or one_edit_apart(key, known):
            return True
        if not whole and len(key) > len(known) and one_edit_apart(key[: len(known)], known):
            return True  # a name that starts with a category with one character changed ("成本4标支出…")
        if not whole and key.startswith(known) and len(key) > len(known):
            return True
    return False


def _starts_with_category_word(name: str) -> bool:
    """A name whose first word, before a space, is a category or one character off one — also where the changed
    character is one `label_key` drops ("成本：标 支出进度达标率": 成本指标 with 指 turned into a colon)."""
    words = name.split()
    return len(words) > 1 and _is_category(label_key(words[0]), whole=True)


def rows_without_level2(form: Form) -> list[Check]:
    """A row with no 二级指标 in a form whose other rows all print one."""
    blank = [row for row in form.indicators if not (row.level2 or "").strip()]
    if len(blank) != 1 or len(form.indicators) < MIN_OTHERS + 1:
        return []
    return [uncertain(texts.UNCERTAIN_NO_LEVEL2.format(name=blank[0].name))]


def categories_both_ways(form: Form) -> list[Check]:
    """A category that prints a 不适用 row (it does not apply) and also rows that carry points: the label line of
    the category those rows belong to was lost, and they went under the one above ("满意度指标" lost, its rows
    read as 生态效益指标)."""
    unused: set[tuple[str, str]] = set()
    weighted: set[tuple[str, str]] = set()
    for row in form.indicators:
        group = (row.level1, row.level2)
        if domain.is_weighted(row.weight):
            weighted.add(group)
        elif domain.is_not_measured(row.name) and domain.is_not_measured(row.target):
            unused.add(group)
    return [
        uncertain(texts.UNCERTAIN_CATEGORY_BOTH_WAYS.format(label=level2 or level1))
        for level1, level2 in sorted(unused & weighted)
    ]


def fields_lost_in_file(forms: Sequence[Form]) -> None:
    """A header field every other form of the same kind in the file prints alike, blank on this one or cut short
    (a strict beginning of the others' value: "04020" where they print "0402009") or run on ("0402009 5施单位": the
    label after it damaged, read as part of the value); and a 项目金额 every other
    form prints (each its own), blank on this one ("项目名称 购置费 项\n目金额 3049800": label broken, amount lost)."""
    names = {**texts.FORM_HEADER_FIELDS, "project_code": texts.REF_RULE_FIELDS["code"]}
    for field in FILE_FIELDS + FORM_FIELDS:
        for kind in {form.form_kind for form in forms}:
            same = [form for form in forms if form.form_kind == kind]
            others = len(same) - 1
            if others < MIN_OTHERS:
                continue
            values = [_printed(getattr(form, field)) for form in same]
            blank = [form for form, value in zip(same, values, strict=True) if not value]
            if len(blank) == 1:
                blank[0].checks.append(
                    uncertain(texts.UNCERTAIN_FIELD_NOT_READ.format(field=names[field], others=others))
                )
            if field in FORM_FIELDS:
                continue
            common = Counter(values).most_common(1)[0]
            if common[1] != others:
                continue
            full = common[0]
            for form, value in zip(same, values, strict=True):
                if not value or value == full:
                    continue
                if full.startswith(value):
                    message = texts.UNCERTAIN_FIELD_CUT
                elif value.startswith(full):
                    message = texts.UNCERTAIN_FIELD_EXTENDED
                else:
                    continue
                form.checks.append(uncertain(message.format(field=names[field], text=value, others=others, full=full)))


def _printed(value: object) -> str:
    """A header value as printed, "" when the form has none (an amount of 0 is printed, not blank)."""
    return "" if value is None else str(value).strip()
