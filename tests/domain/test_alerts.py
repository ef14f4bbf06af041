from datetime import UTC, datetime, timedelta

from bobot.domain import alerts as a
from bobot.domain.gaps import Gap, GapKind, SuggestedAction

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
LATE, UNCOVERED, AGING = GapKind.PO_LATE, GapKind.UNCOVERED_BACKORDERS, GapKind.BACKORDER_AGING
NOTIFY, SWITCH = SuggestedAction.NOTIFY_CUSTOMERS, SuggestedAction.SWITCH_SUPPLIER


def existing(kind=LATE, *, pid=1, cause="due", severity=60, action=NOTIFY, **more):
    return a.ExistingAlert(10 + pid, pid, kind, cause, severity, action, **more)


def want(kind=LATE, *, pid=1, cause="due", severity=60, action=NOTIFY, switch_id=None):
    return a.WantedAlert(pid, kind, cause, severity, action, switch_id)


def test_a_new_gap_opens_an_alert_and_a_gone_one_resolves_it():
    plan = a.diff([want(UNCOVERED, pid=2)], [existing(AGING, pid=1)], NOW)
    assert plan.open == [want(UNCOVERED, pid=2)]
    assert [r.kind for r in plan.resolve] == [AGING]
    assert plan.update == [] and plan.expire == []


def test_an_unchanged_alert_is_left_alone():
    assert a.diff([want()], [existing()], NOW) == a.AlertPlan()


def test_a_changed_cause_or_severity_is_an_update_with_old_and_new_values():
    plan = a.diff([want(cause="9 days late", severity=63)], [existing(cause="8 days late")], NOW)
    [update] = plan.update
    assert update.changes == {"cause": ("8 days late", "9 days late"), "severity": (60, 63)}
    assert not update.reopen


def test_a_snooze_that_ran_out_reopens_the_alert_only_then():
    ran_out = existing(status=a.AlertStatus.SNOOZED, snoozed_until=NOW - timedelta(minutes=1))
    [update] = a.diff([want()], [ran_out], NOW).update
    assert update.reopen and update.changes == {}
    later = existing(status=a.AlertStatus.SNOOZED, snoozed_until=NOW + timedelta(hours=1))
    assert a.diff([want()], [later], NOW).update == []


def test_a_decided_proposal_leaves_its_alert():
    decided = existing(action=SWITCH, switch_id=7, switch_live=False)
    [update] = a.diff([want()], [decided], NOW).update
    assert update.changes == {"suggested_action": (SWITCH, NOTIFY), "switch_id": (7, None)}
    assert a.diff([want()], [decided], NOW).expire == []  # decided: nothing to expire


def test_a_live_proposal_expires_with_its_alert():
    live = existing(action=SWITCH, switch_id=7, switch_live=True)
    plan = a.diff([], [live], NOW)
    assert [r.id for r in plan.resolve] == [live.id] and plan.expire == [(7, 1)]


def test_the_plan_lists_alerts_in_product_and_kind_order():
    found = [want(UNCOVERED, pid=2), want(LATE, pid=2), want(AGING, pid=1)]
    assert [w.key for w in a.diff(found, [], NOW).open] == [(1, AGING), (2, LATE), (2, UNCOVERED)]


def test_proposals_are_sought_for_switchable_gaps_without_a_live_one():
    late = Gap(1, LATE, "due", NOTIFY, 60)
    assert a.wants_proposal(late, None)
    assert a.wants_proposal(late, existing(switch_id=7, switch_live=False))
    assert not a.wants_proposal(late, existing(switch_id=7, switch_live=True))
    assert not a.wants_proposal(Gap(1, LATE, "due", SuggestedAction.CHASE_SUPPLIER, 15), None)
    assert not a.wants_proposal(Gap(1, AGING, "old", NOTIFY, 40), None)
    assert a.wanted(late, 7).suggested_action is SWITCH
    assert a.wanted(late, None).suggested_action is NOTIFY


def test_a_live_proposal_expires_when_nobody_waits_on_the_late_po_any_more():
    chase = Gap(1, LATE, "due", SuggestedAction.CHASE_SUPPLIER, 15)
    live = existing(action=SWITCH, switch_id=7, switch_live=True)
    assert a.kept_proposal(chase, live) is None
    assert a.kept_proposal(Gap(1, LATE, "due", NOTIFY, 60), live) == 7
    plan = a.diff([a.wanted(chase, a.kept_proposal(chase, live))], [live], NOW)
    [update] = plan.update
    assert update.changes["switch_id"] == (7, None) and plan.expire == [(7, 1)]
