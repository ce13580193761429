"""Read the contact-centre facts out of a received INVITE (pure Python, no pjsua2).

pjsua2 hands the whole received message to ``onIncomingCall`` as text; this module parses
just enough of it: the header block (with line folding and compact forms), the caller's
number and display name from ``P-Asserted-Identity`` or ``From``, and the contact-centre
headers ``X-Contact-Id``, ``X-Queue`` and ``Call-Info``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Compact header forms (RFC 3261 section 7.3.3) we may meet.
_COMPACT = {
    "f": "From",
    "t": "To",
    "i": "Call-ID",
    "m": "Contact",
    "v": "Via",
    "l": "Content-Length",
    "c": "Content-Type",
}

# Headers the UI may show or log; anything else (Authorization, Via…) is dropped.
_KEPT = (
    "From",
    "To",
    "Call-ID",
    "P-Asserted-Identity",
    "X-Contact-Id",
    "X-Queue",
    "X-Acd-Rona-Ms",  # when the ACD's RONA CANCEL comes (deploy/kamailio/acd)
    "Call-Info",
    "Alert-Info",
    "Subject",
    "User-Agent",
)

_MAX_VALUE_LEN = 512
# The supervision leg's one-time token (docs/supervision-contract.md). Never in `headers`:
# those reach events and logs.
SUPERVISION_HEADER = "X-HomeAgent-Supervision"
_NAME_ADDR = re.compile(r'^\s*(?:"(?P<q>(?:[^"\\]|\\.)*)"|(?P<t>[^<"]*?))\s*<(?P<uri>[^>]*)>')


@dataclass(frozen=True, slots=True)
class InviteFacts:
    """What the engine reports about an incoming INVITE."""

    remote_uri: str = ""
    remote_number: str = ""
    display_name: str = ""
    asserted_identity: str = ""
    contact_id: str = ""
    queue: str = ""
    call_info: str = ""
    sip_call_id: str = ""
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # the X-HomeAgent-Supervision value (None: no such header): a secret, never shown
    supervision_token: str | None = field(default=None, repr=False)


def parse_header_block(message: str) -> dict[str, str]:
    """Return the headers of a SIP message by canonical name (first occurrence wins).

    Stops at the first empty line (the body is ignored); unfolds continuation lines; values
    are stripped and cut at 512 characters so a hostile message cannot grow our events.
    """
    lines = message.replace("\r\n", "\n").split("\n")
    unfolded: list[str] = []
    for line in lines[1:]:  # the first line is the request line
        if not line.strip():
            break
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += " " + line.strip()
        else:
            unfolded.append(line)
    headers: dict[str, str] = {}
    for line in unfolded:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        name = name.strip()
        if not name or any(c.isspace() for c in name):
            continue
        canon = _canonical(name)
        headers.setdefault(canon, value.strip()[:_MAX_VALUE_LEN])
    return headers


def _canonical(name: str) -> str:
    if len(name) == 1 and name.lower() in _COMPACT:
        return _COMPACT[name.lower()]
    for known in _KEPT:
        if known.lower() == name.lower():
            return known
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def split_name_addr(value: str) -> tuple[str, str]:
    """Split ``"Name" <sip:user@host>;tag=x`` into (display name, URI)."""
    match = _NAME_ADDR.match(value)
    if match:
        quoted = match.group("q")
        name = quoted.replace('\\"', '"') if quoted is not None else (match.group("t") or "")
        return name.strip(), match.group("uri").strip()
    # addr-spec without angle brackets: parameters after ';' belong to the header
    return "", value.split(";", 1)[0].strip()


def uri_user(uri: str) -> str:
    """The user part of a SIP/SIPS/TEL URI (``sip:+331@host`` → ``+331``), else ''."""
    lowered = uri.lower()
    if lowered.startswith("tel:"):
        return uri[4:].split(";", 1)[0]
    for scheme in ("sips:", "sip:"):
        if lowered.startswith(scheme):
            rest = uri[len(scheme) :]
            if "@" not in rest:
                return ""
            return rest.split("@", 1)[0].split(";", 1)[0].split(":", 1)[0]
    return ""


def parse_invite(message: str) -> InviteFacts:
    """Extract the caller and contact-centre headers from a received INVITE's text."""
    headers = parse_header_block(message)
    from_name, from_uri = split_name_addr(headers.get("From", ""))
    pai = headers.get("P-Asserted-Identity", "")
    number = ""
    name = from_name
    if pai:
        # P-Asserted-Identity may list a SIP and a TEL URI; the first with a user wins.
        for part in _split_top_level(pai):
            pai_name, pai_uri = split_name_addr(part)
            user = uri_user(pai_uri)
            if user:
                number = user
                name = name or pai_name
                break
    number = number or uri_user(from_uri)
    kept = {k: headers[k] for k in _KEPT if k in headers}
    return InviteFacts(
        remote_uri=from_uri,
        remote_number=number,
        display_name=name,
        asserted_identity=pai,
        contact_id=headers.get("X-Contact-Id", ""),
        queue=headers.get("X-Queue", ""),
        call_info=headers.get("Call-Info", ""),
        sip_call_id=headers.get("Call-ID", ""),
        headers=MappingProxyType(kept),
        supervision_token=headers.get(_canonical(SUPERVISION_HEADER)),
    )


def source_host(address: str) -> str:
    """The host of a pjsua2 ``srcAddress`` (``1.2.3.4:5060`` or ``[::1]:5060``)."""
    if address.startswith("["):
        return address[1:].split("]", 1)[0]
    return address.rsplit(":", 1)[0] if address.count(":") == 1 else address


def _split_top_level(value: str) -> list[str]:
    """Split a header value on commas that are outside quotes and angle brackets."""
    parts: list[str] = []
    depth = 0
    quoted = False
    current: list[str] = []
    for char in value:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            depth += 1
        elif not quoted and char == ">":
            depth = max(0, depth - 1)
        if char == "," and not quoted and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]
