"""Database configuration and life cycle (Tortoise ORM on SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from bobot.models import MODEL_MODULES

APP_LABEL = "models"


def is_postgres(url: str) -> bool:
    return url.split("://", 1)[0] in ("postgres", "postgresql", "asyncpg")


def _with_params(url: str, **defaults: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for key, value in defaults.items():
        query.setdefault(key, value)
    return urlunsplit(parts._replace(query=urlencode(query)))


#: PostgreSQL settings of every pooled connection, each overridable in ``DATABASE_URL``'s
#: query (``?lock_timeout=2s&statement_timeout=0``; 0 turns one off). A statement that waits
#: longer than ``lock_timeout`` for a lock, or runs longer than ``statement_timeout``, fails
#: (and its transaction rolls back) instead of holding a connection and its locks forever.
PG_SESSION_DEFAULTS = {"lock_timeout": "10s", "statement_timeout": "60s"}


def _postgres_connection(database_url: str, pool_max: int) -> dict[str, Any]:
    parts = urlsplit(database_url)
    query = dict(parse_qsl(parts.query))
    session = {name: query.pop(name, value) for name, value in PG_SESSION_DEFAULTS.items()}
    query.setdefault("maxsize", str(pool_max))
    connection = expand_db_url(urlunsplit(parts._replace(query=urlencode(query))))
    connection["credentials"]["server_settings"] = session
    return connection


def tortoise_config(database_url: str, *, pool_max: int = 10) -> dict[str, Any]:
    connection: str | dict[str, Any]
    if is_postgres(database_url):
        connection = _postgres_connection(database_url, pool_max)
    else:
        url = _with_params(database_url, synchronous="NORMAL", busy_timeout="5000")
        # Tortoise's SQLite client, reads run inline (bobot.sqlite_engine says why)
        connection = {**expand_db_url(url), "engine": "bobot.sqlite_engine"}
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "bobot.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def ensure_sqlite_dir(database_url: str) -> None:
    """Create the folder of a SQLite file database (``sqlite://var/bobot.sqlite3``)."""
    if database_url.startswith("sqlite://"):
        path = urlsplit(database_url).netloc + urlsplit(database_url).path
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def migrate(database_url: str) -> None:
    """Apply every pending migration (the connection is closed afterwards)."""
    ensure_sqlite_dir(database_url)
    try:
        await tortoise_migrate(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def connected(database_url: str, *, pool_max: int = 10) -> AsyncIterator[None]:
    """Open the ORM's connections for a command-line run or the worker."""
    ensure_sqlite_dir(database_url)
    await Tortoise.init(
        config=tortoise_config(database_url, pool_max=pool_max), _enable_global_fallback=True
    )
    try:
        yield
    finally:
        await Tortoise.close_connections()


# --------------------------------------------------------------------------- outages

#: What a request is told when the database cannot serve it, by reason (see ``unavailable``).
UNAVAILABLE_MESSAGES = {
    "unreachable": "The database cannot be reached right now; try again shortly.",
    "full": "The database's disk is full: nothing was written. Reads still work.",
    "read_only": "The database is read-only right now: nothing was written. Reads still work.",
}

_SQLITE_REASONS = {
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_READONLY: "read_only",
    sqlite3.SQLITE_CANTOPEN: "unreachable",
    sqlite3.SQLITE_IOERR: "unreachable",
}
#: PostgreSQL error classes of a lost server: 08 connection exception, 57P01-57P03 admin or
#: crash shutdown and "the database system is starting up".
_PG_STATES = ("08", "57P01", "57P02", "57P03")


def _reason_of(exc: BaseException) -> str | None:
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return _SQLITE_REASONS.get(code & 0xFF) if isinstance(code, int) else None
    state = getattr(exc, "sqlstate", None)
    if isinstance(state, str) and state.startswith(_PG_STATES):
        return "unreachable"
    if isinstance(exc, DBConnectionError | ConnectionError):
        return "unreachable"
    if type(exc).__module__.startswith("asyncpg") and "connection is closed" in str(exc):
        return "unreachable"  # asyncpg's InterfaceError on a connection the server dropped
    return None


def unavailable(exc: BaseException) -> str | None:
    """Why the database could not serve a request, when that is what ``exc`` (or an error it
    was raised from) says: ``"unreachable"`` (the server is down, restarting or dropped the
    connection), ``"full"`` (SQLite: no room on the disk) or ``"read_only"`` (SQLite: the
    file or its file system takes no writes). ``None`` for anything else, a bug included."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        reason = _reason_of(current)
        if reason is not None:
            return reason
        # Tortoise wraps the driver's error (``OperationalError(exc)``), chained or as its
        # argument.
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        pending.extend(a for a in current.args if isinstance(a, BaseException))
    return None


def _cli_config() -> dict[str, Any]:
    # For Tortoise's own CLI (`tortoise makemigrations`), configured in pyproject.toml.
    return tortoise_config(os.environ.get("DATABASE_URL", "sqlite://var/bobot.sqlite3"))


def __getattr__(name: str) -> Any:
    if name == "TORTOISE_ORM":
        return _cli_config()
    raise AttributeError(name)
