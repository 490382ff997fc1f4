"""Authentication and authorization: logins, sessions, tokens, CSRF, throttling."""
