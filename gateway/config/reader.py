"""Typed reads of one section's values, each error located at its line and key.

A `SectionReader` wraps the merged key/value lines of one section ([SESSION] with
[DEFAULT] under it, or [GATEWAY]) and converts values on request. Conversions are
strict: booleans are ``Y``/``N`` only (as in QuickFIX), numbers are plain decimal
digits (no ``1e3``, ``NaN`` or ``1_000``), lists are comma-separated, and enum
values may be given as the FIX value or the name (``3`` or ``IOC``), any case.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import NoReturn, TypeVar

from gateway.config.errors import ConfigError, Location
from gateway.session.schedule import ScheduleError, parse_time_of_day, parse_weekday

__all__ = ["SectionReader", "Value"]

E = TypeVar("E", bound=enum.Enum)

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class Value:
    """A value as written, with its line; `inherited` when it comes from [DEFAULT]."""

    text: str
    line: int
    inherited: bool = False


class SectionReader:
    """Typed getters over one section; absent keys give the default passed in."""

    def __init__(
        self, location: Location, header_line: int, values: Mapping[str, Value], base_dir: Path
    ) -> None:
        self.location = location
        self.header_line = header_line
        self.values = values
        self.base_dir = base_dir

    def has(self, key: str) -> bool:
        """True when the key is set (here or inherited)."""
        return key in self.values

    def own(self, key: str) -> bool:
        """True when the key is set in this very section (not inherited)."""
        return key in self.values and not self.values[key].inherited

    def where(self, key: str) -> Location:
        """The location of `key`: its line, or the section header when absent."""
        value = self.values.get(key)
        if value is None:
            return self.location.at(line=self.header_line, key=key)
        return self.location.at(line=value.line, key=key, inherited=value.inherited)

    def fail(self, key: str, problem: str) -> NoReturn:
        """Raise a `ConfigError` about `key`."""
        raise ConfigError(self.where(key), problem)

    def require(self, key: str, why: str = "") -> str:
        """The non-empty text of a required key."""
        if key not in self.values:
            self.fail(key, "missing" + (f" ({why})" if why else ""))
        return self.text(key, "")

    def text(self, key: str, default: str, *, allow_empty: bool = False) -> str:
        """The trimmed text; empty is an error unless `allow_empty`."""
        value = self.values.get(key)
        if value is None:
            return default
        if not value.text and not allow_empty:
            self.fail(key, "empty value")
        return value.text

    def integer(self, key: str, default: int, *, minimum: int | None = None,
                maximum: int | None = None) -> int:
        """A whole number within [minimum, maximum]."""
        result = self.optional_integer(key, minimum=minimum, maximum=maximum)
        return default if result is None else result

    def optional_integer(self, key: str, *, minimum: int | None = None,
                         maximum: int | None = None) -> int | None:
        """Like `integer`, None when absent."""
        if key not in self.values:
            return None
        text = self.text(key, "")
        if not _INTEGER.fullmatch(text):
            self.fail(key, f"expected an integer, got {text!r}{_comment_hint(text)}")
        number = int(text)
        self._check_range(key, number, minimum, maximum)
        return number

    def seconds(self, key: str, default: float) -> float:
        """A positive duration in seconds, fractions allowed (``0.5``)."""
        if key not in self.values:
            return default
        text = self.text(key, "")
        if not _DECIMAL.fullmatch(text) or Decimal(text) <= 0:
            self.fail(key, f"expected a positive number of seconds, got {text!r}"
                      f"{_comment_hint(text)}")
        return float(text)

    def decimal(self, key: str) -> Decimal | None:
        """A positive decimal (quantities, money, percentages); None when absent."""
        if key not in self.values:
            return None
        text = self.text(key, "")
        if not _DECIMAL.fullmatch(text) or Decimal(text) <= 0:
            self.fail(key, f"expected a positive decimal number, got {text!r}"
                      f"{_comment_hint(text)}")
        return Decimal(text)

    def flag(self, key: str, default: bool) -> bool:
        """QuickFIX boolean: ``Y`` or ``N`` (nothing else)."""
        if key not in self.values:
            return default
        text = self.text(key, "")
        if text not in ("Y", "N"):
            self.fail(key, f"expected Y or N, got {text!r}")
        return text == "Y"

    def choice(self, key: str, kind: type[E], default: E,
               aliases: Mapping[str, E] | None = None) -> E:
        """An enum member by value or name (any case), or by one of `aliases`."""
        if key not in self.values:
            return default
        text = self.text(key, "")
        table: dict[str, E] = {}
        for member in kind:
            table[str(member.value).upper()] = member
            table[member.name.upper()] = member
        for alias, member in (aliases or {}).items():
            table[alias.upper()] = member
        found = table.get(text.upper())
        if found is None:
            accepted = ", ".join(_spellings(kind, aliases))
            self.fail(key, f"expected one of {accepted}; got {text!r}")
        return found

    def items(self, key: str) -> tuple[str, ...]:
        """A comma-separated list (trimmed items, no empty or repeated item)."""
        text = self.text(key, "", allow_empty=True)
        if not text:
            return ()
        items = tuple(item.strip() for item in text.split(","))
        for item in items:
            if not item:
                self.fail(key, f"empty item in the comma-separated list {text!r}")
            if items.count(item) > 1:
                self.fail(key, f"{item!r} is listed twice")
        return items

    def path(self, key: str, default: Path) -> Path:
        """A path; relative ones are taken relative to the config file's folder."""
        text = self.text(key, "")
        raw = Path(text).expanduser() if text else default
        return raw if raw.is_absolute() else self.base_dir / raw

    def time_of_day(self, key: str) -> time | None:
        """``HH:MM:SS``; None when absent."""
        if key not in self.values:
            return None
        try:
            return parse_time_of_day(self.text(key, ""))
        except ScheduleError as error:
            self.fail(key, str(error))

    def weekday(self, key: str) -> int | None:
        """A day name (Monday = 0); None when absent."""
        if key not in self.values:
            return None
        try:
            return parse_weekday(self.text(key, ""))
        except ScheduleError as error:
            self.fail(key, str(error))

    def _check_range(self, key: str, number: int, low: int | None, high: int | None) -> None:
        if low is not None and number < low:
            self.fail(key, f"must be at least {low}, got {number}")
        if high is not None and number > high:
            self.fail(key, f"must be at most {high}, got {number}")


def _spellings(kind: type[E], aliases: Mapping[str, E] | None) -> list[str]:
    names: list[str] = []
    for member in kind:
        for spelling in (str(member.value), member.name):
            if spelling.upper() not in (n.upper() for n in names):
                names.append(spelling)
    names.extend(alias for alias in (aliases or {}) if alias.upper() not in
                 (n.upper() for n in names))
    return names


def _comment_hint(text: str) -> str:
    if " #" in text or " ;" in text:
        return " (comments must be on a line of their own)"
    return ""
