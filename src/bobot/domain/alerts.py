"""The alert diff: from the gaps a scan found and the alerts that exist, what to write.

Pure rules over plain data (no I/O). The scan loads :class:`ExistingAlert` rows under the
product locks, turns each gap into a :class:`WantedAlert` (with its live proposal, if any),
and persists the :class:`AlertPlan` this module returns:

- a gap with no unresolved alert of its (product, kind) opens one;
- an alert whose cause, severity, suggested action or proposal differs from its gap is
  updated, and the fields that changed are reported with their old and new values;
- a snoozed alert whose snooze ran out while its gap remains is reopened;
- an alert whose gap is gone resolves, and its live proposal, if any, expires.

An alert points at a live (``PROPOSED``) proposal or at none: a proposal that was decided
is never kept on an alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from bobot.domain.gaps import Gap, GapKind, SuggestedAction


class AlertStatus(str, Enum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    SNOOZED = "SNOOZED"
    RESOLVED = "RESOLVED"


class SwitchStatus(str, Enum):
    PROPOSED = "PROPOSED"  # live: an alert may carry it, staff may decide it
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"  # its alert resolved (or no longer needed it) before anyone decided


#: Proposals staff decided: their basis is not proposed again.
DECIDED: tuple[SwitchStatus, ...] = (SwitchStatus.APPROVED, SwitchStatus.REJECTED)

#: The kinds of gap a supplier switch can fix, each with a proposal of its own.
PROPOSABLE = frozenset({GapKind.PO_LATE, GapKind.UNCOVERED_BACKORDERS})

#: The fields of an alert an update reports (old and new values), in this order.
REPORTED = ("cause", "severity", "suggested_action", "switch_id")

AlertKey = tuple[int, GapKind]


@dataclass(frozen=True, slots=True)
class ExistingAlert:
    """An unresolved alert as stored, with the state of the proposal it points at."""

    id: int
    product_id: int
    kind: GapKind
    cause: str
    severity: int
    suggested_action: SuggestedAction
    status: AlertStatus = AlertStatus.OPEN
    snoozed_until: datetime | None = None
    switch_id: int | None = None
    switch_live: bool = False  # the proposal is still PROPOSED

    @property
    def key(self) -> AlertKey:
        return (self.product_id, self.kind)

    @property
    def live_switch_id(self) -> int | None:
        return self.switch_id if self.switch_live else None


@dataclass(frozen=True, slots=True)
class WantedAlert:
    """What an alert should say now: its gap, and the live proposal it carries (if any)."""

    product_id: int
    kind: GapKind
    cause: str
    severity: int
    suggested_action: SuggestedAction
    switch_id: int | None = None

    @property
    def key(self) -> AlertKey:
        return (self.product_id, self.kind)


@dataclass(frozen=True, slots=True)
class AlertUpdate:
    alert: ExistingAlert
    wanted: WantedAlert
    reopen: bool
    #: field name -> (old, new), only for the fields of :data:`REPORTED` that changed
    changes: Mapping[str, tuple[object, object]]


@dataclass(slots=True)
class AlertPlan:
    open: list[WantedAlert] = field(default_factory=list)
    update: list[AlertUpdate] = field(default_factory=list)
    resolve: list[ExistingAlert] = field(default_factory=list)
    #: proposals no alert carries any more and nobody decided: (switch id, product id)
    expire: list[tuple[int, int]] = field(default_factory=list)


def switchable(gap: Gap) -> bool:
    """Whether a supplier switch is an answer to ``gap``: a kind a switch can fix, with
    somebody waiting on it (a late PO nobody waits on only needs chasing)."""
    return gap.kind in PROPOSABLE and gap.action is not SuggestedAction.CHASE_SUPPLIER


def kept_proposal(gap: Gap, existing: ExistingAlert | None) -> int | None:
    """The live proposal the alert keeps: its own, while a switch is still an answer."""
    if existing is None or not switchable(gap):
        return None
    return existing.live_switch_id


def wants_proposal(gap: Gap, existing: ExistingAlert | None) -> bool:
    """Whether the scan should look for a supplier switch for this gap: a switch is an
    answer and the alert has no live proposal already."""
    return switchable(gap) and kept_proposal(gap, existing) is None


def wanted(gap: Gap, switch_id: int | None) -> WantedAlert:
    """The alert a gap calls for; a live proposal makes its suggestion SWITCH_SUPPLIER."""
    action = SuggestedAction.SWITCH_SUPPLIER if switch_id is not None else gap.action
    return WantedAlert(gap.product_id, gap.kind, gap.cause, gap.severity, action, switch_id)


def diff(
    found: Iterable[WantedAlert], existing: Iterable[ExistingAlert], now: datetime
) -> AlertPlan:
    """What to open, update, reopen and resolve so that the alerts say what was found.

    ``existing`` are the unresolved alerts of the products scanned; ``found`` at most one
    per (product, kind). The plan lists alerts in (product, kind) order.
    """
    plan = AlertPlan()
    current = {alert.key: alert for alert in existing}
    wanted_by_key = {w.key: w for w in found}
    for key in sorted(wanted_by_key, key=_order):
        want = wanted_by_key[key]
        alert = current.get(key)
        if alert is None:
            plan.open.append(want)
            continue
        changes = {
            name: (getattr(alert, name), getattr(want, name))
            for name in REPORTED
            if getattr(alert, name) != getattr(want, name)
        }
        reopen = (
            alert.status is AlertStatus.SNOOZED
            and alert.snoozed_until is not None
            and alert.snoozed_until <= now
        )
        if changes or reopen:
            plan.update.append(AlertUpdate(alert, want, reopen, changes))
        if alert.live_switch_id is not None and want.switch_id != alert.switch_id:
            plan.expire.append((alert.live_switch_id, alert.product_id))
    for key in sorted(current, key=_order):
        if key in wanted_by_key:
            continue
        alert = current[key]
        plan.resolve.append(alert)
        if alert.live_switch_id is not None:
            plan.expire.append((alert.live_switch_id, alert.product_id))
    return plan


def _order(key: AlertKey) -> tuple[int, str]:
    return (key[0], key[1].value)
