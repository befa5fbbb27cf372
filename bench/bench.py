"""`make bench`: page cost against organization size, measured side by side.

1. For 500 and 5,000 employees: a fresh database (SQLite in a temp dir, or the PostgreSQL database
   in BENCH_DATABASE_URL after dropping its schema), `flask db upgrade`, `seed`, `demo` (timed).
2. In a separate Python process per size: sign in with the Flask test client and count the SQL
   statements of /healthz, /team (manager@demo.clinic), /reports and /reports/validity
   (hr@demo.clinic), once with the page built from the database and once served from its cached
   parts (app.page_cache).
3. At each size, gunicorn (2 gthread workers x 4 threads) on a free loopback port, in three modes:
   cached (parts kept between requests; then one full CSV export), built (CACHE_TYPE=NullCache) and
   mix (cached, while a child process approves a sign-off or completes a module once a second; the
   workers count the parts served from the cache). Requests per second of every page of PAGES,
   interleaved in rounds; each ratio is to /healthz of the same run.

Standard library only on the client side. Every loop and subprocess is bounded in time.
Settings (environment): BENCH_DATABASE_URL, BENCH_SECONDS (per page and mode, default 6),
BENCH_ROUNDS (default 2), BENCH_MODES (default "cached,built,mix"), BENCH_THREADS (default 8),
BENCH_SIZES (default "500,5000"), BENCH_BUDGET (default 480 s),
BENCH_STRICT=1 (exit 1 when a target is missed or a page's query count grows).
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "medical-home-demo"  # noqa: S105 (the documented demo password)
MANAGER = "manager@demo.clinic"
HR = "hr@demo.clinic"
SECRET = "bench-secret"  # noqa: S105 (a throwaway key for a loopback-only benchmark)
USER_AGENT = "medical-home-bench/1"
TARGETS = {"/team": 0.2, "/reports": 0.05}
PAGES = [("/healthz", None), ("/team", MANAGER), ("/reports", HR), ("/reports/validity", HR), ("/reports/compliance", HR)]
EXPORT = "/reports/training.csv"
API_PAGE = "/api/v1/employees?limit=100"  # a page of 100 employees with an admin-issued token (issue #14)
JSON_MARK = "BENCH_JSON:"


def env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


SECONDS = env_int("BENCH_SECONDS", 6)
ROUNDS = max(1, env_int("BENCH_ROUNDS", 2))
THREADS = max(1, env_int("BENCH_THREADS", 8))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "500,5000").split(",") if s.strip()]
BUDGET = env_int("BENCH_BUDGET", 480)  # seconds; rounds after the first of a mode are skipped past it
# cached: the parts kept between requests; built: CACHE_TYPE=NullCache, every page built from the database;
# mix: cached, while a second client completes a module or approves a sign-off once a second.
MODES = [m for m in os.environ.get("BENCH_MODES", "cached,built,mix").split(",") if m in ("cached", "built", "mix")]
SEEN_MARK = "BENCH_SEEN:"  # bench/gunicorn_seen.py
PART_MARK = "BENCH_PART:"


def say(message: str = "") -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- databases


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "postgresql+"))


def reset_postgres(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    from config import database_url

    engine = create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def flask_env(url: str, app_env: str = "development") -> dict[str, str]:
    env = dict(os.environ)
    env.update(APP_ENV=app_env, DATABASE_URL=url, SECRET_KEY=SECRET, RATELIMIT_STORAGE_URI="memory://",
               BASE_URL="http://127.0.0.1")
    env.pop("DEMO_PASSWORD", None)
    return env


def flask(args: list[str], url: str, timeout: float) -> str:
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    done = subprocess.run(command, cwd=ROOT, env=flask_env(url), capture_output=True, text=True,  # noqa: S603
                          timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"`flask {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build(employees: int, workdir: Path) -> tuple[str, float]:
    """A fresh database with the demo organization; returns its URL and the demo build time."""
    pg_url = os.environ.get("BENCH_DATABASE_URL", "")
    if pg_url and is_postgres(pg_url):
        reset_postgres(pg_url)
        url = pg_url
    else:
        url = f"sqlite:///{workdir / f'bench-{employees}.db'}"
    flask(["db", "upgrade"], url, timeout=120)
    flask(["seed"], url, timeout=120)
    started = time.perf_counter()
    flask(["demo", "--employees", str(employees), "--password", PASSWORD], url, timeout=300)
    return url, time.perf_counter() - started


# --------------------------------------------------------------------------- query counts (child process)


class Recorder:
    """SQL statements (seconds, text) executed while `active`; fed by Engine-wide listeners."""

    def __init__(self) -> None:
        self.active = False
        self.statements: list[tuple[float, str]] = []
        self.starts: dict[int, float] = {}

    def install(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        event.listen(Engine, "before_cursor_execute", self.before)
        event.listen(Engine, "after_cursor_execute", self.after)

    def before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.starts[id(cursor)] = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        started = self.starts.pop(id(cursor), None)
        if self.active:
            self.statements.append((time.perf_counter() - (started or time.perf_counter()), statement))

    def start(self) -> None:
        self.statements, self.active = [], True

    def stop(self) -> list[tuple[float, str]]:
        self.active = False
        return self.statements


def one_line(statement: str) -> str:
    return re.sub(r"\s+", " ", statement).strip()


def short(statement: str) -> str:
    """One line, the outer select list folded so that FROM and WHERE show."""
    statement = re.sub(r"^SELECT (.{50}).*? FROM ", r"SELECT \1... FROM ", one_line(statement), count=1)
    return statement[:300]


def count_queries_child() -> None:
    """Run in a fresh interpreter: sign in with the test client and count each page's statements."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(APP_ENV="development", SECRET_KEY=SECRET, RATELIMIT_STORAGE_URI="memory://")
    from app import create_app
    from config import DevelopmentConfig

    class BenchConfig(DevelopmentConfig):
        DEBUG = False
        WTF_CSRF_ENABLED = False
        LOGIN_RATE_LIMIT = "1000 per minute"
        PROPAGATE_EXCEPTIONS = True  # a failing page reports its exception instead of a bare 500

    recorder = Recorder()
    recorder.install()
    app = create_app(BenchConfig)
    results = {}
    for path, email in [*PAGES, (EXPORT, HR)]:
        try:
            results[path] = measure_page(app, recorder, path, email)
        except Exception as error:  # noqa: BLE001 (reported, not hidden)
            recorder.stop()
            results[path] = {"status": f"error {type(error).__name__}: {error}"[:300]}
    try:
        results[API_PAGE] = measure_api(app, recorder)
    except Exception as error:  # noqa: BLE001 (reported, not hidden)
        recorder.stop()
        results[API_PAGE] = {"status": f"error {type(error).__name__}: {error}"[:300]}
    print(JSON_MARK + json.dumps(results), flush=True)


def measure_api(app, recorder: Recorder) -> dict:
    """API_PAGE with a read:employees token issued in-process: a warm-up, then one counted request."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from app.api.tokens import issue_token
    from app.extensions import db
    from app.models import User

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.clinic"))
        _, secret = issue_token(actor=admin, name="bench", scopes=["read:employees"],
                                expires_on=date.today() + timedelta(days=1))
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    client.get(API_PAGE, headers=headers).get_data()  # warm-up
    recorder.start()
    started = time.perf_counter()
    response = client.get(API_PAGE, headers=headers)
    body = response.get_data()
    elapsed = time.perf_counter() - started
    statements = recorder.stop()
    ms = elapsed * 1000
    return {"status": response.status_code, "queries": len(statements), "bytes": len(body),
            "sql_ms": sum(t for t, _ in statements) * 1000, "ms": ms, "cached_queries": len(statements),
            "cached_ms": ms, "items": len(response.get_json().get("items", [])),
            "slowest": [[t * 1000, short(s)] for t, s in sorted(statements, key=lambda i: i[0], reverse=True)[:5]],
            "repeated": [[n, short(s)] for s, n in Counter(one_line(s) for _, s in statements).most_common(3) if n > 1]}


def best_of(client, path: str, before=None) -> float:
    """The fastest of up to 5 requests in about 1 s (less noise); `before` runs ahead of each."""
    timings, deadline = [], time.perf_counter() + 1.0
    while len(timings) < 5 and (not timings or time.perf_counter() < deadline):
        if before:
            before()
        started = time.perf_counter()
        client.get(path).get_data()
        timings.append(time.perf_counter() - started)
    return min(timings)


def measure_page(app, recorder: Recorder, path: str, email: str | None) -> dict:
    """GET path signed in as email: a warm-up, one counted request that builds the page (cached parts
    forgotten first), then one served from the cached parts; each also timed as the best of a few."""
    from app.extensions import cache

    def forget_cached_parts() -> None:
        with app.app_context():
            cache.clear()

    client = app.test_client()
    if email:
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        if response.status_code != 302:
            return {"status": f"sign-in as {email} failed ({response.status_code})"}
    if path != EXPORT:
        client.get(path).get_data()  # warm-up: template compilation, first-use caches
    forget_cached_parts()
    recorder.start()
    started = time.perf_counter()
    response = client.get(path)
    body = response.get_data()  # streamed responses run their queries here
    elapsed = time.perf_counter() - started
    statements = recorder.stop()
    result = {"status": response.status_code, "queries": len(statements), "bytes": len(body),
              "sql_ms": sum(t for t, _ in statements) * 1000}
    if path == EXPORT:
        result.update(ms=elapsed * 1000, cached_queries=len(statements), cached_ms=elapsed * 1000)
    else:
        result["ms"] = min(elapsed, best_of(client, path, before=forget_cached_parts)) * 1000
        client.get(path).get_data()  # fills the cache
        recorder.start()
        client.get(path).get_data()
        result["cached_queries"] = len(recorder.stop())
        result["cached_ms"] = best_of(client, path) * 1000
    by_text = Counter(one_line(s) for _, s in statements)
    slowest = sorted(statements, key=lambda item: item[0], reverse=True)[:5]
    result["slowest"] = [[t * 1000, short(s)] for t, s in slowest]
    result["repeated"] = [[n, short(s)] for s, n in by_text.most_common(3) if n > 1]
    return result


def count_queries(url: str) -> dict:
    env = flask_env(url)
    done = subprocess.run([sys.executable, __file__, "--count-queries"], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=300)
    for line in done.stdout.splitlines():
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK):])
    raise SystemExit(f"query count failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


# --------------------------------------------------------------------------- the mix's writer (child process)


def write_mix_child(seconds: float) -> None:
    """Run in a fresh interpreter: once a second, approve a requested sign-off (as HR) or complete an
    open module (as its new hire), alternately, each in its own committed transaction."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Progress, ProgressStatus, User
    from app.onboarding import services
    from config import DevelopmentConfig

    class WriterConfig(DevelopmentConfig):
        DEBUG = False

    app = create_app(WriterConfig)
    done: Counter = Counter()
    deadline = time.monotonic() + seconds
    tick = 0
    signal.signal(signal.SIGINT, lambda *_: done.update(stopped=1))
    while time.monotonic() < deadline and not done["stopped"]:
        started = time.monotonic()
        tick += 1
        with app.app_context():
            try:
                open_rows = select(Progress).where(Progress.status != ProgressStatus.COMPLETED)
                requested = db.session.scalars(open_rows.where(Progress.sign_off_requested_at.is_not(None))
                                               .limit(1)).first() if tick % 2 else None
                if requested is not None:
                    hr = db.session.scalars(select(User).where(User.email == HR)).one()
                    services.approve_sign_off(requested, manager=hr)
                    kind = "sign-off approved"
                else:
                    progress = db.session.scalars(open_rows.order_by(Progress.id.desc()).limit(1)).first()
                    if progress is None:
                        done["nothing open"] += 1
                        continue
                    services.complete(progress, actor=progress.employee)
                    kind = "module completed"
                db.session.commit()
                done[kind] += 1
            except Exception as error:  # noqa: BLE001 (counted and shown, the load goes on)
                db.session.rollback()
                done[f"failed: {type(error).__name__}"] += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    done.pop("stopped", None)
    print(JSON_MARK + json.dumps(dict(done)), flush=True)


def start_writer(url: str, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--write-mix", f"{seconds:.1f}"], cwd=ROOT,  # noqa: S603
                            env=flask_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def writer_result(writer: subprocess.Popen) -> dict:
    try:
        out, err = writer.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        writer.kill()
        out, err = writer.communicate()
    for line in out.splitlines():
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK):])
    return {f"writer failed ({writer.returncode}): {err.strip()[-200:]}": 1}


# --------------------------------------------------------------------------- HTTP client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, method: str, path: str, headers: dict, body: str | None = None, timeout: float = 30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def absorb(jar: dict[str, str], headers) -> None:
    """Take Set-Cookie values by hand: production cookies are Secure and this is plain http."""
    for raw in headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(raw)
        for name, morsel in cookie.items():
            if morsel["expires"] and "1970" in morsel["expires"] or morsel["max-age"] == "0":
                jar.pop(name, None)
            else:
                jar[name] = morsel.value


def sign_in(port: int, email: str) -> str:
    jar: dict[str, str] = {}
    status, headers, body = fetch(port, "GET", "/login", {})
    absorb(jar, headers)
    tag = re.search(rb'<input[^>]*name="csrf_token"[^>]*>', body)
    token = re.search(rb'value="([^"]+)"', tag.group(0)) if tag else None
    if status != 200 or not token:
        raise RuntimeError(f"GET /login gave {status} without a CSRF token")
    form = urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1).decode()})
    status, headers, _ = fetch(port, "POST", "/login", {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(jar)}, form)
    absorb(jar, headers)
    if status != 302 or "/login" in (headers.get("Location") or ""):
        raise RuntimeError(f"sign-in as {email} gave {status} (expected a 302 away from /login)")
    return cookie_header(jar)


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.errors = 0
        self.seconds = 0.0
        self.lock = threading.Lock()

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def non_200(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200) + self.errors


def hammer(port: int, path: str, headers: dict, seconds: float, tally: Tally | None) -> None:
    """THREADS keep-alive clients request `path` until the deadline; adds to tally."""
    started = time.perf_counter()
    deadline = started + seconds
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html", **headers}

    def client() -> None:
        latencies, statuses, errors = [], Counter(), 0
        conn = None
        while time.perf_counter() < deadline:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                t0 = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                latencies.append(time.perf_counter() - t0)
                statuses[response.status] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.01)
        if conn is not None:
            conn.close()
        if tally is not None:
            with tally.lock:
                tally.latencies.extend(latencies)
                tally.statuses.update(statuses)
                tally.errors += errors

    workers = [threading.Thread(target=client, daemon=True) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    if tally is not None:
        tally.seconds += time.perf_counter() - started


# --------------------------------------------------------------------------- gunicorn


def start_gunicorn(url: str, port: int, log_path: Path, mode: str) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
        "--worker-class", "gthread", "--threads", "4", "--timeout", "120", "--graceful-timeout", "10",
        "--log-level", "warning", "--config", str(ROOT / "bench" / "gunicorn_seen.py"), "app:create_app()",
    ]
    env = flask_env(url, "production")
    if mode == "built":
        env["CACHE_TYPE"] = "NullCache"
    env["BENCH_COUNT_SEEN"] = "1"  # the workers count page parts served from the cache (app.page_cache.SEEN)
    log = open(log_path, "w")  # noqa: SIM115 (closed when the server stops)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,  # noqa: S603
                              stderr=subprocess.STDOUT, start_new_session=True)
    server.log_file = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if fetch(port, "GET", "/healthz", {}, timeout=5)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_gunicorn(server)
    raise SystemExit("gunicorn did not answer /healthz within 45 s:\n" + log_path.read_text()[-3000:])


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # graceful: the arbiter stops its workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    server.log_file.close()  # type: ignore[attr-defined]


def export_csv(port: int, cookie: str) -> dict:
    started = time.perf_counter()
    status, headers, body = fetch(port, "GET", EXPORT, {"Cookie": cookie}, timeout=120)
    seconds = time.perf_counter() - started
    result = {"status": status, "bytes": len(body), "seconds": seconds, "rows": None,
              "type": headers.get("Content-Type", "")}
    if status == 200:
        text = body.decode("utf-8-sig", errors="replace")
        result["rows"] = max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)  # minus the header
    return result


# --------------------------------------------------------------------------- report


def fmt(value, spec: str = "", missing: str = "-") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return missing
    return format(value, spec)


def table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    for line in [header, ["-" * w for w in widths], *rows]:
        say("  " + "  ".join(str(cell).rjust(w) if i else str(cell).ljust(w)
                             for i, (cell, w) in enumerate(zip(line, widths, strict=False))))


class Run:
    """One gunicorn run of every page in one mode at one size: tallies and what went wrong."""

    def __init__(self, employees: int, mode: str) -> None:
        self.employees, self.mode = employees, mode
        self.tallies: dict[str, Tally] = {}
        self.unavailable: dict[str, str] = {}
        self.export: dict | None = None
        self.tracebacks = 0
        self.seen: Counter = Counter()  # page parts served from the cache ("hit") or built
        self.parts: dict[str, Counter] = {}  # the same per page part
        self.writes: dict = {}

    def ratio(self, path: str) -> float | None:
        tally, base = self.tallies.get(path), self.tallies.get("/healthz")
        return tally.rps() / base.rps() if tally and base and base.rps() else None

    def hit_rate(self) -> float | None:
        total = self.seen["hit"] + self.seen["built"]
        return self.seen["hit"] / total if total else None


def throughput(url: str, workdir: Path, employees: int, mode: str, total_started: float) -> Run:
    """gunicorn in `mode`; every page of PAGES in interleaved rounds (the mix's writer running alongside)."""
    run = Run(employees, mode)
    port = free_port()
    log_path = workdir / f"gunicorn-{employees}-{mode}.log"
    server = start_gunicorn(url, port, log_path, mode)
    writer = None
    try:
        cookies: dict[str, str] = {}
        for path, email in PAGES:
            headers = {}
            if email:
                try:
                    cookies[email] = cookies.get(email) or sign_in(port, email)
                except (RuntimeError, OSError) as problem:
                    run.unavailable[path] = str(problem)
                    continue
                headers["Cookie"] = cookies[email]
            status = fetch(port, "GET", path, headers)[0]
            if status != 200:
                run.unavailable[path] = f"{status}"
                continue
            run.tallies[path] = Tally()
        for path, why in run.unavailable.items():
            say(f"   {path}: not available: {why}")
        live = [(p, {"Cookie": cookies[e]} if e else {}) for p, e in PAGES if p in run.tallies]
        if mode == "mix":  # started first: its app starts up while the workers warm
            writer = start_writer(url, SECONDS * 2 + 30)  # outlives the rounds; stopped after them
        for path, headers in live:  # warm every worker before measuring
            hammer(port, path, headers, 1.0, None)
        slice_seconds = SECONDS / ROUNDS
        for round_number in range(1, ROUNDS + 1):
            round_started = time.perf_counter()
            for path, headers in live:
                hammer(port, path, headers, slice_seconds, run.tallies[path])
            say(f"   {mode} round {round_number}/{ROUNDS} ({time.perf_counter() - round_started:.0f}s): " + ", ".join(
                f"{p} {run.tallies[p].requests} req" for p, _ in live))
            projected = time.perf_counter() + (time.perf_counter() - round_started)
            if round_number < ROUNDS and projected > total_started + BUDGET:
                say(f"   stopping after round {round_number}: another would pass the {BUDGET}s budget")
                break
        if writer is not None:
            writer.send_signal(signal.SIGINT)
        if mode == "cached" and HR in cookies:
            run.export = export_csv(port, cookies[HR])
    finally:
        if writer is not None and writer.poll() is None:
            writer.send_signal(signal.SIGINT)
        stop_gunicorn(server)
    if writer is not None:
        run.writes = writer_result(writer)
    log = log_path.read_text()
    run.tracebacks = log.count("Traceback")
    for hit, built in re.findall(SEEN_MARK + r" hit=(\d+) built=(\d+)", log):
        run.seen.update(hit=int(hit), built=int(built))
    for name, hit, built in re.findall(PART_MARK + r" (\S+) hit=(\d+) built=(\d+)", log):
        run.parts.setdefault(name, Counter()).update(hit=int(hit), built=int(built))
    return run


def main() -> int:
    total_started = time.perf_counter()
    backend = "PostgreSQL (BENCH_DATABASE_URL)" if is_postgres(os.environ.get("BENCH_DATABASE_URL", "")) else "SQLite"
    say(f"Medical Home bench: {backend}, sizes {SIZES}, modes {MODES}, {os.cpu_count()} CPUs, "
        f"{THREADS} client threads, {SECONDS}s per page and mode in {ROUNDS} interleaved rounds")
    counts: dict[int, dict] = {}
    builds: dict[int, float] = {}
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="medical-home-bench-") as tmp:
        workdir = Path(tmp)
        for employees in SIZES:
            say(f"\n== {employees} employees: building the demo organization")
            url, builds[employees] = build(employees, workdir)
            say(f"   demo built in {builds[employees]:.1f}s; counting queries in-process")
            counts[employees] = count_queries(url)
            for path, data in counts[employees].items():
                if "queries" in data:
                    say(f"   {path:<22} status {data['status']}  built: {data['queries']:>3} queries "
                        f"{data['ms']:7.1f} ms (SQL {data['sql_ms']:.1f} ms); from cached parts: "
                        f"{data['cached_queries']:>2} queries {data['cached_ms']:6.1f} ms")
                else:
                    say(f"   {path:<22} {data['status']}")
            say(f"   throughput: gunicorn 2 gthread workers x 4 threads, production config; modes {MODES}")
            for mode in MODES:
                runs.append(throughput(url, workdir, employees, mode, total_started))

        largest = SIZES[-1]
        say(f"\n== Slowest statements at {largest} employees (in-process, one request)")
        for path in ("/team", "/reports", "/reports/validity", EXPORT, API_PAGE):
            data = counts[largest].get(path, {})
            if data.get("status") != 200:
                say(f"   {path}: not available: {data.get('status')}")
                continue
            say(f"   {path}: {data['queries']} statements, {data['sql_ms']:.1f} ms of SQL of {data['ms']:.1f} ms")
            for ms, statement in data["slowest"][:3]:
                say(f"     {ms:7.2f} ms  {statement}")
            for n, statement in data["repeated"]:
                say(f"     repeated {n}x: {statement}")

    # ---------------------------------------------------------------- final tables
    small, large = SIZES[0], SIZES[-1]
    verdicts: list[str] = []
    notes: list[str] = []
    rows = []
    for path in [*(page for page, _ in PAGES), API_PAGE]:
        measured = {n: counts[n].get(path, {}) for n in (small, large)}
        measured = {n: data if data.get("status") == 200 else {} for n, data in measured.items()}
        q_small, q_large = (measured[n].get("queries") for n in (small, large))
        c_small, c_large = (measured[n].get("cached_queries") for n in (small, large))
        grew = "-" if q_small is None or q_large is None else (
            "YES" if q_large > q_small or (c_large or 0) > (c_small or 0) else "no")
        if grew == "YES":
            verdicts.append(f"{path} query count grew (built {q_small} -> {q_large}, cached {c_small} -> {c_large})")
        ms_small, ms_large = (measured[n].get("ms") for n in (small, large))
        if ms_small and ms_large and ms_large > 3 * ms_small and ms_large > 50:
            notes.append(f"{path} takes {ms_large / ms_small:.0f}x longer in-process at {large} than at {small} "
                         f"({ms_small:.0f} -> {ms_large:.0f} ms) with the same number of queries"
                         if grew == "no" else f"{path} in-process time grew {ms_small:.0f} -> {ms_large:.0f} ms")
        rows.append([
            path, f"{fmt(q_small)}/{fmt(c_small)}", f"{fmt(q_large)}/{fmt(c_large)}", grew,
            f"{fmt(ms_small, '.0f')}/{fmt(measured[small].get('cached_ms'), '.0f')}",
            f"{fmt(ms_large, '.0f')}/{fmt(measured[large].get('cached_ms'), '.0f')}",
        ])
    say(f"\n== Results ({backend}; total run {time.perf_counter() - total_started:.0f}s)")
    say("  SQL statements and in-process time (SQL@N: statements per request, page built / served from cached "
        "parts; ms@N: best in-process request, built / cached)")
    table(["page", f"SQL@{small}", f"SQL@{large}", "grew", f"ms@{small}", f"ms@{large}"], rows)

    say(f"\n  Throughput (gunicorn, {THREADS} client threads, the same URL again and again; each ratio is to "
        "/healthz of the same run)")
    rows = []
    for run in runs:
        for path, _ in PAGES:
            tally, ratio, target = run.tallies.get(path), run.ratio(path), TARGETS.get(path)
            if path in run.unavailable:
                meets = f"not available: {run.unavailable[path]}"
            elif target is None:
                meets = "base" if path == "/healthz" else "no target"
            elif run.employees != large:
                meets = ""
            else:
                meets = "ok" if ratio is not None and ratio >= target else "MISSED"
                if meets == "MISSED":
                    verdicts.append(f"{run.mode} {path} at {fmt(ratio, '.3f')} of /healthz (target {target})")
            rows.append([
                str(run.employees), run.mode, path, fmt(tally.rps() if tally else None, ".1f", "n/a"),
                fmt(tally.percentile(0.5) if tally else None, ".1f"),
                fmt(tally.percentile(0.95) if tally else None, ".1f"),
                fmt(tally.non_200() if tally else None),
                "1.000" if path == "/healthz" else fmt(ratio, ".3f"),
                f">= {target}" if target and run.employees == large else "", meets,
            ])
    table(["employees", "mode", "page", "req/s", "p50 ms", "p95 ms", "non-200", "vs healthz", "target", "verdict"],
          rows)
    say("")
    for run in runs:
        if run.mode == "mix":
            writes = ", ".join(f"{n} {kind}" for kind, n in sorted(run.writes.items())) or "none"
            say(f"  mix at {run.employees}: page parts served from the cache {fmt(run.hit_rate(), '.1%')} "
                f"({run.seen['hit']} hits, {run.seen['built']} built, warm-up included); writes: {writes}")
            say("    per part: " + ", ".join(
                f"{name} {seen['hit'] / (seen['hit'] + seen['built']):.0%} of {seen['hit'] + seen['built']}"
                for name, seen in sorted(run.parts.items()) if seen['hit'] + seen['built']))
        if run.tracebacks:
            say(f"  gunicorn ({run.mode} at {run.employees}) logged {run.tracebacks} traceback(s)")
    say("  demo build: " + ", ".join(f"{n} employees {s:.1f}s" for n, s in builds.items()))
    export = next((run.export for run in runs if run.export is not None and run.employees == large), None)
    if export is None:
        say(f"  export {EXPORT}: not measured (no HR session or no cached run)")
    elif export["status"] != 200:
        say(f"  export {EXPORT}: not available: {export['status']}")
    else:
        say(f"  export {EXPORT}: {export['bytes']:,} bytes, {export['rows']:,} rows, {export['seconds']:.2f}s "
            f"({export['type']}; {fmt(counts[large].get(EXPORT, {}).get('queries'))} SQL statements in-process)")
    for note in notes:
        say(f"  note: {note}")
    unavailable = {path: why for run in runs for path, why in run.unavailable.items()}
    verdicts += [f"{path} not available ({why})" for path, why in unavailable.items()]
    say("  verdict: " + ("every target met, query counts flat" if not verdicts else "; ".join(verdicts)))
    strict = os.environ.get("BENCH_STRICT") == "1"
    return 1 if strict and (verdicts or unavailable) else 0

if __name__ == "__main__":
    if sys.argv[1:] == ["--count-queries"]:
        count_queries_child()
    elif sys.argv[1:2] == ["--write-mix"]:
        write_mix_child(float(sys.argv[2]))
    else:
        sys.exit(main())
