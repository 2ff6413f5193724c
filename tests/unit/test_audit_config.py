"""The audit configuration file: defaults, the example file, validation, the active configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.audit import config as audit_config
from dashboard.audit.config import DEFAULT_CONFIG, ENV_VAR, AuditConfigError, active_config, load_config
from dashboard.core.model import Form

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "audit-config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "audit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_documents_exactly_the_defaults():
    config = load_config(EXAMPLE)
    assert config == DEFAULT_CONFIG
    assert config.fingerprint == DEFAULT_CONFIG.fingerprint
    assert config.source_file == str(EXAMPLE)


def test_the_built_in_schemes_and_their_weights():
    schemes = {scheme.name: scheme for scheme in DEFAULT_CONFIG.schemes}
    assert set(schemes) == {"national", "anhui", "sichuan", "hebei", "shanxi"}
    assert DEFAULT_CONFIG.default.name == "national"
    assert schemes["sichuan"].fund_weights == (10.0,) and schemes["sichuan"].indicator_points == 90
    assert schemes["hebei"].fund_weights == (20.0,)
    assert (schemes["hebei"].partial_band_max, schemes["hebei"].missed_band_max) == (0.8, 0.5)
    assert schemes["shanxi"].cost_cap_not_filed == 5
    assert dict(schemes["anhui"].level1_splits[0]) == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}


def test_no_path_and_no_env_var_means_the_defaults(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert load_config() is DEFAULT_CONFIG
    assert load_config(None) is DEFAULT_CONFIG


def test_a_file_overrides_only_what_it_names(tmp_path):
    path = write(
        tmp_path,
        """
default_scheme = "hebei"
[grades]
bands = [[95, "优"], [85, "良"], [70, "中"]]
[departments]
"河北省财政厅" = "hebei"
[schemes.national]
over_target_ratio = 1.5
[schemes.guangdong]
label = "广东"
fund_weights = [15]
""",
    )
    config = load_config(path)
    assert config.default.name == "hebei"
    assert config.scheme("national").over_target_ratio == 1.5
    assert config.scheme("national").score_tolerance == 0.05  # untouched
    assert config.scheme("guangdong").fund_weights == (15.0,)
    assert config.scheme("guangdong").label == "广东"
    assert config.scheme("guangdong").missed_band_max == 0.6  # a new scheme starts from national
    assert config.departments == (("河北省财政厅", "hebei"),)
    assert config.grade_of(92) == "良" and config.grade_of(69.9) == "差"
    assert config.fingerprint != DEFAULT_CONFIG.fingerprint


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("colour = 1", "colour", "不认识的设置项"),
        ("[schemes.national]\nover_target = 1.3", "schemes.national.over_target", "不认识的设置项"),
        ('[schemes.national]\nscore_tolerance = "0.05"', "schemes.national.score_tolerance", "应为数字"),
        ("[schemes.national]\nscore_tolerance = -0.05", "schemes.national.score_tolerance", "不能小于 0"),
        ("[schemes.national]\nrate_tolerance_pct = true", "schemes.national.rate_tolerance_pct", "应为数字"),
        ("[schemes.hebei]\nmissed_band_max = 0.9", "schemes.hebei.missed_band_max", "从高到低"),
        ("[schemes.hebei]\npartial_band_max = 1.2", "schemes.hebei.partial_band_max", "应在 0 到 1"),
        ('[grades]\nbands = [[80, "良"], [90, "优"]]', "grades.bands", "从高到低"),
        ('[grades]\nbands = [[90, "优"], [80, "优"]]', "grades.bands", "重复"),
        ('[departments]\n"某局" = "mars"', "departments.某局", "mars"),
        ('default_scheme = "mars"', "default_scheme", "mars"),
        ("[schemes.national]\nunit_rule_min_forms = 0", "schemes.national.unit_rule_min_forms", "整数"),
        ("[schemes.national]\nlevel1_splits = [{ 产出 = -1 }]", "schemes.national.level1_splits[1].产出", "应在"),
        ("[schemes.national]\noverspent_cost_scores_zero = 1", "schemes.national.overspent_cost_scores_zero", "true"),
    ],
)
def test_bad_values_are_refused_naming_the_file_and_the_key(tmp_path, text, key, problem):
    path = write(tmp_path, text.replace("{ 产出", '{ "产出"'))
    with pytest.raises(AuditConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert str(path) in message and key in message and problem in message
    assert "Traceback" not in message


def test_a_missing_file_and_a_file_that_is_not_toml(tmp_path):
    with pytest.raises(AuditConfigError, match="不存在或无法读取"):
        load_config(tmp_path / "nowhere.toml")
    path = write(tmp_path, "[schemes.national\nscore_tolerance = 1")
    with pytest.raises(AuditConfigError, match=r"不是有效的 TOML 格式（第 1 行）"):
        load_config(path)


def test_active_config_follows_the_env_var_and_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert active_config() is DEFAULT_CONFIG
    path = write(tmp_path, "[schemes.national]\nover_target_ratio = 2.0\n")
    monkeypatch.setenv(ENV_VAR, str(path))
    assert active_config().default.over_target_ratio == 2.0
    assert active_config() is active_config()  # cached while the file is unchanged
    path.write_text("[schemes.national]\nover_target_ratio = 3.25\n", encoding="utf-8")
    assert active_config().default.over_target_ratio == 3.25
    assert audit_config.grade_of(85) == "良"


def test_a_form_gets_its_scheme_from_layout_then_department_then_default(tmp_path):
    config = load_config(write(tmp_path, '[departments]\n"河北省财政厅" = "hebei"\n"101001" = "sichuan"\n'))
    form = Form(project_name="x", project_type="x", department="河北省财政厅")
    assert config.scheme_for(form).name == "hebei"
    assert config.scheme_for(form, layout="2021年度部门预算项目支出绩效自评表").name == "sichuan"
    assert config.scheme_for(form, layout="2021年度项目支出绩效自评表").name == "hebei"
    assert config.scheme_for(Form(project_name="x", project_type="x", department="101001 四川省某局")).name == "sichuan"
    assert config.scheme_for(Form(project_name="x", project_type="x", department="1010011某局")).name == "national"
    assert config.scheme_for(Form(project_name="x", project_type="x")).name == "national"
