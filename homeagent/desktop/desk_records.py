"""What the store and the server hand the desk, as the desk's types: a cached contact
(and the body that creates it on the server), the team from ``GET /me``, a message of the
conversation, a dead letter of the outbox, a time this app stored.

Pure conversions (Qt only to translate "Team lead"); the adapters (`desktop.adapters`) and
the session (`desktop.session`) call them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from homeagent.core import records
from homeagent.core.desk_types import (
    Contact,
    Delivery,
    Disposition,
    Message,
    Priority,
    TeamSettings,
    UnsentItem,
    UnsentKind,
)
from homeagent.crm import vcard
from homeagent.crm.outbox import SUPERSEDED_KINDS
from homeagent.crm.outbox_items import DeadLetter
from homeagent.crm.store import Contact as StoredContact


def contact_from_store(c: StoredContact, notes: list[dict[str, Any]] | None = None) -> Contact:
    """A `homeagent.crm.store.Contact` (and its notes) as the desk's Contact."""
    return Contact(
        id=str(c.id),
        first_name=c.first_name,
        last_name=c.last_name,
        company=c.company,
        phones=tuple(c.phones),
        email=c.email,
        account_ref=c.account_ref,
        tags=tuple(c.tags),
        notes=str(notes[-1]["text"]) if notes else str(c.custom.get(vcard.NOTE_KEY) or ""),
    )


def contact_body(c: StoredContact) -> dict[str, Any]:
    """The ``POST /contacts`` body of a cached contact (what the server accepts)."""
    body: dict[str, Any] = {
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "company": c.company,
        "phones": list(c.phones),
    }
    if c.email:
        body["email"] = c.email
    if c.tags:
        body["tags"] = list(c.tags)
    if c.custom:
        body["custom"] = dict(c.custom)
    return body


def team_from_me(me: records.Me) -> tuple[str, TeamSettings]:
    """The agent's display name and team settings from ``GET /me``."""
    name = me.user.display_name or me.user.name
    team = me.team
    if team is None:  # not in a team (an admin): the desk's defaults
        return name, TeamSettings()
    return name, TeamSettings(
        name=team.name,
        pause_reasons=team.pause_reasons,
        wrap_up_s=team.wrap_up_s,
        auto_answer_s=float(team.auto_answer_s) if team.auto_answer_s else None,
        auto_available_after_wrap_up=team.auto_available_after_wrap_up,
        dispositions=tuple(Disposition(d.code, d.label) for d in team.dispositions),
    )


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _sender_name(name: str) -> str:
    """The sender as the inbox names them (a bare id, or nothing, reads "Team lead")."""
    if not name or _UUID.match(name):
        return QCoreApplication.translate("Backend", "Team lead")
    return name


def message_from_record(
    m: records.Message, *, my_id: str, read: bool = False, acked: bool = False
) -> Message:
    """A message of the conversation from the server's MessageOut (stream, list or the
    store's copy); `read` / `acked`: what the desk already queued for it."""
    receipt = m.receipt
    mine = bool(my_id) and m.sender_id == my_id
    return Message(
        id=str(m.id),
        sender=_sender_name(m.sender_name),
        body=m.body,
        sent_at=m.created_at,
        priority=Priority.URGENT if m.priority == "urgent" else Priority.NORMAL,
        read=mine or read or (receipt is not None and receipt.read_at is not None),
        acked=acked or (receipt is not None and receipt.acked_at is not None),
        mine=mine,
        delivery=Delivery.SENT if mine else None,
    )


def sent_message_from_row(row: Mapping[str, Any], sender: str) -> Message:
    """A message the agent wrote to the lead, from the store (`sent_messages`)."""
    return Message(
        id=str(row["id"]),
        sender=sender,
        body=str(row["body"]),
        sent_at=stored_time(row["created_at"]),
        read=True,
        mine=True,
        delivery=Delivery.SENT if row.get("sent_at") else Delivery.SAVED,
    )


def stored_time(text: object) -> dt.datetime:
    """A time this app stored (ISO-8601; naive means UTC); anything else is an error."""
    value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def unsent_from_outbox(letter: DeadLetter) -> UnsentItem:
    """A dead letter of the outbox as the desk lists it."""
    return UnsentItem(
        id=letter.id,
        kind=UnsentKind.of(letter.kind),
        created_at=letter.created_at,
        error=letter.error,  # "422 unknown_disposition: …", numbers masked by the outbox
        retryable=letter.kind not in SUPERSEDED_KINDS,  # a newer state change replaced it
    )
