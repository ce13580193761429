"""A TLS registrar with a bad certificate never sees our REGISTER (openssl s_server).

openssl s_server prints whatever application data it receives; a REGISTER (with its
digest credentials) must not reach a server whose certificate is self-signed, for another
name or expired. A control case with a good certificate proves the method sees a REGISTER.
"""

from __future__ import annotations

import dataclasses
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from homeagent.core.events import RegistrationChanged, RegistrationState
from homeagent.core.sip_config import SipAccountConfig, Transport
from tests.helpers.certs import CertFiles, issue_cert, make_ca
from tests.helpers.procs import free_port, port_open, require_tool, stop, wait_until
from tests.integration.sip.conftest import EngineRunner

pytestmark = pytest.mark.integration


@dataclasses.dataclass
class TlsServer:
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, object]:
    directory = tmp_path / "pki"
    directory.mkdir()
    ca, evil_ca = make_ca(), make_ca("Evil CA")
    return {
        "ca": ca.write(directory, "ca"),
        "good": issue_cert(issuer=ca).write(directory, "good"),
        "self-signed": issue_cert().write(directory, "self"),
        "other-ca": issue_cert(issuer=evil_ca).write(directory, "other-ca"),
        "wrong-name": issue_cert(("sip.example.org",), issuer=ca).write(directory, "wrong"),
        "expired": issue_cert(issuer=ca, expired=True).write(directory, "expired"),
    }


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(cert: CertFiles) -> TlsServer:
        openssl = require_tool("openssl")
        port = free_port()
        log = tmp_path / f"s_server-{port}.log"
        with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                [openssl, "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert.cert),
                 "-key", str(cert.key), "-tls1_2", "-ign_eof"],
                stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        procs.append(proc)
        wait_until(lambda: port_open(port), timeout_s=10)
        return TlsServer(port, log)

    yield start
    for proc in procs:
        stop(proc)


def _account(port: int, ca: CertFiles) -> SipAccountConfig:
    return SipAccountConfig(
        registrar_host="127.0.0.1",
        registrar_port=port,
        domain="homeagent.test",
        username="1001",
        password="Tls-Secret-1234",
        transport=Transport.TLS,
        ca_file=str(ca.cert),
        first_retry_s=30,
        retry_interval_s=30,
    )


_EXPECTED = {
    "self-signed": "untrusted",
    "other-ca": "untrusted",
    "wrong-name": "identity does not match",
    "expired": "expired",
}


@pytest.mark.parametrize("case", ["self-signed", "other-ca", "wrong-name", "expired"])
def test_bad_certificate_receives_no_register(
    pki: dict[str, CertFiles], tls_server, engines: EngineRunner, case: str
) -> None:  # type: ignore[no-untyped-def]
    server = tls_server(pki[case])
    _, events = engines.start(_account(server.port, pki["ca"]), wait_registered=False)
    failed = events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.FAILED)
    time.sleep(0.5)  # let s_server flush whatever it might have received
    output = server.output()
    assert "REGISTER" not in output
    assert "Tls-Secret" not in output
    assert "ACCEPT" in output  # s_server really started
    assert failed.reason.startswith("TLS certificate of the registrar refused: ")
    assert _EXPECTED[case] in failed.reason


def test_control_good_certificate_does_receive_the_register(
    pki: dict[str, CertFiles], tls_server, engines: EngineRunner
) -> None:  # type: ignore[no-untyped-def]
    server = tls_server(pki["good"])
    engines.start(_account(server.port, pki["ca"]), wait_registered=False)
    wait_until(lambda: "REGISTER sips:" in server.output() or "REGISTER sip" in server.output())
