"""参考数据's 偏差原因分类 tab on the sample database: the unclassified reason listed for a person to classify,
the rules shown, and the editor's changes read back as assignments."""

from __future__ import annotations

import pandas as pd

from dashboard.core import texts
from dashboard.reference import reason_classes
from dashboard.ui.pages import reference_page
from tests.app.test_pages import run_app

PAGE = "ui/pages/reference_page.py"


def frame_by_key(at, key: str) -> pd.DataFrame:
    return next(frame.value for frame in at.dataframe if frame.key == key)


def test_unclassified_reasons_are_listed(sample_env, con):
    at = run_app(PAGE)
    editor = frame_by_key(at, "reference_reasons_0")
    assert len(editor) == 1 and editor["reason"][0].startswith("改进措施：一是持续推进窗口人员培训")
    assert editor["reason_class"][0] == texts.REASON_UNCLASSIFIED
    (count,) = con.execute(
        "SELECT count(DISTINCT i.reason) FROM indicators i JOIN forms f USING (form_id) "
        "WHERE f.superseded_by IS NULL AND NOT i.no_reason AND i.reason IS NOT NULL"
    ).fetchone()
    summary = texts.REF_REASONS_SUMMARY.format(reasons=count, unclassified=1, indicators=1)
    assert summary in [m.value for m in at.markdown]
    rules = at.dataframe[-1].value  # the rules, after the reasons
    assert len(rules) == len(reason_classes.DEFAULT_RULES)
    assert rules.iloc[1].tolist() == ["外部因素", "疫情", texts.REF_RULE_MATCHES["keyword"], "疫情|新冠|防疫|防控要求"]


def test_editor_changes_become_assignments():
    before = pd.DataFrame(
        {"reason": ["甲", "乙", "丙"], "reason_class": ["未分类", "执行", "外部因素"],
         "reason_subclass": ["", "采购延迟", "疫情"], "source": ["未匹配"] * 3, "indicators": [1, 2, 3]}
    )  # fmt: skip
    after = before.copy()
    after.loc[0, ["reason_class", "reason_subclass"]] = ["证据不足", "无佐证材料"]
    after.loc[1, "reason_class"] = texts.REF_TYPES_BY_RULE
    assert reference_page.reason_changes(before, after) == {"甲": ("证据不足", "无佐证材料"), "乙": None}
