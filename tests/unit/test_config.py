"""sessions.cfg loading: QuickFIX INI + fixgw keys, typed values, located errors."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gateway.config import (
    DEFAULT_DATA_DICTIONARY,
    ChildOrdType,
    ConfigError,
    ConnectionType,
    FixgwConfigError,
    GatewayConfig,
    RoutingStrategy,
    SessionID,
    SyncPolicy,
    TimeInForce,
    UnknownChildPolicy,
    load_config,
    parse_config,
)
from gateway.config.keys import (
    CLIENT_KEYS,
    COMMON_KEYS,
    GATEWAY_KEYS,
    IGNORED_QUICKFIX_KEYS,
    LP_KEYS,
    QUICKFIX_KEYS,
    UNSUPPORTED_QUICKFIX_KEYS,
)

REPO = Path(__file__).resolve().parents[2]
CFG = "sessions.cfg"
SCHEDULE = {"StartTime": "00:00:00", "EndTime": "00:00:00"}
ACCEPTOR = {"BeginString": "FIX.4.4", "SenderCompID": "ISLD", "TargetCompID": "TW44",
            "ConnectionType": "acceptor", "SocketAcceptPort": "5001", **SCHEDULE}
INITIATOR = {"BeginString": "FIX.4.4", "SenderCompID": "FIXGW", "TargetCompID": "LP1",
             "ConnectionType": "initiator", "SocketConnectHost": "127.0.0.1",
             "SocketConnectPort": "5002", "HeartBtInt": "30", "LPName": "LP1",
             "LPSymbols": "EUR/USD", **SCHEDULE}


def section(name: str, keys: dict[str, str], *drop: str, **more: str) -> str:
    merged = {**keys, **more}
    lines = [f"[{name}]"] + [f"{k}={v}" for k, v in merged.items() if k not in drop]
    return "\n".join(lines) + "\n"


def acceptor(*drop: str, **more: str) -> str:
    """An acceptor [SESSION] without the keys in `drop`, with `more` added or replaced."""
    return section("SESSION", ACCEPTOR, *drop, **more)


def initiator(*drop: str, **more: str) -> str:
    """An LP initiator [SESSION], like `acceptor`."""
    return section("SESSION", INITIATOR, *drop, **more)


def parse(text: str) -> GatewayConfig:
    return parse_config(text, CFG, base_dir="/cfg")


def error(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    return str(caught.value)


# -- the sample ------------------------------------------------------------------------

def test_the_sample_sessions_cfg_loads_with_one_client_and_three_lps() -> None:
    config = load_config(REPO / "sessions.cfg")
    (client,) = config.acceptors
    assert str(client.session_id) == "FIX.4.4:FIXGW->CLIENT1"
    assert (client.socket_accept_host, client.socket_accept_port) == ("127.0.0.1", 9876)
    assert client.client is not None and client.client.preferred_lps == ("LP1", "LP2", "LP3")
    assert [lp.name for lp in config.lps] == ["LP1", "LP2", "LP3"]
    assert [s.socket_connect_port for s in config.initiators] == [9881, 9882, 9883]
    assert all(lp.symbols == ("EUR/USD", "GBP/USD", "USD/JPY") for lp in config.lps)
    assert config.lp_session("LP3").lp.child_ord_type is ChildOrdType.LIMIT  # type: ignore[union-attr]
    assert config.lps[2].breaker_failure_threshold == 3
    assert config.lps[0].breaker_failure_threshold == 5
    assert config.lps[1].lot_size == Decimal("1000")
    assert config.gateway.data_path == REPO / "data"
    assert client.file_store_path == REPO / "store"
    assert config.notices == ()


# -- values and defaults ---------------------------------------------------------------

def test_an_acceptor_gets_quickfix_defaults() -> None:
    (s,) = parse(acceptor()).sessions
    assert s.session_id == SessionID("FIX.4.4", "ISLD", "TW44")
    assert s.connection_type is ConnectionType.ACCEPTOR and s.is_acceptor
    assert s.socket_accept_host == "127.0.0.1" and s.socket_accept_port == 5001
    assert s.heartbeat_interval_s is None
    assert (s.reconnect_interval_s, s.max_latency_s, s.logon_timeout_s,
            s.logout_timeout_s) == (30, 120, 10, 2)
    assert s.check_comp_id and s.check_latency and s.use_data_dictionary
    assert s.validate_fields_out_of_order and s.validate_fields_have_values
    assert s.validate_user_defined_fields and s.validate_length_and_checksum
    assert not (s.allow_unknown_msg_fields or s.reset_on_logon or s.reset_on_logout
                or s.reset_on_disconnect or s.refresh_on_logon)
    assert s.persist_messages and not s.send_redundant_resend_requests
    assert s.socket_reuse_address and s.socket_nodelay
    assert (s.max_message_size, s.max_outbound_queue) == (1_048_576, 10_000)
    assert s.data_dictionary == DEFAULT_DATA_DICTIONARY
    assert s.client is not None and s.client.routing_strategy is RoutingStrategy.BEST
    assert s.client.max_order_qty is None and s.lp is None


def test_gateway_defaults_apply_without_a_gateway_section() -> None:
    gateway = parse(acceptor()).gateway
    assert (gateway.admin_http_port, gateway.rfq_timeout_ms, gateway.routing_time_budget_ms,
            gateway.default_quote_ttl_ms, gateway.resting_requote_ms,
            gateway.child_ack_timeout_ms, gateway.unknown_child_timeout_ms) == (
        9880, 250, 2000, 1000, 1000, 2000, 60000)
    assert gateway.redis_url is None and gateway.data_path == Path("/cfg/data")
    assert gateway.unknown_child_policy is UnknownChildPolicy.HOLD
    assert gateway.persistence_sync is SyncPolicy.BATCH


def test_gateway_section_values_are_typed() -> None:
    gateway = parse(section("GATEWAY", {}, AdminHttpPort="0", RFQTimeoutMs="100",
                            RoutingTimeBudgetMs="900", RedisURL="redis://127.0.0.1:6379/0",
                            DataPath="/var/fixgw", UnknownChildPolicy="RELEASE",
                            PersistenceSync="none") + acceptor()).gateway
    assert (gateway.admin_http_port, gateway.rfq_timeout_ms) == (0, 100)
    assert gateway.redis_url == "redis://127.0.0.1:6379/0"
    assert gateway.data_path == Path("/var/fixgw")
    assert gateway.unknown_child_policy is UnknownChildPolicy.RELEASE
    assert gateway.persistence_sync is SyncPolicy.NONE
    assert gateway.raw["RFQTimeoutMs"] == "100"


def test_an_lp_initiator_gets_its_routing_settings() -> None:
    config = parse(initiator(LPSymbols=" EUR/USD , GBP/USD ", ChildTimeInForce="fok",
                             ChildOrdType="2", LotSize="1000", MinQty="5000.5",
                             BreakerWindowSeconds="0.5"))
    (s,) = config.sessions
    assert s.is_initiator and s.heartbeat_interval_s == 30 and s.client is None
    assert s.socket_connect_host == "127.0.0.1" and s.socket_connect_port == 5002
    assert s.lp is not None and s.lp.name == "LP1"
    assert s.lp.symbols == ("EUR/USD", "GBP/USD")
    assert s.lp.child_time_in_force is TimeInForce.FILL_OR_KILL
    assert s.lp.child_ord_type is ChildOrdType.LIMIT
    assert (s.lp.lot_size, s.lp.min_qty) == (Decimal("1000"), Decimal("5000.5"))
    assert s.lp.breaker_window_s == 0.5 and s.lp.breaker_reset_s == 30.0
    assert (s.lp.breaker_failure_threshold, s.lp.breaker_half_open_trials) == (5, 3)
    assert config.lp_session("LP1") is s


@pytest.mark.parametrize(("text", "expected"), [
    ("3", TimeInForce.IMMEDIATE_OR_CANCEL), ("IOC", TimeInForce.IMMEDIATE_OR_CANCEL),
    ("4", TimeInForce.FILL_OR_KILL), ("0", TimeInForce.DAY), ("day", TimeInForce.DAY),
    ("1", TimeInForce.GOOD_TILL_CANCEL), ("GTC", TimeInForce.GOOD_TILL_CANCEL),
    ("IMMEDIATE_OR_CANCEL", TimeInForce.IMMEDIATE_OR_CANCEL),
])
def test_child_time_in_force_takes_the_fix_value_or_its_name(
    text: str, expected: TimeInForce
) -> None:
    lp = parse(initiator(ChildTimeInForce=text)).lps[0]
    assert lp.child_time_in_force is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("D", ChildOrdType.PREVIOUSLY_QUOTED), ("PREVIOUSLY_QUOTED", ChildOrdType.PREVIOUSLY_QUOTED),
    ("2", ChildOrdType.LIMIT), ("limit", ChildOrdType.LIMIT),
])
def test_child_ord_type_takes_the_fix_value_or_its_name(text: str, expected: ChildOrdType) -> None:
    assert parse(initiator(ChildOrdType=text)).lps[0].child_ord_type is expected


def test_client_risk_limits_are_decimals_and_strategy_any_case() -> None:
    text = acceptor(RoutingStrategy="Split", MaxOrderQty="1000000", PriceCollarPct="2.5",
                    MaxOrderNotional="5000000.00", MaxOrdersPerSecond="50",
                    PreferredLPs="LP1") + initiator()
    client = parse(text).sessions[0].client
    assert client is not None and client.routing_strategy is RoutingStrategy.SPLIT
    assert client.max_order_qty == Decimal("1000000")
    assert client.max_order_notional == Decimal("5000000.00")
    assert client.price_collar_pct == Decimal("2.5") and client.max_orders_per_second == 50


def test_default_section_is_inherited_and_overridden_per_session() -> None:
    text = ("[DEFAULT]\nBeginString=FIX.4.4\nSenderCompID=GW\nStartTime=00:00:00\n"
            "EndTime=00:00:00\nResetOnLogon=Y\nHeartBtInt=20\nBreakerFailureThreshold=7\n"
            + section("SESSION", {}, TargetCompID="A", ConnectionType="acceptor",
                      SocketAcceptPort="5001", ResetOnLogon="N")
            + section("SESSION", {}, TargetCompID="LP", ConnectionType="initiator",
                      SocketConnectHost="localhost", SocketConnectPort="6000", LPName="X"))
    config = parse(text)
    first, second = config.sessions
    assert not first.reset_on_logon and second.reset_on_logon
    assert first.heartbeat_interval_s is None and second.heartbeat_interval_s == 20
    assert second.lp is not None and second.lp.breaker_failure_threshold == 7
    assert first.raw["SenderCompID"] == "GW" and first.raw["ResetOnLogon"] == "N"
    assert config.defaults["HeartBtInt"] == "20"
    assert str(config.session("FIX.4.4:GW->LP").session_id) == "FIX.4.4:GW->LP"
    with pytest.raises(KeyError):
        config.session(SessionID("FIX.4.4", "GW", "NOPE"))


def test_session_id_str_includes_the_qualifier() -> None:
    assert str(SessionID("FIX.4.4", "ISLD", "TW44")) == "FIX.4.4:ISLD->TW44"
    assert str(SessionID("FIX.4.4", "A", "B", "EU")) == "FIX.4.4:A->B:EU"
    (s,) = parse(initiator(SessionQualifier="EU")).sessions
    assert str(s.session_id) == "FIX.4.4:FIXGW->LP1:EU"


def test_ini_syntax_comments_blank_lines_whitespace_bom_crlf_and_section_case() -> None:
    text = ("\ufeff# comment\n; another\n\n[session]\r\n  BeginString = FIX.4.4  \r\n"
            "SenderCompID=ISLD\nTargetCompID=TW44\nConnectionType=acceptor\n"
            "SocketAcceptPort = 5001\nStartTime=00:00:00\nEndTime=00:00:00\n   # indented\n")
    (s,) = parse(text).sessions
    assert s.socket_accept_port == 5001 and str(s.session_id) == "FIX.4.4:ISLD->TW44"


def test_relative_paths_resolve_against_the_config_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "dict.xml").write_text("<fix/>")
    cfg = folder / "sessions.cfg"
    cfg.write_text(section("GATEWAY", {}, DataPath="var/data") + acceptor(
        FileStorePath="store", FileLogPath="/abs/log", DataDictionary="dict.xml"))
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("etc/sessions.cfg"))
    (s,) = config.sessions
    assert config.path == cfg
    assert s.file_store_path == folder / "store" and s.file_log_path == Path("/abs/log")
    assert s.data_dictionary == folder / "dict.xml"
    assert config.gateway.data_path == folder / "var" / "data"


def test_schedule_keys_build_the_session_schedule() -> None:
    (s,) = parse(acceptor(StartTime="17:00:00", EndTime="17:00:00", StartDay="sun",
                          EndDay="Friday", TimeZone="America/New_York")).sessions
    assert s.schedule.start_time == time(17) and s.schedule.end_day == 4
    assert s.schedule.start_day == 6 and s.schedule.zone == ZoneInfo("America/New_York")
    assert s.time_zone == "America/New_York"


def test_non_stop_session_needs_no_start_and_end_time() -> None:
    (s,) = parse(acceptor("StartTime", "EndTime", NonStopSession="Y")).sessions
    assert s.schedule.non_stop and s.schedule.zone == UTC


def test_use_local_time_takes_the_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    (s,) = parse(acceptor(UseLocalTime="Y")).sessions
    assert s.schedule.zone == ZoneInfo("Asia/Tokyo") and s.time_zone == "Asia/Tokyo"


def test_two_acceptor_sessions_may_share_a_port_and_defaults_lp_keys_skip_acceptors() -> None:
    text = ("[DEFAULT]\nLPSymbols=EUR/USD\nRoutingStrategy=split\n" + acceptor()
            + acceptor(TargetCompID="TW") + initiator())
    config = parse(text)
    assert [s.socket_accept_port for s in config.acceptors] == [5001, 5001]
    assert config.lps[0].symbols == ("EUR/USD",)


def test_ignored_quickfix_keys_load_and_are_noted() -> None:
    config = parse("[DEFAULT]\nScreenLogShowIncoming=Y\n" + acceptor(SocketSendBufferSize="1"))
    assert len(config.notices) == 2
    assert config.notices[0].startswith("sessions.cfg: [DEFAULT], line 2: key "
                                        "ScreenLogShowIncoming: ignored")
    assert "[SESSION] #1 (FIX.4.4:ISLD->TW44), line 11: key SocketSendBufferSize" in \
        config.notices[1]


def test_the_acceptance_suite_config_loads(tmp_path: Path) -> None:
    """The acceptor config of qf-acceptance FORMAT.md section 7 (for `fixgw at`)."""
    (tmp_path / "FIX44.xml").write_text("<fix/>")
    common = {"BeginString": "FIX.4.4", "DataDictionary": "FIX44.xml"}
    cfg = tmp_path / "at.cfg"
    cfg.write_text(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nSocketReuseAddress=Y\n"
        "StartTime=00:00:00\nEndTime=00:00:00\nSenderCompID=ISLD\nResetOnLogon=Y\n"
        "FileStorePath=store\n"
        + section("SESSION", common, TargetCompID="TW44")
        + section("SESSION", common, TargetCompID="TW")
        + section("SESSION", common, TargetCompID="NO_CHECK_FIELDS_HAVE_VALUES",
                  ValidateFieldsHaveValues="N"))
    config = load_config(cfg)
    assert [s.session_id.target_comp_id for s in config.sessions] == [
        "TW44", "TW", "NO_CHECK_FIELDS_HAVE_VALUES"]
    assert all(s.reset_on_logon and s.schedule.is_session_time(datetime(2024, 5, 6, tzinfo=UTC))
               for s in config.sessions)
    assert [s.validate_fields_have_values for s in config.sessions] == [True, True, False]
    assert config.sessions[0].data_dictionary == tmp_path / "FIX44.xml"


def test_settings_are_frozen() -> None:
    (s,) = parse(acceptor()).sessions
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.reset_on_logon = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.raw["X"] = "1"  # type: ignore[index]


# -- errors: file, section, line and key are named ------------------------------------

def test_error_message_names_file_section_session_line_and_key() -> None:
    message = error(acceptor() + initiator(HeartBtInt="abc"))
    assert message == ("sessions.cfg: [SESSION] #2 (FIX.4.4:FIXGW->LP1), line 16: "
                       "key HeartBtInt: expected an integer, got 'abc'")


def test_config_error_is_a_fixgw_config_error_with_its_location() -> None:
    with pytest.raises(FixgwConfigError) as caught:
        parse(acceptor(MaxLatency="x"))
    assert isinstance(caught.value, ConfigError)
    assert (caught.value.path, caught.value.section, caught.value.key,
            caught.value.line) == (CFG, "SESSION", "MaxLatency", 9)


def test_a_bad_value_inherited_from_default_names_the_default_line() -> None:
    message = error("[DEFAULT]\nHeartBtInt=often\n" + initiator("HeartBtInt"))
    assert message.startswith("sessions.cfg: [SESSION] #1 (FIX.4.4:FIXGW->LP1), line 2 "
                              "(inherited from [DEFAULT]): key HeartBtInt: expected an integer")


ACCEPTOR_ID_KEYS = ("BeginString", "SenderCompID", "TargetCompID")


@pytest.mark.parametrize("key", ["BeginString", "SenderCompID", "TargetCompID",
                                 "ConnectionType", "SocketAcceptPort", "StartTime", "EndTime"])
def test_missing_required_acceptor_key(key: str) -> None:
    message = error(acceptor(key))
    session_id = "" if key in ACCEPTOR_ID_KEYS else " (FIX.4.4:ISLD->TW44)"
    assert message.startswith(f"sessions.cfg: [SESSION] #1{session_id}, line 1: key {key}: "
                              "missing")


@pytest.mark.parametrize("key", ["SocketConnectHost", "SocketConnectPort", "HeartBtInt"])
def test_missing_required_initiator_key(key: str) -> None:
    message = error(initiator(key))
    assert f"[SESSION] #1 (FIX.4.4:FIXGW->LP1), line 1: key {key}: missing (required" in message


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("SocketAcceptPort", "70000", "must be at most 65535, got 70000"),
    ("SocketAcceptPort", "0", "must be at least 1, got 0"),
    ("SocketAcceptPort", "5001 # client port", "(comments must be on a line of their own)"),
    ("ResetOnLogon", "true", "expected Y or N, got 'true'"),
    ("ResetOnLogon", "y", "expected Y or N, got 'y'"),
    ("ConnectionType", "server", "expected one of acceptor, initiator; got 'server'"),
    ("RoutingStrategy", "fastest", "expected one of best, split, sequential, manual"),
    ("MaxOrderQty", "-5", "expected a positive decimal number, got '-5'"),
    ("MaxOrderQty", "1e6", "expected a positive decimal number, got '1e6'"),
    ("PriceCollarPct", "NaN", "expected a positive decimal number"),
    ("MaxOrdersPerSecond", "0", "must be at least 1"),
    ("StartTime", "9:00", "expected a time of day HH:MM:SS, got '9:00'"),
    ("TimeZone", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
    ("BeginString", "FIX.4.2", "fixgw speaks FIX.4.4 only, got 'FIX.4.2'"),
    ("SenderCompID", "IS LD", "a CompID is printable ASCII without spaces"),
    ("HeartBtInt", "", "empty value"),
    ("DataDictionary", "missing.xml", "file not found: /cfg/missing.xml"),
])
def test_bad_acceptor_values(key: str, value: str, problem: str) -> None:
    message = error(acceptor(**{key: value}))
    assert message.startswith("sessions.cfg: [SESSION] #1")
    assert f"key {key}: " in message and problem in message


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("HeartBtInt", "0", "must be at least 1"),
    ("ChildTimeInForce", "GTD", "expected one of 0, DAY, 1, GOOD_TILL_CANCEL, 3, "
                               "IMMEDIATE_OR_CANCEL, 4, FILL_OR_KILL, GTC, IOC, FOK; got 'GTD'"),
    ("ChildOrdType", "MARKET", "expected one of D, PREVIOUSLY_QUOTED, 2, LIMIT"),
    ("BreakerWindowSeconds", "0", "expected a positive number of seconds"),
    ("BreakerFailureThreshold", "zero", "expected an integer"),
    ("LPName", "LP 1", "use letters, digits, '_', '.' or '-' only"),
    ("LPSymbols", "EUR/USD,,GBP/USD", "empty item in the comma-separated list"),
    ("LPSymbols", "EUR/USD,EUR/USD", "'EUR/USD' is listed twice"),
    ("StartDay", "funday", "expected a day of the week"),
    ("StartDay", "mo", "StartDay is set without EndDay"),
    ("EndDay", "fr", "EndDay is set without StartDay"),
    ("UseLocalTime", "Y", "set both TimeZone and UseLocalTime=Y"),
])
def test_bad_initiator_values(key: str, value: str, problem: str) -> None:
    text = initiator(**{key: value}, **({"TimeZone": "UTC"} if key == "UseLocalTime" else {}))
    message = error(text)
    assert "[SESSION] #1 (FIX.4.4:FIXGW->LP1)" in message and problem in message


@pytest.mark.parametrize(("text", "where", "problem"), [
    ("[GATEWAY]\nUnknownChildPolicy=drop\n", "[GATEWAY], line 2: key UnknownChildPolicy",
     "expected one of hold, release; got 'drop'"),
    ("[GATEWAY]\nPersistenceSync=sometimes\n", "key PersistenceSync", "batch, always, none"),
    ("[GATEWAY]\nRedisURL=localhost:6379\n", "key RedisURL", "expected redis://"),
    ("[GATEWAY]\nRFQTimeoutMs=5000\n", "key RFQTimeoutMs",
     "RFQTimeoutMs (5000) is longer than RoutingTimeBudgetMs (2000)"),
    ("[GATEWAY]\nAdminHttpPort=-1\n", "key AdminHttpPort", "must be at least 0"),
])
def test_bad_gateway_values(text: str, where: str, problem: str) -> None:
    message = error(text + acceptor())
    assert message.startswith("sessions.cfg: [GATEWAY]") and where in message
    assert problem in message


def test_session_qualifier_cannot_be_used_with_an_acceptor() -> None:
    assert "key SessionQualifier: cannot be used with an acceptor" in error(
        acceptor(SessionQualifier="X"))


def test_lp_keys_in_a_client_session_and_client_keys_in_an_lp_session_are_errors() -> None:
    assert "key LPSymbols: this key is only for LP sessions" in error(
        acceptor(LPSymbols="EUR/USD"))
    assert "key MaxOrderQty: this key is only for client sessions" in error(
        initiator(MaxOrderQty="5"))


def test_duplicate_session_ids_are_errors() -> None:
    message = error(acceptor() + acceptor())
    assert message.startswith("sessions.cfg: [SESSION] #2 (FIX.4.4:ISLD->TW44), line 12: "
                              "key TargetCompID: duplicate session FIX.4.4:ISLD->TW44")
    assert "also [SESSION] #1 (FIX.4.4:ISLD->TW44), line 1" in message


def test_duplicate_lp_names_are_errors() -> None:
    message = error(initiator() + initiator(TargetCompID="LP2"))
    assert "[SESSION] #2 (FIX.4.4:FIXGW->LP2)" in message
    assert "key LPName: duplicate LPName 'LP1'" in message


def test_preferred_lps_must_name_configured_lps() -> None:
    message = error(acceptor(PreferredLPs="LP1,LP9") + initiator())
    assert "[SESSION] #1 (FIX.4.4:ISLD->TW44)" in message
    assert "key PreferredLPs: unknown LPName 'LP9' (LPs: LP1)" in message


def test_acceptors_on_one_port_must_share_the_host() -> None:
    message = error(acceptor() + acceptor(TargetCompID="B", SocketAcceptHost="0.0.0.0"))
    assert "[SESSION] #2 (FIX.4.4:ISLD->B)" in message and "key SocketAcceptHost" in message
    assert "sessions sharing SocketAcceptPort 5001 must share SocketAcceptHost" in message


def test_an_acceptor_on_the_admin_http_port_is_an_error() -> None:
    explicit = error("[GATEWAY]\nAdminHttpPort=5001\n" + acceptor())
    assert "[GATEWAY], line 2: key AdminHttpPort: port 5001 is also the SocketAcceptPort " \
           "of [SESSION] #1 (FIX.4.4:ISLD->TW44)" in explicit
    implicit = error(acceptor(SocketAcceptPort="9880"))
    assert "key SocketAcceptPort: port 9880 is also the admin HTTP port" in implicit


@pytest.mark.parametrize(("text", "expected"), [
    ("BeginString=FIX.4.4\n", "sessions.cfg: line 1: 'BeginString=FIX.4.4' is outside any "
                              "section"),
    ("[SESSION]\nBeginString FIX.4.4\n", "sessions.cfg: [SESSION] #1, line 2: expected "
                                         "'key=value', a [SECTION] header or a comment"),
    ("[SESION]\n", "sessions.cfg: line 1: unknown section [SESION]: expected [DEFAULT], "
                   "[SESSION] or [GATEWAY]; did you mean [SESSION]?"),
    ("[SESSION\n", "sessions.cfg: line 1: section header '[SESSION' must end with ']'"),
    ("[GATEWAY]\n[GATEWAY]\n", "sessions.cfg: [GATEWAY], line 2: duplicate [GATEWAY] section "
                               "(the first one is on line 1)"),
    ("[DEFAULT]\n=5\n", "sessions.cfg: [DEFAULT], line 2: missing key before '='"),
    ("[SESSION]\nHeartBtInt=1\nHeartBtInt=2\n", "sessions.cfg: [SESSION] #1, line 3: key "
                                                "HeartBtInt: set twice in this section "
                                                "(first on line 2)"),
    ("# nothing\n", "sessions.cfg: no [SESSION] section"),
])
def test_malformed_files(text: str, expected: str) -> None:
    assert error(text).startswith(expected)


@pytest.mark.parametrize(("key", "hint"), [
    ("HeartbeatInt", "unknown key; did you mean HeartBtInt?"),
    ("heartbtint", "unknown key; did you mean HeartBtInt? (keys are case-sensitive)"),
    ("LPSymbol", "unknown key; did you mean LPSymbols?"),
    ("Colour", "unknown key (neither a QuickFIX session setting nor a fixgw key)"),
    ("LogonTime", "QuickFIX setting not supported by fixgw (logon follows StartTime/EndTime)"),
    ("RFQTimeoutMs", "this key belongs in the [GATEWAY] section"),
])
def test_unknown_keys_in_a_session_are_errors_with_a_hint(key: str, hint: str) -> None:
    message = error(acceptor(**{key: "1"}))
    assert f"sessions.cfg: [SESSION] #1 (FIX.4.4:ISLD->TW44), line 9: key {key}: {hint}" \
        in message


def test_unknown_keys_in_default_and_gateway_are_errors() -> None:
    assert error("[DEFAULT]\nResetOnLogn=Y\n" + acceptor()).startswith(
        "sessions.cfg: [DEFAULT], line 2: key ResetOnLogn: unknown key; did you mean "
        "ResetOnLogon?")
    assert "[GATEWAY], line 2: key RFQTimeoutMS: unknown key; did you mean RFQTimeoutMs? " \
           "(keys are case-sensitive)" in error("[GATEWAY]\nRFQTimeoutMS=5\n" + acceptor())
    assert "[GATEWAY], line 2: key HeartBtInt: this is a session setting" in error(
        "[GATEWAY]\nHeartBtInt=5\n" + acceptor())


def test_unreadable_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.cfg: cannot read the file: No such file"):
        load_config(tmp_path / "nope.cfg")
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_config(tmp_path)
    binary = tmp_path / "bin.cfg"
    binary.write_bytes(b"[SESSION]\n\n\xff\xfe\n")
    with pytest.raises(ConfigError) as caught:
        load_config(binary)
    assert str(caught.value) == f"{binary}: line 3: not UTF-8 text"


# -- every registered key is really read -----------------------------------------------

def _empty_value_error(base: str, key: str) -> str:
    text = base.replace(f"\n{key}=", f"\n_{key}=") + f"{key}=\n"
    return error(text.replace(f"\n_{key}=", "\n#"))


@pytest.mark.parametrize(  # SessionQualifier is refused for acceptors: see initiators
    "key", sorted((QUICKFIX_KEYS | COMMON_KEYS | CLIENT_KEYS) - {"SessionQualifier"}))
def test_every_acceptor_key_is_read(key: str) -> None:
    if key == "PreferredLPs":
        assert "empty item" in error(acceptor(PreferredLPs=","))
        return
    assert f"key {key}: " in _empty_value_error(acceptor(), key)


@pytest.mark.parametrize("key", sorted(LP_KEYS | {"SessionQualifier", "HeartBtInt"}))
def test_every_initiator_key_is_read(key: str) -> None:
    if key == "LPSymbols":
        assert "empty item" in error(initiator(LPSymbols=","))
        return
    assert f"key {key}: " in _empty_value_error(initiator(), key)


@pytest.mark.parametrize("key", sorted(GATEWAY_KEYS - {"RedisURL"}))
def test_every_gateway_key_is_read(key: str) -> None:
    assert f"[GATEWAY], line 2: key {key}: empty value" in error(
        f"[GATEWAY]\n{key}=\n" + acceptor())


def test_redis_url_may_be_empty_and_key_groups_do_not_overlap() -> None:
    assert parse("[GATEWAY]\nRedisURL=\n" + acceptor()).gateway.redis_url is None
    groups = [QUICKFIX_KEYS, COMMON_KEYS, CLIENT_KEYS, LP_KEYS, GATEWAY_KEYS,
              set(IGNORED_QUICKFIX_KEYS), set(UNSUPPORTED_QUICKFIX_KEYS)]
    assert sum(len(g) for g in groups) == len(set().union(*groups))


@pytest.mark.parametrize("key", sorted(IGNORED_QUICKFIX_KEYS))
def test_every_ignored_key_loads(key: str) -> None:
    assert parse(acceptor(**{key: "Y"})).notices


@pytest.mark.parametrize("key", sorted(UNSUPPORTED_QUICKFIX_KEYS))
def test_every_unsupported_key_is_refused(key: str) -> None:
    assert "not supported by fixgw" in error(acceptor(**{key: "Y"}))


def test_environment_is_untouched_by_loading() -> None:
    before = dict(os.environ)
    parse(acceptor(UseLocalTime="Y"))
    assert dict(os.environ) == before
