"""`ServerClient`'s supervision methods: the contract's paths, bodies and keys, what is
retried, and a refusal's extra fields (409 already_supervised's `by`) kept for the caller."""

from __future__ import annotations

import pytest

from homeagent.client.errors import ApiError, MalformedPayload, ServerFailed
from homeagent.core.supervision import holder_of
from tests.unit.client.test_server_client import Script, make, script, tokens_body

__all__ = ["script"]

TOKEN = "A" * 43
SESSION = {
    "id": 7,
    "agent_id": "a-1",
    "agent_name": "Hélène David",
    "lead_id": "l-1",
    "lead_name": "Claire Martin",
    "team_id": "t-1",
    "mode": "listen",
    "status": "requested",
    "created_at": "2026-12-01T09:00:00Z",
    "connected_at": None,
    "ended_at": None,
    "end_reason": None,
}


def test_paths_bodies_keys_and_parsed_answers(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on("POST", "/agents/a-1/supervision", (201, {**SESSION, "token": TOKEN}))
    sc.on("PATCH", "/supervision/7", (200, {**SESSION, "mode": "whisper"}))
    sc.on(
        "POST",
        "/supervision/7/connected",
        (200, {**SESSION, "status": "connected", "connected_at": "2026-12-01T09:00:01Z"}),
    )
    sc.on(
        "POST",
        "/supervision/7/end",
        (
            200,
            {
                **SESSION,
                "status": "ended",
                "ended_at": "2026-12-01T09:05:00Z",
                "end_reason": "lead_stopped",
            },
        ),
    )
    sc.on("GET", "/supervision/policy", (200, {"policy": "silent"}))
    sc.on("GET", "/teams/t-1/supervision", (200, [SESSION]))
    client = make(url)
    started = client.start_supervision("a-1", "listen")
    assert (started.session.id, started.token) == (7, TOKEN)
    assert client.set_supervision_mode(7, "whisper").mode == "whisper"
    assert client.set_supervision_mode(7, "whisper").mode == "whisper"
    assert client.supervision_connected(7).status == "connected"
    assert client.end_supervision(7, "lead_stopped").end_reason == "lead_stopped"
    assert client.read_supervision_policy() == "silent"
    assert [s.agent_name for s in client.read_team_supervision("t-1")] == ["Hélène David"]
    seen = {(m, p): (h, b) for m, p, h, b in sc.seen}
    headers, body = seen[("POST", "/agents/a-1/supervision")]
    assert body == {"mode": "listen"}
    assert "Idempotency-Key" not in headers  # never stored: the answer holds the token
    patches = [h["Idempotency-Key"] for m, p, h, _ in sc.seen if m == "PATCH"]
    assert len(set(patches)) == 2  # one key per switch
    assert seen[("POST", "/supervision/7/end")][1] == {"reason": "lead_stopped"}
    assert seen[("POST", "/supervision/7/end")][0]["Idempotency-Key"] == (
        "supervision-end-7-lead_stopped"
    )
    client.close()


def test_a_start_is_sent_once_and_the_end_is_retried(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    busy = (503, {"error": {"code": "unavailable", "message": "busy"}})
    sc.on("POST", "/agents/a-1/supervision", busy, (201, {**SESSION, "token": TOKEN}))
    sc.on(
        "POST",
        "/supervision/7/end",
        busy,
        (
            200,
            {
                **SESSION,
                "status": "ended",
                "ended_at": "2026-12-01T09:05:00Z",
                "end_reason": "call_ended",
            },
        ),
    )
    client = make(url)
    with pytest.raises(ServerFailed):
        client.start_supervision("a-1", "listen")
    assert sc.count("POST", "/agents/a-1/supervision") == 1
    assert client.end_supervision(7, "call_ended").status == "ended"
    assert sc.count("POST", "/supervision/7/end") == 2
    client.close()


def test_refusals_keep_their_extra_fields_and_bad_answers_are_malformed(
    script: tuple[Script, str],
) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    by = {"id": "l-2", "name": "Claire Martin"}
    sc.on(
        "POST",
        "/agents/a-1/supervision",
        (
            409,
            {
                "error": {
                    "code": "already_supervised",
                    "message": "Claire Martin is already supervising.",
                    "by": by,
                }
            },
        ),
    )
    sc.on(
        "POST",
        "/agents/a-2/supervision",
        (403, {"error": {"code": "supervision_off", "message": "off"}}),
    )
    sc.on("POST", "/agents/a-3/supervision", (201, {**SESSION, "token": "short"}))
    client = make(url)
    with pytest.raises(ApiError) as info:
        client.start_supervision("a-1", "listen")
    assert (info.value.status, info.value.code, info.value.extra) == (
        409,
        "already_supervised",
        {"by": by},
    )
    holder = holder_of(info.value.extra)
    assert holder is not None
    assert holder.name == "Claire Martin"
    with pytest.raises(ApiError) as info:
        client.start_supervision("a-2", "listen")
    assert (info.value.code, info.value.extra, holder_of(info.value.extra)) == (
        "supervision_off",
        {},
        None,
    )
    with pytest.raises(MalformedPayload, match="token: not a session token") as bad:
        client.start_supervision("a-3", "listen")
    assert "short" not in str(bad.value)
    client.close()


@pytest.mark.parametrize(
    "extra",
    [
        None,
        {},
        {"by": None},
        {"by": "x"},
        {"by": {"id": "", "name": "x"}},
        {"by": {"id": "l", "name": 3}},
        ["by"],
    ],
)
def test_holder_of_never_raises_on_odd_answers(extra: object) -> None:
    assert holder_of(extra) is None
