"""Test-only PostgreSQL backend: the flush between transactional tests goes around the
append-only tables' TRUNCATE guard (core.triggers.NoTruncate). Named only in
tests/settings.py; the app never uses it."""
