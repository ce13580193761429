"""A secret store in memory, for the demo and the tests: secrets vanish with the process.

The real app refuses to run without the OS keyring (`homeagent.security.vault.Vault`);
the demo runs on machines without a Secret Service, with throw-away demo credentials.
`tests/integration/client/test_vault_contract.py` holds it to the real vault.
"""

from __future__ import annotations

import secrets


class MemoryVault:
    """`SecretStore` in memory (demo data only, never real credentials).

    `items` holds what a keyring would, by entry name (tests inspect and alter it).
    """

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def _set(self, name: str, value: str) -> None:
        if not value:
            raise ValueError(f"refusing to store an empty {name}")
        self.items[name] = value

    def get_sip_secret(self) -> str | None:
        """The SIP password handed out at enrolment."""
        return self.items.get("sip-secret")

    def set_sip_secret(self, value: str) -> None:
        """Keep the SIP password (an empty one is refused, as by the real vault)."""
        self._set("sip-secret", value)

    def get_refresh_token(self) -> str | None:
        """The device's refresh token."""
        return self.items.get("refresh-token")

    def set_refresh_token(self, value: str) -> None:
        """Keep the rotated refresh token (an empty one is refused)."""
        self._set("refresh-token", value)

    def data_key(self) -> bytes:
        """The cache's encryption key (made on first use)."""
        if "data-key" not in self.items:
            self.items["data-key"] = secrets.token_hex(32)
        return bytes.fromhex(self.items["data-key"])

    def has_data_key(self) -> bool:
        """Whether the cache key exists."""
        return "data-key" in self.items

    def wipe(self) -> None:
        """Forget everything."""
        self.items.clear()
