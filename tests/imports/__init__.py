"""Bank-file import: each reader against the sample exports and hostile files."""
