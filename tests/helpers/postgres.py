"""Fixtures for postgres (filled in by the part that needs it)."""
