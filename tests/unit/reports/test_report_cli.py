"""`fixgw report` on a journal in a config's DataPath: lps, order, bestex."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.journal import FileJournal
from gateway.session.store.base import SyncPolicy
from tests.unit.reports.journal_data import RECORDS


@pytest.fixture
def config(tmp_path: Path) -> str:
    journal = FileJournal(tmp_path / "data", SyncPolicy.NONE)
    for record in RECORDS:
        journal.append(record)
    journal.close()
    path = tmp_path / "sessions.cfg"
    lps = "".join(f"\n[SESSION]\nConnectionType=initiator\nTargetCompID={lp}\n"
                  f"SocketConnectHost=127.0.0.1\nSocketConnectPort={7000 + n}\nHeartBtInt=30\n"
                  f"LPName={lp}\nLPSymbols=EUR/USD\n" for n, lp in enumerate(("LP1", "LP2"), 1))
    path.write_text(
        "[GATEWAY]\nAdminHttpPort=0\nDataPath=data\n\n[DEFAULT]\nBeginString=FIX.4.4\n"
        "SenderCompID=FIXGW\nStartTime=00:00:00\nEndTime=00:00:00\n\n[SESSION]\n"
        "ConnectionType=acceptor\nTargetCompID=CLIENT\nSocketAcceptPort=7000\n" + lps)
    return str(path)


def test_lps_prints_the_scorecard_table(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "-c", config, "lps", "--window", "59m", "--until", "3600"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("LP scorecard 1970-01-01T00:01:00.000000Z .. 1970-01-01T01:00:00")
    lp2 = next(line for line in out.splitlines() if line.startswith("LP2 "))
    assert lp2.split() == ["LP2", "2", "2", "0", "0", "1", "2.5", "4.0", "2", "1", "0.5",
                           "0.5455", "-0.00005", "-0.46"]


def test_lps_json_matches_the_window(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "-c", config, "lps", "--window", "10m", "--until", "1500",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["window"] == {"from": "1970-01-01T00:15:00.000000Z",
                                "to": "1970-01-01T00:25:00.000000Z"}
    by_lp = {row["lp"]: row for row in report["lps"]}
    assert by_lp["LP1"]["quotes_asked"] == 1 and by_lp["LP5"]["quotes_timed_out"] == 1


def test_order_prints_the_best_execution_record(config: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "-c", config, "order", "C1"]) == 0      # ClOrdID works too
    out = capsys.readouterr().out
    assert out.startswith("Order B-1  ClOrdID C1")
    assert "quote LP1        1.08500 x 400000  2.000 ms  id Q-LP1  <- best" in out
    assert "miss  LP5        timeout" in out
    assert ("Best execution: vs best quote -0.00003 (-0.28 bps), "
            "vs best alternative +0.00007 (+0.64 bps)") in out


def test_unknown_order_fails_with_a_message(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "-c", config, "order", "B-404"]) == 1
    assert "no order B-404 in the journal" in capsys.readouterr().err


def test_bestex_writes_csv_for_the_period(config: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bestex.csv"
    assert main(["report", "-c", config, "bestex", "--since", "1970-01-01T00:20",
                 "--until", "1970-01-01T01:00", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [(r["order_id"], r["side"], r["status"]) for r in rows] == [("B-2", "SELL", "FILLED")]
    assert "1 order(s)" in capsys.readouterr().err
    assert main(["report", "-c", config, "bestex", "--since", "0"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3     # header + 2 orders


def test_bad_times_and_missing_journal_fail_cleanly(config: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "-c", config, "bestex", "--since", "last tuesday"]) == 2
    assert "not a timestamp" in capsys.readouterr().err
    assert main(["report", "-c", config, "--data-path", str(tmp_path / "empty"), "lps"]) == 2
    assert "cannot read the order journal" in capsys.readouterr().err
