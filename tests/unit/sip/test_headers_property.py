"""The INVITE parser over the fuzzer's mutated INVITEs: never raises, facts are clean text.

The same generator as tests/integration/sip/test_fuzz_invites.py, without the network: the
text goes the way pjsua2 hands it over (UTF-8 with surrogateescape), then through the
engine boundary (clean_text) and parse_invite.
"""

from __future__ import annotations

import dataclasses
import itertools

from hypothesis import HealthCheck, given, settings

from homeagent.core.text import clean_text, is_clean
from homeagent.sip.headers import parse_invite
from tests.integration.sip.invite_mutations import mutated_invites, render

_numbers = itertools.count()


@settings(
    max_examples=2000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(mutated_invites())
def test_parse_invite_of_mutated_invites(parts: dict[str, object]) -> None:
    raw = render(parts, 5060, 5070, next(_numbers))
    facts = parse_invite(clean_text(raw.decode("utf-8", errors="surrogateescape")))
    for f in dataclasses.fields(facts):
        value = getattr(facts, f.name)
        if isinstance(value, str):
            assert is_clean(value), (f.name, value)
            assert len(value) <= 512
    for name, value in facts.headers.items():
        assert is_clean(name)
        assert is_clean(value)
