"""CRM contacts: search, lookup by number, create/update/delete, delta sync, history."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from homeagent.server import schemas
from homeagent.server.deps import ADMIN, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import Contact, ContactPhone, Counter, Interaction, Note, utcnow
from homeagent.server.views import contact_out, interaction_out, note_out

router = APIRouter(tags=["contacts"])
_E164 = re.compile(r"\+[1-9][0-9]{5,14}", re.ASCII)
_SEPARATORS = re.compile(r"[ \t.\-/()]")


def normalise_phone(raw: str) -> str | None:
    """E.164 from what people type, or None.

    Full-width and mathematical digits fold to ASCII (NFKC), as do no-break spaces;
    the trunk prefix in "+33 (0)1 …" goes. Other scripts' digits and invisible
    characters are refused rather than stored as typed.
    """
    text = unicodedata.normalize("NFKC", raw).replace("(0)", "")
    number = _SEPARATORS.sub("", text)
    return number if _E164.fullmatch(number) else None


def next_contact_seq(s: Session) -> int:
    """Next contact change cursor; the counter row lock orders concurrent writers."""
    value = s.scalar(
        update(Counter)
        .where(Counter.name == "contacts")
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    if value is None:
        s.add(Counter(name="contacts", value=1))
        s.flush()
        return 1
    return int(value)


def normalise_phones(phones: list[str]) -> list[str]:
    out: list[str] = []
    for raw in phones:
        number = normalise_phone(raw)
        if number is None:
            raise ApiError(422, "invalid_phone", f"'{raw}' is not an E.164 number (+33123456789).")
        if number not in out:
            out.append(number)
    return out


def save_contact(s: Session, c: Contact, *, publish_change: bool = True) -> None:
    """Index phones and search text, stamp the change cursor, tell the clients."""
    c.phones = normalise_phones(list(c.phones or []))
    c.search_text = " ".join(
        [c.first_name, c.last_name, c.company, c.email, c.account_ref, *c.phones, *c.tags]
    ).lower()
    c.updated_at = utcnow()
    c.change_seq = next_contact_seq(s)
    s.flush()
    s.execute(delete(ContactPhone).where(ContactPhone.contact_id == c.id))
    s.add_all(ContactPhone(contact_id=c.id, e164=p) for p in c.phones)
    if publish_change:
        publish(s, "contact_changed", {"id": c.id, "deleted": False}, to_role="all")


@router.get("/contacts", response_model=list[schemas.ContactOut])
def search_contacts(
    p: Auth,
    ctx: Ctx,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[schemas.ContactOut]:
    """Search names, company, email, account reference, phones and tags."""
    stmt = select(Contact).where(Contact.deleted_at.is_(None))
    for word in q.lower().split()[:5]:
        stmt = stmt.where(Contact.search_text.contains(word, autoescape=True))
    with ctx.db.read() as s:
        rows = s.scalars(stmt.order_by(Contact.last_name, Contact.first_name).limit(limit))
        return [contact_out(c) for c in rows]


@router.get("/contacts/lookup", response_model=schemas.ContactOut)
def lookup(
    p: Auth, ctx: Ctx, number: Annotated[str, Query(min_length=1, max_length=30)]
) -> schemas.ContactOut:
    """The contact owning an E.164 number, or 404."""
    (e164,) = normalise_phones([number])
    with ctx.db.read() as s:
        c = s.scalar(
            select(Contact)
            .join(ContactPhone, ContactPhone.contact_id == Contact.id)
            .where(ContactPhone.e164 == e164, Contact.deleted_at.is_(None))
            .order_by(Contact.updated_at.desc())
            .limit(1)
        )
    if c is None:
        raise ApiError(404, "not_found", "No contact has this number.")
    return contact_out(c)


@router.post("/contacts", response_model=schemas.ContactOut, status_code=201)
def create_contact(
    body: schemas.ContactIn, p: Auth, ctx: Ctx, response: Response
) -> schemas.ContactOut:
    """Create a contact; an existing id returns the stored contact (idempotent by id)."""
    with ctx.db.write() as s:
        if body.id is not None:
            existing = s.get(Contact, body.id)
            if existing is not None and existing.deleted_at is None:
                response.status_code = 200
                return contact_out(existing)
            if existing is not None:
                raise ApiError(409, "conflict", "This contact id belongs to a deleted contact.")
        c = Contact(**body.model_dump(exclude={"id"}))
        if body.id is not None:
            c.id = body.id
        s.add(c)
        save_contact(s, c)
        return contact_out(c)


@router.get("/contacts/{contact_id}", response_model=schemas.ContactOut)
def get_contact(contact_id: str, p: Auth, ctx: Ctx) -> schemas.ContactOut:
    with ctx.db.read() as s:
        c = s.get(Contact, contact_id)
    if c is None or c.deleted_at is not None:
        raise ApiError(404, "not_found", "No such contact.")
    return contact_out(c)


@router.patch("/contacts/{contact_id}", response_model=schemas.ContactOut)
def patch_contact(
    contact_id: str, body: schemas.ContactPatch, p: Auth, ctx: Ctx
) -> schemas.ContactOut:
    with ctx.db.write() as s:
        c = s.get(Contact, contact_id)
        if c is None or c.deleted_at is not None:
            raise ApiError(404, "not_found", "No such contact.")
        for field, value in body.model_dump(exclude_unset=True).items():
            if value is not None:
                setattr(c, field, value)
        save_contact(s, c)
        return contact_out(c)


@router.delete("/contacts/{contact_id}", response_model=schemas.OkOut)
def delete_contact(contact_id: str, p: Auth, ctx: Ctx) -> schemas.OkOut:
    """Soft delete (team lead, admin): clients learn it through sync and the event stream."""
    p.require(TEAM_LEAD, ADMIN)
    with ctx.db.write() as s:
        c = s.get(Contact, contact_id)
        if c is None or c.deleted_at is not None:
            raise ApiError(404, "not_found", "No such contact.")
        c.deleted_at = utcnow()
        c.change_seq = next_contact_seq(s)
        s.execute(delete(ContactPhone).where(ContactPhone.contact_id == c.id))
        publish(s, "contact_changed", {"id": c.id, "deleted": True}, to_role="all")
    return schemas.OkOut()


@router.get("/sync/contacts", response_model=schemas.SyncOut)
def sync_contacts(
    p: Auth,
    ctx: Ctx,
    cursor: Annotated[str, Query(max_length=20)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> schemas.SyncOut:
    """Changes since `cursor` (none: from the start), deletions included, in change order."""
    after = schemas.parse_id(cursor) if cursor else 0
    if after is None:
        if cursor.isascii() and cursor.isdigit():
            raise ApiError(422, "invalid_input", "cursor: out of range.")
        raise ApiError(400, "bad_cursor", "The cursor is not one this server returned.")
    with ctx.db.read() as s:
        rows = list(
            s.scalars(
                select(Contact)
                .where(Contact.change_seq > after)
                .order_by(Contact.change_seq)
                .limit(limit + 1)
            )
        )
    has_more = len(rows) > limit
    rows = rows[:limit]
    return schemas.SyncOut(
        items=[contact_out(c) for c in rows if c.deleted_at is None],
        deleted=[c.id for c in rows if c.deleted_at is not None],
        cursor=str(rows[-1].change_seq if rows else after),
        has_more=has_more,
    )


@router.get("/contacts/{contact_id}/interactions", response_model=schemas.ContactHistoryOut)
def contact_history(contact_id: str, p: Auth, ctx: Ctx) -> schemas.ContactHistoryOut:
    """Calls and notes of a contact, newest first."""
    with ctx.db.read() as s:
        contact = s.get(Contact, contact_id)
        if contact is None or contact.deleted_at is not None:
            raise ApiError(404, "not_found", "No such contact.")  # deleted: history too
        calls = s.scalars(
            select(Interaction)
            .where(or_(Interaction.contact_id == contact_id))
            .order_by(Interaction.started_at.desc())
            .limit(200)
        )
        notes = s.scalars(
            select(Note).where(Note.contact_id == contact_id).order_by(Note.created_at.desc())
        )
        return schemas.ContactHistoryOut(
            interactions=[interaction_out(i) for i in calls], notes=[note_out(n) for n in notes]
        )
