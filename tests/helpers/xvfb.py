"""Fixtures for xvfb (filled in by the part that needs it)."""
