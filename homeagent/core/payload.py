"""The strict reader every typed server record is parsed with (`homeagent.core.records`,
`lead_records`, `lead_comms`, `supervision`, `slots`).

`Fields` reads the fields of one JSON object of a route and `parse_items` a list of them;
each read checks the type and the range the API states and raises `MalformedPayload`
naming the route and the field (never the value). The bounds every parser shares
(`MAX_COUNT`, `MAX_SECONDS`, …) live here too. The rules themselves are stated in
`homeagent.core.records`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TypeVar


class MalformedPayload(ValueError):
    """The server's answer does not have the shape the API promises (docs/api.md).

    Names the route and the field and says what was wrong, never the value (it may be a
    customer's name or number). The desk logs it at WARNING and shows the part as
    degraded; it never guesses a default."""

    def __init__(self, route: str, field: str, problem: str) -> None:
        super().__init__(f"{route}: {field}: {problem}")
        self.route = route
        self.field = field
        self.problem = problem


T = TypeVar("T")

MAX_COUNT = 10**9  # counts and ids: far above any real day or table
MAX_SECONDS = 10**9  # durations (~31 years)
MAX_DAY_SECONDS = 86_400  # team settings (wrap-up, auto-answer) fit in a day
MAX_MESSAGE_ID = 2**63 - 1  # the server's integer key
_YEARS = (1970, 2200)  # the server's own bounds for a moment


def kind_of(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "list", str: "str", bool: "bool", int: "int"}.get(
        type(value), type(value).__name__
    )


class Fields:
    """Reads the fields of one JSON object of `route`; `where` is its path in the answer."""

    def __init__(self, route: str, value: object, where: str) -> None:
        if not isinstance(value, Mapping):
            raise MalformedPayload(
                route, where or "(answer)", f"expected an object, got {kind_of(value)}"
            )
        self.route = route
        self.where = where
        self._obj: Mapping[str, object] = value

    def path(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def fail(self, name: str, problem: str) -> MalformedPayload:
        return MalformedPayload(self.route, self.path(name), problem)

    def has(self, name: str) -> bool:
        """Whether the object carries `name` (for the fields a newer server added)."""
        return name in self._obj

    def raw(self, name: str) -> object:
        if name not in self._obj:
            raise self.fail(name, "missing")
        return self._obj[name]

    def text(self, name: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str):
            raise self.fail(name, f"expected a string, got {kind_of(value)}")
        return value

    def text_or_none(self, name: str) -> str | None:
        return None if self.raw(name) is None else self.text(name)

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.text(name)
        if value not in choices:
            raise self.fail(name, f"not one of {', '.join(choices)}")
        return value

    def integer(self, name: str, low: int, high: int) -> int:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"expected an integer, got {kind_of(value)}")
        if not low <= value <= high:
            raise self.fail(name, f"out of range ({low}..{high})")
        return value

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if not isinstance(value, bool):
            raise self.fail(name, f"expected a bool, got {kind_of(value)}")
        return value

    def moment(self, name: str) -> dt.datetime:
        text = self.text(name)
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise self.fail(name, "not an ISO-8601 time") from None
        if value.tzinfo is None or value.utcoffset() is None:
            raise self.fail(name, "an ISO-8601 time without a timezone")
        if not _YEARS[0] <= value.year <= _YEARS[1]:
            raise self.fail(name, f"out of range (years {_YEARS[0]}..{_YEARS[1]})")
        return value.astimezone(dt.UTC)

    def number(self, name: str, low: float, high: float) -> float:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"expected a number, got {kind_of(value)}")
        if not low <= value <= high:
            raise self.fail(name, f"out of range ({low}..{high})")
        return float(value)

    def moment_or_none(self, name: str) -> dt.datetime | None:
        return None if self.raw(name) is None else self.moment(name)

    def day(self, name: str) -> dt.date:
        text = self.text(name)
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise self.fail(name, "not an ISO-8601 day (YYYY-MM-DD)") from None
        if not _YEARS[0] <= value.year <= _YEARS[1]:
            raise self.fail(name, f"out of range (years {_YEARS[0]}..{_YEARS[1]})")
        return value

    def child(self, name: str) -> Fields:
        return Fields(self.route, self.raw(name), self.path(name))

    def child_or_none(self, name: str) -> Fields | None:
        return None if self.raw(name) is None else self.child(name)

    def items(self, name: str, parse: Callable[[Fields], T]) -> tuple[T, ...]:
        return parse_items(self.route, self.raw(name), self.path(name), parse)

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.raw(name)
        if not isinstance(value, list):
            raise self.fail(name, f"expected a list, got {kind_of(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise MalformedPayload(
                    self.route, f"{self.path(name)}[{i}]", f"expected a string, got {kind_of(item)}"
                )
        return tuple(value)


def parse_items(
    route: str, value: object, where: str, parse: Callable[[Fields], T]
) -> tuple[T, ...]:
    if not isinstance(value, list):
        raise MalformedPayload(route, where or "(answer)", f"expected a list, got {kind_of(value)}")
    return tuple(parse(Fields(route, item, f"{where}[{i}]")) for i, item in enumerate(value))
