"""The demand rules: forecast methods by history length, error against the naive forecast,
safety stock, peaks and cover."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from bobot.domain.demand import (
    QUIET_WEEKS,
    Incoming,
    choose,
    cover,
    forecast,
    heading_into_peak,
    is_flat,
    lead_time_demand,
    method_for,
    safety_stock,
    simple_smoothing,
    weekly_series,
)


def summer_weeks(count: int, seed: int = 7) -> list[float]:
    """Weekly units of a swimwear-like product: 5 a week, 40 from June to August (weeks
    22-34 of each year), with noise; a fixed seed, so the same every run."""
    rng = np.random.default_rng(seed)
    weeks = np.arange(count) % 52
    base = np.where((weeks >= 22) & (weeks <= 34), 40.0, 5.0)
    return [float(v) for v in np.clip(base + rng.normal(0, 2, count), 0, None).round()]


def rising_weeks(count: int) -> list[float]:
    """A product taking off: 3 more a week each week, with noise (fixed seed)."""
    rng = np.random.default_rng(3)
    return [float(v) for v in np.clip(5 + 3 * np.arange(count) + rng.normal(0, 1, count), 0, None)]


@pytest.mark.parametrize(
    ("weeks", "method"), [(2, "MEAN"), (4, "SIMPLE"), (10, "HOLT"), (51, "HOLT"),
                          (52, "HOLT_WINTERS")],
)  # fmt: skip
def test_a_year_of_weeks_gets_a_yearly_season_and_less_a_simpler_method(weeks, method):
    assert method_for(weeks) == method
    history = rising_weeks(weeks) if weeks < 20 else summer_weeks(weeks)
    result = forecast(history, 8)
    assert result.method == method
    assert len(result.weeks) == 8 and min(result.weeks) >= 0


def test_flat_histories_get_simple_smoothing_quiet_ones_no_fit_and_shaped_ones_a_model():
    rng = np.random.default_rng(11)
    flat = [float(v) for v in rng.poisson(6, 40)]
    quiet = [4.0, 6.0, 9.0, 12.0, 15.0, 18.0] + [0.0] * QUIET_WEEKS  # sold, then nothing
    assert is_flat(flat) and choose(flat) == "SIMPLE"
    assert not is_flat(quiet) and choose(quiet) == "QUIET"
    assert choose(quiet[:-1]) == "HOLT"  # an order within the quiet weeks: fitted
    assert choose(rising_weeks(30)) == "HOLT" and not is_flat(rising_weeks(30))
    assert choose(summer_weeks(60)) == "HOLT_WINTERS"
    assert choose([5.0] * 30) == "SIMPLE"  # constant
    result = forecast(quiet, 8)
    assert result.method == "QUIET" and max(result.weeks) == 0 and result.sigma == 0


def test_simple_smoothing_without_statsmodels_is_as_accurate_as_statsmodels_fit():
    """On 200 series (fixed seed), the mean absolute error of the next 8 weeks is within
    1% of statsmodels' simple exponential smoothing fitted to the same weeks."""
    import warnings

    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    rng = np.random.default_rng(5)
    ours, theirs = [], []
    for _ in range(200):
        n = int(rng.integers(8, 60))
        y = rng.poisson(rng.uniform(0.3, 20), n + 8).astype(float)
        train, actual = y[:n], y[n:]
        ahead, _ = simple_smoothing(train, 8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = SimpleExpSmoothing(train, initialization_method="estimated").fit()
        ours.append(np.abs(ahead - actual).mean())
        theirs.append(np.abs(np.clip(fitted.forecast(8), 0, None) - actual).mean())
    assert np.mean(ours) <= 1.01 * np.mean(theirs)


def test_two_years_with_a_summer_peak_forecast_the_next_summer_better_than_naive():
    history = summer_weeks(104 + 18)  # two years and 18 weeks: early May

    result = forecast(history, 20)

    # The last year held out: fitted on the 70 weeks before it, which hold one summer.
    assert result.method == "HOLT_WINTERS" and result.heldout_weeks == 52
    assert result.error is not None and result.naive_error is not None
    assert result.error < result.naive_error
    assert np.mean(result.weeks[:3]) < 12  # May is still quiet
    assert np.mean(result.weeks[6:14]) > 25  # June to August
    assert heading_into_peak(history, result.weeks, 8)
    assert not heading_into_peak(history, result.weeks, 2)


def test_a_flat_product_is_not_heading_into_a_peak():
    history = [10.0, 11.0, 9.0, 10.0] * 5
    assert not heading_into_peak(history, forecast(history, 8).weeks, 8)


def test_safety_stock_grows_with_the_service_level_and_the_lead_time():
    assert safety_stock(4.0, 28, 0.95) == 14  # 1.645 * 4 * 2 = 13.2
    assert safety_stock(4.0, 28, 0.99) > safety_stock(4.0, 28, 0.95)
    assert safety_stock(4.0, 7, 0.95) < safety_stock(4.0, 28, 0.95)
    assert safety_stock(0.0, 28, 0.95) == 0


def test_lead_time_demand_counts_part_weeks_in_proportion():
    assert lead_time_demand([7, 14, 21], 10) == pytest.approx(7 + 14 * 3 / 7)
    assert lead_time_demand([7, 14], 0) == 0


TODAY = date(2027, 5, 3)


def test_cover_runs_out_where_forecast_demand_passes_the_stock_and_the_reorder_covers_lead_time():
    result = cover(
        today=TODAY, available=50, backordered=0, incoming=[], weeks=[10, 10, 20, 20, 20],
        safety=5, lead_days=14,
    )  # fmt: skip
    # 50 - 10 - 10 = 30 at week 2; 20 a week: 30 - 5 = 25 units above safety, 8.75 days.
    assert result.runs_out == TODAY + timedelta(days=14 + 8)
    assert result.reorder_date == TODAY + timedelta(days=8)
    assert result.reorder_quantity == 5 - (50 - 80)
    assert result.runs_out - timedelta(days=14) >= result.reorder_date


def test_incoming_purchase_orders_extend_cover_and_backorders_shorten_it():
    kwargs = dict(today=TODAY, weeks=[10.0] * 6, safety=0, lead_days=7)
    alone = cover(available=25, backordered=0, incoming=[], **kwargs)
    helped = cover(available=25, backordered=0,
                   incoming=[Incoming(TODAY + timedelta(days=15), 100)], **kwargs)  # fmt: skip
    owed = cover(available=25, backordered=10, incoming=[], **kwargs)
    assert alone.runs_out is not None and helped.runs_out is None
    assert owed.runs_out is not None and owed.runs_out < alone.runs_out
    assert helped.reorder_quantity == 0 and helped.weeks_of_cover == 6


def test_a_position_already_short_is_to_reorder_today():
    result = cover(today=TODAY, available=0, backordered=3, incoming=[], weeks=[2.0] * 4,
                   safety=1, lead_days=21)  # fmt: skip
    assert (result.runs_out, result.reorder_date) == (TODAY, TODAY)
    assert result.reorder_quantity == 1 + 3 + 8


def test_weekly_series_leaves_out_the_current_week():
    monday = date(2027, 4, 5)
    ordered = [(monday, 2), (monday + timedelta(days=6), 1), (monday + timedelta(days=8), 4),
               (monday + timedelta(days=14), 9)]  # fmt: skip
    assert weekly_series(ordered, monday, monday + timedelta(weeks=2)) == [3.0, 4.0]
