"""RFQ aggregation driven by hand: requests, answers, completion, timeout, expiry."""

from __future__ import annotations

from decimal import Decimal

from routing.model import LPQuote, Side
from routing.rfq import RFQ, QuoteRequest, QuoteVerdict
from tests.unit.routing.helpers import SYMBOL, T0, request

D = Decimal


def make_rfq(lps: tuple[str, ...] = ("lp-1", "lp-2", "lp-3")) -> RFQ:
    return RFQ("R7", request("1000000"), lps, T0, timeout_s=0.25, default_quote_ttl_s=1.0)


def answer(lp: str, req_id: str, px: str = "1.0850", **kw: object) -> LPQuote:
    return LPQuote(lp, req_id, f"Q-{lp}", SYMBOL, offer_px=D(px), offer_size=D(1_000_000), **kw)  # type: ignore[arg-type]


def test_one_quote_request_per_lp_with_its_own_id() -> None:
    assert make_rfq().requests() == (
        QuoteRequest("lp-1", "R7.1", SYMBOL, Side.BUY, D(1_000_000)),
        QuoteRequest("lp-2", "R7.2", SYMBOL, Side.BUY, D(1_000_000)),
        QuoteRequest("lp-3", "R7.3", SYMBOL, Side.BUY, D(1_000_000)),
    )
    assert make_rfq().deadline_s == T0 + 0.25


def test_complete_when_every_lp_quoted_or_rejected() -> None:
    rfq = make_rfq()
    assert rfq.on_quote(answer("lp-1", "R7.1"), T0 + 0.01) is QuoteVerdict.ACCEPTED
    assert rfq.on_reject("lp-2", "R7.2", "unknown symbol", T0 + 0.02)
    assert not rfq.is_complete and rfq.unanswered() == ("lp-3",)
    assert rfq.on_quote(answer("lp-3", "R7.3", "1.0840"), T0 + 0.03) is QuoteVerdict.ACCEPTED
    assert rfq.is_complete and rfq.is_done(T0 + 0.03) and not rfq.timed_out(T0 + 0.03)
    assert [q.lp for q in rfq.usable_quotes(T0 + 0.03)] == ["lp-1", "lp-3"]
    assert rfq.rejects == {"lp-2": "unknown symbol"}


def test_times_out_at_the_deadline_and_names_the_silent_lps() -> None:
    rfq = make_rfq()
    rfq.on_quote(answer("lp-1", "R7.1"), T0 + 0.1)
    assert not rfq.timed_out(T0 + 0.2499) and not rfq.is_done(T0 + 0.2499)
    assert rfq.timed_out(T0 + 0.25) and rfq.is_done(T0 + 0.25)
    assert rfq.unanswered() == ("lp-2", "lp-3")


def test_late_stray_and_stale_answers_are_not_taken() -> None:
    rfq = make_rfq()
    assert rfq.on_quote(answer("lp-1", "R7.1"), T0 + 0.25) is QuoteVerdict.LATE
    assert rfq.on_quote(answer("lp-9", "R7.1"), T0) is QuoteVerdict.UNSOLICITED
    assert rfq.on_quote(answer("lp-1", "R6.1"), T0) is QuoteVerdict.UNSOLICITED
    assert not rfq.on_reject("lp-2", "R7.1", "wrong id", T0)
    assert not rfq.on_reject("lp-2", "R7.2", "too late", T0 + 0.3)
    assert rfq.unanswered() == ("lp-1", "lp-2", "lp-3")


def test_quote_without_the_needed_side_or_for_another_symbol_answers_but_is_unused() -> None:
    rfq = make_rfq(("lp-1", "lp-2"))
    bid_only = LPQuote("lp-1", "R7.1", "Q", SYMBOL, bid_px=D("1.08"), bid_size=D(1))
    assert rfq.on_quote(bid_only, T0) is QuoteVerdict.NO_SIDE
    other = LPQuote("lp-2", "R7.2", "Q", "GBP/USD", offer_px=D("1.2"))
    assert rfq.on_quote(other, T0) is QuoteVerdict.WRONG_SYMBOL
    assert rfq.is_complete and rfq.usable_quotes(T0) == ()


def test_quote_expired_on_arrival_is_not_used() -> None:
    rfq = make_rfq(("lp-1",))
    assert rfq.on_quote(answer("lp-1", "R7.1", valid_until_s=T0 + 0.05), T0 + 0.05) is QuoteVerdict.EXPIRED
    assert rfq.usable_quotes(T0 + 0.05) == ()


def test_default_ttl_applies_and_expired_quotes_drop_out() -> None:
    rfq = make_rfq(("lp-1", "lp-2"))
    rfq.on_quote(answer("lp-1", "R7.1"), T0 + 0.1)  # no ValidUntilTime: lives 1 s
    rfq.on_quote(answer("lp-2", "R7.2", valid_until_s=T0 + 0.2), T0 + 0.1)
    assert [q.lp for q in rfq.usable_quotes(T0 + 0.15)] == ["lp-1", "lp-2"]
    assert [q.lp for q in rfq.usable_quotes(T0 + 0.2)] == ["lp-1"]
    assert rfq.usable_quotes(T0 + 1.1) == ()
    assert rfq.usable_quotes(T0 + 0.15)[0].size == D(1_000_000)


def test_requote_replaces_and_a_quote_after_a_reject_replaces_the_reject() -> None:
    rfq = make_rfq(("lp-1",))
    rfq.on_quote(answer("lp-1", "R7.1", "1.0900"), T0)
    rfq.on_quote(answer("lp-1", "R7.1", "1.0850"), T0 + 0.01)
    assert [q.price for q in rfq.usable_quotes(T0 + 0.01)] == [D("1.0850")]
    rfq.on_reject("lp-1", "R7.1", "withdrawn", T0 + 0.02)
    assert rfq.usable_quotes(T0 + 0.02) == () and rfq.rejects == {"lp-1": "withdrawn"}
    rfq.on_quote(answer("lp-1", "R7.1"), T0 + 0.03)
    assert rfq.rejects == {} and len(rfq.usable_quotes(T0 + 0.03)) == 1


def test_an_lp_listed_twice_is_asked_once() -> None:
    assert make_rfq(("lp-1", "lp-1")).lps == ("lp-1",)
