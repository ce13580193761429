"""Credential vault: the device's secrets live only in the OS keyring.

Held here: the SIP secret, the refresh token and the local data key (the key of the
encrypted customer cache). The access token stays in memory. If the only keyring
available is not a real OS secret store (the `fail`/`null` backends, `keyrings.alt`
plaintext or "encrypted" files, a chain containing one of them), the vault refuses to
start: a silent fallback would put the secrets on disk in clear.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, Protocol

import keyring
import keyring.errors
from keyring.backends.chainer import ChainerBackend

log = logging.getLogger(__name__)

# Backends that keep secrets in the OS secret store (module names of `keyring` backends).
SECURE_BACKEND_MODULES = frozenset(
    {
        "keyring.backends.SecretService",  # GNOME Keyring, KeePassXC… over D-Bus (Linux)
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
        "keyring.backends.macOS",  # Keychain
        "keyring.backends.Windows",  # Credential Manager
    }
)

SIP_SECRET = "sip-secret"  # noqa: S105 (an entry name, not a secret)
REFRESH_TOKEN = "refresh-token"  # noqa: S105 (an entry name)
DATA_KEY = "data-key"
_ALL = (SIP_SECRET, REFRESH_TOKEN, DATA_KEY)


class VaultUnavailable(RuntimeError):
    """No secure OS keyring (or it failed); the message says what to do."""


class SecretStore(Protocol):
    """What the rest of the app needs from the vault (fakes implement it too)."""

    def get_sip_secret(self) -> str | None: ...
    def set_sip_secret(self, value: str) -> None: ...
    def get_refresh_token(self) -> str | None: ...
    def set_refresh_token(self, value: str) -> None: ...
    def data_key(self) -> bytes: ...
    def has_data_key(self) -> bool: ...
    def wipe(self) -> None: ...


def describe_backend(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_secure_backend(backend: Any) -> bool:
    """Whether `backend` stores secrets in the OS secret store (a chain: all of its parts)."""
    if isinstance(backend, ChainerBackend):
        parts = list(backend.backends or ())
        return bool(parts) and all(is_secure_backend(b) for b in parts)
    return type(backend).__module__ in SECURE_BACKEND_MODULES


class Vault:
    """The device's secrets in the OS keyring, under service name `service`."""

    def __init__(self, service: str = "HomeAgent", backend: Any = None) -> None:
        chosen = backend if backend is not None else keyring.get_keyring()
        if not is_secure_backend(chosen):
            raise VaultUnavailable(
                "No secure system keyring is available (found "
                f"{describe_backend(chosen)}). HomeAgent keeps its credentials only in "
                "the system keyring: on Linux, start a Secret Service such as GNOME "
                "Keyring and unlock it, then try again."
            )
        self._backend = chosen
        self._service = service

    @property
    def backend_name(self) -> str:
        return describe_backend(self._backend)

    def _get(self, name: str) -> str | None:
        try:
            value = self._backend.get_password(self._service, name)
        except keyring.errors.KeyringError as exc:
            raise VaultUnavailable(_failed("read", exc)) from None
        return None if value is None else str(value)

    def _set(self, name: str, value: str) -> None:
        if not value:
            raise ValueError(f"refusing to store an empty {name}")
        try:
            self._backend.set_password(self._service, name, value)
        except keyring.errors.KeyringError as exc:
            raise VaultUnavailable(_failed("write", exc)) from None

    def _delete(self, name: str) -> None:
        try:
            self._backend.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError:
            pass  # not there: nothing to wipe
        except keyring.errors.KeyringError as exc:
            raise VaultUnavailable(_failed("delete", exc)) from None

    def get_sip_secret(self) -> str | None:
        return self._get(SIP_SECRET)

    def set_sip_secret(self, value: str) -> None:
        self._set(SIP_SECRET, value)

    def get_refresh_token(self) -> str | None:
        return self._get(REFRESH_TOKEN)

    def set_refresh_token(self, value: str) -> None:
        self._set(REFRESH_TOKEN, value)

    def has_data_key(self) -> bool:
        return self._get(DATA_KEY) is not None

    def data_key(self) -> bytes:
        """The 32-byte key of the local customer cache, created on first use."""
        stored = self._get(DATA_KEY)
        if stored is None:
            stored = secrets.token_hex(32)
            self._set(DATA_KEY, stored)
            log.info("created a new local data key in the system keyring")
        key = bytes.fromhex(stored)
        if len(key) != 32:
            raise VaultUnavailable("the local data key in the keyring is damaged")
        return key

    def wipe(self) -> None:
        """Delete every secret of this device (revocation, sign-out, re-enrolment)."""
        for name in _ALL:
            self._delete(name)
        log.info("device secrets wiped from the system keyring")


def _failed(what: str, exc: Exception) -> str:
    # The keyring's own message never holds the secret; keep only its class and text.
    return (
        f"Could not {what} a credential in the system keyring ({type(exc).__name__}: {exc}). "
        "Is the keyring unlocked?"
    )
