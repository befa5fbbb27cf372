"""Profile one built request in-process: `python bench/profile_page.py /team manager@demo.clinic`.

Uses the database in DATABASE_URL (built by `flask demo`), CACHE_TYPE=NullCache so every part is
built, the Flask test client signed in with the demo password, and cProfile over a few requests;
prints the functions with the most cumulative time.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "medical-home-demo"  # noqa: S105 (the documented demo password)


def main() -> int:
    """Sign in, warm up, profile REPEAT requests of the page and print the top functions."""
    path, email = sys.argv[1], sys.argv[2]
    repeat = int(os.environ.get("REPEAT", "5"))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("SECRET_KEY", "profile-secret")
    os.environ.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    from app import create_app
    from config import DevelopmentConfig

    class ProfileConfig(DevelopmentConfig):
        DEBUG = False
        WTF_CSRF_ENABLED = False
        CACHE_TYPE = "NullCache"
        LOGIN_RATE_LIMIT = "1000 per minute"

    app = create_app(ProfileConfig)
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        print(f"sign-in failed: {response.status_code}", file=sys.stderr)
        return 1
    client.get(path).get_data()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(repeat):
        client.get(path).get_data()
    profile.disable()
    stats = pstats.Stats(profile).sort_stats("cumulative")
    stats.print_stats(int(os.environ.get("TOP", "40")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
