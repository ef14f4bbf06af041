"""Random runs of the services, with every invariant checked after each step."""

from __future__ import annotations

import asyncio
import time

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from tests.reliability.conftest import BACKEND, PROFILE
from tests.reliability.machine import StoreMachine


async def test_random_runs_of_the_services_keep_every_invariant(_harness) -> None:
    await _harness.activate(BACKEND)
    assert _harness.ctx is not None
    with _harness.ctx:
        StoreMachine.loop = asyncio.get_running_loop()
        StoreMachine.reset = _harness.truncate
        StoreMachine.steps = []
        StoreMachine.outcomes.clear()
        started = time.monotonic()
        await asyncio.to_thread(
            run_state_machine_as_test, StoreMachine, settings=settings.get_profile(PROFILE)
        )
        elapsed = time.monotonic() - started
    runs = [n for n in StoreMachine.steps if n]
    print(
        f"\nstate machine on {BACKEND}: {len(runs)} examples, {sum(runs)} steps"
        f" (longest {max(runs, default=0)}) in {elapsed:.1f} s"
    )
    for outcome, count in sorted(StoreMachine.outcomes.items()):
        print(f"  {outcome}: {count}")
    assert len(runs) >= settings.get_profile(PROFILE).max_examples
