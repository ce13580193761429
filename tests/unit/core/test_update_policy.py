"""IT's update policy file, the signed offers, the staged rollout and the policy's choice."""

from __future__ import annotations

import datetime as dt

import pytest

from homeagent.core.update_policy import (
    InstallWindow,
    Offer,
    OfferError,
    PolicyError,
    UpdatePolicy,
    choose,
    in_rollout,
    offer_from_custom,
    parse_policy,
    rollout_bucket,
)


def test_a_full_policy_is_read() -> None:
    p = parse_policy(
        b'{"updates": "on", "channel": "pilot", "pinned_version": "0.2.0", "install": '
        b'"at-restart", "install_window": "22:00-06:30", "repository_url": "https://u.example/r"}'
    )
    assert p == UpdatePolicy(
        enabled=True,
        channel="pilot",
        pinned_version="0.2.0",
        install="at-restart",
        window=InstallWindow(dt.time(22, 0), dt.time(6, 30)),
        repository_url="https://u.example/r",
    )


def test_an_empty_policy_means_the_defaults() -> None:
    assert parse_policy("{}") == UpdatePolicy()
    assert parse_policy('{"updates": "off"}').enabled is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "expected a JSON object, got list"),
        ('{"update": "off"}', "unknown key 'update'"),
        ('{"updates": false}', "updates must be one of on, off, got False"),
        ('{"channel": "beta"}', "channel must be one of stable, pilot, got 'beta'"),
        ('{"install": "now"}', "install must be one of ask, at-restart"),
        ('{"pinned_version": "latest"}', "pinned_version must be a version like"),
        ('{"pinned_version": 2}', "pinned_version must be a version like"),
        ('{"install_window": "9:00-17:00"}', 'install_window must be "HH:MM-HH:MM"'),
        ('{"install_window": "12:00-24:00"}', 'install_window must be "HH:MM-HH:MM"'),
        ('{"install_window": "12:00-12:00"}', "is empty"),
        ('{"repository_url": "http://updates.example"}', "https:// URL (http:// only on loopback)"),
        ('{"repository_url": "http://127.0.0.1.evil/"}', "https:// URL"),
    ],
)
def test_a_bad_policy_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=r"update-policy\.json: ") as info:
        parse_policy(text)
    assert message in str(info.value)


def test_loopback_http_is_allowed_for_a_local_repository() -> None:
    assert parse_policy('{"repository_url": "http://127.0.0.1:8080/updates"}').repository_url


def test_the_install_window_may_cross_midnight() -> None:
    night = InstallWindow(dt.time(22, 0), dt.time(6, 0))
    assert night.contains(dt.time(23, 30))
    assert night.contains(dt.time(5, 59))
    assert not night.contains(dt.time(6, 0))
    assert not night.contains(dt.time(12, 0))
    lunch = InstallWindow(dt.time(12, 0), dt.time(14, 0))
    assert lunch.contains(dt.time(12, 0))
    assert not lunch.contains(dt.time(14, 0))


def _offer(version: str, channels: tuple[str, ...] = ("stable",), rollout: int = 100) -> Offer:
    return Offer(f"homeagent-{version}-linux-x86_64.tar.gz", version, "linux-x86_64", channels,
                 rollout)  # fmt: skip


def _choose(offers: list[Offer], policy: UpdatePolicy, current: str = "0.1.0",
            device: str = "d1") -> str | None:  # fmt: skip
    got = choose(offers, policy=policy, platform="linux-x86_64", current_version=current,
                 device_id=device).offer  # fmt: skip
    return got.version if got else None


def test_the_newest_allowed_version_is_chosen_never_an_older_one() -> None:
    offers = [_offer("0.2.0"), _offer("0.10.0"), _offer("0.9.1")]
    assert _choose(offers, UpdatePolicy()) == "0.10.0"  # numeric, not text, order
    assert _choose(offers, UpdatePolicy(), current="0.10.0") is None
    assert _choose([_offer("0.0.9")], UpdatePolicy()) is None  # a signed older one: no


def test_channels_pinning_and_off() -> None:
    offers = [_offer("0.2.0"), _offer("0.3.0", ("pilot",))]
    assert _choose(offers, UpdatePolicy(channel="stable")) == "0.2.0"
    assert _choose(offers, UpdatePolicy(channel="pilot")) == "0.3.0"
    assert _choose(offers, UpdatePolicy(pinned_version="0.2.0", channel="pilot")) == "0.2.0"
    assert _choose(offers, UpdatePolicy(pinned_version="0.2.0"), current="0.2.0") is None
    off = choose(offers, policy=UpdatePolicy(enabled=False), platform="linux-x86_64",
                 current_version="0.1.0", device_id="d1")  # fmt: skip
    assert off.offer is None
    assert "turned off" in off.reason
    other = Offer("homeagent-0.5.0-macos.pkg", "0.5.0", "macos", ("stable",), 100)
    assert _choose([other], UpdatePolicy()) is None


def test_the_rollout_draw_is_stable_spread_and_per_version() -> None:
    ids = [f"device-{i}" for i in range(2000)]
    buckets = [rollout_bucket(d, "0.2.0") for d in ids]
    assert buckets == [rollout_bucket(d, "0.2.0") for d in ids]  # the same every time
    share = sum(b < 25 for b in buckets) / len(ids)
    assert 0.21 < share < 0.29
    assert buckets != [rollout_bucket(d, "0.3.0") for d in ids]  # another draw per version
    in_10 = {d for d in ids if in_rollout(d, _offer("0.2.0", rollout=10))}
    in_50 = {d for d in ids if in_rollout(d, _offer("0.2.0", rollout=50))}
    assert in_10 < in_50  # growing the percentage keeps the first devices in
    assert not any(in_rollout(d, _offer("0.2.0", rollout=0)) for d in ids)


def test_a_device_outside_the_newest_rollout_takes_the_previous_one() -> None:
    device = next(d for d in (f"x{i}" for i in range(100)) if rollout_bucket(d, "0.3.0") >= 10)
    offers = [_offer("0.2.0"), _offer("0.3.0", rollout=10)]
    result = choose(offers, policy=UpdatePolicy(), platform="linux-x86_64",
                    current_version="0.2.0", device_id=device)  # fmt: skip
    assert result.offer is None
    assert "not in it yet" in result.reason
    assert _choose(offers, UpdatePolicy(), device=device) == "0.2.0"


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        (None, "no 'homeagent' custom metadata"),
        ({"homeagent": {"version": "x", "platform": "linux-x86_64"}}, "not a version"),
        ({"homeagent": {"version": "0.2.0", "platform": "amiga"}}, "unknown platform"),
        (
            {
                "homeagent": {
                    "version": "0.3.0",
                    "platform": "linux-x86_64",
                    "channels": ["stable"],
                    "rollout_percent": 5,
                }
            },
            "does not match",
        ),
        (
            {
                "homeagent": {
                    "version": "0.2.0",
                    "platform": "linux-x86_64",
                    "channels": [],
                    "rollout_percent": 5,
                }
            },
            "channels must be",
        ),
        (
            {
                "homeagent": {
                    "version": "0.2.0",
                    "platform": "linux-x86_64",
                    "channels": ["stable"],
                    "rollout_percent": 101,
                }
            },
            "rollout_percent must be",
        ),
        (
            {
                "homeagent": {
                    "version": "0.2.0",
                    "platform": "linux-x86_64",
                    "channels": ["stable"],
                    "rollout_percent": True,
                }
            },
            "rollout_percent must be",
        ),
    ],
)
def test_bad_signed_custom_metadata_is_named(custom: object, message: str) -> None:
    with pytest.raises(OfferError, match=message):
        offer_from_custom("homeagent-0.2.0-linux-x86_64.tar.gz", custom)
