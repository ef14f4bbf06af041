"""How big the store is and how long each scenario runs: the full run and the smoke run."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Plan:
    products: int
    backorders: int  # in all, the two restock queues included
    queue: int  # open backorders on each of the two restock products
    restock_units: int  # units received on the restock product
    restock_rounds: int  # restocks timed, each on a fresh copy of the generated store
    duration: float  # measured seconds of load per scenario and concurrency
    warmup: float  # seconds of load before measuring
    max_requests: int  # the other bound of each load run
    concurrencies: tuple[int, ...] = (1, 16)
    backends: tuple[str, ...] = ("sqlite", "postgres")
    seed: int = 20240501

    def with_backends(self, backends: tuple[str, ...]) -> Plan:
        return replace(self, backends=backends)


FULL = Plan(
    products=10_000,
    backorders=100_000,
    queue=10_000,
    restock_units=10_000,
    restock_rounds=5,
    duration=10.0,
    warmup=1.0,
    max_requests=100_000,
)

SMOKE = Plan(
    products=50,
    backorders=200,
    queue=40,
    restock_units=40,
    restock_rounds=2,
    duration=1.0,
    warmup=0.2,
    max_requests=5_000,
    backends=("sqlite",),
)
