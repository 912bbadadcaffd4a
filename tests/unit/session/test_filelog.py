"""FileLog: QuickFIX-named files, line formats `fixgw log` parses back, flush semantics."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from gateway.config.model import SessionID
from gateway.fix.errors import Garbled
from gateway.logview import decode_fix, parse_line
from gateway.session import filelog
from gateway.session.clock import ManualClock
from gateway.session.filelog import FileLog, FileLogFactory, GlobalLog
from gateway.session.log import SessionLog

SESSION = SessionID("FIX.4.4", "ISLD", "TW44")
START_NS = 1_767_225_600_000_000_000  # 2026-01-01 00:00:00 UTC
MESSAGE_LINE = re.compile(r"\d{8}-\d{2}:\d{2}:\d{2}\.\d{6} (IN |OUT) : 8=FIX\.4\.4\|.*\|")


def frame(body: str, separator: str = "^") -> bytes:
    """A FIX 4.4 frame around `separator`-terminated fields starting at 35."""
    data = body.replace(separator, "\x01").encode("latin-1")
    head = b"8=FIX.4.4\x019=%d\x01" % len(data) + data
    return head + b"10=%03d\x01" % (sum(head) % 256)


HEARTBEAT = frame("35=0^34=2^49=ISLD^52=20260101-00:00:00.000^56=TW44^")


def lines_of(path: Path) -> list[str]:
    return path.read_text("latin-1").splitlines()


def test_file_log_satisfies_the_session_log_port(tmp_path: Path) -> None:
    log: SessionLog = FileLog(tmp_path, SESSION, ManualClock())
    log.close()


def test_files_named_like_quickfix_created_with_their_directory_on_first_flush(
        tmp_path: Path) -> None:
    directory = tmp_path / "logs" / "nested"
    log = FileLog(directory, SESSION, ManualClock())
    assert not directory.exists()
    log.on_incoming(HEARTBEAT)
    log.on_event("Created session")
    log.flush()
    assert sorted(path.name for path in directory.iterdir()) == [
        "FIX.4.4-ISLD-TW44.event.current.log", "FIX.4.4-ISLD-TW44.messages.current.log"]
    log.close()


def test_qualifier_is_appended_to_the_file_names(tmp_path: Path) -> None:
    log = FileLog(tmp_path, SessionID("FIX.4.4", "ISLD", "TW44", "LP1"), ManualClock())
    assert log.messages_path.name == "FIX.4.4-ISLD-TW44-LP1.messages.current.log"
    assert log.events_path.name == "FIX.4.4-ISLD-TW44-LP1.event.current.log"


def test_comp_id_with_a_path_separator_stays_inside_the_log_directory(tmp_path: Path) -> None:
    log = FileLog(tmp_path, SessionID("FIX.4.4", "../X", "TW44"), ManualClock())
    assert log.messages_path.parent == tmp_path
    assert log.messages_path.name == "FIX.4.4-.._X-TW44.messages.current.log"


def test_messages_lines_carry_timestamp_direction_and_pipes_for_soh(tmp_path: Path) -> None:
    clock = ManualClock(START_NS + 123_456_789)
    log = FileLog(tmp_path, SESSION, clock)
    log.on_incoming(HEARTBEAT)
    clock.advance(1.5)
    log.on_outgoing(HEARTBEAT)
    log.close()
    text = HEARTBEAT.decode("latin-1").replace("\x01", "|")
    assert lines_of(log.messages_path) == [
        f"20260101-00:00:00.123456 IN  : {text}",
        f"20260101-00:00:01.623456 OUT : {text}",
    ]


def test_timestamp_follows_the_clock_across_seconds_days_and_backwards(tmp_path: Path) -> None:
    clock = ManualClock(START_NS - 1_000)  # 2025-12-31 23:59:59.999999
    log = FileLog(tmp_path, SESSION, clock)
    log.on_event("a")
    clock.now_ns = START_NS + 2_000_000_000
    log.on_event("b")
    clock.now_ns = START_NS + 1_000
    log.on_event("c")
    log.close()
    assert lines_of(log.events_path) == [
        "20251231-23:59:59.999999 : a",
        "20260101-00:00:02.000000 : b",
        "20260101-00:00:00.000001 : c",
    ]


def test_nothing_reaches_the_file_before_flush_and_everything_after(tmp_path: Path) -> None:
    log = FileLog(tmp_path, SESSION, ManualClock())
    for _ in range(3):
        log.on_incoming(HEARTBEAT)
    log.on_event("Received logon")
    assert not log.messages_path.exists()
    log.flush()
    assert len(lines_of(log.messages_path)) == 3
    assert lines_of(log.events_path)[0].endswith(" : Received logon")
    log.on_outgoing(HEARTBEAT)
    log.flush()
    assert len(lines_of(log.messages_path)) == 4
    log.close()


def test_close_flushes_and_a_new_log_appends_to_the_same_files(tmp_path: Path) -> None:
    first = FileLog(tmp_path, SESSION, ManualClock())
    first.on_incoming(HEARTBEAT)
    first.on_event("one")
    first.close()
    second = FileLog(tmp_path, SESSION, ManualClock())
    second.on_outgoing(HEARTBEAT)
    second.on_event("two")
    second.close()
    assert [line[25:28] for line in lines_of(second.messages_path)] == ["IN ", "OUT"]
    assert [line[27:] for line in lines_of(second.events_path)] == ["one", "two"]


def test_a_log_never_flushed_still_writes_when_its_buffer_fills(tmp_path: Path) -> None:
    log = FileLog(tmp_path, SESSION, ManualClock())
    for _ in range(filelog.MAX_PENDING_LINES):
        log.on_incoming(HEARTBEAT)
    assert len(lines_of(log.messages_path)) == filelog.MAX_PENDING_LINES
    log.close()


def test_line_feeds_are_escaped_so_no_peer_can_forge_a_log_line(tmp_path: Path) -> None:
    forged = "\n20260101-00:00:00.000000 OUT : 8=FIX.4.4|9=5|35=0|10=000|"
    log = FileLog(tmp_path, SESSION, ManualClock())
    log.on_incoming(frame(f"35=B^148=News{forged}^"))
    log.on_event(f"Logout: {forged}")
    log.close()
    (message,) = lines_of(log.messages_path)
    assert message.count(" OUT : ") == 1 and message.startswith("2026") and "\\n" in message
    (event,) = lines_of(log.events_path)
    assert event.endswith("Logout: \\n20260101-00:00:00.000000 OUT : 8=FIX.4.4|9=5|35=0|10=000|")


def test_event_text_outside_latin1_is_escaped_not_lost(tmp_path: Path) -> None:
    log = FileLog(tmp_path, SESSION, ManualClock())
    log.on_event("Text=café €")
    log.close()
    assert lines_of(log.events_path)[0].endswith(" : Text=café \\u20ac")


@given(st.lists(st.text(st.characters(min_codepoint=2, max_codepoint=255), min_size=1),
                min_size=1, max_size=6))
def test_every_logged_message_parses_back_to_its_fields(values: list[str]) -> None:
    # The two ambiguities the format documents: `|tag=` inside a value, and a
    # literal backslash-n next to an escaped line feed.
    assume(not any(re.search(r"\|\d+=", value) or "\\n" in value for value in values))
    body = "".join(f"{5000 + index}={value}\x01" for index, value in enumerate(values))
    data = frame(f"35=0\x01{body}", separator="\x01")
    log = FileLog(Path("/unused"), SESSION, ManualClock())  # never flushed: no file
    log.on_outgoing(data)
    (line,) = log.messages.lines
    parsed = parse_line(line.decode("latin-1"))
    assert parsed is not None and parsed.direction == "OUT" and parsed.time is not None
    decoded = decode_fix(parsed.fix)
    assert not isinstance(decoded, Garbled), decoded
    assert decoded[1][3:-1] == values


def test_every_message_line_matches_the_documented_format(tmp_path: Path) -> None:
    log = FileLog(tmp_path, SESSION, ManualClock())
    log.on_incoming(HEARTBEAT)
    log.on_outgoing(frame("35=D^11=A|B^"))
    log.close()
    assert all(MESSAGE_LINE.fullmatch(line) for line in lines_of(log.messages_path))


def test_global_log_writes_gateway_events_file(tmp_path: Path) -> None:
    log = GlobalLog(tmp_path, ManualClock(START_NS))
    log.on_event("Logon from unknown CompID EVIL refused")
    log.close()
    assert log.events_path == tmp_path / "gateway.event.current.log"
    assert lines_of(log.events_path) == [
        "20260101-00:00:00.000000 : Logon from unknown CompID EVIL refused"]


def test_factory_creates_the_directory_and_flushes_every_log_at_once(tmp_path: Path) -> None:
    directory = tmp_path / "log"
    factory = FileLogFactory(directory, ManualClock())
    assert directory.is_dir()
    first = factory.create(SESSION)
    second = factory.create(SessionID("FIX.4.4", "GW", "LP1"))
    gateway_events = factory.global_log()
    assert factory.global_log() is gateway_events
    first.on_incoming(HEARTBEAT)
    second.on_outgoing(HEARTBEAT)
    gateway_events.on_event("started")
    factory.flush()
    assert len(lines_of(first.messages_path)) == 1
    assert len(lines_of(second.messages_path)) == 1
    assert len(lines_of(gateway_events.events_path)) == 1
    second.on_event("after")
    factory.close()
    assert len(lines_of(second.events_path)) == 1

