"""A PostgreSQL server for the DuckLake tests: initdb into a temporary folder, a Unix socket only (no TCP
listener), a random free port number (it names the socket), stopped and deleted at the end.

Debian's postgresql package keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off PATH; the
server refuses to run as root, so under root it runs as the `postgres` user (runuser) in folders that user
owns. Each test gets its own catalog database (`new_lake`) and its own data folder, so tests share the
server but never a lake.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SERVER_USER = "postgres"  # the server's account when the tests run as root


def pg_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and createdb: the newest /usr/lib/postgresql/<n>/bin, else PATH's."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """One running server; `new_lake()` makes a fresh catalog database and data folder for one lake."""

    bin_dir: Path
    root: Path  # data/ (the cluster), socket/ (its Unix socket), lakes/ (data folders)
    port: int = field(default_factory=_free_port)
    user: str = SERVER_USER
    _count: itertools.count = field(default_factory=itertools.count)

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "lakes").mkdir(exist_ok=True)
        for name in ("data", "socket"):
            (self.root / name).mkdir(mode=0o700, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam(self.user)
            os.chmod(self.root, 0o755)  # the server's user goes through it to its own folders
            for name in ("data", "socket"):
                os.chown(self.root / name, owner.pw_uid, owner.pw_gid)
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        self._run("initdb", "-D", str(self.root / "data"), "-U", self.user, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off"
        log = str(self.root / "data" / "log")
        self._run("pg_ctl", "-D", str(self.root / "data"), "-o", options, "-w", "-l", log, "start")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")

    def catalog_sql(self, dbname: str, sql: str) -> str:
        """Run SQL on a database of this server with psql (as the server's user); its output, unaligned."""
        psql = [str(self.bin_dir / "psql"), "-h", str(self.socket_dir), "-p", str(self.port), "-U", self.user]
        command = [*psql, "-d", dbname, "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        if os.geteuid() == 0:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout

    def add_password_user(self, dbname: str, user: str, password: str) -> str:
        """A login that must give `password` (scram-sha-256; every other login stays trusted), owner of
        `dbname`: its conninfo, without the password."""
        hba = self.root / "data" / "pg_hba.conf"
        hba.write_text(f"local all {user} scram-sha-256\n" + hba.read_text())  # the first matching line wins
        self.catalog_sql("postgres", f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
        self.catalog_sql("postgres", f"ALTER DATABASE {dbname} OWNER TO {user}")
        self._run("pg_ctl", "-D", str(self.root / "data"), "reload")
        return f"dbname={dbname} host={self.socket_dir} port={self.port} user={user}"

    def conninfo(self, dbname: str) -> str:
        """libpq's connection string for a database of this server (its socket, as its user)."""
        return f"dbname={dbname} host={self.socket_dir} port={self.port} user={self.user}"

    def new_lake(self) -> tuple[str, Path]:
        """A fresh catalog database and data folder: (DASHBOARD_DB location, DASHBOARD_LAKE_DATA folder)."""
        name = f"lake{next(self._count)}"
        self._run("createdb", "-h", str(self.socket_dir), "-p", str(self.port), "-U", self.user, name)
        data = self.root / "lakes" / name
        data.mkdir()
        return f"ducklake:postgres:{self.conninfo(name)}", data


def start_server() -> PostgresServer | None:
    """A started server in a new temporary folder, or None where PostgreSQL is not installed."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        return None
    server = PostgresServer(bin_dir, Path(tempfile.mkdtemp(prefix="pg", dir="/tmp")))  # short: socket paths
    try:
        server.start()
    except BaseException:
        shutil.rmtree(server.root, ignore_errors=True)
        raise
    return server


def stop_server(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
