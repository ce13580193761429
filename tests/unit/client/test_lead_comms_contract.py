"""The lead console's API, the same cases through `FakeLeadComms` and through the real
`ServerClient` talking HTTP to a local server that answers with the fake's state: the
client's paths, queries and bodies are the fake's, and both parse the same records."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from homeagent.client.errors import ApiError, MalformedPayload
from homeagent.client.server import ServerClient
from homeagent.core.ports import LeadCommsApi
from homeagent.testing.fakes import FakeLeadComms
from homeagent.testing.lead_comms import sample_day

DAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


class Tokens:
    token: str | None = "r0"

    def get_refresh_token(self) -> str | None:
        return self.token

    def set_refresh_token(self, value: str) -> None:
        self.token = value


class Served:
    """The fake behind HTTP; `seen` keeps (method, path, query, headers, body)."""

    def __init__(self, fake: FakeLeadComms) -> None:
        self.fake = fake
        self.seen: list[tuple[str, str, dict[str, str], dict[str, str], Any]] = []
        self.override: dict[tuple[str, str], Any] = {}


@pytest.fixture
def served() -> Iterator[tuple[Served, str]]:
    sv = Served(FakeLeadComms(now=lambda: NOW))

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            path = url.path.removeprefix("/api/v1")
            query = dict(parse_qsl(url.query))
            body = json.loads(raw) if raw else None
            sv.seen.append((self.command, path, query, dict(self.headers), body))
            status, answer = 200, None
            if path == "/auth/refresh":
                answer = {"access_token": "a", "refresh_token": "r", "expires_in_s": 900}
            elif (self.command, path) in sv.override:
                answer = sv.override[(self.command, path)]
            else:
                try:
                    answer = sv.fake.handle(self.command, path, query, body)
                except ApiError as exc:
                    status = exc.status
                    answer = {"error": {"code": exc.code, "message": exc.message}}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _handle

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield sv, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(params=["fake", "client"])
def api(
    request: pytest.FixtureRequest, served: tuple[Served, str]
) -> Iterator[tuple[LeadCommsApi, FakeLeadComms]]:
    sv, url = served
    if request.param == "fake":
        yield sv.fake, sv.fake
        return
    client = ServerClient(url, Tokens(), backoff_s=0.01, max_backoff_s=0.02)
    yield client, sv.fake
    client.close()


def test_messages_to_one_several_and_the_team_with_receipts(api) -> None:  # type: ignore[no-untyped-def]
    lead, fake = api
    one = lead.send_lead_message("Bonjour", to_agent_ids=["a-1"], idempotency_key="k1")
    assert (one.to_agent_id, one.thread_agent_id, one.counts.recipients) == ("a-1", "a-1", 1)
    several = lead.send_lead_message("Point", priority="urgent", to_agent_ids=["a-1", "a-2"],
                                     idempotency_key="k2")  # fmt: skip
    assert several.urgent
    assert several.thread_agent_id is None
    team = lead.send_lead_message("Tous", to_team_id=fake.team_id, idempotency_key="k3")
    assert team.to_team_id == fake.team_id
    assert team.counts.recipients == 2
    fake.agent_receipt(several.id, "a-2", "ack")
    receipts = {r.agent_id: r for r in lead.read_message_receipts(several.id)}
    assert receipts["a-2"].acked_at == NOW
    assert receipts["a-1"].read_at is None
    assert receipts["a-1"].display_name == "Alice Martin"
    assert [m.id for m in lead.read_lead_messages()] == [one.id, several.id, team.id]
    assert [m.id for m in lead.read_lead_messages(after_id=one.id)] == [several.id, team.id]
    assert [m.id for m in lead.read_lead_messages(agent_id="a-2")] == [several.id, team.id]
    written = fake.agent_writes("a-2", "Merci")
    update = lead.mark_message_read(written)
    assert update.read_at == NOW
    assert update.agent_id == fake.lead_id


def test_help_requests_and_alerts(api) -> None:  # type: ignore[no-untyped-def]
    lead, fake = api
    first = fake.agent_asks_help("a-1", "Aide", call_started_at=NOW)
    fake.agent_asks_help("a-2", "Encore")
    assert [r.id for r in lead.read_help_requests("open")] == [first, first + 1]
    acked = lead.ack_help_request(first)
    assert acked.status == "acknowledged"
    assert acked.acked_by.name == fake.lead_name
    assert [r.id for r in lead.read_help_requests("acknowledged")] == [first]
    assert lead.resolve_help_request(first).status == "resolved"
    assert [r.id for r in lead.read_help_requests("open", after_id=first)] == [first + 1]
    alert_id = fake.raise_alert("a-1", "call_over", 1000, 900)
    fake.raise_alert("a-2", "no_break", 11000, 10800)
    fake.clear_alert(alert_id)
    assert len(lead.read_alerts(fake.team_id, DAY)) == 2
    assert [a.kind for a in lead.read_alerts(fake.team_id, DAY, open_only=True)] == ["no_break"]
    assert lead.ack_alert(alert_id).acked_by.id == fake.lead_id
    with pytest.raises(ApiError) as err:
        lead.read_alerts("another-team")
    assert err.value.status == 404


def test_days(api) -> None:  # type: ignore[no-untyped-def]
    lead, fake = api
    fake.set_day("team", fake.team_id, DAY, sample_day(DAY))
    fake.set_day(
        "agent", "a-1", DAY, {**sample_day(DAY, (("a-1", "alice", "Alice Martin"),)), "team": None}
    )
    team = lead.read_team_day(fake.team_id, DAY)
    assert [a.agent_id for a in team.agents] == ["a-1", "a-2"]
    assert team.team is not None
    mine = lead.read_agent_day("a-1", DAY)
    assert mine.team is None
    assert mine.agents[0].figures == team.agents[0].figures


def test_the_client_sends_the_contracts_shapes(served) -> None:  # type: ignore[no-untyped-def]
    sv, url = served
    sv.fake.set_day("team", "team-1", DAY, sample_day(DAY))
    client = ServerClient(url, Tokens(), backoff_s=0.01, max_backoff_s=0.02)
    client.send_lead_message("Tous", to_team_id="team-1", idempotency_key="key-1")
    client.send_lead_message("Deux", to_agent_ids=["a-1", "a-2"], idempotency_key="key-2")
    client.read_alerts("team-1", DAY, open_only=True)
    client.read_team_day("team-1", DAY)
    posts = [s for s in sv.seen if s[0] == "POST" and s[1] == "/messages"]
    assert posts[0][4] == {"to_team_id": "team-1", "body": "Tous", "priority": "normal"}
    assert posts[0][3]["Idempotency-Key"] == "key-1"
    assert posts[1][4]["to_agent_ids"] == ["a-1", "a-2"]
    alerts = next(s for s in sv.seen if s[1] == "/teams/team-1/alerts")
    assert alerts[2] == {"day": "2026-12-01", "open": "true"}
    day = next(s for s in sv.seen if s[1] == "/teams/team-1/day")
    assert day[2] == {"day": "2026-12-01"}
    with pytest.raises(ValueError):
        client.send_lead_message("x", idempotency_key="k")
    with pytest.raises(ValueError):
        client.send_lead_message("x", to_agent_ids=["a-1"], to_team_id="t", idempotency_key="k")
    client.close()


def test_a_malformed_answer_is_one_typed_error(served, caplog) -> None:  # type: ignore[no-untyped-def]
    sv, url = served
    sv.override[("GET", "/teams/team-1/day")] = {"day": "2026-12-01", "agents": [{}], "team": None}
    client = ServerClient(url, Tokens(), backoff_s=0.01, max_backoff_s=0.02)
    with pytest.raises(MalformedPayload) as err:
        client.read_team_day("team-1", DAY)
    assert err.value.field == "agents[0].agent_id"
    assert "malformed answer from the server" in caplog.text
    client.close()
