"""Fixtures for pulse (filled in by the part that needs it)."""
