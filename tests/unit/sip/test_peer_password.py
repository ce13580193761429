"""The scripted peer's password comes from a private file (the demo's customers) or the
environment (tests); a file others can read is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from homeagent.sip.peer import peer_password


def test_the_password_comes_from_a_private_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("Client-Secret-1234\n")
    secret.chmod(0o600)
    assert peer_password(secret, "UNUSED") == "Client-Secret-1234"


def test_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("x")
    secret.chmod(0o644)
    with pytest.raises(SystemExit, match="chmod 600"):
        peer_password(secret, "UNUSED")


def test_without_a_file_the_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEER_PW_TEST", "from-env")
    assert peer_password(None, "PEER_PW_TEST") == "from-env"


def test_the_demo_never_puts_a_password_in_a_childs_environment() -> None:
    import homeagent.demo.world as world

    source = Path(world.__file__).read_text()
    assert "HOMEAGENT_PEER_PASSWORD=" not in source
