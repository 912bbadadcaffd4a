"""Session Rejects, BusinessMessageRejects and the checks that end in a Logout (FORMAT.md §8.3)."""

from __future__ import annotations

import pytest

from gateway.session.application import BusinessReject, UnsupportedMessageType
from gateway.session.state import SessionState
from tests.unit.session.harness import Peer, Rig, briefs, logged_on, wrap


def _order_with(rig: Rig, body: str, header: str = "", seq: int | None = None) -> bytes:
    """An order whose body is exactly `body` (plus TransactTime)."""
    return rig.peer.frame("D", f"{body}|60={rig.peer.now()}", header=header, seq=seq)


@pytest.mark.parametrize(("frame_body", "expected"), [
    ("0|999=x", "45=2|58=Invalid tag number|371=999|372=0|373=0"),
    ("0|55=EUR/USD", "45=2|58=Tag not defined for this message type|371=55|372=0|373=2"),
    ("1|112=", "45=2|58=Tag specified without a value|371=112|372=1|373=4"),
    ("*|58=x", "45=2|58=Invalid MsgType|372=*|373=11"),
    ("D|11=A|21=4|40=1|54=1|60=20260101-00:00:00", "45=2|58=Value is incorrect (out of range) "
                                                   "for this tag|371=21|372=D|373=5"),
    ("D|11=A|21=1|38=+200.00|40=1|54=1|60=20260101-00:00:00", "45=2|58=Incorrect data format "
                                                              "for value|371=38|372=D|373=6"),
    ("D|21=1|40=1|54=1|60=20260101-00:00:00", "45=2|58=Required tag missing|371=11|372=D|373=1"),
])
def test_validation_failure_rejected_with_reason_and_expected_seq_consumed(
        frame_body: str, expected: str) -> None:
    rig = logged_on()
    msg_type, _, body = frame_body.partition("|")

    sent = rig.feed(rig.peer.frame(msg_type, body))

    assert briefs(sent) == ["35=3|34=2|" + expected]
    assert rig.store.next_target_seq == 3
    assert rig.app.from_app_messages == []
    # The application hears of the application messages it never gets (not of admin ones).
    refused = [(m.msg_type, r.reason.value, r.ref_tag) for m, r in rig.app.refused]
    reason = int(expected.rpartition("373=")[2])
    tag = int(expected.partition("371=")[2].partition("|")[0]) if "371=" in expected else None
    assert refused == ([(msg_type, reason, tag)] if msg_type not in ("0", "1") else [])
    assert briefs(rig.feed(rig.peer.test_request("next"))) == ["35=0|34=3|112=next"]


def test_an_application_error_on_a_refused_message_is_logged_and_the_session_goes_on() -> None:
    rig = logged_on()

    def fail(*args: object) -> None:
        raise RuntimeError("boom")

    rig.app.on_refused = fail   # type: ignore[method-assign]
    sent = rig.feed(_order_with(rig, "21=1|40=1|54=1"))

    assert [m.msg_type for m in sent] == ["3"]
    assert any("Application error on refused D seq 2: RuntimeError('boom')" in e
               for e in rig.log.events)
    assert rig.session.is_logged_on


def test_rejected_too_high_message_does_not_consume_or_ask_for_resend() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.frame("0", "999=x", seq=7))

    assert briefs(sent) == ["35=3|34=2|45=7|58=Invalid tag number|371=999|372=0|373=0"]
    assert rig.store.next_target_seq == 2
    assert rig.session.resend_range is None


def test_invalid_sequence_reset_rejected_without_consuming_its_seq() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.frame("4", "123=Y"))  # NewSeqNo(36) missing

    assert briefs(sent) == ["35=3|34=2|45=2|58=Required tag missing|371=36|372=4|373=1"]
    assert rig.store.next_target_seq == 2


def test_invalid_logon_mid_session_rejected_without_consuming_its_seq() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.frame("A", "98=0|108=30|141=X"))

    assert briefs(sent) == [
        "35=3|34=2|45=2|58=Incorrect data format for value|371=141|372=A|373=6"]
    assert rig.store.next_target_seq == 2


def test_reject_reverse_routes_on_behalf_of_and_deliver_to_fields() -> None:
    rig = logged_on()
    routing = "115=ONB|116=ONBS|128=DLV|144=ONBL|145=DLVL"

    sent, = rig.feed(_order_with(rig, "11=A|21=1|40=w|54=1", header=routing))

    assert sent.text({8, 9, 10, 52}) == (
        "35=3|34=2|49=ISLD|56=TW44|115=DLV|128=ONB|129=ONBS|144=DLVL|145=ONBL|"
        "45=2|58=Value is incorrect (out of range) for this tag|371=40|372=D|373=5")


def test_reject_reverse_routing_skips_empty_values() -> None:
    rig = logged_on()

    sent, = rig.feed(_order_with(rig, "11=A|21=1|40=1|54=1", header="115=JCD|129="))

    assert sent.text({8, 9, 10, 52}) == (
        "35=3|34=2|49=ISLD|56=TW44|128=JCD|"
        "45=2|58=Tag specified without a value|371=129|372=D|373=4")


@pytest.mark.parametrize(("sender", "target"), [("WT", "ISLD"), ("TW44", "DLSI"), ("WT", "DLSI")])
def test_wrong_comp_id_rejected_373_9_then_logout(sender: str, target: str) -> None:
    rig = logged_on()
    stranger = Peer(rig.clock, sender=sender, target=target)
    stranger.next_seq = 2

    sent = rig.feed(stranger.order("ID"))

    assert briefs(sent) == ["35=3|34=2|45=2|58=CompID problem|372=D|373=9", "35=5|34=3"]
    assert rig.session.state is SessionState.LOGOUT_SENT
    assert rig.store.next_target_seq == 3
    rig.peer.next_seq = 3
    assert rig.feed(rig.peer.logout()) == []   # the answer ends it: no second Logout
    assert rig.wire.disconnected


def test_comp_id_not_checked_when_check_comp_id_off() -> None:
    rig = logged_on(check_comp_id=False)
    stranger = Peer(rig.clock, sender="WT", target="DLSI")
    stranger.next_seq = 2

    sent = rig.feed(stranger.order("ID"))

    assert sent == []
    assert rig.app.cl_ord_ids() == ["ID"]


@pytest.mark.parametrize("offset_s", [-121, 121])
def test_sending_time_beyond_max_latency_rejected_373_10_then_logout(offset_s: int) -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.order("late", sending_time=rig.peer.now(offset_s)))

    assert briefs(sent) == ["35=3|34=2|45=2|58=SendingTime accuracy problem|372=D|373=10",
                            "35=5|34=3"]
    assert rig.app.from_app_messages == []


@pytest.mark.parametrize("offset_s", [-120, 120])
def test_sending_time_within_max_latency_accepted(offset_s: int) -> None:
    rig = logged_on()

    assert rig.feed(rig.peer.order("ok", sending_time=rig.peer.now(offset_s))) == []
    assert rig.app.cl_ord_ids() == ["ok"]


def test_max_latency_setting_is_used() -> None:
    rig = logged_on(max_latency_s=5)

    sent = rig.feed(rig.peer.heartbeat(sending_time=rig.peer.now(-6)))

    assert [s.msg_type for s in sent] == ["3", "5"]


def test_sending_time_not_checked_when_check_latency_off() -> None:
    rig = logged_on(check_latency=False)

    sent = rig.feed(rig.peer.order("old", sending_time="20010101-00:00:00"))

    assert sent == []
    assert rig.app.cl_ord_ids() == ["old"]


def test_wrong_begin_string_logs_out_and_consumes_seq_then_client_logout_ends() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.test_request("id", begin_string="FIX.4.1"))

    assert briefs(sent) == ["35=5|34=2|58=Incorrect BeginString"]
    assert rig.store.next_target_seq == 3
    assert rig.feed(rig.peer.logout()) == []
    assert rig.wire.disconnected


def test_wrong_begin_string_then_silence_dropped_after_logout_timeout() -> None:
    rig = logged_on(logout_timeout_s=2)
    rig.feed(rig.peer.test_request("id", begin_string="FIX.4.1"))

    rig.at(2 - 0.001)
    assert not rig.wire.disconnected
    rig.at(2 + 0.001)

    assert rig.wire.disconnected


def test_unsolicited_logout_with_wrong_begin_string_is_answered() -> None:
    rig = logged_on()

    sent = rig.feed(wrap(f"35=5|49=TW44|56=ISLD|34=2|52={rig.peer.now()}", begin_string="FIX.4.1"))

    assert briefs(sent) == ["35=5|34=2"]
    assert rig.wire.disconnected


def test_missing_target_comp_id_rejected_required_tag_missing() -> None:
    rig = logged_on()

    sent = rig.feed(wrap(f"35=0|49=TW44|34=2|52={rig.peer.now()}"))

    assert briefs(sent) == ["35=3|34=2|45=2|58=Required tag missing|371=56|372=0|373=1"]


def test_unsupported_message_type_business_reject_380_3() -> None:
    rig = logged_on()
    rig.app.from_app_error = UnsupportedMessageType()

    sent = rig.feed(rig.peer.order())

    assert briefs(sent) == ["35=j|34=2|45=2|58=Unsupported Message Type|372=D|380=3"]
    assert rig.store.next_target_seq == 3


def test_business_reject_carries_reason_text_and_ref_tag() -> None:
    rig = logged_on()
    rig.app.from_app_error = BusinessReject(5, "Conditionally Required Field Missing", 44)

    sent = rig.feed(rig.peer.order())

    assert briefs(sent) == [
        "35=j|34=2|45=2|58=Conditionally Required Field Missing (44)|372=D|380=5"]


def test_business_reject_without_text_uses_reason_name() -> None:
    rig = logged_on()
    rig.app.from_app_error = BusinessReject(4, "")

    sent = rig.feed(rig.peer.order())

    assert briefs(sent) == ["35=j|34=2|45=2|58=Application not available|372=D|380=4"]


def test_application_exception_becomes_business_reject_and_session_survives() -> None:
    rig = logged_on()
    rig.app.from_app_error = RuntimeError("boom")

    sent = rig.feed(rig.peer.order("bad"))

    assert briefs(sent) == ["35=j|34=2|45=2|58=Application error|372=D|380=0"]
    assert rig.session.is_logged_on
    rig.app.from_app_error = None
    assert rig.feed(rig.peer.order("good")) == []
    assert rig.app.cl_ord_ids() == ["good"]
    assert rig.store.next_target_seq == 4
