from __future__ import annotations

import pytest

from homeagent.crm.phones import e164_prefix, to_e164


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("+33 1 23 45 67 89", "FR", "+33123456789"),
        ("0033123456789", "FR", "+33123456789"),
        ("06.12.34.56.78", "FR", "+33612345678"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("+1 (202) 555-0143", "FR", "+12025550143"),
        ("12", "FR", None),
        ("hello", "FR", None),
        ("", "FR", None),
    ],
)
def test_to_e164(text: str, region: str, expected: str | None) -> None:
    assert to_e164(text, region) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("06 12", "+33612"), ("+44 20", "+4420"), ("0044 20", "+4420"), ("06", None), ("dup", None)],
)
def test_e164_prefix(text: str, expected: str | None) -> None:
    assert e164_prefix(text, "FR") == expected
