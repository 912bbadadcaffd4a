"""An initiator and an acceptor core back to back through in-memory links."""

from __future__ import annotations

from gateway.fix.message import Message
from gateway.session.state import SessionState
from tests.unit.session.harness import Pair, Sent, Tamper, initiator_settings


def _order(cl_ord_id: str) -> Message:
    return Message("D", [(11, cl_ord_id), (21, "1"), (38, "100"), (40, "1"), (54, "1"),
                         (55, "EUR/USD"), (60, "20260101-00:00:00")])


def _seqs_agree(pair: Pair) -> bool:
    initiator, acceptor = pair.initiator.store, pair.acceptor.store
    return (initiator.next_sender_seq == acceptor.next_target_seq
            and acceptor.next_sender_seq == initiator.next_target_seq)


def test_pair_logs_on_with_one_logon_each_way() -> None:
    pair = Pair()

    pair.connect()

    assert pair.logged_on
    assert [s.brief() for s in pair.to_acceptor.sent] == ["35=A|34=1|98=0|108=30"]
    assert [s.brief() for s in pair.to_initiator.sent] == ["35=A|34=1|98=0|108=30"]
    assert (pair.initiator.app.logons, pair.acceptor.app.logons) == (1, 1)
    assert _seqs_agree(pair)


def test_pair_round_trip_with_message_loss_recovered_by_resend() -> None:
    pair = Pair()
    pair.connect()
    lost = {"to acceptor": {20, 21, 22}, "to initiator": {50}}

    def lose(direction: str) -> Tamper:
        def tamper(data: bytes) -> list[bytes]:
            sent = Sent.parse(data)
            if sent.msg_type == "D" and 43 not in sent and sent.seq in lost[direction]:
                return []
            return [data]
        return tamper

    pair.tamper_to_acceptor = lose("to acceptor")
    pair.tamper_to_initiator = lose("to initiator")
    for n in range(100):
        pair.initiator.session.send(_order(f"I{n}"))
        pair.acceptor.session.send(_order(f"A{n}"))
        pair.pump()
        pair.clock.advance(0.1)

    assert pair.acceptor.app.cl_ord_ids() == [f"I{n}" for n in range(100)]
    assert pair.initiator.app.cl_ord_ids() == [f"A{n}" for n in range(100)]
    poss_dups = [m.get(11) for m in pair.acceptor.app.from_app_messages if m.header.get(43) == "Y"]
    assert poss_dups == ["I18", "I19", "I20"]  # seqs 20-22: after Logon, order n has seq n+2
    resend_requests = [s.brief() for s in pair.to_initiator.sent if s.msg_type == "2"]
    assert resend_requests == ["35=2|34=24|7=20|16=0"]  # after its Logon and A0-A21
    assert _seqs_agree(pair)

    pair.initiator.session.logout()
    pair.pump()

    assert pair.initiator.session.state is SessionState.DISCONNECTED
    assert pair.acceptor.session.state is SessionState.DISCONNECTED
    assert [s.msg_type for s in pair.to_acceptor.sent[-1:]] == ["5"]
    assert [s.msg_type for s in pair.to_initiator.sent[-1:]] == ["5"]
    assert _seqs_agree(pair)
    assert (pair.initiator.app.logouts, pair.acceptor.app.logouts) == (1, 1)


def test_pair_idle_for_ten_minutes_stays_up_on_heartbeats_alone() -> None:
    pair = Pair(initiator_settings(heartbeat_interval_s=5))
    pair.connect()

    for _ in range(600):
        pair.advance(1)

    assert pair.logged_on
    to_acceptor = [s.msg_type for s in pair.to_acceptor.sent[1:]]
    to_initiator = [s.msg_type for s in pair.to_initiator.sent[1:]]
    assert set(to_acceptor) == set(to_initiator) == {"0"}
    assert 100 <= len(to_acceptor) + len(to_initiator) <= 240
    assert _seqs_agree(pair)


def test_pair_silent_acceptor_is_dropped_by_initiator_after_test_request() -> None:
    pair = Pair(initiator_settings(heartbeat_interval_s=5))
    pair.connect()
    pair.tamper_to_initiator = lambda data: []   # the acceptor goes mute

    for _ in range(13):  # TestRequest at 1.2 H = 6 s, drop at 2.4 H = 12 s
        pair.advance(1)

    assert pair.initiator.session.state is SessionState.DISCONNECTED
    assert any(s.brief().endswith("112=TEST") for s in pair.to_acceptor.sent)
    assert pair.acceptor.session.state is SessionState.DISCONNECTED  # it saw the close


def test_pair_reconnect_without_reset_resumes_and_resends_missed_messages() -> None:
    pair = Pair()
    pair.connect()
    pair.initiator.session.send(_order("before"))
    pair.pump()
    pair.initiator.session.logout()
    pair.pump()
    pair.initiator.session.send(_order("while away"))  # stored, not written

    pair.connect()

    assert pair.logged_on
    assert pair.acceptor.app.cl_ord_ids() == ["before", "while away"]
    assert pair.acceptor.app.from_app_messages[-1].header.get(43) == "Y"
    assert _seqs_agree(pair)


def test_pair_with_reset_on_logon_restarts_both_sequences() -> None:
    pair = Pair(initiator_settings(reset_on_logon=True))
    pair.connect()
    for n in range(5):
        pair.initiator.session.send(_order(f"I{n}"))
    pair.pump()
    pair.initiator.session.logout()
    pair.pump()

    pair.connect()

    assert [s.brief() for s in pair.to_acceptor.sent] == ["35=A|34=1|98=0|108=30|141=Y"]
    assert [s.brief() for s in pair.to_initiator.sent] == ["35=A|34=1|98=0|108=30|141=Y"]
    assert (pair.initiator.store.next_sender_seq, pair.acceptor.store.next_target_seq) == (2, 2)
