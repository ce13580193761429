"""In-memory stand-in for the vault (same `SecretStore` Protocol as the real one)."""

from __future__ import annotations

import secrets


class FakeVault:
    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def _set(self, name: str, value: str) -> None:
        if not value:
            raise ValueError(f"refusing to store an empty {name}")
        self.items[name] = value

    def get_sip_secret(self) -> str | None:
        return self.items.get("sip-secret")

    def set_sip_secret(self, value: str) -> None:
        self._set("sip-secret", value)

    def get_refresh_token(self) -> str | None:
        return self.items.get("refresh-token")

    def set_refresh_token(self, value: str) -> None:
        self._set("refresh-token", value)

    def has_data_key(self) -> bool:
        return "data-key" in self.items

    def data_key(self) -> bytes:
        if "data-key" not in self.items:
            self.items["data-key"] = secrets.token_hex(32)
        return bytes.fromhex(self.items["data-key"])

    def wipe(self) -> None:
        self.items.clear()
