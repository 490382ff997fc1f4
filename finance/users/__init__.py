"""Users: every row of the ledger belongs to one."""
