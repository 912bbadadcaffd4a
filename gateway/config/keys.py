"""Which keys each section accepts, and the error for a key that is not one of them.

QuickFIX ignores keys it does not know; we reject them so that a typo
(``HeartbtInt``) is caught at start-up, with a "did you mean" hint. Known QuickFIX
keys fall in three groups: supported (they do what QuickFIX does), ignored (they
only tune QuickFIX's own logging or socket buffers; accepted so an existing
QuickFIX config loads, and without effect), and unsupported (they ask for a
feature fixgw does not have, so silently ignoring them would mislead).
"""

from __future__ import annotations

import difflib

from gateway.config.errors import ConfigError, Location

__all__ = [
    "CLIENT_KEYS",
    "COMMON_KEYS",
    "GATEWAY_KEYS",
    "IGNORED_QUICKFIX_KEYS",
    "LP_KEYS",
    "QUICKFIX_KEYS",
    "SESSION_KEYS",
    "UNSUPPORTED_QUICKFIX_KEYS",
    "check_gateway_key",
    "check_session_key",
]

QUICKFIX_KEYS = frozenset({
    "BeginString", "SenderCompID", "TargetCompID", "SessionQualifier", "ConnectionType",
    "SocketAcceptPort", "SocketAcceptHost", "SocketConnectHost", "SocketConnectPort",
    "ReconnectInterval", "HeartBtInt",
    "StartTime", "EndTime", "StartDay", "EndDay", "TimeZone", "UseLocalTime",
    "NonStopSession",
    "ResetOnLogon", "ResetOnLogout", "ResetOnDisconnect", "RefreshOnLogon",
    "FileStorePath", "FileLogPath", "DataDictionary", "UseDataDictionary",
    "ValidateFieldsOutOfOrder", "ValidateFieldsHaveValues", "ValidateUserDefinedFields",
    "AllowUnknownMsgFields", "ValidateLengthAndChecksum",
    "CheckCompID", "CheckLatency", "MaxLatency", "LogonTimeout", "LogoutTimeout",
    "PersistMessages", "SendRedundantResendRequests", "SocketReuseAddress", "SocketNodelay",
})
"""QuickFIX session settings fixgw implements with QuickFIX's meaning."""

COMMON_KEYS = frozenset({"MaxMessageSize", "MaxOutboundQueue"})
"""fixgw keys valid in every session."""

CLIENT_KEYS = frozenset({
    "RoutingStrategy", "PreferredLPs", "MaxOrderQty", "MaxOrderNotional", "PriceCollarPct",
    "MaxOrdersPerSecond",
})
"""fixgw keys of client sessions (ConnectionType=acceptor)."""

LP_KEYS = frozenset({
    "LPName", "LPSymbols", "BreakerFailureThreshold", "BreakerWindowSeconds",
    "BreakerResetSeconds", "BreakerHalfOpenTrials", "ChildOrdType", "ChildTimeInForce",
    "LotSize", "MinQty",
})
"""fixgw keys of LP sessions (ConnectionType=initiator)."""

GATEWAY_KEYS = frozenset({
    "AdminHttpPort", "RFQTimeoutMs", "RoutingTimeBudgetMs", "RedisURL", "DataPath",
    "DefaultQuoteTTLMs", "RestingRequoteMs", "ChildAckTimeoutMs", "UnknownChildTimeoutMs",
    "UnknownChildPolicy", "PersistenceSync",
})
"""Keys of the [GATEWAY] section."""

IGNORED_QUICKFIX_KEYS: dict[str, str] = {
    "ScreenLogShowIncoming": "fixgw has no screen log; use FileLogPath and `fixgw log`",
    "ScreenLogShowOutgoing": "fixgw has no screen log; use FileLogPath and `fixgw log`",
    "ScreenLogShowEvents": "fixgw has no screen log; use FileLogPath and `fixgw log`",
    "ScreenLogShowHeartBeats": "fixgw has no screen log; use FileLogPath and `fixgw log`",
    "SocketSendBufferSize": "the operating system's socket buffer sizes are used",
    "SocketReceiveBufferSize": "the operating system's socket buffer sizes are used",
    "SendBufferSize": "the operating system's socket buffer sizes are used",
    "ReceiveBufferSize": "the operating system's socket buffer sizes are used",
    "FileLogBackupPath": "logs are appended in FileLogPath; rotate them externally",
    "FileIncludeMilliseconds": "log timestamps always carry milliseconds",
    "FileIncludeTimeStampForMessages": "the events log is timestamped; messages carry 52",
    "MillisecondsInTimeStamp": "SendingTime always carries milliseconds",
    "TimeStampPrecision": "SendingTime always carries milliseconds",
    "HttpAcceptPort": "QuickFIX's status page; fixgw's admin API is [GATEWAY] AdminHttpPort",
}
"""QuickFIX keys accepted without effect, with the reason."""

UNSUPPORTED_QUICKFIX_KEYS: dict[str, str] = {
    "LogonTime": "logon follows StartTime/EndTime",
    "LogoutTime": "logout follows StartTime/EndTime",
    "LogonDay": "logon follows StartDay/EndDay",
    "LogoutDay": "logout follows StartDay/EndDay",
    "Weekdays": "use StartDay/EndDay for a weekly session",
    "SendResetSeqNumFlag": "use ResetOnLogon",
    "FileStoreSync": "durability is [GATEWAY] PersistenceSync",
    "TransportDataDictionary": "fixgw speaks FIX.4.4 only; use DataDictionary",
    "AppDataDictionary": "fixgw speaks FIX.4.4 only; use DataDictionary",
    "DefaultApplVerID": "fixgw speaks FIX.4.4 only",
    "SocketUseSSL": "TLS is not supported; terminate it in front of the gateway",
}
"""QuickFIX keys for features fixgw does not have: rejected with the reason."""

SESSION_KEYS = QUICKFIX_KEYS | COMMON_KEYS | CLIENT_KEYS | LP_KEYS
"""Every key a [SESSION] or [DEFAULT] section may set (plus the ignored ones)."""

def check_session_key(key: str, where: Location) -> None:
    """Raise `ConfigError` unless `key` may appear in [SESSION]/[DEFAULT]."""
    if key in SESSION_KEYS or key in IGNORED_QUICKFIX_KEYS:
        return
    if key in GATEWAY_KEYS:
        raise ConfigError(where, "this key belongs in the [GATEWAY] section")
    _reject(key, where, SESSION_KEYS | IGNORED_QUICKFIX_KEYS.keys())


def check_gateway_key(key: str, where: Location) -> None:
    """Raise `ConfigError` unless `key` may appear in [GATEWAY]."""
    if key in GATEWAY_KEYS:
        return
    if key in SESSION_KEYS or key in IGNORED_QUICKFIX_KEYS:
        raise ConfigError(
            where, "this is a session setting; put it in [DEFAULT] or a [SESSION] section"
        )
    _reject(key, where, GATEWAY_KEYS)


def _reject(key: str, where: Location, candidates: frozenset[str] | set[str]) -> None:
    if key in UNSUPPORTED_QUICKFIX_KEYS:
        raise ConfigError(
            where, f"QuickFIX setting not supported by fixgw ({UNSUPPORTED_QUICKFIX_KEYS[key]})"
        )
    raise ConfigError(where, "unknown key" + _suggestion(key, candidates))


def _suggestion(key: str, candidates: frozenset[str] | set[str]) -> str:
    by_case = {name.lower(): name for name in candidates}
    if key.lower() in by_case:
        return f"; did you mean {by_case[key.lower()]}? (keys are case-sensitive)"
    close = difflib.get_close_matches(key, sorted(candidates), n=1, cutoff=0.7)
    if not close:
        lowered = difflib.get_close_matches(key.lower(), sorted(by_case), n=1, cutoff=0.7)
        close = [by_case[lowered[0]]] if lowered else []
    if close:
        return f"; did you mean {close[0]}?"
    return " (neither a QuickFIX session setting nor a fixgw key)"
