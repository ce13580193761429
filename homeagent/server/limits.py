"""Operational limits of one server process, declared once with their defaults.

`homeagent-server run` exposes each field as an option (`--idempotency-ttl-s 3600`);
tests shorten the clocks the same way instead of sleeping for minutes.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """What one process allows; every duration is in seconds."""

    # Idempotency records are kept this long, then a reused key runs for real.
    idempotency_ttl_s: float = 24 * 3600.0
    # Open event streams per device: a new one closes the oldest.
    streams_per_device: int = 2
    # Events buffered for one stream; a stream further behind is closed (it replays).
    stream_queue_events: int = 1000
    # How often a live stream re-checks its token expiry and its device.
    stream_check_s: float = 15.0
    # Failed logins from one client address in `login_address_window_s`.
    login_address_limit: int = 50
    login_address_window_s: float = 60.0
    # Per account: failures allowed before a back-off, the first delay, its cap, and how
    # long failures are remembered. The agent's enrolled device (device_key) is exempt.
    login_free_failures: int = 5
    login_backoff_s: float = 30.0
    login_backoff_max_s: float = 900.0
    login_failure_memory_s: float = 3600.0
    # Slow clients: whole request head, then each body read; open connections at most.
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections: int = 1000
    # How often the time-based alerts (break, call, wrap-up, no break…) are evaluated;
    # 0 turns the timer off (changes are still evaluated as they happen).
    alert_scan_s: float = 5.0
    # Call-quality reports per agent: one per interval (a call's final report passes).
    call_quality_interval_s: float = 1.0
    # Diagnostics bundles (POST /agents/me/diagnostics): the largest zip taken, and how
    # many of them are kept per agent (the oldest go first).
    diagnostics_max_bytes: int = 8 * 1024 * 1024
    diagnostics_kept_per_agent: int = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One `--name` option per field, typed like its default."""
    for f in dataclasses.fields(Limits):
        default = f.default
        assert isinstance(default, int | float)
        parser.add_argument(
            "--" + f.name.replace("_", "-"),
            type=type(default),
            default=default,
            help=f"(default: {default})",
        )


def from_arguments(args: argparse.Namespace) -> Limits:
    return Limits(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Limits)})
