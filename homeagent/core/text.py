"""Text from the wire made clean: valid UTF-8, readable, no control characters.

pjsua2 (SWIG) hands Python ``str`` decoded from UTF-8 with ``surrogateescape``: a Latin-1
byte as old PBXs send it (``Fran\\xe7ais``) arrives as a lone surrogate (``Fran\\udce7ais``),
which any strict UTF-8 writer (the event log, Qt, JSON over the wire) refuses. Strings are
cleaned once, where they enter (the SIP engine), so every event carries clean text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeVar, cast

# C0 controls but TAB/LF/CR, DEL and C1 controls: never shown, never logged as is.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"

T = TypeVar("T")


def decode_wire(raw: bytes) -> str:
    """Decode bytes from a SIP peer line by line: UTF-8, else Windows-1252 (Latin-1).

    Line by line so one Latin-1 header does not turn the UTF-8 of the others into mojibake.
    """
    lines = raw.split(b"\n")
    out: list[str] = []
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
    return _CONTROL.sub(REPLACEMENT, "\n".join(out))


def clean_text(value: str) -> str:
    """The same text as valid, printable UTF-8 (surrogate-escaped bytes decoded again)."""
    if value.isascii() and not _CONTROL.search(value):
        return value  # the common case, untouched
    if not _SURROGATE.search(value):
        return _CONTROL.sub(REPLACEMENT, value)
    try:
        raw = value.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes: nothing to recover
        return _CONTROL.sub(REPLACEMENT, _SURROGATE.sub(REPLACEMENT, value))
    return decode_wire(raw)


def is_clean(value: str) -> bool:
    """True if `value` encodes to UTF-8 strictly and holds no control character."""
    return not _SURROGATE.search(value) and not _CONTROL.search(value)


def clean_value(value: T) -> T:
    """`value` with every string in it cleaned: str, mappings, tuples, lists, dataclasses.

    Returns the very same object when nothing needed cleaning (events stay cheap).
    """
    return cast(T, _clean(value, 0))


def _clean(value: object, depth: int) -> object:
    if isinstance(value, str):
        return value if is_clean(value) else clean_text(value)
    if depth > 4 or value is None or isinstance(value, int | float | bytes):
        return value
    if isinstance(value, Mapping):
        items = [(_clean(k, depth + 1), _clean(v, depth + 1)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(), strict=True)):
            return value
        cleaned = dict(items)
        return MappingProxyType(cleaned) if isinstance(value, MappingProxyType) else cleaned
    if isinstance(value, tuple | list):
        parts = [_clean(v, depth + 1) for v in value]
        if all(p is v for p, v in zip(parts, value, strict=True)):
            return value
        return type(value)(parts)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _clean(old, depth + 1)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
