"""The load run's figures and aims: latency per journey, errors by kind, the outage, and the ledger."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from cluster import say

ERROR_KINDS = ("clean-503", "unclean-503", "5xx", "4xx", "cut-off", "transport")
P99_LIMIT_MS = 1000
RECOVERY_GRACE = 5.0  # seconds after pg_ctl restart returns within which the app must answer again


@dataclass
class Outage:
    restart_began: float = 0.0
    restart_ended: float = 0.0
    health: list[tuple[float, int | None]] = field(default_factory=list)  # (time, /healthz status)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of seconds, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))] * 1000


def table(header: list[str], rows: list[list]) -> None:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        say("   " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths,
                                                                                                   strict=True))))
        if n == 0:
            say("   " + "  ".join("-" * w for w in widths))


def latency_rows(phase) -> list[list]:
    records = phase.recorder.records
    rows = []
    for journey in [None, *phase.journeys]:
        chosen = [r for r in records if journey is None or r.journey == journey]
        seconds = [r.seconds for r in chosen]
        kinds = Counter(r.kind for r in chosen)
        tally = phase.journeys.get(journey, {}) if journey else Counter()
        if journey is None:
            for outcomes in phase.journeys.values():
                tally.update(outcomes)
        rows.append([
            journey or "all", len(chosen), f"{len(chosen) / phase.elapsed:.1f}",
            f"{percentile(seconds, 0.50):.0f}", f"{percentile(seconds, 0.95):.0f}",
            f"{percentile(seconds, 0.99):.0f}", f"{max(seconds, default=0) * 1000:.0f}",
            sum(kinds[k] for k in ("clean-503", "unclean-503", "5xx")), kinds["clean-503"],
            tally.get("done", 0), tally.get("stopped", 0),
        ])
    return rows


def step_rows(phase) -> list[list]:
    """Latency by step (page), slowest p95 first: where the time goes."""
    steps: dict[str, list] = {}
    for record in phase.recorder.records:
        steps.setdefault(f"{record.journey}: {record.step}", []).append(record)
    rows = []
    for name, records in steps.items():
        seconds = [r.seconds for r in records]
        rows.append([name, len(records), f"{percentile(seconds, 0.50):.0f}", f"{percentile(seconds, 0.95):.0f}",
                     f"{percentile(seconds, 0.99):.0f}", f"{max(seconds) * 1000:.0f}",
                     sum(1 for r in records if r.kind != "ok")])
    return sorted(rows, key=lambda row: -float(row[3]))


def log_counts(text: str) -> dict[str, int]:
    return {"tracebacks": text.count("Traceback"), "worker timeouts": text.count("WORKER TIMEOUT"),
            "'database unavailable' lines": text.count("database unavailable")}


def outage_figures(phase) -> tuple[list[str], bool]:
    """Lines describing the outage, and whether the app came back by itself."""
    outage, t0, records = phase.outage, phase.started, phase.recorder.records
    lines = [f"pg_ctl restart -m fast: {outage.restart_began - t0:.2f}s -> {outage.restart_ended - t0:.2f}s "
             f"({outage.restart_ended - outage.restart_began:.2f}s)"]
    unavailable = sorted(r.started + r.seconds for r in records if r.kind == "clean-503")
    if unavailable:
        lines.append(f"clean 503 pages: {len(unavailable)}, answered between {unavailable[0] - t0:.2f}s and "
                     f"{unavailable[-1] - t0:.2f}s ({unavailable[-1] - unavailable[0]:.2f}s)")
    else:
        lines.append("clean 503 pages: 0 (no request reached the app while the database was away)")
    down = [t for t, status in outage.health if status == 503]
    silent = sum(1 for _, status in outage.health if status is None)
    if down:
        back = [t for t, status in outage.health if status == 200 and t > down[-1]]
        lines.append(f"/healthz (polled every 0.2s): 503 from {down[0] - t0:.2f}s to {down[-1] - t0:.2f}s"
                     + (f", 200 again at {back[0] - t0:.2f}s" if back else ", never 200 again")
                     + (f"; {silent} polls unanswered within 15s" if silent else ""))
    needs_database = [r for r in records if r.kind == "ok" and r.started >= outage.restart_ended
                      and not (r.method == "GET" and r.path == "/login")]
    first = min((r.started + r.seconds for r in needs_database), default=None)
    late_503 = [r for r in records if r.kind.endswith("503") and r.started > outage.restart_ended + RECOVERY_GRACE]
    if first is not None:
        lines.append(f"first successful page after the restart returned: +{first - outage.restart_ended:.2f}s "
                     f"({first - t0:.2f}s into the run)")
    else:
        lines.append("no successful page after the restart")
    recovered = first is not None and first - outage.restart_ended <= RECOVERY_GRACE and not late_503
    if late_503:
        lines.append(f"{len(late_503)} 503s more than {RECOVERY_GRACE:g}s after the restart returned")
    return lines, recovered


def print_report(phases, verdict) -> bool:
    """Print every figure; return True when every aim is met."""
    aims: list[tuple[str, bool]] = []
    for phase in phases:
        records = phase.recorder.records
        kinds = Counter(r.kind for r in records)
        logs = log_counts(phase.log_text)
        say(f"\n== {phase.name.capitalize()} run: {len(records)} requests in {phase.elapsed:.1f}s "
            f"= {len(records) / phase.elapsed:.1f} requests/s")
        table(["journey", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "5xx", "of which clean 503",
               "journeys done", "stopped"], latency_rows(phase))
        say("")
        table(["step", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "not ok"], step_rows(phase))
        say("   responses: " + ", ".join(f"{kind} {kinds[kind]}" for kind in ("ok", *ERROR_KINDS))
            + f"; GETs resent after an idle keep-alive close: {phase.recorder.retried}")
        say(f"   {phase.cpu}")
        say("   server log: " + ", ".join(f"{name} {n}" for name, n in logs.items()))
        for journey, tally in phase.journeys.items():
            extra = {k: v for k, v in tally.items() if k not in ("done", "stopped")}
            if extra:
                say(f"   {journey}: " + ", ".join(f"{k} {v}" for k, v in extra.items()))
        for problem in phase.problems[:10]:
            say(f"   problem: {problem}")
        for record in [r for r in records if r.kind not in ("ok", "clean-503")][:10]:
            say(f"   {record.kind}: {record.method} {record.path} -> {record.status} {record.detail}")
        p99 = percentile([r.seconds for r in records], 0.99)
        other_5xx = kinds["unclean-503"] + kinds["5xx"]
        broken = kinds["transport"] + kinds["cut-off"]
        if phase.outage is None:
            aims += [(f"steady: no 5xx ({kinds['clean-503'] + other_5xx})", kinds["clean-503"] + other_5xx == 0),
                     (f"steady: p99 {p99:.0f} ms < {P99_LIMIT_MS} ms", p99 < P99_LIMIT_MS)]
        else:
            lines, recovered = outage_figures(phase)
            for line in lines:
                say(f"   {line}")
            aims += [(f"fault: every 5xx a clean 503 ({kinds['clean-503']} clean, {other_5xx} other)",
                      other_5xx == 0),
                     ("fault: the app recovered by itself", recovered)]
        aims += [(f"{phase.name}: no 4xx ({kinds['4xx']})", kinds["4xx"] == 0),
                 (f"{phase.name}: no transport errors or cut-off bodies ({broken})", broken == 0),
                 (f"{phase.name}: no tracebacks in the server log ({logs['tracebacks']})", logs["tracebacks"] == 0),
                 (f"{phase.name}: no script errors or stuck clients ({len(phase.problems)})", not phase.problems)]
    doubles = [seen for phase in phases for _, seen in phase.recorder.double_submits]
    say(f"\n== Completions: {verdict.seen} seen by the clients, {verdict.stored} stored since the run began, "
        f"{verdict.unacknowledged} stored but not seen by a client")
    say(f"   double submits: {len(doubles)}, of which {sum(1 for s in doubles if s == 1)} showed one success, "
        f"{sum(1 for s in doubles if s == 0)} none, {sum(1 for s in doubles if s > 1)} two")
    for pair, count in verdict.lost[:10]:
        say(f"   lost or repeated: employee {pair[0]} module {pair[1]}: {count} rows")
    for row in verdict.duplicated[:10]:
        say(f"   duplicated: employee {row[0]} module {row[1]} version {row[2]}: {row[3]} rows")
    aims += [(f"no completion lost ({len(verdict.lost)})", not verdict.lost),
             (f"no completion duplicated ({len(verdict.duplicated)})", not verdict.duplicated),
             (f"every seen completion's progress is completed ({len(verdict.not_completed)} not)",
              not verdict.not_completed),
             ("double submits never showed two successes", all(s <= 1 for s in doubles)),
             ("some completions happened", verdict.seen > 0)]
    say("\n== Aims")
    for label, ok in aims:
        say(f"   {'ok  ' if ok else 'FAIL'}  {label}")
    passed = all(ok for _, ok in aims)
    say("\n" + ("every aim met" if passed else "AIMS MISSED: " + "; ".join(label for label, ok in aims if not ok)))
    return passed
