"""IT's update policy, the signed offers of the repository, and which one this device takes.

Pure Python: the TUF client (`homeagent.update`) reads and verifies; this module decides.

The policy file (`update-policy.json` in the system configuration directory) is strict
JSON with only these keys, each optional::

    {"updates": "on", "channel": "stable", "pinned_version": null,
     "install": "ask", "install_window": "12:00-14:00"}

`repository_url` where the organisation's TUF repository is hosted (https://, or http://
on loopback only; default: the server's `/updates`); `updates` on|off; `channel`
stable|pilot (a pilot device also takes stable versions); `pinned_version` a version to
stay on (never newer, never another); `install` "ask" (the agent chooses "Install now" or
"At restart") or "at-restart" (no question: installed when the app quits);
`install_window` "HH:MM-HH:MM" local time (may cross midnight; null: any time).
Anything else (unknown key, wrong type, bad value) is one `PolicyError` naming it.

A staged rollout is the target's signed `rollout_percent`: a device takes the version when
`int(sha256(device_id + version)) mod 100 < rollout_percent`, so the same devices stay in
as the percentage grows and each version draws a different set.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

CHANNELS = ("stable", "pilot")
INSTALL_MODES = ("ask", "at-restart")
PLATFORMS = {"linux-x86_64": "tar.gz", "windows-x86_64": "msi", "macos": "pkg"}
MAX_POLICY_BYTES = 64_000

_VERSION = re.compile(r"^(\d{1,6})\.(\d{1,6})\.(\d{1,6})$")
_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_KEYS = {"updates", "channel", "pinned_version", "install", "install_window", "repository_url"}
_LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")


class PolicyError(ValueError):
    """The update policy file is not valid; the message says what and where."""


class OfferError(ValueError):
    """A target's signed custom metadata is not what HomeAgent publishes."""


def parse_version(text: str) -> tuple[int, int, int]:
    """ "1.2.3" → (1, 2, 3); anything else raises ValueError."""
    m = _VERSION.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"not a version (MAJOR.MINOR.PATCH): {text!r}")
    return int(m[1]), int(m[2]), int(m[3])


@dataclass(frozen=True, slots=True)
class InstallWindow:
    """Local times between which an update may be installed (may cross midnight)."""

    start: dt.time
    end: dt.time

    def contains(self, at: dt.time) -> bool:
        """Whether `at` falls in the window (start included, end excluded)."""
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class UpdatePolicy:
    """What IT allows (defaults: updates on, stable channel, the agent is asked)."""

    enabled: bool = True
    channel: str = "stable"
    pinned_version: str | None = None
    install: str = "ask"
    window: InstallWindow | None = None
    repository_url: str | None = None

    def allows_channel(self, channels: Iterable[str]) -> bool:
        """A pilot device takes pilot and stable versions; a stable one only stable."""
        wanted = {"stable", "pilot"} if self.channel == "pilot" else {"stable"}
        return bool(wanted & set(channels))


def parse_policy(data: bytes | str, where: str = "update-policy.json") -> UpdatePolicy:
    """The policy from the file's bytes; `PolicyError` naming the first problem."""
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"{where}: larger than {MAX_POLICY_BYTES} bytes")
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a JSON object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise PolicyError(
            f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_KEYS))})"
        )
    updates = _choice(raw, "updates", ("on", "off"), "on", where)
    channel = _choice(raw, "channel", CHANNELS, "stable", where)
    install = _choice(raw, "install", INSTALL_MODES, "ask", where)
    pinned = raw.get("pinned_version")
    if pinned is not None:
        try:
            parse_version(pinned)
        except ValueError:
            raise PolicyError(
                f'{where}: pinned_version must be a version like "0.2.0" or null, got {pinned!r}'
            ) from None
    window = raw.get("install_window")
    url = raw.get("repository_url")
    if url is not None and (
        not isinstance(url, str) or not (url.startswith("https://") or _LOOPBACK.match(url))
    ):
        raise PolicyError(
            f"{where}: repository_url must be an https:// URL (http:// only on loopback), "
            f"got {url!r}"
        )
    return UpdatePolicy(
        enabled=updates == "on",
        channel=channel,
        pinned_version=pinned,
        install=install,
        window=None if window is None else _window(window, where),
        repository_url=url,
    )


def _choice(
    raw: dict[str, object], key: str, allowed: tuple[str, ...], default: str, where: str
) -> str:
    value = raw.get(key, default)
    if value not in allowed:
        raise PolicyError(f"{where}: {key} must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _window(value: object, where: str) -> InstallWindow:
    m = _WINDOW.match(value) if isinstance(value, str) else None
    if m is None:
        raise PolicyError(
            f'{where}: install_window must be "HH:MM-HH:MM" (24 h) or null, got {value!r}'
        )
    start, end = dt.time(int(m[1]), int(m[2])), dt.time(int(m[3]), int(m[4]))
    if start == end:
        raise PolicyError(f"{where}: install_window {value!r} is empty (start equals end)")
    return InstallWindow(start, end)


@dataclass(frozen=True, slots=True)
class Offer:
    """One signed target: a version of the app for one platform, and who may take it."""

    path: str  # the target's name in the repository: homeagent-<version>-<platform>.<ext>
    version: str
    platform: str
    channels: tuple[str, ...]
    rollout_percent: int

    @property
    def version_key(self) -> tuple[int, int, int]:
        return parse_version(self.version)


def offer_from_custom(path: str, custom: object) -> Offer:
    """The `Offer` of a target from its signed `custom` metadata (`{"homeagent": {…}}`)."""
    info = custom.get("homeagent") if isinstance(custom, dict) else None
    if not isinstance(info, dict):
        raise OfferError(f"{path}: no 'homeagent' custom metadata")
    version, platform = info.get("version"), info.get("platform")
    channels, rollout = info.get("channels"), info.get("rollout_percent")
    try:
        parse_version(str(version))
    except ValueError as exc:
        raise OfferError(f"{path}: {exc}") from None
    if platform not in PLATFORMS:
        raise OfferError(f"{path}: unknown platform {platform!r}")
    if path != target_name(str(version), str(platform)):
        raise OfferError(f"{path}: the name does not match version {version} / {platform}")
    if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
        raise OfferError(f"{path}: channels must be a non-empty list of {CHANNELS}")
    if not isinstance(rollout, int) or isinstance(rollout, bool) or not 0 <= rollout <= 100:
        raise OfferError(f"{path}: rollout_percent must be an integer 0-100, got {rollout!r}")
    return Offer(path, str(version), str(platform), tuple(channels), rollout)


def target_name(version: str, platform: str) -> str:
    """homeagent-<version>-<platform>.<ext> (DESIGN.md's shared naming)."""
    return f"homeagent-{version}-{platform}.{PLATFORMS[platform]}"


def rollout_bucket(device_id: str, version: str) -> int:
    """0-99: where this device falls for this version's staged rollout."""
    digest = hashlib.sha256(f"{device_id}{version}".encode()).digest()
    return int.from_bytes(digest, "big") % 100


def in_rollout(device_id: str, offer: Offer) -> bool:
    """Whether this device is among the first `rollout_percent` % for this version."""
    return rollout_bucket(device_id, offer.version) < offer.rollout_percent


@dataclass(frozen=True, slots=True)
class Choice:
    """What the policy made of the offers: the one to take (or None) and why."""

    offer: Offer | None
    reason: str


def choose(
    offers: Iterable[Offer],
    *,
    policy: UpdatePolicy,
    platform: str,
    current_version: str,
    device_id: str,
) -> Choice:
    """The newest offer this device may take, newer than `current_version`.

    Never an older or equal version (a signed but older target is a rollback); a pinned
    device takes its pinned version only, and only if newer than the running one.
    """
    if not policy.enabled:
        return Choice(None, "updates are turned off by the policy")
    current = parse_version(current_version)
    mine = [o for o in offers if o.platform == platform]
    if policy.pinned_version is not None:
        mine = [o for o in mine if o.version == policy.pinned_version]
    else:
        mine = [o for o in mine if policy.allows_channel(o.channels)]
    newer = sorted((o for o in mine if o.version_key > current), key=lambda o: o.version_key)
    if not newer:
        pinned = f" (pinned to {policy.pinned_version})" if policy.pinned_version else ""
        return Choice(
            None, f"{current_version} is up to date on the {policy.channel} channel{pinned}"
        )
    for offer in reversed(newer):
        if in_rollout(device_id, offer):
            return Choice(offer, f"{offer.version} is available")
    return Choice(None, f"{newer[-1].version} is rolling out; this device is not in it yet")
