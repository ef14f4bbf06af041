"""Demo data: a small store with a story to explore, written only through the services.

The story starts ``DAYS`` days before the present on a clock of its own and moves that clock
forward as it unfolds, so orders, receipts and events are spread over those days and the
history reads as it would in real life. It ends at the present.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypedDict

from bobot import models
from bobot.clock import ManualClock
from bobot.domain.availability import Policy
from bobot.domain.ordering import LineRequest, ShipPreference
from bobot.services import backorders, catalog, orders, purchasing, stock, waitlist
from bobot.services.context import Actor, Deps

ACTOR = Actor("system", "demo", "cli")
DAYS = 10  # the story starts this many days before the present

SUPPLIERS = {  # code: name, email, usual lead time (days), unit cost as a share of the price
    "A": ("Acme Wholesale", "orders@acme-wholesale.example.com", 21, "0.45"),
    "N": ("Northwind Trading", "sales@northwind.example.com", 12, "0.55"),
    "R": ("Rapid Parts", "rush@rapidparts.example.com", 5, "0.68"),
}

CATALOG = {  # sku, name, price, units on hand at the start, supplier offers in rank order
    "Coffee gear": [
        ("KETTLE-01", "Gooseneck Pour-Over Kettle", "69.00", 3, "NAR"),
        ("GRINDER-01", "Conical Burr Grinder", "149.00", 0, "NA"),
        ("GRINDER-02", "Hand Grinder Pro", "89.00", 6, "AN"),
        ("ESPRESSO-01", "Lever Espresso Machine", "1290.00", 0, "NA"),
        ("DRIPPER-01", "Ceramic Pour-Over Dripper", "29.00", 25, "ANR"),
        ("SCALE-01", "Brew Scale with Timer", "49.00", 14, "AR"),
        ("FRENCH-01", "French Press 1 L", "39.00", 18, "AN"),
        ("FILTER-01", "Paper Filters (100)", "8.50", 120, "ANR"),
    ],
    "Bikes": [
        ("HELMET-01", "Commuter Helmet", "79.00", 0, "AN"),
        ("LIGHT-01", "USB Bike Light Set", "45.00", 0, "NR"),
        ("LOCK-01", "U-Lock with Cable", "59.00", 10, "ANR"),
        ("PUMP-01", "Floor Pump", "39.00", 8, "AN"),
        ("PANNIER-01", "Waterproof Pannier", "95.00", 0, "AN"),
        ("TUBE-01", "Inner Tube 700x28", "9.00", 60, "AR"),
        ("SADDLE-01", "Touring Saddle", "65.00", 7, "NAR"),
        ("FRAMEBAG-01", "Frame Bag", "55.00", 0, "RN"),
    ],
    "Kitchen": [
        ("KNIFE-01", "Chef's Knife 20 cm", "120.00", 9, "NA"),
        ("PAN-01", "Cast Iron Skillet 28 cm", "49.00", 16, "AN"),
        ("DUTCH-01", "Enamel Dutch Oven 5 L", "189.00", 0, "AN"),
        ("BOARD-01", "End-Grain Cutting Board", "85.00", 2, "ANR"),
        ("MIXER-01", "Stand Mixer", "399.00", 0, "AN"),
        ("THERMO-01", "Instant-Read Thermometer", "29.00", 30, "RA"),
        ("PEELER-01", "Y-Peeler", "12.00", 40, "AN"),
        ("TOWEL-01", "Linen Tea Towels (3)", "24.00", 22, "ANR"),
    ],
    "Outdoor": [
        ("TENT-01", "2-Person Backpacking Tent", "349.00", 0, "NA"),
        ("SLEEP-01", "Down Sleeping Bag 0 C", "279.00", 0, "RN"),
        ("STOVE-01", "Canister Camping Stove", "59.00", 4, "NAR"),
        ("LANTERN-01", "Rechargeable Lantern", "35.00", 15, "AR"),
        ("BOTTLE-01", "Insulated Bottle 750 ml", "32.00", 35, "ANR"),
        ("CHAIR-01", "Folding Camp Chair", "69.00", 12, "AN"),
        ("PACK-01", "Daypack 28 L", "110.00", 8, "NAR"),
        ("HAMMOCK-01", "Ultralight Hammock", "75.00", 2, "AN"),
    ],
}

# Every other product takes unlimited backorders. (policy, limit, backorders end in N days)
TERMS = {
    "ESPRESSO-01": (Policy.DENY, None, None),  # discontinued: not taking backorders
    "HAMMOCK-01": (Policy.DENY, None, None),  # clearance: the last units, then gone
    "DUTCH-01": (Policy.ALLOW, 20, None),  # the maker allots 20: 18 get backordered
    "LIGHT-01": (Policy.ALLOW, None, 3),  # seasonal: backorders close in 3 days
}

# supplier, expected (days from the present; negative is past), lines. Ordered on day 0.
PURCHASE_ORDERS = [
    ("A", -7, {"HELMET-01": 12, "PANNIER-01": 8}),  # 0: late, was due a week ago
    ("R", -6, {"SLEEP-01": 6}),  # 1: arrives in full on day 4
    ("R", 3, {"FRAMEBAG-01": 20}),  # 2: 8 units arrive early on day 7
    ("N", 9, {"KETTLE-01": 24, "GRINDER-01": 10, "LIGHT-01": 15}),
    ("N", 14, {"TENT-01": 10, "STOVE-01": 12, "SLEEP-01": 8}),
    ("A", 21, {"DUTCH-01": 30, "BOARD-01": 15}),
    ("A", 28, {"MIXER-01": 4}),  # covers 4 of the 5 mixers that get backordered
]

_NAMES = (
    "Ana Silva, Ben Okafor, Chloe Martin, David Cohen, Emma Schmidt, Farah Haddad, George Li, "
    "Hana Sato, Ivan Petrov, Julia Rossi, Kofi Mensah, Laura Garcia, Mateo Fernandez, "
    "Nora Jensen, Omar Khalil"
)
CUSTOMERS = {name.split()[0].lower(): name for name in _NAMES.split(", ")}  # "ana": "Ana Silva"

STORY = [  # day, step, arguments (customers by first name, lines as "SKU:quantity ...")
    (0.4, "order", "ana", "KETTLE-01:2 FILTER-01:2"),
    (0.6, "order", "ben", "SLEEP-01:3"),
    (0.8, "order", "chloe", "HELMET-01:1 TUBE-01:2"),  # tubes ship now, the helmet waits
    (1.2, "order", "david", "DUTCH-01:5"),
    (1.5, "order", "emma", "KETTLE-01:3 SCALE-01:1"),  # the last kettle ships, 2 wait
    (1.9, "order", "farah", "SLEEP-01:2"),
    (2.3, "order", "george", "TENT-01:1 STOVE-01:1 LANTERN-01:2", True),  # ship together
    (2.6, "order", "hana", "SLEEP-01:4"),
    (2.9, "order", "ivan", "DUTCH-01:4"),
    (3.3, "order", "julia", "HELMET-01:2 LOCK-01:1"),
    (3.6, "order", "kofi", "FRAMEBAG-01:4"),
    (4.1, "receive", 1),  # sleeping bags: Ben's and Farah's filled, Hana's 1 of 4
    (4.4, "cancel", "farah", "SLEEP-01", None),  # her 2 bags go to Hana (3 of 4)
    (4.6, "order", "laura", "FRAMEBAG-01:6 PUMP-01:1"),
    (5.2, "order", "mateo", "DUTCH-01:3 KNIFE-01:1"),
    (5.6, "order", "nora", "GRINDER-01:1"),
    (5.9, "order", "omar", "FRAMEBAG-01:5"),
    (6.5, "order", "ana", "MIXER-01:2"),
    (6.8, "order", "ben", "BOARD-01:3"),  # 2 in stock, 1 waits
    (7.0, "receive", 2, "FRAMEBAG-01", 8),  # Kofi's 4 filled, Laura's 4 of 6
    (7.3, "order", "chloe", "DUTCH-01:6"),  # 18 of 20 backorders taken
    (7.6, "order", "david", "HAMMOCK-01:2"),  # the last hammocks
    (7.8, "waitlist", "ivan", "ESPRESSO-01"),
    (8.2, "waitlist", "julia", "ESPRESSO-01"),
    (8.3, "order", "emma", "PANNIER-01:2"),
    (8.5, "waitlist", "laura", "HAMMOCK-01"),
    (8.6, "order", "farah", "MIXER-01:3"),  # only 4 mixers are on order: 1 is uncovered
    (8.8, "waitlist", "kofi", "ESPRESSO-01"),
    (9.0, "order", "george", "LIGHT-01:1"),
    (9.1, "waitlist", "mateo", "HAMMOCK-01"),
    (9.3, "order", "hana", "TENT-01:1"),
    (9.4, "waitlist", "nora", "ESPRESSO-01"),
    (9.5, "cancel", "omar", "FRAMEBAG-01", 2),  # Omar now needs only 3
    (9.7, "waitlist", "omar", "HAMMOCK-01"),
    (9.8, "waitlist", "ana", "ESPRESSO-01"),
    (9.9, "offer", "R", "HELMET-01", 3),  # Acme is late: a backup supplier is lined up,
    (9.9, "offer", "R", "PANNIER-01", 3),  # dates are recomputed and slip past promises
]
# Everyday orders of what is on the shelf; the warehouse ships what is ready once a day.
FILLER_SKUS = [row[0] for rows in CATALOG.values() for row in rows if row[3] >= 8]
FILLER_ORDERS = 18


@dataclass(frozen=True)
class DemoSummary:
    products: int
    suppliers: int
    purchase_orders: int
    orders: int
    backorders: int  # not cancelled
    waitlist_entries: int
    shipments_shipped: int


async def is_empty() -> bool:
    """True when no product exists yet (the demo only loads into an empty database)."""
    return not await models.Product.exists()


async def load_demo(*, deps: Deps) -> DemoSummary:
    """Fill an empty database with the demo store (the caller checks :func:`is_empty`)."""
    story = _Story(deps)
    await story.setup()
    for day, step, *args in story.timeline():
        story.clock.set(story.start + timedelta(days=day))
        await getattr(story, step)(*args)
    story.clock.set(story.present)
    cancelled = models.BackorderStatus.CANCELLED
    return DemoSummary(
        products=await models.Product.all().count(),
        suppliers=await models.Supplier.all().count(),
        purchase_orders=await models.PurchaseOrder.all().count(),
        orders=await models.Order.all().count(),
        backorders=await models.Backorder.exclude(status=cancelled).count(),
        waitlist_entries=await models.WaitlistEntry.all().count(),
        shipments_shipped=await models.Shipment.filter(
            status=models.ShipmentStatus.SHIPPED
        ).count(),
    )


class _By(TypedDict):
    actor: Actor
    deps: Deps


def _email(who: str) -> str:
    return CUSTOMERS[who].lower().replace(" ", ".") + "@example.com"  # ana.silva@example.com


def _lines(text: str) -> list[LineRequest]:
    return [LineRequest(sku, int(qty)) for sku, qty in (part.split(":") for part in text.split())]


class _Story:
    """Each step of the timeline is a method, run with the clock set to the step's day."""

    def __init__(self, deps: Deps) -> None:
        self.present = deps.clock.now()
        self.start = self.present - timedelta(days=DAYS)
        self.clock = ManualClock(self.start)
        self.kw = _By(actor=ACTOR, deps=Deps(settings=deps.settings, clock=self.clock))
        self.rng = random.Random(42)
        self.suppliers: dict[str, int] = {}
        self.costs: dict[tuple[str, str], Decimal] = {}
        self.pos: list[models.PurchaseOrder] = []

    async def setup(self) -> None:
        for code, (name, email, _, _) in SUPPLIERS.items():
            supplier, _ = await catalog.upsert_supplier(name=name, email=email, **self.kw)
            self.suppliers[code] = supplier.id
        for category, rows in CATALOG.items():
            for sku, name, price, on_hand, offers in rows:
                await catalog.upsert_product(
                    sku=sku, name=name, category=category, price=Decimal(price), **self.kw
                )
                policy, limit, ends_in = TERMS.get(sku, (Policy.ALLOW, None, None))
                ends_at = self.present + timedelta(days=ends_in) if ends_in else None
                await catalog.set_backorder_policy(
                    sku=sku, policy=policy, limit=limit, ends_at=ends_at, **self.kw
                )
                for rank, code in enumerate(offers, start=1):
                    await self.offer(code, sku, rank)
                if on_hand:  # an initial stock count, not a purchase order
                    await stock.receive_stock(
                        sku=sku, quantity=on_hand, purchase_order_id=None, **self.kw
                    )
        self.clock.set(self.start + timedelta(hours=2))
        for code, due_in, lines in PURCHASE_ORDERS:
            po = await purchasing.create_purchase_order(
                supplier_id=self.suppliers[code],
                expected_date=(self.present + timedelta(days=due_in)).date(),
                lines=[purchasing.PoLineInput(s, q, self.costs[code, s]) for s, q in lines.items()],
                **self.kw,
            )
            self.pos.append(po)

    async def offer(self, code: str, sku: str, rank: int) -> None:
        _, _, lead, share = SUPPLIERS[code]
        price = (await models.Product.get(sku=sku)).price
        cost = price * Decimal(share) * Decimal(self.rng.randint(95, 105)) / 100
        self.costs[code, sku] = cost.quantize(Decimal("0.01"))
        await catalog.set_supplier_offer(
            supplier_id=self.suppliers[code],
            sku=sku,
            unit_cost=self.costs[code, sku],
            lead_time_days=lead + self.rng.randint(-2, 2),
            rank=rank,
            **self.kw,
        )

    async def order(self, who: str, lines: str, together: bool = False) -> None:
        preference = ShipPreference.SHIP_TOGETHER if together else ShipPreference.SHIP_AVAILABLE_NOW
        await orders.place_order(
            customer=orders.Customer(_email(who), CUSTOMERS[who]),
            lines=_lines(lines),
            ship_preference=preference,
            idempotency_key=None,
            **self.kw,
        )

    async def filler(self, who: str, lines: str) -> None:
        """An everyday order: takes only what is on the shelf, keeping a couple of units back."""
        wanted = _lines(lines)
        skus = [w.sku for w in wanted]
        shelf = dict(await models.Product.filter(sku__in=skus).values_list("sku", "available"))
        kept = " ".join(f"{w.sku}:{w.quantity}" for w in wanted if shelf[w.sku] >= w.quantity + 2)
        if kept:
            await self.order(who, kept)

    async def receive(self, index: int, sku: str | None = None, quantity: int = 0) -> None:
        """Receive a purchase order in full, or ``quantity`` units of one of its lines."""
        po_id = self.pos[index].id
        if sku is None:
            await stock.receive_purchase_order(purchase_order_id=po_id, **self.kw)
        else:
            await stock.receive_stock(
                sku=sku, quantity=quantity, purchase_order_id=po_id, **self.kw
            )

    async def cancel(self, who: str, sku: str, quantity: int | None) -> None:
        backorder = await models.Backorder.get(sku=sku, order__customer_email=_email(who))
        reason = "Customer no longer needs it" if quantity is None else "Customer needs fewer"
        await backorders.cancel_backorder(
            backorder_id=backorder.id, quantity=quantity, reason=reason, **self.kw
        )

    async def waitlist(self, who: str, sku: str) -> None:
        await waitlist.join_waitlist(sku=sku, email=_email(who), quantity=1, **self.kw)

    async def ship(self) -> None:
        """The warehouse's daily run: ship what has been ready for a while."""
        ready = models.Shipment.filter(
            status=models.ShipmentStatus.READY, created_at__lte=self.clock.now() - timedelta(days=1)
        )
        for shipment in await ready.order_by("id"):
            await stock.mark_shipment_shipped(shipment_id=shipment.id, **self.kw)

    def timeline(self) -> list[tuple[Any, ...]]:
        steps: list[tuple[Any, ...]] = [
            *STORY,
            *((day + 0.75, "ship") for day in range(1, DAYS)),
        ]
        for _ in range(FILLER_ORDERS):
            skus = self.rng.sample(FILLER_SKUS, self.rng.randint(1, 3))
            lines = " ".join(f"{sku}:{self.rng.randint(1, 2)}" for sku in skus)
            who = self.rng.choice(sorted(CUSTOMERS))
            steps.append((round(self.rng.uniform(0.3, 9.9), 2), "filler", who, lines))
        return sorted(steps, key=lambda step: step[0])
