"""The password policy refuses short, common and patterned passwords."""

from __future__ import annotations

import pytest

from homeagent.server.common_passwords import COMMON_PASSWORDS
from homeagent.server.passwords import password_problem


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "password",
        "azertyuiop",  # 10: too short anyway
        "motdepasse2024",
        "Password1234",
        "!Soleil2026!!",
        "qwertyuiop12",
        "azertyuiopqs",
        "123456789012",
        "aaaaaaaaaaaaaaaa",
        "abababababab",
        "Marseille1990",
        "JeTaime123456",
        "jetaime123456",
        "Génial123456",
        "010119900101",
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    assert password_problem(password) is not None


@pytest.mark.parametrize(
    "password",
    ["motdepasse-de-test", "correct horse battery", "Tls-Secret-1234", "vQ3!pz8Lm#x2"],
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    assert password_problem(password) is None


def test_the_user_name_is_refused_inside_the_password() -> None:
    assert password_problem("dupont-martine-99", "martine") is not None
    assert password_problem("dupont-martine-99", "agent_b1") is None


def test_the_shipped_list_has_thousands_of_entries() -> None:
    assert len(COMMON_PASSWORDS) > 2000
    assert {"azerty", "motdepasse", "password", "qwerty123"} <= COMMON_PASSWORDS
