"""The simulated agents' shift script: what an agent does next, drawn from a seeded RNG.

Pure decisions, no I/O: the team process (`homeagent.demo.team`) asks and then acts
through the server and SIP. One :class:`ShiftScript` per agent, seeded from the demo's
seed and the agent's position, so a demo run with the same seed makes the same choices
(the timing of the calls themselves still depends on the customers and the ACD).

`pace` scales every duration (1.0: a believable shift; the e2e test uses a fast one).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

# How often things happen (per call, or per decision point)
RONA_CHANCE = 0.08  # the agent lets a queue call ring out (away from the desk, on the phone)
AGENT_HANGS_UP_CHANCE = 0.4  # else the customer ends the call
BREAK_AFTER_CALL_CHANCE = 0.12
HELP_DURING_CALL_CHANCE = 0.06
MESSAGE_TO_LEAD_CHANCE = 0.03  # after a wrap-up

RING_S = (1.0, 6.0)
TALK_S = (20.0, 90.0)
WRAP_UP_S = (6.0, 30.0)
MISSED_RECOVERY_S = (10.0, 40.0)  # Not ready "missed" before going back Available
READ_DELAY_S = (2.0, 15.0)  # a lead's message: delivered, then read after this long
ACK_DELAY_S = (2.0, 10.0)  # an urgent one: acknowledged this long after reading
# Break lengths by pause reason (a demo day is short: minutes, not the real quarter hours)
BREAK_S = {
    "déjeuner": (120.0, 360.0),
    "pause café": (40.0, 150.0),
    "formation": (90.0, 240.0),
    "réunion": (60.0, 200.0),
}
OTHER_BREAK_S = (45.0, 180.0)
SIGNED_OUT_S = (60.0, 180.0)
# Reasons the agents pick (weights): coffee far more often than lunch
BREAK_WEIGHTS = {"pause café": 6.0, "réunion": 1.5, "formation": 1.0, "déjeuner": 1.0}
# Dispositions (weights by code); unknown codes of a team get weight 1
DISPOSITION_WEIGHTS = {"resolved": 7.0, "callback": 2.0, "escalated": 1.0, "wrong_number": 0.3}

NOTES = (
    "Client informé, demande traitée.",
    "Facture expliquée, aucun litige.",
    "Changement d'adresse enregistré.",
    "Rappel souhaité en fin de journée.",
    "Dossier transmis au niveau 2.",
    "Question sur l'offre fibre, brochure envoyée.",
    "Mot de passe de l'espace client réinitialisé.",
)
HELP_TEXTS = (
    "Client mécontent, il demande un geste commercial.",
    "Question technique sur la box, je ne trouve pas la procédure.",
    "Le client veut parler à un responsable.",
)
LEAD_MESSAGES = (
    "Je dois partir 10 minutes plus tôt ce soir, est-ce possible ?",
    "Le client de tout à l'heure va rappeler, je le note.",
    "L'outil de facturation est très lent depuis ce matin.",
)


@dataclass(frozen=True, slots=True)
class Break:
    """A break the agent takes: one of the team's pause reasons, for this long."""

    reason: str
    duration_s: float


@dataclass(frozen=True, slots=True)
class CallPlan:
    """How the agent will handle one offered call."""

    ring_s: float | None  # answer after this long; None: never (the ACD's RONA ends it)
    talk_s: float  # the agent hangs up after this long, unless the customer does first
    agent_hangs_up: bool
    asks_help: bool


class ShiftScript:
    """One agent's decisions. Every method draws from the agent's own RNG."""

    def __init__(
        self,
        rng: random.Random,
        *,
        pause_reasons: Sequence[str],
        dispositions: Sequence[str],
        pace: float = 1.0,
    ) -> None:
        if not 0.01 <= pace <= 10.0:
            raise ValueError("pace must be between 0.01 and 10")
        if not dispositions:
            raise ValueError("the team has no disposition to wrap calls up with")
        self._rng = rng
        self.pause_reasons = tuple(pause_reasons)
        self.dispositions = tuple(dispositions)
        self.pace = pace

    @classmethod
    def for_agent(
        cls,
        seed: int,
        index: int,
        *,
        pause_reasons: Sequence[str],
        dispositions: Sequence[str],
        pace: float = 1.0,
    ) -> ShiftScript:
        """The script of the `index`-th simulated agent of a demo seeded with `seed`."""
        rng = random.Random(seed * 1000 + index)  # noqa: S311 - demo behaviour, not secrets
        return cls(rng, pause_reasons=pause_reasons, dispositions=dispositions, pace=pace)

    def _between(self, bounds: tuple[float, float]) -> float:
        return self._rng.uniform(*bounds) * self.pace

    def offered(self) -> CallPlan:
        """An ACD call rings: when (or whether) to answer, how long to talk."""
        ring = None if self._rng.random() < RONA_CHANCE else self._rng.uniform(*RING_S)
        return CallPlan(
            ring_s=ring,  # ringing is the ACD's clock (RONA), not scaled
            talk_s=self._between(TALK_S),
            agent_hangs_up=self._rng.random() < AGENT_HANGS_UP_CHANCE,
            asks_help=self._rng.random() < HELP_DURING_CALL_CHANCE,
        )

    def customer_talk_s(self) -> float:
        """How long a customer talks before hanging up (the customers' side)."""
        return self._between(TALK_S)

    def wrap_up_s(self) -> float:
        """Time spent in wrap-up after a call."""
        return self._between(WRAP_UP_S)

    def disposition(self) -> str:
        """One of the team's disposition codes."""
        weights = [DISPOSITION_WEIGHTS.get(code, 1.0) for code in self.dispositions]
        return self._rng.choices(self.dispositions, weights=weights)[0]

    def notes(self) -> str:
        """Wrap-up notes."""
        return self._rng.choice(NOTES)

    def help_text(self) -> str:
        """What the agent asks the lead."""
        return self._rng.choice(HELP_TEXTS)

    def after_wrap_up(self) -> Break | None:
        """After a call: a break now and then (None: back to Available)."""
        if not self.pause_reasons or self._rng.random() >= BREAK_AFTER_CALL_CHANCE:
            return None
        return self.a_break()

    def a_break(self) -> Break:
        """A break with one of the team's pause reasons."""
        if not self.pause_reasons:
            raise ValueError("the team has no pause reason")
        weights = [BREAK_WEIGHTS.get(r.lower(), 1.0) for r in self.pause_reasons]
        reason = self._rng.choices(self.pause_reasons, weights=weights)[0]
        return Break(reason, self.break_s(reason))

    def break_s(self, reason: str) -> float:
        """How long a break with `reason` lasts (also one the lead asked for)."""
        return self._between(BREAK_S.get(reason.lower(), OTHER_BREAK_S))

    def signed_out_s(self) -> float:
        """Signed out by the lead: back this long later (a demo agent always returns)."""
        return self._between(SIGNED_OUT_S)

    def message_to_lead(self) -> str | None:
        """After a wrap-up, now and then, a message to the team lead."""
        if self._rng.random() >= MESSAGE_TO_LEAD_CHANCE:
            return None
        return self._rng.choice(LEAD_MESSAGES)

    def missed_recovery_s(self) -> float:
        """Not ready "missed" this long before the agent is back Available."""
        return self._between(MISSED_RECOVERY_S)

    def read_delay_s(self) -> float:
        """A lead's message is read this long after it was delivered."""
        return self._between(READ_DELAY_S)

    def ack_delay_s(self) -> float:
        """An urgent message is acknowledged this long after it was read."""
        return self._between(ACK_DELAY_S)

    def first_available_s(self) -> float:
        """The agent signs in this long after the team process starts (staggered)."""
        return self._rng.uniform(0.0, 4.0) * min(self.pace, 1.0)


def call_rate_per_s(team_size: int, pace: float = 1.0, occupancy: float = 0.75) -> float:
    """Customer calls per second that keep `team_size` agents about `occupancy` busy.

    A call takes ring + talk + wrap-up: the customers' and the agents' talk times are both
    drawn from TALK_S and the shorter one ends the call (the mean of the minimum of two
    uniforms on [a, b] is a + (b - a) / 3)."""
    if team_size < 1:
        raise ValueError("an empty team takes no calls")
    a, b = TALK_S
    talk = a + (b - a) / 3
    handle_s = sum(RING_S) / 2 + (talk + sum(WRAP_UP_S) / 2) * pace
    return occupancy * team_size / handle_s


def max_parallel_calls(team_size: int) -> int:
    """At most this many customers on the line at once (one more than the team, plus the
    demo agent's desk): bounded whatever the rate."""
    return team_size + 2
