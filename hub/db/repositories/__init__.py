"""Queries per domain noun: ``get``/``list`` style functions with keyword-only arguments."""
