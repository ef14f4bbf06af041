"""Which failures mean "the database cannot serve this now" (``bobot.db.unavailable``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg.exceptions as pg
import pytest
from tortoise.exceptions import OperationalError

from bobot.db import unavailable


def sqlite_error(path: Path, setup: str, statement: str, uri: str = "") -> sqlite3.Error:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (x BLOB)")
    conn = sqlite3.connect(f"file:{path}{uri}", uri=True)
    try:
        if setup:
            conn.execute(setup)
        with pytest.raises(sqlite3.Error) as raised:
            for _ in range(100):
                conn.execute(statement)
                conn.commit()
        return raised.value
    finally:
        conn.close()


def test_sqlite_full_and_read_only_are_told_apart(tmp_path: Path) -> None:
    # A page limit is SQLite's own "disk is full" (SQLITE_FULL), as ENOSPC gives.
    full = sqlite_error(
        tmp_path / "full.db", "PRAGMA max_page_count = 3", "INSERT INTO t VALUES (zeroblob(8000))"
    )
    assert unavailable(full) == "full"
    read_only = sqlite_error(tmp_path / "ro.db", "", "INSERT INTO t VALUES (1)", uri="?mode=ro")
    assert unavailable(read_only) == "read_only"
    # Tortoise wraps the driver's error: the reason is found through it.
    try:
        raise OperationalError(full) from full
    except OperationalError as wrapped:
        assert unavailable(wrapped) == "full"


def test_a_lost_postgres_server_is_unreachable() -> None:
    for error in (
        pg.AdminShutdownError("terminating connection due to administrator command"),
        pg.CannotConnectNowError("the database system is starting up"),
        pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        pg.InterfaceError("connection is closed"),
        ConnectionRefusedError(111, "Connect call failed"),
    ):
        assert unavailable(error) == "unreachable", error
    try:
        try:
            raise ConnectionResetError(104, "reset")
        except ConnectionResetError:
            raise OperationalError("query failed")  # noqa: B904 (chained implicitly)
    except OperationalError as wrapped:
        assert unavailable(wrapped) == "unreachable"


def test_bugs_and_refusals_are_not_outages() -> None:
    assert unavailable(ValueError("a bug")) is None
    assert unavailable(pg.UniqueViolationError("duplicate key")) is None
    assert unavailable(pg.LockNotAvailableError("lock timeout")) is None
    assert unavailable(sqlite3.OperationalError("no such table: t")) is None
    assert (
        unavailable(pg.InterfaceError("cannot perform operation: another is in progress")) is None
    )
