"""Scorecard and best-execution figures from a deterministic LP simulator run, over HTTP
while the gateway runs and with `fixgw report` from its journal afterwards.

Quotes (mid 1.0850, 1 pip spread): LP1 skew -0.5 pip, 400k only: 1.08490 / 1.08500;
LP2: 1.08495 / 1.08505; LP3 skew +0.5 pip: 1.08500 / 1.08510.
- C1 buy 1M (best): 400k on LP1 @ 1.08500 (the best), 600k on LP2 @ 1.08505.
  Best alternative (an LP given nothing) LP3 @ 1.08510.
  vs best: -0.00005 on 600k -> -0.00003 per unit, -0.46 bps x 0.6 = -0.276 -> -0.28 bps
  vs alternative: +0.0001 on 400k, +0.00005 on 600k -> +0.00007, 0.92 x 0.4 + 0.46 x 0.6 -> 0.64 bps
- C2 sell 1M: all on LP3 @ 1.08500 (the best bid); alternative LP2 @ 1.08495:
  vs best 0, vs alternative +0.00005 (0.46 bps).
"""

from __future__ import annotations

import csv
import io
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.sim import LPBehaviour
from tests.integration.admin.harness import Rig

BEHAVIOURS = {"LP1": LPBehaviour(skew=Decimal("-0.5"), quote_size=Decimal(400_000)),
              "LP2": LPBehaviour(), "LP3": LPBehaviour(skew=Decimal("0.5"))}


async def test_scorecard_and_best_execution_match_the_simulated_quotes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.time()
    async with Rig(tmp_path, BEHAVIOURS) as rig:
        await rig.order("C1")
        await rig.order("C2", side="2", price="1.0")
        assert rig.child_lps("C1") == ["LP1", "LP2"] and rig.child_lps("C2") == ["LP3"]
        c1 = (await rig.get("/orders/C1")).body
        c2 = (await rig.get("/orders/C2")).body
        live_lps = (await rig.get("/lps?window=1h")).body

    assert c1["best_execution"] == {"vs_best_quote": "-0.00003", "vs_best_quote_bps": "-0.28",
                                    "vs_best_alternative": "0.00007",
                                    "vs_best_alternative_bps": "0.64"}
    assert c1["parent"]["avg_px"] == "1.08503"
    (round_,) = c1["routing"]
    assert [(q["lp"], q["price"], q["size"]) for q in round_["quotes"]] == [
        ("LP1", "1.085", "400000"), ("LP2", "1.08505", "1000000"), ("LP3", "1.0851", "1000000")]
    assert (round_["best_quote"], round_["best_alternative"]) == (
        {"lp": "LP1", "price": "1.085"}, {"lp": "LP3", "price": "1.0851"})
    assert all(0 <= q["response_ms"] < 1000 for q in round_["quotes"])   # within the RFQ timeout
    assert c2["best_execution"]["vs_best_quote"] == "0"
    assert c2["best_execution"]["vs_best_alternative_bps"] == "0.46"

    scores = {s["lp"]: s for s in live_lps["lps"]}
    assert [(lp, s["quotes_asked"], s["quotes_received"], s["best_quotes"], s["child_orders"],
             s["quantity_filled"], s["fill_ratio"], s["price_improvement"],
             s["price_improvement_bps"]) for lp, s in sorted(scores.items())] == [
        ("LP1", 2, 2, 1, 1, "400000", "1", "0", "0"),
        ("LP2", 2, 2, 0, 1, "600000", "1", "-0.00005", "-0.46"),
        ("LP3", 2, 2, 1, 1, "1000000", "1", "0", "0")]
    assert scores["LP2"]["last_look_reject_rate"] == "0"

    # The same figures offline, from the journal the gateway left in its DataPath.
    config = str(rig.config_path)
    capsys.readouterr()                 # drop the gateway's own log lines
    assert main(["report", "-c", config, "order", "C1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == c1
    assert main(["report", "-c", config, "lps", "--window", "1h", "--json"]) == 0
    offline = {s["lp"]: s for s in json.loads(capsys.readouterr().out)["lps"]}
    assert offline == scores
    assert main(["report", "-c", config, "bestex", "--since", str(started)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["cl_ord_id"], r["side"], r["best_quote_lp"], r["vs_best_quote_bps"],
             r["best_alternative_lp"], r["vs_best_alternative_bps"], r["fills_by_lp"])
            for r in rows] == [
        ("C1", "BUY", "LP1", "-0.28", "LP3", "0.64", "LP1:400000 LP2:600000"),
        ("C2", "SELL", "LP3", "0", "LP2", "0.46", "LP3:1000000")]
