"""Transactions: money moving, as postings that balance to zero."""
