"""绩效自评看板: import 项目支出绩效自评表 into DuckDB and show them to leadership."""
