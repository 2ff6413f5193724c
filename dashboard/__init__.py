"""绩效自评看板: import 项目支出绩效自评表 into DuckDB and show them to leadership."""

from importlib import metadata

# The one version number is pyproject.toml's; it moves with the schema and the export contract (CHANGELOG.md).
try:
    __version__ = metadata.version("jixiao-dashboard")
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
