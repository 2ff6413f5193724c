"""Shared by every layer, reading and writing nothing: the form model, the domain rules, the UI texts, formatting."""
