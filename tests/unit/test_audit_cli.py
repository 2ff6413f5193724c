"""python -m dashboard audit --config / --scheme, and import --config, on the sample text (real DuckDB)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.store import writes

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "samples" / "000_4b30dd1c6dd4a20d.txt"


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )


def schemes(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT scheme, count(*) FROM forms GROUP BY scheme").fetchall())
    finally:
        con.close()


def findings(db: Path, rule: str) -> int:
    """The findings of `rule`; each form's findings per severity, kept with it, checked against its findings."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert writes.finding_counts_out_of_step(con) == 0
        return con.execute("SELECT count(*) FROM checks WHERE rule = ?", [rule]).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("audit_cli") / "forms.duckdb"
    done = cli("import", "--db", str(db), "--year", "2021", str(SEED))
    assert done.returncode == 0, done.stderr
    return db


def test_a_department_setting_and_scheme_rerun_move_forms_to_hebei_and_back(sample, tmp_path):
    assert schemes(sample) == {"national": 22}
    assert findings(sample, "fund_weight_unusual") == 0
    config = tmp_path / "hebei.toml"
    # Every sample form prints 主管部门 0402009; Hebei expects 执行率 20, the sample prints 10.
    config.write_text('[departments]\n"0402009" = "hebei"\n', encoding="utf-8")
    done = cli("audit", "--db", str(sample), "--config", str(config), "--scheme", "hebei")
    assert done.returncode == 0, done.stderr
    assert "22" in done.stdout
    assert schemes(sample) == {"hebei": 22}
    assert findings(sample, "fund_weight_unusual") == 22
    # Without the setting, re-running the forms stored under hebei brings them back to national.
    done = cli("audit", "--db", str(sample), "--scheme", "hebei")
    assert done.returncode == 0, done.stderr
    assert schemes(sample) == {"national": 22}
    assert findings(sample, "fund_weight_unusual") == 0


def test_a_bad_config_file_is_refused_in_chinese_without_a_traceback(sample, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[schemes.national]\nscore_tolerance = -1\n", encoding="utf-8")
    for command in (("audit", "--db", str(sample)), ("import", "--db", str(sample), str(SEED))):
        done = cli(*command, "--config", str(bad))
        assert done.returncode == 2
        assert str(bad) in done.stderr and "schemes.national.score_tolerance" in done.stderr
        assert "不能小于 0" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_scheme_is_refused(sample):
    done = cli("audit", "--db", str(sample), "--scheme", "mars")
    assert done.returncode == 2
    assert "mars" in done.stderr and "national" in done.stderr and "Traceback" not in done.stderr


def test_the_two_unused_reserve_funds_are_stored_without_a_recomputed_score(sample):
    con = duckdb.connect(str(sample), read_only=True)
    try:
        rows = con.execute(
            "SELECT project_name, total_score FROM forms WHERE recomputed_score IS NULL ORDER BY total_score"
        ).fetchall()
    finally:
        con.close()
    assert [score for _, score in rows] == [90, 100]
    assert all(name.startswith("预算准备金") for name, _ in rows)


def test_import_with_a_config_judges_each_form_by_its_department_scheme(tmp_path):
    config = tmp_path / "sichuan.toml"
    config.write_text('[departments]\n"0402009" = "sichuan"\n', encoding="utf-8")
    db = tmp_path / "forms.duckdb"
    done = cli("import", "--db", str(db), "--year", "2021", "--config", str(config), str(SEED))
    assert done.returncode == 0, done.stderr
    assert schemes(db) == {"sichuan": 22}
    # The two forms with nothing measured are 不可评价 whatever the scheme.
    assert findings(db, "not_evaluable") == 2
