"""Cutting a byte stream into candidate FIX frames, as QuickFIX's parser does.

FORMAT.md §8.3: skip to the next `8=`, read BodyLength L from the `9=` field, skip
L bytes, then search forward for the next `<SOH>10=` and end at the SOH after it.
A wrong BodyLength therefore either ends early at the message's own CheckSum or
swallows the next message; both yield a frame that `codec.split_fields` reports as
garbled. Input that cannot start a frame comes back as `Garbled` too; nothing raises.
"""

from __future__ import annotations

from gateway.fix.errors import Garbled, GarbledReason

DEFAULT_MAX_MESSAGE_SIZE = 1 << 20


def digits_value(digits: str) -> int:
    """The value of an ASCII digit string; int() refuses more than 4300 digits."""
    if len(digits) > 20:
        digits = digits.lstrip("0") or "0"
        if len(digits) > 20:
            return 1 << 70  # larger than any length, checksum or tag
    return int(digits)


class Framer:
    """Cuts a byte stream into candidate FIX frames, QuickFIX style.

    `feed` returns complete frames (bytes) and `Garbled` values for input that
    was skipped; partial input is kept for the next call. Memory is bounded:
    nothing larger than `max_message_size` is ever buffered for long.
    """

    __slots__ = ("_buffer", "max_message_size")

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        self._buffer = bytearray()
        self.max_message_size = max_message_size

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes | Garbled]:
        buffer = self._buffer
        source: bytes | bytearray
        if buffer or data.__class__ is not bytes:
            buffer += data
            source = buffer
        else:
            source = data  # the usual case: read straight from `data`, buffer only the rest
        out: list[bytes | Garbled] = []
        position = 0
        end = len(source)
        while position < end:
            step = self._next(source, position, out)
            if step < 0:
                break
            position = step
        if source is buffer:
            if position:
                del buffer[:position]
        elif position < len(data):
            buffer += memoryview(data)[position:]
        return out

    def _next(self, buffer: bytes | bytearray, position: int, out: list[bytes | Garbled]) -> int:
        """Consume one frame or junk run from `position`; -1 when more input is needed."""
        start = buffer.find(b"8=", position)
        if start < 0:
            keep = 1 if buffer.endswith(b"8") else 0
            end = len(buffer) - keep
            if end > position:
                out.append(Garbled(GarbledReason.JUNK, "no BeginString", bytes(buffer[position:end])))
                return end
            return -1
        if start > position:
            out.append(Garbled(GarbledReason.JUNK, "before BeginString", bytes(buffer[position:start])))
        # Every search stays inside the size window, so the verdict on a candidate
        # depends on the stream only, never on how it was split into reads.
        limit = start + self.max_message_size
        length_field = buffer.find(b"\x019=", start, limit)
        if length_field < 0:
            return self._wait_or_drop(buffer, position, start, out)
        length_end = buffer.find(b"\x01", length_field + 3, limit)
        if length_end < 0:
            return self._wait_or_drop(buffer, position, start, out)
        length_text = buffer[length_field + 3:length_end]
        if not length_text.isdigit():
            out.append(Garbled(GarbledReason.BAD_BODY_LENGTH_FIELD, repr(bytes(length_text)), bytes(buffer[start:length_end + 1])))
            return start + 2
        body_end = length_end + 1 + (int(length_text) if len(length_text) < 20
                                     else digits_value(length_text.decode("ascii")))
        if body_end - start > self.max_message_size:
            out.append(Garbled(GarbledReason.TOO_LARGE, f"BodyLength {bytes(length_text[:24])!r}", bytes(buffer[start:length_end + 1])))
            return start + 2
        if len(buffer) < body_end:
            return start if start > position else -1
        checksum_field = buffer.find(b"\x0110=", body_end - 1, limit)
        if checksum_field < 0:
            return self._wait_or_drop(buffer, position, start, out)
        end = buffer.find(b"\x01", checksum_field + 4, limit)
        if end < 0:
            return self._wait_or_drop(buffer, position, start, out)
        frame = buffer[start:end + 1]
        out.append(frame if frame.__class__ is bytes else bytes(frame))
        return end + 1

    def _wait_or_drop(self, buffer: bytes | bytearray, position: int, start: int,
                      out: list[bytes | Garbled]) -> int:
        if len(buffer) - start < self.max_message_size:
            # Keep the incomplete candidate; what precedes it was reported as junk.
            return start if start > position else -1
        out.append(Garbled(GarbledReason.TOO_LARGE, "no complete message within the size limit",
                           bytes(buffer[start:start + 64])))
        return start + 2
