"""`fixgw demo`: the gateway, three simulated LPs and a demo client, end to end (SPEC §7, §9).

Everything shown happens for real: the LP simulator is told to reject at last
look or to drop its session, and the demo prints what the gateway actually did
(its reports and its own events). It exits non-zero if the gateway did not do
what the scenario expects, so the demo doubles as a smoke test.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from gateway.commands.demo_setup import client_port, relocate, simulated_lps
from gateway.commands.serve import fail, run
from gateway.config import FixgwConfigError, load_config
from gateway.config.model import GatewayConfig
from gateway.logging_setup import configure_logging
from gateway.service import Gateway
from gateway.sim.client import ClientOrder, OrderClient
from gateway.sim.lp_app import LPSimulator

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "sessions.cfg"
_SHOWN_EVENTS = frozenset({"breaker", "reroute", "unknown_child", "reconciled"})


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="gateway + 3 simulated LPs + a demo client")
    parser.add_argument("-c", "--config", default=str(DEFAULT_CONFIG),
                        help="sessions file (default: the repository's sessions.cfg)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    configure_logging(level="WARNING")
    try:
        config = load_config(args.config)
    except FixgwConfigError as error:
        return fail(str(error))
    with tempfile.TemporaryDirectory(prefix="fixgw-demo-") as scratch:
        return run(Demo(relocate(config, Path(scratch))).run())


class Demo:
    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.events: list[tuple[str, str]] = []
        self.listening = True
        self.orders: list[tuple[str, ClientOrder]] = []
        self.problems: list[str] = []
        self.sim = LPSimulator(simulated_lps(config))
        self.gateway = Gateway(config, on_event=self._on_event)
        port, sender, target = client_port(config)
        self.client = OrderClient(port, sender=sender, target=target)

    def _on_event(self, kind: str, text: str, fields: dict[str, Any]) -> None:
        if kind in _SHOWN_EVENTS and self.listening:
            self.events.append((kind, text))
            print(f"      gateway event  {kind:<13} {text}")

    async def run(self) -> int:
        await self.sim.start()
        await self.gateway.start()
        try:
            for lp in self.sim.lps:
                await self.sim.wait_logged_on(lp)
            await self.client.start()
            print(f"fixgw demo: gateway up, LPs {', '.join(self.sim.lps)} logged on, client connected\n")
            await self.scenario()
            self.listening = False
            self.summary()
        finally:
            await self.client.stop()
            await self.gateway.stop()
            await self.sim.stop()
        for problem in self.problems:
            print(f"UNEXPECTED: {problem}")
        return 1 if self.problems else 0

    async def step(self, title: str, symbol: str, side: str, quantity: int,
                   expect: str, **options: Any) -> ClientOrder:
        print(f"  {title}")
        order = await self.client.order(symbol, side, Decimal(quantity), **options)
        for r in order.reports:
            fill = f" {r.last_qty} @ {r.last_px} from {r.last_mkt}" if r.last_qty else ""
            text = f"  ({r.text})" if r.text else ""
            print(f"      report 150={r.exec_type} 39={r.ord_status} cum={r.cum_qty} "
                  f"avg={r.avg_px}{fill}{text}")
        self.orders.append((title, order))
        final = order.last
        if final is None or final.ord_status != expect:
            self.problems.append(f"{title}: expected OrdStatus {expect}, got "
                                 f"{final.ord_status if final else 'nothing'}")
        print()
        return order

    async def scenario(self) -> None:
        await self.step("1. best execution: buy 1,000,000 EUR/USD", "EUR/USD", "1", 1_000_000, "2")
        await self.step("2. split: sell 6,000,000 EUR/USD across LPs in proportion to size",
                        "EUR/USD", "2", 6_000_000, "2", strategy="split")
        await self.step("3. sequential: buy 500,000 GBP/USD, preferring LP3 then LP2",
                        "GBP/USD", "1", 500_000, "2", strategy="sequential", preferred="LP3,LP2")
        best = self.sim.behaviour("LP1")
        self.sim.set_behaviour("LP1", dataclasses.replace(best, last_look_reject_rate=1.0))
        print("  (LP1 told to reject every order at last look)")
        reroutes = len(self.events)
        await self.step("4. last-look reject: buy 1,000,000 EUR/USD; LP1 quotes best, then rejects",
                        "EUR/USD", "1", 1_000_000, "2")
        if not any(kind == "reroute" for kind, _ in self.events[reroutes:]):
            self.problems.append("step 4: no re-route after LP1's last-look reject")
        self.sim.set_behaviour("LP1", best)
        print("  (LP3's session dropped by the simulator)")
        self.sim.drop("LP3", "demo: simulated LP crash")
        await asyncio.sleep(0.2)
        if not any(kind == "breaker" and "LP3" in text for kind, text in self.events):
            self.problems.append("step 5: LP3's breaker did not trip on the session drop")
        await self.step("5. manual to LP3 while its breaker is open: rejected",
                        "EUR/USD", "1", 100_000, "8", ex_destination="LP3", strategy="manual")
        await self.step("6. best execution keeps working without LP3: sell 1,000,000 USD/JPY",
                        "USD/JPY", "2", 1_000_000, "2")

    def summary(self) -> None:
        print("summary")
        for _, order in self.orders:
            final = order.last
            if final is None:
                continue
            venues = sorted({r.last_mkt for r in order.reports if r.last_mkt})
            print(f"  {order.cl_ord_id:<16} {order.symbol:<8} {'BUY' if order.side == '1' else 'SELL':<4} "
                  f"{order.quantity:>10} status={final.ord_status} filled={final.cum_qty:>10} "
                  f"avg={final.avg_px} via {','.join(venues) or '-'}")
        kinds = [kind for kind, _ in self.events]
        print(f"  re-routes: {kinds.count('reroute')}, breaker transitions: {kinds.count('breaker')}")
        for name, counters in self.sim.summary().items():
            print(f"  {name}: quotes {counters['quotes_sent']}, orders {counters['orders']}, "
                  f"fills {counters['fills']}, last-look rejects {counters['last_look_rejects']}")
