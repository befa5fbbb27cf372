"""Gunicorn settings for the bench's mix: each worker prints its page-part hits and builds as it exits."""

from __future__ import annotations

MARK = "BENCH_SEEN:"
PART_MARK = "BENCH_PART:"  # the same, per page part


def worker_exit(server, worker) -> None:
    """Runs in the worker process as it stops: one line the bench adds up from the server's log."""
    from app.page_cache import SEEN

    print(f"{MARK} hit={SEEN['hit']} built={SEEN['built']}", flush=True)
    for name in sorted({key[0] for key in SEEN if isinstance(key, tuple)}):
        print(f"{PART_MARK} {name} hit={SEEN[name, 'hit']} built={SEEN[name, 'built']}", flush=True)
