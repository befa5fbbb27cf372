"""Export completions from the Medical Home API and push one from an external LMS.

Standard library only. Usage:

    export MEDICAL_HOME_URL=http://127.0.0.1:5000
    export MEDICAL_HOME_TOKEN=mhk_...   # an admin issues it at /admin/api-tokens
    python docs/api_example.py export completions.csv [--since 2026-01-01]
    python docs/api_example.py push EMPLOYEE_ID MODULE_ID MODULE_VERSION COMPLETED_ON [--key KEY]

`export` needs the read:training scope, `push` write:completions. A push sends an Idempotency-Key
(one you give, or one made from the completion), so running it again replays the first answer
instead of recording twice.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

FIELDS = ["id", "employee_id", "module_id", "module_version", "completed_at", "score"]


def call(method: str, path: str, *, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    """One API call; returns the status and the JSON answer (problem details on an error)."""
    base = os.environ.get("MEDICAL_HOME_URL", "http://127.0.0.1:5000").rstrip("/")
    token = os.environ.get("MEDICAL_HOME_TOKEN")
    if not token:
        raise SystemExit("Set MEDICAL_HOME_TOKEN to an API token (an admin issues one at /admin/api-tokens).")
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's own API)
        f"{base}/api/v1{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                 **({"Content-Type": "application/json"} if body is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def export(filename: str, since: str | None) -> int:
    """Write every completion (following next_cursor page by page) to a CSV file."""
    query = {"limit": 100, **({"since": since} if since else {})}
    written = 0
    with open(filename, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        while True:
            status, page = call("GET", "/completions?" + urllib.parse.urlencode(query))
            if status != 200:
                print(f"{status} {page.get('title')}: {page.get('detail')}", file=sys.stderr)
                return 1
            for item in page["items"]:
                writer.writerow({name: item[name] for name in FIELDS})
                written += 1
            if page["next_cursor"] is None:
                break
            query["cursor"] = page["next_cursor"]
    print(f"{written} completions written to {filename}")
    return 0


def push(employee_id: int, module_id: int, module_version: int, completed_on: str, key: str | None) -> int:
    """Record one completion from the LMS; safe to repeat."""
    body = {"employee_id": employee_id, "module_id": module_id, "module_version": module_version,
            "completed_on": completed_on}
    key = key or "lms-" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]
    status, answer = call("POST", "/completions", body=body, headers={"Idempotency-Key": key})
    if status in (200, 201):
        progress = answer["progress"]
        said = "recorded" if answer["recorded"] else "was already complete"
        print(f"module {progress['module_id']} for employee {progress['employee_id']} {said} "
              f"(version {progress['completed_version']}, {progress['completed_at']})")
        return 0
    print(f"{status} {answer.get('title')}: {answer.get('detail')}", file=sys.stderr)
    for field, messages in (answer.get("errors") or {}).items():
        print(f"  {field}: {'; '.join(messages)}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="write completions to a CSV file")
    out.add_argument("filename")
    out.add_argument("--since", help="only completions on or after this day (YYYY-MM-DD)")
    one = commands.add_parser("push", help="record one completion from the LMS")
    one.add_argument("employee_id", type=int)
    one.add_argument("module_id", type=int)
    one.add_argument("module_version", type=int)
    one.add_argument("completed_on", help="YYYY-MM-DD")
    one.add_argument("--key", help="Idempotency-Key (default: made from the completion)")
    args = parser.parse_args(argv)
    if args.command == "export":
        return export(args.filename, args.since)
    return push(args.employee_id, args.module_id, args.module_version, args.completed_on, args.key)


if __name__ == "__main__":
    sys.exit(main())
