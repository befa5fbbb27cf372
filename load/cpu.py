"""Who used the CPU during a run: the machine as a whole, this client, gunicorn and PostgreSQL.

Read from /proc (Linux). The load shares the machine with whatever else runs on it; these figures
say how much of the machine the run itself had, so its latencies can be read fairly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def tree_seconds(root: int | None) -> float:
    """CPU seconds used so far by root and its live children (gunicorn's workers, PostgreSQL's backends)."""
    if not root:
        return 0.0
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat and (int(entry.name) == root or stat[0] == root):
                total += stat[1]
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


@dataclass
class Snapshot:
    machine_busy: float
    machine_total: float
    client: float
    gunicorn: float
    postgres: float


def snapshot(gunicorn_pid: int | None, postmaster_pid: int | None) -> Snapshot:
    busy, total = machine_busy()
    times = os.times()
    return Snapshot(busy, total, times.user + times.system, tree_seconds(gunicorn_pid), tree_seconds(postmaster_pid))


def describe(before: Snapshot, after: Snapshot) -> str:
    """One line: how busy the machine was and the run's own share, in cores."""
    seconds = (after.machine_total - before.machine_total) / (os.cpu_count() or 1)
    if seconds <= 0:
        return "CPU: not measured"

    def cores(name: str) -> str:
        used = getattr(after, name) - getattr(before, name)
        return f"{used / seconds:.2f}" if used >= 0 else "n/a (restarted)"

    return (f"CPU over the run, in cores of {os.cpu_count()}: machine busy {cores('machine_busy')}, of which "
            f"gunicorn {cores('gunicorn')}, PostgreSQL {cores('postgres')}, this client {cores('client')} "
            f"(the rest is other work on the machine); load average now {os.getloadavg()[0]:.1f}")
