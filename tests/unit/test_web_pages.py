"""Web pages (.html, .htm, .mhtml) read exactly: every form on the page, as the hand-written truth says.

The pages are written by tests/web_factory.py from tests/fixtures/seed_forms.json (the truth written by hand)
in the styles government sites use, UTF-8 and GBK, one form and all 22 forms per page, inside navigation,
banner and footer tables; the Sichuan, department and Chongqing layouts are read from HTML in test_layouts.py.
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path
from typing import ClassVar

import pytest

from dashboard.core import texts
from dashboard.core.model import FormReadError
from dashboard.importing import importer
from dashboard.ingest import web
from dashboard.ingest.files import MAX_FILE_BYTES, parse_file, precheck
from dashboard.store import connect, reads
from tests import web_factory
from tests.seed_truth import record_differences, seed_records

TRUTH = [record | {"year": 2021} for record in seed_records()]
ENCODINGS = {"utf-8": "utf-8", "gbk": "gb2312"}  # how the page is written → the charset it declares


def read(path: Path) -> list:
    return parse_file(path, path.name).forms


def assert_exact(forms, records) -> None:
    assert len(forms) == len(records)
    for form, want in zip(forms, records, strict=True):
        assert record_differences(form.to_record(), want) == [], want["project_name"]


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("style", list(web_factory.PAGES))
def test_every_form_on_one_page(tmp_path, style, encoding):
    page = web_factory.PAGES[style](TRUTH, ENCODINGS[encoding])
    path = tmp_path / "自评表.html"
    path.write_bytes(page.encode(encoding))
    assert_exact(read(path), TRUTH)


@pytest.mark.parametrize(("style", "encoding", "suffix"), [("cms", "gbk", ".htm"), ("modern", "utf-8", ".html")])
def test_one_form_per_page(tmp_path, style, encoding, suffix):
    for number, record in enumerate(TRUTH):
        path = tmp_path / f"{number}{suffix}"
        path.write_bytes(web_factory.PAGES[style]([record], ENCODINGS[encoding]).encode(encoding))
        assert_exact(read(path), [record])


def test_page_text_is_what_a_browser_shows():
    """Scripts, styles, navigation and hidden elements are no text; &nbsp; and <br> are; the caption is a line."""
    page = (
        "<html><head><title>项目名称</title><style>td{color:red}</style></head><body>"
        "<nav>首页</nav><script>document.write('项目名称')</script><div hidden>隐藏</div>"
        "<p style='DISPLAY: none'>也隐藏</p><p>  标题\n  一行 </p>"
        "<table><caption>表题</caption><tr><td>a&nbsp;&nbsp;b<br>第二行</td><td><p>一</p><p>二</p></td>"
        "<td>　全角空格　</td><td><b>项目</b>名称</td></tr></table></body></html>"
    )
    assert web.page_rows(page.encode()) == [
        ["标题 一行"],
        ["表题"],
        ["a  b\n第二行", "一\n二", "　全角空格　", "项目名称"],
    ]


def test_spans_are_placed_as_a_browser_places_them():
    """rowspan/colspan resolved (text where a cell starts, None where a span covers); rowspan="0" runs to the end
    of its row group and no span leaves its group; thead first and tfoot last wherever they are written."""
    page = """<table>
      <tfoot><tr><td>脚</td><td colspan="2">注</td></tr></tfoot>
      <thead><tr><th rowspan="2">甲</th><th colspan="2">乙</th></tr><tr><th>丙</th><th>丁</th></tr></thead>
      <tbody><tr><td rowspan="0">A</td><td>1</td><td rowspan="5">B</td></tr><tr><td>2</td></tr></tbody>
      <tbody><tr><td>x</td><td colspan="0">y</td><td colspan="3x">z</td></tr></tbody>
    </table>"""
    assert web.page_rows(page.encode()) == [
        ["甲", "乙", None],
        [None, "丙", "丁"],
        ["A", "1", "B"],
        [None, "2", None],
        ["x", "y", "z", None, None],
        ["脚", "注", None],
    ]


def test_layout_tables_are_read_as_blocks():
    """A table holding tables lays out the page: its cells are blocks, the tables inside them tables."""
    page = (
        "<table><tr><td>栏目</td><td><p>2021年度项目支出绩效自评表</p>"
        "<table><tr><td>项目名称</td><td>某项目</td></tr></table></td></tr></table>"
    )
    assert web.page_rows(page.encode()) == [["栏目"], ["2021年度项目支出绩效自评表"], ["项目名称", "某项目"]]


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        ("\ufeff<meta charset=gbk><p>项目名称</p>".encode(), None),  # the byte-order mark wins over <meta>
        ("<meta charset=utf-8><p>项目名称</p>".encode("gbk"), None),  # a wrong label: the content decides
        ('<meta http-equiv="Content-Type" content="text/html; charset=GB2312"><p>项目名称</p>'.encode("gbk"), None),
        ("<p>项目名称</p>".encode("gb18030"), None),  # no label at all
        ("<p>项目名称</p>".encode("gb18030"), "iso-8859-1"),  # a server's Western default is not believed
        ("<p>項目名稱</p>".encode("big5"), "big5"),
        ("\ufeff<p>项目名称</p>".encode("utf-16-le"), None),
        (
            b"<html><head>" + b"<!-- comment -->" * 200 + "<meta charset='big5'></head><p>項目名稱</p>".encode("big5"),
            None,
        ),
    ],
    ids=["bom", "wrong-label", "http-equiv", "no-label", "western-label", "big5", "utf-16", "late-meta"],
)
def test_encodings(data, declared):
    decoded = web.decode_page(data, declared)
    assert "项目名称" in decoded or "項目名稱" in decoded


def test_mhtml_pages(tmp_path):
    """The HTML part of a page saved as one file: quoted-printable GBK and base64 UTF-8, .mhtml and .mht."""
    cases = [("gbk", "gb2312", "quoted-printable", ".mhtml"), ("utf-8", "utf-8", "base64", ".mht")]
    for encoding, charset, transfer, suffix in cases:
        page = web_factory.cms_page(TRUTH[:3], charset).encode(encoding)
        path = tmp_path / f"页面{suffix}"
        path.write_bytes(web_factory.mhtml(page, charset, transfer))
        assert_exact(read(path), TRUTH[:3])


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<p>fetched</p>")

    def log_message(self, *args):
        pass


def test_page_is_data_nothing_is_fetched_or_expanded(tmp_path):
    """Links, images, scripts, frames, style sheets, XInclude and external entities pointing at a live server are
    never fetched; an entity naming a local file is not expanded."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容")
    try:
        page = (
            f'<!DOCTYPE html [<!ENTITY e SYSTEM "{secret.as_uri()}"><!ENTITY f SYSTEM "{url}/entity">]>'
            f'<html><head><link rel=stylesheet href="{url}/css"><script src="{url}/js"></script>'
            f'<base href="{url}/"></head><body><img src="{url}/img"><iframe src="{url}/frame"></iframe>'
            f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}/xinclude"/>'
            f"<object data='{url}/object'></object><table><tr><td>&e;&f;</td><td>"
            + "".join(web_factory.modern_page(TRUTH[:1]).split("<main>")[1].split("</main>")[:1])
            + "</td></tr></table></body></html>"
        )
        path = tmp_path / "page.html"
        path.write_text(page, encoding="utf-8")
        rows = web.page_rows(path.read_bytes())
        forms = read(path)
    finally:
        server.shutdown()
    assert _Recorder.requests == []
    assert not any("机密" in (cell or "") or "fetched" in (cell or "") for row in rows for cell in row)
    assert_exact(forms, TRUTH[:1])


def test_malformed_markup_still_reads(tmp_path):
    """What browsers repair, the parser repairs: end tags left out or stray, a </table> too many, unclosed
    <b> and <font>, a page cut off after its last form's 总分 row."""
    page = web_factory.cms_page(TRUTH[:2]).replace("<B>", "<B><FONT size=4>").replace("</B>", "")
    page = page.replace("</TABLE>", "</TABLE></TD></TABLE></DIV>", 1)
    cut = page[: page.rindex("\n</TABLE>")]  # no end of the last table, no footer, no </HTML>
    path = tmp_path / "坏网页.html"
    path.write_bytes(cut.encode("gbk"))
    assert_exact(read(path), TRUTH[:2])


def test_bad_pages_say_why(tmp_path):
    cases = {
        "乱码.html": (b"<html><body>\x80\xff\x80\xfe\xff</body></html>", texts.REASON_WEB_ENCODING),
        "无表.html": ("<html><body><p>通知：自评表见附件。</p></body></html>".encode(), texts.REASON_WEB_NO_TABLE),
        "他表.htm": (
            "<table><tr><td>首页</td><td>收入支出决算总表</td></tr><tr><td>1</td><td>2</td></tr></table>".encode(),
            texts.REASON_NOT_A_FORM,
        ),
        "空白.html": (b"   \n\t ", texts.REASON_EMPTY),
        "无网页.mhtml": (b"MIME-Version: 1.0\nContent-Type: text/plain\n\nhello", texts.REASON_MHTML_NO_PAGE),
        "炸弹.html": (
            b"<table>" + b"<tr>" + b'<td colspan="1000" rowspan="65534">x</td>' * 3000 + b"</tr>" * 2 + b"</table>",
            texts.REASON_WEB_TABLE_TOO_LARGE.format(limit=web.MAX_TABLE_CELLS),
        ),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(FormReadError) as raised:
            parse_file(path, name)
        assert raised.value.reason == reason, name


def test_a_page_over_the_limit_is_refused_before_reading(tmp_path):
    big = tmp_path / "大网页.html"
    with big.open("wb") as out:  # sparse: refused by its size before any parsing
        out.write(b"<html>")
        out.truncate(MAX_FILE_BYTES + 1)
    assert precheck(big) == texts.REASON_WEB_TOO_LARGE.format(limit_mb=MAX_FILE_BYTES // (1024 * 1024))


def test_import_goes_on_past_a_bad_page(tmp_path):
    """A bad page gets its line; the pages before and after it are stored; nothing of the bad one is."""
    good = tmp_path / "a.html"
    good.write_bytes(web_factory.cms_page(TRUTH[:2]).encode("gbk"))
    bad = tmp_path / "b.html"
    bad.write_bytes(b"<html>\x80\xff\x80\xfe\xff</html>")
    other = tmp_path / "c.mhtml"
    other.write_bytes(web_factory.mhtml(web_factory.modern_page(TRUTH[2:4]).encode(), "utf-8"))
    con = connect.open_db(tmp_path / "f.duckdb")
    try:
        outcomes = importer.import_files(con, [(p, p.name) for p in (good, bad, other)])
        names = [form.project_name for form in reads.load_forms(con)]
    finally:
        con.close()
    assert [o.outcome for o in outcomes] == ["imported", "error", "imported"]
    assert texts.REASON_WEB_ENCODING in outcomes[1].message
    assert sorted(names) == sorted(record["project_name"] for record in TRUTH[:4])
