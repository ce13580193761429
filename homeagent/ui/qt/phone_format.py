"""Phone numbers as the agent reads them: national format for the agent's own region
("07 70 39 22 40"), international for any other ("+44 20 7946 0958").

The one place the UI formats a number for display (card, lists, notifications, banners);
what is stored, dialled or logged stays as it came. The region is the provisioning
profile's ``default_region``, set once at start by the composition (`set_home_region`),
like Qt's default locale. Anything that is not a possible number (an extension, a SIP
user, "anonymous") is shown unchanged.

This module is the UI's only use of ``phonenumbers``, a pure-Python data library with
no I/O (an exception of ``tests/unit/test_layering.py``): formatting is presentation,
and passing a formatter down to every model, card and banner would only spread the same
global choice through a dozen constructors.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "FR"
_home = [DEFAULT_REGION]


def set_home_region(region: str) -> None:
    """The agent's region (ISO 3166 alpha-2, e.g. "FR"); an unknown one keeps the last."""
    region = (region or "").strip().upper()
    if phonenumbers.country_code_for_region(region):
        _home[0] = region


def home_region() -> str:
    """The region numbers are formatted for."""
    return _home[0]


def format_number(number: str) -> str:
    """`number` for display (see the module docstring); "" stays ""."""
    return _format(number.strip(), _home[0]) if number else ""


@lru_cache(maxsize=4096)
def _format(number: str, region: str) -> str:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    national = parsed.country_code == phonenumbers.country_code_for_region(region)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if national
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(parsed, style))
