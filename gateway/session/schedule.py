"""When a FIX session may be logged on, and when its sequence numbers reset.

How this works (QuickFIX's session time, `StartTime`/`EndTime`/`StartDay`/
`EndDay`/`TimeZone`/`UseLocalTime`/`NonStopSession`):

* A schedule is a series of *periods* ``[start, end]`` (both ends inclusive, as in
  QuickFIX). A *daily* schedule has one period per day, starting at StartTime on
  the wall clock of its time zone and ending at the first EndTime after that:
  EndTime < StartTime crosses midnight, EndTime == StartTime is a 24-hour session
  whose end is the next period's start (it runs all day and resets daily there).
* A *weekly* schedule (StartDay and EndDay set) has one period per week, from
  StartDay/StartTime to the first EndDay/EndTime after it; StartDay == EndDay with
  StartTime == EndTime is a week-long session (QuickFIX/J semantics).
* The period *containing* ``now`` is the one with the latest start <= now, if now
  is not past its end. Outside every period the session is down. Where periods
  touch (24-hour or week-long sessions) the shared instant starts the new period.
* Daily reset: a session whose store was created in an earlier period than the
  current one resets its sequence numbers (QuickFIX's ``isSameSession``). Call
  ``is_same_session(store.creation_time, now)``.
* A non-stop session is always up and never resets.

Wall-clock times are turned into instants in the schedule's zone; a time that is
ambiguous (autumn DST) means its first occurrence, a time that does not exist
(spring DST gap) means the moment the clock jumps past it. Everything here is pure:
the current time is always an argument, and every datetime must be timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = [
    "DAY_NAMES",
    "ScheduleError",
    "SessionPeriod",
    "SessionSchedule",
    "parse_time_of_day",
    "parse_weekday",
]

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Weekday names, indexed like `datetime.weekday()` (Monday = 0)."""

_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(days=7)
_ONE_SECOND = timedelta(seconds=1)


class ScheduleError(ValueError):
    """A schedule setting cannot be understood."""


def parse_time_of_day(text: str) -> time:
    """Parse QuickFIX's ``HH:MM:SS`` (24-hour clock) into a `datetime.time`."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(len(p) == 2 and p.isdigit() for p in parts):
        raise ScheduleError(f"expected a time of day HH:MM:SS, got {text!r}")
    hour, minute, second = (int(p) for p in parts)
    if hour > 23 or minute > 59 or second > 59:
        raise ScheduleError(f"expected a time of day HH:MM:SS, got {text!r}")
    return time(hour, minute, second)


def parse_weekday(text: str) -> int:
    """Parse a day name as QuickFIX accepts it: the full English name or a prefix of
    at least two letters, any case (``mo``, ``Mon``, ``monday``). Monday = 0."""
    key = text.strip().lower()
    if len(key) >= 2:
        for index, name in enumerate(DAY_NAMES):
            if name.startswith(key):
                return index
    raise ScheduleError(
        f"expected a day of the week (e.g. 'mo', 'Mon' or 'Monday'), got {text!r}"
    )


@dataclass(frozen=True)
class SessionPeriod:
    """One period of a schedule: the session is up for ``start <= t <= end`` (UTC)."""

    start: datetime
    end: datetime

    def __contains__(self, moment: object) -> bool:
        if not isinstance(moment, datetime):
            return False
        return self.start <= _as_utc(moment) <= self.end


@dataclass(frozen=True)
class SessionSchedule:
    """A daily or weekly session schedule (see the module docstring).

    `start_day`/`end_day` use `datetime.weekday()` numbering (Monday = 0) and must
    be both set or both None. `zone` is the zone StartTime/EndTime are read in.
    """

    start_time: time = time(0, 0, 0)
    end_time: time = time(0, 0, 0)
    start_day: int | None = None
    end_day: int | None = None
    zone: tzinfo = UTC
    non_stop: bool = False

    def __post_init__(self) -> None:
        if (self.start_day is None) != (self.end_day is None):
            raise ScheduleError("StartDay and EndDay must be set together")
        for day in (self.start_day, self.end_day):
            if day is not None and not 0 <= day <= 6:
                raise ScheduleError(f"weekday must be 0 (Monday) to 6 (Sunday), got {day}")
        for moment in (self.start_time, self.end_time):
            if moment.tzinfo is not None:
                raise ScheduleError("StartTime/EndTime are wall-clock times without a zone")

    @classmethod
    def always(cls) -> SessionSchedule:
        """A non-stop schedule: always up, never reset by the clock."""
        return cls(non_stop=True)

    @property
    def is_weekly(self) -> bool:
        """True when StartDay/EndDay make this a once-a-week schedule."""
        return self.start_day is not None and not self.non_stop

    def latest_period(self, now: datetime) -> SessionPeriod | None:
        """The period with the latest start <= now, whether or not now is past its end.

        None for a non-stop schedule, which has no periods.
        """
        if self.non_stop:
            return None
        now = _as_utc(now)
        start_date = self._latest_start_date(now)
        return self._period_from(start_date)

    def period_at(self, now: datetime) -> SessionPeriod | None:
        """The period containing `now`; None outside session time or when non-stop."""
        period = self.latest_period(now)
        if period is None or _as_utc(now) > period.end:
            return None
        return period

    def is_session_time(self, now: datetime) -> bool:
        """True when the session may be logged on at `now`."""
        return self.non_stop or self.period_at(now) is not None

    def session_start(self, now: datetime) -> datetime | None:
        """Start (UTC) of the period containing `now`: the moment of the last reset.

        None outside session time, and for a non-stop session (it never resets).
        """
        period = self.period_at(now)
        return None if period is None else period.start

    def session_end(self, now: datetime) -> datetime | None:
        """End (UTC, inclusive) of the period containing `now`; None as for `session_start`."""
        period = self.period_at(now)
        return None if period is None else period.end

    def next_start(self, now: datetime) -> datetime | None:
        """The first period start strictly after `now` (UTC); None when non-stop."""
        if self.non_stop:
            return None
        start_date = self._latest_start_date(_as_utc(now))
        return self._wall(start_date + self._step(), self.start_time)

    def is_same_session(self, first: datetime, second: datetime) -> bool:
        """True when both moments fall in one and the same period (always when non-stop).

        With `first` = the store's creation time and `second` = now, False means
        the sequence numbers are due for their scheduled reset.
        """
        if self.non_stop:
            return True
        period = self.period_at(first)
        return period is not None and period == self.period_at(second)

    # -- internals -----------------------------------------------------------------

    def _step(self) -> timedelta:
        return _ONE_WEEK if self.is_weekly else _ONE_DAY

    def _latest_start_date(self, now: datetime) -> date:
        """Local date of the latest period start <= now."""
        today = now.astimezone(self.zone).date()
        candidate = today
        if self.start_day is not None:
            candidate = today - timedelta(days=(today.weekday() - self.start_day) % 7)
        if self._wall(candidate, self.start_time) > now:
            candidate -= self._step()
        return candidate

    def _period_from(self, start_date: date) -> SessionPeriod:
        if self.start_day is not None and self.end_day is not None:
            days = (self.end_day - self.start_day) % 7
            if days == 0 and self.end_time <= self.start_time:
                days = 7
        else:
            days = 1 if self.end_time <= self.start_time else 0
        end_date = start_date + timedelta(days=days)
        return SessionPeriod(
            self._wall(start_date, self.start_time), self._wall(end_date, self.end_time)
        )

    def _wall(self, day: date, moment: time) -> datetime:
        """The UTC instant at which the zone's wall clock first reads `day` `moment`."""
        local = datetime.combine(day, moment.replace(fold=0), tzinfo=self.zone)
        instant = local.astimezone(UTC)
        wall = local.replace(tzinfo=None)
        if instant.astimezone(self.zone).replace(tzinfo=None) == wall:
            return instant  # exists; fold=0 is the first occurrence when ambiguous
        # A DST gap: `fold=1` reads the wall time with the offset after the jump, an
        # instant before it, so the jump lies between the two readings.
        low, high = local.replace(fold=1).astimezone(UTC), instant
        while high - low > _ONE_SECOND:
            middle = low + (high - low) / 2
            if middle.astimezone(self.zone).replace(tzinfo=None) >= wall:
                high = middle
            else:
                low = middle
        return high.replace(microsecond=0) if high.microsecond else high


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)
