"""``python -m bench.simulate``: time `bobot simulate`'s season (default: 180 days, 200
products, every policy, up to two processes at once); prints one JSON line.

``--smoke``: 30 days, 20 products. The season's target: under 2 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os

from bobot.simulation import SeasonArgs, simulate
from bobot.simulation.report import figures

TARGET_S = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.simulate", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="30 days, 20 products")
    args = parser.parse_args()
    season = SeasonArgs(days=30, products=20) if args.smoke else SeasonArgs()
    workers = min(2, os.cpu_count() or 1)
    sim = asyncio.run(simulate(season, workers=workers))
    print(
        json.dumps(
            {
                "days": season.days,
                "products": season.products,
                "seed": season.seed,
                "workers": workers,
                "seconds": round(sim.seconds, 1),
                "target_s": TARGET_S,
                "policies": {
                    str(o.policy.value): {
                        "seconds": round(o.seconds, 1),
                        "cpu_seconds": round(o.cpu_seconds, 1),
                        "orders": o.orders,
                        "backorders": figures(o).backorders,
                    }
                    for o in sim.outcomes
                },
            }
        )
    )


if __name__ == "__main__":
    main()
