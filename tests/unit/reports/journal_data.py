"""A hand-made order journal with known best-execution figures (worked out in the comments).

B-1, buy 1,000,000 EUR/USD limit 1.0852 at t=1000, strategy best. One round:
LP1 1.08500 x 400k (2 ms), LP2 1.08505 x 1M (4 ms), LP3 1.08510 x 1M (10 ms),
LP4 1.08530 (beyond the limit, 1 ms), LP5 timed out, LP6 rejected. Placed 400k on
LP1 and 600k on LP2; both filled at their quotes.
  best quote 1.08500 (LP1), best alternative (an LP given nothing) 1.08510 (LP3)
  fill LP1: vs best 0,         vs alternative +0.0001  (+0.92 bps of 1.0851)
  fill LP2: vs best -0.00005 (-0.46 bps of 1.085), vs alternative +0.00005 (+0.46 bps)
  order: vs best (0*0.4 - 0.00005*0.6) = -0.00003, bps 0*0.4 - 0.46*0.6 = -0.276 -> -0.28
         vs alternative 0.0001*0.4 + 0.00005*0.6 = 0.00007, bps 0.368 + 0.276 = 0.644 -> 0.64

B-2, sell 500,000 at t=2000. Round 1: LP2 bid 1.08495 (1 ms), placed, rejected at
last look. Round 2 (asked LP1, LP3): LP1 bid 1.08490 (3 ms), LP3 timed out; placed
on LP1, filled at 1.08490: vs best 0, no alternative.
"""

from __future__ import annotations

from decimal import Decimal

from routing.records import (
    ChildEnded,
    ChildFilled,
    ChildSent,
    OrderAccepted,
    Record,
    RoundDecided,
)

SESSION = "FIX.4.4:FIXGW->CLIENT"
D = Decimal


def _accepted(order_id: str, cl_ord_id: str, side: str, quantity: str, limit: str | None,
              at_s: float) -> OrderAccepted:
    return OrderAccepted(order_id, SESSION, cl_ord_id, "EUR/USD", side, D(quantity), "2",
                         D(limit) if limit else None, "3", "best", (), None, f"{order_id}.1", at_s)


def _child(order_id: str, number: int, lp: str, quantity: str, price: str, round_no: int,
           at_s: float) -> ChildSent:
    return ChildSent(order_id, f"{order_id}-{number}", lp, D(quantity), D(price), f"Q-{lp}", "D",
                     "3", round_no, at_s)


def _fill(order_id: str, number: int, exec_no: int, quantity: str, price: str,
          at_s: float) -> ChildFilled:
    return ChildFilled(order_id, f"{order_id}-{number}", f"LPO-{order_id}-{number}",
                       f"LPX-{order_id}-{number}", D(quantity), D(price), f"{order_id}.{exec_no}", at_s)


RECORDS: list[Record] = [
    _accepted("B-1", "C1", "1", "1000000", "1.0852", 1000.0),
    RoundDecided(
        "B-1", 1, "best", ("LP1", "LP2", "LP3", "LP4", "LP5", "LP6"),
        (("LP1", "Q-LP1", "1.08500", "400000", 1001.0, 1000.002),
         ("LP2", "Q-LP2", "1.08505", "1000000", 1001.0, 1000.004),
         ("LP3", "Q-LP3", "1.08510", "1000000", 1001.0, 1000.010),
         ("LP4", "Q-LP4", "1.08530", "1000000", 1001.0, 1000.001)),
        (("LP6", "unknown symbol"), ("LP5", "timeout")),
        (("LP1", "400000", "1.08500", "Q-LP1"), ("LP2", "600000", "1.08505", "Q-LP2")),
        "routed", 1000.0, 1000.150),
    _child("B-1", 1, "LP1", "400000", "1.08500", 1, 1000.150),
    _child("B-1", 2, "LP2", "600000", "1.08505", 1, 1000.150),
    _fill("B-1", 1, 2, "400000", "1.08500", 1000.151),
    _fill("B-1", 2, 3, "600000", "1.08505", 1000.152),
    _accepted("B-2", "C2", "2", "500000", None, 2000.0),
    RoundDecided("B-2", 1, "best", ("LP2",),
                 (("LP2", "Q-LP2b", "1.08495", "500000", 2001.0, 2000.001),), (),
                 (("LP2", "500000", "1.08495", "Q-LP2b"),), "routed", 2000.0, 2000.001),
    _child("B-2", 1, "LP2", "500000", "1.08495", 1, 2000.001),
    ChildEnded("B-2", "B-2-1", "REJECTED", "Last look reject", 2000.002),
    RoundDecided("B-2", 2, "best", ("LP1", "LP3"),
                 (("LP1", "Q-LP1b", "1.08490", "500000", 2001.2, 2000.203),), (("LP3", "timeout"),),
                 (("LP1", "500000", "1.08490", "Q-LP1b"),), "routed", 2000.2, 2000.35),
    _child("B-2", 2, "LP1", "500000", "1.08490", 2, 2000.35),
    _fill("B-2", 2, 2, "500000", "1.08490", 2000.351),
]
