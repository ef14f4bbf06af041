"""The shortage report kept as a table, so that a page of it is one indexed read.

``shortage_summary`` holds one row per product whose backorders wait: what the report shows
of it, as computed for one day and one set of date rules (``shortage_state.basis``).
``shortage_stale`` lists the products whose row may be out of date. Triggers add a product
to it in the same transaction as whatever changes its report: its backordered or available
units (every change to its waiting backorders changes them), its purchase-order lines, a
purchase order's status or date, its supplier offers. The report's reader brings the rows
of the listed products up to date before it reads (``bobot.services.shortage_summary``), and
rebuilds the whole table when the day or the rules change.

The triggers only mark products; what the report says is computed in Python by the same
code as ever. On PostgreSQL a mark is written with ``ON CONFLICT DO UPDATE`` so that the
writer holds its row lock until it commits: a refresh skips locked marks (``SKIP LOCKED``)
and so never drops a mark whose change it cannot yet see. Bulk loads that turn triggers off
(``session_replication_role = replica``) must start without a ``shortage_state`` row, which
makes the next read rebuild everything.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

SQLITE_TABLES = [
    """CREATE TABLE shortage_summary (
    product_id INTEGER NOT NULL PRIMARY KEY,
    sku VARCHAR(64) NOT NULL,
    severity INT NOT NULL,
    uncovered INT NOT NULL,
    oldest_age_days INT NOT NULL,
    backordered INT NOT NULL,
    available INT NOT NULL,
    incoming TEXT NOT NULL,
    next_purchase_order_date DATE,
    eta_for_new_order DATE NOT NULL,
    eta_is_estimate INT NOT NULL
)""",
    "CREATE TABLE shortage_stale (product_id INTEGER NOT NULL PRIMARY KEY)",
    "CREATE TABLE shortage_state (id INTEGER NOT NULL PRIMARY KEY, basis TEXT NOT NULL)",
]

POSTGRES_TABLES = [
    """CREATE TABLE shortage_summary (
    product_id INT NOT NULL PRIMARY KEY,
    sku VARCHAR(64) COLLATE "C" NOT NULL,
    severity INT NOT NULL,
    uncovered INT NOT NULL,
    oldest_age_days INT NOT NULL,
    backordered INT NOT NULL,
    available INT NOT NULL,
    incoming TEXT NOT NULL,
    next_purchase_order_date DATE,
    eta_for_new_order DATE NOT NULL,
    eta_is_estimate BOOLEAN NOT NULL
)""",
    "CREATE TABLE shortage_stale (product_id INT NOT NULL PRIMARY KEY)",
    "CREATE TABLE shortage_state (id INT NOT NULL PRIMARY KEY, basis TEXT NOT NULL)",
]

#: The report's order: worst first (see ``bobot.services.shortages.sort_key``).
RANK_INDEX = (
    "CREATE INDEX shortage_summary_rank ON shortage_summary"
    " (severity DESC, uncovered DESC, oldest_age_days DESC, sku)"
)

_SHORT = "EXISTS (SELECT 1 FROM product WHERE id = {id} AND backordered > 0)"
_MARK_SQLITE = "INSERT OR IGNORE INTO shortage_stale (product_id) SELECT {id} WHERE " + _SHORT

SQLITE_TRIGGERS = [
    """CREATE TRIGGER shortage_product_insert AFTER INSERT ON product
WHEN NEW.backordered > 0
BEGIN INSERT OR IGNORE INTO shortage_stale (product_id) VALUES (NEW.id); END""",
    """CREATE TRIGGER shortage_product_update AFTER UPDATE OF backordered, available, sku ON product
WHEN (NEW.backordered > 0 OR OLD.backordered > 0) AND (NEW.backordered <> OLD.backordered
      OR NEW.available <> OLD.available OR NEW.sku <> OLD.sku)
BEGIN INSERT OR IGNORE INTO shortage_stale (product_id) VALUES (NEW.id); END""",
    """CREATE TRIGGER shortage_product_delete AFTER DELETE ON product
WHEN OLD.backordered > 0
BEGIN INSERT OR IGNORE INTO shortage_stale (product_id) VALUES (OLD.id); END""",
    f"""CREATE TRIGGER shortage_po_line_insert AFTER INSERT ON purchase_order_line
BEGIN {_MARK_SQLITE.format(id="NEW.product_id")}; END""",
    f"""CREATE TRIGGER shortage_po_line_update AFTER UPDATE
OF quantity, quantity_received, product_id, purchase_order_id ON purchase_order_line
BEGIN {_MARK_SQLITE.format(id="NEW.product_id")};
{_MARK_SQLITE.format(id="OLD.product_id")}; END""",
    f"""CREATE TRIGGER shortage_po_line_delete AFTER DELETE ON purchase_order_line
BEGIN {_MARK_SQLITE.format(id="OLD.product_id")}; END""",
    """CREATE TRIGGER shortage_po_update AFTER UPDATE OF status, expected_date ON purchase_order
BEGIN INSERT OR IGNORE INTO shortage_stale (product_id)
SELECT l.product_id FROM purchase_order_line l JOIN product p ON p.id = l.product_id
 WHERE l.purchase_order_id = NEW.id AND p.backordered > 0; END""",
    f"""CREATE TRIGGER shortage_offer_insert AFTER INSERT ON supplier_offer
BEGIN {_MARK_SQLITE.format(id="NEW.product_id")}; END""",
    f"""CREATE TRIGGER shortage_offer_update AFTER UPDATE OF lead_time_days, active, product_id
ON supplier_offer
BEGIN {_MARK_SQLITE.format(id="NEW.product_id")};
{_MARK_SQLITE.format(id="OLD.product_id")}; END""",
    f"""CREATE TRIGGER shortage_offer_delete AFTER DELETE ON supplier_offer
BEGIN {_MARK_SQLITE.format(id="OLD.product_id")}; END""",
]

_MARK_PG = """INSERT INTO shortage_stale AS s (product_id) SELECT {id} WHERE {where}
    ON CONFLICT (product_id) DO UPDATE SET product_id = s.product_id;"""

POSTGRES_FUNCTIONS = {
    # a product's own row: marked whatever its state (the trigger's WHEN decides)
    "shortage_mark_product": f"""
BEGIN
  IF TG_OP = 'DELETE' THEN
    {_MARK_PG.format(id="OLD.id", where="TRUE")}
  ELSE
    {_MARK_PG.format(id="NEW.id", where="TRUE")}
  END IF;
  RETURN NULL;
END""",
    # a row naming a product (purchase-order line, supplier offer): marked if it is short
    "shortage_mark_row_product": f"""
BEGIN
  IF TG_OP <> 'INSERT' THEN
    {_MARK_PG.format(id="OLD.product_id", where=_SHORT.format(id="OLD.product_id"))}
  END IF;
  IF TG_OP <> 'DELETE' THEN
    {_MARK_PG.format(id="NEW.product_id", where=_SHORT.format(id="NEW.product_id"))}
  END IF;
  RETURN NULL;
END""",
    "shortage_mark_po_products": """
BEGIN
  INSERT INTO shortage_stale AS s (product_id)
  SELECT l.product_id FROM purchase_order_line l JOIN product p ON p.id = l.product_id
   WHERE l.purchase_order_id = NEW.id AND p.backordered > 0
   ORDER BY l.product_id
      ON CONFLICT (product_id) DO UPDATE SET product_id = s.product_id;
  RETURN NULL;
END""",
}

_EACH = "FOR EACH ROW"
POSTGRES_TRIGGERS = [
    f"""CREATE TRIGGER shortage_product_insert AFTER INSERT ON product {_EACH}
WHEN (NEW.backordered > 0) EXECUTE FUNCTION shortage_mark_product()""",
    f"""CREATE TRIGGER shortage_product_update AFTER UPDATE OF backordered, available, sku
ON product {_EACH}
WHEN ((NEW.backordered > 0 OR OLD.backordered > 0) AND (NEW.backordered, NEW.available, NEW.sku)
      IS DISTINCT FROM (OLD.backordered, OLD.available, OLD.sku))
EXECUTE FUNCTION shortage_mark_product()""",
    f"""CREATE TRIGGER shortage_product_delete AFTER DELETE ON product {_EACH}
WHEN (OLD.backordered > 0) EXECUTE FUNCTION shortage_mark_product()""",
    f"""CREATE TRIGGER shortage_po_line_change AFTER INSERT OR DELETE OR UPDATE
OF quantity, quantity_received, product_id, purchase_order_id ON purchase_order_line {_EACH}
EXECUTE FUNCTION shortage_mark_row_product()""",
    f"""CREATE TRIGGER shortage_po_update AFTER UPDATE OF status, expected_date
ON purchase_order {_EACH}
WHEN ((NEW.status, NEW.expected_date) IS DISTINCT FROM (OLD.status, OLD.expected_date))
EXECUTE FUNCTION shortage_mark_po_products()""",
    f"""CREATE TRIGGER shortage_offer_change AFTER INSERT OR DELETE OR UPDATE
OF lead_time_days, active, product_id ON supplier_offer {_EACH}
EXECUTE FUNCTION shortage_mark_row_product()""",
]

TRIGGERS = {
    "shortage_product_insert": "product",
    "shortage_product_update": "product",
    "shortage_product_delete": "product",
    "shortage_po_line_insert": "purchase_order_line",
    "shortage_po_line_update": "purchase_order_line",
    "shortage_po_line_delete": "purchase_order_line",
    "shortage_po_line_change": "purchase_order_line",
    "shortage_po_update": "purchase_order",
    "shortage_offer_insert": "supplier_offer",
    "shortage_offer_update": "supplier_offer",
    "shortage_offer_delete": "supplier_offer",
    "shortage_offer_change": "supplier_offer",
}


def _statements(postgres: bool) -> list[str]:
    if not postgres:
        return [*SQLITE_TABLES, RANK_INDEX, *SQLITE_TRIGGERS]
    functions = [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body${body}\n$body$"
        for name, body in POSTGRES_FUNCTIONS.items()
    ]
    return [*POSTGRES_TABLES, RANK_INDEX, *functions, *POSTGRES_TRIGGERS]


async def create(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in _statements(client.capabilities.dialect == "postgres"):
        await client.execute_script(statement)


async def drop(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for name, table in TRIGGERS.items():
        on = f" ON {table}" if postgres else ""
        await client.execute_script(f"DROP TRIGGER IF EXISTS {name}{on}")
    if postgres:
        for name in POSTGRES_FUNCTIONS:
            await client.execute_script(f"DROP FUNCTION IF EXISTS {name}()")
    for table in ("shortage_summary", "shortage_stale", "shortage_state"):
        await client.execute_script(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("models", "0010_outbox")]

    initial = False

    operations = [ops.RunPython(create, drop)]
