"""Values shared by the LP simulator's parts: what to do next, identifiers, counters."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from gateway.fix.message import Message

__all__ = ["IdSource", "LPCounters", "Reaction"]


@dataclass(frozen=True)
class Reaction:
    """What the LP does about one inbound message.

    Send `messages` after `delay_ms` (the engine adapter schedules it; 0 means
    at once). When `disconnect` is set, drop the session at once first; messages
    then go out after the drop, to be stored by the engine and resent on reconnect.
    `note` says in words what happened, for event logs.
    """

    messages: tuple[Message, ...] = ()
    delay_ms: int = 0
    disconnect: bool = False
    note: str = ""


class IdSource:
    """Unique LP-side identifiers: ``<prefix>-Q1`` (quotes), ``-O1`` (orders), ``-E1`` (executions).

    Give each process run its own prefix when IDs must stay unique across restarts
    (the gateway deduplicates fills by ExecID).
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._counts: dict[str, int] = {}

    def next(self, kind: str) -> str:
        count = self._counts.get(kind, 0) + 1
        self._counts[kind] = count
        return f"{self.prefix}-{kind}{count}"


@dataclass
class LPCounters:
    """What one simulated LP has done, for summaries and tests."""

    quote_requests: int = 0
    quotes_sent: int = 0
    quote_rejects: int = 0
    orders: int = 0               # child NewOrderSingles received (silent ones included)
    order_rejects: int = 0        # invalid orders (unknown quote, size, symbol, ...)
    last_look_rejects: int = 0    # valid orders refused at last look (incl. price moved)
    fills: int = 0                # executions (150=F) reported
    filled_qty: Decimal = Decimal(0)
    canceled: int = 0             # orders ended by 150=4 (IOC/FOK remainder or on request)
    cancel_rejects: int = 0
    status_requests: int = 0
    ignored_orders: int = 0       # not answered: silent_orders
    disconnects: int = 0          # scripted session drops

    def as_dict(self) -> dict[str, int | str]:
        """Counter name -> value (Decimals as text), in declaration order."""
        out: dict[str, int | str] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            out[item.name] = format(value, "f") if isinstance(value, Decimal) else value
        return out
