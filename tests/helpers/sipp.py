"""Fixtures for sipp (filled in by the part that needs it)."""
