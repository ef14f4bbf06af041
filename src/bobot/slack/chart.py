"""The weekly insights chart as a PNG (matplotlib's Agg canvas: no display, no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any


def weekly_chart(weeks: Sequence[dict[str, Any]], title: str) -> bytes:
    """Bars of backorders opened, filled and cancelled per week, and a line of units
    refused (lost demand), from the ``weeks`` of a SlackInsights result."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [str(w["start"])[5:] for w in weeks]
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
        axes.bar([i + offset for i in x], [w["figures"][key] for w in weeks], width,
                 label=name, color=colour)  # fmt: skip
    axes.plot(list(x), [w["figures"]["refusedUnits"] for w in weeks], color="#72B7B2",
              marker="o", label="units refused")  # fmt: skip
    axes.set_xticks(list(x), labels, rotation=45, fontsize=8)
    axes.set_ylabel("backorders / units")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
