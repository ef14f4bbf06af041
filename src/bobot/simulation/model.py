"""The simulated world: products, suppliers, daily demand and customers (pure, no I/O).

Everything random is drawn from one ``random.Random(seed)`` when the scenario is built, so
every policy of a run meets the same customers, the same demand and the same supplier
behaviour (common random numbers): the policies differ by what they do with it, never by
luck. Purchase-order outcomes are drawn per product as a stream (the product's first
purchase order takes the first draw, its second the second, ...), so two policies that
order differently still meet the same supplier luck order for order.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

#: The first simulated day: the season runs through the summer into back-to-school.
SEASON_START = date(2027, 3, 1)


class Category(str, Enum):
    SWIMWEAR = "swimwear"
    STATIONERY = "stationery"
    HOUSEWARES = "housewares"


@dataclass(frozen=True, slots=True)
class Supplier:
    name: str
    lead_days: int  # nominal lead time (what the offer says)
    late_probability: float  # share of its purchase orders that arrive late
    mean_delay_days: float  # mean delay of a late purchase order
    short_probability: float  # share of deliveries that come short


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    category: Category
    base_rate: float  # orders a day outside the season
    primary: int  # index of the preferred supplier (rank 1)
    alternative: int  # index of the faster, dearer one (rank 2)
    alternative_lead_days: int
    takes_backorders: bool
    initial_stock: int
    safety_stock: int


@dataclass(frozen=True, slots=True)
class Customer:
    """One customer's wish to buy, and how they behave later."""

    number: int
    day: int
    product: int  # index into Scenario.products
    quantity: int
    max_wait_days: int  # walks away when the date quoted is further off than this
    patience_days: int  # cancels once a delay goes this far past what they accepted
    answers_notices: bool  # replies to a delay notice that asks for consent
    joins_waitlist: bool  # joins the waitlist when the product cannot be bought
    claims_invitation: bool  # places the order when a waitlist invitation comes

    @property
    def email(self) -> str:
        return f"customer{self.number}@sim.example"


@dataclass(frozen=True, slots=True)
class Delivery:
    """What happens to one purchase order: how late it is, whether the supplier says so
    beforehand, and whether it comes short (the rest following later)."""

    late_draw: float
    delay_draw: float
    announce_draw: float
    announce_days: int  # days before the expected date the supplier announces a delay
    short_draw: float
    short_fraction: float  # of the quantity, in the first (short) delivery
    rest_after_days: int  # days after the short delivery that the rest arrives

    def delay_days(self, supplier: Supplier) -> int:
        """0 when on time, else at least a day, exponentially distributed, at most 45."""
        if self.late_draw >= supplier.late_probability:
            return 0
        return min(45, 1 + int(-math.log(1.0 - self.delay_draw) * supplier.mean_delay_days))

    def announced(self) -> bool:
        return self.announce_draw < 0.5

    def is_short(self, supplier: Supplier) -> bool:
        return self.short_draw < supplier.short_probability


@dataclass
class Scenario:
    days: int
    seed: int
    late_share: float
    start: date
    suppliers: list[Supplier]
    products: list[Product]
    demand: list[list[Customer]]  # per day
    _po_rngs: list[random.Random] = field(repr=False)
    _po_draws: list[list[Delivery]] = field(repr=False)

    def delivery(self, product: int, k: int) -> Delivery:
        """The ``k``-th purchase order of ``product`` (0-based): the same in every policy."""
        draws = self._po_draws[product]
        while len(draws) <= k:
            draws.append(_draw_delivery(self._po_rngs[product]))
        return draws[k]

    def day_date(self, day: int) -> date:
        return self.start + timedelta(days=day)


def seasonality(category: Category, day_of_year: int) -> float:
    """Demand multiplier: a summer peak for swimwear (early July), a back-to-school peak
    for stationery (mid-August), flat otherwise."""
    if category is Category.SWIMWEAR:
        return 0.6 + 3.0 * math.exp(-(((day_of_year - 185) / 28) ** 2))
    if category is Category.STATIONERY:
        return 0.8 + 3.5 * math.exp(-(((day_of_year - 228) / 12) ** 2))
    return 1.0


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _draw_delivery(rng: random.Random) -> Delivery:
    return Delivery(
        late_draw=rng.random(),
        delay_draw=rng.random(),
        announce_draw=rng.random(),
        announce_days=rng.randint(1, 5),
        short_draw=rng.random(),
        short_fraction=rng.uniform(0.4, 0.9),
        rest_after_days=rng.randint(5, 14),
    )


def _suppliers(rng: random.Random, count: int, late_share: float) -> list[Supplier]:
    suppliers = []
    for n in range(count):
        # Reliability varies around the shop-wide late share: some suppliers are much
        # better than others, and the mean share stays ``late_share``.
        factor = (0.25, 0.6, 1.0, 1.4, 1.75)[n % 5]
        suppliers.append(
            Supplier(
                name=f"Supplier {n + 1:02d}",
                lead_days=rng.choice((7, 10, 14, 14, 21, 21, 28)),
                late_probability=min(0.95, late_share * factor),
                mean_delay_days=rng.uniform(2.0, 9.0),
                short_probability=rng.uniform(0.02, 0.08),
            )
        )
    return suppliers


def build_scenario(
    *, days: int = 180, products: int = 200, seed: int = 1, late_share: float = 0.2
) -> Scenario:
    if days < 1 or products < 1:
        raise ValueError("a season needs at least one day and one product")
    if not 0.0 <= late_share <= 1.0:
        raise ValueError(f"late_share is a share between 0 and 1, got {late_share}")
    rng = random.Random(seed)
    suppliers = _suppliers(rng, max(5, products // 20), late_share)
    catalog: list[Product] = []
    for n in range(products):
        draw = rng.random()
        category = (
            Category.SWIMWEAR
            if draw < 0.2
            else Category.STATIONERY
            if draw < 0.4
            else Category.HOUSEWARES
        )
        rate = rng.lognormvariate(math.log(0.45), 0.6)
        primary = rng.randrange(len(suppliers))
        alternative = (primary + 1 + rng.randrange(len(suppliers) - 1)) % len(suppliers)
        lead = suppliers[primary].lead_days
        catalog.append(
            Product(
                sku=f"{category.value[:4].upper()}-{n + 1:04d}",
                category=category,
                base_rate=rate,
                primary=primary,
                alternative=alternative,
                alternative_lead_days=max(3, lead // 2),
                takes_backorders=rng.random() < 0.85,
                # Somewhere in its reorder cycle: some products start nearly empty.
                initial_stock=math.ceil(rate * 1.7 * (lead + 14) * rng.uniform(0.1, 1.0)),
                safety_stock=math.ceil(rate * 1.7 * 5),
            )
        )
    start = SEASON_START
    demand: list[list[Customer]] = []
    number = 0
    for day in range(days):
        today: list[Customer] = []
        doy = (start + timedelta(days=day)).timetuple().tm_yday
        for index, product in enumerate(catalog):
            noise = rng.lognormvariate(0.0, 0.35)
            mean = product.base_rate * seasonality(product.category, doy) * noise
            for _ in range(_poisson(rng, mean)):
                number += 1
                quantity_draw = rng.random()
                today.append(
                    Customer(
                        number=number,
                        day=day,
                        product=index,
                        quantity=1 if quantity_draw < 0.7 else 2 if quantity_draw < 0.9 else 3,
                        max_wait_days=10 + int(rng.expovariate(1 / 25)),
                        patience_days=2 + int(rng.expovariate(1 / 12)),
                        answers_notices=rng.random() < 0.95,
                        joins_waitlist=rng.random() < 0.6,
                        claims_invitation=rng.random() < 0.8,
                    )
                )
        demand.append(today)
    po_rngs = [random.Random(rng.getrandbits(64)) for _ in catalog]
    return Scenario(
        days=days,
        seed=seed,
        late_share=late_share,
        start=start,
        suppliers=suppliers,
        products=catalog,
        demand=demand,
        _po_rngs=po_rngs,
        _po_draws=[[] for _ in catalog],
    )
