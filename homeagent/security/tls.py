"""TLS pinning: the server is trusted only if its certificate chains to the profile's CA."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import tempfile
from pathlib import Path

_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----"
)


def pem_certificates(text: str) -> list[str]:
    """The PEM certificates in `text`, each checked by OpenSSL as the TLS client will load
    it; ValueError when there is none or one is not a certificate.

    `ssl`, which every TLS connection of the desk loads anyway, rather than cryptography's
    X.509 module: ~28 ms to import, on the way to REGISTER at every start (issue 14).
    """
    blocks = _CERTIFICATE.findall(text)
    if not blocks:
        raise ValueError("no PEM certificate")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    for block in blocks:
        try:
            context.load_verify_locations(cadata=block)
        except ssl.SSLError as exc:
            raise ValueError(f"not a certificate: {exc.reason}") from None
    return blocks


class PinnedCaBundle:
    """The organisation's CA (from the profile) as a file for `requests`' `verify=`.

    Only this CA is trusted for the server: not the system store, not certifi. The CA
    certificate is public, so a private temp file is fine; it is removed by `close()`.
    """

    def __init__(self, ca_pem: str) -> None:
        certs = pem_certificates(ca_pem)  # ValueError if not PEM certificates
        self._dir = Path(tempfile.mkdtemp(prefix="homeagent-ca-"))
        self.path = self._dir / "org-ca.pem"
        with open(self.path, "w", encoding="ascii", newline="\n") as f:
            for cert in certs:
                f.write(cert.replace("\r\n", "\n") + "\n")
        os.chmod(self.path, 0o600)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> PinnedCaBundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
