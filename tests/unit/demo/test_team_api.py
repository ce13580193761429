"""The simulated agents' REST client: refresh on an expired token, routes not there yet."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from homeagent.demo import team_api
from homeagent.demo.team_api import AgentApi, ApiFailure


class Scripted(BaseAdapter):
    """Answers each request with the next scripted (status, body); records the requests."""

    def __init__(self, answers: list[tuple[int, Any]]) -> None:
        super().__init__()
        self.answers = answers
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        status, body = self.answers.pop(0)
        r = requests.Response()
        r.status_code = status
        r._content = b"" if body is None else json.dumps(body).encode()
        r.request = request
        return r

    def close(self) -> None:
        pass


TOKENS = {"access_token": "a1", "refresh_token": "r1", "expires_in_s": 900,
          "user": {"id": "u1"}}  # fmt: skip


def _api(answers: list[tuple[int, Any]]) -> tuple[AgentApi, Scripted]:
    api = AgentApi("http://127.0.0.1:9", "lea.martin", "secret-password")
    adapter = Scripted([(200, TOKENS), *answers])
    api._http.mount("http://", adapter)
    api.sign_in()
    return api, adapter


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def test_an_expired_token_is_refreshed_once_and_the_request_retried() -> None:
    fresh = dict(TOKENS, access_token="a2", refresh_token="r2")
    api, adapter = _api([(401, _error("token_expired", "Expired.")), (200, fresh),
                         (200, {"state": "available"})])  # fmt: skip
    assert api.call("GET", "/agents/me/state") == {"state": "available"}
    paths = [r.path_url for r in adapter.sent]
    assert paths == ["/api/v1/auth/login", "/api/v1/agents/me/state", "/api/v1/auth/refresh",
                     "/api/v1/agents/me/state"]  # fmt: skip
    assert json.loads(adapter.sent[2].body or b"{}") == {"refresh_token": "r1"}
    assert adapter.sent[3].headers["Authorization"] == "Bearer a2"


def test_a_missing_route_is_tolerated_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    team_api._MISSING.discard("call quality")
    not_found = _error("not_found", "Not Found")  # the router's: no such route
    api, _ = _api([(404, not_found), (404, not_found)])
    with caplog.at_level(logging.WARNING, logger="homeagent.demo.team_api"):
        for _ in range(2):
            assert api.call("POST", "/agents/me/call-quality", {}, optional="call quality") is None
    assert sum("no call quality route" in r.message for r in caplog.records) == 1
    assert "secret-password" not in caplog.text


def test_a_missing_resource_or_a_refusal_is_an_error() -> None:
    api, _ = _api([(404, _error("not_found", "No such message for you.")),
                   (409, _error("no_call", "No call backs this on-call time."))])  # fmt: skip
    with pytest.raises(ApiFailure) as missing:
        api.call("POST", "/messages/9/ack", optional="message acknowledgement")
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    with pytest.raises(ApiFailure, match="409 no_call"):
        api.call("PUT", "/agents/me/state", {"state": "wrap_up"})
