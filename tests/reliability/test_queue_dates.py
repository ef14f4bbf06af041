"""Expected dates never decrease along a product's queue, late purchase orders included.

It failed on the ETA walk that ordered supply by its original expected date: a purchase
order already late is projected later than one still due, yet it was walked first, so the
backorder ahead in the queue was dated after the one behind it.
"""

from __future__ import annotations

from tests.services.helpers import backorders_of, make_deps, order, product, purchase_order

from bobot.domain.ordering import ShipPreference
from bobot.services import doctor
from bobot.worker import refresh_etas


async def test_a_late_purchase_order_never_dates_the_queue_backwards(db) -> None:
    deps = make_deps()
    await product(deps, "KETTLE")
    await order(deps, "first@example.com", ("KETTLE", 1))
    await order(deps, "second@example.com", ("KETTLE", 1))
    await purchase_order(deps, "KETTLE", 1, in_days=2)  # will be 8 days late
    await purchase_order(deps, "KETTLE", 1, in_days=12)  # still due
    deps.clock.advance(days=10)  # type: ignore[attr-defined]
    await refresh_etas(deps)
    drift = (await doctor.examine()).drift
    assert not drift, "\n".join(drift)


async def test_a_ship_together_line_waiting_for_its_parcel_does_not_break_the_queue(db) -> None:
    """A line of a ship-together order carries its parcel's date, later than its own supply:
    the backorder behind it, dated by that supply alone, is not out of order."""
    deps = make_deps()
    await product(deps, "KETTLE")
    await product(deps, "MUG")
    await purchase_order(deps, "KETTLE", 2, in_days=2)
    await purchase_order(deps, "MUG", 1, in_days=20)
    await order(
        deps,
        "parcel@example.com",
        ("KETTLE", 1),
        ("MUG", 1),
        preference=ShipPreference.SHIP_TOGETHER,
    )
    await order(deps, "single@example.com", ("KETTLE", 1))
    parcel_line, single_line = await backorders_of("KETTLE")
    assert parcel_line.expected_date > single_line.expected_date  # the parcel waits for MUG
    drift = (await doctor.examine()).drift
    assert not drift, "\n".join(drift)
