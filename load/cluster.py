"""The load run's own servers: a throwaway PostgreSQL cluster and gunicorn, both on loopback.

The cluster lives in a temporary directory and runs as the `postgres` OS user (initdb refuses root),
on a free port with its socket in that directory, so restarting it never touches the machine's own
PostgreSQL server. Everything started here is stopped by `Servers.close()`, which is safe to call twice.
"""

from __future__ import annotations

import glob
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "load-run-secret-key-for-loopback-only"  # noqa: S105 (a throwaway key for a loopback-only run)
DATABASE = "medical_home"


def say(message: str = "") -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin(name: str) -> str:
    """The newest installed PostgreSQL's program (initdb and pg_ctl are not on PATH on Debian)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if found:
        return found[-1]
    if shutil.which(name):
        return name
    raise SystemExit(f"{name} not found: install PostgreSQL's server package (apt-get install postgresql)")


def as_postgres(args: list[str], timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """Run a PostgreSQL program as the postgres OS user when we are root, else as ourselves."""
    command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{' '.join(args[:2])} did not finish within {timeout:.0f}s") from None
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done


class Servers:
    """The private PostgreSQL cluster and the gunicorn serving the app on it."""

    def __init__(self, workers: int = 2, threads: int = 4) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="medical-home-load-"))
        self.data = self.workdir / "data"
        self.pg_log = self.workdir / "postgres.log"
        self.app_log = self.workdir / "gunicorn.log"
        self.pg_port = free_port()
        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.cluster_started = False
        self.gunicorn: subprocess.Popen | None = None
        self.url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/{DATABASE}"

    # ------------------------------------------------------------------ PostgreSQL
    def start_cluster(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
        as_postgres([postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                     "--encoding=UTF8", "--locale=C", "--no-sync"])
        options = (f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.workdir} "
                   "-c max_connections=60 -c shared_buffers=128MB")
        as_postgres([postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.pg_log), "-o", options,
                     "-w", "-t", "60", "start"])
        self.cluster_started = True
        as_postgres([postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                     DATABASE])

    def restart_cluster(self) -> float:
        """pg_ctl restart -m fast: every connection is cut; returns the seconds it took. The server keeps
        the options it was started with; the log file must be named again (or it would hold our pipe)."""
        started = time.monotonic()
        as_postgres([postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.pg_log), "-m", "fast", "-w",
                     "-t", "60", "restart"])
        return time.monotonic() - started

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop_cluster(self) -> None:
        if self.cluster_started:
            as_postgres([postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop"],
                        check=False)
            self.cluster_started = False

    # ------------------------------------------------------------------ the app
    def env(self, app_env: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(APP_ENV=app_env, DATABASE_URL=self.url, SECRET_KEY=SECRET, RATELIMIT_STORAGE_URI="memory://",
                   BASE_URL="http://127.0.0.1",
                   PYTHONUNBUFFERED="1")
        env.pop("DEMO_PASSWORD", None)
        return env

    def flask(self, args: list[str], timeout: float = 600) -> str:
        """A flask command on the private database (development config: `flask demo` refuses production)."""
        command = [sys.executable, "-m", "flask", "--app", "app", *args]
        done = subprocess.run(command, cwd=ROOT, env=self.env("development"), capture_output=True,  # noqa: S603
                              text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"`flask {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_gunicorn(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--worker-class", "gthread", "--threads", str(self.threads), "--timeout", "60",
            "--graceful-timeout", "10", "--log-level", "info", "app:create_app()",
        ]
        log = open(self.app_log, "w")  # noqa: SIM115 (closed in stop_gunicorn)
        self.gunicorn = subprocess.Popen(command, cwd=ROOT, env=self.env("production"), stdout=log,  # noqa: S603
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.gunicorn.log_file = log  # type: ignore[attr-defined]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.gunicorn.poll() is None:
            if self.healthz() == 200:
                return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s:\n" + self.app_log.read_text()[-3000:])

    def healthz(self, timeout: float = 5) -> int | None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status
        except OSError:
            return None
        finally:
            conn.close()

    def stop_gunicorn(self) -> None:
        server, self.gunicorn = self.gunicorn, None
        if server is None:
            return
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # graceful: the arbiter stops its workers
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        server.log_file.close()  # type: ignore[attr-defined]

    def close(self, keep: bool = False) -> None:
        """Stop gunicorn and the cluster; remove the directory unless asked to keep it for a post-mortem."""
        try:
            self.stop_gunicorn()
        finally:
            self.stop_cluster()
            if keep:
                say(f"kept the logs and the cluster's files in {self.workdir}")
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)
