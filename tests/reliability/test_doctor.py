"""`bobot doctor` on a consistent store, and on stores corrupted by hand."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from tests.services.helpers import SHOP, STAFF, make_deps, order, product, purchase_order

from bobot import sql
from bobot.domain.availability import Policy
from bobot.domain.ordering import ShipPreference
from bobot.services import backorders, doctor, stock, waitlist

BOBOT = Path(sys.executable).with_name("bobot")


async def _busy_store() -> None:
    """Every kind of row the counters summarise: stock, backorders (some filled, one partly
    cancelled), shipments shipped and waiting, purchase orders open and received."""
    deps = make_deps()
    await product(deps, "KETTLE", on_hand=3)
    await product(deps, "GRINDER", on_hand=1, limit=20)
    po = await purchase_order(deps, "KETTLE", 6, in_days=10)
    await purchase_order(deps, "GRINDER", 4, in_days=20)
    first = await order(deps, "a@example.com", ("KETTLE", 4), ("GRINDER", 2))
    await order(
        deps,
        "b@example.com",
        ("KETTLE", 2),
        ("GRINDER", 1),
        preference=ShipPreference.SHIP_TOGETHER,
    )
    deps.clock.advance(days=2)  # type: ignore[attr-defined]
    await stock.receive_stock(
        sku="KETTLE", quantity=2, purchase_order_id=po, actor=STAFF, deps=deps
    )
    waiting = await sql.fetch("SELECT id FROM backorder WHERE sku = 'GRINDER' ORDER BY id LIMIT 1")
    await backorders.cancel_backorder(
        backorder_id=int(waiting[0][0]), quantity=1, reason="", actor=STAFF, deps=deps
    )
    ready = await sql.fetch(
        "SELECT id FROM shipment WHERE order_id = ? AND status = 'READY' ORDER BY id", [first.id]
    )
    await stock.mark_shipment_shipped(shipment_id=int(ready[0][0]), actor=STAFF, deps=deps)
    await stock.receive_purchase_order(purchase_order_id=po, actor=STAFF, deps=deps)


async def _doctor_command(url: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(BOBOT),
        "doctor",
        env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_doctor_passes_a_consistent_store_and_exits_zero(db) -> None:
    await _busy_store()
    report = await doctor.examine()
    assert report.ok, report.drift
    assert report.products == 2
    code, out = await _doctor_command(db.url)
    assert code == 0, out
    assert "ok: 2 products" in out


async def test_doctor_names_a_counter_changed_by_hand_and_exits_one(db) -> None:
    await _busy_store()
    await sql.execute(
        "UPDATE product SET allocated = allocated + 1, available = available - 1"
        " WHERE sku = 'KETTLE'"
    )
    report = await doctor.examine()
    assert any(
        line.startswith("KETTLE: allocated is") and "rows give" in line for line in report.drift
    )
    assert any(
        line.startswith("KETTLE: allocated is") and "history give" in line for line in report.drift
    )
    assert not any(line.startswith("GRINDER") for line in report.drift)
    code, out = await _doctor_command(db.url)
    assert code == 1, out
    assert "KETTLE: allocated is" in out


async def test_units_added_by_hand_are_drift_against_the_history(db) -> None:
    await _busy_store()
    # Consistent with the rows (available = on hand - allocated), but no receipt says so.
    await sql.execute(
        "UPDATE product SET on_hand = on_hand + 5, available = available + 5 WHERE sku = 'GRINDER'"
    )
    drift = (await doctor.examine()).drift
    assert any(line.startswith("GRINDER: on_hand is") and "history" in line for line in drift)


async def test_doctor_finds_backordered_and_incoming_drift_and_broken_rows(db) -> None:
    await _busy_store()
    await sql.execute("UPDATE product SET backordered = backordered + 2, incoming = 0")
    await sql.execute(
        "UPDATE backorder SET quantity_allocated = quantity + 1"
        " WHERE id = (SELECT MIN(id) FROM backorder)"
    )
    drift = (await doctor.examine()).drift
    assert any("backordered is" in line for line in drift)
    assert any("GRINDER: incoming is 0, the rows give 4" in line for line in drift)
    assert any("units allocated" in line for line in drift)


async def test_doctor_finds_a_queue_whose_dates_go_backwards(db) -> None:
    deps = make_deps()
    await product(deps, "KETTLE")
    await order(deps, "a@example.com", ("KETTLE", 1))
    await order(deps, "b@example.com", ("KETTLE", 1))
    second = await sql.fetch("SELECT MAX(id), MIN(expected_date) FROM backorder")
    earlier = sql.as_date(second[0][1]) - timedelta(days=3)
    await sql.execute(
        "UPDATE backorder SET expected_date = ? WHERE id = ?", [earlier, int(second[0][0])]
    )
    drift = (await doctor.examine()).drift
    assert len(drift) == 1 and "before backorder" in drift[0], drift


async def test_doctor_runs_the_same_statements_however_big_the_store(db, sql_log) -> None:
    await _busy_store()
    with sql_log() as small:
        await doctor.examine()
    deps = make_deps()
    await product(deps, "TOASTER", on_hand=2)
    for n in range(20):
        await order(deps, f"c{n}@example.com", ("TOASTER", 2), ("KETTLE", 1))
    with sql_log() as big:
        report = await doctor.examine()
    assert report.ok, report.drift
    assert len(big) == len(small) <= 13


async def test_doctor_finds_held_units_without_invitations_and_invitations_out_of_order(
    db,
) -> None:
    deps = make_deps()
    await product(deps, "KETTLE", policy=Policy.DENY)
    for email in ("a@example.com", "b@example.com"):
        await waitlist.join_waitlist(sku="KETTLE", email=email, quantity=1, actor=SHOP, deps=deps)
    await stock.receive_stock(sku="KETTLE", quantity=1, purchase_order_id=None, actor=STAFF,
                              deps=deps)  # fmt: skip
    assert (await doctor.examine()).ok  # the first entry holds the unit
    # By hand: the invitation passes to the second entry, over the head of the first.
    await sql.execute(
        "UPDATE waitlist_entry SET status = CASE status WHEN 'INVITED' THEN 'WAITING'"
        " ELSE 'INVITED' END"
    )
    drift = (await doctor.examine()).drift
    assert len(drift) == 1 and "is invited before" in drift[0], drift
    await sql.execute("UPDATE waitlist_entry SET status = 'WAITING'")
    drift = (await doctor.examine()).drift
    assert drift == ["KETTLE: 1 units held, but its open invitations hold 0"]
