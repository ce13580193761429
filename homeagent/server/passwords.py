"""The password policy: at least 12 characters, and nothing from the common list."""

from __future__ import annotations

import unicodedata

from homeagent.server.common_passwords import COMMON_PASSWORDS

MIN_LENGTH = 12
MAX_LENGTH = 1000


def password_problem(password: str, user_name: str = "") -> str | None:
    """Why `password` is refused (a sentence for the administrator), or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"the password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password may have at most {MAX_LENGTH} characters"
    if "\x00" in password:
        return "the password may not hold a NUL character"
    folded = _fold(password)
    if folded in COMMON_PASSWORDS or _core(folded) in COMMON_PASSWORDS:
        return "the password is a common one (or a common word with digits): choose another"
    if len(set(folded)) <= 3:
        return "the password repeats too few different characters"
    name = _fold(user_name)
    if len(name) >= 3 and name in folded:
        return "the password may not contain the user name"
    return None


def _fold(text: str) -> str:
    """Lower case without accents (so "Été2024" meets "ete2024")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _core(folded: str) -> str:
    """The word left once leading/trailing digits and symbols are cut ("!Soleil2024!")."""
    return folded.strip("0123456789!@#$%^&*()-_=+.,;:?/\\|[]{}<>'\"`~ ")
