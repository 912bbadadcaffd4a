"""CompID rewriting so that `.def` files can run in parallel (FORMAT.md section 9.4).

All FIX 4.4 scripts talk as ``TW44``; parallel workers each get their own CompID and
their own acceptor session. Rewriting changes message lengths, so a hard-coded
``9=`` is shifted by the length change of the bytes it covers: a correct BodyLength
stays correct, a deliberately wrong one stays wrong by the same amount (``2m`` relies
on a too-long length overshooting into the next message by a fixed distance).

Only whole field values are rewritten (``49=TW44`` but not ``49=TW44X`` or a tag).
Hard-coded CheckSums are left alone: every one in the suite is deliberately wrong or
sits in a message that is garbled anyway.
"""

from __future__ import annotations

from collections.abc import Mapping

SOH = b"\x01"
SUITE_COMPID = "TW44"


def worker_compid(worker_id: str | None) -> str:
    """The client CompID for a pytest-xdist worker (``gw0`` → ``TW44GW0``).

    Without xdist (`worker_id` None or ``master``) the scripts run unchanged.
    """
    if worker_id is None or worker_id == "master":
        return SUITE_COMPID
    return SUITE_COMPID + worker_id.upper()


def _rewrite_field(field: bytes, mapping: Mapping[bytes, bytes]) -> bytes:
    tag, sep, value = field.partition(b"=")
    if sep and value in mapping:
        return tag + sep + mapping[value]
    return field


def rewrite_compids(payload: bytes, mapping: Mapping[str, str]) -> bytes:
    """Replace field values per `mapping` and shift a hard-coded BodyLength to match.

    Works on raw `I`/`E` payloads (placeholders not yet filled); also on payloads that
    do not start with ``8=`` (``2t`` sends ``35=0|8=…|9=29|…``).
    """
    if not mapping:
        return payload
    table = {old.encode("ascii"): new.encode("ascii") for old, new in mapping.items()}
    fields = payload.split(SOH)
    rewritten = [_rewrite_field(field, table) for field in fields]
    length_at = next((i for i, f in enumerate(fields) if f.startswith(b"9=")), None)
    if length_at is not None:
        rewritten[length_at] = _shifted_length(fields, rewritten, length_at)
    return SOH.join(rewritten)


def _shifted_length(old: list[bytes], new: list[bytes], length_at: int) -> bytes:
    """The ``9=`` field shifted by the length change of every field after it."""
    value = old[length_at][2:]
    if not value.isdigit():
        return old[length_at]
    delta = sum(
        len(n) - len(o) for o, n in zip(old[length_at + 1 :], new[length_at + 1 :], strict=True)
    )
    return b"9=%d" % (int(value) + delta)
