"""The FIX engine: sessions from a config, acceptor ports, initiators, timers, shutdown.

One `Engine` runs every session of a `GatewayConfig` in one asyncio loop:
acceptor sessions sharing a port are served by one listening socket (the
first Logon on a connection names its session); each initiator session has a
task that connects, and reconnects every ReconnectInterval, logging each attempt.
A single timer polls every session's heartbeat/logon/logout clocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from datetime import UTC, datetime

from gateway.config.model import GatewayConfig, SessionID, SessionSettings
from gateway.fix.codec import split_fields
from gateway.fix.dictionary import DataDictionary
from gateway.fix.errors import Garbled
from gateway.fix.validation import ValidationOptions, Validator
from gateway.session.application import Application
from gateway.session.clock import Clock, SystemClock
from gateway.session.core import Session
from gateway.session.log import NullLog, SessionLog
from gateway.session.store.base import MessageStoreFactory
from gateway.session.store.file import FileStoreFactory
from gateway.transport.connection import FixConnection
from gateway.transport.flush import TurnFlusher

POLL_INTERVAL_S = 0.1
LogFactory = Callable[[SessionSettings], SessionLog]
EventSink = Callable[[str], None]


def build_validator(settings: SessionSettings) -> Validator:
    dictionary = DataDictionary.load(settings.data_dictionary) if settings.use_data_dictionary else None
    return Validator(dictionary, ValidationOptions(
        fields_out_of_order=settings.validate_fields_out_of_order,
        fields_have_values=settings.validate_fields_have_values,
        user_defined_fields=settings.validate_user_defined_fields,
        allow_unknown_msg_fields=settings.allow_unknown_msg_fields,
    ))


class Engine:
    """Runs the sessions of a config with one application."""

    def __init__(self, config: GatewayConfig, application: Application, *,
                 clock: Clock | None = None, log_factory: LogFactory | None = None,
                 store_factory: Callable[[SessionSettings], MessageStoreFactory] | None = None,
                 global_event: EventSink | None = None) -> None:
        self.config = config
        self.application = application
        self.clock = clock or SystemClock()
        self._log_factory = log_factory or (lambda settings: NullLog())
        self._store_factory = store_factory or (
            lambda settings: FileStoreFactory(settings.file_store_path, config.gateway.persistence_sync))
        self.global_event: EventSink = global_event or (lambda text: None)
        self.sessions: dict[SessionID, Session] = {}
        self.flusher: TurnFlusher | None = None
        self._servers: list[asyncio.Server] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._initiators: list[asyncio.Task[None]] = []
        self._connections: set[FixConnection] = set()

    # -- lifecycle --------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.flusher = TurnFlusher(loop)
        now = datetime.now(UTC)
        for settings in self.config.sessions:
            store = self._store_factory(settings).open(str(settings.session_id), now)
            session = Session(settings, store, self.application, self._log_factory(settings),
                              self.clock, build_validator(settings))
            self.sessions[settings.session_id] = session
            session.event(f"Created session (next sender {store.next_sender_seq}, "
                          f"next target {store.next_target_seq})")
            discarded = getattr(store, "discarded_tail_bytes", 0)
            if discarded:
                session.event(f"Store recovery cut {discarded} bytes of torn or corrupt journal tail")
        await self._start_acceptors()
        for session in self.sessions.values():
            if session.initiator:
                self._initiators.append(loop.create_task(self._run_initiator(session)))
        self._tasks.extend(self._initiators)
        self._tasks.append(loop.create_task(self._poll_forever()))

    async def stop(self, timeout_s: float = 2.0) -> None:
        """Log out every session, wait for the handshakes (bounded), then close everything."""
        for task in self._initiators:
            task.cancel()
        for session in self.sessions.values():
            session.logout("Gateway shutting down")
        deadline = asyncio.get_running_loop().time() + timeout_s
        while any(s.connected for s in self.sessions.values()):
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.02)
        for session in self.sessions.values():
            if session.connected:
                session.disconnect("shutdown")
        if self.flusher is not None:
            await self.flusher.drain()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for server in self._servers:
            server.close()
        for connection in list(self._connections):
            if connection.transport is not None:
                connection.transport.close()
        for server in self._servers:
            await server.wait_closed()
        if self.flusher is not None:
            await self.flusher.drain()
            self.flusher.close()
        for session in self.sessions.values():
            session.store.close()
            session.log.close()

    # -- acceptors ------------------------------------------------------------------
    async def _start_acceptors(self) -> None:
        ports: dict[tuple[str, int], list[SessionSettings]] = {}
        for settings in self.config.acceptors:
            assert settings.socket_accept_port is not None
            ports.setdefault((settings.socket_accept_host, settings.socket_accept_port), []).append(settings)
        loop = asyncio.get_running_loop()
        for (host, port), group in ports.items():
            limit = max(s.max_message_size for s in group)
            server = await loop.create_server(
                functools.partial(self._new_connection, None, limit), host, port,
                reuse_address=all(s.socket_reuse_address for s in group))
            self._servers.append(server)
            self.global_event(f"Listening on {host}:{port} for {len(group)} session(s)")

    def _new_connection(self, session: Session | None, max_message_size: int) -> FixConnection:
        assert self.flusher is not None
        connection = FixConnection(self.flusher, session, self._route if session is None else None,
                                   max_message_size)
        self._connections.add(connection)
        connection.on_closed = self._connections.discard
        return connection

    def _route(self, connection: FixConnection, frame: bytes | Garbled) -> Session | None:
        """Find the session a new acceptor connection's first message logs on to."""
        if isinstance(frame, Garbled):
            if frame.reason.name != "JUNK":
                self._refuse(connection, f"garbled first message ({frame.reason.value})")
            return None
        split = split_fields(frame)
        if isinstance(split, Garbled):
            self._refuse(connection, f"garbled first message ({split.reason.value})")
            return None
        fields = dict(zip(split[0], split[1], strict=True))
        session_id = SessionID(fields.get(8, ""), fields.get(56, ""), fields.get(49, ""))
        session = self.sessions.get(session_id)
        if session is None or session.initiator:
            self._refuse(connection, f"no session for incoming message {session_id}")
            return None
        if fields.get(35) != "A":
            self._refuse(connection, f"first message on {session_id} is not a Logon")
            return None
        if session.connected:
            self._refuse(connection, f"{session_id} is already connected; duplicate Logon dropped")
            return None
        connection.session = session
        session.connect(connection)
        return session

    def _refuse(self, connection: FixConnection, reason: str) -> None:
        self.global_event(f"Refused connection from {connection.peer}: {reason}")
        connection.disconnect()

    # -- initiators -------------------------------------------------------------------
    async def _run_initiator(self, session: Session) -> None:
        """Connect, and after every drop wait ReconnectInterval before connecting again."""
        settings = session.settings
        loop = asyncio.get_running_loop()
        host, port = settings.socket_connect_host or "127.0.0.1", settings.socket_connect_port or 0
        attempt = 0
        while True:
            if not session.connected and settings.schedule.is_session_time(datetime.now(UTC)):
                attempt += 1
                session.event(f"Connecting to {host}:{port} (attempt {attempt})")
                try:
                    await loop.create_connection(
                        lambda: self._new_connection(session, settings.max_message_size), host, port)
                    attempt = 0
                except OSError as error:
                    session.event(f"Connection to {host}:{port} failed: {error}")
            while session.connected:
                await asyncio.sleep(POLL_INTERVAL_S)
            await asyncio.sleep(settings.reconnect_interval_s)

    # -- timers -------------------------------------------------------------------------
    async def _poll_forever(self) -> None:
        tick = 0
        while True:
            await asyncio.sleep(POLL_INTERVAL_S)
            tick += 1
            for session in self.sessions.values():
                try:
                    session.poll()
                    if tick % 10 == 0:
                        self._check_schedule(session)
                except Exception as error:  # one session must not stop the others' timers
                    session.event(f"Timer error: {error!r}")
                    self.global_event(f"Timer error in {session.session_id}: {error!r}")
            self._drop_silent_connections()

    def _drop_silent_connections(self) -> None:
        """Close acceptor connections that have not logged on within LogonTimeout."""
        limit = max((s.logon_timeout_s for s in self.config.acceptors), default=10)
        now = asyncio.get_running_loop().time()
        for connection in list(self._connections):
            if connection.session is None and not connection.closing and now - connection.connected_at > limit:
                self._refuse(connection, f"no Logon within {limit} s")

    def _check_schedule(self, session: Session) -> None:
        schedule = session.settings.schedule
        now = datetime.now(UTC)
        if not schedule.is_same_session(session.store.creation_time, now):
            session.event("New session period: logging out and resetting sequence numbers")
            if session.is_logged_on:
                session.logout("Session period ended")
            session.disconnect("session period ended")
            session.reset_sequences()
        elif session.connected and not schedule.is_session_time(now):
            session.logout("Outside session time")
