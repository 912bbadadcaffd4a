"""Build one `SessionSettings` from a [SESSION] section with [DEFAULT] merged in.

Required keys (as in QuickFIX): BeginString (FIX.4.4 only), SenderCompID,
TargetCompID, ConnectionType; SocketAcceptPort for acceptors; SocketConnectHost,
SocketConnectPort and HeartBtInt for initiators; StartTime and EndTime unless
NonStopSession=Y. Ours: LPName for initiators (every initiator is an LP session).

Routing keys of the other kind of session are an error when written in the
session's own section, and ignored when inherited from [DEFAULT] (so [DEFAULT] can
hold breaker settings for all LPs next to client sessions).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.config.errors import Location
from gateway.config.ini import RawSection
from gateway.config.keys import CLIENT_KEYS, LP_KEYS, check_session_key
from gateway.config.model import (
    DEFAULT_DATA_DICTIONARY,
    ChildOrdType,
    ClientSettings,
    ConnectionType,
    LPSettings,
    RoutingStrategy,
    SessionID,
    SessionSettings,
    TimeInForce,
)
from gateway.config.reader import SectionReader, Value
from gateway.session.schedule import SessionSchedule

__all__ = ["BuiltSession", "build_session", "machine_zone"]

SUPPORTED_BEGIN_STRINGS = ("FIX.4.4",)
_PORT = {"minimum": 1, "maximum": 65535}
_COMP_ID = re.compile(r"[!-~]+")  # printable ASCII, no spaces
_LP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SYMBOL = re.compile(r"[!-~]+")
_ORD_TYPE_ALIASES = {"PREVIOUSLYQUOTED": ChildOrdType.PREVIOUSLY_QUOTED}
_TIF_ALIASES = {
    "GTC": TimeInForce.GOOD_TILL_CANCEL,
    "IOC": TimeInForce.IMMEDIATE_OR_CANCEL,
    "FOK": TimeInForce.FILL_OR_KILL,
}


@dataclass(frozen=True)
class BuiltSession:
    """The settings plus the reader, so that cross-section checks can point at lines."""

    settings: SessionSettings
    reader: SectionReader


def build_session(
    section: RawSection, defaults: RawSection | None, path: str, base_dir: Path
) -> BuiltSession:
    """Check keys, convert values and apply defaults for one [SESSION]."""
    values = {k: Value(e.value, e.line, inherited=True)
              for k, e in (defaults.entries.items() if defaults else ())}
    values.update({k: Value(e.value, e.line) for k, e in section.entries.items()})
    reader = SectionReader(_location(section, path, values), section.line, values, base_dir)
    for key in section.entries:
        check_session_key(key, reader.where(key))
    session_id = _session_id(reader)
    reader.location = Location(path, section.name, section.index, str(session_id))
    reader.require("ConnectionType")
    kind = reader.choice("ConnectionType", ConnectionType, ConnectionType.ACCEPTOR)
    _check_kind_keys(reader, section, kind)
    _check_endpoints(reader, kind)
    raw = MappingProxyType({key: value.text for key, value in values.items()})
    return BuiltSession(_settings(reader, session_id, kind, section.index or 1, raw), reader)


def _settings(
    reader: SectionReader, session_id: SessionID, kind: ConnectionType, index: int,
    raw: MappingProxyType[str, str],
) -> SessionSettings:
    r = reader
    schedule, zone_name = _schedule(r)
    return SessionSettings(
        session_id=session_id,
        connection_type=kind,
        index=index,
        socket_accept_host=r.text("SocketAcceptHost", "127.0.0.1"),
        socket_accept_port=r.optional_integer("SocketAcceptPort", **_PORT),
        socket_connect_host=r.text("SocketConnectHost", "") or None,
        socket_connect_port=r.optional_integer("SocketConnectPort", **_PORT),
        reconnect_interval_s=r.integer("ReconnectInterval", 30, minimum=1),
        socket_reuse_address=r.flag("SocketReuseAddress", True),
        socket_nodelay=r.flag("SocketNodelay", True),
        max_message_size=r.integer("MaxMessageSize", 1_048_576, minimum=256),
        max_outbound_queue=r.integer("MaxOutboundQueue", 10_000, minimum=1),
        heartbeat_interval_s=_heartbeat(r, kind),
        schedule=schedule,
        time_zone=zone_name,
        reset_on_logon=r.flag("ResetOnLogon", False),
        reset_on_logout=r.flag("ResetOnLogout", False),
        reset_on_disconnect=r.flag("ResetOnDisconnect", False),
        refresh_on_logon=r.flag("RefreshOnLogon", False),
        check_comp_id=r.flag("CheckCompID", True),
        check_latency=r.flag("CheckLatency", True),
        max_latency_s=r.integer("MaxLatency", 120, minimum=1),
        logon_timeout_s=r.integer("LogonTimeout", 10, minimum=1),
        logout_timeout_s=r.integer("LogoutTimeout", 2, minimum=1),
        persist_messages=r.flag("PersistMessages", True),
        send_redundant_resend_requests=r.flag("SendRedundantResendRequests", False),
        data_dictionary=_data_dictionary(r),
        use_data_dictionary=r.flag("UseDataDictionary", True),
        validate_fields_out_of_order=r.flag("ValidateFieldsOutOfOrder", True),
        validate_fields_have_values=r.flag("ValidateFieldsHaveValues", True),
        validate_user_defined_fields=r.flag("ValidateUserDefinedFields", True),
        allow_unknown_msg_fields=r.flag("AllowUnknownMsgFields", False),
        validate_length_and_checksum=r.flag("ValidateLengthAndChecksum", True),
        file_store_path=r.path("FileStorePath", Path("store")),
        file_log_path=r.path("FileLogPath", Path("log")),
        client=_client(r) if kind is ConnectionType.ACCEPTOR else None,
        lp=_lp(r) if kind is ConnectionType.INITIATOR and r.has("LPName") else None,
        raw=raw,
    )


def _location(section: RawSection, path: str, values: dict[str, Value]) -> Location:
    """The section's location, naming the session id as soon as its keys are present."""
    parts = [values[k].text if k in values else "" for k in
             ("BeginString", "SenderCompID", "TargetCompID", "SessionQualifier")]
    known = str(SessionID(*parts)) if all(parts[:3]) else None
    return Location(path, section.name, section.index, known)


def _session_id(reader: SectionReader) -> SessionID:
    begin = reader.require("BeginString")
    if begin not in SUPPORTED_BEGIN_STRINGS:
        reader.fail("BeginString", f"fixgw speaks FIX.4.4 only, got {begin!r}")
    comp_ids = []
    for key in ("SenderCompID", "TargetCompID"):
        value = reader.require(key)
        if not _COMP_ID.fullmatch(value):
            reader.fail(key, f"a CompID is printable ASCII without spaces, got {value!r}")
        comp_ids.append(value)
    qualifier = reader.text("SessionQualifier", "")
    return SessionID(begin, comp_ids[0], comp_ids[1], qualifier)


def _check_kind_keys(reader: SectionReader, section: RawSection, kind: ConnectionType) -> None:
    if kind is ConnectionType.ACCEPTOR:
        if reader.has("SessionQualifier"):
            reader.fail("SessionQualifier", "cannot be used with an acceptor (as in QuickFIX)")
        wrong, other = LP_KEYS, "LP sessions (ConnectionType=initiator)"
    else:
        wrong, other = CLIENT_KEYS, "client sessions (ConnectionType=acceptor)"
    for key in section.entries:
        if key in wrong:
            reader.fail(key, f"this key is only for {other}")


def _check_endpoints(reader: SectionReader, kind: ConnectionType) -> None:
    if kind is ConnectionType.ACCEPTOR:
        reader.require("SocketAcceptPort", "required for acceptors")
    else:
        reader.require("SocketConnectHost", "required for initiators")
        reader.require("SocketConnectPort", "required for initiators")
        reader.require("HeartBtInt", "required for initiators")


def _heartbeat(reader: SectionReader, kind: ConnectionType) -> int | None:
    heartbeat = reader.optional_integer("HeartBtInt", minimum=1)
    # Acceptors take it from the client's Logon, as QuickFIX does.
    return heartbeat if kind is ConnectionType.INITIATOR else None


def _schedule(reader: SectionReader) -> tuple[SessionSchedule, str]:
    zone, zone_name = _zone(reader)
    start_time = reader.time_of_day("StartTime")
    end_time = reader.time_of_day("EndTime")
    start_day, end_day = reader.weekday("StartDay"), reader.weekday("EndDay")
    if reader.flag("NonStopSession", False):
        return SessionSchedule(zone=zone, non_stop=True), zone_name
    if start_time is None:
        reader.fail("StartTime", "missing (required unless NonStopSession=Y)")
    if end_time is None:
        reader.fail("EndTime", "missing (required unless NonStopSession=Y)")
    if (start_day is None) != (end_day is None):
        present, absent = ("StartDay", "EndDay") if end_day is None else ("EndDay", "StartDay")
        reader.fail(present, f"{present} is set without {absent}")
    return SessionSchedule(start_time, end_time, start_day, end_day, zone), zone_name


def _zone(reader: SectionReader) -> tuple[tzinfo, str]:
    local = reader.flag("UseLocalTime", False)
    if not reader.has("TimeZone"):
        return machine_zone() if local else (UTC, "UTC")
    if local:
        reader.fail("TimeZone", "set both TimeZone and UseLocalTime=Y; choose one")
    name = reader.text("TimeZone", "UTC")
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        reader.fail("TimeZone", f"unknown time zone {name!r} (an IANA name such as "
                                "'Europe/London' or 'America/New_York')")


def machine_zone() -> tuple[tzinfo, str]:
    """The machine's local time zone (for UseLocalTime=Y) and its name.

    Read from ``TZ`` when it names an IANA zone, else from ``/etc/localtime``; UTC
    when neither can be read. DST rules are kept (a fixed offset would not do).
    """
    name = os.environ.get("TZ", "").removeprefix(":")
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    target = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in target:
        name = target.split("zoneinfo/", 1)[1]
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime"), "localtime"
    except (OSError, ValueError):
        return UTC, "UTC"


def _data_dictionary(reader: SectionReader) -> Path:
    dictionary = reader.path("DataDictionary", DEFAULT_DATA_DICTIONARY)
    if (reader.has("DataDictionary") and reader.flag("UseDataDictionary", True)
            and not dictionary.is_file()):
        reader.fail("DataDictionary", f"file not found: {dictionary}")
    return dictionary


def _client(reader: SectionReader) -> ClientSettings:
    return ClientSettings(
        routing_strategy=reader.choice("RoutingStrategy", RoutingStrategy, RoutingStrategy.BEST),
        preferred_lps=reader.items("PreferredLPs"),
        max_order_qty=reader.decimal("MaxOrderQty"),
        max_order_notional=reader.decimal("MaxOrderNotional"),
        price_collar_pct=reader.decimal("PriceCollarPct"),
        max_orders_per_second=reader.optional_integer("MaxOrdersPerSecond", minimum=1),
    )


def _lp(reader: SectionReader) -> LPSettings:
    name = reader.require("LPName", "required for initiators: every initiator is an LP")
    if not _LP_NAME.fullmatch(name):
        reader.fail("LPName", f"use letters, digits, '_', '.' or '-' only, got {name!r}")
    symbols = reader.items("LPSymbols")
    for symbol in symbols:
        if not _SYMBOL.fullmatch(symbol):
            reader.fail("LPSymbols", f"a symbol has no spaces (e.g. EUR/USD), got {symbol!r}")
    return LPSettings(
        name=name,
        symbols=symbols,
        breaker_failure_threshold=reader.integer("BreakerFailureThreshold", 5, minimum=1),
        breaker_window_s=reader.seconds("BreakerWindowSeconds", 60.0),
        breaker_reset_s=reader.seconds("BreakerResetSeconds", 30.0),
        breaker_half_open_trials=reader.integer("BreakerHalfOpenTrials", 3, minimum=1),
        child_ord_type=reader.choice("ChildOrdType", ChildOrdType,
                                     ChildOrdType.PREVIOUSLY_QUOTED, _ORD_TYPE_ALIASES),
        child_time_in_force=reader.choice("ChildTimeInForce", TimeInForce,
                                          TimeInForce.IMMEDIATE_OR_CANCEL, _TIF_ALIASES),
        lot_size=reader.decimal("LotSize"),
        min_qty=reader.decimal("MinQty"),
    )
