"""tools/pin_audit.py: a known vulnerability fails, an audit that could not run never reads as a pass."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tools import pin_audit

CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
VULNERABLE = {
    "name": "werkzeug", "version": "3.0.0",
    "vulns": [{"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["3.0.3"], "aliases": ["CVE-2024-0000"]}],
}
SKIPPED = {"name": "jinja2", "skip_reason": "Dependency not found on PyPI and could not be audited: jinja2 (3.1.6)"}


def fake_pip_audit(monkeypatch, *, report: dict | None, returncode: int = 0, stderr: str = ""):
    """Replace the pip-audit run: write `report` where the wrapper asked for its JSON output."""
    calls = []

    def run(command, **kwargs):
        calls.append(command)
        if report is not None:
            Path(command[command.index("--output") + 1]).write_text(json.dumps(report))
        return subprocess.CompletedProcess(command, returncode, stdout="", stderr=stderr)

    monkeypatch.setattr(pin_audit.subprocess, "run", run)
    return calls


def test_a_clean_report_passes_and_audits_both_requirement_files(monkeypatch, capsys):
    calls = fake_pip_audit(monkeypatch, report={"dependencies": [CLEAN, {**CLEAN, "name": "jinja2"}], "fixes": []})
    assert pin_audit.main(["requirements.txt", "requirements-dev.txt"]) == 0
    command = calls[0]
    assert command[1:3] == ["-m", "pip_audit"]
    assert [command[i + 1] for i, arg in enumerate(command) if arg == "--requirement"] == [
        "requirements.txt", "requirements-dev.txt"]
    assert "2 packages audited, no known vulnerabilities" in capsys.readouterr().out


def test_a_known_vulnerability_fails_and_names_the_fixed_version(monkeypatch, capsys):
    fake_pip_audit(monkeypatch, report={"dependencies": [CLEAN, VULNERABLE, SKIPPED]}, returncode=1)
    assert pin_audit.main(["requirements.txt"]) == 1
    err = capsys.readouterr().err
    assert "werkzeug 3.0.0: GHSA-xxxx-yyyy-zzzz (fixed in 3.0.3)" in err and "1 known vulnerability" in err


@pytest.mark.parametrize(("required", "code"), [(None, 0), ("1", pin_audit.NOT_CHECKED_EXIT)])
def test_skipped_packages_are_reported_as_not_checked_never_as_a_pass(monkeypatch, capsys, required, code):
    if required:
        monkeypatch.setenv("PIP_AUDIT_REQUIRED", required)
    else:
        monkeypatch.delenv("PIP_AUDIT_REQUIRED", raising=False)
    fake_pip_audit(monkeypatch, report={"dependencies": [CLEAN, SKIPPED]})
    assert pin_audit.main(["requirements.txt"]) == code
    captured = capsys.readouterr()
    assert "NOT CHECKED" in captured.err and "1 of 2 packages" in captured.err and "jinja2 (3.1.6)" in captured.err
    assert "no known vulnerabilities" not in captured.out


def test_an_unreachable_service_is_not_checked_and_another_failure_fails(monkeypatch, capsys):
    monkeypatch.delenv("PIP_AUDIT_REQUIRED", raising=False)
    fake_pip_audit(monkeypatch, report=None, returncode=1, stderr=(
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): "
        "Max retries exceeded\n"))
    assert pin_audit.main(["requirements.txt"]) == 0
    assert "NOT CHECKED" in capsys.readouterr().err

    fake_pip_audit(monkeypatch, report=None, returncode=1, stderr="ERROR: No matching distribution for flask==99\n")
    assert pin_audit.main(["requirements.txt"]) == 1
    err = capsys.readouterr().err
    assert "pip-audit failed (exit 1)" in err and "flask==99" in err and "NOT CHECKED" not in err
