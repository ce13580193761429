"""The shift-slot routes (docs/api.md, "Shift slots") for the desk and the console.

Answers are parsed by `homeagent.core.slots` (typed records, `MalformedPayload` on a bad
shape); a refusal by one of the server's rules (409, or 404 `not_booked`) becomes
`homeagent.core.slots.SlotRefused` with the rule's code, so the screens can say it
plainly; any other failure (offline, 5xx, 401…) goes up unchanged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from homeagent.client.errors import ApiError
from homeagent.core.payload import MalformedPayload
from homeagent.core.slots import (
    Adherence,
    Slot,
    SlotDraft,
    SlotRefused,
    SlotRules,
    parse_adherence,
    parse_rules,
    parse_slot,
    parse_slots,
)

log = logging.getLogger(__name__)
R = TypeVar("R")


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except ApiError as exc:
        if exc.status == 409 or (exc.status == 404 and exc.code == "not_booked"):
            notice = exc.extra.get("notice_min")
            raise SlotRefused(
                exc.code, exc.message, notice if isinstance(notice, int) else None
            ) from exc
        raise


def _parsed(parse: Callable[[object], R], answer: object) -> R:
    try:
        return parse(answer)
    except MalformedPayload as exc:
        log.warning("malformed answer from the server: %s", exc)
        raise


class Http(Protocol):
    """The part of `homeagent.client.server.ServerClient` these routes use."""

    def get(self, path: str, params: Any = None) -> Any: ...

    def post(self, path: str, body: Any = None) -> Any: ...

    def patch(self, path: str, body: Any = None) -> Any: ...

    def request(self, method: str, path: str, body: Any = None) -> Any: ...


def slots_api(client: object) -> SlotsApi | None:
    """The slot routes over `client`, or None for a client without plain HTTP calls
    (a test double of the server client): then the desk shows no slots."""
    if all(hasattr(client, name) for name in ("get", "post", "patch", "request")):
        return SlotsApi(client)  # type: ignore[arg-type]
    return None


class SlotsApi:
    """`SlotService` and `LeadSlotService` over the server client."""

    def __init__(self, client: Http) -> None:
        self._client = client

    def week(self, team_id: str, start: dt.datetime, end: dt.datetime) -> tuple[Slot, ...]:
        answer = self._client.get(
            f"/teams/{team_id}/slots", params={"start": _iso(start), "end": _iso(end)}
        )
        return _parsed(parse_slots, answer)

    def book(self, slot_id: int) -> Slot:
        with _refusals():
            return _parsed(parse_slot, self._client.post(f"/slots/{slot_id}/booking"))

    def cancel(self, slot_id: int) -> Slot:
        with _refusals():
            return _parsed(parse_slot, self._client.request("DELETE", f"/slots/{slot_id}/booking"))

    def adherence(self, team_id: str, start: dt.datetime, end: dt.datetime) -> Adherence:
        answer = self._client.get(
            f"/teams/{team_id}/slot-adherence", params={"start": _iso(start), "end": _iso(end)}
        )
        return _parsed(parse_adherence, answer)

    def create(self, team_id: str, draft: SlotDraft) -> Slot:
        with _refusals():
            answer = self._client.post(f"/teams/{team_id}/slots", _body(draft))
        return _parsed(parse_slot, answer)

    def edit(self, slot_id: int, draft: SlotDraft) -> Slot:
        with _refusals():
            answer = self._client.patch(f"/slots/{slot_id}", _body(draft))
        return _parsed(parse_slot, answer)

    def cancel_slot(self, slot_id: int) -> Slot:
        with _refusals():
            answer = self._client.request("DELETE", f"/slots/{slot_id}")
        return _parsed(parse_slot, answer)

    def rules(self, team_id: str) -> SlotRules:
        return _parsed(parse_rules, self._client.get(f"/teams/{team_id}/slot-rules"))

    def set_rules(self, team_id: str, rules: SlotRules) -> SlotRules:
        body = {
            "book_notice_min": rules.book_notice_min,
            "cancel_notice_min": rules.cancel_notice_min,
            "late_grace_min": rules.late_grace_min,
        }
        return _parsed(
            parse_rules, self._client.request("PUT", f"/teams/{team_id}/slot-rules", body)
        )


def _body(draft: SlotDraft) -> dict[str, Any]:
    return {
        "starts_at": _iso(draft.starts_at),
        "ends_at": _iso(draft.ends_at),
        "capacity": draft.capacity,
        "note": draft.note,
    }
