"""Which keyring backends the vault accepts (no daemon needed)."""

from __future__ import annotations

import pytest
from keyring.backends import chainer, fail, null

from homeagent.security.vault import Vault, VaultUnavailable, is_secure_backend


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_insecure_backends_are_refused(backend: object) -> None:
    with pytest.raises(VaultUnavailable, match="No secure system keyring"):
        Vault(backend=backend)


def test_plaintext_lookalike_is_refused() -> None:
    class PlaintextKeyring:  # what keyrings.alt.file.PlaintextKeyring looks like to us
        __module__ = "keyrings.alt.file"

    assert not is_secure_backend(PlaintextKeyring())


def test_chain_with_an_insecure_part_is_refused() -> None:
    # `backends` is a class property of the chainer (it lists every backend installed), so
    # a chain is made by subclassing; with a Secret Service running it would be secure.
    class _Chain(chainer.ChainerBackend):
        backends = (fail.Keyring(),)  # type: ignore[assignment]

    assert not is_secure_backend(_Chain())


def test_secret_service_is_accepted() -> None:
    from keyring.backends import SecretService

    assert is_secure_backend(SecretService.Keyring())
