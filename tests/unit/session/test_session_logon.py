"""Logon handshake of the session core, acceptor and initiator (FORMAT.md §8.3 "Logon")."""

from __future__ import annotations

from gateway.fix.errors import Garbled, GarbledReason
from gateway.session.state import SessionState
from tests.unit.session.harness import (
    Peer,
    Rig,
    acceptor_settings,
    briefs,
    initiator_settings,
    logged_on,
    wrap,
)


def test_acceptor_logon_reply_echoes_heartbtint_with_seq_1() -> None:
    rig = Rig()
    rig.connect()

    sent = rig.feed(rig.peer.logon(heartbeat_s=17))

    assert [s.text() for s in sent] == [
        "35=A|34=1|49=ISLD|52=20260101-00:00:00.000|56=TW44|98=0|108=17"]
    assert rig.session.state is SessionState.LOGGED_ON
    assert rig.session.heartbeat_s == 17
    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (2, 2)


def test_acceptor_logon_calls_on_logon_once_and_from_admin_with_the_logon() -> None:
    rig = Rig()
    rig.connect()

    rig.feed(rig.peer.logon())

    assert rig.app.logons == 1
    assert [m.msg_type for m in rig.app.from_admin_messages] == ["A"]
    assert [m.msg_type for m in rig.app.to_admin_messages] == ["A"]


def test_initiator_sends_logon_on_connect_and_is_logged_on_after_reply() -> None:
    rig = Rig(initiator_settings())
    rig.connect()

    assert [s.text() for s in rig.wire.take()] == [
        "35=A|34=1|49=TW44|52=20260101-00:00:00.000|56=ISLD|98=0|108=30"]
    assert rig.session.state is SessionState.LOGON_SENT
    assert not rig.session.is_logged_on

    sent = rig.feed(rig.peer.logon())

    assert sent == []
    assert rig.session.is_logged_on
    assert rig.app.logons == 1
    assert rig.store.next_target_seq == 2


def test_initiator_disconnects_on_logon_reply_before_sending_its_logon() -> None:
    rig = Rig(initiator_settings())
    rig.session.enabled = False  # connected, but our Logon is held back
    rig.connect()
    assert rig.wire.take() == []

    rig.session.enabled = True
    rig.feed(rig.peer.logon())

    assert rig.wire.disconnected
    assert rig.app.logons == 0


def test_on_logout_called_when_logged_on_session_disconnects() -> None:
    rig = logged_on()

    rig.session.on_disconnect()

    assert rig.app.logouts == 1
    assert rig.session.state is SessionState.DISCONNECTED


def test_on_logout_not_called_when_never_logged_on() -> None:
    rig = Rig()
    rig.connect()

    rig.session.on_disconnect()

    assert rig.app.logouts == 0


def test_reject_logon_sends_logout_with_text_then_disconnects() -> None:
    rig = Rig()
    rig.app.reject_logon = "not today"
    rig.connect()

    sent = rig.feed(rig.peer.logon())

    assert briefs(sent) == ["35=5|34=1|58=not today"]
    assert rig.wire.disconnected
    assert rig.app.logons == 0
    assert rig.session.state is SessionState.DISCONNECTED


def test_logon_with_reset_flag_mid_session_resets_both_seqs_and_replies_141_y() -> None:
    rig = logged_on()
    rig.feed(rig.peer.heartbeat(), rig.peer.test_request("T"), rig.peer.heartbeat())
    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (3, 5)

    sent = rig.feed(rig.peer.logon(reset=True, seq=1))

    assert briefs(sent) == ["35=A|34=1|98=0|108=30|141=Y"]
    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (2, 2)
    assert rig.session.is_logged_on


def test_logon_with_reset_flag_then_messages_continue_from_seq_2() -> None:
    rig = logged_on()
    rig.feed(rig.peer.heartbeat(), rig.peer.heartbeat())
    rig.peer.next_seq = 1
    rig.feed(rig.peer.logon(reset=True))

    sent = rig.feed(rig.peer.test_request("after"))

    assert briefs(sent) == ["35=0|34=2|112=after"]
    assert rig.store.next_target_seq == 3


def test_logon_with_seq_too_high_replies_logon_then_resend_request() -> None:
    rig = Rig()
    rig.connect()

    sent = rig.feed(rig.peer.logon(seq=5))

    assert briefs(sent) == ["35=A|34=1|98=0|108=30", "35=2|34=2|7=1|16=0"]
    assert rig.session.is_logged_on
    assert rig.store.next_target_seq == 1
    assert rig.session.resend_range == (1, 4)


def test_logon_with_seq_too_low_sends_logout_and_disconnects() -> None:
    rig = Rig()
    rig.store.set_next_target_seq(5)
    rig.connect()

    sent = rig.feed(rig.peer.logon())

    assert briefs(sent) == ["35=5|34=1|58=MsgSeqNum too low, expecting 5 but received 1"]
    assert rig.wire.disconnected


def test_logon_with_bad_sending_time_disconnects_without_sending() -> None:
    # Regression: the Logout after the Reject used to run on the disconnected
    # session and raise SessionStateError (QuickFIX drops the connection silently).
    rig = Rig()
    rig.connect()

    sent = rig.feed(rig.peer.logon(sending_time="20010101-00:00:00"))

    assert sent == []
    assert rig.wire.disconnected
    assert rig.session.state is SessionState.DISCONNECTED
    assert rig.store.next_sender_seq == 1


def test_logon_with_wrong_comp_id_disconnects_without_sending() -> None:
    rig = Rig(initiator_settings())
    rig.connect()
    rig.wire.take()
    stranger = Peer(rig.clock, sender="XXXX", target="TW44")

    sent = rig.feed(stranger.logon())

    assert sent == []
    assert rig.wire.disconnected
    assert rig.store.next_sender_seq == 2


def test_logon_failing_validation_disconnects_without_sending() -> None:
    rig = Rig()
    rig.connect()

    sent = rig.feed(rig.peer.frame("A", "98=0"))  # HeartBtInt(108) is required

    assert sent == []
    assert rig.wire.disconnected
    assert rig.app.logons == 0


def test_first_message_not_logon_disconnects_silently() -> None:
    rig = Rig()
    rig.connect()

    sent = rig.feed(rig.peer.heartbeat())

    assert sent == []
    assert rig.wire.disconnected
    assert rig.store.next_target_seq == 1


def test_garbled_logon_disconnects_silently() -> None:
    rig = Rig()
    rig.connect()
    good = rig.peer.logon()
    bad_checksum = good[:-4] + b"%03d\x01" % ((int(good[-4:-1]) + 1) % 256)

    sent = rig.feed(bad_checksum)

    assert sent == []
    assert rig.wire.disconnected


def test_junk_before_logon_is_ignored() -> None:
    rig = Rig()
    rig.connect()

    sent = rig.feed(Garbled(GarbledReason.JUNK, "before BeginString", b"35=0\x01"),
                    rig.peer.logon())

    assert briefs(sent) == ["35=A|34=1|98=0|108=30"]
    assert not rig.wire.disconnected


def test_logon_with_wrong_begin_string_on_attached_session_gets_logout() -> None:
    rig = Rig()
    rig.connect()

    sent = rig.feed(wrap(f"35=A|49=TW44|56=ISLD|34=1|52={rig.peer.now()}|98=0|108=30",
                         begin_string="FIX.4.2"))

    assert briefs(sent) == ["35=5|34=1|58=Incorrect BeginString"]
    assert not rig.session.is_logged_on


def test_acceptor_without_logon_times_out_after_logon_timeout() -> None:
    rig = Rig(acceptor_settings(logon_timeout_s=10))
    rig.connect()

    assert rig.at(10 - 0.001) == []
    assert not rig.wire.disconnected
    assert rig.at(10 + 0.001) == []
    assert rig.wire.disconnected


def test_initiator_without_logon_reply_times_out_after_logon_timeout() -> None:
    rig = Rig(initiator_settings(logon_timeout_s=5))
    rig.connect()
    rig.wire.take()

    rig.at(5 - 0.001)
    assert not rig.wire.disconnected
    rig.at(5 + 0.001)
    assert rig.wire.disconnected
    assert rig.app.logouts == 1  # QuickFIX: on_logout once a Logon was sent, even unanswered


def test_initiator_with_reset_on_logon_sends_141_y_and_accepts_reset_reply() -> None:
    rig = Rig(initiator_settings(reset_on_logon=True))
    rig.store.set_next_sender_seq(7)
    rig.store.set_next_target_seq(9)
    rig.connect()

    assert briefs(rig.wire.take()) == ["35=A|34=1|98=0|108=30|141=Y"]

    sent = rig.feed(rig.peer.logon(reset=True))

    assert sent == []
    assert rig.session.is_logged_on
    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (2, 2)


def test_acceptor_reset_on_logon_restarts_sequences() -> None:
    rig = Rig(acceptor_settings(reset_on_logon=True))
    rig.store.set_next_sender_seq(40)
    rig.store.set_next_target_seq(30)
    rig.connect()

    sent = rig.feed(rig.peer.logon())

    assert briefs(sent) == ["35=A|34=1|98=0|108=30"]
    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (2, 2)
