"""The runner's socket side against a scripted TCP peer: framing, timeouts, disconnects,
and the stricter BodyLength/CheckSum check.

The peer stands in for a misbehaving acceptor (which QuickFIX cannot be made to be);
it is test equipment for the runner, not a fake of anything we ship.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.acceptance.connection import BadFraming, Connection, Disconnected
from tests.acceptance.filler import fill_length_and_checksum
from tests.acceptance.results import FailureKind, FileResult, Timeouts
from tests.acceptance.runner import run_script
from tests.fixtures.ports import free_port

FAST = Timeouts(
    expect_s=0.5, disconnect_s=0.5, connect_s=1.0, probe_attempts=2, probe_interval_s=0.05
)
LOGON = "I8=FIX.4.4|35=A|34=1|49=TW44|52=<TIME>|56=ISLD|98=0|108=30|"
LOGON_REPLY = fill_length_and_checksum(
    b"8=FIX.4.4\x0135=A\x0134=1\x0149=ISLD\x0152=20240227-19:56:48.123\x0156=TW44\x0198=0\x01108=30\x01"
)
EXPECT_LOGON_REPLY = (
    "E8=FIX.4.4|9=63|35=A|34=1|49=ISLD|52=00000000-00:00:00.000|56=TW44|98=0|108=30|10=0|"
)


def script(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").replace("|", "\x01").encode("latin-1")


class ScriptedPeer:
    """Accepts connections; on a connection's first bytes sends `reply`, then `after`:
    ``stay`` (until the tester closes), ``close`` (FIN) or ``reset`` (RST)."""

    def __init__(self, reply: bytes, after: str) -> None:
        self.reply, self.after = reply, after
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            if not conn.recv(4096):
                return  # the runner's probe, or a script that sends nothing
            conn.sendall(self.reply)
            if self.after == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif self.after == "stay":
                while conn.recv(4096):
                    pass

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def peer() -> Iterator[Callable[[bytes, str], ScriptedPeer]]:
    peers: list[ScriptedPeer] = []

    def start(reply: bytes, after: str = "stay") -> ScriptedPeer:
        peers.append(ScriptedPeer(reply, after))
        return peers[-1]

    yield start
    for p in peers:
        p.close()


def run(data: bytes, port: int) -> FileResult:
    return run_script("scripted.def", data, "127.0.0.1", port, timeouts=FAST)


def test_well_formed_reply_passes(peer: Callable[[bytes, str], ScriptedPeer]) -> None:
    result = run(script("iCONNECT", LOGON, EXPECT_LOGON_REPLY), peer(LOGON_REPLY, "stay").port)
    assert result.passed, result.report()


def test_wrong_checksum_from_the_acceptor_is_an_integrity_failure(
    peer: Callable[[bytes, str], ScriptedPeer],
) -> None:
    bad = LOGON_REPLY[:-4] + b"%03d\x01" % ((int(LOGON_REPLY[-4:-1]) + 1) % 256)
    result = run(script("iCONNECT", LOGON, EXPECT_LOGON_REPLY), peer(bad, "stay").port)
    assert result.failure is not None
    assert (result.failure.kind, result.failure.lineno) == (FailureKind.INTEGRITY, 3)
    assert result.failure.reason.startswith("CheckSum is")


def test_too_short_body_length_from_the_acceptor_is_an_integrity_failure(
    peer: Callable[[bytes, str], ScriptedPeer],
) -> None:
    bad = LOGON_REPLY.replace(b"\x019=63\x01", b"\x019=62\x01")
    result = run(script("iCONNECT", LOGON, EXPECT_LOGON_REPLY), peer(bad, "stay").port)
    assert result.failure is not None and result.failure.kind is FailureKind.INTEGRITY
    # The tester's framing trusts 9=62, so the frame ends before the CheckSum field.
    assert result.failure.reason == "message does not end with a 10=NNN| CheckSum field"


def test_silence_times_out_the_expect_line(peer: Callable[[bytes, str], ScriptedPeer]) -> None:
    result = run(script("iCONNECT", LOGON, EXPECT_LOGON_REPLY), peer(b"", "stay").port)
    assert result.failure is not None
    assert (result.failure.kind, result.failure.lineno) == (FailureKind.TIMEOUT, 3)
    assert result.failure.reason == "No message within 0.5 s"


def test_close_instead_of_reply(peer: Callable[[bytes, str], ScriptedPeer]) -> None:
    result = run(script("iCONNECT", LOGON, EXPECT_LOGON_REPLY), peer(b"", "close").port)
    assert result.failure is not None and result.failure.kind is FailureKind.DISCONNECTED
    assert result.failure.reason == "Was disconnected, expected data"


def test_reset_counts_as_the_expected_disconnect(
    peer: Callable[[bytes, str], ScriptedPeer],
) -> None:
    result = run(script("iCONNECT", LOGON, "eDISCONNECT"), peer(b"", "reset").port)
    assert result.passed, result.report()


def test_data_instead_of_disconnect(peer: Callable[[bytes, str], ScriptedPeer]) -> None:
    result = run(script("iCONNECT", LOGON, "eDISCONNECT"), peer(LOGON_REPLY, "stay").port)
    assert result.failure is not None
    assert result.failure.kind is FailureKind.UNEXPECTED_DATA
    assert result.failure.reason == "Expected disconnection, got data"
    assert result.failure.received == LOGON_REPLY


def test_connection_that_stays_open_hangs(peer: Callable[[bytes, str], ScriptedPeer]) -> None:
    result = run(script("# nothing sent", "iCONNECT", "eDISCONNECT"), peer(b"", "stay").port)
    assert result.failure is not None
    assert (result.failure.kind, result.failure.lineno) == (FailureKind.HANGS, 3)


def test_probe_fails_when_nothing_listens() -> None:
    result = run(script("iCONNECT"), free_port())
    assert result.failure is not None and result.failure.kind is FailureKind.CONNECT
    assert result.failure.lineno is None


def test_script_errors(peer: Callable[[bytes, str], ScriptedPeer]) -> None:
    port = peer(b"", "stay").port
    no_connect = run(script(LOGON), port).failure
    assert no_connect is not None and no_connect.kind is FailureKind.SCRIPT
    bad_line = run(script("iCONNECT", "", "X oops"), port).failure
    assert bad_line is not None and (bad_line.kind, bad_line.lineno) == (FailureKind.SCRIPT, 3)
    not_open = run(script("iCONNECT", "I2,8=FIX.4.4|35=0|"), port).failure
    assert not_open is not None and not_open.reason == "connection 2 is not open"


def test_framing_reassembles_trickled_bytes_and_splits_batches() -> None:
    left, right = socket.socketpair()
    with left, right:
        conn = Connection(left)
        for byte in LOGON_REPLY:
            right.sendall(bytes([byte]))
        right.sendall(LOGON_REPLY + LOGON_REPLY)
        assert [conn.read_message(1.0) for _ in range(3)] == [LOGON_REPLY] * 3


def test_framing_trusts_the_body_length_like_the_original() -> None:
    short = LOGON_REPLY.replace(b"\x019=63\x01", b"\x019=58\x01")
    left, right = socket.socketpair()
    with left, right:
        right.sendall(short)
        # 58 body bytes end inside "108=30"; the message then runs to the next SOH.
        assert Connection(left).read_message(1.0) == short[: short.index(b"108=30") + 7]


def test_framing_reports_a_non_numeric_body_length_and_a_close_mid_message() -> None:
    left, right = socket.socketpair()
    with left, right:
        right.sendall(b"8=FIX.4.4\x019=abc\x0135=0\x01")
        with pytest.raises(BadFraming):
            Connection(left).read_message(1.0)
    left, right = socket.socketpair()
    with left, right:
        right.sendall(LOGON_REPLY[:20])
        right.close()
        with pytest.raises(Disconnected) as caught:
            Connection(left).read_message(1.0)
        assert caught.value.partial == LOGON_REPLY[:20]
