"""Figures per policy from a season's outcomes, the markdown report and its plots."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bobot.simulation.runner import (
    MISS_CAUSES,
    AlertOutcome,
    BackorderOutcome,
    Outcome,
    Policy,
)

#: Alerts that warn of a stockout before it happens.
WARNING_KINDS = ("BELOW_SAFETY_STOCK", "UNCOVERED_BACKORDERS", "PO_LATE")


@dataclass(frozen=True)
class Figures:
    policy: Policy
    backorders: int
    shipped: int
    cancelled: int
    still_open: int
    due: int  # shipped, or still open past the first promise
    kept_first: int
    due_last: int
    kept_last: int
    median_wait: float | None
    p90_wait: float | None
    cancelled_by_customers: int
    cancelled_by_shop: int
    lost_orders: int
    lost_units: int
    lost_by_reason: dict[str, int]
    slips: int
    slips_announced: int
    delay_notices: int
    late_notices: int
    alerts: int
    warnings: int
    warnings_followed: int
    warning_lead_median: float | None
    warning_lead_p10: float | None
    stockouts: int
    stockouts_warned: int
    switches: int
    mean_promise_days: float | None
    orders: int
    orders_in_stock: int
    purchase_orders: int
    waitlist: dict[str, int]
    miss_causes: dict[str, int]  # first promises missed, by cause (bobot's dates only)
    missed_last: int  # due backorders that shipped after (or are open past) the last date accepted
    missed_last_undated: int  # of those, how many had agreed to wait without a date

    @property
    def kept_first_share(self) -> float | None:
        return self.kept_first / self.due if self.due else None

    @property
    def kept_last_share(self) -> float | None:
        return self.kept_last / self.due_last if self.due_last else None

    @property
    def shop_cancel_share(self) -> float | None:
        return self.cancelled_by_shop / self.backorders if self.backorders else None


def _quantile(values: Sequence[int], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return float(ordered[index])


def _episodes(days: Sequence[int]) -> list[int]:
    """The first day of each run of consecutive stockout days."""
    return [d for n, d in enumerate(days) if n == 0 or days[n - 1] != d - 1]


def _warning_leads(
    alerts: Sequence[AlertOutcome], stockouts: dict[int, list[int]]
) -> tuple[list[int], int, int, int]:
    """For each warning alert, the days from its opening to the first stockout of its
    product while it was open (or the day it resolved); and how many stockouts (first days
    of a run) had a warning open at least a day before."""
    warnings = [a for a in alerts if a.kind in WARNING_KINDS]
    leads: list[int] = []
    for alert in warnings:
        days = stockouts.get(alert.product, [])
        end = alert.resolved if alert.resolved is not None else 10**9
        hit = next((d for d in days if alert.opened <= d <= end), None)
        if hit is not None:
            leads.append(hit - alert.opened)
    episodes = warned = 0
    for product, days in stockouts.items():
        for start in _episodes(days):
            episodes += 1
            if any(
                a.product == product
                and a.opened < start
                and (a.resolved is None or a.resolved >= start)
                for a in warnings
            ):
                warned += 1
    return leads, len(warnings), episodes, warned


def figures(outcome: Outcome) -> Figures:
    bos = outcome.backorders
    end = outcome.days - 1
    shipped = [b for b in bos if b.state == "shipped"]
    still_open = [b for b in bos if b.state == "open"]
    late_open_first = [b for b in still_open if b.first_promise < end]
    late_open_last = [b for b in still_open if b.last_accepted < end]
    waits = [b.ship_day - b.order_day for b in shipped if b.ship_day is not None]
    slips = [b for b in bos if b.slipped]
    leads, warnings, episodes, warned = _warning_leads(outcome.alerts, outcome.stockouts)
    return Figures(
        policy=outcome.policy,
        backorders=len(bos),
        shipped=len(shipped),
        cancelled=sum(b.state == "cancelled" for b in bos),
        still_open=len(still_open),
        due=len(shipped) + len(late_open_first),
        kept_first=sum(b.ship_day is not None and b.ship_day <= b.first_promise for b in shipped),
        due_last=len(shipped) + len(late_open_last),
        kept_last=sum(b.ship_day is not None and b.ship_day <= b.last_accepted for b in shipped),
        median_wait=statistics.median(waits) if waits else None,
        p90_wait=_quantile(waits, 0.9),
        cancelled_by_customers=sum(b.cancelled_by == "customer" for b in bos),
        cancelled_by_shop=sum(b.cancelled_by == "shop" for b in bos),
        lost_orders=sum(outcome.lost_orders.values()),
        lost_units=sum(outcome.lost_units.values()),
        lost_by_reason=dict(outcome.lost_units),
        slips=len(slips),
        slips_announced=sum(b.announced_before_promise for b in slips),
        delay_notices=outcome.delay_notices,
        late_notices=outcome.late_notices,
        alerts=len(outcome.alerts),
        warnings=warnings,
        warnings_followed=len(leads),
        warning_lead_median=statistics.median(leads) if leads else None,
        warning_lead_p10=_quantile(leads, 0.1),
        stockouts=episodes,
        stockouts_warned=warned,
        switches=outcome.switches,
        mean_promise_days=(
            statistics.fmean(b.first_promise - b.order_day for b in bos) if bos else None
        ),
        orders=outcome.orders,
        orders_in_stock=outcome.orders_in_stock,
        purchase_orders=outcome.purchase_orders,
        waitlist=dict(outcome.waitlist),
        miss_causes={
            cause: n for cause in MISS_CAUSES if (n := sum(b.miss_cause == cause for b in bos))
        },
        missed_last=len(late_last := _missed_last(shipped, late_open_last)),
        missed_last_undated=sum(b.waits_without_date for b in late_last),
    )


def _missed_last(shipped: Sequence[BackorderOutcome], late_open: Sequence[BackorderOutcome]
                 ) -> list[BackorderOutcome]:  # fmt: skip
    return [
        *(b for b in shipped if b.ship_day is not None and b.ship_day > b.last_accepted),
        *late_open,
    ]


# --------------------------------------------------------------------------- markdown


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.1f}%"


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    text = f"{value:.1f}" if value != int(value) else f"{int(value)}"
    return f"{text}{unit}"


def _of(part: int, whole: int) -> str:
    return f"{part} of {whole} ({_pct(part / whole if whole else None)})"


def table(rows: Sequence[Figures]) -> list[str]:
    header = "| figure | " + " | ".join(f.policy.label for f in rows) + " |"
    lines = [header, "|---|" + "---:|" * len(rows)]

    def row(name: str, cells: Sequence[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    row("backorders opened", [str(f.backorders) for f in rows])
    row(
        "shipped / cancelled / still open",
        [f"{f.shipped} / {f.cancelled} / {f.still_open}" for f in rows],
    )
    row("shipped by the date first promised", [_of(f.kept_first, f.due) for f in rows])
    row("shipped by the last date accepted", [_of(f.kept_last, f.due_last) for f in rows])
    row("median wait (days)", [_num(f.median_wait) for f in rows])
    row("90th-percentile wait (days)", [_num(f.p90_wait) for f in rows])
    row("cancelled by customers", [_of(f.cancelled_by_customers, f.backorders) for f in rows])
    row("cancelled by the shop", [_of(f.cancelled_by_shop, f.backorders) for f in rows])
    row("lost sales (orders / units)", [f"{f.lost_orders} / {f.lost_units}" for f in rows])
    row("slips announced before the promised date", [_of(f.slips_announced, f.slips) for f in rows])
    row("delay notices sent (late ones)", [f"{f.delay_notices} ({f.late_notices})" for f in rows])
    row(
        "warning alerts followed by a stockout",
        [_of(f.warnings_followed, f.warnings) for f in rows],
    )
    row(
        "their lead time before the stockout, median / 10th pct (days)",
        [f"{_num(f.warning_lead_median)} / {_num(f.warning_lead_p10)}" for f in rows],
    )
    row(
        "stockouts warned of a day or more ahead",
        [_of(f.stockouts_warned, f.stockouts) for f in rows],
    )
    row("supplier switches made", [str(f.switches) for f in rows])
    row("mean promise quoted (days)", [_num(f.mean_promise_days) for f in rows])
    return lines


def _checks(rows: Sequence[Figures]) -> list[str]:
    """The bars the season is held to, for policies 3 and 4 (policy 2 for the promise
    length)."""
    by_policy = {f.policy: f for f in rows}
    fixed = by_policy.get(Policy.FIXED_MARGIN)
    lines = []
    for policy in (Policy.LEARNED_MARGINS, Policy.SWITCHES):
        f = by_policy.get(policy)
        if f is None:
            continue

        def mark(ok: bool) -> str:
            return "met" if ok else "**not met**"

        first, last, shop = f.kept_first_share, f.kept_last_share, f.shop_cancel_share
        lines.append(f"- {policy.label}:")
        lines.append(
            f"  - at least 95% shipped by the date first promised: {_pct(first)},"
            f" {mark(first is not None and first >= 0.95)}"
        )
        lines.append(
            f"  - at least 99% shipped by the last date accepted: {_pct(last)},"
            f" {mark(last is not None and last >= 0.99)}"
        )
        lines.append(
            f"  - every slip announced before the promised date: {f.slips_announced} of"
            f" {f.slips}, {mark(f.slips_announced == f.slips)}"
        )
        lines.append(
            f"  - shop cancellations at most 0.5%: {_pct(shop)},"
            f" {mark(shop is not None and shop <= 0.005)}"
        )
        if fixed is not None and fixed.mean_promise_days and f.mean_promise_days is not None:
            longer = f.mean_promise_days / fixed.mean_promise_days - 1
            lines.append(
                f"  - promises at most 20% longer than policy 2's: {100 * longer:+.1f}%,"
                f" {mark(longer <= 0.2)}"
            )
    return lines


def _causes(rows: Sequence[Figures]) -> list[str]:
    """First promises missed by cause, and last accepted dates missed, for bobot's dates."""
    dated = [f for f in rows if f.policy is not Policy.BASELINE]
    if not dated:
        return ["(only the baseline was run)"]
    lines = [
        "Each backorder that missed the date first promised, by what its date rested on when"
        " it was placed:",
        "",
        "| cause | " + " | ".join(f.policy.label for f in dated) + " |",
        "|---|" + "---:|" * len(dated),
    ]
    for cause in MISS_CAUSES:
        lines.append(
            f"| {cause} | " + " | ".join(str(f.miss_causes.get(cause, 0)) for f in dated) + " |"
        )
    lines.append(
        "| **missed the first promise** | "
        + " | ".join(str(f.due - f.kept_first) for f in dated)
        + " |"
    )
    lines.append(
        "| missed the last date accepted | " + " | ".join(str(f.missed_last) for f in dated) + " |"
    )
    lines.append(
        "| of those, agreed to wait without a date | "
        + " | ".join(str(f.missed_last_undated) for f in dated)
        + " |"
    )
    lines += [
        "",
        "- *Purchase order later than the margin allowed*: the date rested on a purchase"
        " order not yet due, which then came later than its supplier's margin covers. A"
        " margin at the 90th percentile of a supplier's delays leaves, by design, one order in"
        " ten beyond it, and every backorder queued on such an order misses with it. A"
        " supplier's record also weighs as much as the shop's prior only after ten"
        " deliveries, so a supplier worse than the shop is trusted too much at first.",
        "- *Dated on a purchase order already late*: the order had passed its date unannounced;"
        " its arrival is only a projection, and its promise takes the margin of the supplier's"
        " deliveries that were at least as late; one in ten of those came later still, and"
        " the backorders queued on such an order miss together.",
        "- *Estimate with no purchase order behind it*: dated from the best offer's lead time"
        " before the shop reordered.",
        "- *Short delivery*, *queue or other*: the order came in time, short, or its units went"
        " to backorders ahead in the queue.",
        "- *Agreed to wait without a date*: when a date slips to an estimate (an order already"
        " late, or none), the delay notice gives no date, as the mail-order rule has it for a"
        " date the shop cannot know; a customer who agrees waits without a date and is not"
        " asked again. The figures above still count their parcel against the last date they"
        " had, the date first promised, so every such backorder that ships after it misses"
        " the last date accepted.",
    ]
    return lines


def _insights_line(outcomes: Sequence[Outcome]) -> list[str]:
    """What ``backorderInsights`` read of each season at its end (its own definitions:
    filled is the last unit allocated; a promise is the date bobot promised)."""
    if not any(o.insights for o in outcomes):
        return []
    return [
        "- backorderInsights over the season (opened / filled / cancelled; promises kept;"
        " waitlist converted; orders refused): "
        + "; ".join(
            f"policy {o.policy.value}: {i['opened']} / {i['filled']} / {i['cancelled']};"
            f" {i['promises_kept']} of {i['promises_due']};"
            f" {i['waitlist_converted']} of {i['waitlist_joined']}; {i['refused_orders']}"
            for o in outcomes
            if (i := o.insights)
        )
    ]


def markdown(
    outcomes: Sequence[Outcome],
    *,
    days: int,
    products: int,
    seed: int,
    late_share: float,
    plots: Sequence[tuple[str, str]] = (),
    timing: Sequence[str] = (),
) -> str:
    """The report. Everything but the ``timing`` lines follows from the seed."""
    rows = [figures(o) for o in outcomes]
    first = rows[0] if rows else None
    lines = [
        "# A simulated season",
        "",
        f"{days} days, {products} products, seed {seed}, {100 * late_share:.0f}% of purchase"
        " orders late. Every policy meets the same customers, the same demand and the same"
        " supplier behaviour; they differ only in what they promise and do.",
        "",
        "Policies:",
        "1. **baseline**: promises the preferred supplier's nominal lead time and never"
        " recomputes (what most stores do); no delay notices.",
        "2. **bobot, fixed margin**: dates from the purchase orders plus the fixed promise"
        " margin, recomputed every day, delay notices with consent.",
        "3. **bobot, learned margins**: the same, with margins learned from each supplier's"
        " delivery history.",
        "4. **learned + switches**: policy 3, and staff approve the supplier switches that"
        " gap alerts propose.",
        "",
        "## Figures",
        "",
        *table(rows),
        "",
        "A backorder counts as *due* once it shipped or its date passed before the season"
        " ended; the shares above are of those. Waits run from the order to the parcel"
        " leaving. Lost sales are customers who did not buy: the product could not be"
        " bought (and they did not join the waitlist), the date quoted was further off than"
        " they would wait, or they declined a waitlist invitation.",
        "",
        "## Why promises were missed",
        "",
        *_causes(rows),
        "",
        "## The bars",
        "",
        *(_checks(rows) or ["(policies 3 and 4 were not run)"]),
        "",
    ]
    if first is not None:
        lines += [
            "## The season",
            "",
            f"- orders: {first.orders} ({first.orders_in_stock} from stock) in policy 1;"
            " per policy: " + ", ".join(f"{f.orders}" for f in rows),
            "- lost units by reason: "
            + "; ".join(
                f"policy {f.policy.value}: "
                + (", ".join(f"{k} {v}" for k, v in f.lost_by_reason.items()) or "none")
                for f in rows
            ),
            "- purchase orders placed: " + ", ".join(str(f.purchase_orders) for f in rows),
            "- waitlist entries by status: "
            + "; ".join(
                f"policy {f.policy.value}: "
                + (", ".join(f"{k.lower()} {v}" for k, v in f.waitlist.items()) or "none")
                for f in rows
            ),
            *_insights_line(outcomes),
            "",
        ]
    if plots:
        lines += ["## Plots", ""]
        for title, name in plots:
            lines += [f"![{title}]({name})", ""]
    if timing:
        lines += ["## Run", "", *timing, ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- plots


def plot(outcomes: Sequence[Outcome], out: Path) -> list[tuple[str, str]]:
    """Write the PNG plots into ``out``; returns (title, file name) of each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [figures(o) for o in outcomes]
    written: list[tuple[str, str]] = []

    fig, ax = plt.subplots(figsize=(7, 4.5))
    markers = ("o", "s", "^", "D")
    for n, f in enumerate(rows):
        if f.mean_promise_days is None or f.kept_first_share is None:
            continue
        marker = markers[n % len(markers)]
        ax.scatter(f.mean_promise_days, 100 * f.kept_first_share, s=70 - 12 * n, marker=marker,
                   label=f"{f.policy.label}: by the date first promised")  # fmt: skip
        if f.kept_last_share is not None:
            ax.scatter(f.mean_promise_days, 100 * f.kept_last_share, s=70 - 12 * n,
                       marker=marker, facecolors="none", edgecolors="grey",
                       label=f"{f.policy.label}: by the last date accepted")  # fmt: skip
    ax.set_xlim(left=0)
    ax.legend(fontsize=6, loc="lower right")
    ax.axhline(95, color="tab:red", linestyle=":", linewidth=1)
    ax.axhline(99, color="tab:green", linestyle=":", linewidth=1)
    ax.set_xlabel("mean promise quoted (days from the order)")
    ax.set_ylabel("% shipped by the promised date")
    ax.set_title("Promise kept vs promise length")
    fig.tight_layout()
    fig.savefig(out / "promise-kept.png", dpi=100)
    plt.close(fig)
    written.append(("Promise kept vs promise length", "promise-kept.png"))

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for o in outcomes:
        weeks: dict[int, list[int]] = {}
        for b in o.backorders:
            if b.ship_day is not None:
                weeks.setdefault(b.order_day // 7, []).append(b.ship_day - b.order_day)
        xs = sorted(weeks)
        ax.plot([7 * w for w in xs], [statistics.median(weeks[w]) for w in xs],
                marker=".", label=o.policy.label)  # fmt: skip
    ax.set_xlabel("day of the season the backorder was placed (weekly)")
    ax.set_ylabel("median wait (days)")
    ax.set_title("Waits over the season")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "waits.png", dpi=100)
    plt.close(fig)
    written.append(("Waits over the season", "waits.png"))

    kinds = sorted({a.kind for o in outcomes for a in o.alerts})
    fig, axes = plt.subplots(len(outcomes), 1, figsize=(7, 2.2 * max(len(outcomes), 1)),
                             sharex=True, squeeze=False)  # fmt: skip
    for ax, o in zip(axes[:, 0], outcomes, strict=True):
        days = range(o.days)
        stacks = []
        for kind in kinds:
            open_by_day = [0] * o.days
            for a in o.alerts:
                if a.kind != kind:
                    continue
                stop = a.resolved if a.resolved is not None else o.days
                for d in range(max(a.opened, 0), min(stop, o.days)):
                    open_by_day[d] += 1
            stacks.append(open_by_day)
        if stacks:
            ax.stackplot(list(days), stacks, labels=kinds)
        ax.set_title(o.policy.label, fontsize=9)
        ax.set_ylabel("open alerts", fontsize=8)
    axes[0, 0].legend(fontsize=6, loc="upper left")
    axes[-1, 0].set_xlabel("day of the season")
    fig.tight_layout()
    fig.savefig(out / "alerts.png", dpi=100)
    plt.close(fig)
    written.append(("Open gap alerts by kind over the season", "alerts.png"))
    return written
