"""SQLite, the default store, on a disk that fills up.

The database lives on a small tmpfs of the test's own; ``bobot serve`` and ``bobot worker``
run on it in their own processes. A filler file takes the last free byte: writes are then
refused with HTTP 503 and ``DATABASE_UNAVAILABLE`` (the disk is full), the transaction rolls
back whole, and reads go on answering. Once the filler is gone, the same write succeeds.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.faults.running import FILE_MODES_APPLY, bobot, running

TABLES = ("order", "order_line", "backorder", "shipment", "event", "delivery", "product")
PRODUCT = '{ product(sku: "MUG") { sku onHand allocated available backordered } }'


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 24 MiB tmpfs mounted for the test (the suite runs as root, as CI does)."""
    mount = Path(tempfile.mkdtemp(prefix="bobot-disk-", dir="/tmp"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0755", "tmpfs", str(mount)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, f"mounting a tmpfs needs root: {done.stderr}"
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        shutil.rmtree(mount, ignore_errors=True)


@contextlib.contextmanager
def full(disk: Path) -> Iterator[Path]:
    """Fill ``disk`` to its last byte with a file; removing it gives the room back."""
    filler = disk / "filler"
    chunk = b"\0" * 65536
    with filler.open("wb", buffering=0) as sink:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    sink.write(chunk[:size])
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    try:
        yield filler
    finally:
        filler.unlink()


def snapshot(path: Path) -> dict[str, object]:
    """Every table's rows, read through a connection of the test's own."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY id').fetchall() for t in TABLES}
        (check,) = conn.execute("PRAGMA integrity_check").fetchone()
    assert check == "ok"
    return rows


async def test_a_full_disk_refuses_writes_cleanly_keeps_reads_and_recovers(
    small_disk: Path, tmp_path: Path
):
    path = small_disk / "bobot.sqlite3"
    async with running(f"sqlite://{path}", tmp_path) as app:  # logs beside, not on the disk
        api = app.api
        await api.create_product("MUG", on_hand=3)
        await api.order("ana@example.com", ("MUG", 2))
        before = await app.post(PRODUCT)
        assert before.status_code == 200

        with full(small_disk):
            stored = snapshot(path)
            refused = await api.place_order("bob@example.com", ("MUG", 4))  # 1 now, 3 later
            assert refused.status_code == 503, refused
            assert refused.error_codes == ["DATABASE_UNAVAILABLE"]
            assert "disk is full" in refused.errors[0]["message"]
            receipt = await app.post(
                'mutation { receiveStock(input: {sku: "MUG", quantity: 5}) {'
                " product { onHand } userErrors { code } } }"
            )
            assert receipt.status_code == 503
            assert receipt.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
            read = await app.post(PRODUCT)  # reads still work
            assert (read.status_code, read.json()) == (200, before.json())
            assert snapshot(path) == stored  # nothing half-written
            assert app.alive(), app.logs()

        order = await api.order("bob@example.com", ("MUG", 4))  # room again: it goes through
        assert [line["quantityBackordered"] for line in order["lines"]] == [3]
        product = (await app.post(PRODUCT)).json()["data"]["product"]
        assert (product["onHand"], product["allocated"], product["backordered"]) == (3, 3, 3)
        await bobot(app.env, "doctor")


async def test_a_read_only_database_file_refuses_writes_keeps_reads_and_recovers(tmp_path: Path):
    # The processes run without the capability that lets root write whatever a file's mode
    # says: a read-only file is read-only to them.
    folder = Path(tempfile.mkdtemp(prefix="bobot-ro-", dir="/tmp"))
    path = folder / "bobot.sqlite3"
    url = f"sqlite://{path}"
    try:
        async with running(url, tmp_path, prefix=FILE_MODES_APPLY) as app:
            await app.api.create_product("MUG", on_hand=3)
            await app.api.order("ana@example.com", ("MUG", 2))
            tokens = (app.api.staff_token, app.api.storefront_token)
        path.chmod(0o444)  # as an operator's restore might leave it
        async with running(url, tmp_path, prefix=FILE_MODES_APPLY, tokens=tokens) as app:
            api = app.api
            stored = snapshot(path)
            read = await app.post(PRODUCT)  # reads work
            assert read.status_code == 200, read.text
            product = read.json()["data"]["product"]
            assert (product["onHand"], product["allocated"]) == (3, 2)
            refused = await api.place_order("bob@example.com", ("MUG", 1))
            assert refused.status_code == 503, refused
            assert refused.error_codes == ["DATABASE_UNAVAILABLE"]
            assert "read-only" in refused.errors[0]["message"]
            assert snapshot(path) == stored  # nothing half-written
            assert app.alive(), app.logs()

            path.chmod(0o644)  # the permission comes back: the running app writes again
            order = await api.order("bob@example.com", ("MUG", 1))
            assert [line["quantityBackordered"] for line in order["lines"]] == [0]
            await bobot(app.env, "doctor", prefix=FILE_MODES_APPLY)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
