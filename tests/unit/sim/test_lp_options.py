"""Behaviour flags of `fixgw lp-sim` / the QuickFIX LP: parsing and the round trip to argv."""

from __future__ import annotations

import argparse
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.sim import DEFAULT_MIDS, LPBehaviour, SpreadUnit
from gateway.sim.options import add_behaviour_arguments, behaviour_from_args, behaviour_to_argv


def _parse(argv: list[str]) -> LPBehaviour:
    parser = argparse.ArgumentParser(exit_on_error=False)
    add_behaviour_arguments(parser)
    return behaviour_from_args(parser.parse_args(argv))


def test_no_flags_is_the_default_behaviour() -> None:
    assert _parse([]) == LPBehaviour()


def test_flags_set_every_field() -> None:
    behaviour = _parse([
        "--mid", "EUR/USD=1.1", "--mid", "USD/JPY=150.5", "--spread-bps", "3", "--skew", "-0.5",
        "--size", "250000", "--one-sided", "--valid-ms", "0", "--delay-ms", "20",
        "--order-delay-ms", "40", "--reject-rate", "0.2", "--reject-reason", "8",
        "--last-look-reject-rate", "0.1", "--fill-ratio", "0.5", "--fills-per-order", "3",
        "--no-new-ack", "--disconnect-after-orders", "4", "--disconnect-drops-order", "--late-reports",
        "--silent-orders", "--custom-quote-tag", "5002", "--custom-report-tag", "5001",
        "--seed", "9",
    ])
    assert behaviour == LPBehaviour(
        mids={"EUR/USD": Decimal("1.1"), "USD/JPY": Decimal("150.5")}, spread=Decimal(3),
        spread_unit=SpreadUnit.BPS, skew=Decimal("-0.5"), quote_size=Decimal(250000),
        two_sided=False, quote_valid_ms=None, response_delay_ms=20, order_delay_ms=40,
        quote_reject_rate=0.2, quote_reject_reason=8, last_look_reject_rate=0.1,
        fill_ratio=Decimal("0.5"), fills_per_order=3, send_new_ack=False,
        disconnect_after_orders=4, process_before_disconnect=False, late_reports=True,
        silent_orders=True,
        custom_quote_tag=5002, custom_report_tag=5001, seed=9)


@pytest.mark.parametrize("argv", [
    ["--mid", "EUR/USD"], ["--mid", "EUR/USD=abc"], ["--reject-rate", "1.5"],
    ["--spread-pips", "1", "--spread-bps", "1"], ["--fill-ratio", "NaN"],
    ["--custom-report-tag", "x"],
])
def test_bad_flags_are_refused(argv: list[str]) -> None:
    with pytest.raises((argparse.ArgumentError, SystemExit)):
        _parse(argv)


def test_inconsistent_values_are_refused_by_the_behaviour() -> None:
    with pytest.raises(ValueError):
        _parse(["--fill-ratio", "2"])
    with pytest.raises(ValueError):
        _parse(["--custom-report-tag", "0"])


round_trip_behaviours = st.builds(
    LPBehaviour,
    mids=st.dictionaries(st.sampled_from(["EUR/USD", "USD/JPY", "AUD/USD"]),
                         st.decimals(min_value=Decimal("0.5"), max_value=200, places=4),
                         min_size=1),
    spread=st.decimals(min_value=0, max_value=10, places=1),
    spread_unit=st.sampled_from(SpreadUnit),
    skew=st.decimals(min_value=-5, max_value=5, places=1),
    quote_size=st.one_of(st.none(), st.integers(1, 10**7).map(Decimal)),
    two_sided=st.booleans(),
    quote_valid_ms=st.one_of(st.none(), st.integers(1, 10_000)),
    response_delay_ms=st.integers(0, 1000),
    order_delay_ms=st.one_of(st.none(), st.integers(0, 1000)),
    quote_reject_rate=st.floats(0, 1),
    last_look_reject_rate=st.floats(0, 1),
    fill_ratio=st.decimals(min_value=0, max_value=1, places=3),
    fills_per_order=st.integers(1, 9),
    send_new_ack=st.booleans(),
    disconnect_after_orders=st.one_of(st.none(), st.integers(1, 50)),
    process_before_disconnect=st.booleans(),
    late_reports=st.booleans(),
    silent_orders=st.booleans(),
    custom_quote_tag=st.one_of(st.none(), st.integers(1, 9999)),
    custom_report_tag=st.one_of(st.none(), st.integers(1, 9999)),
    seed=st.integers(0, 2**31),
)


@given(round_trip_behaviours)
def test_behaviour_to_argv_round_trips(behaviour: LPBehaviour) -> None:
    assert _parse(behaviour_to_argv(behaviour)) == behaviour


def test_default_mids_are_written_out() -> None:
    argv = behaviour_to_argv(LPBehaviour())
    assert argv.count("--mid") == len(DEFAULT_MIDS)
