"""Idempotent creation through the API: a script sends `Idempotency-Key` with a creating POST,
and a retry with the same key and body gets the first answer instead of a second object."""
