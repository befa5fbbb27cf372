"""`make security`: pip-audit over the pinned requirements, telling a clean audit from one that could not run.

pip-audit looks every pinned package (and what it pulls in) up in a vulnerability service. Where that
service cannot be reached it skips the package, or stops, and by default still says "No known
vulnerabilities found". This wrapper reads pip-audit's JSON report instead and ends in one of three ways:

- every package audited, none vulnerable: exit 0;
- a known vulnerability, or pip-audit failed for another reason: exit 1 with the details;
- some or all packages could not be audited: a NOT CHECKED banner naming them and the reason; exit 0,
  or exit 3 when PIP_AUDIT_REQUIRED=1 (for a machine that must not let an unchecked audit through).

Usage: python tools/pin_audit.py requirements.txt requirements-dev.txt
"""

from __future__ import annotations

import json
import os
import re
import subprocess  # nosec B404 # only to run pip-audit, below
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

UNREACHABLE = re.compile(
    r"ConnectionError|NameResolutionError|Max retries exceeded|timed out|Temporary failure in name resolution"
)
NOT_CHECKED_EXIT = 3


@dataclass
class Audit:
    """What one pip-audit report says."""

    audited: list[str] = field(default_factory=list)  # "name version"
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fixed in ...)"
    unchecked: list[str] = field(default_factory=list)  # pip-audit's reason for each skipped package


def read_report(report: dict) -> Audit:
    """Sort a pip-audit JSON report into audited, vulnerable and unchecked packages."""
    audit = Audit()
    for dependency in report.get("dependencies", []):
        if dependency.get("skip_reason"):
            audit.unchecked.append(dependency["skip_reason"])
            continue
        name = f"{dependency['name']} {dependency.get('version', '?')}"
        audit.audited.append(name)
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            audit.vulnerable.append(f"{name}: {vuln['id']} (fixed in {fixed})")
    return audit


def not_checked(reasons: list[str], total: int | None = None) -> int:
    """Print the NOT CHECKED banner; the exit code depends on PIP_AUDIT_REQUIRED."""
    required = os.environ.get("PIP_AUDIT_REQUIRED") == "1"
    counted = f"{len(reasons)} of {total} packages" if total else "The pinned requirements"
    print("=" * 78, file=sys.stderr)
    print(f"pip-audit: NOT CHECKED. {counted} could not be checked for known vulnerabilities,", file=sys.stderr)
    print("because pip-audit could not get answers from its vulnerability service:", file=sys.stderr)
    for reason in reasons[:5]:
        print(f"  {reason}", file=sys.stderr)
    if len(reasons) > 5:
        print(f"  ... and {len(reasons) - 5} more", file=sys.stderr)
    print("Run `make security` on a machine that reaches the service before trusting these pins.", file=sys.stderr)
    if required:
        print("PIP_AUDIT_REQUIRED=1: failing.", file=sys.stderr)
    print("=" * 78, file=sys.stderr)
    return NOT_CHECKED_EXIT if required else 0


def main(requirements: list[str]) -> int:
    """Run pip-audit on the requirement files and judge its report."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--format", "json",
                   "--output", str(output)]
        for path in requirements:
            command += ["--requirement", path]
        result = subprocess.run(  # noqa: S603  # nosec B603 # this interpreter's pip-audit, no shell
            command, capture_output=True, text=True, timeout=900, check=False
        )
        report = json.loads(output.read_text()) if output.exists() and output.stat().st_size else None
    if report is None:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        if UNREACHABLE.search(result.stderr):
            return not_checked(lines[-1:])
        print(f"pip-audit failed (exit {result.returncode}) before it could audit anything:", file=sys.stderr)
        print("\n".join(lines[-15:]), file=sys.stderr)
        return 1
    audit = read_report(report)
    if audit.vulnerable:
        print(f"pip-audit: {len(audit.vulnerable)} known vulnerabilit{'y' if len(audit.vulnerable) == 1 else 'ies'}"
              " in the pinned requirements; bump each pin to a fixed version:", file=sys.stderr)
        for line in audit.vulnerable:
            print(f"  {line}", file=sys.stderr)
        return 1
    if audit.unchecked:
        return not_checked(audit.unchecked, len(audit.audited) + len(audit.unchecked))
    print(f"pip-audit: {len(audit.audited)} packages audited, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["requirements.txt", "requirements-dev.txt"]))
