"""FIX codec speed: ours against simplefix and QuickFIX (quickfix-py), in one run.

Usage: .venv/bin/python bench/codec.py [--repeat R] [--seconds S]

Prints µs/op (the minimum over R rounds, each timing every op for about S seconds,
interleaved so that load on a shared machine affects all libraries alike) for a FIX 4.4
NewOrderSingle (18 fields) and ExecutionReport (26 fields):

* parse: framing + BodyLength/CheckSum verification + every field split. Ours is
  `Framer.feed(frame)` (the session's reused framer, which finds the frame in the
  bytes) followed by `split_fields(frame)` (which verifies the first fields,
  BodyLength and CheckSum and splits every field). simplefix is
  `FixParser.append_buffer(b)` + `get_message()` (frames and splits; it checks
  neither BodyLength nor CheckSum). QuickFIX is `quickfix.Message(text, dd, False)`
  (splits with the dictionary, builds the groups; no framing — its C++ Parser is not
  exposed to Python — and no BodyLength/CheckSum check; the str is prepared outside
  the loop, so the bytes->str step is not counted for it).
* split (pre-framed): ours `split_fields(frame)` alone — the like-for-like figure
  against QuickFIX's `Message(text, dd, False)`, which also starts from one framed
  message (ours still verifies BodyLength and CheckSum, QuickFIX's does not).
* parse+validate: ours adds `Validator.build` + `validate` with our dictionary;
  QuickFIX is `quickfix.Message(text, dd, True)` + `dd.validate(message)`.
* encode: ours builds a `Message` of the same content and `encode`s it (and, on a
  second line, `encode` alone of a prebuilt Message, which is what QuickFIX's figure
  is); simplefix builds a `FixMessage` and `encode`s it; QuickFIX is `toString()` of a
  prebuilt message.

"ours" is the C speedups (gateway/fix/_speedups.c) when the extension is built, else
the pure-Python code; the first lines say which. `FIXGW_PURE_PYTHON=1` in the
environment measures the pure-Python figures with the extension built.

Bars (SPEC §2.1, from the issue): our parse at least 10x faster than simplefix's, and
at most 1.5x QuickFIX's time; the second is printed for both our figures (with and
without the framer, QuickFIX's figure having none).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

import quickfix  # type: ignore[import-untyped]
import simplefix  # type: ignore[import-untyped]

from gateway.fix.codec import SPEEDUPS, encode, split_fields
from gateway.fix.dictionary import DEFAULT_DICTIONARY, DataDictionary
from gateway.fix.errors import Garbled
from gateway.fix.framing import Framer
from gateway.fix.message import Message
from gateway.fix.validation import Validator

SOH = "\x01"
HEADER = [(34, "215"), (49, "CLIENT1"), (52, "20240102-09:30:00.123"), (56, "GATEWAY")]
ORDER = [(1, "ACC-001"), (11, "ORD-20240102-000215"), (21, "1"), (38, "1000000"),
         (40, "2"), (44, "1.08345"), (54, "1"), (55, "EUR/USD"), (59, "0"),
         (60, "20240102-09:30:00.120")]
EXECUTION = [(1, "ACC-001"), (6, "1.08344"), (11, "ORD-20240102-000215"), (14, "1000000"),
             (17, "EXEC-000981"), (31, "1.08344"), (32, "1000000"), (37, "GW-000215"),
             (38, "1000000"), (39, "2"), (40, "2"), (44, "1.08345"), (54, "1"),
             (55, "EUR/USD"), (59, "0"), (60, "20240102-09:30:00.140"), (150, "F"),
             (151, "0")]
CASES = {"NewOrderSingle": ("D", ORDER), "ExecutionReport": ("8", EXECUTION)}
# Table rows: label, then the op measured for ours, simplefix and QuickFIX (None: n/a).
ROWS = [
    ("parse", "parse", "parse", "parse"),
    ("split (pre-framed)", "split", None, "parse"),
    ("parse+validate", "parse+validate", None, "parse+validate"),
    ("encode", "encode", "encode", None),
    ("encode (prebuilt)", "encode (prebuilt)", None, "encode"),
]
Op = Callable[[], object]


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{platform.platform()} | {model}"


def fix_layer() -> str:
    """Which implementation of the FIX hot path "ours" measures."""
    if SPEEDUPS:
        return "C speedups (gateway.fix._speedups)"
    if os.environ.get("FIXGW_PURE_PYTHON", "") not in ("", "0"):
        return "pure Python (FIXGW_PURE_PYTHON is set)"
    return "pure Python (gateway.fix._speedups is not built)"


def time_ops(ops: dict[str, Op], repeat: int, seconds: float) -> dict[str, float]:
    """µs per call of each op: the minimum over `repeat` rounds of timeit loops.

    The rounds interleave the ops, so a burst of load on a shared machine hits all of
    them alike instead of one library's whole measurement.
    """
    timers = {name: timeit.Timer(op) for name, op in ops.items()}
    numbers: dict[str, int] = {}
    for name, timer in timers.items():
        number, elapsed = timer.autorange()
        numbers[name] = max(1, int(number * seconds / max(elapsed, 1e-9)))
    best = dict.fromkeys(ops, float("inf"))
    for _ in range(repeat):
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(numbers[name]) / numbers[name] * 1e6)
    return best


def ours_ops(msg_type: str, body: list[tuple[int, str]], data: bytes,
             checker: Validator) -> dict[str, Op]:
    framer = Framer()

    def parse() -> object:
        frame = framer.feed(data)[0]
        return split_fields(frame)  # type: ignore[arg-type]

    def parse_validate() -> object:
        frame = framer.feed(data)[0]
        structured = checker.decode(frame)  # type: ignore[arg-type]
        assert not isinstance(structured, Garbled)
        return checker.validate(structured)

    def build_encode() -> bytes:
        return encode(Message(msg_type, list(body), dict(HEADER)))

    prebuilt = Message(msg_type, list(body), dict(HEADER))
    return {"parse": parse, "split": lambda: split_fields(data),
            "parse+validate": parse_validate, "encode": build_encode,
            "encode (prebuilt)": lambda: encode(prebuilt)}


def simplefix_ops(msg_type: str, body: list[tuple[int, str]], data: bytes) -> dict[str, Op]:
    parser = simplefix.FixParser()

    def parse() -> object:
        parser.append_buffer(data)
        return parser.get_message()

    def build_encode() -> bytes:
        message = simplefix.FixMessage()
        message.append_pair(8, "FIX.4.4")
        message.append_pair(35, msg_type)
        for tag, value in HEADER + body:
            message.append_pair(tag, value)
        result: bytes = message.encode()
        return result

    return {"parse": parse, "encode": build_encode}


def quickfix_ops(data: bytes, qdd: quickfix.DataDictionary) -> dict[str, Op]:
    text = data.decode("latin-1")

    def parse_validate() -> object:
        message = quickfix.Message(text, qdd, True)
        qdd.validate(message)
        return message

    prebuilt = quickfix.Message(text, qdd, False)
    return {"parse": lambda: quickfix.Message(text, qdd, False),
            "parse+validate": parse_validate, "encode": prebuilt.toString}


def check_equivalent(data: bytes, checker: Validator, qdd: quickfix.DataDictionary) -> None:
    """All three read the same fields and find the message valid: same work is measured."""
    split = split_fields(data)
    assert not isinstance(split, Garbled)
    tags, values = split
    parser = simplefix.FixParser()
    parser.append_buffer(data)
    theirs = parser.get_message()
    assert [(int(tag), value.decode()) for tag, value in theirs.pairs] == list(zip(tags, values, strict=True))
    structured = checker.build(tags, values, data)
    assert checker.validate(structured) is None
    assert encode(structured.message) == data
    message = quickfix.Message(data.decode("latin-1"), qdd, True)
    qdd.validate(message)
    assert message.toString().encode("latin-1") == data


def case_ops(name: str, checker: Validator, qdd: quickfix.DataDictionary) -> dict[str, Op]:
    """Every op of one message type, keyed "case:library:op"."""
    msg_type, body = CASES[name]
    data = encode(Message(msg_type, list(body), dict(HEADER)))
    check_equivalent(data, checker, qdd)
    libraries = {"ours": ours_ops(msg_type, body, data, checker),
                 "simplefix": simplefix_ops(msg_type, body, data),
                 "quickfix": quickfix_ops(data, qdd)}
    return {f"{name}:{lib}:{op}": fn for lib, ops in libraries.items() for op, fn in ops.items()}


def report(name: str, timed: dict[str, float]) -> list[str]:
    msg_type, body = CASES[name]
    data = encode(Message(msg_type, list(body), dict(HEADER)))
    ours, simple, qf = ({key.rsplit(":", 1)[1]: value for key, value in timed.items()
                         if key.startswith(f"{name}:{lib}:")}
                        for lib in ("ours", "simplefix", "quickfix"))
    fields = data.count(b"\x01")
    lines = [f"\n{name} (35={msg_type}, {fields} fields, {len(data)} bytes)",
             f"  {'op':<20}{'ours':>9}{'simplefix':>11}{'QuickFIX':>10}"
             f"{'simplefix/ours':>16}{'ours/QuickFIX':>15}"]
    for label, mine, theirs, quick in ROWS:
        here, there, qfix = ours[mine], simple.get(theirs or ""), qf.get(quick or "")
        lines.append(f"  {label:<20}{here:>9.2f}{_fmt(there):>11}{_fmt(qfix):>10}"
                     f"{_ratio(there, here):>16}{_ratio(here, qfix):>15}")
    speedup = simple["parse"] / ours["parse"]
    lines.append(f"  bar: parse >= 10x faster than simplefix:        {speedup:5.1f}x -> "
                 f"{'PASS' if speedup >= 10 else 'FAIL'}")
    for label, key in (("parse (framer + split)", "parse"), ("split (pre-framed)", "split")):
        versus = ours[key] / qf["parse"]
        lines.append(f"  bar: {label:<22} <= 1.5x QuickFIX: {versus:5.2f}x -> "
                     f"{'PASS' if versus <= 1.5 else 'FAIL'}")
    return lines


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None:
        return "-"
    return f"{numerator / denominator:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="rounds (the min is kept)")
    parser.add_argument("--seconds", type=float, default=0.02, help="length of one timing")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]} ({platform.python_implementation()})")
    print(f"Machine: {machine()}")
    print(f"quickfix-py {importlib.metadata.version('quickfix-py')}, "
          f"simplefix {importlib.metadata.version('simplefix')}")
    print(f"dictionary: {DEFAULT_DICTIONARY} (ours and QuickFIX's DataDictionary)")
    print(f"ours: {fix_layer()}")
    print("µs per operation (min of repeats)")
    dictionary = DataDictionary.load(DEFAULT_DICTIONARY)
    checker = Validator(dictionary)
    qdd = quickfix.DataDictionary(str(DEFAULT_DICTIONARY))
    ops: dict[str, Op] = {}
    for name in CASES:
        ops |= case_ops(name, checker, qdd)
    timed = time_ops(ops, args.repeat, args.seconds)  # every op of every case interleaved
    for name in CASES:
        for line in report(name, timed):
            print(line)


if __name__ == "__main__":
    main()
