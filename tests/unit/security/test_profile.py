"""Signed provisioning profiles: valid, tampered, wrong key, expired."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from homeagent.security import profile as p
from tests.helpers.certs import make_ca

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def _body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": 1,
        "organisation": "Téléservices Lyon",
        "server_url": "https://cc.example.org/",
        "ca_pem": make_ca("Org CA").cert_pem.decode(),
        "sip": {
            "registrar_host": "sip.example.org",
            "registrar_port": 5061,
            "domain": "example.org",
            "transport": "tls",
            "srtp": "mandatory",
        },
        "default_region": "FR",
        "issued_at": "2026-11-01T00:00:00Z",
        "expires_at": "2027-11-01T00:00:00Z",
    }
    body.update(over)
    return body


@pytest.fixture(scope="module")
def org_key() -> tuple[bytes, bytes]:
    return p.generate_signing_key()


def test_valid_profile_is_accepted(org_key: tuple[bytes, bytes]) -> None:
    data = p.sign_profile(_body(), org_key[0])
    prof = p.load_profile(data, [org_key[1]], now=NOW)
    assert prof.organisation == "Téléservices Lyon"
    assert prof.server_url == "https://cc.example.org"
    assert prof.api_base == "https://cc.example.org/api/v1"
    assert prof.sip.registrar_port == 5061
    assert prof.default_region == "FR"
    assert prof.expires_at == dt.datetime(2027, 11, 1, tzinfo=dt.UTC)
    assert prof.key_id == json.loads(data)["key_id"]
    assert "BEGIN CERTIFICATE" not in repr(prof)


def test_signature_covers_the_canonical_encoding(org_key: tuple[bytes, bytes]) -> None:
    doc = json.loads(p.sign_profile(_body(), org_key[0]))
    # Re-serialising the file differently must not matter: only `profile` is signed.
    again = json.dumps(doc, indent=None).encode()
    assert p.load_profile(again, [org_key[1]], now=NOW).organisation


def test_any_of_several_trusted_keys(org_key: tuple[bytes, bytes]) -> None:
    other = p.generate_signing_key()
    data = p.sign_profile(_body(), org_key[0])
    assert p.load_profile(data, [other[1], org_key[1]], now=NOW)


@pytest.mark.parametrize(
    ("field", "value"),
    [("server_url", "https://evil.example.net"), ("organisation", "Other"), ("version", 1.0)],
)
def test_tampered_profile_is_refused(org_key: tuple[bytes, bytes], field: str, value: Any) -> None:
    doc = json.loads(p.sign_profile(_body(), org_key[0]))
    doc["profile"][field] = value
    with pytest.raises(p.ProfileSignatureInvalid, match="modified after it was signed"):
        p.load_profile(json.dumps(doc).encode(), [org_key[1]], now=NOW)


def test_tampered_ca_is_refused(org_key: tuple[bytes, bytes]) -> None:
    doc = json.loads(p.sign_profile(_body(), org_key[0]))
    doc["profile"]["ca_pem"] = make_ca("Evil CA").cert_pem.decode()
    with pytest.raises(p.ProfileSignatureInvalid):
        p.load_profile(json.dumps(doc).encode(), [org_key[1]], now=NOW)


def test_wrong_key_is_refused(org_key: tuple[bytes, bytes]) -> None:
    stranger = p.generate_signing_key()
    data = p.sign_profile(_body(), stranger[0])
    with pytest.raises(p.ProfileUntrustedKey, match="not a trusted organisation key"):
        p.load_profile(data, [org_key[1]], now=NOW)


def test_wrong_key_claiming_a_trusted_key_id_is_refused(org_key: tuple[bytes, bytes]) -> None:
    stranger = p.generate_signing_key()
    doc = json.loads(p.sign_profile(_body(), stranger[0]))
    doc["key_id"] = p.key_id_of(p.parse_public_key(org_key[1]))
    with pytest.raises(p.ProfileSignatureInvalid):
        p.load_profile(json.dumps(doc).encode(), [org_key[1]], now=NOW)


def test_no_trusted_key_configured(org_key: tuple[bytes, bytes]) -> None:
    with pytest.raises(p.ProfileUntrustedKey, match="No trusted organisation key"):
        p.load_profile(p.sign_profile(_body(), org_key[0]), [], now=NOW)


def test_expired_profile_is_refused(org_key: tuple[bytes, bytes]) -> None:
    data = p.sign_profile(_body(expires_at="2026-11-20T00:00:00Z"), org_key[0])
    with pytest.raises(p.ProfileExpired, match="expired on 2026-11-20T00:00:00Z"):
        p.load_profile(data, [org_key[1]], now=NOW)


def test_future_profile_is_refused(org_key: tuple[bytes, bytes]) -> None:
    data = p.sign_profile(_body(issued_at="2026-12-01T00:00:00Z"), org_key[0])
    with pytest.raises(p.ProfileNotYetValid, match="date and time"):
        p.load_profile(data, [org_key[1]], now=NOW)


@pytest.mark.parametrize(
    "data",
    [b"not json", b"[]", b'{"profile": {}}', b'{"profile": {}, "signature": "!!", "key_id": "a"}'],
)
def test_garbage_is_refused(org_key: tuple[bytes, bytes], data: bytes) -> None:
    with pytest.raises(p.ProfileError):
        p.load_profile(data, [org_key[1]], now=NOW)


@pytest.mark.parametrize(
    "over",
    [
        {"server_url": "http://cc.example.org"},
        {"server_url": "ftp://x"},
        {"ca_pem": "nope"},
        {"version": 2},
        {"expires_at": "tomorrow"},
        {"issued_at": "2026-11-01T00:00:00"},
        {"default_region": "France"},
        {"sip": {"registrar_host": "h", "registrar_port": 0, "domain": "d"}},
        {"sip": {"registrar_host": "h", "registrar_port": 5060, "domain": "d", "transport": "x"}},
    ],
)
def test_sign_refuses_an_invalid_profile(org_key: tuple[bytes, bytes], over: Any) -> None:
    with pytest.raises(p.ProfileMalformed):
        p.sign_profile(_body(**over), org_key[0])


_CA_PEM = make_ca("Org CA").cert_pem.decode()


@pytest.mark.parametrize(
    "ca_pem",
    [
        "",
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        _CA_PEM.replace(_CA_PEM.splitlines()[3], "A" * len(_CA_PEM.splitlines()[3])),
        p.generate_signing_key()[0].decode(),  # a PEM private key, not a certificate
    ],
    ids=["empty", "armoured-garbage", "corrupt-der", "private-key"],
)
def test_a_ca_that_is_not_a_certificate_is_refused(
    org_key: tuple[bytes, bytes], ca_pem: str
) -> None:
    with pytest.raises(p.ProfileMalformed, match="not a PEM certificate"):
        p.sign_profile(_body(ca_pem=ca_pem), org_key[0])


def test_a_ca_bundle_of_two_certificates_is_accepted(org_key: tuple[bytes, bytes]) -> None:
    bundle = _CA_PEM + make_ca("Other CA").cert_pem.decode()
    data = p.sign_profile(_body(ca_pem=bundle), org_key[0])
    assert p.load_profile(data, [org_key[1]], now=NOW).ca_pem == bundle


def test_loopback_http_allowed_for_demo(org_key: tuple[bytes, bytes]) -> None:
    data = p.sign_profile(_body(server_url="http://127.0.0.1:8080", ca_pem=""), org_key[0])
    assert p.load_profile(data, [org_key[1]], now=NOW).server_url == "http://127.0.0.1:8080"


def test_datetimes_are_written_as_iso_utc(org_key: tuple[bytes, bytes]) -> None:
    body = _body(expires_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    doc = json.loads(p.sign_profile(body, org_key[0]))
    assert doc["profile"]["expires_at"] == "2027-01-01T00:00:00Z"
