"""Categorisation rules."""
