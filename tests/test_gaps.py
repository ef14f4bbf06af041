"""Shortage report and gap scan through the services, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from tests.services.helpers import STAFF, clock_of, make_deps, order, product, purchase_order
from tortoise.transactions import in_transaction

from bobot import sql
from bobot.domain.eta import Supply
from bobot.errors import BobotError, ErrorCode
from bobot.models import Alert, AlertKind, AlertStatus, Event
from bobot.services import alert_actions, gap_scan, shortages
from bobot.services.gap_follower import prune_done_jobs, scan_recent_backorders
from bobot.services.locks import lock_products
from bobot.worker import JOBS


async def _store(deps, n: int) -> None:
    for i in range(n):
        sku = f"P{i:03d}"
        await product(deps, sku)
        if i % 2:
            await purchase_order(deps, sku, 2, in_days=5)
        await order(deps, f"c{i}@example.com", (sku, 3 + i % 4))


async def test_shortages_report_sorted_worst_first(db):
    deps = make_deps()
    await product(deps, "COVERED")
    await purchase_order(deps, "COVERED", 10, in_days=5)
    await order(deps, "a@example.com", ("COVERED", 4))
    await product(deps, "BARE")
    await order(deps, "b@example.com", ("BARE", 6))
    await product(deps, "STOCKED", on_hand=5)

    report = await shortages.shortages(deps)
    assert [s.sku for s in report] == ["BARE", "COVERED"]
    bare, covered = report
    assert (bare.backordered, bare.uncovered, list(bare.incoming)) == (6, 6, [])
    assert bare.eta_is_estimate and bare.next_purchase_order_date is None
    assert covered.uncovered == 0
    assert list(covered.incoming) == [Supply(deps.today() + timedelta(5), 10)]
    assert covered.next_purchase_order_date == deps.today() + timedelta(days=5)
    assert not covered.eta_is_estimate
    assert bare.severity > covered.severity
    clock_of(deps).advance(days=3)
    assert (await shortages.shortages(deps))[0].oldest_backorder_age_days == 3


async def test_shortages_and_scan_run_a_fixed_number_of_statements(db, sql_log):
    deps = make_deps()
    await _store(deps, 5)
    with sql_log() as small:
        assert len(await shortages.shortages(deps)) == 5
    with sql_log() as small_scan:
        await gap_scan.scan(deps=deps)
    await _store_more(deps)
    with sql_log() as large:
        assert len(await shortages.shortages(deps)) == 50
    assert len(small) == len(large) == 2
    with sql_log() as large_scan:
        await gap_scan.scan(deps=deps)
    # 5 alerts opened, then 45 more: the same statements, reads and writes
    assert len(large_scan) == len(small_scan), (small_scan, large_scan)


async def _store_more(deps) -> None:
    for i in range(5, 50):
        sku = f"P{i:03d}"
        await product(deps, sku)
        await order(deps, f"c{i}@example.com", (sku, 2))


async def test_scan_opens_updates_and_resolves_one_alert_per_kind(db):
    deps = make_deps()
    await product(deps, "MUG", limit=5)
    await order(deps, "a@example.com", ("MUG", 5))
    first = await gap_scan.scan(deps=deps)
    kinds = {a.kind for a in await Alert.filter(status=AlertStatus.OPEN)}
    assert {AlertKind.UNCOVERED_BACKORDERS, AlertKind.BACKORDER_LIMIT_REACHED} <= kinds
    assert first.opened == len(kinds)
    again = await gap_scan.scan(deps=deps)
    assert again.opened == 0 and await Alert.all().count() == len(kinds)

    clock_of(deps).advance(days=deps.settings.aging_days + 1)
    await gap_scan.scan(deps=deps)
    aging = await Alert.get(kind=AlertKind.BACKORDER_AGING)
    assert "oldest for 15 days" in aging.cause

    await purchase_order(deps, "MUG", 5, in_days=3)  # targeted scan after the change
    uncovered = await Alert.get(kind=AlertKind.UNCOVERED_BACKORDERS)
    assert uncovered.status is AlertStatus.RESOLVED and uncovered.dedupe_key is None
    assert await Event.filter(kind="ALERT_RESOLVED", subject_id=uncovered.id).exists()


async def test_acknowledge_snooze_and_bad_ids(db):
    deps = make_deps()
    await product(deps, "MUG")
    await order(deps, "a@example.com", ("MUG", 2))
    await gap_scan.scan(deps=deps)
    alert = await Alert.get(kind=AlertKind.UNCOVERED_BACKORDERS)
    acked = await alert_actions.acknowledge_alert(alert_id=alert.id, actor=STAFF, deps=deps)
    assert acked.status is AlertStatus.ACKNOWLEDGED
    until = deps.now() + timedelta(days=1)
    snoozed = await alert_actions.snooze_alert(
        alert_id=alert.id, until=until, actor=STAFF, deps=deps
    )
    assert snoozed.status is AlertStatus.SNOOZED
    events = await Event.all().count()
    with pytest.raises(BobotError) as caught:
        await alert_actions.acknowledge_alert(alert_id=999, actor=STAFF, deps=deps)
    assert caught.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(BobotError) as caught:
        await alert_actions.snooze_alert(
            alert_id=alert.id, until=deps.now(), actor=STAFF, deps=deps
        )
    assert caught.value.code is ErrorCode.INVALID
    assert await Event.all().count() == events
    clock_of(deps).advance(days=2)
    await gap_scan.scan(deps=deps)
    await alert.refresh_from_db()
    assert alert.status is AlertStatus.OPEN  # the snooze ran out while the gap remains


async def test_worker_runs_the_gap_scan(db):
    deps = make_deps()
    await product(deps, "MUG")
    await order(deps, "a@example.com", ("MUG", 2))
    await Alert.all().delete()
    assert await JOBS["gap_scan"](deps) >= 1


@pytest.mark.postgres
async def test_concurrent_scans_create_no_duplicate_alert(db):
    deps = make_deps()
    await _store(deps, 10)
    await Alert.all().delete()
    results = await asyncio.gather(*(gap_scan.scan(deps=deps) for _ in range(4)))
    targeted = await asyncio.gather(*(gap_scan.scan([1, 2, 3], deps=deps) for _ in range(3)))
    assert sum(r.opened for r in results) + sum(r.opened for r in targeted) == (
        await Alert.all().count()
    )
    keys = await Alert.all().values_list("product_id", "kind")
    assert len(keys) == len(set(keys))


async def test_the_worker_follows_new_backorders_and_scans_each_change_once(db):
    deps = make_deps()
    await product(deps, "MUG")
    assert await scan_recent_backorders(deps) == 0
    await order(deps, "a@example.com", ("MUG", 2))
    assert not await Alert.exists()  # placing the order did not scan: the worker does

    assert await scan_recent_backorders(deps) == 1  # at once: nothing waits to settle
    assert await Alert.filter(kind=AlertKind.UNCOVERED_BACKORDERS).exists()
    assert await scan_recent_backorders(deps) == 0  # its job is done
    assert await prune_done_jobs(deps) == 0  # kept a day
    clock_of(deps).advance(days=2)
    assert await prune_done_jobs(deps) == 1


@pytest.mark.postgres
async def test_two_workers_following_the_history_scan_a_change_once(db):
    deps = make_deps()
    await product(deps, "MUG")
    await order(deps, "a@example.com", ("MUG", 2))

    scanned = await asyncio.gather(*(scan_recent_backorders(deps) for _ in range(3)))

    assert sorted(scanned) == [0, 0, 1]
    assert await Alert.filter(kind=AlertKind.UNCOVERED_BACKORDERS).count() == 1


async def test_a_late_po_with_no_faster_supplier_suggests_telling_customers(db):
    deps = make_deps()
    await product(deps, "MUG", lead_days=30)  # Acme only: nobody to switch to
    await purchase_order(deps, "MUG", 5, in_days=3)
    await order(deps, "a@example.com", ("MUG", 2))
    clock_of(deps).advance(days=6)

    await gap_scan.scan(deps=deps)

    alert = await Alert.get(kind=AlertKind.PO_LATE)
    assert alert.suggested_action.value == "NOTIFY_CUSTOMERS" and alert.switch_id is None


async def test_an_alert_whose_cause_or_severity_changes_records_the_old_and_new_values(db):
    deps = make_deps()
    await product(deps, "MUG", lead_days=30)
    await purchase_order(deps, "MUG", 5, in_days=3)
    await order(deps, "a@example.com", ("MUG", 2))
    clock_of(deps).advance(days=6)
    await gap_scan.scan(deps=deps)
    alert = await Alert.get(kind=AlertKind.PO_LATE)
    before = (alert.cause, alert.severity)

    clock_of(deps).advance(days=1)
    assert (await gap_scan.scan(deps=deps)).updated >= 1

    await alert.refresh_from_db()
    [updated] = await Event.filter(kind="ALERT_UPDATED", subject_id=alert.id)
    assert updated.data["alert_kind"] == "PO_LATE"
    assert updated.data["cause"] == {"from": before[0], "to": alert.cause}
    assert updated.data["severity"] == {"from": before[1], "to": alert.severity}
    assert "3 days late" in before[0] and "4 days late" in alert.cause
    assert await gap_scan.scan(deps=deps) is not None
    assert await Event.filter(kind="ALERT_UPDATED").count() == 1  # nothing changed since


async def test_a_scan_over_more_products_than_a_statement_takes_parameters(pg_db):
    deps = make_deps()
    count = 33_000  # asyncpg allows 32,767 parameters per statement
    now = deps.now()
    await sql.execute(
        "INSERT INTO product (sku, name, category, price, backorder_policy, safety_stock,"
        " on_hand, allocated, available, backordered, incoming, created_at, updated_at)"
        " SELECT 'GEN-' || n, 'Generated ' || n, '', 1, 'DENY', 1, 0, 0, 0, 0, 0, ?, ?"
        " FROM generate_series(1, ?) AS n",
        [now, now, count],
    )

    result = await gap_scan.scan(deps=deps)

    assert result.opened == count
    assert await Alert.filter(kind=AlertKind.BELOW_SAFETY_STOCK).count() == count
    assert await Event.filter(kind="ALERT_OPENED").count() == count
    again = await gap_scan.scan(deps=deps)
    assert (again.opened, again.updated, again.resolved) == (0, 0, 0)


async def _until_a_statement_waits_for_a_lock() -> None:
    for _ in range(5000):
        rows = await sql.fetch(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        if rows[0][0]:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("nothing ever waited for the lock")


async def test_a_scan_acts_on_the_facts_it_reads_under_the_product_locks(pg_db):
    deps = make_deps()
    pid = await product(deps, "MUG")
    await order(deps, "a@example.com", ("MUG", 2))  # 2 units uncovered, not scanned yet
    locked, release = asyncio.Event(), asyncio.Event()

    async def cover_under_the_lock() -> None:
        async with in_transaction():
            await lock_products([pid])
            locked.set()
            await release.wait()
            await purchase_order(deps, "MUG", 2, in_days=5)  # covers them, then commits

    changer = asyncio.create_task(cover_under_the_lock())
    await locked.wait()
    scanner = asyncio.create_task(gap_scan.scan(deps=deps))
    await _until_a_statement_waits_for_a_lock()  # the scan waits for the product's lock
    release.set()
    await changer
    await scanner

    assert not await Alert.filter(
        kind=AlertKind.UNCOVERED_BACKORDERS, dedupe_key__isnull=False
    ).exists()
