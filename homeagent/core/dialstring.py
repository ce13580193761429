"""Turn what an agent types into a SIP URI."""

from __future__ import annotations

import re

_SIP_URI = re.compile(r"^sips?:[^\s@]+@[^\s@]+$|^sips?:[^\s@]+$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s.\-()/]")
_NUMBER = re.compile(r"^\+?[0-9*#]+$")


class InvalidDestination(ValueError):
    """The dial string is neither a number nor a SIP URI."""


def normalise_destination(text: str, domain: str) -> str:
    """Return a SIP URI for a typed number (``01 23-45``), ``user@host`` or a SIP URI.

    Numbers lose their visual separators and keep a leading ``+``; ``00`` international
    prefixes are kept as dialled (the proxy owns the dial plan).
    """
    raw = text.strip()
    if not raw:
        raise InvalidDestination("empty destination")
    if raw.lower().startswith(("sip:", "sips:")):
        if not _SIP_URI.match(raw):
            raise InvalidDestination(f"not a valid SIP URI: {raw!r}")
        return raw
    if "@" in raw:
        user, _, host = raw.partition("@")
        if not user or not host or any(c.isspace() for c in raw):
            raise InvalidDestination(f"not a valid SIP address: {raw!r}")
        return f"sip:{raw}"
    number = _SEPARATORS.sub("", raw)
    if not _NUMBER.match(number):
        raise InvalidDestination(f"not a phone number: {raw!r}")
    return f"sip:{number}@{domain}"
