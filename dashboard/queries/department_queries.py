"""The 部门整体支出绩效自评表 (form_kind "department"): SQL of the 部门整体 page.

These forms are kept out of every project total (queries.FORM_OVERVIEW_SQL counts project forms only);
here each counted department form is one row, under every sidebar filter the page's caption lists
(filters.where_sql, the same SQL as the project pages: year, 主管部门, 总分, 执行率, grade, status, search …).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.queries.filters import Filters, where_sql
from dashboard.queries.queries import grade_sql
from dashboard.reference import reference
from dashboard.store import reads

FORMS_SQL = """
SELECT f.form_id, f.year, f.department, CAST(f.budget AS DOUBLE) AS budget,
       CAST(f.executed AS DOUBLE) AS executed, 100 * f.exec_rate AS rate_pct,
       f.total_score, f.recomputed_score, f.source_file
FROM {forms} f
WHERE {where}
ORDER BY f.year DESC, f.department
"""
INDICATORS_SQL = """
SELECT i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score, i.reason
FROM indicators i WHERE i.form_id = ? ORDER BY i.position
"""


def department_forms(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per counted 部门整体 form under the filters: budget, 执行数, 执行率 (%), 总分."""
    resolved = reference.resolved_forms_sql(f"{reads.counted_sql('f')} AND {reads.department_form_sql('f')}")
    forms = f"(SELECT d.*, {grade_sql('d.total_score', 'd.not_graded')} AS grade FROM {resolved} d)"
    where, params = where_sql(filters, "f")
    return con.execute(FORMS_SQL.format(forms=forms, where=where), params).df()


def department_indicators(con: duckdb.DuckDBPyConnection, form_id: str) -> pd.DataFrame:
    return con.execute(INDICATORS_SQL, [form_id]).df()
