"""Reference data: organisations grouped under "name（code）", project types by rule, both in every view.

Truth is hand-written in tests/reference_truth.py: the sample plus forms with real-world project names and
mixed spellings of one department ("219-某某镇人民政府", "219", "某某镇人民政府", "219－某某镇人民政府").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from dashboard.importing import importer
from dashboard.queries import queries
from dashboard.queries.filters import Filters
from dashboard.reference import organisations, project_types, reference, shown
from dashboard.store import connect, reads, schema
from dashboard.ui import page_data
from tests.cli_runner import run_cli
from tests.conftest import SAMPLE_YEAR
from tests.reference_truth import MIXED, OFFICE, SAMPLE_TYPES, TOWN, build_mixed_db, mixed_forms_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mixed_template(tmp_path_factory) -> Path:
    return build_mixed_db(tmp_path_factory.mktemp("mixed"))


@pytest.fixture
def mixed_db(mixed_template, tmp_path) -> Path:
    """A copy of the mixed database each test may change."""
    path = tmp_path / "forms.duckdb"
    shutil.copy(mixed_template, path)
    return path


@pytest.fixture
def con(mixed_db):
    con = connect.open_db(mixed_db)
    yield con
    con.close()


def expected_type(name: str) -> str:
    for project, _, _, project_type, _, _ in MIXED:
        if name == project:
            return project_type
    return SAMPLE_TYPES[name.replace("(停用）", "").replace("（停用）", "").replace("（宣传费）", "")]


def overview_by_name(con) -> dict[str, set[tuple]]:
    frame = queries.form_overview(con, Filters())
    shown: dict[str, set[tuple]] = {}
    for row in frame.to_dict("records"):
        unit = None if row["unit"] is None or row["unit"] != row["unit"] else row["unit"]
        shown.setdefault(row["project_name"], set()).add((row["project_type"], row["department"], unit))
    return shown


# --- parsing a printed spelling ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed, parsed",
    [
        ("219-某某镇人民政府", ("219", "某某镇人民政府")),
        ("219－某某镇人民政府", ("219", "某某镇人民政府")),  # full-width hyphen
        ("219 某某镇人民政府", ("219", "某某镇人民政府")),
        ("101001 四川省某局", ("101001", "四川省某局")),
        ("０４０２００９", ("0402009", None)),  # full-width digits
        ("0402009", ("0402009", None)),
        ("219-", ("219", None)),
        ("219 - 某某镇人民政府", ("219", "某某镇人民政府")),
        ("某某镇人民政府", (None, "某某镇人民政府")),
        ("  ", (None, None)),
        ("第一中学", (None, "第一中学")),
    ],
)
def test_parse_printed_spellings(printed, parsed):
    assert organisations.parse(printed) == parsed


# --- grouping in every view --------------------------------------------------------------------------------


def test_each_department_shows_once_under_its_name(con):
    options = queries.filter_options(con)
    assert options["departments"] == ["0402009", TOWN]  # six spellings printed, two organisations
    assert options["units"] == ["某某镇中心小学", OFFICE, "福田区政务服务信息中心"]
    printed = con.execute(f"SELECT count(DISTINCT department) FROM forms WHERE {reads.counted_sql('forms')}")
    assert printed.fetchone()[0] == 5  # what the forms print is kept as printed


def test_type_filter_has_a_handful_of_types(con):
    types = queries.filter_options(con)["types"]
    truth = {t for *_, t, _, _ in MIXED} | set(SAMPLE_TYPES.values())
    assert set(types) == truth
    assert len(types) == 12
    printed = con.execute(f"SELECT count(DISTINCT project_type) FROM forms WHERE {reads.counted_sql('forms')}")
    assert printed.fetchone()[0] == 20  # one "type" per project before the rules


def test_every_form_shows_its_resolved_type_and_names(con):
    shown = overview_by_name(con)
    for name, _, _, project_type, department, unit in MIXED:
        assert shown[name] == {(project_type, department, unit)}, name
    for name, rows in shown.items():
        assert {row[0] for row in rows} == {expected_type(name)}, name


def test_groups_count_every_spelling_of_one_department(con):
    town = queries.group_summary(con, Filters(departments=(TOWN,)), "project_type").set_index("grp")
    truth = {}
    for *_, project_type, department, _ in MIXED:
        if department == TOWN:
            truth[project_type] = truth.get(project_type, 0) + 1
    assert town["forms"].to_dict() == truth
    assert int(queries.kpis(con, Filters(departments=(TOWN,)))["forms"]) == 7


def test_units_know_their_department(con):
    directory = organisations.load(con)
    office = directory.orgs[directory.find("219001", None)]
    school = directory.orgs[directory.find(None, "某某镇中心小学")]
    town_id = directory.find("219", None)
    assert office.parent_id == town_id and school.parent_id == town_id
    assert directory.orgs[town_id].parent_id is None


# --- a person assigns a type, changes the rules --------------------------------------------------------------


def test_unclassified_are_listed_with_counts(con):
    frame = project_types.projects(con)
    unclassified = frame[frame["project_type"] == project_types.UNCLASSIFIED]
    assert dict(zip(unclassified["project_name"], unclassified["forms"], strict=True)) == {
        "档案数字化整理": 1,
        "政务事项管理": 1,
    }


def test_assigning_a_type_moves_the_project_in_every_view(con, mixed_db):
    before = queries.group_summary(con, Filters(), "project_type").set_index("grp")["forms"].to_dict()
    project_types.assign(con, {"档案数字化整理": "信息化建设与运维"}, by="tester")
    after = queries.group_summary(con, Filters(), "project_type").set_index("grp")["forms"].to_dict()
    assert after["信息化建设与运维"] == before["信息化建设与运维"] + 1
    assert after["未分类"] == before["未分类"] - 1
    assert overview_by_name(con)["档案数字化整理"] == {("信息化建设与运维", TOWN, OFFICE)}
    chosen = queries.form_overview(con, Filters(types=("信息化建设与运维",)))
    assert "档案数字化整理" in set(chosen["project_name"])
    forms = reads.load_forms(con, versions="current")
    reference.annotate(con, forms)
    assert {f.project_type for f in forms if f.project_name == "档案数字化整理"} == {"信息化建设与运维"}
    # Back to the rules.
    project_types.assign(con, {"档案数字化整理": None})
    assert overview_by_name(con)["档案数字化整理"] == {("未分类", TOWN, OFFICE)}


def test_a_new_rule_applies_without_reimport(con):
    rules = project_types.load_rules(con)
    project_types.save_rules(con, [project_types.Rule("档案管理", "档案|数字化"), *rules])
    assert overview_by_name(con)["档案数字化整理"] == {("档案管理", TOWN, OFFICE)}
    assert "档案管理" in queries.filter_options(con)["types"]
    resolved = con.execute("SELECT count(*) FROM ref_project_types").fetchone()[0]
    names = con.execute("SELECT count(DISTINCT project_name) FROM forms WHERE project_name <> ''").fetchone()[0]
    assert resolved == names  # one row per distinct name, not per form


def test_rules_file_round_trip_and_refusals(con):
    rules = [
        *project_types.load_rules(con),
        project_types.Rule("特殊", r"^\d{4}年.*项目$", "name", "regex"),
        project_types.Rule("编码类", "51000021", "code", "keyword"),
    ]
    text = project_types.rules_to_toml(rules)
    assert project_types.rules_from_toml(text) == rules
    with pytest.raises(project_types.RuleError, match="第 1 条规则"):
        project_types.rules_from_toml('[[rule]]\ntype = "x"\nmatch = "regex"\npattern = "("\n')
    with pytest.raises(project_types.RuleError, match="未分类"):
        project_types.rules_from_toml('[[rule]]\ntype = "未分类"\npattern = "x"\n')
    with pytest.raises(project_types.RuleError, match="TOML"):
        project_types.rules_from_toml("[[rule]\n")
    before = project_types.load_rules(con)
    with pytest.raises(project_types.RuleError):
        project_types.save_rules(con, [project_types.Rule("x", "y", "nowhere")])
    assert project_types.load_rules(con) == before  # nothing changed


def test_first_matching_rule_decides():
    rules = [project_types.Rule("一般管理事务", "一般管理事务"), project_types.Rule("宣传", "宣传")]
    assert project_types.resolve_name(rules, {}, "一般管理事务（宣传费）")[0] == "一般管理事务"
    assert project_types.resolve_name(rules, {}, "宣传费")[0] == "宣传"
    assert project_types.resolve_name(rules, {"宣传费": "其他"}, "宣传费") == ("其他", "person")
    assert project_types.resolve_name(rules, {}, "会议费") == ("未分类", "none")


# --- the office's codes and names ------------------------------------------------------------------------------


def test_org_file_names_a_code_and_wins_over_forms(con, tmp_path):
    csv_file = tmp_path / "orgs.csv"
    content = "编码,名称,上级部门\n0402009,某某区政务服务数据管理局,\n219,某某镇政府,\n"
    csv_file.write_text(content, encoding="utf-8-sig")
    organisations.import_rows(con, organisations.read_file(csv_file))
    options = queries.filter_options(con)
    assert options["departments"] == ["某某区政务服务数据管理局（0402009）", "某某镇政府（219）"]
    assert options["units"][1] == OFFICE
    # A later learning from the forms (which print 某某镇人民政府) keeps the office's name.
    reference.refresh(con)
    assert queries.filter_options(con)["departments"][1] == "某某镇政府（219）"
    # Every spelling stays with the renamed organisation, the bare old name "某某镇人民政府" too.
    shown = overview_by_name(con)
    assert shown["工资性支出"] == {("工资福利", "某某镇政府（219）", "某某镇中心小学")}
    assert shown["办公宿舍楼、食堂及餐厅暖通改造经费"] == {("基本建设与维修", "某某镇政府（219）", OFFICE)}
    assert len(organisations.load(con).orgs) == 5  # 0402009, 219, 219001, the school, the Futian centre


def test_org_xlsx_with_parent(con, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["代码", "单位名称", "主管部门"])
    sheet.append(["219002", "某某镇中心小学", "219"])
    path = tmp_path / "orgs.xlsx"
    workbook.save(path)
    rows = organisations.read_file(path)
    assert rows == [organisations.OrgRow("219002", "某某镇中心小学", "219")]
    organisations.import_rows(con, rows)
    assert overview_by_name(con)["工资性支出"] == {("工资福利", TOWN, "某某镇中心小学（219002）")}


def test_org_file_refusals(tmp_path):
    bad = tmp_path / "orgs.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(organisations.OrgFileError, match="编码"):
        organisations.read_file(bad)
    with pytest.raises(organisations.OrgFileError, match="CSV"):
        organisations.read_file(tmp_path / "orgs.pdf", data=b"%PDF")


def test_page_edits_rename(con):
    frame = organisations.table(con)
    town = frame[frame["code"] == "219"].index[0]
    frame.loc[town, "name"] = "某某镇"
    frame["parent"] = None
    organisations.save_edits(con, frame)
    assert queries.filter_options(con)["departments"] == ["0402009", "某某镇（219）"]


def test_page_edits_remove_and_add(con):
    frame = organisations.table(con)
    old_ids = set(frame["org_id"])
    frame = frame[frame["name"] != "某某镇中心小学"]  # removed: the forms still print it, so it is learned again
    added = pd.DataFrame([{"org_id": None, "code": "0402009001", "name": "某某中心", "parent": None}])
    frame = pd.concat([frame.assign(parent=None), added], ignore_index=True)
    organisations.save_edits(con, frame)
    after = organisations.table(con).set_index("name")
    assert after.loc["某某中心", "code"] == "0402009001"
    assert after.loc["某某镇中心小学", "org_id"] not in old_ids  # a new organisation, never an old id again
    assert after.loc["某某镇中心小学", "forms"] == 1
    assert overview_by_name(con)["工资性支出"] == {("工资福利", TOWN, "某某镇中心小学")}
    assert queries.filter_options(con)["units"] == ["某某镇中心小学", OFFICE, "福田区政务服务信息中心"]


# --- the export ------------------------------------------------------------------------------------------------


def test_cli_reference_and_json_export(mixed_db, tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("code,name\n0402009,某某区政务服务数据管理局\n", encoding="utf-8")
    result = run_cli("reference", "import-orgs", str(orgs), "--db", str(mixed_db))
    assert result.returncode == 0, result.stderr
    rules_file = tmp_path / "rules.toml"
    assert run_cli("reference", "export-rules", str(rules_file), "--db", str(mixed_db)).returncode == 0
    text = rules_file.read_text(encoding="utf-8")
    rules_file.write_text(text + '\n[[rule]]\ntype = "档案管理"\npattern = "档案"\n', encoding="utf-8")
    assert run_cli("reference", "import-rules", str(rules_file), "--db", str(mixed_db)).returncode == 0
    broken = tmp_path / "broken.toml"
    broken.write_text('[[rule]]\ntype = "x"\nfield = "somewhere"\npattern = "y"\n', encoding="utf-8")
    refused = run_cli("reference", "import-rules", str(broken), "--db", str(mixed_db))
    assert refused.returncode == 2 and "第 1 条规则" in refused.stderr and "Traceback" not in refused.stderr
    listed = run_cli("reference", "types", "--db", str(mixed_db)).stdout.splitlines()
    assert "未分类\t1\t1" in listed and "档案管理\t1\t1" in listed and "  政务事项管理\t1" in listed
    exported = run_cli("export", "--format", "json", "--db", str(mixed_db))
    records = {r["project_name"]: r for r in json.loads(exported.stdout)}
    archive = records["档案数字化整理"]
    assert (archive["project_type"], archive["department"], archive["department_name"]) == (
        "档案管理",
        "219－某某镇人民政府",
        "某某镇人民政府",
    )
    assert (archive["unit"], archive["unit_name"]) == ("某某镇财政所", "某某镇财政所")
    budget = records["预算准备金(停用）"]
    assert (budget["project_type"], budget["department"], budget["department_name"], budget["unit_name"]) == (
        "预算准备金",
        "0402009",
        "某某区政务服务数据管理局",
        None,
    )


def migrated_from(con, path: Path, version: int):
    """Mark the open file `con` as of schema `version` and close it; a reader is then told to migrate, and after
    a writer's open (what `python -m dashboard migrate` does) a read-only connection to it is returned."""
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
    con.close()
    with pytest.raises(schema.StoreError, match="migrate"):
        connect.open_db(path, read_only=True)
    connect.open_db(path).close()
    return connect.open_db(path, read_only=True)


def test_a_version_2_file_is_migrated_by_a_writer_and_refused_by_a_reader(mixed_db):
    con = connect.open_db(mixed_db)
    for table in ("ref_organisations", "ref_org_spellings", "ref_type_rules", "ref_type_assignments"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP TABLE ref_project_types")
    con.execute("DELETE FROM meta WHERE key = 'reference_rules_seeded'")
    for column in ("indicator_count", "deducted_count", "points_lost", "unexplained_count", "budget", "executed",
                   "not_graded"):  # fmt: skip
        con.execute(f"ALTER TABLE forms DROP COLUMN {column}")  # versions 4, 5 and 6 added them
    con = migrated_from(con, mixed_db, 2)
    try:
        assert reference.present(con)
        assert queries.filter_options(con)["departments"] == ["0402009", TOWN]
        assert len(queries.filter_options(con)["types"]) == 12
    finally:
        con.close()


def test_printed_spelling_with_its_name():
    assert reference.printed_with_name("0402009", "某某区政务服务数据管理局") == "0402009（某某区政务服务数据管理局）"
    assert reference.printed_with_name("219-某某镇人民政府", "某某镇人民政府") == "219-某某镇人民政府"
    assert reference.printed_with_name("219", None) == "219"
    assert reference.printed_with_name(None, "某某镇人民政府") is None


def test_the_opened_form_carries_its_type_and_names(mixed_db, monkeypatch):
    monkeypatch.setenv(connect.DB_ENV_VAR, str(mixed_db))
    con = connect.open_db(mixed_db, read_only=True)
    try:
        (form_id,) = con.execute("SELECT form_id FROM forms WHERE project_name = '工资性支出'").fetchone()
    finally:
        con.close()
    form = page_data.read(queries.form, form_id)
    assert (form.project_type, form.department, form.department_name) == ("工资福利", "219", "某某镇人民政府")
    assert (form.unit, form.unit_name) == ("某某镇中心小学", "某某镇中心小学")


def test_organisation_of_each_spelling(con):
    found = reference.organisations_of_spellings(con)
    for spelling in ("219", "219-某某镇人民政府", "219－某某镇人民政府", "某某镇人民政府"):
        assert found[spelling] == ("219", "某某镇人民政府"), spelling
    assert found["0402009"] == ("0402009", None)
    assert found["某某镇中心小学"] == (None, "某某镇中心小学")


def test_a_person_groups_a_name_variant_with_its_organisation(con, tmp_path):
    variant = tmp_path / "variant.txt"
    variant.write_text(mixed_forms_text([("乡镇道路养护经费", "某某镇政府", "")]), encoding="utf-8")
    outcomes = importer.import_files(con, [(variant, variant.name)], importer.ImportOptions(year=SAMPLE_YEAR))
    assert [outcome.ok for outcome in outcomes] == [True]
    assert queries.filter_options(con)["departments"] == ["0402009", TOWN, "某某镇政府"]  # not grouped by itself
    town_id = organisations.load(con).find("219", None)
    organisations.assign_spellings(con, {"某某镇政府": town_id})
    assert queries.filter_options(con)["departments"] == ["0402009", TOWN]
    assert overview_by_name(con)["乡镇道路养护经费"] == {("基本建设与维修", TOWN, None)}
    reference.refresh(con)  # what the next import does: the person's grouping stays
    assert queries.filter_options(con)["departments"] == ["0402009", TOWN]
    assert len(organisations.load(con).orgs) == 5  # the variant's own organisation is gone
    with pytest.raises(organisations.OrgFileError):
        organisations.assign_spellings(con, {"某某镇政府": 999_999})


# --- 主管部门 and 实施单位 stored without spaces at their ends (schema.STORED_AS) ------------------------------------

EDGE_SPACES = ("\u3000", " ")  # an ideographic space and a space: what DuckDB's trim() takes off, as the pages did


def _units_summary(con) -> list[tuple]:
    frame = queries.group_summary(con, Filters(), "org")
    return sorted(frame[["grp", "forms", "budget"]].itertuples(index=False, name=None), key=str)


def test_a_version_13_file_gets_its_printed_names_trimmed_with_no_total_moving(mixed_db):
    """Before version 14 the pages trimmed each printed 主管部门/实施单位 in every query; now it is stored trimmed, so a
    file whose forms print spaces at their ends is trimmed on migration and groups exactly as it did."""
    con = connect.open_db(mixed_db)
    before = _units_summary(con)
    options = queries.filter_options(con)
    lead, tail = EDGE_SPACES
    con.execute(
        f"UPDATE forms SET department = '{lead}' || department || '{tail}', unit = '{tail}' || unit || '{lead}'"
    )
    con = migrated_from(con, mixed_db, 13)
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION == 17
        edged = "SELECT count(*) FROM forms WHERE department <> trim(department) OR unit <> trim(unit)"
        assert con.execute(edged).fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM forms WHERE unit IS NOT NULL").fetchone()[0] > 0
        assert _units_summary(con) == before
        assert queries.filter_options(con) == options
    finally:
        con.close()


def test_a_form_printing_spaces_around_its_names_is_stored_trimmed_and_groups_with_its_unit(mixed_db):
    """A form read with spaces around its 主管部门 and 实施单位 (a reader that kept them) is stored without them, and
    counts under the same unit as the forms that print the name plainly."""
    from dashboard.store import writes

    con = connect.open_db(mixed_db)
    try:
        form_id, department, unit = con.execute(
            "SELECT form_id, department, unit FROM forms WHERE nullif(unit, '') IS NOT NULL ORDER BY form_id LIMIT 1"
        ).fetchone()
        before = dict((grp, forms) for grp, forms, _budget in _units_summary(con))
        form = reads.load_forms(con, [form_id])[0]
        form.id, form.project_name = "", form.project_name + "（另一份）"
        lead, tail = EDGE_SPACES
        form.department, form.unit = f"{lead}{department}{tail}", f"{tail}{unit}{lead}"
        writes.save_file(con, "spaces.txt", "ab" * 32, [writes.Placement(form, writes.PlacementStatus.NEW)])
        stored = con.execute("SELECT department, unit FROM forms WHERE form_id = ?", [form.id]).fetchone()
        assert stored == (department, unit)
        after = dict((grp, forms) for grp, forms, _budget in _units_summary(con))
        grown = {grp: forms - before.get(grp, 0) for grp, forms in after.items() if forms != before.get(grp, 0)}
        assert list(grown.values()) == [1] and len(after) == len(before)
    finally:
        con.close()


# --- what every view shows, kept on each form (reference/shown.py, schema 15) -------------------------------------


def test_the_shown_values_stay_in_step_with_every_change_of_the_reference_data(con, tmp_path):
    """After storing forms and after each kind of change the office makes, no form shows anything but what the
    reference data gives now (shown.out_of_sync compares the kept values with the joined definition)."""
    assert shown.out_of_sync(con) == 0
    assert con.execute("SELECT count(*) FROM forms WHERE shown_type IS NULL").fetchone() == (0,)  # all filled
    project_types.assign(con, {"档案数字化整理": "信息化建设与运维"}, by="tester")
    assert shown.out_of_sync(con) == 0
    rules = project_types.load_rules(con)
    project_types.save_rules(con, [project_types.Rule("档案管理", "档案|数字化"), *rules])
    assert shown.out_of_sync(con) == 0
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text(
        "编码,名称,上级部门\n0402009,某某区政务服务数据管理局,\n219,某某镇政府,\n", encoding="utf-8-sig"
    )
    organisations.import_rows(con, organisations.read_file(csv_file))
    assert shown.out_of_sync(con) == 0
    known = tmp_path / "known.txt"  # a form of a known project, department and unit: the import learns nothing
    known.write_text(mixed_forms_text(MIXED[2:3]), encoding="utf-8")
    (outcome,) = importer.import_files(con, [(known, known.name)], importer.ImportOptions(year=int(SAMPLE_YEAR) + 1))
    assert outcome.ok and outcome.placed["new"] == 1
    assert shown.out_of_sync(con) == 0
    variant = tmp_path / "variant.txt"
    variant.write_text(mixed_forms_text([("乡镇道路养护经费", "某某镇政府（变体）", "")]), encoding="utf-8")
    importer.import_files(con, [(variant, variant.name)], importer.ImportOptions(year=SAMPLE_YEAR))
    assert shown.out_of_sync(con) == 0
    organisations.assign_spellings(con, {"某某镇政府（变体）": organisations.load(con).find("219", None)})
    assert shown.out_of_sync(con) == 0
    assert overview_by_name(con)["乡镇道路养护经费"] == {("基本建设与维修", "某某镇政府（219）", None)}


def test_a_version_14_file_gets_the_shown_values_with_no_view_changing(mixed_db):
    """Before version 15 the page SQL joined the reference tables for every form; the migration writes what they
    give on each form, and every view reads the same."""
    con = connect.open_db(mixed_db)
    before, options, units = overview_by_name(con), queries.filter_options(con), _units_summary(con)
    for column in shown.COLUMNS:
        con.execute(f"ALTER TABLE forms DROP COLUMN {column}")
    con = migrated_from(con, mixed_db, 14)
    try:
        assert schema.schema_version(con) == schema.SCHEMA_VERSION == 17
        assert shown.out_of_sync(con) == 0
        assert overview_by_name(con) == before
        assert queries.filter_options(con) == options
        assert _units_summary(con) == units
    finally:
        con.close()
