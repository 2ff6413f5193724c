"""Every threshold of the self-score audit, in one place (docs: scoring-rules.md).

The defaults follow the national rules (财预〔2020〕10号) and the common local practice seen in the
sample data. A region with other rules builds its own `AuditConfig(...)` and passes it to the audit.
"""

from __future__ import annotations

from dataclasses import dataclass

# 一级指标 labels as the forms print them (Indicator.level1).
OUTPUT = "产出指标"
BENEFIT = "效益指标"
SATISFACTION = "满意度指标"


@dataclass(frozen=True)
class AuditConfig:
    """Thresholds and weights the audit rules compare against."""

    # 预算执行率 weight (分值 of the 年度资金总额 row): 10 nationally, 20 on some local forms.
    fund_weights: tuple[float, ...] = (10.0, 20.0)
    # Accepted splits of the indicator points across 一级指标. The first is the national split
    # (产出 50, 效益 30, 满意度 10); the second the common local one, 满意度 counted inside 效益.
    # A split matching none of them is a warning, never an error.
    level1_splits: tuple[tuple[tuple[str, float], ...], ...] = (
        ((OUTPUT, 50.0), (BENEFIT, 30.0), (SATISFACTION, 10.0)),
        ((OUTPUT, 50.0), (BENEFIT, 40.0)),
    )
    # Grade bands on 总分, best first: (lowest score of the band, grade); below the last band: 差.
    grade_bands: tuple[tuple[float, str], ...] = ((90.0, "优"), (80.0, "良"), (60.0, "中"))
    lowest_grade: str = "差"
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
    # A cost cap (预算控制数 …) that was overspent: the local rule scores it 0; the national text
    # allows points × target ÷ actual. The audit never calls the prorated score an error; this only
    # decides what `recompute_total` counts.
    overspent_cost_scores_zero: bool = True
    # Rule 10 ("自评流于形式"): a unit needs at least this many forms before all-full-marks is flagged.
    unit_rule_min_forms: int = 2

    def grade_of(self, score: float | None) -> str | None:
        """优 / 良 / 中 / 差 for a 总分; None where there is no score."""
        if score is None:
            return None
        for lowest, grade in self.grade_bands:
            if score >= lowest:
                return grade
        return self.lowest_grade


DEFAULT_CONFIG = AuditConfig()


def grade_of(score: float | None, config: AuditConfig = DEFAULT_CONFIG) -> str | None:
    """优 (≥ 90) / 良 (≥ 80) / 中 (≥ 60) / 差 for a 总分 under `config`; None where there is no score."""
    return config.grade_of(score)
