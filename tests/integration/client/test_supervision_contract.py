"""Live call supervision's `SupervisionApi`, the same cases through `ServerClient` against
the real server (HTTPS, its own CLI) and through `homeagent.testing.supervision`'s fake:
the console and the desk see the same records and the same refusals from both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from homeagent.client.errors import ApiError
from homeagent.client.server import ServerClient
from homeagent.core.supervision import SupervisionApi, holder_of
from homeagent.testing.supervision import FakeSupervision
from tests.integration.client.conftest import lead_client
from tests.integration.client.realserver import PASSWORD, ServerInstance

pytestmark = pytest.mark.integration

# name -> (role, team)
PEOPLE = {
    "lena": ("team_lead", "Ventes"),
    "marc": ("team_lead", "Ventes"),
    "zoe": ("team_lead", "Support"),
    "root": ("admin", None),
    "alice": ("agent", "Ventes"),
    "bruno": ("agent", "Ventes"),
    "carla": ("agent", "Support"),
}


class World(Protocol):
    """One organisation, real or fake, seen through each user's `SupervisionApi`."""

    def api(self, name: str) -> SupervisionApi: ...
    def user_id(self, name: str) -> str: ...
    def team_id(self, team: str) -> str: ...
    def put_state(self, name: str, state: str) -> None: ...
    def set_policy(self, policy: str) -> None: ...
    def sign_out(self, name: str) -> None: ...
    def reset(self) -> None: ...


class RealWorld:
    def __init__(self, root: Path) -> None:
        self.server = ServerInstance(root)
        self.ids = {}
        for name, (role, team) in PEOPLE.items():
            if team is None:
                self.ids[name] = self.server.cli(
                    "create-user", "--name", name, "--role", role, stdin=PASSWORD + "\n"
                )
            else:
                self.ids[name] = self.server.create_user(name, role, team)
        self.server.start()
        self.clients: dict[str, ServerClient] = {}
        self.teams = {t.name: t.id for t in self.api_client("root").read_teams()}

    def api_client(self, name: str) -> ServerClient:
        if name not in self.clients:
            self.clients[name] = lead_client(self.server, name)
        return self.clients[name]

    def api(self, name: str) -> SupervisionApi:
        return self.api_client(name)

    def user_id(self, name: str) -> str:
        return self.ids[name]

    def team_id(self, team: str) -> str:
        return self.teams[team]

    def put_state(self, name: str, state: str) -> None:
        self.api_client(name).put("/agents/me/state", {"state": state})

    def set_policy(self, policy: str) -> None:
        self.server.cli("set-supervision-policy", policy)

    def sign_out(self, name: str) -> None:
        client = self.clients.pop(name)
        client.post("/auth/logout")
        client.close()

    def reset(self) -> None:
        self.set_policy("announced")
        for name, (role, _team) in PEOPLE.items():
            if role == "agent":
                self.put_state(name, "offline")  # ends whatever session is left

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.server.stop()


class FakeWorld:
    def __init__(self) -> None:
        self.fake = FakeSupervision(sip_domain="test.local")
        self.teams = {"Ventes": "team-ventes", "Support": "team-support"}
        for name, (role, team) in PEOPLE.items():
            self.fake.add_user(f"u-{name}", name, role, self.teams[team] if team else None)

    def api(self, name: str) -> SupervisionApi:
        return self.fake.as_user(self.user_id(name))

    def user_id(self, name: str) -> str:
        return f"u-{name}"

    def team_id(self, team: str) -> str:
        return self.teams[team]

    def put_state(self, name: str, state: str) -> None:
        self.fake.set_state(self.user_id(name), state)

    def set_policy(self, policy: str) -> None:
        self.fake.policy = policy

    def sign_out(self, name: str) -> None:
        self.fake.sign_out(self.user_id(name))

    def reset(self) -> None:
        self.fake.policy = "announced"
        for name, (role, _team) in PEOPLE.items():
            if role == "agent":
                self.put_state(name, "offline")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealWorld]:
    world = RealWorld(tmp_path_factory.mktemp("supervision-server"))
    yield world
    world.close()


@pytest.fixture(params=["fake", "real"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    w: World = FakeWorld() if request.param == "fake" else request.getfixturevalue("real")
    yield w
    w.reset()


def on_call(world: World, name: str) -> None:
    for state in ("offline", "available", "on_call"):
        world.put_state(name, state)


def refused(call: object, *args: object) -> ApiError:
    assert callable(call)
    with pytest.raises(ApiError) as caught:
        call(*args)
    return caught.value


def test_a_session_from_start_to_end(world: World) -> None:
    lena, alice = world.api("lena"), world.api("alice")
    ventes = world.team_id("Ventes")
    assert lena.read_supervision_policy() == "announced"
    on_call(world, "alice")
    started = lena.start_supervision(world.user_id("alice"), "listen")
    s = started.session
    assert (s.agent_id, s.agent_name, s.lead_id, s.lead_name) == (
        world.user_id("alice"),
        "alice",
        world.user_id("lena"),
        "lena",
    )
    assert (s.team_id, s.mode, s.status, s.open) == (ventes, "listen", "requested", True)
    assert s.connected_at is None
    assert s.ended_at is None
    assert s.end_reason is None
    assert len(started.token) == 43
    assert started.token not in repr(started)
    assert [x.id for x in lena.read_team_supervision(ventes)] == [s.id]
    assert world.api("marc").read_team_supervision(ventes)[0].status == "requested"

    connected = alice.supervision_connected(s.id)
    assert connected.status == "connected"
    assert connected.connected_at is not None
    assert alice.supervision_connected(s.id) == connected  # idempotent
    assert lena.set_supervision_mode(s.id, "whisper").mode == "whisper"
    assert world.api("root").set_supervision_mode(s.id, "barge").mode == "barge"

    ended = lena.end_supervision(s.id, "lead_stopped")
    assert (ended.status, ended.end_reason, ended.open) == ("ended", "lead_stopped", False)
    assert ended.ended_at is not None
    assert ended.ended_at >= s.created_at
    assert alice.end_supervision(s.id, "call_ended") == ended  # idempotent: as it is
    assert lena.read_team_supervision(ventes) == ()


def test_every_refusal_reaches_the_caller_with_its_code(world: World) -> None:
    lena, marc, zoe, alice = (world.api(n) for n in ("lena", "marc", "zoe", "alice"))
    alice_id = world.user_id("alice")
    world.put_state("alice", "offline")
    err = refused(lena.start_supervision, alice_id, "listen")
    assert (err.status, err.code) == (409, "not_in_call")
    on_call(world, "alice")
    on_call(world, "bruno")
    for who, status, code in ((alice, 403, "forbidden"), (zoe, 403, "forbidden")):
        err = refused(who.start_supervision, alice_id, "listen")
        assert (err.status, err.code) == (status, code)
    err = refused(lena.start_supervision, str(uuid.uuid4()), "listen")
    assert (err.status, err.code) == (404, "not_found")
    err = refused(lena.start_supervision, alice_id, "spy")
    assert (err.status, err.code) == (422, "invalid_input")
    err = refused(alice.read_supervision_policy)
    assert (err.status, err.code) == (403, "forbidden")
    err = refused(zoe.read_team_supervision, world.team_id("Ventes"))
    assert (err.status, err.code) == (403, "forbidden")

    first = lena.start_supervision(alice_id, "listen").session
    err = refused(marc.start_supervision, alice_id, "barge")
    assert (err.status, err.code) == (409, "already_supervised")
    holder = holder_of(err.extra)
    assert holder is not None
    assert (holder.id, holder.name) == (world.user_id("lena"), "lena")
    assert "lena" in err.message
    err = refused(lena.start_supervision, world.user_id("bruno"), "listen")
    assert (err.status, err.code) == (409, "lead_busy")
    assert holder_of(err.extra) is None

    err = refused(alice.set_supervision_mode, first.id, "barge")  # the agent may not
    assert (err.status, err.code) == (403, "forbidden")
    err = refused(marc.set_supervision_mode, first.id, "barge")  # nor another lead
    assert (err.status, err.code) == (403, "forbidden")
    err = refused(zoe.end_supervision, first.id, "lead_stopped")  # another team: unseen
    assert (err.status, err.code) == (404, "not_found")
    err = refused(lena.supervision_connected, first.id)  # only the agent's app reports it
    assert (err.status, err.code) == (403, "forbidden")
    err = refused(lena.end_supervision, first.id, "bored")
    assert (err.status, err.code) == (422, "invalid_input")
    alice.end_supervision(first.id, "transferred")
    err = refused(lena.set_supervision_mode, first.id, "whisper")
    assert (err.status, err.code) == (409, "ended")

    world.set_policy("off")
    assert lena.read_supervision_policy() == "off"
    err = refused(lena.start_supervision, alice_id, "listen")
    assert (err.status, err.code) == (403, "supervision_off")


def test_the_server_ends_a_session_when_the_call_or_the_device_goes(world: World) -> None:
    lena = world.api("lena")
    ventes = world.team_id("Ventes")
    on_call(world, "alice")
    sid = lena.start_supervision(world.user_id("alice"), "listen").session.id
    world.put_state("alice", "available")
    assert lena.read_team_supervision(ventes) == ()
    ended = lena.end_supervision(sid, "lead_stopped")
    assert (ended.status, ended.end_reason) == ("ended", "call_ended")

    on_call(world, "bruno")
    sid = lena.start_supervision(world.user_id("bruno"), "whisper").session.id
    world.sign_out("bruno")
    ended = lena.end_supervision(sid, "lead_stopped")
    assert (ended.status, ended.end_reason) == ("ended", "agent_signed_out")
    assert world.api("marc").read_team_supervision(ventes) == ()
