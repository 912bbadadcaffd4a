"""The LP simulator on our engine: an `Application` performing `LPLogic` reactions.

`LPApplication` feeds every inbound application message of an acceptor
session to the `LPLogic` named by the session's SenderCompID (the LP's CompID)
and performs the `Reaction`: sends at once, or after the response delay with
`loop.call_later` (never blocking the loop), or drops the session for a
scripted disconnect. `LPSimulator` runs several simulated LPs on one `Engine`
in this process (the demo, tests), and lets a caller change an LP's behaviour
or drop its session at runtime.

Usage::

    sim = LPSimulator([SimulatedLP("LP1", 9881), SimulatedLP("LP2", 9882, LPBehaviour(skew=...))])
    await sim.start()
    await sim.wait_logged_on("LP1")
    sim.set_behaviour("LP2", replace(sim.behaviour("LP2"), last_look_reject_rate=1.0))
    print(sim.counters("LP1").fills)
    await sim.stop()
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from gateway.config import GatewayConfig, SessionID, SessionSettings, parse_config
from gateway.fix.message import Message
from gateway.session.application import BaseApplication, UnsupportedMessageType
from gateway.session.clock import Clock, SystemClock
from gateway.session.core import Session
from gateway.session.filelog import FileLogFactory
from gateway.session.log import NullLog, SessionLog
from gateway.session.store.base import MessageStoreFactory
from gateway.session.store.memory import MemoryStoreFactory
from gateway.sim.behaviour import LPBehaviour
from gateway.sim.common import LPCounters, Reaction
from gateway.sim.lp_logic import LPLogic
from gateway.sim.sim_config import SimulatedLP, acceptor_config_text, run_token
from gateway.transport.engine import Engine

__all__ = ["EventSink", "LPApplication", "LPSimulator", "SimulatedLP"]

EventSink = Callable[[str], None]


class LPApplication(BaseApplication):
    """Hosts one `LPLogic` per acceptor session, keyed by the LP's CompID (our SenderCompID)."""

    def __init__(self, logics: Mapping[str, LPLogic], clock: Clock,
                 on_event: EventSink | None = None) -> None:
        self.logics = logics
        self.clock = clock
        self._on_event = on_event or (lambda text: None)
        self._timers: set[asyncio.TimerHandle] = set()

    def on_logon(self, session: Session) -> None:
        self._on_event(f"{_lp(session)}: {session.session_id.target_comp_id} logged on")

    def on_logout(self, session: Session) -> None:
        self._on_event(f"{_lp(session)}: {session.session_id.target_comp_id} logged out")

    def from_app(self, message: Message, session: Session) -> None:
        logic = self.logics.get(_lp(session))
        if logic is None:
            raise UnsupportedMessageType()
        reaction = logic.handle(message, self.clock.time_ns())
        if reaction is None:
            raise UnsupportedMessageType()
        self.perform(session, reaction)

    def perform(self, session: Session, reaction: Reaction) -> None:
        """Send, schedule or disconnect as the reaction says."""
        if reaction.note:
            self._on_event(reaction.note)
        if reaction.disconnect:
            # Synchronous on purpose: the connection stops reading at once, so no later
            # message of the same TCP read is answered by a session that "crashed".
            session.disconnect(reaction.note or "scripted disconnect")
        if not reaction.messages:
            return
        if reaction.delay_ms <= 0 and not reaction.disconnect:
            _send_all(session, reaction.messages)
        else:
            self._schedule(reaction.delay_ms / 1000, session, reaction.messages)

    def _schedule(self, delay_s: float, session: Session, messages: tuple[Message, ...]) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.discard(handle)
            _send_all(session, messages)

        handle = loop.call_later(delay_s, fire)
        self._timers.add(handle)

    @property
    def pending(self) -> int:
        """Delayed answers not sent yet."""
        return len(self._timers)

    def cancel_pending(self) -> None:
        """Forget every delayed answer (on shutdown)."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()


def _lp(session: Session) -> str:
    return session.session_id.sender_comp_id


def _send_all(session: Session, messages: tuple[Message, ...]) -> None:
    for message in messages:
        session.send(message)


class LPSimulator:
    """N simulated LPs served by one `Engine` in this process.

    Stores are in memory unless `store_dir` is given (file stores there); session
    logs are written to `log_dir` when given. Order/execution IDs are prefixed with
    ``<LP>-<run token>`` so they stay unique if the simulator is restarted.
    """

    def __init__(self, lps: Iterable[SimulatedLP], *, host: str = "127.0.0.1",
                 store_dir: Path | None = None, log_dir: Path | None = None,
                 clock: Clock | None = None, on_event: EventSink | None = None) -> None:
        self.lps = {lp.name: lp for lp in lps}
        if not self.lps:
            raise ValueError("an LP simulator needs at least one LP")
        self.host = host
        self.store_dir = store_dir
        self.log_dir = log_dir
        self.clock = clock or SystemClock()
        self.on_event = on_event
        token = run_token(self.clock.time_ns())
        self.logics = {name: LPLogic(lp.behaviour, name=name, id_prefix=f"{name}-{token}")
                       for name, lp in self.lps.items()}
        self.application = LPApplication(self.logics, self.clock, on_event)
        self.config = self._config()
        self.engine: Engine | None = None
        self._log_factory: FileLogFactory | None = None

    def config_text(self) -> str:
        """The acceptor sessions file the simulator runs."""
        return acceptor_config_text(self.lps.values(), self.host, self.store_dir, self.log_dir)

    def _config(self) -> GatewayConfig:
        base = self.store_dir or self.log_dir or Path.cwd()
        return parse_config(self.config_text(), "<lp-sim>", base_dir=base)

    # -- lifecycle ------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on every LP's port."""
        if self.log_dir is not None:
            self._log_factory = FileLogFactory(self.log_dir, self.clock)
        log_factory = self._log_factory

        def make_log(settings: SessionSettings) -> SessionLog:
            return log_factory.create(settings.session_id) if log_factory else NullLog()

        def make_store(settings: SessionSettings) -> MessageStoreFactory:
            return MemoryStoreFactory()

        self.engine = Engine(self.config, self.application, clock=self.clock,
                             log_factory=make_log,
                             store_factory=None if self.store_dir is not None else make_store,
                             global_event=self.on_event)
        await self.engine.start()

    async def stop(self) -> None:
        """Drop delayed answers, log every session out, close the ports."""
        self.application.cancel_pending()
        if self.engine is not None:
            await self.engine.stop()
            self.engine = None
        if self._log_factory is not None:
            self._log_factory.close()
            self._log_factory = None

    async def __aenter__(self) -> LPSimulator:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.stop()

    # -- per LP -----------------------------------------------------------------------
    def session(self, name: str) -> Session | None:
        """The LP's FIX session (None before `start`)."""
        lp = self.lps[name]
        if self.engine is None:
            return None
        return self.engine.sessions.get(SessionID("FIX.4.4", lp.name, lp.gateway_comp_id))

    def logged_on(self, name: str) -> bool:
        session = self.session(name)
        return session is not None and session.is_logged_on

    async def wait_logged_on(self, name: str, timeout_s: float = 10.0) -> None:
        """Wait until the gateway has logged on to `name`; TimeoutError otherwise."""
        async with asyncio.timeout(timeout_s):
            while not self.logged_on(name):
                await asyncio.sleep(0.01)

    def behaviour(self, name: str) -> LPBehaviour:
        return self.logics[name].behaviour

    def set_behaviour(self, name: str, behaviour: LPBehaviour) -> None:
        """Change how `name` behaves from its next inbound message on."""
        self.logics[name].set_behaviour(behaviour)
        if self.on_event is not None:
            self.on_event(f"{name}: behaviour changed")

    def drop(self, name: str, reason: str = "simulated LP drop") -> bool:
        """Disconnect `name`'s session now (no Logout); False if it was not connected."""
        session = self.session(name)
        if session is None or not session.connected:
            return False
        session.disconnect(reason)
        return True

    def counters(self, name: str) -> LPCounters:
        return self.logics[name].counters

    def summary(self) -> dict[str, dict[str, int | str]]:
        """Counters of every LP, by name."""
        return {name: logic.counters.as_dict() for name, logic in self.logics.items()}
