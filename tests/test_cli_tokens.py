"""`bobot token create|list|revoke` and `bobot recount-deliveries` on a real database file,
as an operator runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bobot(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "BOBOT_ENV": "development"}
    return subprocess.run(
        [sys.executable, "-m", "bobot", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def database_url() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="bobot-cli-", dir="/tmp"))
    yield f"sqlite://{folder / 'bobot.sqlite3'}"
    shutil.rmtree(folder)


def test_an_operator_creates_lists_and_revokes_tokens(database_url):
    url = database_url
    assert _bobot(url, "migrate").returncode == 0

    created = _bobot(url, "token", "create", "--role", "staff", "--expires-in", "30d", "Ana (ops)")
    shop = _bobot(url, "token", "create", "--role", "storefront", "shop")
    listed = _bobot(url, "token", "list")
    revoked = _bobot(url, "token", "revoke", "1")
    after = _bobot(url, "token", "list")
    everything = _bobot(url, "token", "list", "--all")
    unknown = _bobot(url, "token", "revoke", "99")
    bad_expiry = _bobot(url, "token", "create", "--role", "staff", "--expires-in", "soon", "x")

    assert created.returncode == 0 and created.stdout.startswith("bbs_")
    assert shop.stdout.startswith("bbf_")
    rows = listed.stdout.splitlines()[1:]
    assert [row.split()[:2] for row in rows] == [["1", "staff"], ["2", "storefront"]]
    assert "Ana (ops)" in rows[0] and rows[0].count("UTC") == 2  # created and expires
    assert created.stdout.strip() not in listed.stdout
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert [row.split()[0] for row in after.stdout.splitlines()[1:]] == ["2"]
    assert len(everything.stdout.splitlines()) == 3
    assert unknown.returncode != 0 and "No API token" in unknown.stderr
    assert bad_expiry.returncode != 0


def test_an_operator_recounts_the_supplier_records_of_the_demo_store(database_url):
    url = database_url
    assert _bobot(url, "migrate").returncode == 0
    assert _bobot(url, "demo").returncode == 0
    recounted = _bobot(url, "recount-deliveries")
    assert recounted.returncode == 0, recounted.stderr
    assert "Supplier records recounted from the history:" in recounted.stdout
    assert recounted.stdout.rstrip().endswith("deliveries")
