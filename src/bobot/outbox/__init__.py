"""The outbox (see types)."""
