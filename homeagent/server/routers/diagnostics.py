"""Diagnostics bundles for IT: requested by a lead or IT, sent by the agent's app with the
agent's consent, read by IT and the agent's lead (docs/api.md, "Diagnostics").

- ``POST /agents/{agent_id}/diagnostics/requests`` (the agent's team lead, an admin):
  asks the agent's desk for a bundle (event ``diagnostics_requested`` to the agent); a
  request still pending from the last hour is answered again instead of a new one.
- ``GET /agents/me/diagnostics/requests`` (the agent): the requests still pending (a desk
  that starts after the event still asks its agent).
- ``POST /agents/me/diagnostics/requests/{id}/decline`` (the agent): no bundle.
- ``POST /agents/me/diagnostics[?request_id=N]`` (any signed-in user, their own): the
  zip itself (``application/zip``, at most `Limits.diagnostics_max_bytes`), checked to be
  a bundle (a zip with a ``manifest.json``; no zip bomb); the newest
  `Limits.diagnostics_kept_per_agent` are kept per agent.
- ``GET /diagnostics[?agent_id=]``, ``GET /diagnostics/{id}`` (the agent's lead, an
  admin): the list (manifests, no content) and the zip. An agent cannot read them back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server import audit, schemas
from homeagent.server.deps import ADMIN, TEAM_LEAD, Auth, Ctx, Principal
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import DiagnosticBundle, DiagnosticRequest, User, utcnow
from homeagent.server.state import person_ref

router = APIRouter(tags=["diagnostics"])
AgentId = Annotated[str, Path(min_length=1, max_length=36)]
ItemId = Annotated[int, Path(ge=1, le=schemas.MAX_ID)]
MAX_MANIFEST_BYTES = 256 * 1024
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024  # a bundle's text is capped far below this
MAX_ENTRIES = 64
REPEAT_WINDOW = dt.timedelta(hours=1)
ZIP_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _target_agent(s: Session, p: Principal, agent_id: str) -> User:
    """A user of the lead's team (any user for an admin); 404 for anyone else."""
    p.require(TEAM_LEAD, ADMIN)
    agent = s.get(User, agent_id)
    if agent is None or (
        not p.is_admin and (p.team_id is None or agent.team_id != p.team_id or agent.role == ADMIN)
    ):
        raise ApiError(404, "not_found", "No such agent in your team.")
    return agent


def _may_read(p: Principal, team_id: str | None) -> bool:
    return p.is_admin or (p.is_lead and team_id is not None and team_id == p.team_id)


def request_out(s: Session, row: DiagnosticRequest) -> schemas.DiagnosticRequestOut:
    by = person_ref(s, row.requested_by_id) or {"id": row.requested_by_id, "name": ""}
    return schemas.DiagnosticRequestOut(
        id=row.id,
        agent_id=row.agent_id,
        requested_by=schemas.PersonRef(**by),
        note=row.note,
        requested_at=row.requested_at,
        status=row.status,  # type: ignore[arg-type]  # the column holds the three words
        answered_at=row.answered_at,
        bundle_id=row.bundle_id,
    )


def _event_data(s: Session, row: DiagnosticRequest) -> dict[str, Any]:
    return request_out(s, row).model_dump(mode="json")


@router.post(
    "/agents/{agent_id}/diagnostics/requests",
    response_model=schemas.DiagnosticRequestOut,
    status_code=201,
)
def request_bundle(
    agent_id: AgentId, body: schemas.DiagnosticRequestIn, p: Auth, ctx: Ctx
) -> schemas.DiagnosticRequestOut:
    """Ask an agent's desk for a diagnostics bundle; the agent approves or declines."""
    with ctx.db.write() as s:
        agent = _target_agent(s, p, agent_id)
        recent = s.scalars(
            select(DiagnosticRequest)
            .where(
                DiagnosticRequest.agent_id == agent.id,
                DiagnosticRequest.status == "pending",
                DiagnosticRequest.requested_at >= utcnow() - REPEAT_WINDOW,
            )
            .order_by(DiagnosticRequest.id.desc())
        ).first()
        if recent is not None:
            return request_out(s, recent)
        row = DiagnosticRequest(
            agent_id=agent.id,
            team_id=agent.team_id,
            requested_by_id=p.user_id,
            note=body.note,
            requested_at=utcnow(),
            status="pending",
        )
        s.add(row)
        s.flush()
        publish(s, "diagnostics_requested", _event_data(s, row), to_user_id=agent.id)
        audit.record(
            s,
            actor_id=p.user_id,
            team_id=agent.team_id,
            action="diagnostics_requested",
            agent_id=agent.id,
            detail={"request_id": row.id},
        )
        return request_out(s, row)


@router.get("/agents/me/diagnostics/requests", response_model=list[schemas.DiagnosticRequestOut])
def my_pending_requests(p: Auth, ctx: Ctx) -> list[schemas.DiagnosticRequestOut]:
    """The requests for a bundle this agent has not answered yet, oldest first."""
    with ctx.db.read() as s:
        rows = s.scalars(
            select(DiagnosticRequest)
            .where(DiagnosticRequest.agent_id == p.user_id, DiagnosticRequest.status == "pending")
            .order_by(DiagnosticRequest.id)
            .limit(20)
        )
        return [request_out(s, r) for r in rows]


def _own_pending(s: Session, p: Principal, request_id: int) -> DiagnosticRequest:
    row = s.get(DiagnosticRequest, request_id, with_for_update=True)
    if row is None or row.agent_id != p.user_id:
        raise ApiError(404, "not_found", "No such request for you.")
    if row.status != "pending":
        raise ApiError(
            409, "already_answered", f"This request was already answered ({row.status})."
        )
    return row


@router.post(
    "/agents/me/diagnostics/requests/{request_id}/decline",
    response_model=schemas.DiagnosticRequestOut,
)
def decline_request(request_id: ItemId, p: Auth, ctx: Ctx) -> schemas.DiagnosticRequestOut:
    """The agent says no: nothing is sent; whoever asked is told."""
    with ctx.db.write() as s:
        row = _own_pending(s, p, request_id)
        row.status, row.answered_at = "declined", utcnow()
        s.flush()
        publish(s, "diagnostics_answered", _event_data(s, row), to_user_id=row.requested_by_id)
        audit.record(
            s,
            actor_id=p.user_id,
            team_id=row.team_id,
            action="diagnostics_declined",
            agent_id=p.user_id,
            detail={"request_id": row.id},
        )
        return request_out(s, row)


def _checked_manifest(content: bytes) -> dict[str, Any]:
    """The bundle's manifest, once the zip is known to be a sane bundle; else 422."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise ApiError(422, "invalid_bundle", f"More than {MAX_ENTRIES} files.")
            if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                raise ApiError(422, "invalid_bundle", "The bundle unpacks to too much data.")
            names = {i.filename for i in infos}
            if "manifest.json" not in names:
                raise ApiError(422, "invalid_bundle", "The zip has no manifest.json.")
            info = zf.getinfo("manifest.json")
            if info.file_size > MAX_MANIFEST_BYTES:
                raise ApiError(422, "invalid_bundle", "manifest.json is too large.")
            manifest = json.loads(zf.read(info).decode("utf-8"))
    except (zipfile.BadZipFile, ValueError, UnicodeDecodeError, NotImplementedError) as exc:
        raise ApiError(
            422, "invalid_bundle", f"Not a diagnostics bundle ({type(exc).__name__})."
        ) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise ApiError(422, "invalid_bundle", "manifest.json does not list the files.")
    return manifest


@router.post(
    "/agents/me/diagnostics",
    response_model=schemas.DiagnosticBundleOut,
    status_code=201,
    openapi_extra=ZIP_BODY,
)
async def send_bundle(
    request: Request,
    p: Auth,
    ctx: Ctx,
    request_id: Annotated[int | None, Query(ge=1, le=schemas.MAX_ID)] = None,
) -> schemas.DiagnosticBundleOut:
    """The agent's own bundle (a masked zip), sent with the agent's consent."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/zip":
        raise ApiError(415, "unsupported_media_type", "Send the bundle as application/zip.")
    content = await request.body()
    limit = ctx.limits.diagnostics_max_bytes
    if len(content) > limit:
        raise ApiError(413, "body_too_large", f"The bundle is larger than {limit} bytes.")
    if not content:
        raise ApiError(422, "invalid_bundle", "The bundle is empty.")
    manifest = _checked_manifest(content)
    return _store_bundle(ctx, p, content, manifest, request_id)


def _store_bundle(
    ctx: Any, p: Principal, content: bytes, manifest: dict[str, Any], request_id: int | None
) -> schemas.DiagnosticBundleOut:
    with ctx.db.write() as s:
        asked = _own_pending(s, p, request_id) if request_id is not None else None
        row = DiagnosticBundle(
            agent_id=p.user_id,
            team_id=p.team_id,
            device_id=p.device_id,
            request_id=request_id,
            received_at=utcnow(),
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            manifest=manifest,
            content=content,
        )
        s.add(row)
        s.flush()
        out = _bundle_out(s, row)
        if asked is not None:
            asked.status, asked.answered_at, asked.bundle_id = "sent", utcnow(), row.id
            s.flush()
            publish(
                s, "diagnostics_answered", _event_data(s, asked), to_user_id=asked.requested_by_id
            )
        _prune(s, p.user_id, ctx.limits.diagnostics_kept_per_agent)
        audit.record(
            s,
            actor_id=p.user_id,
            team_id=p.team_id,
            action="diagnostics_sent",
            agent_id=p.user_id,
            detail={"bundle_id": row.id, "request_id": request_id, "bytes": len(content)},
        )
        return out


def _prune(s: Session, agent_id: str, keep: int) -> None:
    ids = list(
        s.scalars(
            select(DiagnosticBundle.id)
            .where(DiagnosticBundle.agent_id == agent_id)
            .order_by(DiagnosticBundle.id.desc())
            .offset(max(1, keep))
        )
    )
    for old in ids:
        row = s.get(DiagnosticBundle, old)
        if row is not None:
            s.delete(row)


def _bundle_out(s: Session, row: DiagnosticBundle) -> schemas.DiagnosticBundleOut:
    agent = s.get(User, row.agent_id)
    return schemas.DiagnosticBundleOut(
        id=row.id,
        agent_id=row.agent_id,
        agent_name=(agent.display_name or agent.name) if agent is not None else "",
        device_id=row.device_id,
        request_id=row.request_id,
        received_at=row.received_at,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        manifest=row.manifest,
    )


@router.get("/diagnostics", response_model=list[schemas.DiagnosticBundleOut])
def list_bundles(
    p: Auth,
    ctx: Ctx,
    agent_id: Annotated[str | None, Query(min_length=1, max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[schemas.DiagnosticBundleOut]:
    """The bundles IT (every team) or a lead (their team) may read, newest first."""
    p.require(TEAM_LEAD, ADMIN)
    with ctx.db.read() as s:
        stmt = select(DiagnosticBundle).order_by(DiagnosticBundle.id.desc()).limit(limit)
        if not p.is_admin:
            if p.team_id is None:
                return []
            stmt = stmt.where(DiagnosticBundle.team_id == p.team_id)
        if agent_id is not None:
            stmt = stmt.where(DiagnosticBundle.agent_id == agent_id)
        return [_bundle_out(s, r) for r in s.scalars(stmt)]


@router.get(
    "/diagnostics/{bundle_id}",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The bundle (zip)."}},
)
def download_bundle(bundle_id: ItemId, p: Auth, ctx: Ctx) -> Response:
    """One bundle's zip, as the agent's app sent it (each download is audited)."""
    p.require(TEAM_LEAD, ADMIN)
    with ctx.db.write() as s:
        row = s.get(DiagnosticBundle, bundle_id)
        if row is None or not _may_read(p, row.team_id):
            raise ApiError(404, "not_found", "No such diagnostics bundle.")
        stamp = row.received_at.strftime("%Y%m%d-%H%M%S")
        name = f"homeagent-diagnostic-{row.id}-{stamp}.zip"
        audit.record(
            s,
            actor_id=p.user_id,
            team_id=row.team_id,
            action="diagnostics_read",
            agent_id=row.agent_id,
            detail={"bundle_id": row.id},
        )
        return Response(
            content=row.content,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
