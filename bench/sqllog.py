"""Counting the SQL statements Tortoise sends: a DEBUG handler on ``tortoise.db_client``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


class _Counter(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        # Statements are logged as ("%s: %s", query, values) or as a bare query; connection
        # messages ("Created connection ...") carry other arguments.
        if record.msg == "%s: %s" and isinstance(record.args, tuple) and record.args:
            self.sink.append(str(record.args[0]))
        elif not record.args and isinstance(record.msg, str):
            self.sink.append(record.msg)


@contextlib.contextmanager
def capture_sql() -> Iterator[list[str]]:
    statements: list[str] = []
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Counter(statements), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
