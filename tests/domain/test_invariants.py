from datetime import date

from bobot.domain import invariants as rules
from bobot.domain.invariants import (
    Counters,
    Flows,
    PoFact,
    check_conservation,
    check_counters,
    check_fills,
    check_limit_growth,
    check_queue_dates,
    compare,
    counters_from_flows,
    incoming_from_history,
)


def test_a_consistent_product_breaks_no_rule() -> None:
    assert check_counters("K", Counters(5, 2, 3, 0, 4)) == []


def test_available_while_backorders_wait_is_named() -> None:
    (line,) = check_counters("K", Counters(5, 2, 3, 1, 0))
    assert line == "K: 3 units available while 1 are backordered"


def test_negative_and_over_allocated_counters_are_named() -> None:
    found = check_counters("K", Counters(on_hand=1, allocated=2, available=-1))
    assert "K: available is -1, below zero" in found
    assert "K: allocated 2 exceeds on hand 1" in found


def test_counters_follow_from_the_flows_of_the_history() -> None:
    flows = Flows(
        received=10, shipped=3, from_stock=4, backordered=6, filled=5, cancelled=2, released=1
    )
    # on hand 7; allocated 4 + 5 - 1 - 3 = 5; backordered 6 - 5 - (2 - 1) = 0
    assert counters_from_flows(flows, incoming=2) == Counters(7, 5, 2, 0, 2)


def test_compare_names_each_counter_that_differs() -> None:
    found = compare("K", Counters(1, 1, 0, 0, 0), Counters(1, 0, 1, 0, 0), "rows")
    assert found == ["K: allocated is 1, the rows give 0", "K: available is 0, the rows give 1"]


def test_units_are_conserved_or_the_gap_is_named() -> None:
    assert check_conservation("K", 10, 3, Counters(7, 5, 2)) == []
    assert check_conservation("K", 10, 2, Counters(7, 5, 2)) != []


def test_fills_must_take_the_queue_in_order() -> None:
    queue = [(1, 2), (2, 3), (3, 1)]
    assert check_fills("K", queue, 4, [(1, 2, True), (2, 2, False)]) == []
    assert check_fills("K", queue, 4, [(2, 3, True), (1, 1, False)]) != []
    assert check_fills("K", queue, 9, [(1, 2, True), (2, 3, True), (3, 1, True)]) == []


def test_dates_going_backwards_along_a_queue_are_named() -> None:
    queue = [(1, date(2026, 12, 1)), (2, date(2026, 12, 1)), (3, date(2026, 11, 30))]
    (line,) = check_queue_dates("K", queue)
    assert line.startswith("K: backorder 3 expects 2026-11-30, before backorder 2")


def test_backorders_grow_only_within_the_limit_in_force() -> None:
    assert check_limit_growth("K", 5, 7, 8, True) == []
    assert check_limit_growth("K", 5, 9, 8, True) != []
    assert check_limit_growth("K", 9, 9, 3, True) == []  # a lowered limit cancels nothing
    assert check_limit_growth("K", 0, 1, None, False) != []


def test_incoming_replays_the_purchase_orders_events() -> None:
    facts = [
        PoFact("PO_CREATED", 1, 10, {"quantity": 6, "status": "ORDERED"}),
        PoFact("PO_CREATED", 1, 11, {"quantity": 4, "status": "ORDERED"}),
        PoFact("PO_CREATED", 2, 10, {"quantity": 5, "status": "DRAFT"}),
        PoFact("STOCK_RECEIVED", 10, 10, {"quantity": 2, "purchase_order_id": 1}),
        PoFact("STOCK_RECEIVED", 11, 11, {"quantity": 9, "purchase_order_id": None}),
        PoFact("PO_CHANGED", 1, 11, {"lines": [["B", 3]]}),
        PoFact("PO_CHANGED", 2, 10, {"status": ["DRAFT", "ORDERED"]}),
    ]
    assert incoming_from_history(facts, {"A": 10, "B": 11}) == {10: 4 + 5, 11: 3}
    cancelled = [*facts, PoFact("PO_CHANGED", 2, 10, {"status": ["ORDERED", "CANCELLED"]})]
    assert incoming_from_history(cancelled, {"A": 10, "B": 11}) == {10: 4, 11: 3}


def test_held_units_match_the_open_invitations() -> None:
    assert rules.check_held("MUG", 3, 3) == []
    assert rules.check_held("MUG", 2, 3) == ["MUG: 2 units held, but its open invitations hold 3"]


def test_no_waiting_entry_is_passed_over_by_an_invitation() -> None:
    in_order = [(1, "INVITED"), (2, "INVITED"), (3, "WAITING")]
    assert rules.check_invitation_order("MUG", in_order) == []
    assert rules.check_invitation_order("MUG", [(4, "WAITING"), (5, "INVITED")]) == [
        "MUG: waitlist entry 5 is invited before 4"
    ]
    assert rules.check_invitation_order("MUG", []) == []
