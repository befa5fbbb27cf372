"""A simulated person's browser: keep-alive HTTP on loopback, cookies by hand, every request timed.

Every response is classified as it arrives: ok (2xx/3xx), a clean 503 (the app's own page with a
Retry-After header and no traceback), another 5xx, a 4xx, a body cut short, or a transport error.
"""

from __future__ import annotations

import html
import http.client
import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

USER_AGENT = "medical-home-load/1"
KEEP_ALIVE_SECONDS = 1.5
_addresses = itertools.count(1)
_address_lock = threading.Lock()


def next_source_address() -> str:
    """A new loopback address (127.1.0.1, 127.1.0.2, ...) for each simulated sign-in: the login limit is
    per address, and real users do not share one."""
    with _address_lock:
        n = next(_addresses)
    return f"127.{1 + n // 65025 % 250}.{n // 255 % 255}.{1 + n % 254}"


@dataclass
class Record:
    phase: str
    journey: str
    step: str
    started: float  # time.monotonic()
    seconds: float
    method: str
    path: str
    status: int  # 0 for a transport error
    kind: str  # ok, clean-503, unclean-503, 5xx, 4xx, cut-off, transport
    detail: str = ""


@dataclass
class Recorder:
    """Everything every client saw, shared by all threads."""

    records: list[Record] = field(default_factory=list)
    completions: list[tuple] = field(default_factory=list)  # ("module", email, module_id) | ("progress", id)
    double_submits: list[tuple[tuple, int]] = field(default_factory=list)  # (key, successes seen)
    retried: int = 0  # GETs sent again after the server closed an idle keep-alive connection
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)

    def completed(self, key: tuple) -> None:
        with self.lock:
            self.completions.append(key)


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage | None
    body: str
    kind: str

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    @property
    def location(self) -> str:
        return urlsplit((self.headers or {}).get("Location", "") or "").path or ""

    def flashes(self, category: str = "success") -> list[str]:
        return [html.unescape(m) for m in re.findall(rf'<div class="alert alert-{category}" role="[a-z]+">(.*?)</div>',
                                                      self.body, re.S)]

    def csrf_token(self) -> str | None:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.body) or \
            re.search(r'value="([^"]+)"[^>]*name="csrf_token"', self.body)
        return match.group(1) if match else None


def classify(status: int, headers, body: str) -> str:
    if 200 <= status < 400:
        return "ok"
    if status == 503:
        clean = ("Temporarily unavailable" in body and headers.get("Retry-After") and "Traceback" not in body)
        return "clean-503" if clean else "unclean-503"
    if status >= 500:
        return "5xx"
    return "4xx"


class JourneyStopped(Exception):
    """A step did not answer as a person needs to go on (e.g. a 503 during the outage)."""


class Browser:
    """One person's session: its own loopback address, connection and cookie jar."""

    def __init__(self, port: int, recorder: Recorder, phase: str, journey: str, timeout: float = 30) -> None:
        self.port, self.recorder, self.phase, self.journey, self.timeout = port, recorder, phase, journey, timeout
        self.source = next_source_address()
        self.jar: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.before_request = None  # called before every request but the first: the person's pause
        self.requests = 0
        self.last_used = 0.0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def fork(self) -> Browser:
        """A second tab: the same cookies on its own connection (for a double-submitted form)."""
        other = Browser(self.port, self.recorder, self.phase, self.journey, self.timeout)
        other.source, other.jar = self.source, dict(self.jar)
        return other

    def request(self, step: str, method: str, path: str, form: dict | list | None = None, *,
                pause: bool = True) -> Page:
        if pause and self.requests and self.before_request:
            self.before_request()
        self.requests += 1
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html,*/*"}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.jar.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        status, response_headers, text, kind, detail = 0, None, "", "transport", ""
        for attempt in (1, 2):
            reused = self._connection()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as error:
                self.close()
                if reused and method == "GET" and attempt == 1:
                    # The server closed the idle keep-alive connection as this request left: a browser
                    # sends it again on a new connection, and so do we.
                    with self.recorder.lock:
                        self.recorder.retried += 1
                    continue
                detail = f"{type(error).__name__}: {error}"[:200]
                break
            except (OSError, http.client.HTTPException) as error:
                detail = f"{type(error).__name__}: {error}"[:200]
                self.close()
                break
            status, response_headers = response.status, response.headers
            try:
                text = response.read().decode("utf-8", errors="replace")
                kind = classify(status, response_headers, text)
            except http.client.IncompleteRead as error:
                text, kind, detail = error.partial.decode("utf-8", errors="replace"), "cut-off", "body cut short"
            except (OSError, http.client.HTTPException) as error:
                kind, detail = "cut-off", f"{type(error).__name__}: {error}"[:200]
            self.last_used = time.monotonic()
            if response.will_close or kind == "cut-off":
                self.close()
            self._absorb(response_headers)
            break
        self.recorder.add(Record(self.phase, self.journey, step, started, time.monotonic() - started, method,
                                 path.split("?")[0], status, kind, detail))
        return Page(status, response_headers, text, kind)

    def _connection(self) -> bool:
        """Open a connection unless a fresh one is at hand; True when reusing one."""
        if self.conn is not None and time.monotonic() - self.last_used > KEEP_ALIVE_SECONDS:
            self.close()  # gunicorn drops idle keep-alive connections after 2 s
        if self.conn is not None:
            return True
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                               source_address=(self.source, 0))
        return False

    def get(self, step: str, path: str) -> Page:
        return self.request(step, "GET", path)

    def follow(self, step: str, sent: Page, fallback: str) -> Page:
        """Follow a redirect at once, as a browser does (no pause, even at the end of the run)."""
        return self.request(step, "GET", sent.location or fallback, pause=False)

    def post(self, step: str, path: str, form: dict | list) -> Page:
        return self.request(step, "POST", path, form)

    def _absorb(self, headers) -> None:
        """Set-Cookie by hand: production cookies are Secure and this is plain http on loopback."""
        for raw in headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(raw)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or "1970" in (morsel["expires"] or ""):
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = morsel.value

    def need(self, page: Page, what: str) -> Page:
        if not page.ok:
            raise JourneyStopped(f"{what}: {page.kind} {page.status}")
        return page

    def sign_in(self, email: str, password: str) -> Page:
        """GET /login for its CSRF token, POST the form, follow the redirect home."""
        form_page = self.need(self.get("sign in", "/login"), "GET /login")
        token = form_page.csrf_token()
        if not token:
            raise JourneyStopped("no CSRF token on /login")
        done = self.need(self.post("sign in", "/login", {"email": email, "password": password, "csrf_token": token}),
                         "POST /login")
        if done.status != 302 or done.location.startswith("/login"):
            raise JourneyStopped(f"sign-in as {email} did not succeed ({done.status})")
        return self.need(self.follow("home", done, "/home"), "GET /home")
