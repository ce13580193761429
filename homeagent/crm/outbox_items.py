"""The outbox's entries as the rest of the app sees them: `OutboxItem` (one stored write,
decoded from its row), `DeadLetter` (a refused entry as the desk lists it), `OutboxStatus`
(the counts the desk shows) and `error_summary`, which masks the phone numbers in the error
texts they carry. The queue itself, its storage and its sending rules are
`homeagent.crm.outbox`'s.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeagent.core.timefmt import mask_number
from homeagent.crm.outbox_keys import record_keys

# the columns `item_from_row` decodes, in its order (the outbox selects them)
ITEM_COLUMNS = (
    "seq, id, kind, method, path, body, created_at, status, attempts, last_error, "
    "failed_status, failed_code, failed_at, send_key"
)
_ERROR_CHARS = 300


_NUMBER = re.compile(r"(?<![\w-])\+?\d(?:[ .\-]?\d){5,}(?![\w-])")


def error_summary(text: str) -> str:
    """An error text fit for the desk and the logs: phone numbers masked, short."""
    text = _NUMBER.sub(lambda m: mask_number(m.group(0)), " ".join(text.split()))
    return text if len(text) <= _ERROR_CHARS else text[: _ERROR_CHARS - 1] + "…"


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    seq: int
    id: str  # the Idempotency-Key
    kind: str
    method: str
    path: str
    body: Any
    created_at: str
    status: str  # pending | sent | failed (a dead letter) | discarded | superseded
    attempts: int
    last_error: str  # masked (`error_summary`)
    failed_status: int | None = None  # HTTP status of a dead letter's refusal
    failed_code: str = ""
    failed_at: str | None = None
    send_key: str = ""  # the Idempotency-Key when it is not `id` (see the docstring)

    @property
    def idempotency_key(self) -> str:
        return self.send_key or self.id

    @property
    def record_keys(self) -> tuple[str, ...]:
        return record_keys(self.kind, self.path, self.body, self.id)


def item_from_row(r: tuple[Any, ...]) -> OutboxItem:
    return OutboxItem(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        json.loads(r[5]),
        r[6],
        r[7],
        r[8],
        r[9],
        r[10],
        r[11],
        r[12],
        r[13],
    )


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An entry the server refused for good, as the desk lists it (no body, no number)."""

    id: str  # the outbox entry's id (its Idempotency-Key)
    kind: str  # note | interaction | wrap_up | state | callback | receipt | help_request | …
    record_key: str  # the record it belongs to, e.g. ``call:<interaction id>``
    created_at: datetime  # when the agent wrote it (UTC)
    status: int | None  # the HTTP status (None: refused before HomeAgent recorded it)
    error: str  # "422 unknown_disposition: 'x' is not a disposition of this team."
    failed_at: datetime | None
    attempts: int


def as_dead_letter(item: OutboxItem) -> DeadLetter:
    head = f"{item.failed_status} {item.failed_code}".strip() if item.failed_status else ""
    created = _moment(item.created_at)
    assert created is not None
    return DeadLetter(
        id=item.id,
        kind=item.kind,
        record_key=item.record_keys[0],
        created_at=created,
        status=item.failed_status,
        error=f"{head}: {item.last_error}" if head else item.last_error,
        failed_at=_moment(item.failed_at),
        attempts=item.attempts,
    )


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    """What the desk shows of the outbox ("1 élément non envoyé" = `dead_letters`)."""

    pending: int  # waiting to be sent (retrying ones included)
    dead_letters: int  # refused for good: wait for the agent to retry or discard them
    last_error: str = ""  # why the last pass stopped (masked), "" if it did not
    retrying: int = 0  # pending entries that failed at least once
