"""Common passwords and patterns refused by the password policy (generated, not downloaded).

Built from keyboard walks (QWERTY and AZERTY), digit and letter runs, years and dates, and
common English and French words with their usual suffixes. The list is the package data
file ``common_passwords.txt``: one entry a line, lower case.
"""

from __future__ import annotations

from importlib.resources import files

COMMON_PASSWORDS = frozenset(
    files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8").split()
)
