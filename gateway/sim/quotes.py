"""Answering QuoteRequest(35=R): a Quote(35=S) per instrument, or one QuoteRequestReject(35=AG).

Every quote given is remembered (a bounded FIFO) so that a previously-quoted
child order (OrdType=D) can be checked against its QuoteID: known, not expired,
same symbol, a price on the order's side, and a quantity within the quoted size.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from gateway.fix.message import Group, Item, Message, item_str
from gateway.fix.timefmt import utc_timestamp
from gateway.sim.behaviour import LPBehaviour
from gateway.sim.common import IdSource, LPCounters
from gateway.sim.pricing import fmt, two_way_price

__all__ = ["QuoteBook", "QuoteRecord", "Quoter", "RequestedInstrument", "requested_instruments"]

UNKNOWN_SYMBOL = 1  # QuoteRequestRejectReason(658)
_NS_PER_MS = 1_000_000


@dataclass(frozen=True)
class QuoteRecord:
    """A quote the LP gave: prices per side (None when not quoted) and its expiry."""

    quote_id: str
    symbol: str
    bid: Decimal | None
    offer: Decimal | None
    size: Decimal
    valid_until_ns: int | None

    def price_for(self, side: str) -> Decimal | None:
        """The price an order of Side(54) `side` trades at: the offer for buy, the bid for sell."""
        return self.offer if side == "1" else self.bid if side == "2" else None

    def expired(self, now_ns: int) -> bool:
        return self.valid_until_ns is not None and now_ns > self.valid_until_ns


class QuoteBook:
    """Quotes by QuoteID; the oldest are forgotten past `capacity`."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._quotes: OrderedDict[str, QuoteRecord] = OrderedDict()

    def add(self, record: QuoteRecord) -> None:
        self._quotes[record.quote_id] = record
        if len(self._quotes) > self.capacity:
            self._quotes.popitem(last=False)

    def get(self, quote_id: str) -> QuoteRecord | None:
        return self._quotes.get(quote_id)

    def __len__(self) -> int:
        return len(self._quotes)


@dataclass(frozen=True)
class RequestedInstrument:
    """One NoRelatedSym(146) entry of a QuoteRequest, with its items to echo in a reject."""

    symbol: str
    side: str | None
    quantity: Decimal | None
    items: tuple[Item, ...]


def requested_instruments(message: Message) -> list[RequestedInstrument]:
    """The entries of NoRelatedSym; a message parsed without a dictionary has them flat."""
    group = message.group(146)
    entries: list[list[Item]] = list(group) if group is not None else [
        [item for item in message.body if item[0] in (55, 54, 38)]]
    out = []
    for entry in entries:
        quantity_text = item_str(entry, 38)
        try:
            quantity = Decimal(quantity_text) if quantity_text is not None else None
        except ArithmeticError:
            quantity = None
        echoed = tuple(item for item in entry if item[0] in (55, 54, 38))
        out.append(RequestedInstrument(item_str(entry, 55) or "", item_str(entry, 54),
                                       quantity, echoed))
    return out


class Quoter:
    """Prices QuoteRequests for one LP."""

    def __init__(self, ids: IdSource, counters: LPCounters, book: QuoteBook) -> None:
        self.ids = ids
        self.counters = counters
        self.book = book

    def answer(self, behaviour: LPBehaviour, rng: random.Random, message: Message,
               now_ns: int) -> list[Message]:
        """Quotes for a QuoteRequest, or a QuoteRequestReject."""
        self.counters.quote_requests += 1
        request_id = message.get(131) or ""
        instruments = requested_instruments(message)
        draw = rng.random()  # drawn for every request so the sequence does not depend on rates
        unknown = [i.symbol for i in instruments if i.symbol not in behaviour.mids]
        if unknown or not instruments:
            return [self._reject(request_id, instruments, UNKNOWN_SYMBOL,
                                 f"Unknown symbol {','.join(unknown)}".rstrip())]
        if draw < behaviour.quote_reject_rate:
            return [self._reject(request_id, instruments, behaviour.quote_reject_reason,
                                 "Simulated quote reject")]
        return [self._quote(behaviour, request_id, instrument, now_ns) for instrument in instruments]

    def _quote(self, behaviour: LPBehaviour, request_id: str, instrument: RequestedInstrument,
               now_ns: int) -> Message:
        price = two_way_price(behaviour, instrument.symbol)
        assert price is not None  # unknown symbols were rejected
        one_side = None if behaviour.two_sided else instrument.side
        bid = None if one_side == "1" else price.bid
        offer = None if one_side == "2" else price.offer
        valid_ms = behaviour.quote_valid_ms
        valid_until = now_ns + valid_ms * _NS_PER_MS if valid_ms is not None else None
        record = QuoteRecord(self.ids.next("Q"), instrument.symbol, bid, offer,
                             behaviour.quoted_size(instrument.quantity), valid_until)
        self.book.add(record)
        self.counters.quotes_sent += 1
        body: list[Item] = [(131, request_id), (117, record.quote_id), (55, record.symbol)]
        if bid is not None:
            body += [(132, fmt(bid)), (134, fmt(record.size))]
        if offer is not None:
            body += [(133, fmt(offer)), (135, fmt(record.size))]
        if instrument.quantity is not None:
            body.append((38, fmt(instrument.quantity)))
        if valid_until is not None:
            body.append((62, utc_timestamp(valid_until)))
        body.append((60, utc_timestamp(now_ns)))
        return Message("S", body)

    def _reject(self, request_id: str, instruments: list[RequestedInstrument], reason: int,
                text: str) -> Message:
        self.counters.quote_rejects += 1
        # Symbol (the group's delimiter) first, then Side and OrderQty as the dictionary orders them.
        group = Group([
            [(55, i.symbol or "N/A"), *(item for tag in (54, 38) for item in i.items if item[0] == tag)]
            for i in instruments])
        return Message("AG", [(131, request_id), (146, group), (658, str(reason)), (58, text)])
