"""The domain's enums, exposed under their GraphQL names."""

from __future__ import annotations

import strawberry

from bobot.domain import availability as a
from bobot.domain.consent import ConsentState as _ConsentState
from bobot.models import (
    BackorderStatus as _BackorderStatus,
)
from bobot.models import (
    OrderStatus as _OrderStatus,
)
from bobot.models import (
    PurchaseOrderStatus as _PurchaseOrderStatus,
)
from bobot.models import (
    ShipmentStatus as _ShipmentStatus,
)
from bobot.models import (
    ShipPreference as _ShipPreference,
)
from bobot.models import (
    WaitlistStatus as _WaitlistStatus,
)

StockStatus = strawberry.enum(a.StockStatus, name="StockStatus")
OutOfStockReason = strawberry.enum(a.OutOfStockReason, name="OutOfStockReason")
BackorderPolicy = strawberry.enum(a.Policy, name="BackorderPolicy")
BackorderStatus = strawberry.enum(_BackorderStatus, name="BackorderStatus")
OrderStatus = strawberry.enum(_OrderStatus, name="OrderStatus")
ShipmentStatus = strawberry.enum(_ShipmentStatus, name="ShipmentStatus")
ShipPreference = strawberry.enum(_ShipPreference, name="ShipPreference")
PurchaseOrderStatus = strawberry.enum(_PurchaseOrderStatus, name="PurchaseOrderStatus")
WaitlistStatus = strawberry.enum(_WaitlistStatus, name="WaitlistStatus")
ConsentState = strawberry.enum(_ConsentState, name="ConsentState")
