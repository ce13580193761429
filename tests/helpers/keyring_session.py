"""Fixtures for keyring_session (filled in by the part that needs it)."""
