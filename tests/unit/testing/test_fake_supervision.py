"""`FakeSupervision` publishes what the server would, to whom it would."""

from __future__ import annotations

from homeagent.core.supervision import parse_day_supervisions, parse_request, parse_session
from homeagent.testing.supervision import FakeSupervision


def _world() -> FakeSupervision:
    fake = FakeSupervision(sip_domain="test.local", policy="silent")
    fake.add_user("l-1", "Claire Martin", "team_lead", "t-1", sip_username="claire")
    fake.add_user("a-1", "Hélène David", "agent", "t-1")
    fake.set_state("a-1", "on_call")
    return fake


def test_the_token_goes_to_the_agent_only_and_ends_reach_agent_and_lead() -> None:
    fake = _world()
    started = fake.as_user("l-1").start_supervision("a-1", "whisper")
    (to_agent, requested), (to_leads, session) = ((a, d) for a, _t, d in fake.drain_events())
    assert to_agent == ("user", "a-1")
    req = parse_request(requested)
    assert (req.token, req.lead_sip_uri, req.announce) == (
        started.token,
        "sip:claire@test.local",
        False,
    )
    assert to_leads == ("leads", "t-1")
    assert "token" not in session
    assert parse_session(session).status == "requested"
    assert fake.token_matches(started.session.id, started.token)
    assert not fake.token_matches(started.session.id, "B" * 43)

    fake.set_state("a-1", "wrap_up")  # the call ended
    types = [(a, t, d.get("reason")) for a, t, d in fake.drain_events()]
    assert types == [
        (("user", "a-1"), "supervision_ended", "call_ended"),
        (("user", "l-1"), "supervision_ended", "call_ended"),
        (("leads", "t-1"), "supervision_session", None),
    ]
    assert not fake.token_matches(started.session.id, started.token)  # used up
    (day,) = parse_day_supervisions(fake.day_supervisions("a-1"))
    assert (day.lead_name, day.modes, day.end_reason) == (
        "Claire Martin",
        ("whisper",),
        "call_ended",
    )
    assert [a[0] for a in fake.audit] == ["supervision_started", "supervision_ended"]
