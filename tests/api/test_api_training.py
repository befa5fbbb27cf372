"""Tracks, modules, assignments, check-ins and completions through the API; completions pushed by an
external LMS keep the app's rules and are idempotent with an Idempotency-Key."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.models import AuditEvent, Completion, IdempotentRequest, Progress, ProgressStatus
from tests.access_world import fingerprint
from tests.api.conftest import TODAY
from tests.helpers import count

LOGS = {"api_call", "api_token"}


def _completion(org, **fields) -> dict:
    return {"employee_id": org.sam.id, "module_id": org.attest.id, "module_version": 2,
            "completed_on": (TODAY - timedelta(days=1)).isoformat()} | fields


def _progress(db, employee, module) -> Progress:
    progress = db.session.scalar(select(Progress).where(Progress.employee_id == employee.id,
                                                        Progress.module_id == module.id))
    db.session.refresh(progress)
    return progress


def _changed(before: dict) -> set[str]:
    after = fingerprint()
    return {table for table in before if before[table] != after[table]} - LOGS


def test_tracks_and_modules_are_read_with_their_modules_in_order(db, org, api):
    tracks = api.get("/tracks").get_json()
    assert [t["name"] for t in tracks] == ["Medical home foundations"]
    track = api.get(f"/tracks/{org.track.id}").get_json()
    assert [m["title"] for m in track["modules"]] == ["Huddle basics", "Leads the huddle", "Later module"]
    module = api.get(f"/modules/{org.sign_off.id}").get_json()
    assert (module["method"], module["version"], module["values"]) == ("sign-off", 1, [])
    assert api.get("/modules/999999").status_code == 404


def test_assignments_carry_their_progress(db, org, api):
    assignments = api.get(f"/employees/{org.sam.id}/assignments").get_json()
    assert [a["track_name"] for a in assignments] == ["Medical home foundations"]
    assert {p["module_id"] for p in assignments[0]["progress"]} == {org.attest.id, org.sign_off.id}
    assert {p["status"] for p in assignments[0]["progress"]} == {"not_started"}
    assert api.get("/employees/999999/assignments").status_code == 404
    assert api.get(f"/employees/{org.sam.id}/check-ins").get_json() == []


def test_an_lms_completion_is_recorded_with_its_version_and_day_and_audited(db, org, api):
    response = api.post("/completions", json=_completion(org, module_version=1, score=90))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["recorded"] is True and body["progress"]["status"] == "completed"
    progress = _progress(db, org.sam, org.attest)
    assert progress.status is ProgressStatus.COMPLETED and progress.completed_version == 1
    assert progress.completed_at.date() == TODAY - timedelta(days=1) and progress.best_score == 90
    completion = db.session.scalar(select(Completion).where(Completion.employee_id == org.sam.id))
    assert (completion.module_version, completion.score) == (1, 90)
    noted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.completion_recorded"))
    assert noted.entity_id == progress.id and "HRIS sync" in noted.note
    exported = api.get(f"/completions?employee_id={org.sam.id}").get_json()["items"]
    assert [(c["module_id"], c["module_version"]) for c in exported] == [(org.attest.id, 1)]


def test_a_second_report_of_a_completed_module_changes_nothing(db, org, api):
    assert api.post("/completions", json=_completion(org)).status_code == 201
    db.session.commit()
    before = fingerprint()
    again = api.post("/completions", json=_completion(org, completed_on=TODAY.isoformat()))
    assert again.status_code == 200 and again.get_json()["recorded"] is False
    assert _changed(before) == set()
    assert count(db, Completion) == 1


def test_the_same_idempotency_key_and_body_replay_the_first_answer(db, org, api):
    key = {"Idempotency-Key": "lms-export-2026-12-04-0001"}
    first = api.post("/completions", json=_completion(org), headers=key)
    db.session.commit()
    before = fingerprint()
    second = api.post("/completions", json=_completion(org), headers=key)
    assert (second.status_code, second.get_json()) == (first.status_code, first.get_json()) == (201, first.get_json())
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _changed(before) == set() and count(db, Completion) == 1


def test_the_same_idempotency_key_with_another_body_is_a_409_and_changes_nothing(db, org, api):
    key = {"Idempotency-Key": "lms-0002"}
    assert api.post("/completions", json=_completion(org), headers=key).status_code == 201
    db.session.commit()
    before = fingerprint()
    other = api.post("/completions", json=_completion(org, employee_id=org.tess.id), headers=key)
    assert other.status_code == 409 and other.mimetype == "application/problem+json"
    assert "different body" in other.get_json()["detail"]
    assert _changed(before) == set()
    assert _progress(db, org.tess, org.attest).status is ProgressStatus.NOT_STARTED


def test_keys_belong_to_their_token(db, org, client, issue):
    from tests.api.conftest import Api

    one, two = (Api(client, issue("write:completions", name=name)[1]) for name in ("LMS one", "LMS two"))
    key = {"Idempotency-Key": "shared-key"}
    assert one.post("/completions", json=_completion(org), headers=key).status_code == 201
    answer = two.post("/completions", json=_completion(org, employee_id=org.tess.id), headers=key)
    assert answer.status_code == 201 and count(db, IdempotentRequest) == 2


def test_a_refused_completion_is_not_remembered_under_its_key(db, org, api):
    key = {"Idempotency-Key": "lms-0003"}
    assert api.post("/completions", json=_completion(org, module_version=9), headers=key).status_code == 422
    assert api.post("/completions", json=_completion(org), headers=key).status_code == 201


def test_completions_the_app_does_not_accept_from_an_lms_are_refused_and_change_nothing(db, org, api):
    org.manager.active = True
    db.session.commit()
    cases = [
        (_completion(org, module_id=org.sign_off.id, module_version=1), "module_id", "completed by a sign-off in the app"),
        (_completion(org, module_id=org.unassigned.id, module_version=1), "module_id", "is not assigned to Sam Staff"),
        (_completion(org, module_version=3), "module_version", "version 3 does not exist"),
        (_completion(org, completed_on=(TODAY + timedelta(days=1)).isoformat()), "completed_on", "in the future"),
        (_completion(org, employee_id=999999), "employee_id", "no employee with id 999999"),
        (_completion(org, module_id=999999), "module_id", "no module with id 999999"),
        (_completion(org, completed_on="2026-02-30"), "completed_on", "Not a valid date"),
        (_completion(org, score=140), "score", "less than or equal to 100"),
        (_completion(org, extra="x"), "extra", "Unknown field"),
        ({"employee_id": org.sam.id}, "module_id", "Missing data"),
    ]
    before = fingerprint()
    for body, field, message in cases:
        response = api.post("/completions", json=body)
        problem = response.get_json()
        assert response.status_code == 422, (body, problem)
        assert any(message in text for text in problem["errors"][field]), (body, problem)
    bad_key = api.post("/completions", json=_completion(org), headers={"Idempotency-Key": "k" * 201})
    assert bad_key.status_code == 400 and "Idempotency-Key" in bad_key.get_json()["detail"]
    assert _changed(before) == set()


def test_a_deactivated_employee_gets_no_completion(db, org, api):
    org.tess.active = False
    db.session.commit()
    response = api.post("/completions", json=_completion(org, employee_id=org.tess.id))
    assert response.status_code == 422 and "deactivated" in response.get_json()["detail"]
    assert _progress(db, org.tess, org.attest).status is ProgressStatus.NOT_STARTED
