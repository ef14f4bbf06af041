"""One policy's season, run against the real services on a throw-away SQLite database.

The clock moves day by day. Each day, in this order: yesterday's ready parcels ship; the
suppliers deliver (some late, some short) and announce some delays ahead; waitlist
invitations are claimed; the day's customers order (or walk away, or join a waitlist);
the shop reorders what runs low; the worker's daily jobs run (dates refreshed, delays
reviewed, invitations expired, gaps scanned); customers react to delay notices and to
dates that passed; in the policy that uses them, staff approve supplier switches.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import time as clock_time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path

from tortoise import Tortoise
from tortoise.context import TortoiseContext

from bobot import sql
from bobot.clock import ManualClock
from bobot.config import Settings
from bobot.db import tortoise_config
from bobot.domain.availability import Policy as BackorderPolicy
from bobot.domain.availability import StockStatus
from bobot.domain.calendar import EVERY_DAY
from bobot.domain.insights import MAX_RANGE_DAYS
from bobot.domain.ordering import MAX_LINES, LineRequest, ShipPreference
from bobot.errors import BobotError
from bobot.models import (
    BackorderStatus,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Shipment,
    ShipmentStatus,
    SupplierSwitch,
    SwitchStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from bobot.models.purchasing import OPEN_PO_STATUSES
from bobot.services import catalog, consent, doctor, orders, purchasing, stock, waitlist
from bobot.services.availability import availability, needs_supply, supply_by_product
from bobot.services.backorders import cancel_backorder
from bobot.services.context import Actor, Deps
from bobot.services.gap_scan import scan_job
from bobot.services.insights import backorder_insights
from bobot.services.invitations import claim_invitation, expire_invitations
from bobot.services.orders import LOST_SALE_CODES
from bobot.services.self_service import CUSTOMER_REASON, customer
from bobot.simulation.model import Customer, Scenario
from bobot.worker import refresh_etas

STAFF = Actor("staff", "simulation", "cli")
SHOP = Actor("storefront", "simulation", "api")
HANDLING_DAYS = 1


class Policy(int, Enum):
    BASELINE = 1  # promise the supplier's nominal lead time, never recompute
    FIXED_MARGIN = 2  # bobot's dates from purchase orders, fixed margin, delay notices
    LEARNED_MARGINS = 3  # the same, margins learned from supplier history
    SWITCHES = 4  # learned margins, supplier switches approved on gap alerts

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def uses_bobot_dates(self) -> bool:
        return self is not Policy.BASELINE


_LABELS = {
    Policy.BASELINE: "1 baseline (nominal lead time)",
    Policy.FIXED_MARGIN: "2 bobot, fixed margin",
    Policy.LEARNED_MARGINS: "3 bobot, learned margins",
    Policy.SWITCHES: "4 learned + switches",
}


def settings_for(policy: Policy, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        calendar=EVERY_DAY,
        handling_days=HANDLING_DAYS,
        learned_margins=policy in (Policy.LEARNED_MARGINS, Policy.SWITCHES),
    )


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True, slots=True)
class BackorderOutcome:
    """One backorder, its days counted from the season's first day."""

    order_day: int
    quantity: int
    first_promise: int
    last_accepted: int
    ship_day: int | None
    state: str  # shipped | cancelled | open
    cancelled_by: str | None  # customer | shop
    slipped: bool
    announced_before_promise: bool
    miss_cause: str | None = None  # why it shipped (or is still open) after its first promise
    waits_without_date: bool = False  # agreed to a delay notice that gave no date
    ready: bool = False  # open at the season's end with every unit allocated, to ship next


#: Why a backorder missed the date first promised (:func:`miss_cause`).
MISS_CAUSES = (
    "purchase order later than the margin allowed",
    "short delivery",
    "dated on a purchase order already late",
    "estimate with no purchase order behind it",
    "queue or other",
)


@dataclass(frozen=True, slots=True)
class Quote:
    """What a backorder rested on when it was placed: its expected date (a day of the
    season), whether that date was an estimate, and the product's open purchase orders
    (id, expected day)."""

    order_day: int
    expected_day: int
    is_estimate: bool
    open_pos: tuple[tuple[int, int], ...]


def miss_cause(quote: Quote | None, first_promise: int, pos: dict[int, _Po]) -> str:
    """Why a backorder quoted ``quote`` shipped after ``first_promise`` (pure).

    A date that rested on an already-late purchase order (an estimate, since bobot projects
    when a late order will come) or on no purchase order at all (an estimate from a lead
    time) is told apart from a firm date: for a firm one, the purchase order that dated it
    (the one whose arrival gives its expected date) either came later than the promise
    allowed (its supplier beyond the margin), came short, or came in time (then the units
    went to someone ahead in the queue, or the date moved for another reason).
    """
    if quote is None:
        return "queue or other"
    if quote.is_estimate:
        if any(expected < quote.order_day for _, expected in quote.open_pos):
            return "dated on a purchase order already late"
        return "estimate with no purchase order behind it"
    covering = [
        pos[po_id]
        for po_id, expected in quote.open_pos
        if expected + HANDLING_DAYS == quote.expected_day and po_id in pos
    ]
    if not covering:
        return "queue or other"
    po = covering[0]
    if po.arrival_day + HANDLING_DAYS > first_promise:
        return "purchase order later than the margin allowed"
    if po.short:
        return "short delivery"
    return "queue or other"


@dataclass(frozen=True, slots=True)
class AlertOutcome:
    product: int
    kind: str
    opened: int
    resolved: int | None


@dataclass
class Outcome:
    """What one policy's season produced (plain data: it crosses process boundaries)."""

    policy: Policy
    days: int
    backorders: list[BackorderOutcome] = field(default_factory=list)
    alerts: list[AlertOutcome] = field(default_factory=list)
    stockouts: dict[int, list[int]] = field(default_factory=dict)  # product -> days
    orders: int = 0
    orders_in_stock: int = 0
    lost_orders: dict[str, int] = field(default_factory=dict)
    lost_units: dict[str, int] = field(default_factory=dict)
    waitlist: dict[str, int] = field(default_factory=dict)
    switches: int = 0
    purchase_orders: int = 0
    delay_notices: int = 0
    late_notices: int = 0
    drift: list[str] = field(default_factory=list)
    doctor_checks: int = 0
    #: orders the services refused as a lost sale (counted as the simulation met them)
    refused_orders: int = 0
    refused_units: int = 0
    #: what ``backorderInsights`` says of the whole season, read at its end
    insights: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time: what a busy machine does not change


# --------------------------------------------------------------------------- the run


@dataclass
class _Po:
    product: int
    supplier: int
    expected_day: int
    arrival_day: int  # of the first (or only) delivery
    short: bool = False  # the first delivery came short, the rest later


class Season:
    def __init__(self, scenario: Scenario, policy: Policy, settings: Settings) -> None:
        self.scenario = scenario
        self.policy = policy
        start = datetime.combine(scenario.start, time(0), UTC)
        self.clock = ManualClock(start)
        self.deps = Deps(settings=settings, clock=self.clock)
        self.outcome = Outcome(policy=policy, days=scenario.days)
        self.product_ids: list[int] = []
        self.supplier_ids: list[int] = []
        self.supplier_index: dict[int, int] = {}
        self.pos: dict[int, _Po] = {}
        self.po_counts = [0] * len(scenario.products)
        self.arrivals: dict[int, list[tuple[int, str, float]]] = {}
        self.announcements: dict[int, list[tuple[int, int]]] = {}
        self.customers: dict[int, Customer] = {}  # by order id
        self.entries: dict[int, Customer] = {}  # waitlist entry id -> customer
        self.baseline_promise: dict[int, int] = {}  # order id -> day (policy 1)
        self.quotes: dict[int, Quote] = {}  # backorder id -> what its date rested on
        self.demand_seen: list[list[int]] = [[] for _ in scenario.products]  # units a day
        self.stockout_days: dict[int, set[int]] = {}

    # ----------------------------------------------------------------- helpers

    def at(self, day: int, hour: int, minute: int = 0) -> None:
        self.clock.set(datetime.combine(self.scenario.day_date(day), time(hour, minute), UTC))

    def day_of(self, value: date | datetime) -> int:
        if isinstance(value, datetime):
            value = self.deps.settings.calendar.today(value)
        return (value - self.scenario.start).days

    def _refused(self, error: BobotError, units: int) -> None:
        if error.code in LOST_SALE_CODES:
            self.outcome.refused_orders += 1
            self.outcome.refused_units += units

    def _lose(self, reason: str, units: int) -> None:
        lost_orders, lost_units = self.outcome.lost_orders, self.outcome.lost_units
        lost_orders[reason] = lost_orders.get(reason, 0) + 1
        lost_units[reason] = lost_units.get(reason, 0) + units

    # ----------------------------------------------------------------- set-up

    async def set_up(self) -> None:
        deps = self.deps
        for supplier in self.scenario.suppliers:
            made, _ = await catalog.upsert_supplier(name=supplier.name, actor=STAFF, deps=deps)
            self.supplier_index[made.id] = len(self.supplier_ids)
            self.supplier_ids.append(made.id)
        for product in self.scenario.products:
            row, _ = await catalog.upsert_product(
                sku=product.sku,
                name=f"{product.category.value.title()} {product.sku}",
                category=product.category.value,
                safety_stock=product.safety_stock,
                actor=STAFF,
                deps=deps,
            )
            self.product_ids.append(row.id)
            policy = BackorderPolicy.ALLOW if product.takes_backorders else BackorderPolicy.DENY
            await catalog.set_backorder_policy(
                sku=product.sku, policy=policy, limit=None, ends_at=None, actor=STAFF, deps=deps
            )
            primary = self.scenario.suppliers[product.primary]
            await catalog.set_supplier_offer(
                supplier_id=self.supplier_ids[product.primary],
                sku=product.sku,
                unit_cost=Decimal("10.00"),
                lead_time_days=primary.lead_days,
                rank=1,
                actor=STAFF,
                deps=deps,
            )
            await catalog.set_supplier_offer(
                supplier_id=self.supplier_ids[product.alternative],
                sku=product.sku,
                unit_cost=Decimal("12.50"),
                lead_time_days=product.alternative_lead_days,
                rank=2,
                actor=STAFF,
                deps=deps,
            )
            if product.initial_stock:
                await stock.receive_stock(
                    sku=product.sku,
                    quantity=product.initial_stock,
                    purchase_order_id=None,
                    actor=STAFF,
                    deps=deps,
                )

    # ----------------------------------------------------------------- the day

    async def run(self, *, check_every: int | None = None) -> Outcome:
        started, cpu = clock_time.perf_counter(), clock_time.process_time()
        self.at(0, 0)
        await self.set_up()
        for day in range(self.scenario.days):
            await self.day(day)
            if check_every and (day % check_every == check_every - 1):
                report = await doctor.examine()
                self.outcome.doctor_checks += 1
                self.outcome.drift += [f"day {day}: {line}" for line in report.drift]
        await self.collect()
        await self.read_insights()
        self.outcome.seconds = clock_time.perf_counter() - started
        self.outcome.cpu_seconds = clock_time.process_time() - cpu
        return self.outcome

    async def day(self, day: int) -> None:
        self.at(day, 6)
        await self.ship_ready()
        self.at(day, 7)
        await self.deliver(day)
        await self.announce(day)
        self.at(day, 9)
        await self.claim_invitations()
        await self.take_orders(day)
        self.at(day, 20)
        await self.reorder(day)
        self.at(day, 21)
        await refresh_etas(self.deps)
        if self.policy.uses_bobot_dates:
            await consent.review_delays(self.deps)
        await expire_invitations(self.deps)
        await scan_job(self.deps)
        self.at(day, 22)
        await self.react(day)
        if self.policy is Policy.SWITCHES:
            await self.approve_switches(day)

    async def ship_ready(self) -> None:
        ready = await Shipment.filter(status=ShipmentStatus.READY).order_by("id")
        for shipment in ready:
            await stock.mark_shipment_shipped(shipment_id=shipment.id, actor=STAFF, deps=self.deps)

    # ----------------------------------------------------------------- supply

    def _track(self, po: PurchaseOrder, product: int, supplier: int, day: int) -> None:
        """Decide, from the product's stream of supplier luck, when this order arrives."""
        k = self.po_counts[product]
        self.po_counts[product] += 1
        draw = self.scenario.delivery(product, k)
        terms = self.scenario.suppliers[supplier]
        expected_day = self.day_of(po.expected_date)
        arrival = max(day + 1, expected_day + draw.delay_days(terms))
        kind = "short" if draw.is_short(terms) else "full"
        self.pos[po.id] = _Po(product, supplier, expected_day, arrival, kind == "short")
        self.arrivals.setdefault(arrival, []).append((po.id, kind, draw.short_fraction))
        if kind == "short":
            rest = arrival + draw.rest_after_days
            self.arrivals.setdefault(rest, []).append((po.id, "rest", 1.0))
        if arrival > expected_day and draw.announced():
            when = max(day + 1, expected_day - draw.announce_days)
            if when < arrival:
                self.announcements.setdefault(when, []).append((po.id, arrival))
        self.outcome.purchase_orders += 1

    async def deliver(self, day: int) -> None:
        for po_id, kind, fraction in self.arrivals.pop(day, []):
            po = await PurchaseOrder.get(id=po_id)
            if po.status not in OPEN_PO_STATUSES:
                continue  # cancelled by a switch, or received already
            if kind == "short":
                line = await PurchaseOrderLine.get(purchase_order_id=po_id)
                due = line.quantity - line.quantity_received
                units = max(1, math.floor(due * fraction))
                if units < due:
                    track = self.pos[po_id]
                    await stock.receive_stock(
                        sku=self.scenario.products[track.product].sku,
                        quantity=units,
                        purchase_order_id=po_id,
                        actor=STAFF,
                        deps=self.deps,
                    )
                    continue
            await stock.receive_purchase_order(purchase_order_id=po_id, actor=STAFF, deps=self.deps)

    async def announce(self, day: int) -> None:
        """Suppliers that warn of a delay ahead: the purchase order gets its new date."""
        for po_id, arrival in self.announcements.pop(day, []):
            po = await PurchaseOrder.get(id=po_id)
            if po.status not in OPEN_PO_STATUSES:
                continue
            await purchasing.update_purchase_order(
                purchase_order_id=po_id,
                expected_date=self.scenario.day_date(arrival),
                actor=STAFF,
                deps=self.deps,
            )

    async def reorder(self, day: int) -> None:
        """The shop's reorder policy: when the stock position (available + incoming -
        backordered) falls to the demand expected over the lead time plus the safety stock,
        order three weeks of demand (and what the position lacks) from the preferred
        supplier. Demand is judged by the last two weeks, as a shop would."""
        rows = await sql.fetch(
            "SELECT id, available, incoming, backordered FROM product ORDER BY id"
        )
        by_id = {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}
        for index, product in enumerate(self.scenario.products):
            recent = self.demand_seen[index][-14:]
            forecast = max(sum(recent) / max(len(recent), 1), product.base_rate * 1.7 * 0.5)
            supplier = self.scenario.suppliers[product.primary]
            available, incoming, backordered = by_id[self.product_ids[index]]
            position = available + incoming - backordered
            reorder_point = forecast * (supplier.lead_days + 1) + product.safety_stock
            if position > reorder_point:
                continue
            quantity = math.ceil(forecast * 21 + reorder_point - position)
            po = await purchasing.create_purchase_order(
                supplier_id=self.supplier_ids[product.primary],
                expected_date=self.scenario.day_date(day + supplier.lead_days),
                lines=[purchasing.PoLineInput(product.sku, max(quantity, 1), Decimal("10.00"))],
                actor=STAFF,
                deps=self.deps,
            )
            self._track(po, index, product.primary, day)

    async def approve_switches(self, day: int) -> None:
        """Staff approve each proposed switch that an open alert carries and that brings
        some backorder earlier; the late purchase order is cut by what the switch brings."""
        proposed = await SupplierSwitch.filter(
            status=SwitchStatus.PROPOSED, backorders_improved__gt=0
        ).order_by("id")
        for switch in proposed:
            if not await sql.fetch(
                "SELECT 1 FROM alert WHERE switch_id = ? AND resolved_at IS NULL", [switch.id]
            ):
                continue
            try:
                _, po = await _approve(switch.id, self.deps)
            except BobotError:
                continue
            product = self.product_ids.index(switch.product_id)
            self._track(po, product, self.supplier_index[switch.to_supplier_id], day)
            self.outcome.switches += 1

    # ----------------------------------------------------------------- customers

    async def claim_invitations(self) -> None:
        invited = await WaitlistEntry.filter(status=WaitlistStatus.INVITED).order_by("id")
        for entry in invited:
            who = self.entries.get(entry.id)
            if who is None:
                continue
            actor = customer(who.email)
            if who.claims_invitation:
                try:
                    order = await claim_invitation(entry_id=entry.id, actor=actor, deps=self.deps)
                except BobotError as error:
                    self._refused(error, who.quantity)
                    continue
                self.customers[order.id] = who
                self.outcome.orders += 1
            else:
                await waitlist.leave_waitlist(entry_id=entry.id, actor=actor, deps=self.deps)
                self._lose("declined invitation", who.quantity)

    async def take_orders(self, day: int) -> None:
        """The day's customers. Those whose units are on the shelf when they come take
        nothing from anyone's place in a queue, so they are placed together as the day's
        in-stock order (a line per product, the units they take; several orders of at most
        ``MAX_LINES`` lines). From a product's first customer who finds too little on the
        shelf on, each customer orders alone, in the order they came, and sees the date
        the storefront would show."""
        for index in range(len(self.scenario.products)):
            self.demand_seen[index].append(0)
        rows = await sql.fetch("SELECT id, available FROM product ORDER BY id")
        shelf = {int(r[0]): int(r[1]) for r in rows}
        from_shelf: dict[int, int] = {}
        alone: list[Customer] = []
        short: set[int] = set()
        for who in self.scenario.demand[day]:
            self.demand_seen[who.product][-1] += who.quantity
            pid = self.product_ids[who.product]
            if who.product not in short and shelf[pid] >= who.quantity:
                shelf[pid] -= who.quantity
                from_shelf[who.product] = from_shelf.get(who.product, 0) + who.quantity
                self.outcome.orders += 1
                self.outcome.orders_in_stock += 1
            else:
                short.add(who.product)
                self.stockout_days.setdefault(who.product, set()).add(day)
                alone.append(who)
        self.at(day, 9)
        shelf_lines = [
            LineRequest(self.scenario.products[p].sku, units)
            for p, units in sorted(from_shelf.items())
        ]
        for start in range(0, len(shelf_lines), MAX_LINES):  # an order's most lines
            await orders.place_order(
                customer=orders.Customer("counter@sim.example", "Sales from the shelf"),
                lines=shelf_lines[start : start + MAX_LINES],
                ship_preference=ShipPreference.SHIP_AVAILABLE_NOW,
                idempotency_key=None,
                actor=SHOP,
                deps=self.deps,
            )
        for n, who in enumerate(alone, start=1):
            self.at(day, 9)
            self.clock.advance(seconds=10 * n)
            await self._order_alone(day, who)

    async def _order_alone(self, day: int, who: Customer) -> None:
        today = self.scenario.day_date(day)
        product = self.scenario.products[who.product]
        row = await Product.get(id=self.product_ids[who.product])
        if row.available == 0:
            supply = None
            if needs_supply(row, self.deps):
                supply = (await supply_by_product([row.id], deps=self.deps))[0]
            shown = availability(row, supply, self.deps)
            if shown.status is StockStatus.OUT_OF_STOCK:
                await self._wait_or_lose(who)
                return
            if self.policy.uses_bobot_dates:
                quoted = shown.estimated_ship_date or today
            else:
                quoted = today + timedelta(
                    days=self.scenario.suppliers[product.primary].lead_days + HANDLING_DAYS
                )
            if (quoted - today).days > who.max_wait_days:
                self._lose("promise too far off", who.quantity)
                return
        try:
            order = await orders.place_order(
                customer=orders.Customer(who.email),
                lines=[LineRequest(product.sku, who.quantity)],
                ship_preference=ShipPreference.SHIP_AVAILABLE_NOW,
                idempotency_key=None,
                actor=SHOP,
                deps=self.deps,
            )
        except BobotError as error:
            self._refused(error, who.quantity)
            await self._wait_or_lose(who)
            return
        self.customers[order.id] = who
        self.outcome.orders += 1
        if row.available >= who.quantity:
            self.outcome.orders_in_stock += 1
        else:
            lead = self.scenario.suppliers[product.primary].lead_days
            self.baseline_promise[order.id] = day + lead + HANDLING_DAYS
            await self._note_quote(day, order.id, row.id)

    async def _note_quote(self, day: int, order_id: int, product_id: int) -> None:
        """Keep what the order's backorder was dated on, to tell later why it was late."""
        pos = tuple(
            (int(po_id), self.day_of(sql.as_date(expected)))
            for po_id, expected in await sql.fetch(
                "SELECT po.id, po.expected_date FROM purchase_order_line l"
                " JOIN purchase_order po ON po.id = l.purchase_order_id"
                " WHERE l.product_id = ? AND po.status IN ('ORDERED', 'PARTIALLY_RECEIVED')"
                " AND l.quantity > l.quantity_received ORDER BY po.id",
                [product_id],
            )
        )
        for backorder_id, expected, estimate in await sql.fetch(
            "SELECT id, expected_date, eta_is_estimate FROM backorder WHERE order_id = ?",
            [order_id],
        ):
            self.quotes[int(backorder_id)] = Quote(
                day, self.day_of(sql.as_date(expected)), bool(estimate), pos
            )

    async def _wait_or_lose(self, who: Customer) -> None:
        if not who.joins_waitlist:
            self._lose("could not buy", who.quantity)
            return
        product = self.scenario.products[who.product]
        try:
            entry = await waitlist.join_waitlist(
                sku=product.sku,
                email=who.email,
                quantity=who.quantity,
                actor=customer(who.email),
                deps=self.deps,
            )
        except BobotError:
            self._lose("could not buy", who.quantity)
            return
        self.entries[entry.id] = who

    async def react(self, day: int) -> None:
        """Customers answer the delay notices of the day, and cancel when a date they
        accepted has passed by more than their patience."""
        if self.policy.uses_bobot_dates:
            await self._answer_notices(day)
        rows = await sql.fetch(
            "SELECT b.id, b.order_id, b.promised_date, c.agreed_date FROM backorder b"
            " LEFT JOIN backorder_consent c ON c.backorder_id = b.id"
            " WHERE b.status IN ('OPEN', 'PARTIALLY_ALLOCATED') ORDER BY b.id"
        )
        for backorder_id, order_id, promised, agreed in rows:
            who = self.customers[int(order_id)]
            if self.policy.uses_bobot_dates:
                accepted = self.day_of(sql.as_date(agreed if agreed is not None else promised))
            else:
                accepted = self.baseline_promise.get(
                    int(order_id), self.day_of(sql.as_date(promised))
                )
            if day > accepted + who.patience_days:
                await self._cancel(int(backorder_id), who)

    async def _answer_notices(self, day: int) -> None:
        since = datetime.combine(self.scenario.day_date(day), time(0), UTC)
        rows = await sql.fetch(
            "SELECT b.id, b.order_id, c.state, c.original_promise, c.noticed_date"
            " FROM backorder_consent c JOIN backorder b ON b.id = c.backorder_id"
            " WHERE c.notified_at >= ? AND b.status IN ('OPEN', 'PARTIALLY_ALLOCATED',"
            " 'ALLOCATED') ORDER BY b.id",
            [since],
        )
        for backorder_id, order_id, state, original, noticed in rows:
            who = self.customers[int(order_id)]
            original_day = self.day_of(sql.as_date(original))
            if noticed is None:
                too_late = who.patience_days < 10
            else:
                too_late = self.day_of(sql.as_date(noticed)) - original_day > who.patience_days
            if state == "AWAITING":
                if not who.answers_notices:
                    continue  # silence: the shop cancels at the deadline
                with contextlib.suppress(BobotError):  # answered, shipped or cancelled
                    await consent.answer_delay(
                        backorder_id=int(backorder_id),
                        accept=not too_late,
                        actor=customer(who.email),
                        deps=self.deps,
                    )
            elif too_late:
                await self._cancel(int(backorder_id), who)

    async def _cancel(self, backorder_id: int, who: Customer) -> None:
        with contextlib.suppress(BobotError):  # shipped or cancelled meanwhile
            await cancel_backorder(
                backorder_id=backorder_id,
                quantity=None,
                reason=CUSTOMER_REASON,
                actor=customer(who.email),
                deps=self.deps,
            )

    # ----------------------------------------------------------------- figures

    async def collect(self) -> None:
        out = self.outcome
        ships = {
            int(b): self.day_of(sql.as_date(s) if not isinstance(s, datetime) else s)
            for b, s in await sql.fetch(
                "SELECT l.backorder_id, s.shipped_at FROM shipment_line l"
                " JOIN shipment s ON s.id = l.shipment_id"
                " WHERE l.backorder_id IS NOT NULL AND s.status = 'SHIPPED'"
            )
        }
        cancelled_by = {
            int(b): ("customer" if kind == "customer" else "shop")
            for b, kind in await sql.fetch(
                "SELECT backorder_id, actor_kind FROM cancellation ORDER BY id"
            )
        }
        first_notice = {
            int(b): self.day_of(_as_datetime(at))
            for b, at in await sql.fetch(
                "SELECT subject_id, MIN(at) FROM event WHERE kind = 'DELAY_NOTICE_SENT'"
                " GROUP BY subject_id"
            )
        }
        delayed = {
            int(r[0])
            for r in await sql.fetch(
                "SELECT DISTINCT subject_id FROM event WHERE kind = 'BACKORDER_DELAYED'"
            )
        }
        rows = await sql.fetch(
            "SELECT b.id, b.order_id, b.quantity_ordered, b.status, b.promised_date,"
            " b.created_at, c.agreed_date, c.state FROM backorder b"
            " LEFT JOIN backorder_consent c ON c.backorder_id = b.id ORDER BY b.id"
        )
        last_day = self.scenario.days - 1
        for bid, order_id, quantity, status, promised, created, agreed, consent_state in rows:
            bid, order_id = int(bid), int(order_id)
            if order_id not in self.customers:
                continue  # never: the shelf's order backorders nothing
            ship_day = ships.get(bid)
            state = (
                "shipped"
                if status == BackorderStatus.SHIPPED.value
                else "cancelled"
                if status == BackorderStatus.CANCELLED.value
                else "open"
            )
            if self.policy.uses_bobot_dates:
                first = self.day_of(sql.as_date(promised))
                last = self.day_of(sql.as_date(agreed)) if agreed is not None else first
                announced = bid in first_notice and first_notice[bid] < first
            else:
                first = last = self.baseline_promise.get(
                    order_id, self.day_of(sql.as_date(promised))
                )
                announced = False
            end = ship_day if ship_day is not None else last_day
            slipped = bid in delayed if self.policy.uses_bobot_dates else False
            slipped = slipped or end > first
            missed = state != "cancelled" and end > first and (ship_day is not None or first < end)
            cause = None
            if missed and self.policy.uses_bobot_dates:
                cause = miss_cause(self.quotes.get(bid), first, self.pos)
            out.backorders.append(
                BackorderOutcome(
                    order_day=self.day_of(_as_datetime(created)),
                    quantity=int(quantity),
                    first_promise=first,
                    last_accepted=last,
                    ship_day=ship_day,
                    state=state,
                    cancelled_by=cancelled_by.get(bid) if state == "cancelled" else None,
                    slipped=slipped,
                    announced_before_promise=announced,
                    miss_cause=cause,
                    waits_without_date=consent_state == "ACCEPTED_INDEFINITE",
                    ready=status == BackorderStatus.ALLOCATED.value,
                )
            )
        index = {pid: n for n, pid in enumerate(self.product_ids)}
        for pid, kind, created, resolved in await sql.fetch(
            "SELECT product_id, kind, created_at, resolved_at FROM alert ORDER BY id"
        ):
            out.alerts.append(
                AlertOutcome(
                    product=index[int(pid)],
                    kind=str(kind),
                    opened=self.day_of(_as_datetime(created)),
                    resolved=self.day_of(_as_datetime(resolved)) if resolved else None,
                )
            )
        out.stockouts = {p: sorted(days) for p, days in sorted(self.stockout_days.items())}
        out.waitlist = {
            str(status): int(count)
            for status, count in await sql.fetch(
                "SELECT status, COUNT(*) FROM waitlist_entry GROUP BY status ORDER BY status"
            )
        }
        out.delay_notices, out.late_notices = await consent.notice_counts()
        out.lost_orders = dict(sorted(out.lost_orders.items()))
        out.lost_units = dict(sorted(out.lost_units.items()))

    async def read_insights(self) -> None:
        """Keep what ``backorderInsights`` says of the season, as staff would read it on
        the season's last day (one read; a season longer than one request may cover is
        left unread)."""
        if self.scenario.days > MAX_RANGE_DAYS:
            return
        seen = await backorder_insights(
            start=self.scenario.start,
            end=self.scenario.day_date(self.scenario.days - 1),
            deps=self.deps,
        )
        f = seen.figures
        self.outcome.insights = {
            "opened": f.opened,
            "filled": f.filled,
            "cancelled": f.cancelled,
            "backordered_units": f.backordered_units,
            "waitlist_joined": f.waitlist_joined,
            "waitlist_converted": f.waitlist_converted,
            "promises_due": f.promises_due,
            "promises_kept": f.promises_kept,
            "refused_orders": f.refused_orders,
            "refused_units": f.refused_units,
        }


def _as_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def _approve(switch_id: int, deps: Deps) -> tuple[SupplierSwitch, PurchaseOrder]:
    from bobot.services.switches import approve_supplier_switch

    return await approve_supplier_switch(
        switch_id=switch_id, cancel_late_po=True, actor=STAFF, deps=deps
    )


async def run_policy(
    scenario: Scenario,
    policy: Policy,
    *,
    template: Path,
    workdir: Path,
    check_every: int | None = None,
    settings: Settings | None = None,
) -> Outcome:
    """Run one policy's season on a copy of the migrated ``template`` database."""
    path = workdir / f"policy-{policy.value}.sqlite3"
    shutil.copyfile(template, path)
    url = f"sqlite://{path}?synchronous=OFF"
    chosen = replace(settings, database_url=url) if settings else settings_for(policy, url)
    ctx = TortoiseContext()
    with ctx:
        config = tortoise_config(url)
        config["connections"]["default"]["engine"] = "bobot.simulation.engine"
        await Tortoise.init(config=config)
        try:
            return await Season(scenario, policy, chosen).run(check_every=check_every)
        finally:
            await ctx.close_connections()
