"""Tortoise models: the storage shape of the domain. Only services write to them."""

from bobot.domain.availability import Policy as BackorderPolicy
from bobot.models.alerts import Alert, AlertKind, AlertStatus, SupplierSwitch, SwitchStatus
from bobot.models.catalog import DemandForecast, Product, Supplier, SupplierOffer
from bobot.models.consent import BackorderConsent
from bobot.models.events import ApiToken, Event, TokenRole, WorkerCursor
from bobot.models.orders import (
    Backorder,
    BackorderStatus,
    Cancellation,
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    ShipPreference,
)
from bobot.models.outbox import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    WebhookSubscription,
)
from bobot.models.purchasing import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SupplierDelay,
)
from bobot.models.waitlist import WaitlistEntry, WaitlistStatus

MODEL_MODULES = [
    "bobot.models.catalog",
    "bobot.models.orders",
    "bobot.models.purchasing",
    "bobot.models.waitlist",
    "bobot.models.events",
    "bobot.models.alerts",
    "bobot.models.consent",
    "bobot.models.outbox",
]

__all__ = [
    "MODEL_MODULES",
    "Alert",
    "AlertKind",
    "AlertStatus",
    "ApiToken",
    "AttemptOutcome",
    "Backorder",
    "BackorderConsent",
    "BackorderPolicy",
    "BackorderStatus",
    "Cancellation",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "DemandForecast",
    "Event",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Product",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "ShipPreference",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "Supplier",
    "SupplierDelay",
    "SupplierOffer",
    "SupplierSwitch",
    "SwitchStatus",
    "TokenRole",
    "WaitlistEntry",
    "WaitlistStatus",
    "WebhookSubscription",
    "WorkerCursor",
]
