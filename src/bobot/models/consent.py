from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from bobot.domain.consent import ConsentState, NoticeKind


class BackorderConsent(Model):
    """A delayed backorder's consent record, written when its first delay notice is due."""

    backorder_id = fields.IntField(primary_key=True)  # the backorder's id
    state = fields.CharEnumField(ConsentState, default=ConsentState.NONE)
    original_promise = fields.DateField()
    agreed_date = fields.DateField()
    notices = fields.IntField(default=0)
    late_notices = fields.IntField(default=0)  # notices that went out on or after the date
    notified_at = fields.DatetimeField(null=True)
    deadline = fields.DateField(null=True)
    notice_kind = fields.CharEnumField(NoticeKind, null=True)
    noticed_date = fields.DateField(null=True)  # the new date the last notice gave
    answered_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "backorder_consent"
        indexes = (("state", "deadline"),)
