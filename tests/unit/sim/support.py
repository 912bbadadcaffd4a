"""Helpers for the LP simulator's unit tests: a fixed clock, quoting, and reading reports."""

from __future__ import annotations

from decimal import Decimal

from gateway.fix.message import Message
from gateway.sim import LPBehaviour, LPLogic, Reaction
from tests.fixtures.lp_messages import new_order, quote_request

NOW_NS = 1_767_225_600_000_000_000  # 2026-01-01 00:00:00 UTC
MS = 1_000_000


def handled(logic: LPLogic, message: Message, now_ns: int = NOW_NS) -> Reaction:
    reaction = logic.handle(message, now_ns)
    assert reaction is not None, f"{message.msg_type} not handled"
    return reaction


def quote(logic: LPLogic, symbol: str = "EUR/USD", side: str | None = "1",
          quantity: str | None = "1000000", now_ns: int = NOW_NS) -> Message:
    """Ask for a quote and return the one Quote(35=S) that must come back."""
    reaction = handled(logic, quote_request("RQ", symbol, side, quantity), now_ns)
    assert [m.msg_type for m in reaction.messages] == ["S"], reaction
    return reaction.messages[0]


def order_on_quote(logic: LPLogic, cl_ord_id: str = "C1", side: str = "1",
                   quantity: str = "1000000", time_in_force: str | None = "3",
                   symbol: str = "EUR/USD", now_ns: int = NOW_NS) -> list[Message]:
    """Quote, then send a previously-quoted child order on it; the order's reports."""
    quoted = quote(logic, symbol, side, quantity, now_ns)
    price = quoted[133] if side == "1" else quoted[132]
    reaction = handled(logic, new_order(cl_ord_id, symbol=symbol, side=side, quantity=quantity,
                                        price=price, quote_id=quoted[117],
                                        time_in_force=time_in_force), now_ns)
    return list(reaction.messages)


def exec_types(reports: list[Message]) -> list[str]:
    return [f"{m[150]}/{m[39]}" for m in reports]


def dec(message: Message, tag: int) -> Decimal:
    value = message.decimal(tag)
    assert value is not None, f"tag {tag} missing in {message}"
    return value


def lp(**behaviour: object) -> LPLogic:
    return LPLogic(LPBehaviour(**behaviour), name="LP1")  # type: ignore[arg-type]
