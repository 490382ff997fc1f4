"""Importing bank files: reading CSV, OFX/QFX, QIF and camt.053 into statement lines."""
