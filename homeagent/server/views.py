"""Database rows to API bodies."""

from __future__ import annotations

from homeagent.server import schemas
from homeagent.server.models import Callback, Contact, Interaction, Note, User


def user_out(user: User) -> schemas.UserOut:
    return schemas.UserOut(
        id=user.id,
        name=user.name,
        display_name=user.display_name,
        role=user.role,  # type: ignore[arg-type]
        team_id=user.team_id,
    )


def contact_out(c: Contact) -> schemas.ContactOut:
    return schemas.ContactOut(
        id=c.id,
        first_name=c.first_name,
        last_name=c.last_name,
        company=c.company,
        phones=list(c.phones or []),
        email=c.email,
        account_ref=c.account_ref,
        tags=list(c.tags or []),
        custom=dict(c.custom or {}),
        updated_at=c.updated_at,
    )


def interaction_out(i: Interaction) -> schemas.InteractionOut:
    return schemas.InteractionOut(
        id=i.id,
        contact_id=i.contact_id,
        agent_id=i.agent_id,
        direction=i.direction,
        queue=i.queue,
        remote_number=i.remote_number,
        started_at=i.started_at,
        answered_at=i.answered_at,
        ended_at=i.ended_at,
        outcome=i.outcome,
        sip_call_id=i.sip_call_id,
        disposition=i.disposition,
        notes=i.wrap_up_notes,
    )


def note_out(n: Note) -> schemas.NoteOut:
    return schemas.NoteOut(
        id=n.id,
        contact_id=n.contact_id,
        interaction_id=n.interaction_id,
        agent_id=n.agent_id,
        text=n.text,
        created_at=n.created_at,
    )


def callback_out(c: Callback) -> schemas.CallbackOut:
    return schemas.CallbackOut(
        id=c.id,
        contact_id=c.contact_id,
        interaction_id=c.interaction_id,
        agent_id=c.agent_id,
        due_at=c.due_at,
        notes=c.notes,
        status=c.status,
    )
