"""Who am I, my team's settings, my SIP account."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server import schemas
from homeagent.server.deps import Auth, Ctx
from homeagent.server.models import Disposition, PauseReason, Team, User
from homeagent.server.views import user_out

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


@router.get("/provisioning/sip", response_model=schemas.SipProvisioningOut)
def provisioning(p: Auth, ctx: Ctx, response: Response) -> schemas.SipProvisioningOut:
    """The SIP account of the logged-in user, secret included (for the device's keyring)."""
    response.headers["Cache-Control"] = "no-store"
    with ctx.db.read() as s:
        user = s.get(User, p.user_id)
        assert user is not None
    cfg = ctx.settings
    return schemas.SipProvisioningOut(
        registrar_host=cfg["sip_registrar_host"],
        registrar_port=int(cfg["sip_registrar_port"]),
        domain=cfg["sip_domain"],
        transport=cfg["sip_transport"],
        srtp=cfg["sip_srtp"],
        username=user.sip_username,
        password=user.sip_password,
        display_name=user.display_name or user.name,
    )
