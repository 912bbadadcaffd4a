"""`fixgw log`: rendering with the dictionary, garbled and foreign lines, following, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.config.model import SessionID
from gateway.fix.dictionary import DEFAULT_DICTIONARY, DataDictionary
from gateway.logview import follow_lines, iter_render, render_json, render_line
from gateway.session.clock import ManualClock
from gateway.session.filelog import FileLog

REPO = Path(__file__).resolve().parents[2]
DICTIONARY = DataDictionary.load(DEFAULT_DICTIONARY)
TIME = "20260101-00:00:00.000000"


def frame(body: str) -> bytes:
    """A FIX 4.4 frame around `^`-terminated fields starting at 35."""
    data = body.replace("^", "\x01").encode("latin-1")
    head = b"8=FIX.4.4\x019=%d\x01" % len(data) + data
    return head + b"10=%03d\x01" % (sum(head) % 256)


def logged(data: bytes, direction: str = "IN ") -> str:
    return f"{TIME} {direction} : " + data.decode("latin-1").replace("\x01", "|")


ORDER = frame("35=D^34=2^49=TW44^56=ISLD^11=A1^55=EUR/USD^54=1^38=1000000^40=2^44=1.1^"
              "18=1 2^9601=split^")


def test_message_fields_get_names_and_enum_descriptions() -> None:
    text = render_line(logged(ORDER), DICTIONARY)
    assert text.startswith(f"{TIME} IN  : BeginString(8)=FIX.4.4 | BodyLength(9)=")
    for part in ("MsgType(35)=D (NewOrderSingle)", "Side(54)=1 (BUY)", "OrdType(40)=2 (LIMIT)",
                 "ClOrdID(11)=A1", "Symbol(55)=EUR/USD", "Price(44)=1.1",
                 "ExecInst(18)=1 2 (NOT_HELD WORK)", "RoutingStrategy(9601)=split (SPLIT)"):
        assert f" | {part} | " in text
    assert text.endswith(f"CheckSum(10)={ORDER[-4:-1].decode()}")


def test_outgoing_direction_and_unknown_tags_and_values_are_shown_plainly() -> None:
    text = render_line(logged(frame("35=8^9999=x^54=Z^"), "OUT"), DICTIONARY)
    assert text.startswith(f"{TIME} OUT : ")
    assert " | 9999=x | " in text
    assert " | Side(54)=Z | " in text
    assert "MsgType(35)=8 (ExecutionReport)" in text


def test_garbled_message_is_shown_raw_behind_a_marker() -> None:
    line = logged(frame("35=0^34=3^")[:-4] + b"999\x01")
    text = render_line(line, DICTIONARY)
    assert text == (f"{TIME} IN  : !! GARBLED (CheckSum does not match the message; "
                    f"CheckSum 999): {line.split(' : ', 1)[1]}")


def test_lines_that_are_not_messages_pass_through_unchanged() -> None:
    for line in ("20260101-00:00:00.000000 : Received logon", "", "  some note 8=FIX",
                 "20260101-00:00:00.000000 : Text with | pipes"):
        assert render_line(line + "\n", DICTIONARY) == line


def test_quickfix_messages_lines_with_soh_and_bare_messages_are_decoded() -> None:
    quickfix_line = "20260101-00:00:00.000 : " + ORDER.decode("latin-1")
    assert render_line(quickfix_line, DICTIONARY).startswith(
        "20260101-00:00:00.000 : BeginString(8)=FIX.4.4 | ")
    bare = render_line(logged(ORDER).split(" : ", 1)[1], DICTIONARY)
    assert bare.startswith("BeginString(8)=FIX.4.4 | ")


def test_values_containing_pipes_and_control_characters_render_intact_and_safely() -> None:
    text = render_line(logged(frame("35=8^11=x\x1b[31m^58=News|a=b|^")), DICTIONARY)
    assert " | ClOrdID(11)=x\\x1b[31m | " in text
    assert " | Text(58)=News|a=b| | " in text


def test_an_escaped_line_feed_is_restored_for_the_checks(tmp_path: Path) -> None:
    log = FileLog(tmp_path, SessionID("FIX.4.4", "ISLD", "TW44"), ManualClock())
    log.on_incoming(frame("35=8^58=two\nlines^"))
    log.close()
    (line,) = log.messages_path.read_text("latin-1").splitlines()
    assert " | Text(58)=two\\x0alines | " in render_line(line, DICTIONARY)


def test_json_gives_one_object_per_line() -> None:
    message = json.loads(render_json(logged(ORDER), DICTIONARY))
    assert message["time"] == TIME and message["direction"] == "IN"
    assert message["msg_type"] == "D" and message["msg_type_name"] == "NewOrderSingle"
    assert {"tag": 54, "name": "Side", "value": "1", "description": "BUY"} in message["fields"]
    garbled = json.loads(render_json(logged(frame("35=0^")[:-4] + b"999\x01"), DICTIONARY))
    assert garbled["garbled"] == "CheckSum does not match the message"
    assert json.loads(render_json("hello\n", DICTIONARY)) == {"text": "hello"}


def test_iter_render_is_lazy() -> None:
    def lines() -> Iterator[str]:
        yield logged(ORDER)
        raise AssertionError("read past what was asked for")

    rendered = iter_render(lines(), DICTIONARY)
    assert "NewOrderSingle" in next(rendered)


def test_follow_yields_new_complete_lines_and_restarts_after_truncation(tmp_path: Path) -> None:
    path = tmp_path / "grow.log"
    path.write_bytes(b"one\ntw")
    growth = [b"o\nthree\n", None, b"", b"x\n"]
    idle: list[int] = []

    def sleep(_: float) -> None:
        step = growth.pop(0) if growth else b"stop"
        if step is None:
            path.write_bytes(b"")  # truncated
        elif step == b"stop":
            raise KeyboardInterrupt
        else:
            with path.open("ab") as file:
                file.write(step)

    with path.open("rb") as stream:
        seen: list[bytes] = []
        with pytest.raises(KeyboardInterrupt):
            for line in follow_lines(stream, 0.0, sleep, on_idle=lambda: idle.append(1)):
                seen.append(line)
    assert seen == [b"one\n", b"two\n", b"three\n", b"x\n"]
    assert idle


def write_log(directory: Path) -> Path:
    log = FileLog(directory, SessionID("FIX.4.4", "ISLD", "TW44"), ManualClock())
    log.on_incoming(ORDER)
    log.on_outgoing(frame("35=8^39=0^150=0^"))
    log.close()
    return log.messages_path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", "log", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=30, check=False)


def test_cli_prints_a_file_log_decoded(tmp_path: Path) -> None:
    result = run_cli(str(write_log(tmp_path)))
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert "MsgType(35)=D (NewOrderSingle)" in first and " IN  : " in first
    assert "OrdStatus(39)=0 (NEW)" in second and "ExecType(150)=0 (NEW)" in second


def test_cli_json_output(tmp_path: Path) -> None:
    result = run_cli("--json", str(write_log(tmp_path)))
    assert result.returncode == 0, result.stderr
    names = [json.loads(line)["msg_type_name"] for line in result.stdout.splitlines()]
    assert names == ["NewOrderSingle", "ExecutionReport"]


def test_cli_missing_file_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    missing = tmp_path / "absent.log"
    result = run_cli(str(missing))
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"fixgw log: cannot read {missing}: No such file or directory" in result.stderr


def test_cli_unreadable_dictionary_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["log", "--dictionary", str(tmp_path / "none.xml"), str(write_log(tmp_path))])
    assert code == 2
    assert "cannot read data dictionary" in capsys.readouterr().err


def test_cli_follow_prints_lines_as_they_arrive_until_ctrl_c(tmp_path: Path) -> None:
    clock = ManualClock()
    log = FileLog(tmp_path, SessionID("FIX.4.4", "ISLD", "TW44"), clock)
    log.on_incoming(ORDER)
    log.flush()
    process = subprocess.Popen([sys.executable, "-m", "gateway", "log", "--follow",
                                str(log.messages_path)], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert "NewOrderSingle" in process.stdout.readline()
        log.on_outgoing(frame("35=8^39=2^150=F^"))
        log.flush()
        assert "OrdStatus(39)=2 (FILLED)" in process.stdout.readline()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def test_cli_stops_quietly_when_the_reader_goes_away(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text((logged(ORDER) + "\n") * 20_000, "latin-1")
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run([sys.executable, "-m", "gateway", "log", str(path)], cwd=REPO,
                                stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60,
                                check=False)
    finally:
        os.close(writer)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
