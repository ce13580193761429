"""Which records an outbox entry creates or refers to: entries that share one keep their
order (a wrap-up waits for its call, a callback update for the wrap-up that made it);
entries that share none never wait for each other (see `homeagent.crm.outbox`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _path_part(path: str, index: int) -> str:
    parts = path.split("/")
    return parts[index] if len(parts) > index else ""


def record_keys(kind: str, path: str, body: Any, item_id: str) -> tuple[str, ...]:
    """The records an entry creates or refers to; entries sharing one keep their order."""
    b = body if isinstance(body, Mapping) else {}
    keys: list[tuple[str, object]] = []
    if kind == "interaction":
        keys = [("call", b.get("id")), ("contact", b.get("contact_id"))]
    elif kind == "wrap_up":  # /interactions/{id}/wrap-up
        callback = b.get("callback")
        cb_id = callback.get("id") if isinstance(callback, Mapping) else None
        keys = [("call", _path_part(path, 2)), ("callback", cb_id)]
    elif kind == "note":
        keys = [("contact", b.get("contact_id")), ("call", b.get("interaction_id"))]
    elif kind == "contact":
        keys = [("contact", b.get("id") or item_id)]
    elif kind == "callback":  # /callbacks/{id}
        keys = [("callback", _path_part(path, 2))]
    elif kind == "receipt":  # /messages/{id}/read
        keys = [("message", _path_part(path, 2))]
    elif kind == "state":
        return ("agent-state",)
    elif kind == "help_request":
        keys = [("help", item_id)]
    else:  # a kind this module does not know: keep the order of writes to one path
        return (f"path:{path}",)
    found = tuple(f"{name}:{value}" for name, value in keys if value)
    return found or (f"{kind}:{item_id}",)
