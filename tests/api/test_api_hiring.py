"""Postings through the API: open ones public (as on the careers page), the rest for read:hiring;
applications for read:hiring only."""

from __future__ import annotations

from tests.api.conftest import Api


def test_anyone_sees_open_postings_only(db, org, client):
    public = Api(client)
    listed = public.get("/postings")
    assert listed.status_code == 200 and [p["title"] for p in listed.get_json()] == ["Medical assistant"]
    assert public.get(f"/postings/{org.open_posting.id}").get_json()["status"] == "open"
    hidden = public.get(f"/postings/{org.draft.id}")
    assert hidden.status_code == 404 and hidden.mimetype == "application/problem+json"


def test_a_token_without_read_hiring_sees_what_the_public_sees(db, org, client, issue):
    reader = Api(client, issue("read:employees")[1])
    assert [p["id"] for p in reader.get("/postings").get_json()] == [org.open_posting.id]
    assert reader.get(f"/postings/{org.draft.id}").status_code == 404


def test_read_hiring_sees_every_posting_by_status(db, org, client, issue):
    hr = Api(client, issue("read:hiring")[1])
    assert {p["id"] for p in hr.get("/postings").get_json()} == {org.open_posting.id, org.draft.id}
    assert [p["id"] for p in hr.get("/postings?status=draft").get_json()] == [org.draft.id]
    assert hr.get(f"/postings/{org.draft.id}").get_json()["title"] == "Care manager (draft)"
    assert hr.get("/postings?status=someday").status_code == 422


def test_applications_are_read_without_resumes_or_answers(db, org, client, issue):
    hr = Api(client, issue("read:hiring")[1])
    page = hr.get(f"/applications?posting_id={org.open_posting.id}").get_json()
    assert [a["name"] for a in page["items"]] == ["Rosa Diaz"] and page["next_cursor"] is None
    one = hr.get(f"/applications/{org.application.id}").get_json()
    assert one["stage"] == "applied" and "resume_path" not in one and "why_medical_home" not in one
    assert hr.get("/applications?stage=hired").get_json()["items"] == []
    assert hr.get("/applications/999999").status_code == 404
