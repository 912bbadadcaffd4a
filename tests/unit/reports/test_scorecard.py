"""The LP scorecard over a window, from a hand-made journal with known figures."""

from __future__ import annotations

from decimal import Decimal

from gateway.reports.periods import Window
from gateway.reports.scorecard import LPScore, percentile, scorecard
from gateway.reports.source import build_book
from tests.unit.reports.journal_data import RECORDS

D = Decimal


ALL_TIME = Window(0, 3000)


def scores(window: Window = ALL_TIME, lps: tuple[str, ...] = ()) -> dict[str, LPScore]:
    return {s.lp: s for s in scorecard(build_book(RECORDS), window, lps)}


def test_quote_figures_per_lp() -> None:
    s = scores()
    assert [(lp, x.quotes_asked, x.quotes_received, x.quote_rejects, x.quotes_timed_out,
             x.best_quotes) for lp, x in sorted(s.items())] == [
        ("LP1", 2, 2, 0, 0, 2), ("LP2", 2, 2, 0, 0, 1), ("LP3", 2, 1, 0, 1, 0),
        ("LP4", 1, 1, 0, 0, 0), ("LP5", 1, 0, 0, 1, 0), ("LP6", 1, 0, 1, 0, 0)]
    assert (s["LP1"].response_ms_median, s["LP1"].response_ms_p99) == (2.5, 3.0)
    assert s["LP5"].response_ms_median is None


def test_child_figures_fill_ratio_last_look_and_price_improvement() -> None:
    lp1, lp2 = scores()["LP1"], scores()["LP2"]
    assert (lp1.child_orders, lp1.last_look_rejects, lp1.quantity_sent, lp1.quantity_filled,
            lp1.fill_ratio, lp1.price_improvement) == (2, 0, D(900000), D(900000), D("1.0000"), D(0))
    assert (lp2.child_orders, lp2.last_look_rejects, lp2.last_look_reject_rate) == (2, 1, D("0.5000"))
    assert lp2.fill_ratio == D("0.5455")                       # 600k of 1.1M
    assert (lp2.price_improvement, lp2.price_improvement_bps) == (D("-0.00005"), D("-0.46"))
    assert scores()["LP3"].fill_ratio is None                  # never sent a child


def test_the_window_limits_what_is_counted() -> None:
    early = scores(Window(0, 1500))
    assert early["LP1"].quotes_asked == 1 and early["LP1"].child_orders == 1
    assert early["LP2"].last_look_rejects == 0
    late = scores(Window(1500, 3000), lps=("LP1", "LP2", "LP9"))
    assert set(late) == {"LP1", "LP2", "LP3", "LP9"}
    assert late["LP9"].quotes_asked == 0 and late["LP9"].last_look_reject_rate is None


def test_json_view_writes_decimals_as_plain_text() -> None:
    view = scores()["LP2"].as_dict()
    assert (view["fill_ratio"], view["price_improvement"], view["last_look_reject_rate"]) == (
        "0.5455", "-0.00005", "0.5")


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 99) == 99.0
    assert percentile(values, 50) == 50.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 99) is None
