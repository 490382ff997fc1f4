"""Accounts: where money is kept or owed."""
