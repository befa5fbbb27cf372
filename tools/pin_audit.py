"""`make security`: pip-audit over the locks, telling a clean audit from one that could not run.

The locks (requirements.lock, requirements-dev.lock: `make lock` writes them from requirements*.txt) pin
every package, transitive ones included, with hashes. pip-audit is given them with --disable-pip, so it
looks up exactly the locked versions in its vulnerability service, never a fresh resolution of its own.
Where that service cannot be reached it skips the package, or stops, and by default still says "No known
vulnerabilities found". This wrapper reads pip-audit's JSON report instead, checks that every locked
package is in it, and ends in one of three ways:

- every locked package audited, none vulnerable: exit 0;
- a known vulnerability, or pip-audit failed for another reason (a lock entry without a hash, a lock that
  is not made of name==version pins): exit 1 with the details;
- some or all packages could not be audited: a NOT CHECKED banner naming them and the reason; exit 0,
  or exit 3 when PIP_AUDIT_REQUIRED=1 (for a machine that must not let an unchecked audit through).

Usage: python tools/pin_audit.py requirements.lock requirements-dev.lock
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
LOCKS = ("requirements.lock", "requirements-dev.lock")
PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;]+)(?P<options>(?:\s+--hash=\S+)*)")


@dataclass(frozen=True)
class Pin:
    """One `name==version` line of a requirements file or lock."""

    name: str  # normalized (PEP 503): "Flask_SQLAlchemy" is "flask-sqlalchemy"
    version: str
    hashes: tuple[str, ...]  # "sha256:...", from the line's --hash options
    source: str  # "path:line"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: str | Path) -> list[Pin]:
    """Every pin of a requirements file or lock, in order, following `-r` includes.

    Continuation lines are joined and comments dropped, as pip reads them. Anything else than an exact
    `name==version` pin (with optional extras and --hash options) or an `-r` include is refused with a
    ValueError naming its line: a loose pin, an index option or an editable install has no place here.
    """
    path = Path(path)
    pins: list[Pin] = []
    logical, start = "", 0
    for number, raw in enumerate([*path.read_text().splitlines(), ""], start=1):
        line = re.sub(r"(^|\s)#.*", "", raw).rstrip()
        if not logical:
            start = number
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical = (logical + line).strip()
        if not logical:
            continue
        include = re.fullmatch(r"(?:-r|--requirement)[\s=]+(\S+)", logical)
        pin = PIN.fullmatch(logical)
        if include:
            pins += read_pins(path.parent / include.group(1))
        elif pin:
            hashes = tuple(re.findall(r"--hash=(\S+)", pin.group("options")))
            pins.append(Pin(canonical(pin.group("name")), pin.group("version"), hashes, f"{path}:{start}"))
        else:
            raise ValueError(f"{path}:{start}: {logical}: not a name==version pin")
        logical = ""
    return pins


@dataclass
class Audit:
    """What one pip-audit report says."""

    audited: list[str] = field(default_factory=list)  # "name version"
    named: set[str] = field(default_factory=set)  # normalized names of every package in the report
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fixed in ...)"
    unchecked: list[str] = field(default_factory=list)  # pip-audit's reason for each skipped package


def read_report(report: dict) -> Audit:
    """Sort a pip-audit JSON report into audited, vulnerable and unchecked packages."""
    audit = Audit()
    for dependency in report.get("dependencies", []):
        audit.named.add(canonical(dependency.get("name", "")))
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


def main(locks: list[str]) -> int:
    """Run pip-audit on the locks and judge its report."""
    try:
        locked = {pin.name: pin for path in locks for pin in read_pins(path)}
    except (OSError, ValueError) as error:
        print(f"pip-audit: cannot read the locks: {error}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--format", "json",
                   "--output", str(output), "--disable-pip"]
        for path in locks:
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
    audit.unchecked += [f"{pin.name} {pin.version}: locked, but not in pip-audit's report"
                        for pin in locked.values() if pin.name not in audit.named]
    if audit.vulnerable:
        print(f"pip-audit: {len(audit.vulnerable)} known vulnerabilit{'y' if len(audit.vulnerable) == 1 else 'ies'}"
              " in the locked requirements; move each package to a fixed version:", file=sys.stderr)
        for line in audit.vulnerable:
            print(f"  {line}", file=sys.stderr)
        return 1
    if audit.unchecked:
        return not_checked(audit.unchecked, len(audit.audited) + len(audit.unchecked))
    print(f"pip-audit: {len(audit.audited)} packages audited, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or list(LOCKS)))
