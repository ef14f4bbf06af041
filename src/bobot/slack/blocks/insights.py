"""The reply to ``/bobot insights`` and the weekly insights digest (pure: from the result of
the SlackInsights operation)."""

from __future__ import annotations

from typing import Any

from bobot.slack.blocks.text import Reply, context, day, escape, header, section


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} d"


def insights_blocks(data: dict[str, Any], scope: str) -> Reply:
    result = data["backorderInsights"]
    t = result["totals"]
    title = f"Insights: {scope}, {day(result['start'])} to {day(result['end'])}"
    buckets = ", ".join(
        f"{b['bucket']} d {percent(b['rate'])} ({b['cancelled']}/{b['ended']})"
        for b in t["cancellationByWait"]
    )
    fields = [
        f"*Backorders*\n{t['opened']} opened, {t['filled']} filled, {t['cancelled']} cancelled",
        f"*Time to fill*\nmedian {days(t['medianDaysToFill'])}, "
        f"90th pct {days(t['p90DaysToFill'])}",
        f"*Promises kept*\n{percent(t['promisesKeptShare'])} "
        f"({t['promisesKept']} of {t['promisesDue']})",
        f"*Waitlist to order*\n{percent(t['waitlistConversion'])} "
        f"({t['waitlistConverted']} of {t['waitlistJoined']})",
        f"*Suppliers on time*\n{percent(t['supplierOnTimeRate'])} of {t['receipts']} receipts, "
        f"mean delay {days(t['supplierMeanDelayDays'])}",
        f"*Lost demand*\n{t['refusedUnits']} units refused ({t['refusedOrders']} orders) "
        f"vs {t['backorderedUnits']} backordered",
    ]
    return Reply(
        text=title,
        blocks=[
            header(title),
            section(f"*{escape(scope)}*", fields=fields),
            context(f"Cancellation rate by wait: {buckets}"),
        ],
    )


def insights_reply(data: dict[str, Any], scope: str) -> Reply:
    """``/bobot insights``: the last four weeks' figures."""
    return insights_blocks(data, scope)
