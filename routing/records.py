"""What happened to orders, as records: the order book is a fold over them.

Every change to the book is first a record: the router appends it to the
journal and applies it to the book in the same step, and a restarted gateway
rebuilds the book by applying the journal again (`OrderBook.apply`). Records
also carry what the best-execution report needs (quotes seen, decisions).

`to_row`/`from_row` give a JSON-friendly list: the kind, then the fields in
declaration order, Decimals as their exact text.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, ClassVar

QuoteSeen = tuple[str, str, str, str, float, float]   # lp, quote_id, price, size, valid_until_s, arrived_at_s
Placement = tuple[str, str, str, str]                  # lp, quantity, price, quote_id


@dataclass(frozen=True, slots=True)
class Record:
    kind: ClassVar[str] = ""


@dataclass(frozen=True, slots=True)
class OrderAccepted(Record):
    kind: ClassVar[str] = "accepted"
    order_id: str
    session: str
    cl_ord_id: str
    symbol: str
    side: str
    quantity: Decimal
    ord_type: str
    limit_price: Decimal | None
    time_in_force: str
    strategy: str
    preferred_lps: tuple[str, ...]
    manual_lp: str | None
    exec_id: str
    at_s: float
    expire_at_s: float | None = None


@dataclass(frozen=True, slots=True)
class OrderRefused(Record):
    """Rejected before acknowledgement (ExecutionReport 150=8); kept for duplicate checks."""

    kind: ClassVar[str] = "refused"
    session: str
    cl_ord_id: str
    symbol: str
    side: str
    reason: str
    ord_rej_reason: int
    at_s: float


@dataclass(frozen=True, slots=True)
class RoundDecided(Record):
    """One quote round: who was asked, what they answered, what was decided and why."""

    kind: ClassVar[str] = "round"
    order_id: str
    round_no: int
    strategy: str
    asked: tuple[str, ...]
    quotes: tuple[QuoteSeen, ...]
    misses: tuple[tuple[str, str], ...]   # lp, reason (reject text or "timeout")
    placements: tuple[Placement, ...]
    outcome: str                          # "routed" or the refusal text
    started_at_s: float                   # QuoteRequests sent (response times count from here)
    at_s: float                           # decision time


@dataclass(frozen=True, slots=True)
class ChildSent(Record):
    kind: ClassVar[str] = "child"
    order_id: str
    child_id: str
    lp: str
    quantity: Decimal
    price: Decimal
    quote_id: str
    ord_type: str
    time_in_force: str
    round_no: int
    at_s: float


@dataclass(frozen=True, slots=True)
class ChildAcked(Record):
    kind: ClassVar[str] = "ack"
    order_id: str
    child_id: str
    lp_order_id: str
    at_s: float


@dataclass(frozen=True, slots=True)
class ChildFilled(Record):
    kind: ClassVar[str] = "fill"
    order_id: str
    child_id: str
    lp_order_id: str
    lp_exec_id: str
    quantity: Decimal
    price: Decimal
    exec_id: str                          # the client-facing ExecID of this fill
    at_s: float


@dataclass(frozen=True, slots=True)
class ChildEnded(Record):
    kind: ClassVar[str] = "end"
    order_id: str
    child_id: str
    state: str                            # ChildState name: FILLED, CLOSED, REJECTED, WORKING
    text: str
    at_s: float


@dataclass(frozen=True, slots=True)
class ChildUnknown(Record):
    kind: ClassVar[str] = "unknown"
    order_id: str
    child_id: str
    reason: str
    at_s: float


@dataclass(frozen=True, slots=True)
class CancelRequested(Record):
    kind: ClassVar[str] = "cancel_req"
    order_id: str
    cl_ord_id: str
    exec_id: str
    at_s: float


@dataclass(frozen=True, slots=True)
class OrderReplaced(Record):
    kind: ClassVar[str] = "replaced"
    order_id: str
    cl_ord_id: str
    quantity: Decimal
    limit_price: Decimal | None
    exec_id: str
    at_s: float


@dataclass(frozen=True, slots=True)
class OrderClosed(Record):
    """Ended as canceled (remainder canceled back to the client) with a reason."""

    kind: ClassVar[str] = "closed"
    order_id: str
    status: str                           # ParentStatus value
    text: str
    exec_id: str
    at_s: float


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls for cls in (OrderAccepted, OrderRefused, RoundDecided, ChildSent, ChildAcked,
                              ChildFilled, ChildEnded, ChildUnknown, CancelRequested,
                              OrderReplaced, OrderClosed)
}
_FIELDS: dict[type[Record], tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in RECORD_TYPES.values()
}
_DECIMALS: dict[type[Record], frozenset[str]] = {
    cls: frozenset(f.name for f in fields(cls) if "Decimal" in str(f.type))
    for cls in RECORD_TYPES.values()
}


def to_row(record: Record) -> list[Any]:
    row: list[Any] = [record.kind]
    for name in _FIELDS[type(record)]:
        value = getattr(record, name)
        row.append(str(value) if isinstance(value, Decimal) else value)
    return row


def from_row(row: list[Any]) -> Record:
    cls = RECORD_TYPES[row[0]]
    names = _FIELDS[cls]
    decimals = _DECIMALS[cls]
    values: dict[str, Any] = {}
    if len(row) - 1 > len(names):
        raise ValueError(f"{row[0]} record with {len(row) - 1} fields, expected {len(names)}")
    # Fields added later have defaults; rows written before them are shorter.
    for name, value in zip(names, row[1:], strict=False):
        if name in decimals and value is not None:
            value = Decimal(value)
        elif isinstance(value, list):
            value = _tuples(value)
        values[name] = value
    return cls(**values)


def _tuples(value: list[Any]) -> tuple[Any, ...]:
    return tuple(_tuples(item) if isinstance(item, list) else item for item in value)
