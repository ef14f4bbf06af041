"""A Hypothesis state machine over the services: random sequences of orders, receipts,
cancellations, shipments, purchase-order changes, policy changes, waitlist moves (join,
leave, the invitations stock makes, claims, expiry) and the clock moving on, with every
invariant checked after each step.

The machine runs in a worker thread; each step hands its coroutine to the event loop that
owns the ORM's connections (:meth:`StoreMachine.run`). To add a step for a new service,
add a ``@rule`` that calls it through ``self.run`` and lets refusals (``BobotError``) pass:
the invariants after the step judge what it did.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from tests.reliability import store
from tests.services.helpers import SHOP, STAFF, make_deps

from bobot import worker
from bobot.clock import ManualClock
from bobot.domain import invariants as rules
from bobot.domain.availability import Policy
from bobot.domain.ordering import LineRequest, ShipPreference
from bobot.errors import BobotError
from bobot.models import PurchaseOrderStatus
from bobot.services import (
    backorders,
    catalog,
    invitations,
    orders,
    priority,
    purchasing,
    stock,
    waitlist,
)
from bobot.services.context import Deps

T = TypeVar("T")
SKUS = ("ALPHA", "BRAVO", "CHARLIE")
EMAILS = tuple(f"c{n}@example.com" for n in range(4))
#: A random index into whatever rows a step may act on (taken modulo their number).
pick = st.integers(min_value=0, max_value=1_000)


class StoreMachine(RuleBasedStateMachine):
    #: Set by the test: the loop that owns the connections, and how to empty the store.
    loop: ClassVar[asyncio.AbstractEventLoop]
    reset: ClassVar[Callable[[], Awaitable[None]]]
    steps: ClassVar[list[int]] = []  # steps run per example, for the report
    #: How often each step did something / was refused with a coded error / had nothing
    #: to act on, over the whole run (for the report, and to see that steps bite).
    outcomes: ClassVar[Counter[str]] = Counter()

    def __init__(self) -> None:
        super().__init__()
        self.deps: Deps = make_deps()
        self.product_ids: list[int] = []
        self.supplier_id = 0
        self.received: dict[int, int] = defaultdict(int)
        self.shipped: dict[int, int] = defaultdict(int)
        self.backordered: dict[int, int] = {}
        StoreMachine.steps.append(0)

    def run(self, coro: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)  # type: ignore[arg-type]

    def attempt(self, coro: Awaitable[T]) -> T | None:
        """Run a step that the services may refuse with a coded error."""
        name = getattr(coro, "__name__", "step")
        try:
            result = self.run(coro)
        except BobotError as exc:
            StoreMachine.outcomes[f"{name} refused {exc.code.value}"] += 1
            return None
        StoreMachine.outcomes[f"{name} done"] += 1
        return result

    @property
    def clock(self) -> ManualClock:
        assert isinstance(self.deps.clock, ManualClock)
        return self.deps.clock

    # ------------------------------------------------------------------ set-up

    @initialize(
        stock_levels=st.lists(st.integers(0, 6), min_size=len(SKUS), max_size=len(SKUS)),
        limit=st.none() | st.integers(0, 8),
    )
    def build_store(self, stock_levels: list[int], limit: int | None) -> None:
        self.run(self.reset())
        self.run(self._build(stock_levels, limit))

    async def _build(self, stock_levels: list[int], limit: int | None) -> None:
        supplier, _ = await catalog.upsert_supplier(name="Acme", actor=STAFF, deps=self.deps)
        self.supplier_id = supplier.id
        policies = (Policy.ALLOW, Policy.ALLOW, Policy.DENY)
        limits = (None, limit, None)
        for sku, units, policy, cap in zip(SKUS, stock_levels, policies, limits, strict=True):
            product, _ = await catalog.upsert_product(
                sku=sku, name=sku.title(), actor=STAFF, deps=self.deps
            )
            self.product_ids.append(product.id)
            await catalog.set_backorder_policy(
                sku=sku, policy=policy, limit=cap, ends_at=None, actor=STAFF, deps=self.deps
            )
            await catalog.set_supplier_offer(
                supplier_id=supplier.id,
                sku=sku,
                unit_cost=Decimal("2.00"),
                lead_time_days=14,
                actor=STAFF,
                deps=self.deps,
            )
            if units:
                await stock.receive_stock(
                    sku=sku, quantity=units, purchase_order_id=None, actor=STAFF, deps=self.deps
                )
                self.received[product.id] += units
        self.backordered = {pid: t[0] for pid, t in (await store.terms()).items()}

    def sku(self, index: int) -> str:
        return SKUS[index % len(SKUS)]

    def product_id(self, index: int) -> int:
        return self.product_ids[index % len(self.product_ids)]

    # ------------------------------------------------------------------ steps

    @rule(hours=st.integers(1, 24 * 10))
    def clock_moves_on(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @rule()
    def worker_refreshes_dates(self) -> None:
        self.run(worker.refresh_etas(self.deps))
        StoreMachine.outcomes["refresh_etas done"] += 1

    @rule(index=st.integers(0, 1), units=st.integers(1, 6), together=st.booleans())
    def place_a_backorder(self, index: int, units: int, together: bool) -> None:
        self.place_order([(index, units)], together)

    @rule(
        lines=st.lists(
            st.tuples(st.integers(0, len(SKUS) - 1), st.integers(1, 5)),
            min_size=1,
            max_size=3,
            unique_by=lambda line: line[0],
        ),
        together=st.booleans(),
    )
    def place_order(self, lines: list[tuple[int, int]], together: bool) -> None:
        preference = ShipPreference.SHIP_TOGETHER if together else ShipPreference.SHIP_AVAILABLE_NOW
        self.attempt(
            orders.place_order(
                customer=orders.Customer("shopper@example.com"),
                lines=[LineRequest(self.sku(i), q) for i, q in lines],
                ship_preference=preference,
                idempotency_key=None,
                actor=SHOP,
                deps=self.deps,
            )
        )

    @rule(index=st.integers(0, len(SKUS) - 1), units=st.integers(1, 8), against_po=pick | st.none())
    def receive_stock(self, index: int, units: int, against_po: int | None) -> None:
        self._receive(index, units, against_po)

    # Steps are drawn evenly: receipts and placements have two rules each, so that queues
    # form and get filled often enough for the fill order to be tested.
    @rule(index=st.integers(0, 1), units=st.integers(1, 4))
    def restock_a_product_that_takes_backorders(self, index: int, units: int) -> None:
        self._receive(index, units, None)

    def _receive(self, index: int, units: int, against_po: int | None) -> None:
        pid = self.product_id(index)
        po_id = None
        if against_po is not None:
            candidates = self.run(store.open_pos(pid))
            po_id = candidates[against_po % len(candidates)] if candidates else None
        queue = self.run(store.queues([pid]))[pid]
        receipt = self.attempt(
            stock.receive_stock(
                sku=self.sku(index),
                quantity=units,
                purchase_order_id=po_id,
                actor=STAFF,
                deps=self.deps,
            )
        )
        if receipt is None:
            return
        self.received[pid] += units
        found = rules.check_fills(self.sku(index), queue, units, receipt.fills)
        assert not found, "\n".join(found)

    @precondition(lambda self: bool(self.product_ids))
    @rule(which=pick)
    def receive_purchase_order(self, which: int) -> None:
        candidates = self.run(store.open_pos())
        if not candidates:
            return
        po_id = candidates[which % len(candidates)]
        due = {pid: max(q - r, 0) for pid, q, r in self.run(store.po_lines(po_id))}
        queues = self.run(store.queues(list(due)))
        result = self.attempt(
            stock.receive_purchase_order(purchase_order_id=po_id, actor=STAFF, deps=self.deps)
        )
        if result is None:
            return
        _, fills = result
        for pid, units in due.items():
            self.received[pid] += units
            mine = {b for b, _ in queues[pid]}
            sku = SKUS[self.product_ids.index(pid)]
            filled = [f for f in fills if f.backorder_id in mine]
            found = rules.check_fills(sku, queues[pid], units, filled)
            assert not found, "\n".join(found)

    @rule(which=pick)
    def cancel_a_whole_backorder(self, which: int) -> None:
        self.cancel_backorder(which, True, 1)

    @rule(which=pick, whole=st.booleans(), part=st.integers(1, 5))
    def cancel_backorder(self, which: int, whole: bool, part: int) -> None:
        candidates = self.run(store.cancellable_backorders())
        if not candidates:
            return
        self.attempt(
            backorders.cancel_backorder(
                backorder_id=candidates[which % len(candidates)],
                quantity=None if whole else part,
                reason="changed my mind",
                actor=STAFF,
                deps=self.deps,
            )
        )

    @rule(which=pick, level=st.integers(0, 3))
    def set_priority(self, which: int, level: int) -> None:
        candidates = self.run(store.waiting_backorders())
        if candidates:
            self.attempt(
                priority.set_backorder_priority(
                    backorder_id=candidates[which % len(candidates)],
                    priority=level,
                    actor=STAFF,
                    deps=self.deps,
                )
            )

    @rule(which=pick)
    def ship(self, which: int) -> None:
        candidates = self.run(store.ready_shipments())
        if not candidates:
            return
        shipment_id = candidates[which % len(candidates)]
        units = self.run(store.shipment_units(shipment_id))
        if self.attempt(
            stock.mark_shipment_shipped(shipment_id=shipment_id, actor=STAFF, deps=self.deps)
        ):
            for pid, quantity in units.items():
                self.shipped[pid] += quantity

    @rule(
        products=st.sets(st.integers(0, len(SKUS) - 1), min_size=1, max_size=2),
        units=st.integers(1, 5),  # small orders: a queue often rests on several of them
        in_days=st.integers(0, 40),
        draft=st.booleans(),
    )
    def create_purchase_order(
        self, products: set[int], units: int, in_days: int, draft: bool
    ) -> None:
        self.attempt(
            purchasing.create_purchase_order(
                supplier_id=self.supplier_id,
                expected_date=self.deps.today() + timedelta(days=in_days),
                lines=[purchasing.PoLineInput(self.sku(i), units) for i in sorted(products)],
                status=PurchaseOrderStatus.DRAFT if draft else PurchaseOrderStatus.ORDERED,
                actor=STAFF,
                deps=self.deps,
            )
        )

    def _changeable(self, which: int) -> int | None:
        candidates = self.run(store.changeable_pos())
        return candidates[which % len(candidates)] if candidates else None

    @rule(which=pick, in_days=st.integers(0, 60))
    def move_purchase_order(self, which: int, in_days: int) -> None:
        po_id = self._changeable(which)
        if po_id is not None:
            self.attempt(
                purchasing.update_purchase_order(
                    purchase_order_id=po_id,
                    expected_date=self.deps.today() + timedelta(days=in_days),
                    actor=STAFF,
                    deps=self.deps,
                )
            )

    @rule(which=pick, cut=st.integers(1, 10))
    def cut_purchase_order(self, which: int, cut: int) -> None:
        po_id = self._changeable(which)
        if po_id is None:
            return
        pid, quantity, received = self.run(store.po_lines(po_id))[0]
        sku = SKUS[self.product_ids.index(pid)]
        self.attempt(
            purchasing.update_purchase_order(
                purchase_order_id=po_id,
                lines=[purchasing.PoLineInput(sku, max(quantity - cut, received, 1))],
                actor=STAFF,
                deps=self.deps,
            )
        )

    @rule(
        which=pick,
        status=st.sampled_from([PurchaseOrderStatus.CANCELLED, PurchaseOrderStatus.ORDERED]),
    )
    def change_purchase_order_status(self, which: int, status: PurchaseOrderStatus) -> None:
        po_id = self._changeable(which)
        if po_id is not None:
            self.attempt(
                purchasing.update_purchase_order(
                    purchase_order_id=po_id, status=status, actor=STAFF, deps=self.deps
                )
            )

    @rule(
        index=st.integers(0, len(SKUS) - 1),
        policy=st.sampled_from([Policy.ALLOW, Policy.ALLOW, Policy.DENY]),
        limit=st.none() | st.integers(0, 8),
    )
    def change_policy(self, index: int, policy: Policy, limit: int | None) -> None:
        self.attempt(
            catalog.set_backorder_policy(
                sku=self.sku(index),
                policy=policy,
                limit=limit,
                ends_at=None,
                actor=STAFF,
                deps=self.deps,
            )
        )

    @rule(
        index=st.integers(0, len(SKUS) - 1), email=st.sampled_from(EMAILS), units=st.integers(1, 3)
    )
    def join_waitlist(self, index: int, email: str, units: int) -> None:
        self.attempt(
            waitlist.join_waitlist(
                sku=self.sku(index), email=email, quantity=units, actor=SHOP, deps=self.deps
            )
        )

    @rule(which=pick)
    def leave_waitlist(self, which: int) -> None:
        candidates = self.run(store.active_waitlist())
        if candidates:
            self.attempt(
                waitlist.leave_waitlist(
                    entry_id=candidates[which % len(candidates)], actor=SHOP, deps=self.deps
                )
            )

    # The waitlist is for what cannot be bought (CHARLIE denies backorders): joins and stock
    # for it have rules of their own, so that invitations are made, claimed and expire.
    @rule(email=st.sampled_from(EMAILS), units=st.integers(1, 3))
    def join_the_waitlist_of_a_product_that_denies(self, email: str, units: int) -> None:
        self.join_waitlist(len(SKUS) - 1, email, units)

    @rule(units=st.integers(1, 4))
    def stock_arrives_for_the_waitlist(self, units: int) -> None:
        self._receive(len(SKUS) - 1, units, None)

    @rule(which=pick)
    def claim_invitation(self, which: int) -> None:
        candidates = self.run(store.invitations())
        if not candidates:
            return
        entry_id, pid, units, _ = candidates[which % len(candidates)]
        order = self.attempt(
            invitations.claim_invitation(entry_id=entry_id, actor=SHOP, deps=self.deps)
        )
        if order is not None:  # the held units, all from stock: nothing backordered
            assert self.run(store.order_lines(order.id)) == [(pid, units, units)]
            assert self.run(store.entry_status(entry_id)) == "CONVERTED"

    @rule(which=pick)
    def let_an_invitation_expire(self, which: int) -> None:
        """The clock passes one invitation's hold, and the worker's job gives its units on."""
        candidates = self.run(store.invitations())
        if not candidates:
            return
        entry_id, _, _, hold_until = candidates[which % len(candidates)]
        if hold_until > self.clock.now():
            self.clock.set(hold_until + timedelta(minutes=1))
        expired = self.run(invitations.expire_invitations(self.deps))
        StoreMachine.outcomes["expire_invitations done"] += 1
        assert expired >= 1
        assert self.run(store.entry_status(entry_id)) == "EXPIRED"

    @rule()
    def worker_expires_invitations(self) -> None:
        self.run(invitations.expire_invitations(self.deps))

    # ------------------------------------------------------------------ after every step

    @invariant()
    def every_invariant_holds(self) -> None:
        if not self.product_ids:
            return
        StoreMachine.steps[-1] += 1
        found = self.run(store.violations(self.received, self.shipped))
        terms: dict[int, Any] = self.run(store.terms())
        for pid, (units, allows, limit) in terms.items():
            sku = SKUS[self.product_ids.index(pid)]
            found += rules.check_limit_growth(
                sku, self.backordered.get(pid, 0), units, limit, allows
            )
            self.backordered[pid] = units
        assert not found, "\n".join(found)
