"""Every threshold of the self-score audit, in one place (docs: scoring-rules.md, audit-config.example.toml).

Thresholds come in named *schemes* (national, sichuan, hebei, shanxi …): the weights a form should
print, the qualitative bands, the cost rules and the tolerances one region's rules use. A form is
judged by one scheme, chosen by `AuditConfig.scheme_for` from its layout (a title hint), its
主管部门 (the `[departments]` table), else the default scheme. Grade bands are one set for all
schemes: every published scheme uses 优 ≥ 90 / 良 ≥ 80 / 中 ≥ 60, and the pages filter by one list.

`load_config(path)` reads a TOML file (tomllib) over the built-in defaults and validates it;
`active_config()` is the one configuration the pages, the SQL and the audit use: the file named by
the environment variable DASHBOARD_AUDIT_CONFIG, else the built-in defaults (cached per file state).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from dashboard.core import domain, texts

ENV_VAR = "DASHBOARD_AUDIT_CONFIG"

# 一级指标 labels as the forms print them (Indicator.level1).
OUTPUT = "产出指标"
BENEFIT = "效益指标"
SATISFACTION = "满意度指标"
BENEFIT_AND_SATISFACTION = "效益与满意度指标"

Split = tuple[tuple[str, float], ...]


class AuditConfigError(Exception):
    """A configuration file that cannot be used; the message (Chinese) names the file and the key."""


@dataclass(frozen=True)
class Scheme:
    """One region's scoring rules: what the audit compares a form against."""

    name: str = "national"
    label: str = texts.SCHEME_LABELS["national"]
    source: str = texts.SCHEME_SOURCES["national"]
    # 预算执行率 weights (分值 of the 年度资金总额 row) a form may print.
    fund_weights: tuple[float, ...] = (10.0, 20.0)
    # Accepted splits of the indicator points across 一级指标; a split matching none is a warning.
    # Empty: no split is prescribed, only the sum (`indicator_points`).
    level1_splits: tuple[Split, ...] = (
        ((OUTPUT, 50.0), (BENEFIT, 30.0), (SATISFACTION, 10.0)),
        ((OUTPUT, 50.0), (BENEFIT, 40.0)),
    )
    # Σ indicator weights where the scheme prescribes no split (Sichuan: 绩效指标 90); None: not checked.
    indicator_points: float | None = None
    # An actual at or above this multiple of its target is marked "target probably set too low".
    over_target_ratio: float = 1.30
    # Scores and sums: differences up to this many points are rounding (info, not error).
    score_tolerance: float = 0.05
    # 执行率 printed vs 全年执行数 ÷ 全年预算数, in percentage points.
    rate_tolerance_pct: float = 0.01
    # Money sums (年度资金总额 vs its sub-rows), in 元.
    amount_tolerance_yuan: float = 0.01
    # "Low execution, high score": 执行率 below this (percent) with 总分 at or above high_total_score.
    low_execution_pct: float = 60.0
    high_total_score: float = 90.0
    # Qualitative indicators (达成 / 部分达成 / 未达成): the top of each band, as a share of the weight.
    partial_band_max: float = 0.80
    missed_band_max: float = 0.60
    # An overspent cost cap (预算控制数 …): the local rule scores it 0; the national text allows
    # points × target ÷ actual. This decides what `recompute_total` counts, never an error.
    overspent_cost_scores_zero: bool = True
    # Shanxi: a project that files no 成本指标 (its cost rows read 不适用) scores at most this many
    # points for cost, instead of the rows leaving the recomputation. None: no such rule.
    cost_cap_not_filed: float | None = None
    # Rule 10 ("自评流于形式"): a unit needs at least this many forms before all-full-marks is flagged.
    unit_rule_min_forms: int = 2
    # Printed titles that identify this scheme's layout ("部门预算项目支出绩效自评表").
    layout_titles: tuple[str, ...] = ()
    # Risk signals (docs/scoring-rules.md, "Risk signals").
    # execution_cap: (执行率 below this percent, highest 总分 allowed), any order; the lowest band that
    # holds the rate applies. Empty: the scheme has no such cap (a provincial 一体化 manual's rule).
    execution_caps: tuple[tuple[float, float], ...] = ((80.0, 89.0), (70.0, 79.0), (60.0, 69.0), (50.0, 59.0))
    # score_outruns_execution: the indicators' share of their points minus the 执行率, in percentage
    # points, above which the form is flagged (the 一体化 system's red warning); None: not checked.
    outruns_execution_pct: float | None = 5.0
    # copied_text: the fewest characters (after domain.copy_text) a text shared by forms of different
    # projects needs to be a copy; stock phrases (无, 不适用, 已完成) never are.
    copied_text_min_chars: int = 15


NATIONAL = Scheme()


def _regional(name: str, **changes) -> Scheme:
    """A built-in scheme: the national values with `changes`, labelled from texts.SCHEME_LABELS."""
    return dataclasses.replace(
        NATIONAL, name=name, label=texts.SCHEME_LABELS[name], source=texts.SCHEME_SOURCES[name], **changes
    )


BUILTIN_SCHEMES: tuple[Scheme, ...] = (
    NATIONAL,
    _regional(
        "anhui",
        fund_weights=(10.0,),
        level1_splits=(((OUTPUT, 50.0), (BENEFIT, 30.0), (SATISFACTION, 10.0)),),
    ),
    _regional(
        "sichuan",
        fund_weights=(10.0,),
        level1_splits=(),
        indicator_points=90.0,
        layout_titles=("部门预算项目支出绩效自评表",),
    ),
    _regional(
        "hebei",
        fund_weights=(20.0,),
        level1_splits=(((OUTPUT, 40.0), (BENEFIT_AND_SATISFACTION, 40.0)), ((OUTPUT, 40.0), (BENEFIT, 40.0))),
        partial_band_max=0.80,
        missed_band_max=0.50,
    ),
    _regional(
        "shanxi",
        cost_cap_not_filed=5.0,
    ),
)


@dataclass(frozen=True)
class AuditConfig:
    """The named schemes, which form gets which, and the grade bands."""

    schemes: tuple[Scheme, ...] = BUILTIN_SCHEMES
    default_scheme: str = "national"
    # (printed 主管部门 or its code, scheme name): a department's setting, until reference data exists.
    departments: tuple[tuple[str, str], ...] = ()
    # Grade bands on 总分, best first: (lowest score of the band, grade); below the last band: lowest_grade.
    grade_bands: tuple[tuple[float, str], ...] = ((90.0, "优"), (80.0, "良"), (60.0, "中"))
    lowest_grade: str = "差"
    # The file this was read from ("" for the built-in defaults); not part of the fingerprint.
    source_file: str = field(default="", compare=False)

    @property
    def default(self) -> Scheme:
        return self.scheme(self.default_scheme)

    def scheme(self, name: str | None) -> Scheme:
        """The scheme called `name`; the default one for None or an unknown name."""
        by_name = {scheme.name: scheme for scheme in self.schemes}
        return (by_name.get(name) if name is not None else None) or by_name[self.default_scheme]

    @property
    def scheme_names(self) -> tuple[str, ...]:
        return tuple(scheme.name for scheme in self.schemes)

    def layout_scheme(self, layout: str | None) -> Scheme | None:
        """The scheme a printed title chooses (the longest layout title it holds), None where it names none."""
        if not layout:
            return None
        title = domain.normalize(layout)
        matches = [
            (len(marker), scheme)
            for scheme in self.schemes
            for marker in scheme.layout_titles
            if domain.normalize(marker) in title
        ]
        return max(matches, key=lambda match: match[0])[1] if matches else None

    def scheme_for(self, form, layout: str | None = None) -> Scheme:
        """The scheme a form is judged by: its layout (a printed title), else its 主管部门's setting,
        else the default scheme."""
        if (by_layout := self.layout_scheme(layout)) is not None:
            return by_layout
        department = domain.normalize(getattr(form, "department", None)).lower()
        if department:
            for key, name in self.departments:
                wanted = domain.normalize(key).lower()
                if department == wanted or (wanted.isdigit() and _starts_with_code(department, wanted)):
                    return self.scheme(name)
        return self.default

    def grade_of(self, score: float | None) -> str | None:
        """优 / 良 / 中 / 差 for a 总分; None where there is no score."""
        if score is None:
            return None
        for lowest, grade in self.grade_bands:
            if score >= lowest:
                return grade
        return self.lowest_grade

    @property
    def grades(self) -> tuple[str, ...]:
        """Every grade, best first."""
        return (*(grade for _, grade in self.grade_bands), self.lowest_grade)

    @property
    def fingerprint(self) -> str:
        """A short hash of every threshold: equal for equal configurations, whatever file they came from."""
        return hashlib.sha256(repr(dataclasses.replace(self, source_file="")).encode("utf-8")).hexdigest()[:12]


def _starts_with_code(department: str, code: str) -> bool:
    """ "101001某某局" starts with the code 101001 (and not with 10100)."""
    return department.startswith(code) and not department[len(code) : len(code) + 1].isdigit()


DEFAULT_CONFIG = AuditConfig()


def grade_of(score: float | None, config: AuditConfig | None = None) -> str | None:
    """优 (≥ 90) / 良 (≥ 80) / 中 (≥ 60) / 差 for a 总分 under `config` (the active one by default)."""
    return (config or active_config()).grade_of(score)


# --- Reading a TOML file ------------------------------------------------------------------------------------


def load_config(path: str | os.PathLike | None = None) -> AuditConfig:
    """The configuration in `path`, else in $DASHBOARD_AUDIT_CONFIG, else the built-in defaults.

    Keys a file leaves out keep their defaults; a scheme table of a new name starts from the national
    values. Raises AuditConfigError (a Chinese message naming the file and the key) for a file that
    cannot be read, is not TOML, or holds unknown keys, wrong types or values out of order.
    """
    if path is None:
        path = os.environ.get(ENV_VAR) or None
    if path is None:
        return DEFAULT_CONFIG
    name = str(path)
    data = read_toml_file(path, AuditConfigError, texts.CONFIG_UNREADABLE, texts.CONFIG_NOT_TOML)
    return _Reader(name).config(data)


def read_toml_file(path: str | os.PathLike, error: type[Exception], unreadable: str, not_toml: str) -> dict:
    """The tables of a TOML settings file (this configuration, the 结果应用 rules). A file that cannot be read
    raises `error` with `unreadable` ({file}); one that is not TOML, with `not_toml` ({file}, {where}: the line)."""
    name = str(path)
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise error(unreadable.format(file=name)) from None
    except tomllib.TOMLDecodeError as decode_error:
        line = re.search(r"line (\d+)", str(decode_error))
        where = texts.CONFIG_AT_LINE.format(line=line.group(1)) if line else ""
        raise error(not_toml.format(file=name, where=where)) from None


@functools.lru_cache(maxsize=8)
def _cached_load(path: str | None, _stamp: tuple) -> AuditConfig:
    return load_config(path) if path else DEFAULT_CONFIG


def active_config() -> AuditConfig:
    """The configuration in force: $DASHBOARD_AUDIT_CONFIG's file (re-read when it changes), else the defaults."""
    path = os.environ.get(ENV_VAR) or None
    stamp: tuple = ()
    if path:
        try:
            stat = os.stat(path)
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = ("missing",)
    return _cached_load(path, stamp)


def use_config(path: str | os.PathLike | None) -> AuditConfig:
    """Make the file at `path` the active configuration for this process (the CLI's --config), after
    validating it; None keeps the active one. Raises AuditConfigError for a file that cannot be used."""
    if path is None:
        return active_config()
    load_config(path)
    os.environ[ENV_VAR] = str(path)
    return active_config()


_SCHEME_FIELDS = {f.name: f for f in dataclasses.fields(Scheme) if f.name != "name"}
_TOP_KEYS = ("default_scheme", "grades", "schemes", "departments")


class _Reader:
    """Validates the TOML tables one key at a time, naming the key in every error."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, key: str, problem: str) -> NoReturn:
        raise AuditConfigError(texts.CONFIG_BAD_KEY.format(file=self.file, key=key, problem=problem))

    def config(self, data: dict) -> AuditConfig:
        for key in data:
            if key not in _TOP_KEYS:
                self.fail(key, texts.CONFIG_UNKNOWN_KEY)
        base = DEFAULT_CONFIG
        schemes = {scheme.name: scheme for scheme in base.schemes}
        for name, table in self.table(data, "schemes").items():
            key = f"schemes.{name}"
            if not isinstance(table, dict):
                self.fail(key, texts.CONFIG_WANT_TABLE)
            schemes[name] = self.scheme(
                key,
                schemes.get(
                    name, dataclasses.replace(NATIONAL, name=name, label=name, source=texts.SCHEME_SOURCE_FILE)
                ),
                table,
            )
        default_scheme = self.text(data, "default_scheme", base.default_scheme)
        if default_scheme not in schemes:
            self.fail("default_scheme", texts.CONFIG_NO_SUCH_SCHEME.format(name=default_scheme))
        departments = []
        for key, name in self.table(data, "departments").items():
            if not isinstance(name, str):
                self.fail(f"departments.{key}", texts.CONFIG_WANT_TEXT)
            if name not in schemes:
                self.fail(f"departments.{key}", texts.CONFIG_NO_SUCH_SCHEME.format(name=name))
            departments.append((key, name))
        bands, lowest = self.grades(self.table(data, "grades"), base)
        return AuditConfig(
            schemes=tuple(schemes.values()),
            default_scheme=default_scheme,
            departments=tuple(departments),
            grade_bands=bands,
            lowest_grade=lowest,
            source_file=self.file,
        )

    def table(self, data: dict, key: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, texts.CONFIG_WANT_TABLE)
        return value

    def text(self, data: dict, key: str, default: str, where: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(where or key, texts.CONFIG_WANT_TEXT)
        return value

    def number(self, key: str, value, minimum: float = 0.0, maximum: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, texts.CONFIG_WANT_NUMBER)
        if value < minimum or (maximum is not None and value > maximum):
            if maximum is None:
                self.fail(key, texts.CONFIG_NOT_BELOW.format(low=_plain(minimum)))
            self.fail(key, texts.CONFIG_OUT_OF_RANGE.format(low=_plain(minimum), high=_plain(maximum)))
        return float(value)

    def scheme(self, prefix: str, base: Scheme, table: dict) -> Scheme:
        values: dict = {}
        for key, value in table.items():
            where = f"{prefix}.{key}"
            if key not in _SCHEME_FIELDS:
                self.fail(where, texts.CONFIG_UNKNOWN_KEY)
            values[key] = self.scheme_value(where, key, value)
        scheme = dataclasses.replace(base, **values)
        if scheme.missed_band_max > scheme.partial_band_max:
            self.fail(f"{prefix}.missed_band_max", texts.CONFIG_BANDS_ORDER)
        return scheme

    def scheme_value(self, where: str, key: str, value):
        if key in ("label", "source"):
            if not isinstance(value, str) or not value.strip():
                self.fail(where, texts.CONFIG_WANT_TEXT)
            return value
        if key == "fund_weights":
            if not isinstance(value, list) or not value:
                self.fail(where, texts.CONFIG_WANT_NUMBERS)
            return tuple(self.number(where, item, maximum=domain.MAX_POINTS) for item in value)
        if key == "level1_splits":
            return self.splits(where, value)
        if key == "layout_titles":
            if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
                self.fail(where, texts.CONFIG_WANT_TEXTS)
            return tuple(value)
        if key == "overspent_cost_scores_zero":
            if not isinstance(value, bool):
                self.fail(where, texts.CONFIG_WANT_BOOL)
            return value
        if key == "unit_rule_min_forms":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self.fail(where, texts.CONFIG_WANT_COUNT)
            return value
        if key == "copied_text_min_chars":
            if isinstance(value, bool) or not isinstance(value, int) or value < domain.COPY_MIN_KEPT:
                self.fail(where, texts.CONFIG_NOT_BELOW.format(low=domain.COPY_MIN_KEPT))
            return value
        if key == "execution_caps":
            return self.caps(where, value)
        if key == "outruns_execution_pct":
            if value is False:
                return None
            return self.number(where, value, maximum=100.0)
        if key in ("partial_band_max", "missed_band_max"):
            return self.number(where, value, maximum=1.0)
        if key == "low_execution_pct":
            return self.number(where, value, maximum=100.0)
        if key in ("indicator_points", "cost_cap_not_filed", "high_total_score"):
            return self.number(where, value, maximum=domain.MAX_POINTS)
        return self.number(where, value)  # tolerances and the over-target ratio: not negative

    def splits(self, where: str, value) -> tuple[Split, ...]:
        if not isinstance(value, list):
            self.fail(where, texts.CONFIG_WANT_SPLITS)
        splits = []
        for position, split in enumerate(value, start=1):
            key = f"{where}[{position}]"
            if not isinstance(split, dict) or not split:
                self.fail(key, texts.CONFIG_WANT_SPLITS)
            splits.append(
                tuple(
                    (level1, self.number(f"{key}.{level1}", weight, maximum=domain.MAX_POINTS))
                    for level1, weight in split.items()
                )
            )
        return tuple(splits)

    def caps(self, where: str, value) -> tuple[tuple[float, float], ...]:
        """[[执行率 below, 总分 at most], …]: both numbers, the rate a percentage, the score a number of points."""
        if not isinstance(value, list):
            self.fail(where, texts.CONFIG_WANT_CAPS)
        caps = []
        for item in value:
            if not (isinstance(item, list) and len(item) == 2):
                self.fail(where, texts.CONFIG_WANT_CAPS)
            caps.append(
                (self.number(where, item[0], maximum=100.0), self.number(where, item[1], maximum=domain.MAX_POINTS))
            )
        return tuple(caps)

    def grades(self, table: dict, base: AuditConfig) -> tuple[tuple[tuple[float, str], ...], str]:
        for key in table:
            if key not in ("bands", "lowest"):
                self.fail(f"grades.{key}", texts.CONFIG_UNKNOWN_KEY)
        lowest = self.text(table, "lowest", base.lowest_grade, "grades.lowest")
        if "bands" not in table:
            return base.grade_bands, lowest
        raw = table["bands"]
        if not isinstance(raw, list) or not raw:
            self.fail("grades.bands", texts.CONFIG_WANT_BANDS)
        bands = []
        for item in raw:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str) and item[1].strip()):
                self.fail("grades.bands", texts.CONFIG_WANT_BANDS)
            bands.append((self.number("grades.bands", item[0], maximum=domain.MAX_POINTS), item[1]))
        lows = [low for low, _ in bands]
        if any(a <= b for a, b in itertools.pairwise(lows)):
            self.fail("grades.bands", texts.CONFIG_BANDS_ORDER)
        names = [grade for _, grade in bands] + [lowest]
        if len(set(names)) != len(names):
            self.fail("grades.bands", texts.CONFIG_GRADES_REPEATED)
        return tuple(bands), lowest


def _plain(value: float) -> str:
    return f"{value:g}"
