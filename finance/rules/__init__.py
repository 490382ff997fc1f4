"""Categorisation rules: a payee that contains or matches a pattern gets a category."""
