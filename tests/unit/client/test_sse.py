"""Parsing the event stream, whatever the chunking."""

from __future__ import annotations

from homeagent.client.events import StreamEvent, _parse_sse

STREAM = (
    b": connected\n\n"
    b'id: 1\nevent: message\ndata: {"body": "bonjour"}\n\n'
    b": ping\n\n"
    b'id: 2\r\nevent: agent_state\r\ndata: {"state":\r\ndata: "break"}\r\n\r\n'
    b'id: 3\nevent: contact_changed\ndata: {"id": "c", "deleted": true}\n\n'
    b'id: 4\nevent: message\ndata: {"body": "incomplete'
)

EXPECTED = [
    StreamEvent(1, "message", {"body": "bonjour"}),
    StreamEvent(2, "agent_state", {"state": "break"}),
    StreamEvent(3, "contact_changed", {"id": "c", "deleted": True}),
]


def test_whole_stream() -> None:
    assert list(_parse_sse(iter([STREAM]))) == EXPECTED


def test_byte_by_byte() -> None:
    assert list(_parse_sse(STREAM[i : i + 1] for i in range(len(STREAM)))) == EXPECTED


def test_utf8_split_across_chunks() -> None:
    data = 'id: 9\nevent: message\ndata: {"body": "réunion à 14 h"}\n\n'.encode()
    cut = data.index("é".encode()) + 1
    assert next(iter(_parse_sse(iter([data[:cut], data[cut:]])))).data["body"] == "réunion à 14 h"
