"""Received units go to waiting backorders first come, first served."""

from __future__ import annotations

import pytest

from bobot.domain.fifo import Fill, Waiting, fill


def test_restock_fills_oldest_backorder_first():
    fills, left = fill([Waiting(1, 3), Waiting(2, 3)], 3)

    assert fills == [Fill(1, 3, complete=True)]
    assert left == 0


def test_restock_fills_several_backorders_in_queue_order():
    fills, left = fill([Waiting(7, 2), Waiting(3, 4), Waiting(9, 1)], 7)

    assert fills == [Fill(7, 2, True), Fill(3, 4, True), Fill(9, 1, True)]
    assert left == 0


def test_queue_order_is_taken_as_given_not_sorted_by_id():
    fills, _ = fill([Waiting(9, 2), Waiting(1, 2)], 2)

    assert fills == [Fill(9, 2, complete=True)]


def test_last_backorder_reached_is_partially_filled():
    fills, left = fill([Waiting(1, 2), Waiting(2, 5), Waiting(3, 4)], 4)

    assert fills == [Fill(1, 2, complete=True), Fill(2, 2, complete=False)]
    assert left == 0


def test_units_beyond_the_queue_are_left_over_for_new_orders():
    fills, left = fill([Waiting(1, 2), Waiting(2, 1)], 10)

    assert fills == [Fill(1, 2, True), Fill(2, 1, True)]
    assert left == 7


def test_backorders_needing_nothing_are_skipped():
    fills, left = fill([Waiting(1, 0), Waiting(2, 2), Waiting(3, 0), Waiting(4, 1)], 3)

    assert fills == [Fill(2, 2, True), Fill(4, 1, True)]
    assert left == 0


def test_negative_need_is_treated_as_needing_nothing():
    fills, left = fill([Waiting(1, -2), Waiting(2, 1)], 2)

    assert fills == [Fill(2, 1, True)]
    assert left == 1


def test_empty_queue_leaves_every_unit_over():
    assert fill([], 5) == ([], 5)


def test_zero_units_fill_nothing():
    assert fill([Waiting(1, 3)], 0) == ([], 0)


def test_negative_units_are_rejected():
    with pytest.raises(ValueError, match="negative"):
        fill([Waiting(1, 3)], -1)


def test_queue_may_be_a_one_shot_iterator():
    queue = (Waiting(i, 1) for i in range(1, 4))

    fills, left = fill(queue, 2)

    assert [f.backorder_id for f in fills] == [1, 2]
    assert left == 0


def test_no_unit_is_lost_or_invented():
    queue = [Waiting(1, 4), Waiting(2, 0), Waiting(3, 6), Waiting(4, 2)]
    for units in range(15):
        fills, left = fill(queue, units)

        assert sum(f.units for f in fills) + left == units
        assert all(f.units > 0 for f in fills)
        needs = {w.backorder_id: w.need for w in queue}
        assert all(f.units <= needs[f.backorder_id] for f in fills)
        assert all(f.complete == (f.units == needs[f.backorder_id]) for f in fills)
