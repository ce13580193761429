"""Interactions (call log), wrap-up with disposition, notes, callbacks."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server import live, schemas
from homeagent.server.deps import ADMIN, AGENT, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.models import Callback, Contact, Disposition, Interaction, Note, utcnow
from homeagent.server.views import callback_out, interaction_out, note_out

router = APIRouter(tags=["calls"])


@router.post("/interactions", response_model=schemas.InteractionOut, status_code=201)
def log_call(
    body: schemas.InteractionIn, p: Auth, ctx: Ctx, response: Response
) -> schemas.InteractionOut:
    """Log a call of mine (idempotent by id)."""
    p.require(AGENT, TEAM_LEAD)
    with ctx.db.write() as s:
        existing = s.get(Interaction, body.id)
        if existing is not None:
            if existing.agent_id != p.user_id:
                raise ApiError(409, "conflict", "This interaction id is already used.")
            response.status_code = 200
            return interaction_out(existing)
        row = Interaction(**body.model_dump(), agent_id=p.user_id, team_id=p.team_id)
        if row.contact_id is not None and _deleted(s, row.contact_id):
            row.contact_id = None  # the call counts; the deleted contact is not linked again
        s.add(row)
        s.flush()
        live.after_call_logged(s, p.user_id, p.team_id)
        return interaction_out(row)


@router.post("/interactions/{interaction_id}/wrap-up", response_model=schemas.InteractionOut)
def wrap_up(
    interaction_id: str, body: schemas.WrapUpIn, p: Auth, ctx: Ctx
) -> schemas.InteractionOut:
    """Disposition (one of the team's codes), notes, and an optional callback."""
    p.require(AGENT, TEAM_LEAD)
    with ctx.db.write() as s:
        row = s.get(Interaction, interaction_id)
        if row is None or row.agent_id != p.user_id:
            raise ApiError(404, "not_found", "No such interaction of yours.")
        codes = set(s.scalars(select(Disposition.code).where(Disposition.team_id == p.team_id)))
        if body.disposition not in codes:
            raise ApiError(
                422,
                "unknown_disposition",
                f"'{body.disposition}' is not a disposition of this team.",
            )
        row.disposition, row.wrap_up_notes, row.wrapped_at = body.disposition, body.notes, utcnow()
        if body.callback is not None:
            cb = s.get(Callback, body.callback.id)
            if cb is None:
                s.add(
                    Callback(
                        id=body.callback.id,
                        contact_id=row.contact_id,
                        interaction_id=row.id,
                        agent_id=p.user_id,
                        team_id=p.team_id,
                        due_at=body.callback.due_at,
                        notes=body.callback.notes,
                    )
                )
            elif cb.agent_id != p.user_id:
                raise ApiError(409, "conflict", "This callback id is already used.")
        return interaction_out(row)


@router.post("/notes", response_model=schemas.NoteOut, status_code=201)
def add_note(body: schemas.NoteIn, p: Auth, ctx: Ctx, response: Response) -> schemas.NoteOut:
    """A note on a contact (idempotent by id)."""
    p.require(AGENT, TEAM_LEAD)
    with ctx.db.write() as s:
        existing = s.get(Note, body.id)
        if existing is not None:
            if existing.agent_id != p.user_id:
                raise ApiError(409, "conflict", "This note id is already used.")
            response.status_code = 200
            return note_out(existing)
        if _deleted(s, body.contact_id):
            raise ApiError(404, "not_found", "No such contact (it was deleted).")
        note = Note(**body.model_dump(), agent_id=p.user_id)
        s.add(note)
        s.flush()
        return note_out(note)


def _deleted(s: Session, contact_id: str) -> bool:
    """Whether `contact_id` names a deleted contact (unknown ids may be created offline)."""
    contact = s.get(Contact, contact_id)
    return contact is not None and contact.deleted_at is not None


@router.get("/callbacks", response_model=list[schemas.CallbackOut])
def list_callbacks(
    p: Auth,
    ctx: Ctx,
    status: Literal["pending", "done", "cancelled"] | None = None,
    due_before: schemas.Moment | None = None,
    agent_id: Annotated[str | None, Query(max_length=36)] = None,
) -> list[schemas.CallbackOut]:
    """My callbacks (agent); my team's (team lead); all (admin)."""
    stmt = select(Callback)
    if p.role == AGENT:
        stmt = stmt.where(Callback.agent_id == p.user_id)
    elif p.role == TEAM_LEAD:
        stmt = stmt.where(Callback.team_id == p.team_id)
    if agent_id is not None:
        stmt = stmt.where(Callback.agent_id == agent_id)
    if status is not None:
        stmt = stmt.where(Callback.status == status)
    if due_before is not None:
        stmt = stmt.where(Callback.due_at < due_before)
    with ctx.db.read() as s:
        return [callback_out(c) for c in s.scalars(stmt.order_by(Callback.due_at).limit(500))]


@router.patch("/callbacks/{callback_id}", response_model=schemas.CallbackOut)
def update_callback(
    callback_id: str, body: schemas.CallbackPatch, p: Auth, ctx: Ctx
) -> schemas.CallbackOut:
    with ctx.db.write() as s:
        cb = s.get(Callback, callback_id)
        if cb is None:
            raise ApiError(404, "not_found", "No such callback.")
        if cb.agent_id != p.user_id:
            if p.role not in (TEAM_LEAD, ADMIN):
                raise ApiError(404, "not_found", "No such callback.")
            p.require_team(cb.team_id)
        cb.status = body.status
        return callback_out(cb)
