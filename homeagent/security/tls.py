"""TLS pinning: the server is trusted only if its certificate chains to the profile's CA."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


class PinnedCaBundle:
    """The organisation's CA (from the profile) as a file for `requests`' `verify=`.

    Only this CA is trusted for the server: not the system store, not certifi. The CA
    certificate is public, so a private temp file is fine; it is removed by `close()`.
    """

    def __init__(self, ca_pem: str) -> None:
        certs = x509.load_pem_x509_certificates(ca_pem.encode())  # ValueError if not PEM
        self._dir = Path(tempfile.mkdtemp(prefix="homeagent-ca-"))
        self.path = self._dir / "org-ca.pem"
        with open(self.path, "wb") as f:
            for cert in certs:
                f.write(cert.public_bytes(Encoding.PEM))
        os.chmod(self.path, 0o600)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> PinnedCaBundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
