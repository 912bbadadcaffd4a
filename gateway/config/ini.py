"""The QuickFIX INI dialect, read into raw sections (no typing, no key checks yet).

Lines are trimmed; blank lines and lines starting with ``#`` or ``;`` are comments
(QuickFIX has no inline comments: ``HeartBtInt=30 # s`` is the value ``30 # s``).
A section header is ``[DEFAULT]``, ``[SESSION]`` or ``[GATEWAY]`` (any case); every
other line must be ``key=value`` inside a section. Keys are case-sensitive, as in
QuickFIX. ``[DEFAULT]`` and ``[GATEWAY]`` may appear at most once, ``[SESSION]`` any
number of times; a key may appear at most once per section.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from gateway.config.errors import ConfigError, Location

__all__ = ["SECTION_NAMES", "Entry", "RawSection", "parse_ini"]

SECTION_NAMES = ("DEFAULT", "SESSION", "GATEWAY")


@dataclass(frozen=True)
class Entry:
    """One ``key=value`` line."""

    key: str
    value: str
    line: int


@dataclass
class RawSection:
    """A section as written: its name, header line and entries in file order."""

    name: str
    line: int
    index: int | None = None  # 1-based among [SESSION] sections
    entries: dict[str, Entry] = field(default_factory=dict)

    def location(self, path: str) -> Location:
        """Where this section is, for error messages."""
        return Location(path=path, section=self.name, index=self.index)


def parse_ini(text: str, path: str) -> list[RawSection]:
    """Split config text into sections; raise `ConfigError` on any malformed line."""
    sections: list[RawSection] = []
    seen_once: dict[str, RawSection] = {}
    session_count = 0
    current: RawSection | None = None
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = _header(line, number, path, seen_once, session_count)
            if current.name == "SESSION":
                session_count += 1
            sections.append(current)
            continue
        if "=" not in line:
            raise ConfigError(
                _where(path, current, number),
                f"expected 'key=value', a [SECTION] header or a comment, got {line!r}",
            )
        if current is None:
            raise ConfigError(
                Location(path=path, line=number),
                f"{line!r} is outside any section; put it under [DEFAULT], [SESSION] or "
                "[GATEWAY]",
            )
        _add_entry(current, line, number, path)
    return sections


def _header(
    line: str, number: int, path: str, seen_once: dict[str, RawSection], sessions: int
) -> RawSection:
    if not line.endswith("]"):
        raise ConfigError(
            Location(path=path, line=number), f"section header {line!r} must end with ']'"
        )
    name = line[1:-1].strip()
    canonical = name.upper()
    if canonical not in SECTION_NAMES:
        hint = difflib.get_close_matches(canonical, SECTION_NAMES, n=1)
        suggestion = f"; did you mean [{hint[0]}]?" if hint else ""
        raise ConfigError(
            Location(path=path, line=number),
            f"unknown section [{name}]: expected [DEFAULT], [SESSION] or [GATEWAY]{suggestion}",
        )
    if canonical == "SESSION":
        return RawSection(canonical, number, index=sessions + 1)
    if canonical in seen_once:
        raise ConfigError(
            Location(path=path, section=canonical, line=number),
            f"duplicate [{canonical}] section (the first one is on line "
            f"{seen_once[canonical].line})",
        )
    section = RawSection(canonical, number)
    seen_once[canonical] = section
    return section


def _add_entry(section: RawSection, line: str, number: int, path: str) -> None:
    key, _, value = line.partition("=")
    key, value = key.strip(), value.strip()
    where = _where(path, section, number)
    if not key:
        raise ConfigError(where, f"missing key before '=' in {line!r}")
    if key in section.entries:
        raise ConfigError(
            where.at(line=number, key=key),
            f"set twice in this section (first on line {section.entries[key].line})",
        )
    section.entries[key] = Entry(key, value, number)


def _where(path: str, section: RawSection | None, number: int) -> Location:
    base = Location(path=path) if section is None else section.location(path)
    return base.at(line=number, key=None)
