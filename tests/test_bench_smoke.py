"""`python -m bench --smoke`: the benchmark suite runs end to end on a tiny SQLite store.

No timing is asserted: only that every scenario ran without errors and every figure exists.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("product", "products", "place_order", "shortages")
CONCURRENCIES = ("1", "16")


def _run(out: Path) -> dict:
    subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return json.loads((out / "latest.json").read_text())


def _check_run(run: dict) -> None:
    assert run["errors"] == 0, run["error_samples"]
    assert run["requests"] > 0
    for figure in ("rps", "p50_ms", "p99_ms", "x_floor", "x_starlette"):
        assert run[figure] > 0, figure


def test_smoke_run_completes_without_errors_and_reports_every_figure(tmp_path: Path) -> None:
    results = _run(tmp_path)

    assert set(results["machine"]) == {"arch", "cpus", "python", "date"}
    for floor in ("strawberry", "starlette"):
        assert set(results["floors"][floor]["runs"]) == set(CONCURRENCIES)
        for run in results["floors"][floor]["runs"].values():
            _check_run(run)
        assert results["floors"][floor]["peak_rss_mb"] > 0

    sqlite = results["backends"]["sqlite"]
    for scenario in SCENARIOS:
        assert set(sqlite["http"][scenario]) == set(CONCURRENCIES)
        for run in sqlite["http"][scenario].values():
            _check_run(run)
    assert sqlite["peak_rss_mb"] > 0

    mixed = sqlite["mixed"]
    assert mixed["storefront"]["errors"] == 0, mixed["storefront"]["error_samples"]
    assert mixed["storefront"]["requests"] > 0 and mixed["storefront"]["p99_ms"] > 0
    assert mixed["shortages"]["requests"] > 0 and mixed["shortages"]["errors"] == 0
    assert mixed["restock"]["ok"] is True
    assert mixed["solo_p99_ms"] > 0 and mixed["ratio"] > 0

    counts = sqlite["statements"]
    assert counts["product"]["max"] > 0
    assert set(counts["products"]["by_page_size"]) == {"1", "50", "100"}
    assert set(counts["place_order"]["per_line"]) == {"in_stock", "backorder"}
    assert set(counts["shortages"]["by_page_size"]) == {"1", "50", "100"}
    assert counts["shortages"]["max"] > 0

    restock = sqlite["restock"]
    assert restock["backorders_filled"] > 0
    assert restock["backorders_filled"] == restock["floor_rows_updated"]
    assert restock["same_outcome"] is True
    assert restock["inconsistent_products"] == 0
    assert restock["service_s"] > 0 and restock["floor_s"] > 0
    assert len(restock["rounds"]) == 2 and restock["ratio"] in restock["rounds"]

    shortages = sqlite["shortages"]
    assert shortages["products"] > 0
    assert shortages["products"] == shortages["floor_products"]
    assert shortages["same_skus"] is True
    assert shortages["same_uncovered"] is True
    assert shortages["same_as_pages"] is True
    assert shortages["service_s"] > 0 and shortages["floor_s"] > 0 and shortages["ratio"] > 0
    assert shortages["service_statements"] > 0

    insights = sqlite["insights"]
    assert insights["events"] > 0 and insights["shop"]["opened"] > 0
    assert insights["shop"]["statements"] == insights["category"]["statements"] == 2
    assert insights["sku"]["statements"] == 3 and insights["sku"]["opened"] > 0

    outlook = sqlite["outlook"]
    assert outlook["first"]["products"] == outlook["first_thread"]["products"] > 0
    assert outlook["cached"]["statements"] == 4  # every forecast read back, none fitted
    assert outlook["before"]["seconds"] > 0 and outlook["ratio_first"] > 0

    commands = sqlite["slack"]["commands"]
    assert set(commands) == {"shortages", "sku"}
    for run in commands.values():
        assert run["errors"] == 0, run["error_samples"]
        assert run["requests"] > 0 and run["p50_ms"] > 0 and run["p99_ms"] >= run["p50_ms"]

    assert results["targets"] and all(isinstance(row["met"], bool) for row in results["targets"])
    table = (tmp_path / "latest.md").read_text()
    assert "| sqlite | (a) product(sku) availability | 16 |" in table
    assert "| sqlite | (d) shortages(first: 50), staff | 16 |" in table
    assert "## Shortage report (in-process)" in table
    assert "## Mixed load" in table
    assert "(a) p99 in the mixed load <= 2x its p99 alone (c=16)" in table
    assert "(d) >= 0.20 F at c=1" in table
    assert "shortages within 3x of its SQL floor" in table
    assert "## Targets" in table
    assert "| sqlite | `/bobot sku` |" in table and "/bobot shortages p99 < 300 ms at c=1" in table
