"""Block Kit, built by pure functions from operation results (no Slack, no database).

Every piece of user-supplied text (product, supplier and SKU names, causes, reasons) goes
through :func:`bobot.slack.blocks.text.escape`, so a product named ``<!channel>`` pings no one.
"""

from bobot.slack.blocks.text import Reply, escape

__all__ = ["Reply", "escape"]
