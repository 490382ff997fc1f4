"""Exports: the transaction list as CSV or JSON, a whole user as a backup file, and a copy of
a live SQLite database."""
