"""Links that ask the desk to prepare a call: ``tel:`` (RFC 3966) and ``sip:``/``sips:``.

The desktop opens ``homeagent tel:+33-6-12-34-56-78`` when the agent clicks such a link
in a browser or a mail. A link only ever *prepares* a dial (the number in the search
field, the contact's card if known): nothing calls without the agent's click.

Validation is strict: a link comes from a web page, so anything that is not a plain
number or ``user@host`` is refused (SIP URI headers such as ``?Subject=`` are dropped,
parameters other than ``ext`` are ignored).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

SCHEMES = ("tel", "sip", "sips")
MAX_LINK_LENGTH = 512

# RFC 3966: visual-separator = "-" / "." / "(" / ")"; we accept spaces too (pasted links)
_VISUAL = re.compile(r"[\s\-.()]")
_GLOBAL_NUMBER = re.compile(r"^\+[0-9]{2,20}$")
_LOCAL_NUMBER = re.compile(r"^[0-9*#]{1,20}$")
_EXTENSION = re.compile(r"^[0-9]{1,10}$")
# RFC 3261 user: unreserved / escaped / user-unreserved (no "@", no spaces, no "<>")
_SIP_USER = re.compile(r"^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]{1,64}$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]{2,45}\]$")
_PORT = re.compile(r"^[0-9]{1,5}$")


class InvalidDialLink(ValueError):
    """The text is not a ``tel:``/``sip:``/``sips:`` link the desk can prepare."""


@dataclass(frozen=True, slots=True)
class DialLink:
    """A validated link: what to put in the dial field."""

    scheme: str  # "tel", "sip" or "sips"
    target: str  # tel: the number without separators ("+33612345678"); sip: "sip:u@host"
    extension: str = ""  # tel: ";ext=" (digits), to dial after the call is answered

    @property
    def is_number(self) -> bool:
        """Whether the target is a bare phone number (a tel: link), not a SIP URI."""
        return self.scheme == "tel"


def is_dial_link(text: str) -> bool:
    """Whether `text` looks like a link for us (its scheme), valid or not."""
    scheme, sep, _ = text.strip().partition(":")
    return bool(sep) and scheme.lower() in SCHEMES


def parse_dial_link(text: str) -> DialLink:
    """Validate a ``tel:``, ``sip:`` or ``sips:`` link; raise `InvalidDialLink` otherwise.

    ``tel:+33-6-12-34-56-78`` → ``+33612345678``; a local number (``tel:0612345678``,
    with or without ``;phone-context=``) is kept as dialled: the proxy owns the dial plan.
    ``sip:alice@example.org:5061;transport=tls?Subject=x`` → ``sip:alice@example.org:5061``.
    """
    raw = text.strip()
    if not raw:
        raise InvalidDialLink("empty link")
    if len(raw) > MAX_LINK_LENGTH:
        raise InvalidDialLink(f"link longer than {MAX_LINK_LENGTH} characters")
    scheme, sep, rest = raw.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise InvalidDialLink("not a tel:, sip: or sips: link")
    rest = rest.removeprefix("//")  # "tel://0612…" as some pages write it
    if scheme == "tel":
        return _parse_tel(rest)
    return _parse_sip(scheme, rest)


def _parse_tel(rest: str) -> DialLink:
    number_part, *params = urllib.parse.unquote(rest).split(";")
    number = _VISUAL.sub("", number_part)
    if not (_GLOBAL_NUMBER.match(number) or _LOCAL_NUMBER.match(number)):
        raise InvalidDialLink("tel: link without a valid number")
    extension = ""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "ext":
            value = _VISUAL.sub("", value)
            if not _EXTENSION.match(value):
                raise InvalidDialLink("tel: link with an invalid extension")
            extension = value
    return DialLink("tel", number, extension)


def _parse_sip(scheme: str, rest: str) -> DialLink:
    address = rest.split("?", 1)[0]  # headers (?Subject=…) never reach the INVITE
    user, at, hostport = address.rpartition("@")
    if not at or not user:
        raise InvalidDialLink(f"{scheme}: link without user@host")
    user = user.split(";", 1)[0]  # user-parameters (;phone-context=…) are the proxy's
    hostport = hostport.split(";", 1)[0]  # uri-parameters (transport=…) are the proxy's
    if not _SIP_USER.match(user) or "@" in user:
        raise InvalidDialLink(f"{scheme}: link with an invalid user part")
    host, port = _split_port(hostport)
    if not (_HOSTNAME.match(host) or _IPV6.match(host)):
        raise InvalidDialLink(f"{scheme}: link with an invalid host")
    if port and not (_PORT.match(port) and 0 < int(port) < 65536):
        raise InvalidDialLink(f"{scheme}: link with an invalid port")
    unquoted = urllib.parse.unquote(user)
    number = _VISUAL.sub("", unquoted)
    if _GLOBAL_NUMBER.match(number) or _LOCAL_NUMBER.match(number):
        user = number  # sip:+33-6…@host: a number, without its separators
    elif any(c.isspace() or c in '<>"@' for c in unquoted):
        raise InvalidDialLink(f"{scheme}: link with an invalid user part")
    target = f"{scheme}:{user}@{host}" + (f":{port}" if port else "")
    return DialLink(scheme, target)


def _split_port(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):
        host, _, tail = hostport.partition("]")
        return host + "]", tail.removeprefix(":")
    host, _, port = hostport.partition(":")
    return host, port
