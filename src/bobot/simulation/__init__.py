"""`bobot simulate`: a season of demand, suppliers and customers against the real services.

:mod:`bobot.simulation.model` draws the world from one seed, :mod:`bobot.simulation.runner`
plays it through the services for each policy on its own throw-away SQLite database, and
:mod:`bobot.simulation.report` turns the outcomes into figures, a markdown report and plots.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from tortoise.context import TortoiseContext

from bobot.db import migrate
from bobot.simulation.model import build_scenario
from bobot.simulation.runner import Outcome, Policy, run_policy


@dataclass(frozen=True)
class SeasonArgs:
    days: int = 180
    products: int = 200
    seed: int = 1
    late_share: float = 0.2


@dataclass
class Simulation:
    args: SeasonArgs
    outcomes: list[Outcome]
    seconds: float  # wall time of the whole run
    workers: int


def _scratch_dir() -> Path:
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="bobot-sim-", dir=base))


async def _template(workdir: Path) -> Path:
    """A migrated, empty database that every policy's run starts from (a copy of it)."""
    path = workdir / "template.sqlite3"
    with TortoiseContext():  # keep migrate()'s own init and close to itself
        await migrate(f"sqlite://{path}")
    return path


def _run_one(
    args: SeasonArgs, policy: Policy, template: str, workdir: str, check_every: int | None
) -> Outcome:
    """One policy in a process of its own (the scenario is rebuilt from the seed there)."""
    scenario = build_scenario(
        days=args.days, products=args.products, seed=args.seed, late_share=args.late_share
    )
    return asyncio.run(
        run_policy(
            scenario, policy, template=Path(template), workdir=Path(workdir),
            check_every=check_every,
        )
    )  # fmt: skip


async def simulate(
    args: SeasonArgs,
    *,
    policies: tuple[Policy, ...] = tuple(Policy),
    workers: int = 1,
    check_every: int | None = None,
) -> Simulation:
    """Run every policy on the same seed. ``workers`` > 1 runs policies in that many
    processes at once (each on its own database); the outcomes do not depend on it."""
    started = time.perf_counter()
    workdir = _scratch_dir()
    try:
        template = await _template(workdir)
        if workers <= 1:
            scenario = build_scenario(
                days=args.days, products=args.products, seed=args.seed,
                late_share=args.late_share,
            )  # fmt: skip
            outcomes = [
                await run_policy(
                    scenario, policy, template=template, workdir=workdir,
                    check_every=check_every,
                )
                for policy in policies
            ]  # fmt: skip
        else:
            loop = asyncio.get_running_loop()
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
                futures = [
                    loop.run_in_executor(
                        pool, _run_one, args, policy, str(template), str(workdir), check_every
                    )
                    for policy in policies
                ]
                outcomes = list(await asyncio.gather(*futures))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Simulation(args, outcomes, time.perf_counter() - started, max(workers, 1))


def report_text(sim: Simulation, *, plots: list[tuple[str, str]] | None = None,
                with_timing: bool = True) -> str:  # fmt: skip
    """The markdown report; ``with_timing=False`` leaves out the run-time lines, the one
    part that is not fixed by the seed."""
    from bobot.simulation.report import markdown

    timing: list[str] = []
    if with_timing:
        timing = [
            f"- wall time of the whole run: {sim.seconds:.1f} s"
            f" ({len(sim.outcomes)} policies, {sim.workers} process(es) at a time)",
            *(
                f"- {o.policy.label}: {o.seconds:.1f} s ({o.cpu_seconds:.1f} s of CPU)"
                for o in sim.outcomes
            ),
        ]
    a = sim.args
    return markdown(
        sim.outcomes, days=a.days, products=a.products, seed=a.seed, late_share=a.late_share,
        plots=plots or [], timing=timing,
    )  # fmt: skip


def write_report(sim: Simulation, out: Path) -> Path:
    """Write ``report.md`` and its PNG plots into ``out``; returns the report's path."""
    from bobot.simulation.report import plot

    out.mkdir(parents=True, exist_ok=True)
    plots = plot(sim.outcomes, out)
    path = out / "report.md"
    path.write_text(report_text(sim, plots=plots))
    return path
