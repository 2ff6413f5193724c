"""The office's reference data: organisations and project types, and the SQL joins that use them."""
