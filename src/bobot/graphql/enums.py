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

StockStatus = a.StockStatus
OutOfStockReason = a.OutOfStockReason
BackorderPolicy = a.Policy
BackorderStatus = _BackorderStatus
OrderStatus = _OrderStatus
ShipmentStatus = _ShipmentStatus
ShipPreference = _ShipPreference
PurchaseOrderStatus = _PurchaseOrderStatus
WaitlistStatus = _WaitlistStatus
ConsentState = _ConsentState
# strawberry.enum marks the class itself and returns it: the names above are the
# classes, valid in annotations, exposed under these GraphQL names.
strawberry.enum(StockStatus, name="StockStatus")
strawberry.enum(OutOfStockReason, name="OutOfStockReason")
strawberry.enum(BackorderPolicy, name="BackorderPolicy")
strawberry.enum(BackorderStatus, name="BackorderStatus")
strawberry.enum(OrderStatus, name="OrderStatus")
strawberry.enum(ShipmentStatus, name="ShipmentStatus")
strawberry.enum(ShipPreference, name="ShipPreference")
strawberry.enum(PurchaseOrderStatus, name="PurchaseOrderStatus")
strawberry.enum(WaitlistStatus, name="WaitlistStatus")
strawberry.enum(ConsentState, name="ConsentState")
