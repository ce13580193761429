"""A Hypothesis generator of mutated INVITEs (used by the fuzz test and the parser's test).

Display names, numbers and contact-centre headers in UTF-8, Latin-1, invalid UTF-8 or raw
bytes; extra and compact headers; good, empty, garbage and oversized SDP; wrong
Content-Length; LF-only line ends; byte flips and truncation.
"""

from __future__ import annotations

from hypothesis import strategies as st

_SDP_OK = (
    b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    b"m=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\n"
)
_SDPS = [
    _SDP_OK,
    b"",
    _SDP_OK + b"a=ptime:4294967295\r\na=maxptime:99999999999\r\n",
    _SDP_OK.replace(b"8 101", b"97 8") + b"a=rtpmap:97 speex/16000\r\na=fmtp:97 mode=99\r\n",
    _SDP_OK + b"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:!!!!\r\n",
    _SDP_OK + b"m=audio 40002 RTP/AVP 0\r\n" * 40,
    b"v=0\r\nm=audio abc RTP/AVP 8 8 8 999999\r\nc=IN IP9 ?\r\n",
    b"v=0\r\n" + b"a=" + b"x" * 1500 + b"\r\n",
]

# A header value or a name part: UTF-8 text, Latin-1 text, invalid UTF-8, or raw bytes.
_VALUE = st.one_of(
    st.text(max_size=40).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(alphabet=st.characters(max_codepoint=255), max_size=40).map(
        lambda s: s.encode("latin-1")
    ),
    st.binary(max_size=40),
    st.sampled_from([b"Fran\xe7ais", b"Ren\xe9 M\xfcller", b"\xc3\x28", b"\xff\xfe", b""]),
)
_NUMBER = st.one_of(
    st.from_regex(r"\+?[0-9]{1,20}", fullmatch=True).map(str.encode),
    _VALUE,
)
_HEADER_NAMES = st.sampled_from(
    [b"X-Queue", b"X-Contact-Id", b"Call-Info", b"P-Asserted-Identity", b"Subject",
     b"Alert-Info", b"User-Agent", b"f", b"t", b"i", b"l", b"Require", b"Supported",
     b"Content-Type", b"Max-Forwards", b"Contact", b"Via", b"X-\xe9t\xe9"]
)  # fmt: skip
# mostly right, so that many cases get past the parser and ring
_LENGTHS = st.sampled_from(["correct"] * 5 + ["zero", "big", "negative", "garbage", "missing"])


@st.composite
def mutated_invites(draw: st.DrawFn) -> dict[str, object]:
    """The parts of one INVITE; rendered with the addresses and a unique number."""
    return {
        "name": draw(_VALUE),
        "number": draw(_NUMBER),
        "queue": draw(_VALUE),
        "extra": draw(st.lists(st.tuples(_HEADER_NAMES, _VALUE), max_size=6)),
        "sdp": draw(st.one_of(st.sampled_from(_SDPS), st.binary(max_size=300))),
        "length": draw(_LENGTHS),
        "eol": draw(st.sampled_from([b"\r\n", b"\n"])),
        "flips": draw(st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=4)),
        "cut": draw(st.one_of(st.none(), st.integers(0, 3000))),
    }


def render(parts: dict[str, object], port: int, lport: int, n: int) -> bytes:
    sdp = parts["sdp"]
    assert isinstance(sdp, bytes)
    lengths = {
        "correct": str(len(sdp)).encode(), "zero": b"0", "big": b"99999",
        "negative": b"-5", "garbage": b"12abc",
    }  # fmt: skip
    lines = [
        f"INVITE sip:1001@127.0.0.1:{port} SIP/2.0".encode(),
        f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch=z9hG4bK-fz{n}".encode(),
        b'From: "' + parts["name"] + b'" <sip:' + parts["number"]  # type: ignore[operator]
        + f"@127.0.0.1:{lport}>;tag=fz{n}".encode(),
        f"To: <sip:1001@127.0.0.1:{port}>".encode(),
        f"Call-ID: fz-{n}@127.0.0.1".encode(),
        b"CSeq: 1 INVITE",
        f"Contact: <sip:fz@127.0.0.1:{lport}>".encode(),
        b"Max-Forwards: 70",
        b"X-Queue: " + parts["queue"],  # type: ignore[operator]
    ]  # fmt: skip
    lines += [name + b": " + value for name, value in parts["extra"]]  # type: ignore[attr-defined]
    if sdp:
        lines.append(b"Content-Type: application/sdp")
    if parts["length"] != "missing":
        lines.append(b"Content-Length: " + lengths[str(parts["length"])])
    eol = parts["eol"]
    assert isinstance(eol, bytes)
    data = bytearray(eol.join(lines) + eol + eol + sdp)
    for pos, byte in parts["flips"]:  # type: ignore[attr-defined]
        data[pos % len(data)] = byte
    cut = parts["cut"]
    if isinstance(cut, int) and cut < len(data):
        data = data[: max(cut, 1)]
    return bytes(data[:8000])
