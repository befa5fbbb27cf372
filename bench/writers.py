"""Commits per second on PostgreSQL with concurrent writers, with and without the data_version row.

Each writer thread repeats one short transaction: update its own row of a scratch table and, in
the "token" variant, renew the single data_version row the way app.page_cache does before commit;
in the "sharded" variant, renew only the row of its area (writer n writes area n mod AREAS, as a
busy day's writers are spread over training, hiring, check-ins, credentials and people).
Comparing the variants shows how far one hot row serializes writes, and how much a row per area
gives back. Settings (environment): BENCH_DATABASE_URL (required, PostgreSQL; the scratch tables
are dropped afterwards), WRITERS (default 8), WRITER_SECONDS (per variant, default 5), AREAS
(default 5).
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time

from sqlalchemy import create_engine, text

URL = os.environ.get("BENCH_DATABASE_URL", "")
WRITERS = int(os.environ.get("WRITERS", "8"))
SECONDS = float(os.environ.get("WRITER_SECONDS", "5"))
AREAS = max(1, int(os.environ.get("AREAS", "5")))
RENEW = text(
    "INSERT INTO bench_data_version (id, token) VALUES (:area, :t) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)


def run(engine, renew_token: bool, areas: int = 1) -> float:
    """Commits per second of WRITERS threads for SECONDS, renewing the token (of one of `areas` rows) or not."""
    stop = time.monotonic() + SECONDS
    counts = [0] * WRITERS

    def writer(n: int) -> None:
        with engine.connect() as conn:
            while time.monotonic() < stop:
                with conn.begin():
                    conn.execute(text("UPDATE bench_rows SET n = n + 1 WHERE id = :i"), {"i": n})
                    if renew_token:
                        conn.execute(RENEW, {"area": n % areas + 1, "t": secrets.token_hex(16)})
                counts[n] += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 30)
    return sum(counts) / (time.monotonic() - started)


def main() -> int:
    """Print commits/s without and with the shared token row."""
    if not URL.startswith("postgresql"):
        print("BENCH_DATABASE_URL must be a PostgreSQL URL", file=sys.stderr)
        return 2
    url = URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, pool_size=WRITERS + 2)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_rows, bench_data_version"))
        conn.execute(text("CREATE TABLE bench_rows (id int PRIMARY KEY, n int NOT NULL)"))
        conn.execute(text("CREATE TABLE bench_data_version (id int PRIMARY KEY, token text)"))
        for n in range(WRITERS):
            conn.execute(text("INSERT INTO bench_rows VALUES (:i, 0)"), {"i": n})
    try:
        plain = run(engine, renew_token=False)
        token = run(engine, renew_token=True)
        sharded = run(engine, renew_token=True, areas=AREAS)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS bench_rows, bench_data_version"))
        engine.dispose()
    print(f"{WRITERS} writers: {plain:,.0f} commits/s without the token row")
    print(f"{WRITERS} writers: {token:,.0f} commits/s renewing one data_version row")
    print(f"{WRITERS} writers: {sharded:,.0f} commits/s renewing the row of their area ({AREAS} areas)")
    print(f"ratio with/without: one row {token / plain:.2f}, a row per area {sharded / plain:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
