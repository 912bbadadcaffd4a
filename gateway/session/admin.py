"""Builders of the session-level (admin) messages, as QuickFIX words them.

Pure functions: they return `Message` values without header CompIDs, MsgSeqNum
or SendingTime, which the session fills in when it sends.
"""

from __future__ import annotations

from gateway.fix.errors import Rejection
from gateway.fix.message import Item, Message, Value

ADMIN_MSG_TYPES = frozenset("0123456A")  # FIX 4.4 session messages (6 is unused)
UNSUPPORTED_MESSAGE_TYPE = 3             # BusinessRejectReason(380)

# Rejects travel back the way the rejected message came (QuickFIX reverseRoute).
_REVERSE_ROUTE = ((115, 128), (116, 129), (144, 145), (128, 115), (129, 116), (145, 144))

_BUSINESS_REJECT_TEXT = {
    0: "Other",
    1: "Unknown ID",
    2: "Unknown Security",
    3: "Unsupported Message Type",
    4: "Application not available",
    5: "Conditionally Required Field Missing",
    6: "Not authorized",
    7: "DeliverTo firm not available at this time",
}


def logon(heartbeat_s: int, reset: bool) -> Message:
    body: list[Item] = [(98, "0"), (108, str(heartbeat_s))]
    if reset:
        body.append((141, "Y"))
    return Message("A", body)


def logout(text: str = "") -> Message:
    return Message("5", [(58, text)] if text else [])


def heartbeat(test_request_id: str | None = None) -> Message:
    return Message("0", [(112, test_request_id)] if test_request_id is not None else [])


def test_request(test_request_id: str) -> Message:
    return Message("1", [(112, test_request_id)])


def resend_request(begin: int, end: int = 0) -> Message:
    return Message("2", [(7, str(begin)), (16, str(end))])


def gap_fill(new_seq: int) -> Message:
    """SequenceReset-GapFill; the sender sets 34 to the first skipped seq and 122 = 52."""
    return Message("4", [(36, str(new_seq)), (123, "Y")], header={43: "Y"})


def reject(rejected: Message, rejection: Rejection) -> Message:
    """Reject(35=3) of `rejected`: 45, 58, 371 (when known), 372, 373."""
    body: list[Item] = []
    seq = rejected.header.get(34)
    if isinstance(seq, str) and seq:
        body.append((45, seq))
    body.append((58, rejection.message_text))
    if rejection.ref_tag is not None:
        body.append((371, str(rejection.ref_tag)))
    if rejected.msg_type:
        body.append((372, rejected.msg_type))
    body.append((373, str(int(rejection.reason))))
    return Message("3", body, header=reverse_route(rejected.header))


def business_reject(rejected: Message, reason: int, text: str = "",
                    ref_tag: int | None = None) -> Message:
    """BusinessMessageReject(35=j): 45, 58, 372, 380 (the text names the tag, as QuickFIX does)."""
    text = text or _BUSINESS_REJECT_TEXT.get(reason, "")
    if ref_tag is not None:
        text = f"{text} ({ref_tag})"
    body: list[Item] = []
    seq = rejected.header.get(34)
    if isinstance(seq, str) and seq:
        body.append((45, seq))
    if text:
        body.append((58, text))
    body.append((372, rejected.msg_type))
    body.append((380, str(reason)))
    return Message("j", body)


def reverse_route(header: dict[int, Value]) -> dict[int, Value]:
    routed: dict[int, Value] = {}
    for source, target in _REVERSE_ROUTE:
        value = header.get(source)
        if isinstance(value, str) and value:
            routed[target] = value
    return routed
