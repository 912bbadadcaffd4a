"""Configuration errors: every message names the file, the section, the line and the key.

Example::

    sessions.cfg: [SESSION] #2 (FIX.4.4:ISLD->TW44), line 17: key HeartBtInt:
    expected an integer, got 'abc'

(on one line). A value inherited from ``[DEFAULT]`` is reported at the session that
inherits it, with the DEFAULT line: ``line 4 (inherited from [DEFAULT])``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["ConfigError", "FixgwConfigError", "Location"]


class FixgwConfigError(Exception):
    """Base class of every fixgw configuration error."""


@dataclass(frozen=True)
class Location:
    """Where in a config file a problem is: file, section, line, key."""

    path: str
    section: str | None = None   # "SESSION", "DEFAULT", "GATEWAY" (as written canonically)
    index: int | None = None     # 1-based number of the [SESSION] section
    session_id: str | None = None
    line: int | None = None
    inherited: bool = False      # the line is in [DEFAULT], the error is about a session
    key: str | None = None

    def at(self, *, line: int | None, key: str | None, inherited: bool = False) -> Location:
        """This location narrowed to one line and key."""
        return replace(self, line=line, key=key, inherited=inherited)

    def __str__(self) -> str:
        text = self.path
        if self.section is not None:
            text += f": [{self.section}]"
            if self.index is not None:
                text += f" #{self.index}"
            if self.session_id is not None:
                text += f" ({self.session_id})"
        if self.line is not None:
            text += ", " if self.section is not None else ": "
            text += f"line {self.line}"
            if self.inherited:
                text += " (inherited from [DEFAULT])"
        if self.key is not None:
            text += f": key {self.key}"
        return text


class ConfigError(FixgwConfigError):
    """A problem in one config file, with its location (see the module docstring)."""

    def __init__(self, location: Location, problem: str) -> None:
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}")

    @property
    def path(self) -> str:
        """The config file, as it was named to the loader."""
        return self.location.path

    @property
    def section(self) -> str | None:
        """The section name ("SESSION", "DEFAULT", "GATEWAY"), if the problem has one."""
        return self.location.section

    @property
    def key(self) -> str | None:
        """The key at fault, if any."""
        return self.location.key

    @property
    def line(self) -> int | None:
        """The 1-based line number at fault, if any."""
        return self.location.line
