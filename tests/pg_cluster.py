"""A throwaway PostgreSQL cluster for the tests, plus per-test databases.

Fixtures:

- ``pg_server`` (session): runs ``initdb`` and ``pg_ctl`` on a temp folder, listening on
  127.0.0.1 only (trust auth there, unix socket inside the temp folder), yields the base
  URL ``postgresql+psycopg://postgres@127.0.0.1:PORT/``, stops the cluster and removes
  the folder at the end, also when starting or a test fails.
- ``pg_url`` (function): a fresh, empty database ``t_xxx`` on that server, dropped after.
- ``any_url`` (function, parametrised "sqlite" / "postgres"): ``sqlite_url`` from
  conftest or ``pg_url``, so one test runs against both databases.

``initdb`` refuses to run as root, so as root the binaries run as the ``postgres`` user
(``runuser -u postgres --``, else ``su postgres -c``). Missing PostgreSQL binaries skip
the PostgreSQL tests locally, but FAIL them when the ``CI`` environment variable is set:
PostgreSQL tests must never be skipped silently in CI.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_SUPERUSER = "postgres"
RUN_AS = "postgres"  # the account that owns the cluster when the tests run as root
START_ATTEMPTS = 3
START_TIMEOUT_S = 60

_STARTUP_KEY = pytest.StashKey[float]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where PostgreSQL tests must never be skipped."""
    if _in_ci():
        pytest.fail(f"{reason} (CI is set: PostgreSQL tests must run)", pytrace=False)
    pytest.skip(reason)


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin/initdb -> (15,)
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name))


def find_pg_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin with initdb and pg_ctl, else the PATH's."""
    candidates = [
        initdb
        for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb")
        if (initdb.parent / "pg_ctl").exists()
    ]
    if candidates:
        return max(candidates, key=_version_key).parent
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _as_cluster_owner(argv: list[str]) -> list[str]:
    """The command line that runs ``argv`` as the cluster's owner."""
    if not _is_root():
        return argv
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", RUN_AS, "--", *argv]
    return [shutil.which("su") or "su", RUN_AS, "-c", shlex.join(argv)]


def _run(argv: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        _as_cluster_owner(argv),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "LC_ALL": "C", "LANG": "C"},
    )


@dataclass
class PgCluster:
    bin_dir: Path
    root: Path
    port: int = 0
    running: bool = False

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{PG_SUPERUSER}@127.0.0.1:{self.port}/"

    def init(self) -> None:
        self.socket_dir.mkdir()
        if _is_root():
            for path in (self.root, self.socket_dir):
                shutil.chown(path, RUN_AS, RUN_AS)
        done = _run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                PG_SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        # Trust only the local socket and 127.0.0.1; nothing else may connect.
        (self.data_dir / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n", encoding="utf-8"
        )
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# comcen tests\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
                # Not UTC on purpose: stored times must come back as UTC anyway.
                "timezone = 'Asia/Jakarta'\n"
                "max_connections = 60\n"
            )

    def start(self) -> None:
        last_error = ""
        for _attempt in range(START_ATTEMPTS):
            self.port = _free_port()
            done = self._pg_ctl_start()
            if done.returncode == 0:
                self.running = True
                return
            last_error = done.stdout + done.stderr + self._log_tail()
            self.stop()  # a half-started server must not linger
        raise RuntimeError(f"pg_ctl start failed {START_ATTEMPTS} times:\n{last_error}")

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            self.running = False
            return
        _run(
            [
                str(self.bin_dir / "pg_ctl"),
                "stop",
                "-w",
                "-m",
                "immediate",
                "-D",
                str(self.data_dir),
            ],
            timeout=60,
        )
        self.running = False

    def start_again(self) -> None:
        """Start a stopped cluster on the port it had, so URLs handed out stay valid."""
        done = self._pg_ctl_start()
        if done.returncode != 0:
            raise RuntimeError(
                f"pg_ctl start failed:\n{done.stdout}{done.stderr}{self._log_tail()}"
            )
        self.running = True

    def _pg_ctl_start(self):
        command = [
            str(self.bin_dir / "pg_ctl"), "start", "-w", "-t", str(START_TIMEOUT_S),
            "-D", str(self.data_dir), "-l", str(self.log_file), "-o", f"-p {self.port}",
        ]  # fmt: skip
        return _run(command, timeout=START_TIMEOUT_S + 30)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            return "\n--- server log ---\n" + self.log_file.read_text()[-4000:]
        except OSError:
            return ""


def _admin_connect(base_url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


@pytest.fixture(scope="session")
def pg_server(request) -> str:
    """Base URL of a throwaway PostgreSQL cluster on 127.0.0.1, removed afterwards."""
    bin_dir = find_pg_bin_dir()
    if bin_dir is None:
        _unavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under "
            "/usr/lib/postgresql/*/bin or on PATH; install postgresql-15"
        )
    if _is_root():
        try:
            import pwd

            pwd.getpwnam(RUN_AS)
        except KeyError:
            _unavailable(f"running as root and there is no '{RUN_AS}' user to run initdb")

    # Not pytest's tmp_path: that folder is private to the test user, and the server
    # runs as 'postgres' when the tests run as root.
    cluster = PgCluster(bin_dir, Path(tempfile.mkdtemp(prefix="comcen-pg-")))
    try:
        started = time.perf_counter()
        cluster.init()
        cluster.start()
        request.config.stash[_STARTUP_KEY] = time.perf_counter() - started
        yield cluster.url
    finally:
        cluster.stop()
        cluster.remove()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty database on the test cluster; dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with _admin_connect(pg_server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{pg_server}{name}"
    finally:
        with _admin_connect(pg_server) as conn:
            # FORCE: a test that failed before disposing its engine still gets cleaned up.
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def any_url(request) -> str:
    """A database URL for open_database: a SQLite file, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    startup = config.stash.get(_STARTUP_KEY, None)
    if startup is not None:
        terminalreporter.write_line(f"PostgreSQL test cluster: initdb + start took {startup:.2f} s")


def _require_pg_binaries() -> Path:
    bin_dir = find_pg_bin_dir()
    if bin_dir is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql-15")
    if _is_root():
        import pwd

        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            _unavailable(f"running as root and there is no '{RUN_AS}' user to run initdb")
    return bin_dir


@pytest.fixture
def private_pg():
    """(cluster, URL of its database "comcen"): a cluster of this test's own, which the
    test may stop and start again (cluster.stop(), cluster.start_again()) without
    disturbing the other tests' shared server. Removed afterwards."""
    cluster = PgCluster(_require_pg_binaries(), Path(tempfile.mkdtemp(prefix="comcen-pgp-")))
    try:
        cluster.init()
        # The shared cluster trades durability for speed; a test that crashes its
        # server must not lose commits the server already acknowledged.
        with (cluster.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("synchronous_commit = on\nfsync = on\n")
        cluster.start()
        with _admin_connect(cluster.url) as conn:
            conn.execute('CREATE DATABASE "comcen"')
        yield cluster, f"{cluster.url}comcen"
    finally:
        cluster.stop()
        cluster.remove()
