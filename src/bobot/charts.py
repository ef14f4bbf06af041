"""The weekly insights chart as a PNG, for Slack's weekly digest and the staff page
(matplotlib's Agg canvas: no display, no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class WeekBars:
    start: str  # ISO date of the week's Monday
    opened: int
    filled: int
    cancelled: int
    refused_units: int


def weeks_of_result(weeks: Sequence[dict[str, Any]]) -> list[WeekBars]:
    """The bars of the ``weeks`` of a backorderInsights result (GraphQL's names)."""
    return [
        WeekBars(str(w["start"]), w["figures"]["opened"], w["figures"]["filled"],
                 w["figures"]["cancelled"], w["figures"]["refusedUnits"])
        for w in weeks
    ]  # fmt: skip


def weekly_chart(weeks: Sequence[WeekBars], title: str) -> bytes:
    """Bars of backorders opened, filled and cancelled per week, and a line of units
    refused (lost demand)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [w.start[5:] for w in weeks]
    x = range(len(weeks))
    figure = Figure(figsize=(8, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.27
    for offset, key, name, colour in (
        (-width, "opened", "opened", "#4C78A8"),
        (0.0, "filled", "filled", "#54A24B"),
        (width, "cancelled", "cancelled", "#E45756"),
    ):
        axes.bar([i + offset for i in x], [getattr(w, key) for w in weeks], width,
                 label=name, color=colour)  # fmt: skip
    axes.plot(list(x), [w.refused_units for w in weeks], color="#72B7B2",
              marker="o", label="units refused")  # fmt: skip
    axes.set_xticks(list(x), labels, rotation=45, fontsize=8)
    axes.set_ylabel("backorders / units")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
