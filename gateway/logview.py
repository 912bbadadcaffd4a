"""`fixgw log FILE`: a session log printed with tag and enum names (SPEC §2.5, §9).

Reads the messages files `FileLog` writes (`TIMESTAMP IN  : 8=FIX.4.4|...`,
see `gateway/session/filelog.py`), QuickFIX's own messages files
(`TIMESTAMP : 8=FIX.4.4<SOH>...`) and bare `8=...` lines. Each message line
becomes the timestamp, the direction and its fields as `Name(tag)=value
(EnumDescription)`, e.g. `MsgType(35)=D (NewOrderSingle)`; tags the dictionary
does not know stay `tag=value`. A message that fails the codec's checks
(BodyLength, CheckSum, field syntax) is printed raw after a `!! GARBLED (why)`
marker. Every other line, such as an events file's, is printed unchanged.

In the `|` form a value may itself contain `|`, so a `|` separates fields only
when a `tag=` follows it; and a line feed the writer escaped as `\\n` is
restored if that is what makes the message check out.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from gateway.fix.codec import split_fields
from gateway.fix.dictionary import DEFAULT_DICTIONARY, MULTI_VALUE_TYPES, DataDictionary
from gateway.fix.errors import DictionaryError, Garbled

FOLLOW_POLL_INTERVAL_S = 0.2
FIELD_SEPARATOR = " | "

_MESSAGE_LINE = re.compile(
    r"(?P<time>\d{8}-\d{2}:\d{2}:\d{2}(?:\.\d+)?) (?:(?P<direction>IN |OUT) )?: (?P<fix>8=.*)",
    re.DOTALL)
_PIPE_BEFORE_TAG = re.compile(r"\|(?=\d+=|$)")


class MessageLine:
    """One message line of a log: when, which way, and the raw FIX text as logged."""

    __slots__ = ("direction", "fix", "time")

    def __init__(self, time: str | None, direction: str | None, fix: str) -> None:
        self.time = time
        self.direction = direction  # "IN", "OUT", or None when the log does not say
        self.fix = fix


def parse_line(line: str) -> MessageLine | None:
    """The message on a log line, or None when the line is not a message."""
    line = line.rstrip("\r\n")
    if line.startswith("8="):
        return MessageLine(None, None, line)
    match = _MESSAGE_LINE.fullmatch(line)
    if match is None:
        return None
    direction = match["direction"]
    return MessageLine(match["time"], direction.strip() if direction else None, match["fix"])


def decode_fix(fix: str) -> tuple[list[int], list[str]] | Garbled:
    """Tags and values of a logged message (`|` or SOH separated), checked by the codec."""
    frame = fix if "\x01" in fix else _PIPE_BEFORE_TAG.sub("\x01", fix)
    decoded = split_fields(frame.encode("latin-1"))
    if isinstance(decoded, Garbled) and "\\n" in frame:
        unescaped = split_fields(frame.replace("\\n", "\n").encode("latin-1"))
        if not isinstance(unescaped, Garbled):
            return unescaped
    return decoded


def describe(tag: int, value: str, dictionary: DataDictionary) -> str | None:
    """The dictionary's name for `value` of `tag`: message names for 35, enum descriptions else."""
    if tag == 35:
        return dictionary.msg_type_names.get(value)
    definition = dictionary.fields.get(tag)
    if definition is None or not definition.enums:
        return None
    if definition.type in MULTI_VALUE_TYPES and " " in value:
        names = [definition.enums.get(part) for part in value.split(" ")]
        return None if None in names else " ".join(name for name in names if name)
    return definition.enums.get(value)


def shown(value: str) -> str:
    """`value` with control characters escaped, so a log cannot drive the terminal."""
    if value.isprintable():
        return value
    return "".join(char if char.isprintable() else f"\\x{ord(char):02x}" for char in value)


def render_field(tag: int, value: str, dictionary: DataDictionary) -> str:
    """`Name(tag)=value (Description)`, or `tag=value` for a tag the dictionary lacks."""
    name = dictionary.field_name(tag)
    text = f"{name}({tag})={shown(value)}" if name else f"{tag}={shown(value)}"
    description = describe(tag, value, dictionary)
    return f"{text} ({description})" if description else text


def _head(message: MessageLine) -> str:
    if message.time is None:
        return ""
    if message.direction is None:
        return f"{message.time} : "
    return f"{message.time} {message.direction:<3} : "


def render_line(line: str, dictionary: DataDictionary) -> str:
    """One log line for humans: messages decoded, anything else unchanged (without its newline)."""
    message = parse_line(line)
    if message is None:
        return line.rstrip("\n")
    decoded = decode_fix(message.fix)
    if isinstance(decoded, Garbled):
        why = f"{decoded.reason.value}; {decoded.detail}" if decoded.detail else decoded.reason.value
        return f"{_head(message)}!! GARBLED ({why}): {shown(message.fix)}"
    tags, values = decoded
    fields = FIELD_SEPARATOR.join(
        render_field(tag, value, dictionary) for tag, value in zip(tags, values, strict=True))
    return _head(message) + fields


def render_json(line: str, dictionary: DataDictionary) -> str:
    """One log line as a JSON object: a message's fields, a garbled message, or other text."""
    message = parse_line(line)
    if message is None:
        return json.dumps({"text": line.rstrip("\n")})
    record: dict[str, Any] = {"time": message.time, "direction": message.direction}
    decoded = decode_fix(message.fix)
    if isinstance(decoded, Garbled):
        record.update(garbled=decoded.reason.value, detail=decoded.detail, raw=message.fix)
        return json.dumps(record)
    tags, values = decoded
    msg_type = values[tags.index(35)] if 35 in tags else None
    record["msg_type"] = msg_type
    record["msg_type_name"] = dictionary.msg_type_names.get(msg_type) if msg_type else None
    record["fields"] = [
        {"tag": tag, "name": dictionary.field_name(tag), "value": value,
         "description": describe(tag, value, dictionary)}
        for tag, value in zip(tags, values, strict=True)]
    return json.dumps(record)


def iter_render(lines: Iterable[str], dictionary: DataDictionary,
                as_json: bool = False) -> Iterator[str]:
    """`render_line` (or `render_json`) over `lines`, lazily, so it works on a followed file."""
    render = render_json if as_json else render_line
    for line in lines:
        yield render(line, dictionary)


def follow_lines(stream: BinaryIO, poll_interval_s: float = FOLLOW_POLL_INTERVAL_S,
                 sleep: Callable[[float], None] = time.sleep,
                 on_idle: Callable[[], None] | None = None) -> Iterator[bytes]:
    """Every complete line of `stream`, then new ones as the file grows (like `tail -f`).

    Never ends by itself: stop iterating (or press Ctrl-C). A half-written last
    line waits until its newline arrives. If the file shrinks (truncated), reading
    starts again from its beginning. `on_idle` runs each time it has caught up.
    """
    pending = b""
    while True:
        chunk = stream.readline()
        if chunk.endswith(b"\n"):
            yield pending + chunk
            pending = b""
            continue
        pending += chunk
        if on_idle is not None:
            on_idle()
        if os.fstat(stream.fileno()).st_size < stream.tell():
            stream.seek(0)
            pending = b""
        sleep(poll_interval_s)


# -- the `fixgw log` command --------------------------------------------------

def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `fixgw log` to the command line (its handler is `run`)."""
    summary = "print a session messages log decoded with tag and enum names"
    parser = subparsers.add_parser("log", help=summary, description=summary)
    add_arguments(parser)
    parser.set_defaults(handler=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `fixgw log`."""
    parser.add_argument("file", metavar="FILE",
                        help="a messages (or events) log file; '-' reads standard input")
    parser.add_argument("--dictionary", metavar="PATH", type=Path, default=DEFAULT_DICTIONARY,
                        help="QuickFIX-format data dictionary (default: %(default)s)")
    parser.add_argument("-f", "--follow", action="store_true",
                        help="keep printing lines as the file grows, until Ctrl-C")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per line instead of text")


def run(args: argparse.Namespace) -> int:
    """`fixgw log`: 0 when done (or stopped with Ctrl-C), 2 when FILE or the dictionary is unusable."""
    try:
        dictionary = DataDictionary.load(args.dictionary)
    except DictionaryError as exc:
        print(f"fixgw log: {exc}", file=sys.stderr)
        return 2
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"fixgw log: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper):
        out.reconfigure(errors="backslashreplace")
    with stream:
        raw_lines: Iterable[bytes] = (
            follow_lines(stream, on_idle=out.flush) if args.follow else stream)
        lines = (raw.decode("latin-1") for raw in raw_lines)
        return _print_all(iter_render(lines, dictionary, as_json=args.json), out)


def _print_all(rendered: Iterator[str], out: Any) -> int:
    try:
        for text in rendered:
            out.write(text + "\n")
        out.flush()
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        # The reader went away (`fixgw log FILE | head`): stop quietly, and keep
        # the interpreter's final flush from failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        return 1
    return 0
