"""Who am I, my team's settings, my SIP account."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server import schemas, sip_credentials
from homeagent.server.deps import Auth, Ctx, ServerContext
from homeagent.server.models import Device, Disposition, PauseReason, Team, User
from homeagent.server.views import user_out

log = logging.getLogger(__name__)
router = APIRouter(tags=["me"])


def team_out(s: Session, team: Team) -> schemas.TeamOut:
    reasons = s.scalars(
        select(PauseReason.label).where(PauseReason.team_id == team.id).order_by(PauseReason.id)
    )
    dispositions = s.scalars(
        select(Disposition).where(Disposition.team_id == team.id).order_by(Disposition.id)
    )
    return schemas.TeamOut(
        id=team.id,
        name=team.name,
        pause_reasons=list(reasons),
        wrap_up_s=team.wrap_up_s,
        auto_answer_s=team.auto_answer_s,
        auto_available_after_wrap_up=team.auto_available_after_wrap_up,
        dispositions=[schemas.DispositionOut(code=d.code, label=d.label) for d in dispositions],
    )


@router.get("/me", response_model=schemas.MeOut)
def me(p: Auth, ctx: Ctx) -> schemas.MeOut:
    with ctx.db.read() as s:
        user = s.get(User, p.user_id)
        assert user is not None
        team = s.get(Team, user.team_id) if user.team_id else None
        return schemas.MeOut(user=user_out(user), team=team_out(s, team) if team else None)


def _settings(ctx: ServerContext, user: User) -> dict[str, Any]:
    cfg = ctx.settings
    return {
        "registrar_host": cfg["sip_registrar_host"],
        "registrar_port": int(cfg["sip_registrar_port"]),
        "domain": cfg["sip_domain"],
        "transport": cfg["sip_transport"],
        "srtp": cfg["sip_srtp"],
        "username": user.sip_username,
        "display_name": user.display_name or user.name,
    }


@router.get("/provisioning/sip", response_model=schemas.SipSettingsOut)
def provisioning(p: Auth, ctx: Ctx, response: Response) -> schemas.SipSettingsOut:
    """The SIP settings of the calling device: no secret (the server keeps only its HA1)."""
    response.headers["Cache-Control"] = "no-store"
    with ctx.db.read() as s:
        user = s.get(User, p.user_id)
        device = s.get(Device, p.device_id)
        assert user is not None
        assert device is not None
        return schemas.SipSettingsOut(**_settings(ctx, user), auth_username=device.sip_auth_user)


@router.post("/provisioning/sip", response_model=schemas.SipProvisioningOut)
def issue_sip_credential(p: Auth, ctx: Ctx, response: Response) -> schemas.SipProvisioningOut:
    """Issue the calling device its own SIP digest identity (replacing its previous one).

    The secret is in this answer only (for the device's keyring); the server keeps the
    HA1. Another device of the same user keeps its own credential.
    """
    response.headers["Cache-Control"] = "no-store"
    with ctx.db.write() as s:
        user = s.get(User, p.user_id)
        device = s.get(Device, p.device_id)
        assert user is not None
        assert device is not None
        issued = sip_credentials.issue(s, device, user, ctx.settings["sip_domain"])
        out = _settings(ctx, user)
    log.info("SIP credential issued to device %s (user %s)", p.device_id, p.user_id)
    return schemas.SipProvisioningOut(
        **out, auth_username=issued.auth_username, realm=issued.realm, password=issued.secret
    )
