"""Learned promise margins: each supplier's deliveries move the dates its orders promise."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.services.helpers import STAFF, backorders_of, clock_of, make_deps, order, product

from bobot.config import Settings
from bobot.domain.calendar import EVERY_DAY
from bobot.models import SupplierDelay
from bobot.services import availability, catalog, purchasing, reliability, stock, switches
from bobot.services.context import Deps


async def _supplier(deps: Deps, name: str) -> int:
    supplier, _ = await catalog.upsert_supplier(name=name, actor=STAFF, deps=deps)
    return supplier.id


async def _po(deps: Deps, supplier_id: int, sku: str, quantity: int, in_days: int) -> int:
    po = await purchasing.create_purchase_order(
        supplier_id=supplier_id,
        expected_date=deps.today() + timedelta(days=in_days),
        lines=[purchasing.PoLineInput(sku, quantity)],
        actor=STAFF,
        deps=deps,
    )
    return po.id


async def _delivery(deps: Deps, supplier_id: int, *, due_in: int, late: int) -> None:
    """A purchase order of ``FILL`` (a product no test orders) due in ``due_in`` days,
    received ``late`` days after its date."""
    if await catalog.product_row("FILL") is None:
        await product(deps, "FILL")
    po_id = await _po(deps, supplier_id, "FILL", 1, due_in)
    clock_of(deps).advance(days=due_in + late)
    await stock.receive_purchase_order(purchase_order_id=po_id, actor=STAFF, deps=deps)


async def _next_promise(deps: Deps, sku: str):
    row = await catalog.product_row(sku)
    assert row is not None
    (view,) = await availability.availabilities([row], deps)
    return view.estimated_ship_date


async def test_margins_move_as_late_deliveries_come_in(db):
    deps = make_deps()
    await product(deps, "KITE")
    acme = await _supplier(deps, "Acme")
    handling, fixed = deps.settings.handling_days, deps.settings.promise_margin_days

    await _po(deps, acme, "KITE", 5, 10)
    await order(deps, "first@example.com", ("KITE", 1))
    # No delivery recorded anywhere yet: the fixed margin.
    (first,) = await backorders_of("KITE")
    assert first.promised_date == first.expected_date + timedelta(days=fixed)

    seen = []
    for _ in range(12):
        await _delivery(deps, acme, due_in=3, late=6)
        seen.append((await reliability.margins_for([acme], deps=deps)).of(acme))
    # Each late delivery weighs in; the margin climbs from the fixed 2 to the 6 days seen.
    assert seen == sorted(seen)
    assert seen[0] == fixed and seen[-1] == 6

    clock_of(deps).advance(days=1)
    await _po(deps, acme, "KITE", 5, 10)
    assert await _next_promise(deps, "KITE") == deps.today() + timedelta(days=10 + handling + 6)
    await order(deps, "later@example.com", ("KITE", 1))
    later = (await backorders_of("KITE"))[-1]
    assert later.promised_date == later.expected_date + timedelta(days=6)

    record = (await reliability.reliabilities([acme], deps=deps))[acme]
    assert (record.sample_size, record.on_time_rate, record.mean_delay_days) == (12, 0.0, 6.0)
    assert (record.p90_delay_days, record.margin_days) == (6, 6)


async def test_a_reliable_supplier_promises_its_expected_date(db):
    deps = make_deps()
    await product(deps, "MUG")
    acme = await _supplier(deps, "Acme")
    # Against the fixed prior worth 10 deliveries, 90 on time make 90% of 100.
    for _ in range(90):
        await _delivery(deps, acme, due_in=2, late=0)
    await _po(deps, acme, "MUG", 5, 7)
    await order(deps, "a@example.com", ("MUG", 1))
    (backorder,) = await backorders_of("MUG")
    assert backorder.promised_date == backorder.expected_date


async def test_each_backorder_carries_the_margin_of_the_supplier_it_waits_on(db):
    deps = make_deps()
    await product(deps, "TENT")
    steady, sloppy = await _supplier(deps, "Steady"), await _supplier(deps, "Sloppy")
    for n in range(90):
        await _delivery(deps, steady, due_in=1, late=0)
        if n % 3 == 0:
            await _delivery(deps, sloppy, due_in=1, late=9)
    await _po(deps, steady, "TENT", 1, 5)
    await _po(deps, sloppy, "TENT", 1, 8)
    await order(deps, "a@example.com", ("TENT", 1))
    await order(deps, "b@example.com", ("TENT", 1))
    first, second = await backorders_of("TENT")
    assert first.promised_date == first.expected_date
    margins = await reliability.margins_for([sloppy], deps=deps)
    assert margins.of(sloppy) == 9
    assert second.promised_date == second.expected_date + timedelta(days=9)


async def test_an_estimate_beyond_all_orders_uses_the_best_offers_supplier(db):
    deps = make_deps()
    await product(deps, "SLED", lead_days=15)  # Acme's offer
    acme = await _supplier(deps, "Acme")
    for _ in range(30):
        await _delivery(deps, acme, due_in=1, late=4)
    await order(deps, "a@example.com", ("SLED", 1))
    (backorder,) = await backorders_of("SLED")
    assert backorder.eta_is_estimate
    assert backorder.promised_date == backorder.expected_date + timedelta(days=4)


async def test_with_learned_margins_off_every_promise_adds_the_fixed_margin(db):
    deps = make_deps(Settings(calendar=EVERY_DAY, learned_margins=False))
    await product(deps, "KITE")
    acme = await _supplier(deps, "Acme")
    for _ in range(15):
        await _delivery(deps, acme, due_in=2, late=7)
    await _po(deps, acme, "KITE", 5, 10)
    await order(deps, "a@example.com", ("KITE", 1))
    (backorder,) = await backorders_of("KITE")
    assert backorder.promised_date == backorder.expected_date + timedelta(days=2)
    record = (await reliability.reliabilities([acme], deps=deps))[acme]
    assert (record.sample_size, record.mean_delay_days, record.margin_days) == (15, 7.0, 2)


async def test_a_purchase_order_counts_once_from_its_first_receipt_against_its_first_date(db):
    deps = make_deps()
    await product(deps, "ROPE")
    acme = await _supplier(deps, "Acme")
    po_id = await _po(deps, acme, "ROPE", 10, 3)
    # The supplier pushes the date back: its slip still counts against the date it gave.
    await purchasing.update_purchase_order(
        purchase_order_id=po_id, expected_date=deps.today() + timedelta(days=8),
        actor=STAFF, deps=deps,
    )  # fmt: skip
    clock_of(deps).advance(days=8)
    for _ in range(3):  # a short delivery, then the rest in two parts
        await stock.receive_stock(
            sku="ROPE", quantity=3, purchase_order_id=po_id, actor=STAFF, deps=deps
        )
        clock_of(deps).advance(days=1)
    await stock.receive_stock(
        sku="ROPE", quantity=1, purchase_order_id=po_id, actor=STAFF, deps=deps
    )
    record = (await reliability.reliabilities([acme], deps=deps))[acme]
    assert (record.sample_size, record.mean_delay_days) == (1, 5.0)


async def test_delays_are_counted_in_the_shops_ship_days(db):
    deps = make_deps(Settings())  # ships Monday to Friday
    await product(deps, "CAP")
    acme = await _supplier(deps, "Acme")
    # START is a Thursday: due Friday, received on Monday, one ship day late.
    await _delivery(deps, acme, due_in=1, late=3)
    record = (await reliability.reliabilities([acme], deps=deps))[acme]
    assert (record.sample_size, record.mean_delay_days, record.on_time_rate) == (1, 1.0, 0.0)


async def test_records_of_many_suppliers_are_read_in_one_statement(db, sql_log):
    deps = make_deps()
    await product(deps, "PEG")
    ids = [await _supplier(deps, f"S{n}") for n in range(6)]
    for n, supplier_id in enumerate(ids):
        await catalog.set_supplier_offer(
            supplier_id=supplier_id, sku="PEG", unit_cost=Decimal("1.00"),
            lead_time_days=5 + n, actor=STAFF, deps=deps,
        )  # fmt: skip
        await _delivery(deps, supplier_id, due_in=1, late=n)
    for asked in (ids[:1], ids):
        with sql_log() as statements:
            found = await reliability.reliabilities(asked, deps=deps)
        assert len(statements) == 1
        assert sorted(found) == sorted(asked)
    assert [found[i].mean_delay_days for i in ids] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    unknown = (await reliability.reliabilities([9999], deps=deps))[9999]
    assert unknown.sample_size == 0 and unknown.margin_days >= 0


async def _switch_store(deps: Deps) -> tuple[int, int]:
    """SWIM waits on five uncovered backorders; Acme (preferred, 30 days, no record), Fast
    (5 days, always 8 days late) and Steady (7 days, always on time) offer it."""
    await product(deps, "SWIM", lead_days=30)
    fast, steady = await _supplier(deps, "Fast"), await _supplier(deps, "Steady")
    for rank, (supplier_id, lead) in enumerate(((fast, 5), (steady, 7)), start=2):
        await catalog.set_supplier_offer(
            supplier_id=supplier_id, sku="SWIM", unit_cost=Decimal("2.00"),
            lead_time_days=lead, rank=rank, actor=STAFF, deps=deps,
        )  # fmt: skip
    for n in range(90):
        await _delivery(deps, steady, due_in=1, late=0)
        if n % 3 == 0:
            await _delivery(deps, fast, due_in=1, late=8)
    for n in range(5):
        await order(deps, f"c{n}@example.com", ("SWIM", 1))
    return fast, steady


async def test_a_faster_but_unreliable_supplier_is_proposed_after_a_reliable_one(db):
    deps = make_deps()
    _, steady = await _switch_store(deps)
    switch = await switches.propose_supplier_switch(sku="SWIM", actor=STAFF, deps=deps)
    assert switch.to_supplier_id == steady
    assert switch.new_expected_date == deps.today() + timedelta(days=7)


async def test_with_learned_margins_off_the_nominal_lead_time_decides(db):
    deps = make_deps(Settings(calendar=EVERY_DAY, learned_margins=False))
    fast, _ = await _switch_store(deps)
    switch = await switches.propose_supplier_switch(sku="SWIM", actor=STAFF, deps=deps)
    assert switch.to_supplier_id == fast


async def _delay_rows() -> list[tuple[int, int, int]]:
    rows = await SupplierDelay.all().values_list("supplier_id", "delay_days", "deliveries")
    return sorted((int(a), int(b), int(c)) for a, b, c in rows)


async def test_recounting_from_the_history_gives_the_same_records(db, sql_log):
    deps = make_deps(Settings())  # ships Monday to Friday
    await product(deps, "ROPE")
    acme, other = await _supplier(deps, "Acme"), await _supplier(deps, "Other")
    for late in (0, 1, 3, 6):
        await _delivery(deps, acme, due_in=2, late=late)
    await _delivery(deps, other, due_in=1, late=9)
    moved = await _po(deps, other, "ROPE", 4, 2)
    await purchasing.update_purchase_order(
        purchase_order_id=moved, expected_date=deps.today() + timedelta(days=6),
        actor=STAFF, deps=deps,
    )  # fmt: skip
    clock_of(deps).advance(days=7)
    for _ in range(2):
        await stock.receive_stock(
            sku="ROPE", quantity=2, purchase_order_id=moved, actor=STAFF, deps=deps
        )
        clock_of(deps).advance(days=2)
    await _po(deps, acme, "ROPE", 1, 3)  # not received yet: no delivery
    kept = await _delay_rows()
    assert sum(count for *_, count in kept) == 6

    with sql_log() as statements:
        assert await reliability.recount_deliveries(deps=deps) == 6
    assert len(statements) == 4
    assert await _delay_rows() == kept
