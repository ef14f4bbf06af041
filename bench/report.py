"""Ratios to the floors, the targets, and the two result files (JSON and a markdown table)."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.scenarios import SCENARIOS

FLOOR_LABELS = {"strawberry": "strawberry `{ hello }` (F)", "starlette": "Starlette JSON (S)"}


def machine() -> dict[str, Any]:
    return {
        "arch": platform.machine(),  # uname -m
        "cpus": len(os.sched_getaffinity(0)),  # nproc
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def add_ratios(results: dict[str, Any]) -> None:
    """Each HTTP run gets ``x_floor`` (to F, the bare strawberry) and ``x_starlette``."""
    floors = results["floors"]
    runs = [run for floor in floors.values() for run in floor["runs"].values()]
    runs += [
        run
        for backend in results["backends"].values()
        for scenario in backend["http"].values()
        for run in scenario.values()
    ]
    for run in runs:
        c = str(run["concurrency"])
        run["x_floor"] = _ratio(run["rps"], floors["strawberry"]["runs"][c]["rps"])
        run["x_starlette"] = _ratio(run["rps"], floors["starlette"]["runs"][c]["rps"])


def _ratio(value: float, floor: float) -> float:
    return round(value / floor, 3) if floor else 0.0


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def check(name: str, backend: str, measured: str, met: bool) -> None:
        rows.append({"target": name, "backend": backend, "measured": measured, "met": met})

    for name, data in results["backends"].items():
        http, counts = data["http"], data["statements"]
        for c, run in http["product"].items():
            check(
                f"(a) >= 0.50 F at c={c}", name, f"{run['x_floor']:.2f} F", run["x_floor"] >= 0.50
            )
        p99 = http["product"]["1"]["p99_ms"]
        check("(a) p99 < 50 ms at c=1", name, f"{p99:.1f} ms", p99 < 50)
        worst = counts["product"]["max"]
        check("(a) <= 2 SQL statements", name, str(worst), worst <= 2)
        for c, run in http["products"].items():
            check(
                f"(b) >= 0.20 F at c={c}", name, f"{run['x_floor']:.2f} F", run["x_floor"] >= 0.20
            )
        pages = counts["products"]["by_page_size"]
        check(
            "(b) <= 4 statements, not growing with page size (1 / 50 / 100)",
            name,
            " / ".join(str(v) for v in pages.values()),
            max(pages.values()) <= 4 and pages["1"] <= pages["50"] == pages["100"],
        )
        if name == "postgres":
            for c, run in http["place_order"].items():
                check(
                    f"(c) >= 0.10 F at c={c}",
                    name,
                    f"{run['x_floor']:.2f} F",
                    run["x_floor"] >= 0.10,
                )
        per_line = counts["place_order"]["per_line"]
        check(
            "(c) fixed statements per line",
            name,
            ", ".join(f"{kind}: +{'/+'.join(map(str, d))}" for kind, d in per_line.items()),
            all(len(set(d)) == 1 for d in per_line.values()),
        )
        run = http["shortages"]["1"]
        check("(d) >= 0.20 F at c=1", name, f"{run['x_floor']:.2f} F", run["x_floor"] >= 0.20)
        shortage_pages = counts["shortages"]["by_page_size"]
        check(
            "(d) a fixed number of statements, whatever the page size (1 / 50 / 100)",
            name,
            " / ".join(str(v) for v in shortage_pages.values()),
            len(set(shortage_pages.values())) == 1,
        )
        mixed = data.get("mixed")
        if mixed is not None:
            storefront = mixed["storefront"]
            clean = not storefront["errors"] and not mixed["shortages"]["errors"]
            clean = clean and mixed["restock"]["ok"]
            check(
                "(a) p99 in the mixed load <= 2x its p99 alone (c=16)",
                name,
                f"{mixed['ratio']:.2f}x ({storefront['p99_ms']:.1f} / "
                f"{mixed['solo_p99_ms']:.1f} ms)" + ("" if clean else " (with errors)"),
                mixed["ratio"] <= 2 and clean,
            )
        ratio = data["restock"]["ratio"]
        check("restock within 3x of its SQL floor", name, f"{ratio:.1f}x", ratio <= 3)
        if "outbox" in data:
            o = data["outbox"]
            # Every message arrived and was recorded as sent; none other was drained with them.
            complete = o["received"] >= o["deliveries"] and o["sent"] >= o["deliveries"]
            alone = o.get("attempted", o["deliveries"]) == o["deliveries"]
            note = "" if complete else " (messages missing)"
            note += "" if alone else f" ({o['attempted'] - o['deliveries']:,} other deliveries)"
            check(
                "outbox drain within 2x of a signed-POST loop",
                name,
                f"{o['ratio']:.2f}x{note}",
                o["ratio"] <= 2 and complete and alone,
            )
        short = data["shortages"]
        same = short["same_skus"] and short["same_uncovered"] and short.get("same_as_pages", True)
        check(
            "shortages within 3x of its SQL floor",
            name,
            f"{short['ratio']:.1f}x" + ("" if same else " (the reports differ)"),
            short["ratio"] <= 3 and same,
        )
        rss = data["peak_rss_mb"]
        check("server memory < 150 MB", name, f"{rss:.0f} MiB", rss * 1.048576 < 150)
        for run in data.get("slack", {}).get("commands", {}).values():
            check(f"{run['command']} p99 < 300 ms at c=1", name, f"{run['p99_ms']:.1f} ms",
                  run["p99_ms"] < run["target_p99_ms"] and run["errors"] == 0)  # fmt: skip
    if sim := results.get("simulation"):
        check(
            f"simulated season ({sim['days']} days, {sim['products']} products) < 2 min",
            "sqlite",
            f"{sim['seconds']:.1f} s",
            sim["seconds"] < sim["target_s"],
        )
    return rows


def slack_lines(backends: dict[str, Any]) -> list[str]:
    """The slash-command table (empty when no backend measured it)."""
    rows = [
        f"| {name} | `{run['command']}` | {run['requests']} | {run['p50_ms']:.1f} |"
        f" {run['p99_ms']:.1f} | {run['max_ms']:.1f} | {run['errors']} | {run['answered_later']} |"
        f" {run['graphql_p50_ms']:.1f} / {run['graphql_p99_ms']:.1f} |"
        for name, data in backends.items()
        for run in data.get("slack", {}).get("commands", {}).values()
    ]
    if not rows:
        return []
    return [
        "",
        "## Slack slash commands",
        "",
        "| backend | command | requests | p50 ms | p99 ms | max ms | errors | answered later "
        "| same operation over /graphql, p50 / p99 ms |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Signed `POST /slack/events` requests at concurrency 1, timed to the reply (the ack's "
        "body carries the answer; one that took over 2 s would be answered later by "
        "`response_url`). `sku` draws a random SKU per request. The last column sends the "
        "bot's named operation to `/graphql` with a staff token: the bot's own cost is the "
        "difference.",
    ]


def _http_rows(results: dict[str, Any]) -> list[str]:
    rows = []
    for app, floor in results["floors"].items():
        for c, run in floor["runs"].items():
            rows.append(_http_row("floor", FLOOR_LABELS[app], c, run, "-"))
    for name, data in results["backends"].items():
        counts = data["statements"]
        sql = {
            "product": str(counts["product"]["max"]),
            "products": str(counts["products"]["by_page_size"]["50"]),
            "place_order": _span(counts["place_order"]["by_lines"]),
            "shortages": str(counts["shortages"]["by_page_size"]["50"]),
        }
        for scenario, runs in data["http"].items():
            for c, run in runs.items():
                label = SCENARIOS[scenario].label
                rows.append(_http_row(name, label, c, run, sql.get(scenario, "-")))
    return rows


def _mixed_rows(results: dict[str, Any]) -> list[str]:
    rows = []
    for name, data in results["backends"].items():
        m = data.get("mixed")
        if m is None:
            continue
        sf, staff, restock = m["storefront"], m["shortages"], m["restock"]
        rows.append(
            f"| {name} | {sf['concurrency']} | {sf['rps']:.1f} | {sf['p50_ms']:.1f} | "
            f"{sf['p99_ms']:.1f} | {m['solo_p99_ms']:.1f} | {m['ratio']:.2f} | {sf['errors']} | "
            f"{staff['requests']} / {staff['errors']} | {staff['p50_ms']:.1f} / "
            f"{staff['max_ms']:.1f} | {restock['units']:,} | {restock['seconds']:.2f}"
            f"{'' if restock['ok'] else ' (failed)'} |"
        )
    return rows


def _span(by_lines: dict[str, dict[str, int]]) -> str:
    values = [n for counts in by_lines.values() for n in counts.values()]
    return f"{min(values)}-{max(values)}"


def _http_row(backend: str, label: str, c: str, run: dict[str, Any], sql: str) -> str:
    return (
        f"| {backend} | {label} | {c} | {run['rps']:.1f} | {run['p50_ms']:.1f} | "
        f"{run['p99_ms']:.1f} | {run['errors']} | {run['x_floor']:.2f} | "
        f"{run['x_starlette']:.3f} | {sql} |"
    )


def markdown(results: dict[str, Any]) -> str:
    m, plan = results["machine"], results["plan"]
    lines = [
        "# bobot benchmark",
        "",
        f"Machine: {m['arch']}, {m['cpus']} CPUs, Python {m['python']}, {m['date']}; "
        f"the run took {results['seconds']:.0f} s.",
        f"Store: {plan['products']:,} products, {plan['backorders']:,} backorders. "
        f"Each load: {plan['duration']:g} s measured after {plan['warmup']:g} s of warm-up "
        f"(or {plan['max_requests']:,} requests), one uvicorn process, client in another "
        "process on 127.0.0.1.",
        "F = bare strawberry `{ hello }` req/s at the same concurrency; S = Starlette JSON.",
        "",
        "## HTTP",
        "",
        "| backend | scenario | c | req/s | p50 ms | p99 ms | errors | x F | x S | SQL/req |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *_http_rows(results),
        "",
        "SQL/req: (a) the most over product kinds, (b) and (d) at first: 50, (c) the range "
        "over 1-3 lines in stock or backordered. (d) is sent with a staff token and reads a "
        "page of the report kept as a table (brought up to date first where it moved).",
        "",
        "## Mixed load",
        "",
        "| backend | storefront c | req/s | p50 ms | p99 ms | p99 alone ms | x alone | errors "
        "| shortages asked / failed | shortages p50 / max ms | restock units | restock s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *_mixed_rows(results),
        "",
        "The storefront's (a) at concurrency 16 while a staff client asks for (d) once a second "
        "and, 2 s into the measured window, staff receive a restock of the product with the "
        "long queue (`receiveStock`); p99 alone is (a) at the same concurrency just before, "
        "on the same server.",
        *slack_lines(results["backends"]),
        "",
        "## Restock (in-process)",
        "",
        "| backend | units / waiting backorders | filled | service s | SQL floor s | x floor "
        "| every round (x floor) | statements | same outcome |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, data in results["backends"].items():
        r = data["restock"]
        lines.append(
            f"| {name} | {r['units']:,} / {r['queue']:,} | {r['backorders_filled']:,} | "
            f"{r['service_s']:.3f} | {r['floor_s']:.4f} | {r['ratio']:.1f} | "
            f"{' / '.join(f'{x:.1f}' for x in r['rounds'])} | "
            f"{r['service_statements']} | {r['same_outcome']} |"
        )
    lines += [
        "",
        "Floor: one UPDATE with a running sum over the FIFO order plus the product's counters, "
        "in one transaction. The service also records events, readies shipments and "
        "recomputes the ETAs of the rest of the queue. Each round restocks its own copy of the "
        "generated store, both queues read once before timing and the write-ahead log written "
        "back before each side (a checkpoint), so that neither pays for the other's writes; "
        "the row shown is the median round.",
        "",
        "## Outbox drain (in-process)",
        "",
        "| backend | deliveries | received | service s | floor s | x floor | per s |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {name} | {o['deliveries']:,} | {o['received']:,} | {o['service_s']:.3f} | "
            f"{o['floor_s']:.3f} | {o['ratio']:.2f} | {o['per_s']:,.0f} |"
            for name, data in results["backends"].items()
            if (o := data.get("outbox"))
        ),
        "",
        "Pending webhook deliveries drained by the worker's `deliver` (claims of "
        "`BOBOT_OUTBOX_BATCH`, `BOBOT_OUTBOX_CONCURRENCY` sends in flight, every attempt "
        "recorded) to a receiver in its own process; only those: the store's other deliveries "
        "are left pending. Floor: the same signed POSTs from a raw loop with as many in "
        "flight, the mean of a run before and one after the drain.",
        "",
        "## Shortage report (in-process)",
        "",
        "| backend | products reported | uncovered units | service s | SQL floor s | x floor "
        "| statements | same SKUs / uncovered | same as the pages |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, data in results["backends"].items():
        s = data["shortages"]
        lines.append(
            f"| {name} | {s['products']:,} | {s['uncovered_units']:,} | {s['service_s']:.3f} | "
            f"{s['floor_s']:.4f} | {s['ratio']:.1f} | {s['service_statements']} | "
            f"{s['same_skus']} / {s['same_uncovered']} | {s.get('same_as_pages')} |"
        )
    lines += [
        "",
        "`bobot.services.shortages.shortages` over the whole store (median of 3 runs after one "
        "unmeasured). Floor: one statement computing, per product with backorders, the "
        "backordered, available, incoming and uncovered units, the oldest waiting backorder "
        "and the next purchase order, ordered by uncovered units. The service also builds the "
        "incoming schedule, the ETA of a new order and the severity, and sorts by severity. "
        "Same as the pages: the report read in pages of 100 from the kept table "
        "(`bobot.services.shortage_summary`, as `shortages(first:, after:)` reads it) is the "
        "same, line for line.",
        "",
        "## Insights",
        "",
        "| backend | events | whole shop s | statements | one SKU s | statements "
        "| one category s | statements |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| {name} | {i['events']:,} | {i['shop']['seconds']:.3f} | {i['shop']['statements']} "
            f"| {i['sku']['seconds']:.3f} | {i['sku']['statements']} "
            f"| {i['category']['seconds']:.3f} | {i['category']['statements']} |"
            for name, data in results["backends"].items()
            if (i := data.get("insights"))
        ],
        "",
        "`bobot.services.insights.backorder_insights` over a year of history written into a "
        "copy of the store (`bench.insights`: a creation per backorder, fills, cancellations, "
        "receipts and refusals), median of 3 runs after one unmeasured.",
        "",
        "## Demand outlook",
        "",
        "| backend | products | before s | loop stall s | first s (pool) | stall s "
        "| first s (thread) | stall s | cached s | statements | before / first | before / cached "
        "| held-out MAE with / without shortcuts |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[
            f"| {name} | {o['first']['products']:,} | {o['before']['seconds']} "
            f"| {o['before']['stall_s']} | {o['first']['seconds']} | {o['first']['stall_s']} "
            f"| {o['first_thread']['seconds']} | {o['first_thread']['stall_s']} "
            f"| {o['cached']['seconds']} | {o['cached']['statements']} | {o['ratio_first']}x "
            f"| {o['ratio_cached']}x | {o['accuracy']['mae_with_shortcuts']} / "
            f"{o['accuracy']['mae_without']} ({o['accuracy']['products']} products) |"
            for name, data in results["backends"].items()
            if (o := data.get("outlook"))
        ],
        "",
        "`bench.outlook` on a copy of the store: *before* fits each product's model with "
        "statsmodels inline on the event loop (as before stored forecasts and shortcuts), "
        "timed on the first 500 products and scaled to all; "
        "*first* is `demandOutlook`'s service with nothing stored (fits in the process pool, "
        "then in a thread); *cached* with every forecast stored. The loop stall is the worst "
        "lateness of a task waking every 10 ms meanwhile: how long a request would wait.",
        "",
        "| backend | shaped histories | inline s | stall s | pool s | stall s | thread s "
        "| stall s |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| {name} | {f['histories']} | {f['inline']['seconds']} | {f['inline']['stall_s']} "
            f"| {f['pool']['seconds']} | {f['pool']['stall_s']} | {f['thread']['seconds']} "
            f"| {f['thread']['stall_s']} |"
            for name, data in results["backends"].items()
            if (f := data.get("outlook", {}).get("fits"))
        ],
        "",
        "## SQL statements per request, and memory",
        "",
        "| backend | (a) by product kind | (b) first 1 / 50 / 100 | (c) 1/2/3 lines in stock "
        "| (c) 1/2/3 lines backordered | (d) first 1 / 50 / 100 | server peak RSS MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, data in results["backends"].items():
        counts = data["statements"]
        kinds = ", ".join(f"{k} {v}" for k, v in counts["product"]["by_kind"].items())
        orders = counts["place_order"]["by_lines"]
        lines.append(
            f"| {name} | {kinds} | "
            + " / ".join(str(v) for v in counts["products"]["by_page_size"].values())
            + " | "
            + " / ".join(str(v) for v in orders["in_stock"].values())
            + " | "
            + " / ".join(str(v) for v in orders["backorder"].values())
            + " | "
            + " / ".join(str(v) for v in counts["shortages"]["by_page_size"].values())
            + f" | {data['peak_rss_mb']:.0f} |"
        )
    floors = ", ".join(f"{app} {f['peak_rss_mb']:.0f}" for app, f in results["floors"].items())
    lines += [f"\nFloor servers' peak RSS (MiB): {floors}."]
    if sim := results.get("simulation"):
        lines += [
            "",
            "## Season simulation",
            "",
            "| days | products | policies | processes | s | s per policy (CPU s) |",
            "|---|---|---|---|---|---|",
            f"| {sim['days']} | {sim['products']} | {len(sim['policies'])} | {sim['workers']} "
            f"| {sim['seconds']:.1f} | "
            + ", ".join(
                f"{k}: {v['seconds']:.1f} ({v.get('cpu_seconds', 0):.1f})"
                for k, v in sim["policies"].items()
            )
            + " |",
            "",
            "`bobot simulate` (`python -m bench.simulate`): every policy's season through the "
            "services on its own SQLite database, policies in up to two processes at once.",
        ]
    lines += ["", "## Targets", ""]
    lines += ["| target | backend | measured | met |", "|---|---|---|---|"]
    for row in results["targets"]:
        met = "yes" if row["met"] else "**no**"
        lines.append(f"| {row['target']} | {row['backend']} | {row['measured']} | {met} |")
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], out: Path) -> str:
    """Add ratios and targets, write ``latest.json`` and ``latest.md``; returns the markdown."""
    add_ratios(results)
    results["targets"] = targets(results)
    text = markdown(results)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in (
        ("latest.json", json.dumps(results, indent=2) + "\n"),
        ("latest.md", text),
    ):
        temporary = out / f"{name}.tmp"
        temporary.write_text(content)
        temporary.replace(out / name)
    return text
