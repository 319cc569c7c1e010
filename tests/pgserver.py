"""A throwaway PostgreSQL server on loopback for the tests (imported, not a pytest conftest).

It uses the machine's initdb and postgres (PATH, or Debian's /usr/lib/postgresql/N/bin):
a data folder in a temporary directory, trust authentication (but for one role that must
give its password), a free port on 127.0.0.1
and the unix socket in the same folder. Stopped and removed at the end of the session.

A run that is killed (a timeout, kill -9 of a test worker) must not leave a server
behind: the server is the test process's own child, told by the kernel to die with it
(PR_SET_PDEATHSIG), its backends follow their postmaster; an atexit hook stops it and
removes the folder on every ordinary exit, and folders of killed runs are swept later.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

USER = "bot"
# A role that must give its password (every other role is trusted): the tests of a wrong
# password need a server that checks one.
GUARDED_USER = "guarded"
GUARDED_PASSWORD = "right-guarded-pass"
PREFIX = "bot-pg-"
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)
# A folder of a killed run is swept by a later session once it is this old (a younger
# one may be another session's server being set up).
_STALE_AFTER_S = 600
_BINARIES = ("initdb", "postgres", "pg_isready")


def find_bin_dir() -> Path | None:
    """The folder holding initdb, postgres and pg_isready, or None when the machine has
    no server (links on PATH are followed to the installation's folder)."""
    found = shutil.which("initdb")
    candidates = [str(Path(found).resolve().parent)] if found else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if all(Path(candidate, name).exists() for name in _BINARIES):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> str | None:
    """initdb refuses to run as root: then the server runs as an unprivileged user."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    return None


def _server_alive(folder: Path) -> bool:
    pid_file = folder / "data" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return False
    return True


def sweep_stale_folders() -> None:
    """Remove the folders of earlier runs that were killed before they could."""
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > _STALE_AFTER_S and not _server_alive(folder):
                shutil.rmtree(folder, ignore_errors=True)


def _becoming(user: str | None) -> Callable[[], None]:
    """What the server's process runs before exec: drop to `user`, then ask to die with
    its parent (in this order: a change of user clears the death signal). Only system
    calls in there: the user is looked up before the fork."""
    ids = None if user is None else (pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)

    def become() -> None:
        if ids is not None:
            os.setgroups([])
            os.setgid(ids[1])
            os.setuid(ids[0])
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return become


class PgServer:
    """One server for the session; `url(name)` names a database on it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = _run_as()
        self.log = self.folder / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            timeout=120,
            user=self.user,
        )

    def start(self) -> None:
        """initdb and start; raises with the server's log when it does not come up."""
        atexit.register(self.stop)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        hba = self.data / "pg_hba.conf"
        # The first matching line wins, so this one goes above initdb's trust lines.
        hba.write_text(f"host all {GUARDED_USER} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        settings = {
            "password_encryption": "scram-sha-256",
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.folder),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "64MB",
        }
        options = [arg for name, value in settings.items() for arg in ("-c", f"{name}={value}")]
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                [str(self.bin_dir / "postgres"), "-D", str(self.data), *options],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_becoming(self.user),
            )
        self._wait_ready()

    def _wait_ready(self, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        ready = [str(self.bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                break
            if subprocess.run(ready, check=False, timeout=30).returncode == 0:
                return
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start: {log[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server (fast shutdown, then kill) and remove its folder; safe twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # SIGINT: fast shutdown, the backends are ended with it.
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)
