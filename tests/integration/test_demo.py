"""`fixgw demo` (the README's main command) runs end to end and checks itself."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_routes_fills_reroutes_trips_a_breaker_and_exits_zero() -> None:
    result = subprocess.run([sys.executable, "-m", "gateway", "demo"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "UNEXPECTED" not in out
    assert "gateway event  reroute" in out
    assert "breaker LP3: closed -> open" in out
    assert "via LP1,LP2,LP3" in out          # the split used all three LPs
    assert "status=8" in out and "No healthy LPs available" in out
    assert "re-routes: 1, breaker transitions: 1" in out
