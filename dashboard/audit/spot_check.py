"""抽查复核: a finance bureau's spot check of the self-evaluations (issue 20).

A plan samples current project forms in a scope (year, 主管部门, project type) and says why each was chosen,
in this order (the rule is recorded with the plan, so the same database, options and seed give the same forms):

1. risk — forms with warning-level findings (警告 and 错误) or risk signals (audit.RISK_SIGNAL_IDS), the most
   first, up to half the sample (rounded up);
2. amount — the largest projects by 全年预算数, up to a quarter of the sample (rounded up);
3. coverage — one form for each 主管部门 in scope that has none yet (its riskiest, then largest form), while
   room is left;
4. random — the rest, drawn from the remaining forms with the plan's seed.

A reviewer then enters, per row, 复核完成值 / 复核得分 / 复核意见 (a blank 复核得分 keeps the self-score) and, per
form, 复核人 / 复核日期 / 结论. 复核总分 = Σ 复核得分 of the indicator rows and the 年度资金总额 row
(domain.reviewed_total); 偏离度 = (自评总分 − 复核总分) ÷ 自评总分 (domain.deviation). Each save is one transaction
naming who saved it; a save that names an older `version` of the entry than the stored one is refused
(ConflictError): two people saving the same form do not silently overwrite each other.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

from dashboard.audit.audit import RISK_SIGNAL_IDS
from dashboard.audit.config import AuditConfig, active_config
from dashboard.core import dialect, domain, texts
from dashboard.core.domain import Severity, SpotBasis
from dashboard.core.model import Form
from dashboard.core.transactions import first_row, transaction
from dashboard.store import reads
from dashboard.store.schema import StoreError

FUND_ROW = 0  # spot_rows.position of the 年度资金总额 row
RISK_SHARE = 0.5  # of the sample, at most, chosen by risk
AMOUNT_SHARE = 0.25  # of the sample, at most, chosen by amount
MAX_PLAN_NAME = 60


class SpotCheckError(StoreError):
    """A plan or a review that cannot be made or saved; the message says why (and where, for a workbook)."""


class ConflictError(SpotCheckError):
    """Someone else saved the same form's review after this one was read."""


@dataclass(frozen=True)
class Scope:
    """The forms a plan samples from: current, counted project forms, narrowed by these (empty: all)."""

    years: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    def record(self) -> dict:
        return {"years": list(self.years), "departments": list(self.departments), "types": list(self.types)}


@dataclass(frozen=True)
class Choice:
    form_id: str
    basis: SpotBasis
    note: str


@dataclass
class RowReview:
    """The reviewer's entries on one row (position 0: the 年度资金总额 row)."""

    position: int
    actual: str | None = None
    score: float | None = None
    note: str | None = None

    def empty(self) -> bool:
        return not (self.actual or self.note) and self.score is None


@dataclass
class FormReview:
    """One form's review as entered: the header block and the rows; `version` is the entry's version read."""

    entry_id: int
    version: int
    reviewer: str | None = None
    reviewed_on: date | None = None
    conclusion: str | None = None
    rows: list[RowReview] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.reviewer or self.reviewed_on or self.conclusion) and all(row.empty() for row in self.rows)


# --- choosing the sample ------------------------------------------------------------------------------------


def candidates(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The forms in scope with what the choice reads: form_id, department, budget, risk findings, signals."""
    conditions = [reads.counted_sql("f"), reads.project_form_sql("f")]
    params: list = []
    for column, values in (("year", scope.years), ("department", scope.departments), ("project_type", scope.types)):
        if values:
            conditions.append(f"f.{column} IN (SELECT unnest(?))")
            params.append(list(values))
    serious = [Severity.ERROR.value, Severity.WARNING.value]
    sql = f"""
        SELECT f.form_id, f.department, coalesce(CAST(f.budget AS DOUBLE), 0) AS budget,
               count(c.rule) FILTER (WHERE c.severity IN (SELECT unnest(?)) AND c.rule NOT IN (SELECT unnest(?)))
                   AS findings,
               count(c.rule) FILTER (WHERE c.rule IN (SELECT unnest(?))) AS signals
        FROM forms f LEFT JOIN checks c ON c.form_id = f.form_id
        WHERE {" AND ".join(conditions)}
        GROUP BY f.form_id, f.department, f.budget
        ORDER BY f.form_id
    """
    signals = list(RISK_SIGNAL_IDS)
    return con.execute(sql, [serious, signals, signals, *params]).df()


def scope_options(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """The years, 主管部门 and project types (as printed) a plan's scope may name: those of counted project forms."""
    where = f"{reads.counted_sql('f')} AND {reads.project_form_sql('f')}"
    found = {}
    for key, column, order in (
        ("years", "year", "DESC"),
        ("departments", "department", ""),
        ("types", "project_type", ""),
    ):
        found[key] = [
            row[0]
            for row in con.execute(
                f"SELECT DISTINCT f.{column} FROM forms f WHERE {where} AND f.{column} IS NOT NULL ORDER BY 1 {order}"
            ).fetchall()
        ]
    return found


def sample_size(population: int, size: int | None, share: float | None) -> int:
    """How many forms a plan takes: `size`, or ⌈share × population⌉ (at least 1), never more than there are."""
    if (size is None) == (share is None):
        raise SpotCheckError(texts.SPOT_SIZE_OR_SHARE)
    if size is not None and size < 1:
        raise SpotCheckError(texts.SPOT_SIZE_POSITIVE)
    if share is not None and not 0 < share <= 1:
        raise SpotCheckError(texts.SPOT_SHARE_RANGE)
    wanted = size if size is not None else max(1, math.ceil((share or 0) * population - 1e-9))
    return min(wanted, population)


def choose(frame: pd.DataFrame, count: int, seed: int) -> list[Choice]:
    """The sample, in order of choice, each with its reason (the module docstring's four steps)."""
    rows = frame.to_dict("records")
    by_id = {row["form_id"]: row for row in rows}
    chosen: dict[str, Choice] = {}

    def room() -> int:
        return count - len(chosen)

    def risk(row) -> int:
        return int(row["findings"]) + int(row["signals"])

    risky = sorted((row for row in rows if risk(row) > 0), key=lambda r: (-risk(r), -r["budget"], r["form_id"]))
    for row in risky[: min(math.ceil(count * RISK_SHARE), room())]:
        note = texts.SPOT_NOTE_RISK.format(findings=int(row["findings"]), signals=int(row["signals"]))
        chosen[row["form_id"]] = Choice(row["form_id"], SpotBasis.RISK, note)
    largest = sorted(rows, key=lambda r: (-r["budget"], r["form_id"]))
    ranks = {row["form_id"]: rank for rank, row in enumerate(largest, 1)}
    quota = min(math.ceil(count * AMOUNT_SHARE), room())
    for row in [r for r in largest if r["form_id"] not in chosen][:quota]:
        note = texts.SPOT_NOTE_AMOUNT.format(rank=ranks[row["form_id"]], budget=f"{row['budget']:,.2f}")
        chosen[row["form_id"]] = Choice(row["form_id"], SpotBasis.AMOUNT, note)
    covered = {by_id[form_id]["department"] for form_id in chosen}
    by_department: dict = {}
    for row in rows:
        if row["department"] not in covered:
            by_department.setdefault(row["department"], []).append(row)
    for department in sorted(by_department, key=str):
        if room() <= 0:
            break
        best = min(by_department[department], key=lambda r: (-risk(r), -r["budget"], r["form_id"]))
        shown = department if department else texts.ORG_BLANK
        chosen[best["form_id"]] = Choice(
            best["form_id"], SpotBasis.COVERAGE, texts.SPOT_NOTE_COVERAGE.format(department=shown)
        )
    rest = sorted(row["form_id"] for row in rows if row["form_id"] not in chosen)
    for form_id in random.Random(seed).sample(rest, max(0, min(room(), len(rest)))):
        chosen[form_id] = Choice(form_id, SpotBasis.RANDOM, texts.SPOT_NOTE_RANDOM.format(seed=seed))
    return list(chosen.values())


def create_plan(
    con: duckdb.DuckDBPyConnection,
    name: str,
    scope: Scope,
    size: int | None = None,
    share: float | None = None,
    seed: int | None = None,
    by: str | None = None,
) -> int:
    """Sample the scope and store the plan (one transaction); returns its id. The seed, when not given, is drawn
    and recorded, so the plan can be made again."""
    name = name.strip()
    if not name or len(name) > MAX_PLAN_NAME:
        raise SpotCheckError(texts.SPOT_BAD_NAME.format(limit=MAX_PLAN_NAME))
    if seed is None:
        seed = random.SystemRandom().randrange(1, 1_000_000)
    frame = candidates(con, scope)
    if frame.empty:
        raise SpotCheckError(texts.SPOT_EMPTY_SCOPE)
    count = sample_size(len(frame), size, share)
    choices = choose(frame, count, seed)
    rule = {
        "scope": scope.record(), "size": size, "share": share, "seed": seed, "population": len(frame),
        "order": [basis.value for basis in SpotBasis], "risk_share": RISK_SHARE, "amount_share": AMOUNT_SHARE,
    }  # fmt: skip
    with transaction(con):
        if first_row(con, "SELECT 1 FROM spot_plans WHERE name = ?", [name]):
            raise SpotCheckError(texts.SPOT_NAME_TAKEN.format(name=name))
        plan_id = dialect.next_id(con, "spot_plan_seq")
        con.execute(
            "INSERT INTO spot_plans (plan_id, name, rule, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
            [plan_id, name, json.dumps(rule, ensure_ascii=False), by, datetime.now()],
        )
        for position, choice in enumerate(choices, 1):
            con.execute(
                """
                INSERT INTO spot_entries (entry_id, plan_id, form_id, position, basis, basis_note, year, department,
                                          unit, project_name, self_score, not_graded, budget)
                SELECT ?, ?, form_id, ?, ?, ?, year, department, unit, project_name, total_score, not_graded, budget
                FROM forms WHERE form_id = ?
                """,
                [
                    dialect.next_id(con, "spot_entry_seq"),
                    plan_id,
                    position,
                    choice.basis.value,
                    choice.note,
                    choice.form_id,
                ],
            )
    return int(plan_id)


# --- reading plans ------------------------------------------------------------------------------------------


def plans(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every plan: plan_id, name, created_by, created_at, rule (JSON), forms, reviewed."""
    return con.execute(
        """
        SELECT p.plan_id, p.name, p.created_by, p.created_at, p.rule,
               count(e.entry_id) AS forms, count(e.reviewed_score) AS reviewed
        FROM spot_plans p LEFT JOIN spot_entries e ON e.plan_id = p.plan_id
        GROUP BY ALL ORDER BY p.created_at, p.plan_id
        """
    ).df()


def plan_id(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = first_row(con, "SELECT plan_id FROM spot_plans WHERE name = ?", [name])
    if row is None:
        raise SpotCheckError(texts.SPOT_NO_PLAN.format(name=name))
    return int(row[0])


def plan_rule_text(rule_json: str) -> str:
    """The plan's rule in one line for people."""
    rule = json.loads(rule_json)
    scope = rule["scope"]
    parts = [
        texts.SPOT_RULE_SIZE.format(size=rule["size"]) if rule["size"] is not None
        else texts.SPOT_RULE_SHARE.format(share=f"{rule['share']:.0%}"),
        texts.SPOT_RULE_SEED.format(seed=rule["seed"]),
        texts.SPOT_RULE_POPULATION.format(count=rule["population"]),
    ]  # fmt: skip
    for key, label in texts.SPOT_RULE_SCOPE.items():
        if scope.get(key):
            parts.append(f"{label} {'、'.join(map(str, scope[key]))}")
    return texts.SPOT_RULE_SEPARATOR.join(parts)


def entries(con: duckdb.DuckDBPyConnection, plan: int) -> pd.DataFrame:
    """The plan's forms in order of choice, with their review, 复核等级, 偏离度 and whether the form is still stored."""
    frame = con.execute(
        """
        SELECT e.*, CAST(e.budget AS DOUBLE) AS budget_value, f.form_id IS NOT NULL AS stored,
               f.superseded_by IS NOT NULL AS superseded
        FROM spot_entries e LEFT JOIN forms f ON f.form_id = e.form_id
        WHERE e.plan_id = ? ORDER BY e.position
        """,
        [plan],
    ).df()
    config = active_config()
    frame["self_grade"] = [
        grade(score, ng, config) for score, ng in zip(frame["self_score"], frame["not_graded"], strict=True)
    ]
    frame["reviewed_grade"] = [
        grade(score, ng, config) if _present(score) else None
        for score, ng in zip(frame["reviewed_score"], frame["not_graded"], strict=True)
    ]
    frame["deviation"] = [
        domain.deviation(_number(own), _number(reviewed))
        for own, reviewed in zip(frame["self_score"], frame["reviewed_score"], strict=True)
    ]
    frame["grade_changed"] = [
        bool(_present(r) and own != new)
        for r, own, new in zip(frame["reviewed_score"], frame["self_grade"], frame["reviewed_grade"], strict=True)
    ]
    return frame


def grade(score, not_graded, config: AuditConfig | None = None) -> str | None:
    """The grade of a 总分 (self or 复核): 不评级 for a form that is not graded."""
    if _present(not_graded):
        return texts.NOT_GRADED
    return (config or active_config()).grade_of(_number(score))


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value is not pd.NA


def _number(value) -> float | None:
    return float(value) if _present(value) else None


def entry_rows(con: duckdb.DuckDBPyConnection, entry_id: int) -> pd.DataFrame:
    """The reviewer's stored values on an entry's rows (position, reviewed_actual, reviewed_score, note, …)."""
    return con.execute("SELECT * FROM spot_rows WHERE entry_id = ? ORDER BY position", [entry_id]).df()


def sampled_form(con: duckdb.DuckDBPyConnection, form_id: str) -> Form | None:
    """The version an entry points at, as a model object (None where its import was removed with no earlier one)."""
    forms = reads.load_forms(con, [form_id], versions="all")
    return forms[0] if forms else None


def summary(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per unit (`by`="unit") or 主管部门 ("department"): sampled, reviewed, mean 偏离度, forms with
    |偏离度| ≥ domain.DEVIATION_MARKED, grade changes."""
    if frame.empty:
        return pd.DataFrame(columns=[by, "sampled", "reviewed", "mean_deviation", "marked", "grade_changes"])
    work = frame.assign(
        key=frame[by].fillna(""),
        is_reviewed=frame["reviewed_score"].notna(),
        dev=pd.to_numeric(frame["deviation"], errors="coerce"),
    )
    work["marked"] = work["dev"].abs() >= domain.DEVIATION_MARKED - 1e-12
    grouped = work.groupby("key", sort=True).agg(
        sampled=("entry_id", "size"),
        reviewed=("is_reviewed", "sum"),
        mean_deviation=("dev", "mean"),
        marked=("marked", "sum"),
        grade_changes=("grade_changed", "sum"),
    )
    return grouped.reset_index().rename(columns={"key": by})


# --- saving reviews -----------------------------------------------------------------------------------------


def save_reviews(con: duckdb.DuckDBPyConnection, reviews: list[FormReview], by: str | None) -> int:
    """Save the reviews of several forms in one transaction (a worksheet, a page's editor); returns how many.

    Each review's rows replace the entry's stored rows; the 复核总分 is computed from them and the sampled
    form's self-scores. A review naming an entry version older than the stored one raises ConflictError and
    nothing is written.
    """
    with transaction(con):
        for review in reviews:
            _save_one(con, review, by)
    return len(reviews)


def _save_one(con: duckdb.DuckDBPyConnection, review: FormReview, by: str | None) -> None:
    row = first_row(
        con,
        "SELECT form_id, version, saved_by, saved_at, project_name FROM spot_entries WHERE entry_id = ?",
        [review.entry_id],
    )
    if row is None:
        raise SpotCheckError(texts.SPOT_NO_ENTRY.format(entry=review.entry_id))
    form_id, version, saved_by, saved_at, project_name = row
    if version != review.version:
        when = saved_at.strftime("%Y-%m-%d %H:%M") if saved_at else "—"
        raise ConflictError(
            texts.SPOT_CONFLICT.format(project=project_name, by=saved_by or texts.SPOT_SOMEONE, at=when)
        )
    base = base_rows(con, review.entry_id, form_id)
    given = {entry.position: entry for entry in review.rows}
    unknown = sorted(set(given) - set(base))
    if unknown:
        raise SpotCheckError(texts.SPOT_NO_ROW.format(project=project_name, rows=unknown))
    con.execute("DELETE FROM spot_rows WHERE entry_id = ?", [review.entry_id])
    totals = []
    for position, (name, weight, own) in sorted(base.items()):
        entry = given.get(position, RowReview(position))
        check_score(entry.score, weight, project_name, name)
        con.execute(
            "INSERT INTO spot_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [review.entry_id, position, name, weight, own, entry.actual or None, entry.score, entry.note or None],
        )
        totals.append((own, entry.score))
    reviewed = domain.reviewed_total(totals)
    con.execute(
        """
        UPDATE spot_entries SET reviewer = ?, reviewed_on = ?, conclusion = ?, reviewed_score = ?,
                                saved_by = ?, saved_at = ?, version = version + 1
        WHERE entry_id = ?
        """,
        [review.reviewer or None, review.reviewed_on, review.conclusion or None, reviewed, by, datetime.now(),
         review.entry_id],
    )  # fmt: skip


def check_score(score: float | None, weight: float | None, project: str, row: str) -> None:
    if score is None:
        return
    if score < 0 or (weight is not None and score > weight + domain.POINTS_EPSILON):
        raise SpotCheckError(texts.SPOT_SCORE_OUT_OF_RANGE.format(project=project, row=row, score=score, weight=weight))


def base_rows(con: duckdb.DuckDBPyConnection, entry_id: int, form_id: str) -> dict[int, tuple]:
    """{position: (name, 分值, self-score)} of an entry's rows: those stored with it, else the sampled form's."""
    stored = con.execute(
        "SELECT position, name, weight, self_score FROM spot_rows WHERE entry_id = ?", [entry_id]
    ).fetchall()
    if stored:
        return {position: (name, weight, own) for position, name, weight, own in stored}
    form = sampled_form(con, form_id)
    if form is None:
        return {}
    rows = {FUND_ROW: (texts.SPOT_FUND_ROW, form.funds.total.weight, form.funds.total.score)}
    for position, indicator in enumerate(form.indicators, 1):
        rows[position] = (indicator.name, indicator.weight, indicator.score)
    return rows


# --- for the exports ----------------------------------------------------------------------------------------


def export_records(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """{form_id: spot_check object} of every reviewed entry (the latest saved where a form is in several plans):
    plan, reviewed_score, reviewed_grade, deviation, reviewer, reviewed_at (docs/export-notes.md)."""
    rows = con.execute(
        """
        SELECT e.form_id, p.name, e.reviewed_score, e.not_graded, e.self_score, e.reviewer, e.reviewed_on, e.saved_at
        FROM spot_entries e JOIN spot_plans p ON p.plan_id = e.plan_id
        WHERE e.reviewed_score IS NOT NULL ORDER BY e.saved_at, e.entry_id
        """
    ).fetchall()
    config = active_config()
    records = {}
    for form_id, plan, reviewed, not_graded, own, reviewer, reviewed_on, saved_at in rows:
        dev = domain.deviation(own, reviewed)
        records[form_id] = {
            "plan": plan,
            "reviewed_score": reviewed,
            "reviewed_grade": grade(reviewed, not_graded, config),
            "deviation": None if dev is None else round(dev, 6),
            "reviewer": reviewer,
            "reviewed_at": (reviewed_on or saved_at.date()).isoformat(),
        }
    return records


def export_rows(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], tuple]:
    """{(form_id, indicator position): (plan, 复核完成值, 复核得分, 复核意见)} of reviewed entries (latest saved)."""
    rows = con.execute(
        """
        SELECT e.form_id, r.position, p.name, r.reviewed_actual, r.reviewed_score, r.note
        FROM spot_rows r JOIN spot_entries e ON e.entry_id = r.entry_id JOIN spot_plans p ON p.plan_id = e.plan_id
        WHERE e.reviewed_score IS NOT NULL ORDER BY e.saved_at, e.entry_id
        """
    ).fetchall()
    return {(form_id, position): (plan, actual, score, note) for form_id, position, plan, actual, score, note in rows}
