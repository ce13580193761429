"""Durations and masked numbers as the agent and the support person read them."""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")


def format_duration(seconds: float) -> str:
    """``mm:ss`` under an hour, ``h:mm:ss`` above; negative values count as zero."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def mask_number(number: str, keep: int = 3) -> str:
    """Hide every digit of a phone number but the last `keep` (2 to 4) digits.

    Used for anything written to a log or sent to a team lead: ``+33612345678`` becomes
    ``+*********678``. Non-digit characters (``+``, spaces) are kept so the shape is readable.
    """
    keep = min(4, max(2, keep))
    digits = _DIGIT.findall(number)
    if len(digits) <= keep:
        keep = max(0, len(digits) - 2)
    hide = len(digits) - keep
    out: list[str] = []
    for ch in number:
        if ch.isdigit() and hide > 0:
            out.append("*")
            hide -= 1
        else:
            out.append(ch)
    return "".join(out)


def mask_uri(uri: str) -> str:
    """Mask the user part of a SIP URI (``sip:0612345678@host`` → ``sip:*******678@host``)."""
    scheme, sep, rest = uri.partition(":")
    if not sep:
        return mask_number(uri)
    user, at, host = rest.partition("@")
    if not at:
        return f"{scheme}:{mask_number(user)}"
    return f"{scheme}:{mask_number(user)}@{host}"
