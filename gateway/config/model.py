"""The typed, frozen result of loading a ``sessions.cfg``.

Field names carry units (``_s``, ``_ms``); money and quantities are `Decimal`;
``None`` means "no limit" for the risk limits. Every class can also be built
directly (tests, the demo's embedded defaults): the defaults below are the same
ones the loader applies to a key that is absent.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from gateway.session.schedule import SessionSchedule
from gateway.session.store.base import SyncPolicy

__all__ = [
    "DEFAULT_DATA_DICTIONARY",
    "ChildOrdType",
    "ClientSettings",
    "ConnectionType",
    "GatewayConfig",
    "GatewaySettings",
    "LPSettings",
    "RoutingStrategy",
    "SessionID",
    "SessionSettings",
    "SyncPolicy",
    "TimeInForce",
    "UnknownChildPolicy",
]

DEFAULT_DATA_DICTIONARY = Path(__file__).resolve().parents[2] / "fix_specs" / "FIX44.xml"
"""The project's FIX 4.4 dictionary, used when a session sets no DataDictionary."""

_EMPTY: Mapping[str, str] = MappingProxyType({})


def _no_entries() -> Mapping[str, str]:
    return _EMPTY


class ConnectionType(enum.StrEnum):
    """QuickFIX ConnectionType: who opens the TCP connection."""

    ACCEPTOR = "acceptor"    # a trading client connects to us
    INITIATOR = "initiator"  # we connect to an LP


class RoutingStrategy(enum.StrEnum):
    """How a client order is split over LP quotes (SPEC §4.1; tag 9601)."""

    BEST = "best"
    SPLIT = "split"
    SEQUENTIAL = "sequential"
    MANUAL = "manual"


class ChildOrdType(enum.StrEnum):
    """OrdType(40) of child orders sent to an LP; the value is the FIX value."""

    PREVIOUSLY_QUOTED = "D"  # with QuoteID(117) and Price(44)
    LIMIT = "2"              # a limit order at the quote price


class TimeInForce(enum.StrEnum):
    """TimeInForce(59); the value is the FIX value."""

    DAY = "0"
    GOOD_TILL_CANCEL = "1"
    IMMEDIATE_OR_CANCEL = "3"
    FILL_OR_KILL = "4"


class UnknownChildPolicy(enum.StrEnum):
    """What to do with a child whose state stays UNKNOWN past UnknownChildTimeoutMs."""

    HOLD = "hold"        # keep its quantity reserved and alert (never over-fill)
    RELEASE = "release"  # treat it as unfilled and re-route (risks an over-fill)


@dataclass(frozen=True, order=True)
class SessionID:
    """QuickFIX's session identity; ``str()`` gives ``FIX.4.4:SENDER->TARGET[:QUALIFIER]``."""

    begin_string: str
    sender_comp_id: str
    target_comp_id: str
    session_qualifier: str = ""

    def __str__(self) -> str:
        text = f"{self.begin_string}:{self.sender_comp_id}->{self.target_comp_id}"
        return f"{text}:{self.session_qualifier}" if self.session_qualifier else text


@dataclass(frozen=True)
class ClientSettings:
    """Routing and pre-trade risk of a client (acceptor) session; None = no limit."""

    routing_strategy: RoutingStrategy = RoutingStrategy.BEST
    preferred_lps: tuple[str, ...] = ()       # LPNames, in preference order
    max_order_qty: Decimal | None = None
    max_order_notional: Decimal | None = None  # OrderQty x price, in the quote currency
    price_collar_pct: Decimal | None = None    # percent: 2.5 means +/-2.5 %
    max_orders_per_second: int | None = None


@dataclass(frozen=True)
class LPSettings:
    """An LP (initiator) session's name, symbols, breaker and child-order settings."""

    name: str
    symbols: tuple[str, ...] = ()  # e.g. ("EUR/USD", "GBP/USD"); empty = never asked
    breaker_failure_threshold: int = 5
    breaker_window_s: float = 60.0
    breaker_reset_s: float = 30.0
    breaker_half_open_trials: int = 3
    child_ord_type: ChildOrdType = ChildOrdType.PREVIOUSLY_QUOTED
    child_time_in_force: TimeInForce = TimeInForce.IMMEDIATE_OR_CANCEL
    lot_size: Decimal | None = None  # child quantities are multiples of it
    min_qty: Decimal | None = None   # smallest child quantity the LP accepts


@dataclass(frozen=True)
class SessionSettings:
    """One [SESSION] with [DEFAULT] merged in. QuickFIX keys keep QuickFIX defaults.

    `heartbeat_interval_s` is None for acceptors: they use the client's Logon
    HeartBtInt(108), as QuickFIX does. `client` is set for acceptors, `lp` for
    initiators. `raw` holds every key/value as written (DEFAULT merged).
    Built directly (not from a file), a session is non-stop unless given a schedule.
    """

    session_id: SessionID
    connection_type: ConnectionType
    index: int = 1  # position among the [SESSION] sections, from 1
    # transport
    socket_accept_host: str = "127.0.0.1"
    socket_accept_port: int | None = None
    socket_connect_host: str | None = None
    socket_connect_port: int | None = None
    reconnect_interval_s: int = 30
    socket_reuse_address: bool = True
    socket_nodelay: bool = True
    max_message_size: int = 1_048_576
    max_outbound_queue: int = 10_000
    # session protocol
    heartbeat_interval_s: int | None = None
    schedule: SessionSchedule = field(default_factory=SessionSchedule.always)
    time_zone: str = "UTC"
    reset_on_logon: bool = False
    reset_on_logout: bool = False
    reset_on_disconnect: bool = False
    refresh_on_logon: bool = False
    check_comp_id: bool = True
    check_latency: bool = True
    max_latency_s: int = 120
    logon_timeout_s: int = 10
    logout_timeout_s: int = 2
    persist_messages: bool = True
    send_redundant_resend_requests: bool = False
    # validation
    data_dictionary: Path = DEFAULT_DATA_DICTIONARY
    use_data_dictionary: bool = True
    validate_fields_out_of_order: bool = True
    validate_fields_have_values: bool = True
    validate_user_defined_fields: bool = True
    allow_unknown_msg_fields: bool = False
    validate_length_and_checksum: bool = True
    # files
    file_store_path: Path = Path("store")
    file_log_path: Path = Path("log")
    # routing
    client: ClientSettings | None = None
    lp: LPSettings | None = None
    raw: Mapping[str, str] = field(default_factory=_no_entries, hash=False)

    @property
    def is_acceptor(self) -> bool:
        """True for client sessions (we accept the connection)."""
        return self.connection_type is ConnectionType.ACCEPTOR

    @property
    def is_initiator(self) -> bool:
        """True for LP sessions (we connect)."""
        return self.connection_type is ConnectionType.INITIATOR


@dataclass(frozen=True)
class GatewaySettings:
    """The [GATEWAY] section. Defaults are what an absent key means."""

    admin_http_port: int = 9880           # on 127.0.0.1; 0 disables the admin API
    rfq_timeout_ms: int = 250             # wait for quotes at most this long
    routing_time_budget_ms: int = 2000    # re-routes stop after this; rest is canceled
    redis_url: str | None = None          # None: breakers in memory
    data_path: Path = Path("data")        # order book and routing records
    default_quote_ttl_ms: int = 1000      # life of a quote without ValidUntilTime(62)
    resting_requote_ms: int = 1000        # re-ask quotes for resting DAY/GTC orders
    child_ack_timeout_ms: int = 2000      # no answer to a child in time -> UNKNOWN
    unknown_child_timeout_ms: int = 60000  # then UnknownChildPolicy applies
    unknown_child_policy: UnknownChildPolicy = UnknownChildPolicy.HOLD
    persistence_sync: SyncPolicy = SyncPolicy.BATCH
    raw: Mapping[str, str] = field(default_factory=_no_entries, hash=False)


@dataclass(frozen=True)
class GatewayConfig:
    """A whole config file: its absolute path, [GATEWAY], and the sessions in file order."""

    path: Path
    gateway: GatewaySettings
    sessions: tuple[SessionSettings, ...]
    defaults: Mapping[str, str] = field(default_factory=_no_entries, hash=False)  # raw [DEFAULT]
    notices: tuple[str, ...] = ()  # located notes on ignored QuickFIX keys, for the log

    @property
    def acceptors(self) -> tuple[SessionSettings, ...]:
        """Client sessions, in file order."""
        return tuple(s for s in self.sessions if s.is_acceptor)

    @property
    def initiators(self) -> tuple[SessionSettings, ...]:
        """LP sessions, in file order."""
        return tuple(s for s in self.sessions if s.is_initiator)

    @property
    def lps(self) -> tuple[LPSettings, ...]:
        """The LP settings of every initiator, in file order."""
        return tuple(s.lp for s in self.sessions if s.lp is not None)

    def session(self, session_id: SessionID | str) -> SessionSettings:
        """The session with this id (a `SessionID` or its ``str()``); KeyError if none."""
        wanted = str(session_id)
        for settings in self.sessions:
            if str(settings.session_id) == wanted:
                return settings
        raise KeyError(wanted)

    def lp_session(self, lp_name: str) -> SessionSettings:
        """The initiator session whose LPName is `lp_name`; KeyError if none."""
        for settings in self.sessions:
            if settings.lp is not None and settings.lp.name == lp_name:
                return settings
        raise KeyError(lp_name)
