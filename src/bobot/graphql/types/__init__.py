"""Object types. Each wraps a model row; nested objects come through the request's loaders.

One module per area; they refer to each other lazily where they would otherwise import in a
circle (a product lists its backorders, a backorder names its product).
"""

from bobot.graphql.types.catalog import (
    Availability,
    Product,
    ProductLike,
    Supplier,
    SupplierOffer,
    availability_of,
    product_of,
)
from bobot.graphql.types.history import Actor, HistoryEvent
from bobot.graphql.types.orders import (
    Backorder,
    Cancellation,
    Customer,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    WaitlistEntry,
    order_of,
)
from bobot.graphql.types.purchasing import PurchaseOrder, PurchaseOrderLine
from bobot.services.availability import needs_supply
from bobot.services.catalog import PRODUCT_COLUMNS, ProductRow

__all__ = [
    "PRODUCT_COLUMNS",
    "Actor",
    "Availability",
    "Backorder",
    "Cancellation",
    "Customer",
    "HistoryEvent",
    "Order",
    "OrderLine",
    "Product",
    "ProductLike",
    "ProductRow",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Shipment",
    "ShipmentLine",
    "Supplier",
    "SupplierOffer",
    "WaitlistEntry",
    "availability_of",
    "needs_supply",
    "order_of",
    "product_of",
]
