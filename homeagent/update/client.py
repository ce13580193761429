"""The update client on python-tuf 7 `ngclient`, trusting only IT's bootstrap root.

Each check starts from the system-wide `update-root.json` (the organisation's root, put
there by IT or the installer), never from the cached `root.json`: a cache an attacker
rewrote cannot change whom the app trusts. ngclient then walks the signed root chain (key
rotations), checks timestamp → snapshot → targets (signatures and thresholds, expiry,
rollback of any version), and the download against the signed length and hash. What this
module adds: HomeAgent's offers (signed custom metadata), the policy's choice among them,
clear errors, and private cache files.

Blocking network and disk: call it from a worker thread, never the GUI thread.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
from tuf.api import exceptions as tuf_errors
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig

from homeagent.core.update_policy import (
    Choice,
    Offer,
    OfferError,
    UpdatePolicy,
    choose,
    offer_from_custom,
)
from homeagent.update import paths

log = logging.getLogger(__name__)

MAX_ROOT_BYTES = 512_000
TIMEOUT_S = 30


class UpdateError(Exception):
    """An update that cannot be trusted or fetched; the message says why, plainly."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check: what the policy chose (or why nothing), and every valid offer seen."""

    choice: Choice
    offers: tuple[Offer, ...]

    @property
    def offer(self) -> Offer | None:
        return self.choice.offer


class _RequestsFetcher(FetcherInterface):
    """ngclient's transport over `requests`, TLS verified (system CAs or IT's CA file)."""

    def __init__(self, verify: str | bool = True, user_agent: str = "HomeAgent") -> None:
        self._session = requests.Session()
        self._session.verify = verify
        self._session.headers["User-Agent"] = user_agent

    def _fetch(self, url: str) -> Iterator[bytes]:
        try:
            response = self._session.get(url, stream=True, timeout=TIMEOUT_S)
        except requests.Timeout as exc:
            raise tuf_errors.SlowRetrievalError(str(exc)) from exc
        except requests.RequestException as exc:
            raise tuf_errors.DownloadError(f"{url}: {exc}") from exc
        if response.status_code >= 400:
            response.close()
            raise tuf_errors.DownloadHTTPError(
                f"HTTP {response.status_code} for {url}", response.status_code
            )
        return self._chunks(response)

    @staticmethod
    def _chunks(response: requests.Response) -> Iterator[bytes]:
        try:
            yield from response.iter_content(256 * 1024)
        except requests.RequestException as exc:
            raise tuf_errors.DownloadError(str(exc)) from exc
        finally:
            response.close()

    def close(self) -> None:
        self._session.close()


def read_bootstrap_root(config_dir: Path | None = None) -> bytes:
    """The organisation's root from `update-root.json`, or `UpdateError` saying where."""
    path = (config_dir or paths.system_config_dir()) / paths.ROOT_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UpdateError(
            f"no {paths.ROOT_FILE} in {path.parent}: IT has not set up verified updates"
        ) from None
    except OSError as exc:
        raise UpdateError(f"{path} unreadable: {exc}") from None
    if len(data) > MAX_ROOT_BYTES:
        raise UpdateError(f"{path} is larger than {MAX_ROOT_BYTES} bytes")
    return data


def explain(exc: BaseException) -> str:
    """A sentence for IT and the log from a TUF or transport failure."""
    if isinstance(exc, tuf_errors.LengthOrHashMismatchError):
        return f"the downloaded file does not match its signed length and hash ({exc})"
    if isinstance(exc, tuf_errors.ExpiredMetadataError):
        return (
            f"the update repository's signed metadata has expired ({exc}): either the "
            "repository's timestamp was not re-signed, or someone replays old metadata"
        )
    if isinstance(exc, tuf_errors.BadVersionNumberError):
        return f"rollback refused: the repository offers older metadata than already seen ({exc})"
    if isinstance(exc, tuf_errors.UnsignedMetadataError):
        return (
            f"signature check failed: the metadata is not signed by enough of the "
            f"organisation's keys ({exc})"
        )
    if isinstance(exc, tuf_errors.DownloadHTTPError):
        return f"the update server answered {exc.status_code} ({exc})"
    if isinstance(exc, tuf_errors.DownloadError):
        return f"the update server could not be reached or sent too much ({exc!r})"
    if isinstance(exc, tuf_errors.RepositoryError):
        return f"the update repository's metadata is not valid ({exc})"
    return f"{type(exc).__name__}: {exc}"


class UpdateClient:
    """Check for, and download, the newest update this device may take.

    `repository_url` is the base the organisation hosts (`…/metadata/` and `…/targets/`
    under it); `bootstrap_root` the bytes of IT's `update-root.json`.
    """

    def __init__(
        self,
        *,
        repository_url: str,
        bootstrap_root: bytes,
        data_dir: Path,
        platform: str,
        current_version: str,
        device_id: str,
        verify: str | bool = True,
    ) -> None:
        self._base = repository_url.rstrip("/")
        self._bootstrap = bootstrap_root
        self._metadata_dir, self.downloads_dir = paths.update_dirs(data_dir)
        self.platform = platform
        self.current_version = current_version
        self.device_id = device_id
        self._verify = verify
        self._updater: Updater | None = None

    def _new_updater(self) -> Updater:
        return Updater(
            metadata_dir=str(self._metadata_dir),
            metadata_base_url=f"{self._base}/metadata/",
            target_base_url=f"{self._base}/targets/",
            target_dir=str(self.downloads_dir),
            fetcher=_RequestsFetcher(self._verify, f"HomeAgent/{self.current_version}"),
            config=UpdaterConfig(app_user_agent=f"HomeAgent/{self.current_version}"),
            bootstrap=self._bootstrap,
        )

    def check(self, policy: UpdatePolicy) -> CheckResult:
        """Refresh the signed metadata and choose; `UpdateError` if it cannot be trusted."""
        if not policy.enabled:  # no network at all when IT turned updates off
            return CheckResult(
                choose(
                    (),
                    policy=policy,
                    platform=self.platform,
                    current_version=self.current_version,
                    device_id=self.device_id,
                ),
                (),
            )
        try:
            updater = self._new_updater()
            updater.refresh()
            offers = self._offers(updater)
        except (tuf_errors.RepositoryError, tuf_errors.DownloadError, OSError, ValueError) as exc:
            self._updater = None
            raise UpdateError(explain(exc)) from exc
        self._updater = updater
        choice = choose(
            offers,
            policy=policy,
            platform=self.platform,
            current_version=self.current_version,
            device_id=self.device_id,
        )
        log.info("update check: %s", choice.reason)
        return CheckResult(choice, tuple(offers))

    def _offers(self, updater: Updater) -> list[Offer]:
        """Every well-formed HomeAgent target of the verified top-level targets."""
        # the names come from the targets.json ngclient just verified and cached; each
        # one's custom metadata is then read back through the verified metadata set
        cached = json.loads((self._metadata_dir / "targets.json").read_bytes())
        offers = []
        for name in sorted(cached["signed"]["targets"]):
            info = updater.get_targetinfo(name)
            if info is None:
                continue
            try:
                offers.append(offer_from_custom(name, info.custom))
            except OfferError as exc:
                log.warning("update repository: %s (ignored)", exc)
        return offers

    def _forget_others(self, keep: Path) -> None:
        """Older downloads are never installed again: only the newest file stays."""
        for old in self.downloads_dir.iterdir():
            if old != keep and old.is_file() and old.name.startswith("homeagent-"):
                old.unlink(missing_ok=True)

    def download(self, offer: Offer) -> Path:
        """The verified file of `offer` in the downloads folder (0600), fetched if needed.

        Call after `check()` (the same verified metadata). A file that fails verification
        is never left where an installer could pick it up.
        """
        updater = self._updater
        if updater is None:
            raise UpdateError("check for updates first: no verified metadata yet")
        try:
            info = updater.get_targetinfo(offer.path)
            if info is None:
                raise UpdateError(f"{offer.path} is no longer in the signed targets")
            final = self.downloads_dir / offer.path
            found = updater.find_cached_target(info, str(final))
            if found is not None:
                return Path(found)
            partial = self.downloads_dir / f".partial-{offer.path}"
            partial.unlink(missing_ok=True)
            try:
                updater.download_target(info, str(partial))
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            if os.name == "posix":
                partial.chmod(0o600)
            os.replace(partial, final)
            self._forget_others(final)
            return final
        except UpdateError:
            raise
        except (tuf_errors.RepositoryError, tuf_errors.DownloadError, OSError) as exc:
            raise UpdateError(explain(exc)) from exc
