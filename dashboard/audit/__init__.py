"""Checks on forms: the scoring rules, the audit configuration, completeness, the audit runs."""
