"""Gunicorn settings for the bench's mix: each worker prints its page-part hits and builds as it exits."""

from __future__ import annotations

MARK = "BENCH_SEEN:"


def worker_exit(server, worker) -> None:
    """Runs in the worker process as it stops: one line the bench adds up from the server's log."""
    from app.page_cache import SEEN

    print(f"{MARK} hit={SEEN['hit']} built={SEEN['built']}", flush=True)
