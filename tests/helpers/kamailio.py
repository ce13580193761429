"""Fixtures for kamailio (filled in by the part that needs it)."""
