"""Error values and exceptions of the FIX layer, by kind.

Bad input never raises out of the codec: framing and parsing return `Garbled`
values and validation returns `Rejection` values, which the session layer turns
into the answer the FIX spec gives (silent drop, Reject, Logout). Exceptions are
kept for programming and configuration errors.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FixgwError(Exception):
    """Base of every exception fixgw raises on purpose."""


class DictionaryError(FixgwError):
    """A data dictionary file cannot be read or is inconsistent (names the file)."""


class EncodeError(FixgwError):
    """A message cannot be encoded (e.g. a tag value contains SOH)."""


class GarbledReason(enum.Enum):
    """Why a frame is garbled; garbled frames are dropped, never answered."""

    JUNK = "bytes before BeginString discarded"
    BAD_BODY_LENGTH_FIELD = "BodyLength is not a non-negative integer"
    TOO_LARGE = "message larger than the configured maximum size"
    BODY_LENGTH_MISMATCH = "BodyLength does not match the message"
    BAD_CHECKSUM = "CheckSum does not match the message"
    FIRST_FIELDS_OUT_OF_ORDER = "first three fields are not 8, 9, 35"
    BAD_TAG = "tag is not an integer"
    MISSING_EQUALS = "field without '='"
    BAD_DATA_LENGTH = "data field does not end where its length field says"


@dataclass(frozen=True, slots=True)
class Garbled:
    """A frame or byte run that is not a well-formed FIX message."""

    reason: GarbledReason
    detail: str
    data: bytes


class SessionRejectReason(enum.IntEnum):
    """SessionRejectReason (373) values QuickFIX uses, with its Text wording."""

    INVALID_TAG_NUMBER = 0
    REQUIRED_TAG_MISSING = 1
    TAG_NOT_DEFINED_FOR_MESSAGE_TYPE = 2
    UNDEFINED_TAG = 3
    TAG_SPECIFIED_WITHOUT_A_VALUE = 4
    VALUE_IS_INCORRECT = 5
    INCORRECT_DATA_FORMAT = 6
    DECRYPTION_PROBLEM = 7
    SIGNATURE_PROBLEM = 8
    COMPID_PROBLEM = 9
    SENDINGTIME_ACCURACY_PROBLEM = 10
    INVALID_MSGTYPE = 11
    XML_VALIDATION_ERROR = 12
    TAG_APPEARS_MORE_THAN_ONCE = 13
    TAG_SPECIFIED_OUT_OF_REQUIRED_ORDER = 14
    REPEATING_GROUP_FIELDS_OUT_OF_ORDER = 15
    INCORRECT_NUMINGROUP_COUNT = 16
    NON_DATA_VALUE_INCLUDES_FIELD_DELIMITER = 17
    OTHER = 99

    @property
    def text(self) -> str:
        """QuickFIX's Text(58) for this reason (byte-identical; the acceptance suite compares it)."""
        return _REJECT_TEXT[self]


_REJECT_TEXT = {
    SessionRejectReason.INVALID_TAG_NUMBER: "Invalid tag number",
    SessionRejectReason.REQUIRED_TAG_MISSING: "Required tag missing",
    SessionRejectReason.TAG_NOT_DEFINED_FOR_MESSAGE_TYPE: "Tag not defined for this message type",
    SessionRejectReason.UNDEFINED_TAG: "Undefined Tag",
    SessionRejectReason.TAG_SPECIFIED_WITHOUT_A_VALUE: "Tag specified without a value",
    SessionRejectReason.VALUE_IS_INCORRECT: "Value is incorrect (out of range) for this tag",
    SessionRejectReason.INCORRECT_DATA_FORMAT: "Incorrect data format for value",
    SessionRejectReason.DECRYPTION_PROBLEM: "Decryption problem",
    SessionRejectReason.SIGNATURE_PROBLEM: "Signature problem",
    SessionRejectReason.COMPID_PROBLEM: "CompID problem",
    SessionRejectReason.SENDINGTIME_ACCURACY_PROBLEM: "SendingTime accuracy problem",
    SessionRejectReason.INVALID_MSGTYPE: "Invalid MsgType",
    SessionRejectReason.XML_VALIDATION_ERROR: "XML Validation error",
    SessionRejectReason.TAG_APPEARS_MORE_THAN_ONCE: "Tag appears more than once",
    SessionRejectReason.TAG_SPECIFIED_OUT_OF_REQUIRED_ORDER: "Tag specified out of required order",
    SessionRejectReason.REPEATING_GROUP_FIELDS_OUT_OF_ORDER: "Repeating group fields out of order",
    SessionRejectReason.INCORRECT_NUMINGROUP_COUNT: "Incorrect NumInGroup count for repeating group",
    SessionRejectReason.NON_DATA_VALUE_INCLUDES_FIELD_DELIMITER: "Non Data value includes field delimiter",
    SessionRejectReason.OTHER: "Other",
}


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message failed validation: answer with Reject(35=3) carrying these values.

    `ref_tag` is RefTagID(371), absent for reasons that concern the whole message.
    `text` defaults to QuickFIX's wording for the reason.
    """

    reason: SessionRejectReason
    ref_tag: int | None = None
    text: str = ""

    @property
    def message_text(self) -> str:
        return self.text or self.reason.text
