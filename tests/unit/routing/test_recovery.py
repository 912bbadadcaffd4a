"""Fills in the journal that never reached the client are reported again after a crash."""

from decimal import Decimal as D

from gateway.journal import MemoryJournal
from routing import executions
from routing.actions import Admit, SendChild, SendQuoteRequest
from routing.inbound import ChildReport, NewOrder
from routing.model import LPInfo, LPQuote
from routing.recovery import unreported_fills
from routing.router import Router, RouterConfig

LPS = {name: LPInfo(name, frozenset({"EUR/USD"})) for name in ("LP1", "LP2")}


def _router_with_two_fills() -> tuple[Router, list[str]]:
    router = Router(RouterConfig(lps=LPS), MemoryJournal(), "t")
    for lp in LPS:
        router.on_lp_up(lp, 0.0)
    actions = router.submit(NewOrder("S", "C1", "EUR/USD", "1", D(1000), "1", None, "3", "split",
                                     (), None), 1.0)
    admit = next(a for a in actions if isinstance(a, Admit))
    requests = [a.request for a in router.on_admitted(admit.order_id, 1, admit.lps, 1.0)
                if isinstance(a, SendQuoteRequest)]
    sent = []
    for request, offer in zip(requests, ("1.10", "1.20"), strict=True):
        sent += router.on_quote(LPQuote(request.lp, request.quote_req_id, "Q", "EUR/USD",
                                        offer_px=D(offer), offer_size=D(500), valid_until_s=99.0), 1.1)
    exec_ids = []
    for child in (a.child for a in sent if isinstance(a, SendChild)):
        report = ChildReport(child.lp, child.child_id, "L", f"E-{child.child_id}", "F", "2",
                             child.quantity, child.price, child.quantity, child.price, D(0), "")
        for action in executions.on_child_report(router, report, 1.2):
            if getattr(action, "exec_type", "") == "F":
                exec_ids.append(action.exec_id)  # type: ignore[union-attr]
    return router, exec_ids


def test_every_fill_reported_means_nothing_to_resend() -> None:
    router, exec_ids = _router_with_two_fills()
    assert len(exec_ids) == 2
    assert unreported_fills(router.book, exec_ids, {"S"}) == []


def test_missing_fill_is_reported_with_the_figures_after_that_fill() -> None:
    router, exec_ids = _router_with_two_fills()
    missing = unreported_fills(router.book, exec_ids[:1], {"S"})
    assert [r.exec_id for r in missing] == exec_ids[1:]
    report = missing[0]
    assert report.cum_qty == D(1000) and report.leaves_qty == 0 and report.ord_status == "2"
    assert report.avg_px == D("1.15")
    assert report.last_qty == D(500) and report.last_mkt in LPS


def test_other_sessions_orders_are_left_alone() -> None:
    router, _ = _router_with_two_fills()
    assert unreported_fills(router.book, set(), {"OTHER"}) == []
