"""History types: who changed what, when, and through which channel."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from bobot import models as m


@strawberry.type
class Actor:
    kind: str
    id: str
    channel: str


@strawberry.type(description="One state change, as recorded in the append-only history.")
class HistoryEvent:
    row: strawberry.Private[m.Event]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field
    def actor(self) -> Actor:
        return Actor(kind=self.row.actor_kind, id=self.row.actor_id, channel=self.row.channel)

    @strawberry.field
    def subject_type(self) -> str:
        return self.row.subject_type

    @strawberry.field
    def subject_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.subject_id))

    @strawberry.field
    def data(self) -> JSON:
        return cast(JSON, self.row.data)
