"""SessionSchedule: QuickFIX session times (daily, weekly, non-stop, time zones, DST)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.session.schedule import (
    ScheduleError,
    SessionPeriod,
    SessionSchedule,
    parse_time_of_day,
    parse_weekday,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
        second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def daily(start: str, end: str, zone: ZoneInfo | None = None) -> SessionSchedule:
    return SessionSchedule(parse_time_of_day(start), parse_time_of_day(end),
                           zone=zone or UTC)


# -- parsing ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("00:00:00", time(0, 0, 0)), ("23:59:59", time(23, 59, 59)), (" 09:30:05 ", time(9, 30, 5)),
])
def test_parse_time_of_day_accepts_hh_mm_ss(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["24:00:00", "9:30:00", "09:30", "09:60:00", "09:30:61",
                                  "ab:cd:ef", "", "09:30:00 US/Eastern"])
def test_parse_time_of_day_rejects_anything_else(text: str) -> None:
    with pytest.raises(ScheduleError, match="HH:MM:SS"):
        parse_time_of_day(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("mo", MON), ("Mon", MON), ("MONDAY", MON), ("tu", TUE), ("th", THU), ("thurs", THU),
    ("sa", SAT), ("su", SUN), ("Sunday", SUN), ("fri", FRI), ("we", WED),
])
def test_parse_weekday_accepts_names_and_prefixes_of_two_or_more_letters(
    text: str, expected: int
) -> None:
    assert parse_weekday(text) == expected


@pytest.mark.parametrize("text", ["m", "t", "", "mondays", "xx", "1", "sundayx"])
def test_parse_weekday_rejects_other_text(text: str) -> None:
    with pytest.raises(ScheduleError, match="day of the week"):
        parse_weekday(text)


def test_start_day_without_end_day_is_an_error() -> None:
    with pytest.raises(ScheduleError, match="together"):
        SessionSchedule(time(9), time(17), start_day=MON)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        daily("09:00:00", "17:00:00").is_session_time(datetime(2024, 1, 1, 10))


# -- daily -----------------------------------------------------------------------------

def test_daily_session_is_up_between_start_and_end_inclusive() -> None:
    schedule = daily("09:00:00", "17:00:00")
    assert not schedule.is_session_time(utc(2024, 5, 6, 8, 59, 59))
    assert schedule.is_session_time(utc(2024, 5, 6, 9, 0, 0))
    assert schedule.is_session_time(utc(2024, 5, 6, 17, 0, 0))
    assert not schedule.is_session_time(utc(2024, 5, 6, 17, 0, 1))
    assert schedule.session_start(utc(2024, 5, 6, 12)) == utc(2024, 5, 6, 9)
    assert schedule.session_end(utc(2024, 5, 6, 12)) == utc(2024, 5, 6, 17)
    assert schedule.session_start(utc(2024, 5, 6, 18)) is None


def test_daily_next_start_is_today_before_start_and_tomorrow_after() -> None:
    schedule = daily("09:00:00", "17:00:00")
    assert schedule.next_start(utc(2024, 5, 6, 8)) == utc(2024, 5, 6, 9)
    assert schedule.next_start(utc(2024, 5, 6, 9)) == utc(2024, 5, 7, 9)
    assert schedule.next_start(utc(2024, 5, 6, 18)) == utc(2024, 5, 7, 9)


def test_end_before_start_crosses_midnight() -> None:
    schedule = daily("22:00:00", "06:00:00")
    assert schedule.period_at(utc(2024, 5, 6, 23)) == SessionPeriod(
        utc(2024, 5, 6, 22), utc(2024, 5, 7, 6))
    assert schedule.session_start(utc(2024, 5, 7, 3)) == utc(2024, 5, 6, 22)
    assert not schedule.is_session_time(utc(2024, 5, 7, 12))
    assert schedule.is_same_session(utc(2024, 5, 6, 23), utc(2024, 5, 7, 5))
    assert not schedule.is_same_session(utc(2024, 5, 7, 5), utc(2024, 5, 7, 23))


def test_equal_start_and_end_is_a_24_hour_session_that_resets_daily_at_that_time() -> None:
    schedule = daily("17:00:00", "17:00:00")
    assert schedule.is_session_time(utc(2024, 5, 6, 17, 0, 0))
    assert schedule.is_session_time(utc(2024, 5, 6, 16, 59, 59))
    assert schedule.session_start(utc(2024, 5, 6, 16, 59, 59)) == utc(2024, 5, 5, 17)
    assert schedule.session_start(utc(2024, 5, 6, 17)) == utc(2024, 5, 6, 17)
    assert schedule.is_same_session(utc(2024, 5, 6, 17), utc(2024, 5, 7, 16, 59))
    assert not schedule.is_same_session(utc(2024, 5, 6, 16, 59), utc(2024, 5, 6, 17, 1))


def test_midnight_to_midnight_is_always_up_and_resets_at_midnight() -> None:
    schedule = daily("00:00:00", "00:00:00")
    assert schedule.session_start(utc(2024, 2, 29, 13, 5)) == utc(2024, 2, 29)
    store_created = utc(2024, 2, 28, 23, 59, 59)
    assert not schedule.is_same_session(store_created, utc(2024, 2, 29, 0, 0, 1))


# -- weekly ----------------------------------------------------------------------------

def fx_week() -> SessionSchedule:
    """The FX week: Sunday 17:00 to Friday 17:00 New York time."""
    return SessionSchedule(time(17), time(17), start_day=SUN, end_day=FRI, zone=NEW_YORK)


def test_weekly_fx_session_in_new_york_time() -> None:
    schedule = fx_week()
    sunday_open = datetime(2024, 5, 5, 17, tzinfo=NEW_YORK)
    assert not schedule.is_session_time(sunday_open - timedelta(seconds=1))
    assert schedule.session_start(sunday_open) == sunday_open.astimezone(UTC)
    assert schedule.session_start(utc(2024, 5, 8, 12)) == utc(2024, 5, 5, 21)
    assert schedule.session_end(utc(2024, 5, 8, 12)) == utc(2024, 5, 10, 21)
    assert not schedule.is_session_time(utc(2024, 5, 11, 12))  # Saturday
    assert schedule.next_start(utc(2024, 5, 11, 12)) == utc(2024, 5, 12, 21)
    assert schedule.is_same_session(utc(2024, 5, 6, 1), utc(2024, 5, 10, 20))
    assert not schedule.is_same_session(utc(2024, 5, 10, 20), utc(2024, 5, 13, 1))


def test_weekly_session_wraps_around_the_end_of_the_week() -> None:
    schedule = SessionSchedule(time(20), time(6), start_day=FRI, end_day=MON)
    assert schedule.is_session_time(utc(2024, 5, 11, 12))  # Saturday
    assert schedule.is_session_time(utc(2024, 5, 13, 5, 59))  # Monday morning
    assert not schedule.is_session_time(utc(2024, 5, 14, 12))  # Tuesday
    assert schedule.session_start(utc(2024, 5, 12, 0)) == utc(2024, 5, 10, 20)


def test_same_start_and_end_day_and_time_is_a_week_long_session() -> None:
    schedule = SessionSchedule(time(8), time(8), start_day=MON, end_day=MON)
    assert schedule.is_session_time(utc(2024, 5, 9, 3))
    assert schedule.session_start(utc(2024, 5, 13, 7, 59)) == utc(2024, 5, 6, 8)
    assert schedule.session_start(utc(2024, 5, 13, 8)) == utc(2024, 5, 13, 8)


def test_same_day_with_end_after_start_is_up_that_day_only() -> None:
    schedule = SessionSchedule(time(8), time(18), start_day=WED, end_day=WED)
    assert schedule.is_session_time(utc(2024, 5, 8, 12))
    assert not schedule.is_session_time(utc(2024, 5, 9, 12))
    assert schedule.next_start(utc(2024, 5, 8, 19)) == utc(2024, 5, 15, 8)


# -- non-stop --------------------------------------------------------------------------

def test_non_stop_session_is_always_up_and_never_resets() -> None:
    schedule = SessionSchedule.always()
    now = utc(2024, 5, 6, 12)
    assert schedule.is_session_time(now)
    assert schedule.session_start(now) is None
    assert schedule.next_start(now) is None
    assert schedule.is_same_session(utc(2001, 1, 1), now)


# -- time zones and DST ----------------------------------------------------------------

def test_daily_start_follows_the_wall_clock_across_dst() -> None:
    schedule = daily("17:00:00", "17:00:00", NEW_YORK)
    assert schedule.session_start(utc(2024, 1, 10, 23)) == utc(2024, 1, 10, 22)  # EST
    assert schedule.session_start(utc(2024, 7, 10, 23)) == utc(2024, 7, 10, 21)  # EDT
    spring = schedule.period_at(utc(2024, 3, 10, 12))
    autumn = schedule.period_at(utc(2024, 11, 3, 12))
    assert spring is not None and spring.end - spring.start == timedelta(hours=23)
    assert autumn is not None and autumn.end - autumn.start == timedelta(hours=25)


def test_start_time_in_the_spring_gap_starts_when_the_clock_jumps() -> None:
    schedule = daily("01:30:00", "12:00:00", LONDON)  # 2024-03-31 01:00 GMT -> 02:00 BST
    assert schedule.session_start(utc(2024, 3, 31, 9)) == utc(2024, 3, 31, 1)
    assert schedule.session_start(utc(2024, 4, 1, 9)) == utc(2024, 4, 1, 0, 30)


def test_ambiguous_start_time_in_autumn_is_its_first_occurrence() -> None:
    schedule = daily("01:30:00", "12:00:00", NEW_YORK)  # 2024-11-03 01:30 happens twice
    assert schedule.session_start(utc(2024, 11, 3, 12)) == utc(2024, 11, 3, 5, 30)


# -- properties ------------------------------------------------------------------------

ZONES: list[tzinfo] = [UTC, NEW_YORK, LONDON, ZoneInfo("Australia/Sydney"), ZoneInfo("Asia/Kathmandu"),
         ZoneInfo("Australia/Lord_Howe"), ZoneInfo("America/Santiago")]
# Times and moments near the 2024 DST changes of the zones above, where bugs hide.
_NIGHT = st.times(max_value=time(4)) | st.times(min_value=time(21))
times = (st.times() | _NIGHT).map(lambda t: t.replace(microsecond=0))
_DST_CHANGES = [utc(2024, 3, 10, 7), utc(2024, 11, 3, 6), utc(2024, 3, 31, 1),
                utc(2024, 10, 27, 1), utc(2024, 4, 6, 15), utc(2024, 10, 5, 15, 30),
                utc(2024, 4, 6, 16), utc(2024, 10, 5, 16), utc(2024, 4, 7, 3),
                utc(2024, 9, 8, 4)]
_near_dst = st.builds(lambda base, offset_s: base + timedelta(seconds=offset_s),
                      st.sampled_from(_DST_CHANGES), st.integers(-3 * 86400, 3 * 86400))
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1),
                       timezones=st.just(UTC)) | _near_dst


@st.composite
def schedules(draw: st.DrawFn, zones: list[tzinfo] | None = None) -> SessionSchedule:
    weekly = draw(st.booleans())
    days = (draw(st.integers(0, 6)), draw(st.integers(0, 6))) if weekly else (None, None)
    zone = draw(st.sampled_from(zones if zones is not None else ZONES))
    return SessionSchedule(draw(times), draw(times), days[0], days[1], zone)


@settings(max_examples=400, deadline=None)
@given(schedules(), moments)
def test_the_latest_period_starts_at_or_before_now_and_next_start_after(
    schedule: SessionSchedule, now: datetime
) -> None:
    latest = schedule.latest_period(now)
    following = schedule.next_start(now)
    assert latest is not None and following is not None
    step = timedelta(days=7 if schedule.is_weekly else 1)
    assert now - step - timedelta(hours=1) < latest.start <= now < following
    assert latest.start <= latest.end <= following
    assert latest.end - latest.start <= step + timedelta(hours=1)
    assert schedule.session_start(following) == following


@settings(max_examples=400, deadline=None)
@given(schedules(), moments)
def test_is_session_time_agrees_with_the_period_containing_now(
    schedule: SessionSchedule, now: datetime
) -> None:
    period = schedule.period_at(now)
    assert schedule.is_session_time(now) == (period is not None)
    assert (schedule.session_start(now) is not None) == (period is not None)
    if period is not None:
        assert now in period
        assert schedule.is_same_session(period.start, now)
        following = schedule.next_start(now)
        if period.end == following:  # periods touch: the shared instant starts the next
            assert schedule.session_start(period.end) == following
        else:
            assert schedule.is_same_session(now, period.end)
        assert not schedule.is_same_session(period.start - timedelta(microseconds=1), now)


@settings(max_examples=300, deadline=None)
@given(schedules(), moments)
def test_period_starts_at_start_time_on_the_wall_clock_unless_it_does_not_exist(
    schedule: SessionSchedule, now: datetime
) -> None:
    latest = schedule.latest_period(now)
    assert latest is not None
    local = latest.start.astimezone(schedule.zone)
    start_time = schedule.start_time.replace(fold=0)
    wall = datetime.combine(local.date(), start_time, tzinfo=schedule.zone)
    exists = wall.astimezone(UTC).astimezone(schedule.zone).time() == schedule.start_time
    if exists:
        assert local.time() == schedule.start_time
        if schedule.start_day is not None:
            assert local.weekday() == schedule.start_day
    else:  # in a DST gap: the first instant whose wall clock is past the start time
        before = (latest.start - timedelta(seconds=1)).astimezone(schedule.zone)
        naive = wall.replace(tzinfo=None)
        assert before.replace(tzinfo=None) < naive < local.replace(tzinfo=None)


def _utc_oracle(schedule: SessionSchedule, now: datetime) -> datetime | None:
    """Period start by modular arithmetic on seconds of the day/week (UTC only)."""
    length = 7 * 86400 if schedule.is_weekly else 86400

    def seconds(day: int | None, moment: time) -> int:
        return (day or 0) * 86400 + moment.hour * 3600 + moment.minute * 60 + moment.second

    offset = now.weekday() * 86400 if schedule.is_weekly else 0
    position = offset + now.hour * 3600 + now.minute * 60 + now.second
    start = seconds(schedule.start_day, schedule.start_time)
    end = seconds(schedule.end_day, schedule.end_time)
    since_start = (position - start) % length
    duration = (end - start) % length or length
    if since_start > duration:
        return None
    return now - timedelta(seconds=since_start)


@settings(max_examples=500, deadline=None)
@given(schedules(zones=[UTC]), moments.map(lambda m: m.replace(microsecond=0)))
def test_utc_schedules_match_a_modular_arithmetic_oracle(
    schedule: SessionSchedule, now: datetime
) -> None:
    assert schedule.session_start(now) == _utc_oracle(schedule, now)


@settings(max_examples=200, deadline=None)
@given(schedules(), moments, st.integers(0, 20 * 86400))
def test_is_same_session_means_the_same_period_start(
    schedule: SessionSchedule, first: datetime, gap_s: int
) -> None:
    second = first + timedelta(seconds=gap_s)
    same = schedule.is_same_session(first, second)
    start = schedule.session_start(first)
    assert same == (start is not None and start == schedule.session_start(second))
    assert same == schedule.is_same_session(second, first)


def test_a_start_time_with_fold_set_means_the_same_wall_time() -> None:
    plain = daily("01:30:00", "12:00:00", NEW_YORK)
    folded = SessionSchedule(time(1, 30, fold=1), time(12), zone=NEW_YORK)
    now = utc(2024, 11, 3, 12)
    assert folded.session_start(now) == plain.session_start(now) == utc(2024, 11, 3, 5, 30)
