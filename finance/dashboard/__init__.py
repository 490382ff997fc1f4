"""The dashboard: where the money is, and where it went this month."""
