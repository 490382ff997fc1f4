"""Authentication: passwords, browser sessions, personal access tokens, CSRF and throttling."""
