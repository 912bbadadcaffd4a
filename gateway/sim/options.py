"""Command-line flags for an `LPBehaviour`, shared by `fixgw lp-sim` and the QuickFIX-hosted LP.

`add_behaviour_arguments(parser)` declares them, `behaviour_from_args(args)`
builds the behaviour, and `behaviour_to_argv(behaviour)` writes the flags that
rebuild it (used to start an LP in a subprocess with a given behaviour).
"""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

from gateway.sim.behaviour import DEFAULT_MIDS, LPBehaviour, SpreadUnit
from gateway.sim.pricing import fmt

__all__ = ["add_behaviour_arguments", "behaviour_from_args", "behaviour_to_argv"]


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a decimal number: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _mid(text: str) -> tuple[str, Decimal]:
    symbol, sep, price = text.partition("=")
    if not sep or not symbol:
        raise argparse.ArgumentTypeError(f"expected SYMBOL=PRICE, got {text!r}")
    return symbol, _decimal(price)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be within 0..1: {text!r}")
    return value


def add_behaviour_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the behaviour flags (defaults are `LPBehaviour`'s)."""
    group = parser.add_argument_group("LP behaviour")
    group.add_argument("--mid", action="append", type=_mid, metavar="SYMBOL=PRICE",
                       help="mid price of a symbol the LP quotes (repeatable; replaces the "
                            f"defaults {', '.join(f'{s}={p}' for s, p in DEFAULT_MIDS.items())})")
    spread = group.add_mutually_exclusive_group()
    spread.add_argument("--spread-pips", type=_decimal, metavar="PIPS",
                        help="full bid/offer spread in pips (default 1)")
    spread.add_argument("--spread-bps", type=_decimal, metavar="BPS",
                        help="full bid/offer spread in basis points of the mid")
    group.add_argument("--skew", type=_decimal, default=Decimal(0),
                       help="added to every mid, in the spread's unit (makes LPs differ)")
    group.add_argument("--size", type=_decimal, default=Decimal(0),
                       help="quoted size on each side (0: the requested quantity)")
    group.add_argument("--one-sided", action="store_true",
                       help="quote only the side the request names")
    group.add_argument("--valid-ms", type=int, default=1000,
                       help="ValidUntilTime = now + this (0: send no ValidUntilTime)")
    group.add_argument("--delay-ms", type=int, default=0, help="delay before every answer")
    group.add_argument("--order-delay-ms", type=int,
                       help="delay before order answers (default: --delay-ms)")
    group.add_argument("--reject-rate", type=_rate, default=0.0,
                       help="share of QuoteRequests answered with QuoteRequestReject")
    group.add_argument("--reject-reason", type=int, default=99,
                       help="QuoteRequestRejectReason(658) of those (default 99 Other)")
    group.add_argument("--last-look-reject-rate", type=_rate, default=0.0,
                       help="share of valid child orders rejected at last look")
    group.add_argument("--fill-ratio", type=_decimal, default=Decimal(1),
                       help="share of each order filled (IOC: rest canceled; FOK: all or none)")
    group.add_argument("--fills-per-order", type=int, default=1,
                       help="executions the filled quantity is split into")
    group.add_argument("--no-new-ack", action="store_true",
                       help="send no ExecutionReport New before fills")
    group.add_argument("--disconnect-after-orders", type=int, metavar="N",
                       help="drop the session on the N-th child order, without answering it")
    group.add_argument("--disconnect-drops-order", action="store_true",
                       help="with --disconnect-after-orders: forget that order instead of "
                            "executing it silently")
    group.add_argument("--late-reports", action="store_true",
                       help="with --disconnect-after-orders: send that order's reports anyway, "
                            "after the drop (stored, and resent after the reconnect: this LP "
                            "keeps its sequence numbers, so set ResetOnLogon=N on the gateway)")
    group.add_argument("--silent-orders", action="store_true",
                       help="never answer child orders (ack timeouts)")
    group.add_argument("--custom-quote-tag", type=int, metavar="TAG",
                       help="add TAG=1 to every Quote")
    group.add_argument("--custom-report-tag", type=int, metavar="TAG",
                       help="add TAG=1 to the reports on child orders (not to status answers)")
    group.add_argument("--seed", type=int, default=0, help="random seed (deterministic runs)")


def behaviour_from_args(args: argparse.Namespace) -> LPBehaviour:
    """The `LPBehaviour` the parsed flags describe; ValueError if inconsistent."""
    unit = SpreadUnit.BPS if args.spread_bps is not None else SpreadUnit.PIPS
    spread = args.spread_bps if args.spread_bps is not None else args.spread_pips
    return LPBehaviour(
        mids=dict(args.mid) if args.mid else DEFAULT_MIDS,
        spread=spread if spread is not None else Decimal(1),
        spread_unit=unit,
        skew=args.skew,
        quote_size=args.size or None,
        two_sided=not args.one_sided,
        quote_valid_ms=args.valid_ms or None,
        response_delay_ms=args.delay_ms,
        order_delay_ms=args.order_delay_ms,
        quote_reject_rate=args.reject_rate,
        quote_reject_reason=args.reject_reason,
        last_look_reject_rate=args.last_look_reject_rate,
        fill_ratio=args.fill_ratio,
        fills_per_order=args.fills_per_order,
        send_new_ack=not args.no_new_ack,
        disconnect_after_orders=args.disconnect_after_orders,
        process_before_disconnect=not args.disconnect_drops_order,
        late_reports=args.late_reports,
        silent_orders=args.silent_orders,
        custom_quote_tag=args.custom_quote_tag,
        custom_report_tag=args.custom_report_tag,
        seed=args.seed,
    )


def behaviour_to_argv(behaviour: LPBehaviour) -> list[str]:
    """Flags that `behaviour_from_args` turns back into `behaviour`.

    Not expressible: a zero `quote_valid_ms` (the flag's 0 means "omit").
    """
    argv: list[str] = []
    for symbol, mid in behaviour.mids.items():
        argv += ["--mid", f"{symbol}={fmt(mid)}"]
    argv += [f"--spread-{behaviour.spread_unit.value}", fmt(behaviour.spread),
             "--skew", fmt(behaviour.skew),
             "--size", fmt(behaviour.quote_size or Decimal(0)),
             "--valid-ms", str(behaviour.quote_valid_ms or 0),
             "--delay-ms", str(behaviour.response_delay_ms),
             "--reject-rate", repr(behaviour.quote_reject_rate),
             "--reject-reason", str(behaviour.quote_reject_reason),
             "--last-look-reject-rate", repr(behaviour.last_look_reject_rate),
             "--fill-ratio", fmt(behaviour.fill_ratio),
             "--fills-per-order", str(behaviour.fills_per_order),
             "--seed", str(behaviour.seed)]
    if behaviour.order_delay_ms is not None:
        argv += ["--order-delay-ms", str(behaviour.order_delay_ms)]
    if behaviour.disconnect_after_orders is not None:
        argv += ["--disconnect-after-orders", str(behaviour.disconnect_after_orders)]
    for flag, tag in (("--custom-quote-tag", behaviour.custom_quote_tag),
                      ("--custom-report-tag", behaviour.custom_report_tag)):
        if tag is not None:
            argv += [flag, str(tag)]
    flags = {"--one-sided": not behaviour.two_sided, "--no-new-ack": not behaviour.send_new_ack,
             "--disconnect-drops-order": not behaviour.process_before_disconnect,
             "--late-reports": behaviour.late_reports,
             "--silent-orders": behaviour.silent_orders}
    argv += [flag for flag, wanted in flags.items() if wanted]
    return argv
