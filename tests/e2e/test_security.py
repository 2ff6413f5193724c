"""The dashboard as an attacker meets it, in headless Chromium: sign-in before any upload, form text shown as
written (never as Markdown or HTML), no request leaving the machine, downloads that cannot run formulas.

The database holds two forms whose names, units and reasons are attack payloads (a text dump made from
the seed sample) and two accounts. Every request the browser makes is recorded; all must go to the app.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest

from dashboard.importing import importer
from dashboard.security import accounts
from dashboard.security.untrusted import WORD_JOINER
from dashboard.store import connect
from tests.live_app import AppDidNotStart, running_app
from tests.payloads import DEPARTMENT, EVIL, FORMULA_NAME, IMAGE_NAME, REASON, UNIT, payload_dump

PASSWORD = "s3cret-enough"
UPLOAD_NAME = f"![f](http{EVIL}) -- x.txt"  # a file name cannot hold "/"

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("security")
    db_file = folder / "forms.duckdb"
    files = []
    for number, name in enumerate((IMAGE_NAME, FORMULA_NAME), start=1):
        path = folder / f"payload{number}.txt"
        path.write_text(payload_dump(name), encoding="utf-8")
        files.append((path, path.name))
    con = connect.open_db(db_file)
    try:
        outcomes = importer.import_files(con, files, importer.ImportOptions(year=2021))
        accounts.add_user(con, "录入员", accounts.Role.IMPORTER, PASSWORD)
        form_ids = dict(con.execute("SELECT project_name, form_id FROM forms").fetchall())
    finally:
        con.close()
    assert [outcome.outcome for outcome in outcomes] == [importer.Outcome.IMPORTED] * 2
    assert set(form_ids) == {IMAGE_NAME, FORMULA_NAME}  # the reader kept the payloads exactly
    try:
        with running_app(db_file, folder / "streamlit.log") as base_url:
            yield base_url, form_ids, folder
    except AppDidNotStart as error:
        pytest.fail(str(error))


def outside_requests(page) -> list[str]:
    local = ("127.0.0.1", "localhost")
    return [url for url in page.requests if urlparse(url).scheme in ("http", "https", "ws", "wss")
            and urlparse(url).hostname not in local]  # fmt: skip


def visible_text(locator) -> str:
    """Text as a reader sees it (the invisible word joiners that keep pairs like "--" apart dropped)."""
    return (locator.inner_text() or "").replace(WORD_JOINER, "")


def sign_in(page, name: str, password: str) -> None:
    page.get_by_role("heading", name="登录").wait_for()
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(f"已登录：{name}").wait_for()


def assert_no_markup_from_forms(page) -> None:
    # Any element, HTML or SVG (Plotly writes links as <a xlink:href>), pointing at the payloads' host.
    assert page.locator(f'[*|src*="{EVIL}"]').count() == 0
    assert page.locator(f'[*|href*="{EVIL}"]').count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert outside_requests(page) == []


def test_sign_in_comes_before_the_uploader_and_hostile_file_names_stay_text(app, page, tmp_path):
    base_url, _, _ = app
    page.goto(f"{base_url}/import_page")
    page.get_by_role("heading", name="登录").wait_for()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0  # no uploader for an anonymous visitor

    page.get_by_label("账号").fill("录入员")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("账号或密码不正确。").wait_for()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0

    sign_in(page, "录入员", PASSWORD)
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.wait_for(state="attached")
    page.get_by_text("已登录：录入员（导入）").wait_for()

    upload = tmp_path / UPLOAD_NAME
    upload.write_text(payload_dump("另一个项目"), encoding="utf-8")
    uploader.set_input_files(str(upload))
    page.get_by_text("已选择 1 个文件").wait_for()
    page.get_by_role("button", name="开始导入").click()
    page.get_by_text("共 1 个文件").first.wait_for(timeout=90_000)
    results = page.locator('[data-testid="stDataFrame"]', has_text="x.txt").first
    results.wait_for()
    assert UPLOAD_NAME in (results.text_content() or "")
    assert_no_markup_from_forms(page)

    # The batch picker of 撤销导入 (a selectbox: plain text) shows the name without Markdown escapes.
    # A fresh session, so that the picker starts on the newest batch (the upload), not on what it showed before.
    page.goto(f"{base_url}/import_page")
    sign_in(page, "录入员", PASSWORD)
    page.get_by_text("撤销一次导入").click()
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="选择要撤销的导入").locator("input")
    picker.wait_for()  # newest first: the upload is the one chosen to begin with
    chosen = picker.input_value().replace(WORD_JOINER, "")
    assert UPLOAD_NAME in chosen and "\\" not in chosen, chosen

    # The import records who made it (the app's handle is read-only now, so another reader may open the file).
    _, _, folder = app
    con = duckdb.connect(str(folder / "forms.duckdb"), read_only=True)
    try:
        query = "SELECT file_name, imported_by FROM import_batches ORDER BY batch_id DESC LIMIT 1"
        last = con.execute(query).fetchone()
    finally:
        con.close()
    assert last == (UPLOAD_NAME, "录入员")


def test_form_text_is_shown_as_written_and_nothing_is_fetched(app, page):
    base_url, form_ids, _ = app
    page.goto(f"{base_url}/projects?form={form_ids[IMAGE_NAME]}")
    heading = page.locator("h3", has_text="track.png").first
    heading.wait_for()
    assert visible_text(heading) == IMAGE_NAME  # no image, no bold, no red, "--" not turned into "—"
    captions = visible_text(page.locator('[data-testid="stCaptionContainer"]').filter(has_text="主管部门").first)
    assert f"主管部门：{DEPARTMENT}" in captions
    assert f"实施单位：{UNIT}" in captions
    indicators = page.locator('[data-testid="stDataFrame"]', has_text="预算准备金工作完成率").first
    indicators.wait_for()
    assert REASON in (indicators.text_content() or "")
    assert_no_markup_from_forms(page)

    page.goto(f"{base_url}/projects?form={form_ids[FORMULA_NAME]}")
    page.locator("h3", has_text="HYPERLINK").first.wait_for()
    assert visible_text(page.locator("h3", has_text="HYPERLINK").first) == FORMULA_NAME

    for path, heading_name in (("", "总览"), ("/deductions", "扣分指标"), ("/review_page", "自评复核")):
        page.goto(f"{base_url}{path}")
        page.get_by_role("heading", name=heading_name).first.wait_for()
        page.wait_for_timeout(1000)  # charts and tables draw after the heading
        assert_no_markup_from_forms(page)


def test_downloaded_csv_cannot_run_formulas(app, page):
    base_url, form_ids, _ = app
    page.goto(f"{base_url}/projects?form={form_ids[FORMULA_NAME]}")
    page.locator("h3", has_text="HYPERLINK").first.wait_for()
    buttons = page.get_by_role("button", name="下载 CSV")
    buttons.nth(1).wait_for()  # the list's and the form's: every CSV on the page, whichever the page drew first
    cells = []
    for index in range(buttons.count()):
        with page.expect_download() as download_info:
            buttons.nth(index).click()
        data = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
        cells += [cell for row in csv.reader(io.StringIO(data, newline="")) for cell in row]
    assert "'" + FORMULA_NAME in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
