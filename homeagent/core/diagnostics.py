"""The diagnostics bundle as the desk sees it: a request from a lead or IT, a preview.

`homeagent.desktop.diag_bundle` builds the bundle; the desk shows a :class:`BundlePreview`
to the agent (files, what was masked, what was skipped, each file's text) and sends it
only on the agent's consent. A lead's or IT's request arrives on the event stream as
``diagnostics_requested`` and is parsed here, at the edge, into a
:class:`DiagnosticsRequest` (a malformed payload is one `MalformedPayload`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeagent.core.payload import MalformedPayload


@dataclass(frozen=True, slots=True)
class PreviewFile:
    """One file of a bundle: its name, size, what was masked in it, its text."""

    name: str
    size_bytes: int
    masked: tuple[tuple[str, int], ...]  # (rule, count): ("number", 3), ("name", 1)…
    truncated: bool
    text: str
    masked_at_source: bool = False  # masked when written on this PC (the SIP trace)


@dataclass(frozen=True, slots=True)
class BundlePreview:
    """A built bundle, kept on this PC until the agent sends it (or not)."""

    path: str
    size_bytes: int
    files: tuple[PreviewFile, ...]
    skipped: tuple[tuple[str, str], ...]  # (name, why)
    request_id: int | None = None  # the lead's or IT's request it answers, if any


@dataclass(frozen=True, slots=True)
class DiagnosticsRequest:
    """A lead's or IT's request for this agent's bundle."""

    id: int
    requested_by: str  # the name to show
    note: str


def parse_request(data: Any, *, route: str = "diagnostics_requested") -> DiagnosticsRequest:
    """The request of an event's (or GET's) payload; `MalformedPayload` if it is not one."""
    if not isinstance(data, dict):
        raise MalformedPayload(route, "(body)", f"expected an object, got {type(data).__name__}")
    raw_id = data.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int) or raw_id < 1:
        raise MalformedPayload(route, "id", "not a positive integer")
    if data.get("status", "pending") != "pending":
        raise MalformedPayload(route, "status", "the request is not pending")
    by = data.get("requested_by")
    name = by.get("name") if isinstance(by, dict) else None
    note = data.get("note", "")
    return DiagnosticsRequest(
        id=raw_id,
        requested_by=str(name)[:200] if isinstance(name, str) else "",
        note=str(note)[:500] if isinstance(note, str) else "",
    )
