"""The runner proves itself: a real .def passes against the QuickFIX reference acceptor,
and the same file with one expectation altered fails at that line for that reason.

Also checks the CompID rewriting over every hard-coded BodyLength of the real suite.
"""

from __future__ import annotations

from pathlib import Path

from tests.acceptance.acceptor_process import AcceptorProcess
from tests.acceptance.compids import SUITE_COMPID, rewrite_compids
from tests.acceptance.results import FailureKind, FileResult
from tests.acceptance.runner import collect, run_script

SOURCE = "4b_ReceivedTestRequest.def"
HEARTBEAT_REPLY = b"E8=FIX.4.4\x019=61\x0135=0\x01"


def _run(name: str, data: bytes, acceptor: AcceptorProcess) -> FileResult:
    compids = {} if acceptor.compid == SUITE_COMPID else {SUITE_COMPID: acceptor.compid}
    return run_script(name, data, "127.0.0.1", acceptor.port, compids=compids)


def _lineno_of(data: bytes, prefix: bytes) -> int:
    """1-based number of the only line starting with `prefix`."""
    numbers = [n for n, line in enumerate(data.split(b"\n"), 1) if line.startswith(prefix)]
    assert len(numbers) == 1, numbers
    return numbers[0]


def _altered(original: bytes, old: bytes, new: bytes) -> bytes:
    assert original.count(old) == 1, f"{old!r} should occur once in {SOURCE}"
    return original.replace(old, new)


def test_unaltered_file_passes(qf_defs: Path, reference_acceptor: AcceptorProcess) -> None:
    result = _run(SOURCE, (qf_defs / SOURCE).read_bytes(), reference_acceptor)
    assert result.passed, result.report()


def test_changed_test_request_id_fails_at_the_heartbeat_line(
    qf_defs: Path, reference_acceptor: AcceptorProcess, tmp_path: Path
) -> None:
    original = (qf_defs / SOURCE).read_bytes()
    copy = tmp_path / SOURCE
    copy.write_bytes(_altered(original, b"\x01112=HELLO\x0110=0\x01", b"\x01112=HELLX\x0110=0\x01"))
    result = _run(copy.name, copy.read_bytes(), reference_acceptor)
    failure = result.failure
    assert failure is not None, "the runner accepted a wrong 112= value"
    assert failure.kind is FailureKind.MISMATCH
    assert failure.lineno == _lineno_of(original, HEARTBEAT_REPLY)
    assert failure.reason == "Value of field (112) differs: expected 'HELLX' but found 'HELLO'"
    assert failure.expected is not None and b"\x01112=HELLX\x01" in failure.expected
    assert failure.received is not None and b"\x01112=HELLO\x01" in failure.received


def test_changed_body_length_fails_at_the_heartbeat_line(
    qf_defs: Path, reference_acceptor: AcceptorProcess, tmp_path: Path
) -> None:
    original = (qf_defs / SOURCE).read_bytes()
    copy = tmp_path / SOURCE
    copy.write_bytes(_altered(original, HEARTBEAT_REPLY, HEARTBEAT_REPLY.replace(b"9=61", b"9=60")))
    result = _run(copy.name, copy.read_bytes(), reference_acceptor)
    failure = result.failure
    assert failure is not None, "the runner accepted a wrong 9= value"
    assert failure.kind is FailureKind.MISMATCH
    assert failure.lineno == _lineno_of(original, HEARTBEAT_REPLY)
    shift = len(reference_acceptor.compid) - len(SUITE_COMPID)
    assert failure.reason == (
        f"Value of field (9) differs: expected '{60 + shift}' but found '{61 + shift}'"
    )


def _body_length_error(message: bytes) -> int:
    """Stated BodyLength minus the real one (up to the SOH before ``10=``, if any)."""
    length_field = message.index(b"\x019=") + 1
    body_start = message.index(b"\x01", length_field) + 1
    trailer = message.rfind(b"\x0110=")
    body_end = trailer + 1 if trailer >= 0 else len(message)
    return int(message[length_field + 2 : body_start - 1]) - (body_end - body_start)


def test_rewriting_keeps_every_expected_body_length_of_the_suite_as_it_was(qf_defs: Path) -> None:
    """After rewriting TW44 to a longer CompID, every hard-coded 9= of an E line is off
    from the real body length by exactly what it was before (0 for a 21-character
    SendingTime placeholder, 2 where a line writes the placeholder with seconds)."""
    checked = 0
    for path in collect(qf_defs, []):
        for line in path.read_bytes().split(b"\n"):
            if line.startswith(b"E8=FIX.4.4\x019=") and b"=TW44\x01" in line:
                rewritten = rewrite_compids(line[1:], {SUITE_COMPID: "TW44GW123"})
                assert rewritten != line[1:]
                before, after = _body_length_error(line[1:]), _body_length_error(rewritten)
                assert before == after, f"{path.name}: {rewritten!r}"
                checked += 1
    assert checked > 100
