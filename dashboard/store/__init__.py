"""The DuckDB file: schema, opening it (connect), migrations, writes, reads."""
