"""Malformed and hostile SIP messages in the spirit of RFC 4475 (written for our engine).

Each entry is (name, template). Templates use ``{host}``/``{port}`` (the engine),
``{lhost}``/``{lport}`` (the sender) and ``{n}`` (a unique number); :func:`render` fills
them and turns ``\\n`` into CRLF unless the name starts with ``raw-``.
"""

from __future__ import annotations

_SDP = (
    "v=0\no=- 1 1 IN IP4 {lhost}\ns=-\nc=IN IP4 {lhost}\nt=0 0\n"
    "m=audio 40000 RTP/AVP 8 101\na=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\n"
)


def _invite(extra_headers: str = "", body: str = _SDP, content_type: str = "application/sdp",
            method: str = "INVITE", ruri: str = "sip:1001@{host}:{port}",
            length: str | None = None) -> str:  # fmt: skip
    head = (
        f"{method} {ruri} SIP/2.0\n"
        "Via: SIP/2.0/UDP {lhost}:{lport};branch=z9hG4bK-t{n}\n"
        "From: <sip:+33100000{n}@{lhost}>;tag=t{n}\n"
        "To: <sip:1001@{host}>\n"
        "Call-ID: torture-{n}@{lhost}\n"
        f"CSeq: 1 {method}\n"
        "Contact: <sip:t@{lhost}:{lport}>\n"
        "Max-Forwards: 70\n"
    )
    if body:
        head += f"Content-Type: {content_type}\n"
    size = str(len(body.replace("\n", "\r\n"))) if length is None else length
    return head + extra_headers + f"Content-Length: {size}\n\n" + body


MESSAGES: list[tuple[str, str]] = [
    ("invite-no-sdp", _invite(body="")),
    ("invite-ok-baseline", _invite()),
    ("content-length-too-big", _invite(length="5000")),
    ("content-length-negative", _invite(length="-34")),
    ("content-length-huge", _invite(length="99999999999999999999")),
    ("two-content-lengths", _invite(extra_headers="Content-Length: 3\n")),
    ("header-10k", _invite(extra_headers="X-Long: " + "a" * 10000 + "\n")),
    ("many-headers", _invite(extra_headers="".join(f"X-H{i}: {i}\n" for i in range(300)))),
    (
        "folded-headers",
        _invite(extra_headers="Subject: I know you're there,\n   pick up\n\t the phone\n"),
    ),
    ("unknown-scheme-ruri", _invite(ruri="nope:1001@{host}")),
    ("ruri-2k", _invite(ruri="sip:" + "1" * 2000 + "@{host}:{port}")),
    ("escaped-ruri", _invite(ruri="sip:%61lice%00@{host}:{port};%ZZ")),
    ("mixed-case-method", _invite(method="InViTe")),
    ("unknown-method", _invite(method="NEWMETHOD", body="")),
    ("via-no-branch", _invite().replace(";branch=z9hG4bK-t{n}", "")),
    ("no-call-id", _invite().replace("Call-ID: torture-{n}@{lhost}\n", "")),
    ("cseq-mismatch", _invite().replace("CSeq: 1 INVITE", "CSeq: 1 OPTIONS")),
    ("cseq-overflow", _invite().replace("CSeq: 1 INVITE", "CSeq: 99999999999999999999 INVITE")),
    ("max-forwards-0", _invite().replace("Max-Forwards: 70", "Max-Forwards: 0")),
    ("bad-from", _invite().replace("From: <sip:+33100000{n}@{lhost}>;tag=t{n}", "From: <<<>>>;;;")),
    ("sdp-ptime-overflow", _invite(body=_SDP + "a=ptime:4294967295\na=maxptime:99999999999\n")),
    (
        "sdp-garbage-media",
        _invite(body="v=0\nm=audio abc RTP/AVP 8 8 8 8 8 8 8 8 8 8 999999\nc=IN IP9 ?\n"),
    ),
    ("sdp-100-media-lines", _invite(body=_SDP + "m=audio 40002 RTP/AVP 0\n" * 100)),
    (
        "sdp-bogus-crypto",
        _invite(
            body=_SDP
            + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:!!!!\na=crypto:99999999999 X inline:\n"
        ),
    ),
    ("sdp-bad-fmtp", _invite(body=_SDP + "a=fmtp:101 0-99999999999,,,,-\na=rtpmap:255 X/0/0/0\n")),
    (
        "sdp-speex-payload",
        _invite(
            body=_SDP.replace("8 101", "97 8") + "a=rtpmap:97 speex/16000\na=fmtp:97 mode=99999\n"
        ),
    ),
    (
        "multipart-broken",
        _invite(
            content_type='multipart/mixed;boundary="b1"',
            body="--b1\nContent-Type: application/sdp\n\nv=0\n--b1--\n--b2\n",
        ),
    ),
    ("multipart-no-boundary", _invite(content_type="multipart/mixed", body="--\n\n--\n")),
    (
        "replaces-unknown-dialog",
        _invite(extra_headers="Replaces: nope@x;to-tag=a;from-tag=b\nRequire: replaces\n"),
    ),
    ("require-unknown", _invite(extra_headers="Require: foo-bar-baz\n")),
    ("service-route-junk", _invite(extra_headers="Service-Route: <" + "sip:x;lr," * 200 + ">\n")),
    ("nul-bytes", _invite(extra_headers="X-Nul: a\x00b\x00\n")),
    ("utf8-junk", _invite(extra_headers="Subject: \xff\xfe\xfd caf\u00e9 \U0001f4de\n")),
    (
        "stray-200",
        "SIP/2.0 200 OK\nVia: SIP/2.0/UDP {host}:{port};branch=z9hG4bK-nope{n}\n"
        "From: <sip:a@b>;tag=1\nTo: <sip:c@d>;tag=2\nCall-ID: stray-{n}\nCSeq: 1 INVITE\n"
        "Content-Length: 0\n\n",
    ),
    ("stray-ack", _invite(method="ACK", body="")),
    (
        "bye-no-dialog",
        _invite(method="BYE", body="").replace(
            "To: <sip:1001@{host}>", "To: <sip:1001@{host}>;tag=nodialog"
        ),
    ),
    ("cancel-no-invite", _invite(method="CANCEL", body="")),
    ("refer-no-dialog", _invite(method="REFER", body="", extra_headers="Refer-To: <sip:evil@x>\n")),
    (
        "subscribe-presence",
        _invite(method="SUBSCRIBE", body="", extra_headers="Event: presence\nExpires: 3600\n"),
    ),
    (
        "notify-no-subscription",
        _invite(
            method="NOTIFY", body="", extra_headers="Event: refer\nSubscription-State: active\n"
        ),
    ),
    ("message-big", _invite(method="MESSAGE", content_type="text/plain", body="x" * 1200)),
    ("options", _invite(method="OPTIONS", body="")),
    ("raw-bare-lf", _invite()),  # not converted to CRLF
    ("raw-only-crlf", "\r\n\r\n\r\n\r\n"),
    ("raw-request-line-only", "INVITE sip:1001@{host} SIP/2.0\r\n\r\n"),
    ("raw-version-9", "INVITE sip:1001@{host} SIP/9.0\r\nVia: SIP/9.0/UDP {lhost}\r\n\r\n"),
]


def render(name: str, template: str, **values: object) -> bytes:
    """Fill a template; CRLF line ends unless the message is a ``raw-`` one."""
    text = template
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    if not name.startswith("raw-"):
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode("utf-8", errors="surrogateescape")
