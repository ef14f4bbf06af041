"""A throw-away PostgreSQL server, for the benchmark and the test suite.

Started from the machine's binaries (``/usr/lib/postgresql/<version>/bin``; ``.ci/ensure-postgres``
installs them) on 127.0.0.1 and a free port, with trust authentication, fsync off and its data
in a temporary folder that ``stop()`` removes. ``initdb`` refuses to run as root, so as root
the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin``."""
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not candidates:
        raise RuntimeError(
            "PostgreSQL binaries not found in /usr/lib/postgresql/*/bin: run .ci/ensure-postgres"
        )

    def version(path: str) -> tuple[int, ...]:
        raw = Path(path).parent.parent.name
        return tuple(int(part) for part in raw.split(".") if part.isdigit())

    return Path(max(candidates, key=version)).parent


class PostgresServer:
    """Trust auth, fsync off (like the test server), listening on 127.0.0.1 only."""

    def __init__(self, database: str = "bobot_bench") -> None:
        self.database = database
        self.bin = bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="bobot-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.port = 0
        self.running = False
        self._as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        atexit.register(self.stop)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        options = (
            f"-k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        for _attempt in range(5):  # the free port may be taken before the server binds it
            self.port = free_port()
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.root / "server.log"),
                    "-w",
                    "-t",
                    "30",
                    "-o",
                    f"-p {self.port} {options}",
                    "start",
                )
            except RuntimeError:
                continue
            self.running = True
            break
        else:
            raise RuntimeError(f"PostgreSQL did not start; see {self.root / 'server.log'}")
        self._createdb(self.database)
        return self

    def clone(self, name: str) -> str:
        """A copy of the database (``CREATE DATABASE ... TEMPLATE``, which needs it idle);
        returns its URL."""
        self._createdb("-T", self.database, name)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def _createdb(self, *args: str) -> None:
        self._run("createdb", "-h", str(self.root), "-p", str(self.port), "-U", "postgres", *args)

    def stop(self) -> None:
        if self.running:
            self.running = False
            with contextlib.suppress(RuntimeError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
