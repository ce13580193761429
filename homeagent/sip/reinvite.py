"""When to send a refused hold / resume re-INVITE again (pure; unit-tested without pjsua2).

pjsua sends a hold or resume re-INVITE once; a refusal leaves the call as it was, so an
agent who pressed Resume would leave the customer on hold without knowing. Two refusals
are transient and RFC 3261 says when to try again:

- 491 Request Pending (glare: both sides sent a re-INVITE at once, §14.1): after a random
  2.1-4 s when we sent the dialog's first INVITE (we own its Call-ID), 0-2 s otherwise;
- 500 / 503 with ``Retry-After`` (§14.2: the far end has not yet seen the ACK of the
  previous one, e.g. the ACK and the new re-INVITE crossed in the proxy): after that delay.

Anything else (488, 408, a 500 without Retry-After, a Retry-After beyond
:data:`MAX_RETRY_AFTER_S`) is final and reported; so is the refusal after
:data:`MAX_TRIES` sends.
"""

from __future__ import annotations

import random
import re

MAX_TRIES = 3
MAX_RETRY_AFTER_S = 10.0
_RETRY_AFTER = re.compile(r"^Retry-After[ \t]*:[ \t]*(\d{1,6})(?!\d)", re.I | re.M)


def retry_after_s(whole_msg: str) -> float | None:
    """The Retry-After delta-seconds of a SIP response, or None."""
    found = _RETRY_AFTER.search(whole_msg.split("\r\n\r\n", 1)[0].split("\n\n", 1)[0])
    return float(found.group(1)) if found else None


def retry_delay_s(
    code: int,
    retry_after: float | None,
    *,
    owns_call_id: bool,
    tries: int,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds to wait before sending the re-INVITE again, or None to give up.

    `tries` counts the sends so far (1 after the first refusal).
    """
    if tries >= MAX_TRIES:
        return None
    if code == 491:
        r = rng or random
        return r.uniform(2.1, 4.0) if owns_call_id else r.uniform(0.0, 2.0)
    if code in (500, 503) and retry_after is not None and retry_after <= MAX_RETRY_AFTER_S:
        return retry_after
    return None
