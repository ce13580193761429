"""The lead side's one-time supervision tokens (pure Python, clock injected).

docs/supervision-contract.md, "Lead side": an INVITE carrying ``X-HomeAgent-Supervision``
is answered only when its token was armed by ``ExpectSupervision`` less than 30 s ago and
never used. A token not armed (yet) is held up to 2 s, since the agent's stream event can
beat the POST answer that arms it; a used or expired token is refused at once.

Only SHA-256 digests of tokens are kept, and no token ever reaches a log or an event.
"""

from __future__ import annotations

import collections
import enum
import hashlib
import re
from dataclasses import dataclass

__all__ = [
    "ARM_TTL_S",
    "WAIT_FOR_ARM_S",
    "Check",
    "TokenBook",
    "Verdict",
    "is_token",
]

ARM_TTL_S = 30.0
WAIT_FOR_ARM_S = 2.0
DEAD_MEMORY = 1024  # used/expired digests remembered (a replay is refused at once)
# secrets.token_urlsafe(32) is 43 characters; a header value must carry nothing else
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")


def is_token(value: str) -> bool:
    """True if `value` has the shape of a session token (nothing to inject into SIP)."""
    return bool(_TOKEN.fullmatch(value))


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


class Verdict(enum.Enum):
    ACCEPT = "accept"
    WAIT = "wait"  # unknown for now: ask again on a later turn
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class Check:
    """The fate of a supervision INVITE's token; `reason` is safe to log (no token)."""

    verdict: Verdict
    session_id: int | None = None
    reason: str = ""


@dataclass(slots=True)
class _Armed:
    session_id: int
    armed_at_s: float


class TokenBook:
    """Tokens armed by the lead's app, and the ones already used or expired."""

    def __init__(
        self,
        ttl_s: float = ARM_TTL_S,
        wait_s: float = WAIT_FOR_ARM_S,
        dead_memory: int = DEAD_MEMORY,
    ) -> None:
        self.ttl_s = ttl_s
        self.wait_s = wait_s
        self._armed: dict[bytes, _Armed] = {}
        self._dead: collections.OrderedDict[bytes, str] = collections.OrderedDict()
        self._dead_memory = dead_memory

    def arm(self, session_id: int, token: str, now_s: float) -> None:
        """Arm `token` for `session_id` (ValueError if it is not token-shaped).

        Arming a used or expired token again does nothing: it stays refused."""
        if not is_token(token):
            raise ValueError("not a supervision token")
        digest = _digest(token)
        if digest in self._dead:
            return
        self._armed[digest] = _Armed(session_id, now_s)

    def disarm(self, session_id: int) -> bool:
        """Forget the session's armed token (the lead stopped before the leg came)."""
        for digest, armed in list(self._armed.items()):
            if armed.session_id == session_id:
                del self._armed[digest]
                self._bury(digest, "token withdrawn")
                return True
        return False

    def armed_session(self, session_id: int) -> bool:
        return any(a.session_id == session_id for a in self._armed.values())

    def check(self, token: str | None, first_seen_s: float, now_s: float) -> Check:
        """Decide on a token carried by an INVITE first seen at `first_seen_s`.

        ACCEPT uses the token up: the same token is refused from then on."""
        self.expire(now_s)
        if not token or not is_token(token):
            return Check(Verdict.REFUSE, reason="malformed token")
        digest = _digest(token)
        dead = self._dead.get(digest)
        if dead is not None:
            return Check(Verdict.REFUSE, reason=dead)
        armed = self._armed.pop(digest, None)
        if armed is not None:
            self._bury(digest, "token already used")
            return Check(Verdict.ACCEPT, session_id=armed.session_id)
        if now_s - first_seen_s < self.wait_s:
            return Check(Verdict.WAIT)
        return Check(Verdict.REFUSE, reason="unknown token")

    def expire(self, now_s: float) -> None:
        """Tokens armed more than `ttl_s` ago and never used are refused from now on."""
        for digest, armed in list(self._armed.items()):
            if now_s - armed.armed_at_s > self.ttl_s:
                del self._armed[digest]
                self._bury(digest, "token expired")

    def _bury(self, digest: bytes, reason: str) -> None:
        self._dead[digest] = reason
        self._dead.move_to_end(digest)
        while len(self._dead) > self._dead_memory:
            self._dead.popitem(last=False)
