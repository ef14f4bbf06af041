from datetime import date, timedelta
from decimal import Decimal

from bobot.domain import gaps as g
from bobot.domain.calendar import ShopCalendar

TODAY = date(2026, 11, 26)
RULES = g.GapRules(today=TODAY, aging_days=14)


def kinds(facts: g.ProductFacts) -> set[g.GapKind]:
    return {gap.kind for gap in g.detect(facts, RULES)}


def test_no_gap_for_covered_backorders():
    assert kinds(g.ProductFacts(1, "A", backordered=5, incoming=5, waiting_backorders=2)) == set()


def test_uncovered_backorders_name_the_numbers():
    [gap] = g.detect(g.ProductFacts(1, "A", backordered=7, incoming=2, waiting_backorders=3), RULES)
    assert gap.kind is g.GapKind.UNCOVERED_BACKORDERS and gap.action is g.SuggestedAction.REORDER
    assert "7 units on 3 backorders" in gap.cause and "5 units not covered" in gap.cause


def test_late_po_cause_reads_like_a_sentence():
    po = g.LatePo(1, "PO-1042", 3, "Acme", date(2026, 11, 18), 37)
    facts = g.ProductFacts(
        1, "A", backordered=37, incoming=37, waiting_backorders=12, late_pos=[po]
    )
    [gap] = g.detect(facts, RULES)
    assert gap.cause == (
        "PO-1042 from Acme was due 18 Nov, 8 days late; 37 units on 12 backorders wait on it"
    )
    # Switching is suggested only once the scan finds a faster supplier.
    assert gap.action is g.SuggestedAction.NOTIFY_CUSTOMERS and gap.late_po == po


def test_slip_aging_limit_and_safety_stock():
    facts = g.ProductFacts(
        1, "A", backordered=4, incoming=4, waiting_backorders=2, delayed_backorders=1,
        delayed_units=2, aged_backorders=1, oldest_backorder=TODAY - timedelta(days=20),
        allows_backorders=True, backorder_limit=4, safety_stock=3, best_lead_days=10,
    )  # fmt: skip
    assert kinds(facts) == {
        g.GapKind.ETA_SLIP,
        g.GapKind.BACKORDER_AGING,
        g.GapKind.BACKORDER_LIMIT_REACHED,
        g.GapKind.BELOW_SAFETY_STOCK,
    }
    stocked = g.ProductFacts(1, "A", available=30, safety_stock=5, demand_per_day=1.0,
                             best_lead_days=10)  # fmt: skip
    assert kinds(stocked) == set()  # 30 - 10 = 20 >= 5
    assert kinds(g.ProductFacts(1, "A", available=12, safety_stock=5, demand_per_day=1.0,
                                best_lead_days=10)) == {g.GapKind.BELOW_SAFETY_STOCK}  # fmt: skip


def test_switch_choice_earliest_arrival_then_cost():
    offers = [
        g.Offer(1, "Acme", Decimal("2"), 30),
        g.Offer(2, "Slowcheap", Decimal("1"), 20),
        g.Offer(3, "Fast", Decimal("3"), 5),
        g.Offer(4, "Fastcheap", Decimal("2.5"), 5),
    ]
    choice = g.choose_switch(
        offers, from_supplier_id=1, quantity=10, today=TODAY, from_unit_cost=Decimal("2")
    )
    assert choice is not None and choice.offer.supplier_id == 4
    assert choice.arrival == TODAY + timedelta(days=5) and choice.cost_difference == Decimal("5")
    assert g.choose_switch(offers[:1], from_supplier_id=1, quantity=10, today=TODAY,
                           from_unit_cost=Decimal("2")) is None  # fmt: skip
    late = TODAY + timedelta(days=5)
    assert (
        g.choose_switch(offers, from_supplier_id=1, quantity=10, today=TODAY,
                        from_unit_cost=Decimal("2"), beat=late) is None
    )  # fmt: skip


def test_a_faster_but_unreliable_supplier_ranks_behind_a_slightly_slower_reliable_one():
    calendar = ShopCalendar()  # ships Monday to Friday; TODAY is a Thursday
    fast = g.Offer(3, "Fast", Decimal("2"), 5, delay_days=6)  # nominally in 5 days
    steady = g.Offer(4, "Steady", Decimal("3"), 7, delay_days=0)  # in 7, and it keeps them
    choice = g.choose_switch(
        [fast, steady], from_supplier_id=1, quantity=10, today=TODAY,
        from_unit_cost=Decimal("2"), calendar=calendar,
    )  # fmt: skip
    assert choice is not None and choice.offer.supplier_id == 4
    assert choice.arrival == choice.reliable_arrival == TODAY + timedelta(days=7)
    # Fast's reliable arrival: day 5 (a Tuesday) plus 6 ship days.
    assert g.reliable_arrival_of(fast, TODAY, calendar) == TODAY + timedelta(days=13)
    # Without a learned delay the nominal date decides, as before.
    nominal = g.choose_switch(
        [g.Offer(3, "Fast", Decimal("2"), 5), steady], from_supplier_id=1, quantity=10,
        today=TODAY, from_unit_cost=Decimal("2"), calendar=calendar,
    )  # fmt: skip
    assert nominal is not None and nominal.offer.supplier_id == 3
    # It must reliably beat the date it replaces.
    assert g.choose_switch(
        [fast], from_supplier_id=1, quantity=10, today=TODAY, from_unit_cost=Decimal("2"),
        beat=TODAY + timedelta(days=10), calendar=calendar,
    ) is None  # fmt: skip


def test_backorders_improved_and_severity():
    dates = [TODAY, TODAY + timedelta(3), TODAY + timedelta(9)]
    assert g.backorders_improved(dates, TODAY + timedelta(3)) == 1
    worse = g.shortage_severity(backordered=10, uncovered=10, oldest_age_days=3)
    better = g.shortage_severity(backordered=10, uncovered=0, oldest_age_days=3)
    assert 1 <= better < worse <= 100


def test_a_product_closed_on_purpose_has_no_limit_gap():
    closed = g.ProductFacts(1, "A", allows_backorders=True, backorder_limit=0)
    assert kinds(closed) == set()
    full = g.ProductFacts(1, "A", allows_backorders=True, backorder_limit=2, backordered=2,
                          incoming=2, waiting_backorders=1)  # fmt: skip
    assert kinds(full) == {g.GapKind.BACKORDER_LIMIT_REACHED}


def test_a_late_po_nobody_waits_on_suggests_chasing_the_supplier_at_low_severity():
    po = g.LatePo(1, "PO-1042", 3, "Acme", date(2026, 11, 18), 20)
    [idle] = g.detect(g.ProductFacts(1, "A", incoming=20, late_pos=[po]), RULES)
    assert idle.action is g.SuggestedAction.CHASE_SUPPLIER and idle.severity <= 25
    assert idle.cause == "PO-1042 from Acme was due 18 Nov, 8 days late"
    # 10 backordered, all covered by another purchase order that is not late
    covered = g.ProductFacts(1, "A", backordered=10, incoming=30, waiting_backorders=2,
                             late_pos=[po])  # fmt: skip
    [gap] = g.detect(covered, RULES)
    assert gap.action is g.SuggestedAction.CHASE_SUPPLIER and gap.severity <= 25
    assert gap.cause.endswith("other purchase orders cover the 10 units on 2 backorders")
    waiting = g.ProductFacts(1, "A", backordered=25, incoming=30, waiting_backorders=3,
                             late_pos=[po])  # fmt: skip
    [urgent] = g.detect(waiting, RULES)
    assert urgent.action is g.SuggestedAction.NOTIFY_CUSTOMERS and urgent.severity > 50


def test_a_switch_basis_changes_with_the_facts_it_rests_on():
    po = g.LatePo(1, "PO-1042", 3, "Acme", date(2026, 11, 18), 20)
    fast = g.Offer(4, "Fast", Decimal("2.5"), 5)
    basis = g.switch_basis(fast, late_po=po, replaced=None)
    assert basis == g.switch_basis(fast, late_po=po, replaced=None)
    moved = g.LatePo(1, "PO-1042", 3, "Acme", date(2026, 11, 20), 20)
    fewer = g.LatePo(1, "PO-1042", 3, "Acme", date(2026, 11, 18), 12)
    faster = g.Offer(4, "Fast", Decimal("2.5"), 4)
    cheaper = g.Offer(4, "Fast", Decimal("2.2"), 5)
    assert len({
        basis,
        g.switch_basis(fast, late_po=moved, replaced=None),
        g.switch_basis(fast, late_po=fewer, replaced=None),
        g.switch_basis(faster, late_po=po, replaced=None),
        g.switch_basis(cheaper, late_po=po, replaced=None),
        g.switch_basis(fast, late_po=None, replaced=g.Offer(1, "Acme", Decimal(2), 30)),
    }) == 6  # fmt: skip
