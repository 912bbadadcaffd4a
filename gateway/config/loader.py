"""Load a ``sessions.cfg``: sections -> typed settings -> checks across sections.

Relative paths (FileStorePath, FileLogPath, DataDictionary, DataPath) are taken
relative to the folder of the config file, not the working directory (QuickFIX
uses the working directory); so ``fixgw run -c /etc/fixgw/sessions.cfg`` behaves
the same from any directory. Every returned path is absolute.

Checks across sections: at least one session; session ids unique; LPNames unique;
PreferredLPs name configured LPs; acceptors sharing a SocketAcceptPort agree on
SocketAcceptHost (one listening socket serves all sessions on a port); no acceptor
on the AdminHttpPort; RFQTimeoutMs fits in RoutingTimeBudgetMs.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType

from gateway.config.errors import ConfigError, Location
from gateway.config.ini import RawSection, parse_ini
from gateway.config.keys import IGNORED_QUICKFIX_KEYS, check_gateway_key, check_session_key
from gateway.config.model import GatewayConfig, GatewaySettings, UnknownChildPolicy
from gateway.config.reader import SectionReader, Value
from gateway.config.sessions import BuiltSession, build_session
from gateway.session.store.base import SyncPolicy

__all__ = ["load_config", "parse_config"]

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def load_config(path: str | os.PathLike[str]) -> GatewayConfig:
    """Read and check a config file; raise `ConfigError` naming file, section and key."""
    shown = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(
            Location(shown), f"cannot read the file: {error.strerror or error}"
        ) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(Location(shown, line=line), "not UTF-8 text") from None
    return parse_config(text, shown, base_dir=Path(path).parent)


def parse_config(
    text: str, path_for_errors: str | os.PathLike[str] = "<config>", *,
    base_dir: str | os.PathLike[str] | None = None,
) -> GatewayConfig:
    """Parse config text. Errors name `path_for_errors`; relative paths resolve
    against `base_dir` (default: the folder of `path_for_errors`)."""
    shown = os.fspath(path_for_errors)
    folder = Path(os.path.abspath(base_dir if base_dir is not None else Path(shown).parent))
    sections = parse_ini(text, shown)
    defaults = _single(sections, "DEFAULT")
    gateway_section = _single(sections, "GATEWAY")
    notices = _check_defaults(defaults, shown)
    built = [build_session(s, defaults, shown, folder)
             for s in sections if s.name == "SESSION"]
    if not built:
        raise ConfigError(Location(shown), "no [SESSION] section: configure at least one session")
    gateway, gateway_reader = _gateway(gateway_section, shown, folder)
    notices += _notices(built)
    _check_unique(built)
    _check_preferred_lps(built)
    _check_ports(built, gateway, gateway_reader)
    return GatewayConfig(
        path=Path(os.path.abspath(shown)),
        gateway=gateway,
        sessions=tuple(b.settings for b in built),
        defaults=MappingProxyType({k: e.value for k, e in defaults.entries.items()}
                                  if defaults else {}),
        notices=tuple(notices),
    )


def _single(sections: list[RawSection], name: str) -> RawSection | None:
    return next((s for s in sections if s.name == name), None)


def _check_defaults(defaults: RawSection | None, path: str) -> list[str]:
    if defaults is None:
        return []
    notices = []
    for key, entry in defaults.entries.items():
        where = defaults.location(path).at(line=entry.line, key=key)
        check_session_key(key, where)
        if key in IGNORED_QUICKFIX_KEYS:
            notices.append(f"{where}: ignored ({IGNORED_QUICKFIX_KEYS[key]})")
    return notices


def _notices(built: list[BuiltSession]) -> list[str]:
    notices = []
    for session in built:
        for key in session.settings.raw:
            if key in IGNORED_QUICKFIX_KEYS and session.reader.own(key):
                notices.append(f"{session.reader.where(key)}: ignored "
                               f"({IGNORED_QUICKFIX_KEYS[key]})")
    return notices


def _gateway(
    section: RawSection | None, path: str, folder: Path
) -> tuple[GatewaySettings, SectionReader]:
    entries = section.entries if section else {}
    location = Location(path, "GATEWAY")
    values = {k: Value(e.value, e.line) for k, e in entries.items()}
    r = SectionReader(location, section.line if section else 0, values, folder)
    for key in values:
        check_gateway_key(key, r.where(key))
    redis_url = r.text("RedisURL", "", allow_empty=True) or None
    if redis_url is not None and not redis_url.startswith(_REDIS_SCHEMES):
        r.fail("RedisURL", f"expected redis://, rediss:// or unix:// URL, got {redis_url!r}")
    positive = {"minimum": 1}
    settings = GatewaySettings(
        admin_http_port=r.integer("AdminHttpPort", 9880, minimum=0, maximum=65535),
        rfq_timeout_ms=r.integer("RFQTimeoutMs", 250, **positive),
        routing_time_budget_ms=r.integer("RoutingTimeBudgetMs", 2000, **positive),
        redis_url=redis_url,
        data_path=r.path("DataPath", Path("data")),
        default_quote_ttl_ms=r.integer("DefaultQuoteTTLMs", 1000, **positive),
        resting_requote_ms=r.integer("RestingRequoteMs", 1000, **positive),
        child_ack_timeout_ms=r.integer("ChildAckTimeoutMs", 2000, **positive),
        unknown_child_timeout_ms=r.integer("UnknownChildTimeoutMs", 60000, **positive),
        unknown_child_policy=r.choice("UnknownChildPolicy", UnknownChildPolicy,
                                      UnknownChildPolicy.HOLD),
        persistence_sync=r.choice("PersistenceSync", SyncPolicy, SyncPolicy.BATCH),
        raw=MappingProxyType({k: v.text for k, v in values.items()}),
    )
    if settings.rfq_timeout_ms > settings.routing_time_budget_ms:
        key = "RFQTimeoutMs" if r.has("RFQTimeoutMs") else "RoutingTimeBudgetMs"
        r.fail(key, f"RFQTimeoutMs ({settings.rfq_timeout_ms}) is longer than "
                    f"RoutingTimeBudgetMs ({settings.routing_time_budget_ms})")
    return settings, r


def _check_unique(built: list[BuiltSession]) -> None:
    ids: dict[str, BuiltSession] = {}
    lps: dict[str, BuiltSession] = {}
    for session in built:
        name = str(session.settings.session_id)
        if name in ids:
            session.reader.fail("TargetCompID", f"duplicate session {name} (also "
                                f"{_describe(ids[name])})")
        ids[name] = session
        lp = session.settings.lp
        if lp is not None:
            if lp.name in lps:
                session.reader.fail("LPName", f"duplicate LPName {lp.name!r} (also "
                                    f"{_describe(lps[lp.name])})")
            lps[lp.name] = session


def _check_preferred_lps(built: list[BuiltSession]) -> None:
    names = [b.settings.lp.name for b in built if b.settings.lp is not None]
    for session in built:
        client = session.settings.client
        for name in client.preferred_lps if client else ():
            if name not in names:
                known = ", ".join(names) if names else "none configured"
                session.reader.fail("PreferredLPs", f"unknown LPName {name!r} (LPs: {known})")


def _check_ports(
    built: list[BuiltSession], gateway: GatewaySettings, gateway_reader: SectionReader
) -> None:
    hosts: dict[int, BuiltSession] = {}
    for session in built:
        settings = session.settings
        port = settings.socket_accept_port
        if not settings.is_acceptor or port is None:
            continue
        if port == gateway.admin_http_port:
            if gateway_reader.has("AdminHttpPort"):
                gateway_reader.fail("AdminHttpPort", f"port {port} is also the "
                                    f"SocketAcceptPort of {_describe(session)}")
            session.reader.fail("SocketAcceptPort", f"port {port} is also the admin HTTP "
                                "port ([GATEWAY] AdminHttpPort, default 9880)")
        first = hosts.setdefault(port, session)
        if first.settings.socket_accept_host != settings.socket_accept_host:
            session.reader.fail(
                "SocketAcceptHost", f"sessions sharing SocketAcceptPort {port} must share "
                f"SocketAcceptHost: {settings.socket_accept_host!r} here, "
                f"{first.settings.socket_accept_host!r} in {_describe(first)}")


def _describe(session: BuiltSession) -> str:
    settings = session.settings
    return f"[SESSION] #{settings.index} ({settings.session_id}), line {session.reader.header_line}"
