"""A secret store for the demo only: secrets live in memory and vanish with the process.

The real app refuses to run without the OS keyring (`homeagent.security.vault.Vault`);
the demo runs on machines without a Secret Service, with throw-away demo credentials.
"""

from __future__ import annotations

import os


class MemoryVault:
    """`SecretStore` in memory (demo data only, never real credentials)."""

    def __init__(self) -> None:
        self._sip: str | None = None
        self._refresh: str | None = None
        self._key: bytes | None = None

    def get_sip_secret(self) -> str | None:
        """The SIP password handed out at enrolment."""
        return self._sip

    def set_sip_secret(self, value: str) -> None:
        """Keep the SIP password."""
        self._sip = value

    def get_refresh_token(self) -> str | None:
        """The device's refresh token."""
        return self._refresh

    def set_refresh_token(self, value: str) -> None:
        """Keep the rotated refresh token."""
        self._refresh = value

    def data_key(self) -> bytes:
        """The cache's encryption key (made on first use)."""
        if self._key is None:
            self._key = os.urandom(32)
        return self._key

    def has_data_key(self) -> bool:
        """Whether the cache key exists."""
        return self._key is not None

    def wipe(self) -> None:
        """Forget everything."""
        self._sip = self._refresh = None
        self._key = None
