"""Phone numbers: E.164 normalisation (with `phonenumbers`) and masking for logs."""

from __future__ import annotations

import re

import phonenumbers

_DIALLABLE = re.compile(r"^[+0-9][0-9 .\-()/]*$")
_E164 = re.compile(r"^\+[1-9][0-9]{5,14}$")


def to_e164(number: str, region: str = "FR") -> str | None:
    """`number` in E.164 (`+33123456789`), or None when it is not a possible number.

    National forms use `region` (the profile's default region): ``01 23 45 67 89`` in FR
    gives ``+33123456789``; ``0033…`` and ``+33…`` work everywhere.
    """
    text = number.strip()
    if _E164.match(text):
        return text  # already E.164 (what the server sends): skip the parser, it is hot
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def e164_prefix(partial: str, region: str = "FR") -> str | None:
    """The E.164 prefix a partly typed number stands for (search-as-you-type), or None.

    ``06 12`` -> ``+33612`` (FR); ``+44 20`` -> ``+4420``; ``0044 20`` -> ``+4420``.
    """
    text = partial.strip()
    if not _DIALLABLE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < 3:
        return None
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        code = phonenumbers.country_code_for_region(region.upper())
        return f"+{code}{digits[1:]}" if code else None
    return "+" + digits
