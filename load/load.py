"""`make load`: simulated people on gunicorn and a private PostgreSQL, then the same with a database restart.

1. Set-up: a throwaway PostgreSQL cluster (cluster.py), `flask db upgrade`, `seed`, `demo`, gunicorn
   (production configuration, gthread workers) on loopback.
2. Steady run: USERS simulated people for SECONDS, a third each walking the new-hire, manager and HR
   journeys (journeys.py) with a think time between pages.
3. Fault run: the same load; half way through, `pg_ctl restart -m fast` on the private cluster.
4. Checks: latency and errors per run and journey; the outage's 503s; recovery; and that every
   completion a client saw succeed is stored exactly once (ledger.py). Exit 1 when an aim is missed.

Standard library HTTP client. Every loop is bounded in time; the servers are stopped on any exit.
"""

from __future__ import annotations

import argparse
import queue
import random
import signal
import sys
import threading
import time
from dataclasses import dataclass, field

import cluster
import cpu
import ledger
from client import Browser, JourneyStopped, Recorder
from journeys import JOURNEYS, Accounts
from report import Outage, print_report

PASSWORD = "medical-home-load"  # noqa: S105 (the demo accounts' password on the throwaway cluster)
say = cluster.say


@dataclass
class Phase:
    name: str
    seconds: float
    recorder: Recorder = field(default_factory=Recorder)
    journeys: dict = field(default_factory=dict)  # journey -> {"done": n, "stopped": n, ...}
    problems: list[str] = field(default_factory=list)
    started: float = 0.0
    elapsed: float = 0.0
    log_text: str = ""
    outage: Outage | None = None
    cpu: str = ""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people at once (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run (default 60)")
    parser.add_argument("--employees", type=int, default=1000, help="demo organization size (default 1000)")
    parser.add_argument("--think", type=float, default=3.0,
                        help="mean seconds a person pauses between pages (0.5x to 1.5x; default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2: one per core)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--no-fault", action="store_true", help="skip the run with the database restart")
    parser.add_argument("--keep", action="store_true", help="keep the logs and cluster files afterwards")
    return parser.parse_args()


def person(index: int, journey: str, phase: Phase, port: int, accounts: Accounts, deadline: float,
           think: float) -> None:
    """One simulated person: walk the journey again and again until the deadline."""
    rng = random.Random(index)
    tally = phase.journeys[journey]
    time.sleep(rng.uniform(0, think))  # people do not all arrive in the same millisecond
    while time.monotonic() < deadline:
        browser = Browser(port, phase.recorder, phase.name, journey)
        browser.before_request = lambda: _pause(rng, think, deadline)
        try:
            JOURNEYS[journey](browser, accounts, rng)
            outcome = "done"
        except JourneyStopped as stop:
            outcome = "cut by the end" if str(stop) == "time is up" else "stopped"
        except queue.Empty:
            outcome = "no account free"
        except Exception as error:  # noqa: BLE001 (a fault in this script is reported, not hidden)
            outcome = "script error"
            with phase.recorder.lock:
                phase.problems.append(f"{journey}: {type(error).__name__}: {error}"[:300])
        finally:
            browser.close()
        with phase.recorder.lock:
            tally[outcome] = tally.get(outcome, 0) + 1
        _pause(rng, think, deadline, raise_at_end=False)


def _pause(rng: random.Random, think: float, deadline: float, raise_at_end: bool = True) -> None:
    if time.monotonic() >= deadline:
        if raise_at_end:
            raise JourneyStopped("time is up")
        return
    time.sleep(min(rng.uniform(0.5, 1.5) * think, max(0.0, deadline - time.monotonic())))


def run_phase(name: str, servers: cluster.Servers, accounts: Accounts, args, fault: bool) -> Phase:
    phase = Phase(name, args.seconds)
    kinds = list(JOURNEYS)
    phase.journeys = {kind: {} for kind in kinds}
    log_offset = servers.app_log.stat().st_size
    gunicorn_pid = servers.gunicorn.pid if servers.gunicorn else None
    cpu_before = cpu.snapshot(gunicorn_pid, servers.postmaster_pid())
    phase.started = time.monotonic()
    deadline = phase.started + args.seconds
    people = [threading.Thread(target=person, daemon=True, name=f"person-{i}",
                               args=(i, kinds[i % len(kinds)], phase, servers.port, accounts, deadline, args.think))
              for i in range(args.users)]
    for thread in people:
        thread.start()
    watcher = None
    if fault:
        phase.outage = Outage()
        watcher = threading.Thread(target=watch_health, args=(servers, phase.outage, deadline), daemon=True)
        watcher.start()
        time.sleep(max(0.0, phase.started + args.seconds / 2 - time.monotonic()))
        say(f"   {time.monotonic() - phase.started:5.1f}s  pg_ctl restart -m fast on the private cluster")
        phase.outage.restart_began = time.monotonic()
        try:
            servers.restart_cluster()
        except RuntimeError as error:
            phase.problems.append(f"the restart failed: {error}")
        phase.outage.restart_ended = time.monotonic()
        say(f"   {time.monotonic() - phase.started:5.1f}s  the cluster is back "
            f"(restart took {phase.outage.restart_ended - phase.outage.restart_began:.2f}s)")
    for thread in people:
        thread.join(timeout=max(1.0, deadline - time.monotonic()) + 90)
    if watcher:
        watcher.join(timeout=10)
    phase.elapsed = time.monotonic() - phase.started
    phase.cpu = cpu.describe(cpu_before, cpu.snapshot(gunicorn_pid, servers.postmaster_pid()))
    stragglers = sum(thread.is_alive() for thread in people)
    if stragglers:
        phase.problems.append(f"{stragglers} simulated people still waiting 90 s after the end")
    with open(servers.app_log, encoding="utf-8", errors="replace") as log:
        log.seek(log_offset)
        phase.log_text = log.read()
    return phase


def watch_health(servers: cluster.Servers, outage: Outage, deadline: float) -> None:
    """Poll /healthz five times a second through the fault run, to time the outage as the app saw it."""
    while time.monotonic() < deadline:
        status = servers.healthz(timeout=15)
        outage.health.append((time.monotonic(), status))  # when the answer came
        time.sleep(0.2)


def warm_up(servers: cluster.Servers, accounts: Accounts) -> Phase:
    """Each journey a few times, one at a time, before measuring: both workers compile their templates
    and fill their connection pools. Not measured, but its completions go to the ledger too."""
    phase = Phase("warm-up", 0)
    rng = random.Random(0)
    for _ in range(3):
        for journey, walk in JOURNEYS.items():
            browser = Browser(servers.port, phase.recorder, phase.name, journey)
            try:
                walk(browser, accounts, rng)
            except (JourneyStopped, queue.Empty) as problem:
                phase.problems.append(f"{journey}: {problem}")
            finally:
                browser.close()
    bad = [r for r in phase.recorder.records if r.kind != "ok"]
    if phase.problems or bad:
        raise RuntimeError(f"the warm-up failed: {phase.problems[:3]} {[(r.path, r.status) for r in bad[:3]]}")
    return phase


def set_up(servers: cluster.Servers, args) -> tuple[Accounts, dict]:
    timings = {}
    started = time.monotonic()
    servers.start_cluster()
    timings["cluster"] = time.monotonic() - started
    say(f"   private PostgreSQL on 127.0.0.1:{servers.pg_port} in {servers.workdir} ({timings['cluster']:.1f}s)")
    for label, command in [("migrate", ["db", "upgrade"]), ("seed", ["seed"]),
                           ("demo", ["demo", "--employees", str(args.employees), "--password", PASSWORD])]:
        started = time.monotonic()
        servers.flask(command)
        timings[label] = time.monotonic() - started
        say(f"   flask {' '.join(command[:3])}: {timings[label]:.1f}s")
    servers.start_gunicorn()
    say(f"   gunicorn on 127.0.0.1:{servers.port}: {args.workers} gthread workers x {args.threads} threads, "
        "APP_ENV=production")
    found = ledger.accounts(servers.url)
    accounts = Accounts(password=PASSWORD, hr=["hr@demo.clinic", "admin@demo.clinic"],
                        quiz_answers=found["quiz_answers"])
    for email in found["new_hires"]:
        accounts.new_hires.put(email)
    for email in found["managers"]:
        accounts.managers.put(email)
    say(f"   accounts: {len(found['new_hires'])} staff with open modules, {len(found['managers'])} managers, "
        f"2 HR; {found['pending_sign_offs']} sign-offs waiting")
    return accounts, timings


def main() -> int:
    args = arguments()
    if args.users < 1 or args.seconds <= 0:
        raise SystemExit("--users and --seconds must be positive")

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even if started with it ignored
    servers = cluster.Servers(workers=args.workers, threads=args.threads)
    failed = True
    say(f"Medical Home load: {args.users} people, {args.seconds:g}s per run, {args.employees} employees, "
        f"think {args.think:g}s")
    try:
        say("\n== Set-up")
        accounts, _ = set_up(servers, args)
        since = ledger.utcnow()
        warm = warm_up(servers, accounts)
        say(f"   warm-up: each journey 3 times, {len(warm.recorder.records)} requests")
        say(f"\n== Steady run: {args.users} people for {args.seconds:g}s")
        phases = [run_phase("steady", servers, accounts, args, fault=False)]
        if not args.no_fault:
            say(f"\n== Fault run: {args.users} people for {args.seconds:g}s, the database restarted half way")
            phases.append(run_phase("fault", servers, accounts, args, fault=True))
        completions = [key for phase in [warm, *phases] for key in phase.recorder.completions]
        verdict = ledger.check_completions(servers.url, completions, since)
        failed = not print_report(phases, verdict)
    except KeyboardInterrupt:
        say("\ninterrupted: stopping gunicorn and the private cluster")
        return 130
    except RuntimeError as error:
        say(f"\nthe load run could not go on: {error}")
        return 1
    finally:
        servers.close(keep=args.keep)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
