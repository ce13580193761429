"""Numbers as the agent reads them (item 5): national for the agent's region,
international for any other, anything else unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from homeagent.ui.qt import phone_format
from homeagent.ui.qt.phone_format import format_number, home_region, set_home_region


@pytest.fixture(autouse=True)
def _region() -> Iterator[None]:
    yield
    set_home_region(phone_format.DEFAULT_REGION)


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+33770392240", "07 70 39 22 40"),
        ("0612345678", "06 12 34 56 78"),
        ("33612345678", "06 12 34 56 78"),  # the country code without its "+"
        ("+442079460958", "+44 20 7946 0958"),
        ("+1 650 253 0000", "+1 650-253-0000"),
        ("1001", "1001"),  # an extension
        ("anonymous", "anonymous"),
        ("", ""),
    ],
)
def test_french_agent(number: str, shown: str) -> None:
    assert format_number(number) == shown


def test_the_region_comes_from_the_profile() -> None:
    set_home_region("gb")
    assert home_region() == "GB"
    assert format_number("+442079460958") == "020 7946 0958"
    assert format_number("+33770392240") == "+33 7 70 39 22 40"
    set_home_region("XX")  # an unknown region keeps the last good one
    assert home_region() == "GB"
