"""Demand: a weekly forecast per product, the stock it calls for, and when cover runs out.

Pure rules over plain numbers (no I/O); the services read the weekly history
(:mod:`bobot.services.demand`).

- **Forecast.** Weekly units ordered (from stock and backordered alike). With at least a
  year of weeks: Holt-Winters exponential smoothing with an additive yearly season
  (statsmodels); with fewer, Holt's damped trend (10 weeks or more) or simple exponential
  smoothing; under 4 weeks, the mean. Forecasts are never negative.
- **Cheap where it costs nothing.** A flat history (no trend, no season, no run of weeks
  alike: what a model with a trend or a season would only fit noise in) gets simple
  exponential smoothing, computed here with numpy (least squares over a grid of smoothing
  factors) rather than fitted by statsmodels; a history under a year whose last
  :data:`QUIET_WEEKS` weeks had no order is QUIET: no demand ahead, nothing fitted. Only
  products with recent demand and a shape get a model fitted.
- **Error.** The model is fitted again without its last weeks (a whole season with two
  years of history or more, else :data:`HOLDOUT_WEEKS`) and its forecast of them compared
  with what was ordered (mean absolute error), beside a naive forecast made at the same
  point: "the same as the last week seen", every week.
- **Safety stock** ``z(service level) * sigma * sqrt(lead weeks)``, sigma the standard
  deviation of the model's one-week errors; **reorder point** = forecast demand over the
  lead time + safety stock.
- **Peak.** A product is heading into its peak when the highest week forecast for the
  next N weeks is at least :data:`PEAK_FACTOR` times its average week and above its last
  four weeks.
- **Cover.** Stock position = available - backordered, plus purchase orders as they are
  expected, minus forecast demand week by week: cover runs out on the day the position
  falls below the safety stock. The reorder date is that day less the lead time (today at
  the earliest); the quantity is what keeps the position above the safety stock through
  the outlook.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np

SEASON_WEEKS = 52
HOLDOUT_WEEKS = 13
PEAK_FACTOR = 1.3
#: Weeks without an order after which a history under a year is not fitted a model.
QUIET_WEEKS = 8
#: Changes when the rules would forecast the same history differently (stored ones go stale).
RULES_VERSION = 2
#: The smoothing factors simple exponential smoothing chooses from.
ALPHAS = np.linspace(0.01, 1.0, 100)


@dataclass(frozen=True, slots=True)
class Forecast:
    method: str  # HOLT_WINTERS, HOLT, SIMPLE, MEAN or QUIET
    weeks: list[float]  # units per week, from the coming week on
    sigma: float  # standard deviation of the one-week errors
    heldout_weeks: int  # 0: too little history to hold any out
    error: float | None  # mean absolute error on the held-out weeks
    naive_error: float | None  # the same for "the same as last week"


def method_for(weeks: int) -> str:
    if weeks >= SEASON_WEEKS:
        return "HOLT_WINTERS"
    if weeks >= 10:
        return "HOLT"
    if weeks >= 4:
        return "SIMPLE"
    return "MEAN"


def _autocorrelation(y: np.ndarray, lag: int) -> float:
    centred = y - y.mean()
    total = float(centred @ centred)
    return float(centred[lag:] @ centred[:-lag]) / total if total else 0.0


def is_flat(history: Sequence[float]) -> bool:
    """No trend (the slope of a straight line is within two standard errors of none), no
    run of weeks alike (the one-week autocorrelation is within the two standard errors of
    white noise) and, with two years, no yearly season (the same for 52 weeks)."""
    y = np.asarray(history, dtype=float)
    n = len(y)
    if n < 4 or not y.std():
        return True
    bound = 2 / math.sqrt(n)
    if abs(_autocorrelation(y, 1)) >= bound:
        return False
    if n >= 2 * SEASON_WEEKS and _autocorrelation(y, SEASON_WEEKS) >= bound:
        return False
    t = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(t, y, 1)
    residuals = y - (slope * t + intercept)
    spread = math.sqrt(float(residuals @ residuals) / (n - 2)) / math.sqrt(
        float(((t - t.mean()) ** 2).sum())
    )
    return spread == 0 or abs(slope) < 2 * spread


def choose(history: Sequence[float]) -> str:
    """The method for ``history``: :func:`method_for` its length, but SIMPLE (no model to
    fit) for a flat one, and QUIET (no demand ahead, nothing fitted) for one under a year
    with no order in its last :data:`QUIET_WEEKS` weeks."""
    method = method_for(len(history))
    if QUIET_WEEKS <= len(history) < SEASON_WEEKS and not any(history[-QUIET_WEEKS:]):
        return "QUIET"
    if method in ("MEAN", "SIMPLE"):
        return method
    return "SIMPLE" if is_flat(history) else method


def simple_smoothing(history: Sequence[float], horizon: int) -> tuple[np.ndarray, float]:
    """Simple exponential smoothing (forecast, sigma of the one-week errors) fitted by least
    squares as statsmodels does, over the smoothing factors of :data:`ALPHAS` all at once:
    the one-week errors are linear in the initial level, whose best value for each factor
    has a closed form; the factor with the least squared errors is kept."""
    y = np.asarray(history, dtype=float)
    n = len(y)
    decay = 1 - ALPHAS
    level = np.zeros(len(ALPHAS))  # the level from an initial level of 0
    rest = np.empty((n, len(ALPHAS)))  # one-week errors from an initial level of 0
    for t, value in enumerate(y):
        rest[t] = value - level
        level = level + ALPHAS * rest[t]
    weights = decay[None, :] ** np.arange(n)[:, None]  # how the initial level carries on
    initial = (rest * weights).sum(axis=0) / (weights * weights).sum(axis=0)
    squared = ((rest - weights * initial) ** 2).sum(axis=0)
    best = int(np.argmin(squared))
    final = level[best] + decay[best] ** n * initial[best]
    return np.full(horizon, max(0.0, float(final))), math.sqrt(float(squared[best]) / n)


def _fit(
    history: Sequence[float], horizon: int, method: str | None = None, shortcuts: bool = True
) -> tuple[str, np.ndarray, float]:
    """(method, forecast of ``horizon`` weeks, sigma of one-week errors)."""
    y = np.asarray(history, dtype=float)
    method = method or (choose(history) if shortcuts else method_for(len(y)))
    if method == "MEAN":
        mean = float(y.mean()) if len(y) else 0.0
        return method, np.full(horizon, mean), float(y.std()) if len(y) > 1 else mean
    if method == "QUIET":
        return method, np.zeros(horizon), 0.0
    if method == "SIMPLE" and shortcuts:
        ahead, sigma = simple_smoothing(history, horizon)
        return method, ahead, sigma
    from statsmodels.tsa.holtwinters import ExponentialSmoothing, SimpleExpSmoothing

    with warnings.catch_warnings():
        # Short or flat series make the optimiser say so; the fit is still the best it has.
        warnings.simplefilter("ignore")
        if method == "HOLT_WINTERS":
            init = "estimated" if len(y) >= 2 * SEASON_WEEKS else "legacy-heuristic"
            fitted = ExponentialSmoothing(
                y,
                trend=None,
                seasonal="add",
                seasonal_periods=SEASON_WEEKS,
                initialization_method=init,
            ).fit()
        elif method == "HOLT":
            fitted = ExponentialSmoothing(
                y, trend="add", damped_trend=True, initialization_method="estimated"
            ).fit()
        else:
            fitted = SimpleExpSmoothing(y, initialization_method="estimated").fit()
        forecast = np.asarray(fitted.forecast(horizon), dtype=float)
        residuals = np.asarray(fitted.resid, dtype=float)
    sigma = float(np.sqrt(np.mean(residuals**2))) if len(residuals) else 0.0
    return method, np.clip(np.nan_to_num(forecast), 0, None), sigma


def _held_out_error(
    history: Sequence[float], held: int, method: str, shortcuts: bool = True
) -> tuple[float, float]:
    """(error of ``method``, error of the naive forecast) on the last ``held`` weeks."""
    train, actual = history[:-held], np.asarray(history[-held:], dtype=float)
    _, predicted, _ = _fit(train, held, method, shortcuts)
    return float(np.mean(np.abs(predicted - actual))), float(np.mean(np.abs(train[-1] - actual)))


def forecast(history: Sequence[float], horizon: int, *, shortcuts: bool = True) -> Forecast:
    """The forecast of the ``horizon`` weeks after ``history`` (units ordered per week,
    oldest first), with its error on held-out weeks.

    A yearly season is tried with a year of history; when it does worse on the held-out
    weeks than Holt's method (a product with no season: the season would repeat last
    year's noise), Holt's method is used. A flat or quiet history gets simple smoothing
    (:func:`choose`), held out the same way; ``shortcuts=False`` fits every history its
    model by statsmodels, as before those shortcuts (the benchmark compares)."""
    method = choose(history) if shortcuts else method_for(len(history))
    error = naive = None
    held = 0
    if len(history) >= 2 * SEASON_WEEKS:
        held = SEASON_WEEKS
    elif len(history) >= HOLDOUT_WEEKS + 4:
        held = HOLDOUT_WEEKS
    if held:
        trained = choose(history[:-held]) if shortcuts else method_for(len(history) - held)
        error, naive = _held_out_error(history, held, trained, shortcuts)
        if method == "HOLT_WINTERS":
            plain, _ = _held_out_error(history, held, "HOLT", shortcuts)
            if plain < error:
                method, error = "HOLT", plain
    method, ahead, sigma = _fit(history, horizon, method, shortcuts)
    return Forecast(method, [float(v) for v in ahead], sigma, held, error, naive)


def forecast_many(
    jobs: Sequence[tuple[int, Sequence[float], int]],
) -> list[tuple[int, Forecast]]:
    """:func:`forecast` of each (key, history, horizon): one batch, as a process pool or a
    thread runs it away from the event loop."""
    return [(key, forecast(history, horizon)) for key, history, horizon in jobs]


def history_key(history: Sequence[float]) -> str:
    """A fingerprint of a history (and of the rules that read it): a stored forecast is
    reused only while its product's weeks of orders are the same."""
    digest = hashlib.blake2b(f"{RULES_VERSION}:{list(history)!r}".encode(), digest_size=16)
    return digest.hexdigest()


def z_score(service_level: float) -> float:
    return NormalDist().inv_cdf(service_level)


def lead_time_demand(weeks: Sequence[float], lead_days: int) -> float:
    """Forecast units over the next ``lead_days`` (a part week counts in proportion)."""
    total, left = 0.0, lead_days / 7
    for units in weeks:
        if left <= 0:
            break
        total += units * min(1.0, left)
        left -= 1
    return total


def safety_stock(sigma: float, lead_days: int, service_level: float) -> int:
    return math.ceil(max(0.0, z_score(service_level) * sigma * math.sqrt(lead_days / 7)))


def heading_into_peak(history: Sequence[float], weeks: Sequence[float], within: int) -> bool:
    if not history or not weeks:
        return False
    average = sum(history) / len(history)
    recent = sum(history[-4:]) / len(history[-4:])
    top = max(weeks[:within])
    return top > 0 and top >= PEAK_FACTOR * average and top > recent


@dataclass(frozen=True, slots=True)
class Incoming:
    expected: date
    units: int


@dataclass(frozen=True, slots=True)
class Cover:
    runs_out: date | None  # when the position falls below the safety stock (None: not within)
    weeks_of_cover: float  # up to the outlook's length when it does not run out
    reorder_date: date | None
    reorder_quantity: int
    lowest_position: float


def cover(
    *,
    today: date,
    available: int,
    backordered: int,
    incoming: Iterable[Incoming],
    weeks: Sequence[float],
    safety: int,
    lead_days: int,
) -> Cover:
    """When the stock position falls below ``safety`` within ``weeks`` (the forecast, week 0
    starting today), the reorder date that covers the lead time, and the quantity."""
    arrivals = sorted(incoming, key=lambda i: i.expected)
    position = float(available - backordered)
    runs_out: date | None = None
    lowest = position
    for n, demand in enumerate(weeks):
        start = today + timedelta(weeks=n)
        end = start + timedelta(weeks=1)
        position += sum(a.units for a in arrivals if start <= a.expected < end or (
            n == 0 and a.expected < start))  # fmt: skip
        if runs_out is None and position < safety:
            runs_out = start
        elif runs_out is None and position - demand < safety and demand > 0:
            runs_out = start + timedelta(days=math.floor(7 * (position - safety) / demand))
        position -= demand
        lowest = min(lowest, position)
    if runs_out is None:
        return Cover(None, float(len(weeks)), None, 0, lowest)
    reorder = max(today, runs_out - timedelta(days=lead_days))
    quantity = max(1, math.ceil(safety - lowest))
    return Cover(runs_out, (runs_out - today).days / 7, reorder, quantity, lowest)


def weekly_series(
    ordered: Iterable[tuple[date, int]], first_week: date, this_week: date
) -> list[float]:
    """Units per week from the Monday ``first_week`` up to the week before ``this_week``
    (a Monday: the current, unfinished week is left out)."""
    count = max(0, (this_week - first_week).days // 7)
    series = [0.0] * count
    for day, units in ordered:
        index = (day - first_week).days // 7
        if 0 <= index < count:
            series[index] += units
    return series
