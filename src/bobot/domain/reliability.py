"""How far a supplier's dates can be trusted, learned from its deliveries.

A *delivery* is a purchase order's first receipt. Its *delay* is counted in the shop's ship
days (:mod:`bobot.domain.calendar`): the ship days from the date the supplier gave (the
purchase order's expected date when it was created) up to, not including, the day the units
arrived. That is exactly how many ship days later a parcel waiting for those units can leave,
so a delay adds straight onto a ship date, like the fixed ``BOBOT_PROMISE_MARGIN_DAYS``. An
order that arrives early or on its date has a delay of 0: being early earns no credit.

A supplier's history is its delays as a histogram (ship days late -> deliveries). The promise
margin is the delay at a quantile ``q`` (0.9 by default) of a *blended* distribution that
shrinks a short history towards a prior. With ``n`` deliveries and a prior worth ``k``
pseudo-deliveries (:data:`PRIOR_WEIGHT`, 10), the blended share of deliveries at most ``d``
ship days late is::

    F(d) = (n * F_own(d) + k * F_prior(d)) / (n + k)

and the margin is the smallest ``d >= 0`` with ``F(d) >= q``. A new supplier (``n = 0``) gets
the prior's margin; after a few deliveries its own record counts as much as the prior; after
many, its own quantile dominates. So a new supplier is neither trusted blindly (margin 0) nor
punished (a worst-case margin). The blended quantile always lies between the supplier's own
quantile and the prior's.

The prior is built the same way one level up: the shop's deliveries from the *other*
suppliers (a supplier's own deliveries are not counted twice), shrunk towards a point mass
at the configured ``BOBOT_PROMISE_MARGIN_DAYS``. Before any delivery is recorded, learned
margins therefore promise exactly what the fixed margin promises; a supplier without
deliveries gets the whole shop's margin.

The margin is never negative: a promise is never earlier than the expected date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bobot.domain.calendar import ShopCalendar

#: How many deliveries a prior counts for when it is blended with a history. At the 0.9
#: quantile, one bad delivery among ``k`` pseudo-deliveries moves the margin only when
#: ``1 / (1 + k) > 1 - 0.9``, so ``k = 10`` keeps a single accident from condemning a new
#: supplier, while a record of ten deliveries weighs as much as the shop's.
PRIOR_WEIGHT = 10

#: The quantile staff see as the "90th-percentile delay".
P90 = 0.9

_EPSILON = 1e-9  # the CDF is a sum of floats; a share exactly at q counts as reaching it

#: Ship days late -> number of deliveries.
Delays = Mapping[int, int]


def ship_days_late(expected: date, received: date, calendar: ShopCalendar) -> int:
    """The delay of a delivery due on ``expected`` and received on ``received``: the shop's
    ship days from ``expected`` up to (not including) ``received``; 0 when on time or early."""
    if received <= expected:
        return 0
    days = (received - expected).days
    if calendar.ship_days == frozenset(range(7)) and not calendar.holidays:
        return days
    return sum(
        1 for offset in range(days) if calendar.is_ship_day(expected + timedelta(days=offset))
    )


def _checked(delays: Delays) -> dict[int, int]:
    for delay, count in delays.items():
        if delay < 0 or count < 0:
            raise ValueError("delays and delivery counts cannot be negative")
    return {delay: count for delay, count in delays.items() if count}


@dataclass(frozen=True)
class Belief:
    """A distribution of delays: a history (``own``) blended with a prior worth ``weight``
    deliveries. The prior is another belief, or a point mass at ``base`` days when
    ``prior`` is None."""

    own: Delays
    prior: Belief | None = None
    base: int = 0
    weight: int = PRIOR_WEIGHT
    _size: int = field(init=False, repr=False, compare=False)
    _cdf: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.base < 0 or self.weight < 0:
            raise ValueError("a prior's margin and weight cannot be negative")
        own = _checked(self.own)
        n, k = sum(own.values()), self.weight
        prior_cdf = self.prior._cdf if self.prior is not None else ()
        top = max([self.base if self.prior is None else len(prior_cdf) - 1, *own])
        # The blended share within d days, for d = 0 .. top (1 from there on).
        cdf = []
        running = 0
        for days in range(top + 1):
            running += own.get(days, 0)
            if self.prior is None:
                prior_share = 1.0 if days >= self.base else 0.0
            else:
                prior_share = prior_cdf[min(days, len(prior_cdf) - 1)]
            cdf.append(prior_share if n + k == 0 else (running + k * prior_share) / (n + k))
        object.__setattr__(self, "_size", n)
        object.__setattr__(self, "_cdf", tuple(cdf))

    @property
    def sample_size(self) -> int:
        return self._size

    def share_within(self, days: int) -> float:
        """The blended share of deliveries at most ``days`` ship days late."""
        if days < 0:
            return 0.0
        return self._cdf[min(days, len(self._cdf) - 1)]

    def largest(self) -> int:
        """A delay at which every share is 1."""
        return len(self._cdf) - 1

    def quantile(self, q: float) -> int:
        """The smallest delay (>= 0) within which a share ``q`` of deliveries arrive."""
        if not 0 < q < 1:
            raise ValueError("a quantile is between 0 and 1 (exclusive)")
        for days, share in enumerate(self._cdf):
            if share >= q - _EPSILON:
                return days
        return self.largest()

    def quantile_beyond(self, q: float, late: int) -> int | None:
        """The smallest delay (>= ``late``) within which a share ``q`` of the deliveries
        at least ``late`` ship days late arrive: how late an order already ``late`` days
        late will be, at that quantile. None when no delivery of this belief is that late
        (it says nothing about such an order)."""
        if not 0 < q < 1:
            raise ValueError("a quantile is between 0 and 1 (exclusive)")
        if late <= 0:
            return self.quantile(q)
        below = self.share_within(late - 1)
        rest = 1.0 - below
        if rest <= _EPSILON:
            return None
        for days in range(late, len(self._cdf)):
            if (self._cdf[days] - below) / rest >= q - _EPSILON:
                return days
        return self.largest()


def shop_prior(shop: Delays, *, fixed_margin: int, weight: int = PRIOR_WEIGHT) -> Belief:
    """The shop-wide prior: every delivery of every supplier, shrunk towards the configured
    fixed margin."""
    return Belief(shop, None, base=max(fixed_margin, 0), weight=weight)


def without(shop: Delays, own: Delays) -> dict[int, int]:
    """The shop's delays less one supplier's (the prior that supplier is shrunk towards)."""
    return {d: c - own.get(d, 0) for d, c in shop.items() if c - own.get(d, 0) > 0}


def own_quantile(delays: Delays, q: float) -> int | None:
    """The delay at quantile ``q`` of a history alone (None without deliveries)."""
    if not sum(_checked(delays).values()):
        return None
    return Belief(delays, weight=0).quantile(q)


@dataclass(frozen=True, slots=True)
class Reliability:
    """What staff see of a supplier, and the margin its dates are promised with.

    ``on_time_rate``, ``mean_delay_days`` and ``p90_delay_days`` are its own record (None
    before its first delivery); ``margin_days`` is the blended quantile (never negative)."""

    sample_size: int
    on_time_rate: float | None
    mean_delay_days: float | None
    p90_delay_days: int | None
    margin_days: int


def margin(delays: Delays, prior: Belief, *, quantile: float, weight: int = PRIOR_WEIGHT) -> int:
    """A supplier's promise margin: the blended quantile of its delays (never negative)."""
    return Belief(delays, prior, weight=weight).quantile(quantile)


def reliability(
    delays: Delays, prior: Belief, *, quantile: float, weight: int = PRIOR_WEIGHT
) -> Reliability:
    """A supplier's record and promise margin from its delays, shrunk towards ``prior``."""
    belief = Belief(delays, prior, weight=weight)
    n = belief.sample_size
    margin = belief.quantile(quantile)
    if n == 0:
        return Reliability(0, None, None, None, margin)
    own = _checked(delays)
    return Reliability(
        sample_size=n,
        on_time_rate=own.get(0, 0) / n,
        mean_delay_days=sum(d * c for d, c in own.items()) / n,
        p90_delay_days=own_quantile(own, P90),
        margin_days=margin,
    )


@dataclass(frozen=True, slots=True)
class Margins:
    """Promise margins (ship days) by supplier; ``default`` for a supplier without one (or
    no known supplier): the shop-wide prior's, or the fixed margin.

    With learned margins, the beliefs they come from (``beliefs`` by supplier,
    ``default_belief`` for any other) and their ``quantile`` are kept too, so that a
    purchase order already late is promised from what its supplier's late deliveries did
    (:meth:`after_late`), not from its deliveries as a whole, most of them on time."""

    default: int
    by_supplier: Mapping[int, int] = field(default_factory=dict)
    beliefs: Mapping[int, Belief] = field(default_factory=dict)
    default_belief: Belief | None = None
    quantile: float = P90

    def of(self, supplier_id: int | None) -> int:
        if supplier_id is None:
            return self.default
        return self.by_supplier.get(supplier_id, self.default)

    def after_late(self, supplier_id: int | None, late_days: int, projected_days: int) -> int:
        """The margin (ship days) past the projected arrival of a purchase order already
        ``late_days`` late, projected to arrive ``projected_days`` after its date: the
        supplier's delay at the quantile among deliveries at least that late, less the
        projection (never negative). Without beliefs (fixed margins), or when none of its
        deliveries was ever that late, the supplier's margin as for any order."""
        belief = self.beliefs.get(supplier_id) if supplier_id is not None else None
        if belief is None:
            belief = self.default_belief
        if belief is None:
            return self.of(supplier_id)
        delay = belief.quantile_beyond(self.quantile, late_days)
        if delay is None:
            return self.of(supplier_id)
        return max(delay - projected_days, 0)


def reliable_arrival(nominal: date, delay_days: int, calendar: ShopCalendar) -> date:
    """When an offer's units can be counted on: its nominal arrival, plus the supplier's
    learned delay in ship days."""
    if delay_days <= 0:
        return nominal
    return calendar.add_ship_days(nominal, delay_days)
