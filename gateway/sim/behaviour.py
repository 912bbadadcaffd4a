"""How a simulated LP behaves: prices, sizes, timing, rejects, fills and scripted faults.

`LPBehaviour` is a frozen value; the simulator swaps it whole at runtime
(`LPSimulator.set_behaviour`), so a demo can make an LP reject or drop between
two orders. Money (mids, spread, skew, sizes, fill ratio) is `Decimal`; the
reject rates are probabilities compared with `random.Random.random()`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

__all__ = ["DEFAULT_MIDS", "DEFAULT_QUOTE_SIZE", "LPBehaviour", "SpreadUnit"]

DEFAULT_MIDS: Mapping[str, Decimal] = MappingProxyType({
    "EUR/USD": Decimal("1.0850"),
    "GBP/USD": Decimal("1.2700"),
    "USD/JPY": Decimal("151.20"),
})
"""Mid prices quoted when a behaviour names none."""

DEFAULT_QUOTE_SIZE = Decimal(1_000_000)
"""Size quoted when neither the behaviour nor the QuoteRequest gives one."""

_ZERO = Decimal(0)
_ONE = Decimal(1)


class SpreadUnit(enum.StrEnum):
    """Unit of `LPBehaviour.spread` and `LPBehaviour.skew`."""

    PIPS = "pips"  # 0.0001, or 0.01 for a JPY-quoted pair
    BPS = "bps"    # 0.01 % of the mid


def _default_mids() -> Mapping[str, Decimal]:
    return DEFAULT_MIDS


@dataclass(frozen=True)
class LPBehaviour:
    """Everything a simulated LP does, as data. Defaults: an honest, fast, full-filling LP.

    Pricing: bid = mid + skew - spread/2 rounded down, offer = mid + skew + spread/2
    rounded up, to 5 decimals (3 for JPY pairs). Symbols absent from `mids` get a
    QuoteRequestReject (658=1 unknown symbol) and their orders are rejected.
    Faults: `disconnect_after_orders=N` drops the session on the N-th child order
    counted from when this behaviour was set (once); with
    `process_before_disconnect` the LP books and executes that order first, so a
    later OrderStatusRequest reveals what happened, else it never saw it.
    `silent_orders` ignores child orders entirely (no booking, no answer).
    `late_reports`: the executed order's reports still go out, `order_delay_ms` after
    the drop, while the session is down; the FIX engine stores them and resends them
    when the gateway, reconnected with sequence numbers kept, asks for the gap.
    """

    mids: Mapping[str, Decimal] = field(default_factory=_default_mids)
    spread: Decimal = Decimal(1)
    spread_unit: SpreadUnit = SpreadUnit.PIPS
    skew: Decimal = _ZERO                    # added to every mid, in spread_unit
    quote_size: Decimal | None = None        # both sides; None/0: the requested quantity
    two_sided: bool = True                   # False: quote only the side the request names
    quote_valid_ms: int | None = 1000        # ValidUntilTime = now + this; None: omit tag 62
    response_delay_ms: int = 0               # before quotes / quote rejects go out
    order_delay_ms: int | None = None        # before order answers; None: response_delay_ms
    quote_reject_rate: float = 0.0           # share of QuoteRequests answered with 35=AG
    quote_reject_reason: int = 99            # QuoteRequestRejectReason(658) of those
    last_look_reject_rate: float = 0.0       # share of valid child orders rejected (150=8)
    fill_ratio: Decimal = _ONE               # share of each order filled at once
    fills_per_order: int = 1                 # executions the filled quantity is split into
    send_new_ack: bool = True                # ExecutionReport New (150=0) before fills
    disconnect_after_orders: int | None = None
    process_before_disconnect: bool = True
    late_reports: bool = False
    silent_orders: bool = False
    # Add TAG=1 to the Quotes / to the ExecutionReports answering child orders (not to
    # status answers): an LP whose messages carry a field the gateway's dictionary lacks.
    custom_quote_tag: int | None = None
    custom_report_tag: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "mids", MappingProxyType(dict(self.mids)))
        for symbol, mid in self.mids.items():
            _check_decimal(f"mid of {symbol}", mid)
            if mid <= 0:
                raise ValueError(f"mid of {symbol} must be positive, not {mid}")
        for name in ("spread", "skew", "fill_ratio"):
            _check_decimal(name, getattr(self, name))
        if self.quote_size is not None:
            _check_decimal("quote_size", self.quote_size)
            if self.quote_size < 0:
                raise ValueError("quote_size must not be negative")
        if self.spread < 0:
            raise ValueError("spread must not be negative")
        if not _ZERO <= self.fill_ratio <= _ONE:
            raise ValueError(f"fill_ratio must be within 0..1, not {self.fill_ratio}")
        for name in ("quote_reject_rate", "last_look_reject_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be within 0..1, not {rate}")
        self._check_counts()

    def _check_counts(self) -> None:
        if self.fills_per_order < 1:
            raise ValueError("fills_per_order must be at least 1")
        for name in ("quote_valid_ms", "order_delay_ms", "disconnect_after_orders",
                     "custom_quote_tag", "custom_report_tag"):
            value = getattr(self, name)
            if value is not None and value < (0 if name.endswith("_ms") else 1):
                raise ValueError(f"{name} is out of range: {value}")
        if self.response_delay_ms < 0:
            raise ValueError("response_delay_ms must not be negative")

    def __hash__(self) -> int:
        # The generated hash would fail on the mids mapping; hash its items instead.
        values = tuple(getattr(self, name) for name in self.__dataclass_fields__ if name != "mids")
        return hash((tuple(sorted(self.mids.items())), values))

    @property
    def effective_order_delay_ms(self) -> int:
        """Delay before answers to child orders, cancels and status requests."""
        return self.response_delay_ms if self.order_delay_ms is None else self.order_delay_ms

    def quoted_size(self, requested: Decimal | None) -> Decimal:
        """Size quoted on each side for a request of `requested` (None: not given)."""
        if self.quote_size:
            return self.quote_size
        return requested if requested is not None and requested > 0 else DEFAULT_QUOTE_SIZE


def _check_decimal(name: str, value: object) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
