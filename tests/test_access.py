"""Who may use each endpoint: one row per endpoint in the URL map, one column per kind of user, every cell
checked over HTTP with a real signed-in user of that kind.

Cells:
- ok   reaches it: every method the rule takes answers 200 or a redirect that is not to sign-in (a POST
       carries the row's form data from FORMS, so an allowed user really acts);
- ro   may look, not act: GET reaches it, a POST gets 403;
- --   refused: anonymous users are sent to sign in, signed-in users get 403;
- 404  not theirs: signed-in users get 404, so whether the record exists is not revealed.
A refused or hidden POST must change nothing: every table is read before and after.

A new route without a row fails `test_every_endpoint_has_a_row`; a row whose URL no longer matches its
endpoint fails `test_every_row_url_matches_its_endpoint`. Object-level cases (whose record it is) are
in tests/test_access_objects.py, CSRF on every POST route in tests/test_csrf.py.
"""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import Map, Rule

from app.admin.import_services import example_csv
from config import TestingConfig
from tests.access_world import (
    ACTORS,
    ANON,
    PNG,
    Browsers,
    changed,
    fingerprint,
    isolated,
    make_world,
)

OK, READ, NO, HIDDEN = "ok", "ro", "--", "404"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# endpoint: (URL template, or one per rule of the endpoint; the cells of:
#                                                                                anon staff intvw mgr other hr  admin
RULES: dict[str, tuple] = {
    "static":                       ("/static/app.css",                             "ok  ok  ok  ok  ok  ok  ok"),
    "bootstrap.static":             ("/bootstrap/static/css/bootstrap.min.css",     "ok  ok  ok  ok  ok  ok  ok"),
    "healthz":                      ("/healthz",                                    "ok  ok  ok  ok  ok  ok  ok"),
    "main.index":                   ("/",                                           "ok  ok  ok  ok  ok  ok  ok"),
    "main.home":                    ("/home",                                       "--  ok  ok  ok  ok  ok  ok"),
    "auth.login":                   ("/login",                                      "ok  ok  ok  ok  ok  ok  ok"),
    # With OIDC_ISSUER set (the world turns the loopback provider on); without it both answer 404 to everyone.
    "auth.oidc_login":              ("/login/oidc",                                 "ok  ok  ok  ok  ok  ok  ok"),
    "auth.oidc_callback":           ("/login/oidc/callback",                        "ok  ok  ok  ok  ok  ok  ok"),
    "auth.logout":                  ("/logout",                                     "--  ok  ok  ok  ok  ok  ok"),
    "auth.accept_invite":           ("/invite/{invite_token}",                      "ok  ok  ok  ok  ok  ok  ok"),
    "auth.change_password":         ("/account/password",                           "--  ok  ok  ok  ok  ok  ok"),
    "auth.forgot_password":         ("/forgot",                                     "ok  ok  ok  ok  ok  ok  ok"),
    "auth.reset_password":          ("/reset/{reset_token}",                        "ok  ok  ok  ok  ok  ok  ok"),
    "content.index":                ("/content/",                                   "--  ok  ok  ok  ok  ok  ok"),
    "content.value":                ("/content/values/{value_key}",                 "--  ok  ok  ok  ok  ok  ok"),
    "content.edit_value":           ("/content/values/{value_key}/edit",            "--  --  --  --  --  ok  ok"),
    "admin.users":                  ("/admin/users",                                "--  --  --  --  --  --  ok"),
    "admin.invite":                 ("/admin/users/new",                            "--  --  --  --  --  --  ok"),
    "admin.user":                   ("/admin/users/{other_id}",                     "--  --  --  --  --  --  ok"),
    "admin.deactivate":             ("/admin/users/{other_id}/deactivate",          "--  --  --  --  --  --  ok"),
    "admin.reactivate":             ("/admin/users/{other_id}/reactivate",          "--  --  --  --  --  --  ok"),
    "admin.resend_invite":          ("/admin/users/{other_id}/invite",              "--  --  --  --  --  --  ok"),
    "admin.send_password_reset":    ("/admin/users/{other_id}/reset-password",      "--  --  --  --  --  --  ok"),
    "admin.sites":                  ("/admin/sites",                                "--  --  --  --  --  --  ok"),
    "admin.site":        (("/admin/sites/{site_id}", "/admin/sites/new"),           "--  --  --  --  --  --  ok"),
    "admin.archive_site":           ("/admin/sites/{site_id}/archive",              "--  --  --  --  --  --  ok"),
    "admin.audit":                  ("/admin/audit",                                "--  --  --  --  --  --  ok"),
    # API tokens belong to integrations an admin sets up: nobody else can see or issue one.
    "admin.api_tokens":             ("/admin/api-tokens",                           "--  --  --  --  --  --  ok"),
    "admin.new_api_token":          ("/admin/api-tokens/new",                       "--  --  --  --  --  --  ok"),
    "admin.api_token":              ("/admin/api-tokens/{api_token_id}",            "--  --  --  --  --  --  ok"),
    "admin.revoke_api_token":       ("/admin/api-tokens/{api_token_id}/revoke",     "--  --  --  --  --  --  ok"),
    # The API's reference is public, like the careers page; the API itself (api.*) has its own matrix.
    "api_docs.openapi_json":        ("/api/v1/openapi.json",                        "ok  ok  ok  ok  ok  ok  ok"),
    "api_docs.docs":                ("/api/v1/docs",                                "ok  ok  ok  ok  ok  ok  ok"),
    "admin.import_staff":           ("/admin/import",                               "--  --  --  --  --  ok  ok"),
    "admin.confirm_import":         ("/admin/import/confirm",                       "--  --  --  --  --  ok  ok"),
    "admin.import_example":         ("/admin/import/example.csv",                   "--  --  --  --  --  ok  ok"),
    "webhooks.index":               ("/admin/webhooks/",                            "--  --  --  --  --  --  ok"),
    "webhooks.new":                 ("/admin/webhooks/new",                         "--  --  --  --  --  --  ok"),
    "webhooks.endpoint":            ("/admin/webhooks/{webhook_id}",                "--  --  --  --  --  --  ok"),
    "webhooks.enable":              ("/admin/webhooks/{webhook_id}/enable",         "--  --  --  --  --  --  ok"),
    "webhooks.disable":             ("/admin/webhooks/{webhook_id}/disable",        "--  --  --  --  --  --  ok"),
    "webhooks.rotate_secret":       ("/admin/webhooks/{webhook_id}/secret",         "--  --  --  --  --  --  ok"),
    "webhooks.remove":              ("/admin/webhooks/{webhook_id}/remove",         "--  --  --  --  --  --  ok"),
    "onboarding.my_onboarding":     ("/onboarding",                                 "--  ok  ok  ok  ok  ok  ok"),
    # {*_module_id}: modules on Sam's (staff's) plan, and on nobody else's among the seven.
    "onboarding.module":            ("/onboarding/modules/{module_id}",             "--  ok  404 404 404 404 404"),
    "onboarding.attest":            ("/onboarding/modules/{module_id}/attest",      "--  ok  404 404 404 404 404"),
    "onboarding.quiz":              ("/onboarding/modules/{quiz_module_id}/quiz",   "--  ok  404 404 404 404 404"),
    "onboarding.request_sign_off":  ("/onboarding/modules/{sign_off_module_id}/sign-off", "--  ok  404 404 404 404 404"),
    # Tess (on Mona's team) has a task her manager completes and a sign-off waiting for her manager.
    "onboarding.complete_task":     ("/onboarding/progress/{task_progress_id}/task", "--  --  --  ok  --  --  --"),
    "onboarding.tasks":             ("/onboarding/tasks",                           "--  ok  ok  ok  ok  ok  ok"),
    "onboarding.transcript":        ("/onboarding/transcript",                      "--  ok  ok  ok  ok  ok  ok"),
    # The feed is for calendar apps, which cannot sign in: the unguessable token is the key.
    "onboarding.calendar_feed":     ("/onboarding/calendar/{calendar_token}.ics",   "ok  ok  ok  ok  ok  ok  ok"),
    "onboarding.reset_calendar":    ("/onboarding/calendar/reset",                  "--  ok  ok  ok  ok  ok  ok"),
    "onboarding.sign_offs":         ("/onboarding/sign-offs",                       "--  --  --  ok  ok  ok  ok"),
    "onboarding.approve_sign_off":  ("/onboarding/sign-offs/{sign_off_progress_id}/approve", "--  --  --  ok  --  ok  ok"),
    "onboarding.send_back":         ("/onboarding/sign-offs/{sign_off_progress_id}/send-back", "--  --  --  ok  --  ok  ok"),
    "onboarding.preferences":       ("/onboarding/preferences",                     "--  ok  ok  ok  ok  ok  ok"),
    "onboarding.check_in_schedule": ("/onboarding/check-in-schedule",               "--  --  --  --  --  ok  ok"),
    # {check_in_id} is Sam's open check-in: his manager line may look (and is sent to the team page), not post.
    "onboarding.check_in":          ("/onboarding/check-ins/{check_in_id}",         "--  ok  404 ro  404 ro  ro"),
    "onboarding.amend_check_in":    ("/onboarding/check-ins/{rated_check_in_id}/amend", "--  ok  404 --  404 --  --"),
    "onboarding.tracks":            ("/onboarding/tracks",                          "--  --  --  --  --  ok  ok"),
    "onboarding.new_track":         ("/onboarding/tracks/new",                      "--  --  --  --  --  ok  ok"),
    "onboarding.track":             ("/onboarding/tracks/{track_id}",               "--  --  --  --  --  ok  ok"),
    "onboarding.archive_track":     ("/onboarding/tracks/{track_id}/archive",       "--  --  --  --  --  ok  ok"),
    "onboarding.assign_track":      ("/onboarding/tracks/{track_id}/assign",        "--  --  --  --  --  ok  ok"),
    "onboarding.track_people":      ("/onboarding/tracks/{track_id}/people",        "--  --  --  --  --  ok  ok"),
    "onboarding.new_module":        ("/onboarding/tracks/{track_id}/modules/new",   "--  --  --  --  --  ok  ok"),
    "onboarding.edit_module":       ("/onboarding/modules/{module_id}/edit",        "--  --  --  --  --  ok  ok"),
    "onboarding.move_module":       ("/onboarding/modules/{module_id}/move",        "--  --  --  --  --  ok  ok"),
    "onboarding.archive_module":    ("/onboarding/modules/{module_id}/archive",     "--  --  --  --  --  ok  ok"),
    "onboarding.unassign":          ("/onboarding/assignments/{assignment_id}/unassign", "--  --  --  --  --  ok  ok"),
    # {other_id} is Tess, on Mona's team: another team's manager is told she does not exist.
    "team.index":                   ("/team",                                       "--  --  --  ok  ok  ok  ok"),
    "team.person":                  ("/team/people/{other_id}",                     "--  --  --  ok  404 ok  ok"),
    "team.export":                  ("/team.csv",                                   "--  --  --  ok  ok  ok  ok"),
    # Tess's check-ins: the manager side is her manager line's, HR's or an admin's; another team's manager gets 404.
    "team.check_in":                ("/team/check-ins/{other_check_in_id}",          "--  --  --  ok  404 ok  ok"),
    "team.amend_check_in":          ("/team/check-ins/{other_rated_check_in_id}/amend", "--  --  --  ok  404 ok  ok"),
    "team.assign_check_in_modules": ("/team/check-ins/{other_check_in_id}/assign",   "--  --  --  ok  404 ok  ok"),
    "reports.index":                ("/reports",                                    "--  --  --  --  --  ok  ok"),
    "reports.training_csv":         ("/reports/training.csv",                       "--  --  --  --  --  ok  ok"),
    "reports.evidence":             ("/reports/evidence",                           "--  --  --  --  --  ok  ok"),
    "reports.validity":             ("/reports/validity",                           "--  --  --  --  --  ok  ok"),
    "reports.validity_csv":         ("/reports/validity.csv",                       "--  --  --  --  --  ok  ok"),
    "reports.compliance_view":      ("/reports/compliance",                         "--  --  --  --  --  ok  ok"),
    "reports.compliance_export":    ("/reports/compliance.csv",                     "--  --  --  --  --  ok  ok"),
    "careers.index":                ("/careers",                                    "ok  ok  ok  ok  ok  ok  ok"),
    "careers.posting":              ("/careers/{posting_id}",                       "ok  ok  ok  ok  ok  ok  ok"),
    "careers.thanks":               ("/careers/{posting_id}/thanks",                "ok  ok  ok  ok  ok  ok  ok"),
    # The candidate has no account: the signed link is the key, and it names one application.
    "careers.withdraw":             ("/careers/withdraw/{withdraw_token}",          "ok  ok  ok  ok  ok  ok  ok"),
    "careers.my_data":              ("/careers/data/{data_token}",                  "ok  ok  ok  ok  ok  ok  ok"),
    "careers.my_data_download":     ("/careers/data/{data_token}/download",         "ok  ok  ok  ok  ok  ok  ok"),
    "careers.offer":                ("/careers/offer/{offer_token}",                "ok  ok  ok  ok  ok  ok  ok"),
    # Rosa's résumé: not even the interviewer on her panel downloads it.
    "hiring.resume":                ("/hiring/applications/{application_id}/resume", "--  --  --  --  --  ok  ok"),
    "hiring.resubmission_resume":   ("/hiring/applications/{application_id}/resubmissions/{resubmission_id}/resume",
                                                                                    "--  --  --  --  --  ok  ok"),
    "hiring.questions":             ("/hiring/questions",                           "--  --  --  --  --  ok  ok"),
    "hiring.new_question":          ("/hiring/questions/new",                       "--  --  --  --  --  ok  ok"),
    "hiring.question":              ("/hiring/questions/{question_id}",             "--  --  --  --  --  ok  ok"),
    "hiring.archive_question":      ("/hiring/questions/{question_id}/archive",     "--  --  --  --  --  ok  ok"),
    "hiring.restore_question":      ("/hiring/questions/{question_id}/restore",     "--  --  --  --  --  ok  ok"),
    "hiring.rubrics":               ("/hiring/rubrics",                             "--  --  --  --  --  ok  ok"),
    "hiring.new_rubric":            ("/hiring/rubrics/new",                         "--  --  --  --  --  ok  ok"),
    "hiring.rubric":                ("/hiring/rubrics/{rubric_id}",                 "--  --  --  --  --  ok  ok"),
    "hiring.postings":              ("/hiring/postings",                            "--  --  --  --  --  ok  ok"),
    "hiring.new_posting":           ("/hiring/postings/new",                        "--  --  --  --  --  ok  ok"),
    "hiring.posting":               ("/hiring/postings/{posting_id}",               "--  --  --  --  --  ok  ok"),
    "hiring.add_to_kit":            ("/hiring/postings/{posting_id}/kit",           "--  --  --  --  --  ok  ok"),
    "hiring.remove_from_kit":       ("/hiring/kit-items/{kit_item_id}/remove",      "--  --  --  --  --  ok  ok"),
    "hiring.move_kit_item":         ("/hiring/kit-items/{kit_item_id}/move",        "--  --  --  --  --  ok  ok"),
    "hiring.open_posting":          ("/hiring/postings/{posting_id}/open",          "--  --  --  --  --  ok  ok"),
    "hiring.close_posting":         ("/hiring/postings/{posting_id}/close",         "--  --  --  --  --  ok  ok"),
    "hiring.archive_posting":       ("/hiring/postings/{posting_id}/archive",       "--  --  --  --  --  ok  ok"),
    "hiring.pipeline":              ("/hiring/postings/{posting_id}/pipeline",      "--  --  --  --  --  ok  ok"),
    "hiring.candidate":             ("/hiring/applications/{application_id}",       "--  --  --  --  --  ok  ok"),
    "hiring.move_application":      ("/hiring/applications/{application_id}/move",  "--  --  --  --  --  ok  ok"),
    "hiring.interviews":            ("/hiring/applications/{application_id}/interviews", "--  --  --  --  --  ok  ok"),
    # Interviewing is a permission HR gives, not a role; {interview_id} is Ivy's place on Rosa's panel.
    "hiring.my_interviews":         ("/hiring/my-interviews",                       "--  --  ok  --  --  --  --"),
    "hiring.interview":             ("/hiring/interviews/{interview_id}",           "--  --  ok  --  --  ro  ro"),
    "hiring.amend":                 ("/hiring/interviews/{interview_id}/amend",     "--  --  ok  --  --  --  --"),
    "hiring.compare":               ("/hiring/postings/{posting_id}/compare",       "--  --  --  --  --  ok  ok"),
    "hiring.calibration":           ("/hiring/interviewers/{interviewer_id}/calibration", "--  --  --  --  --  ok  --"),
    "hiring.hire":                  ("/hiring/applications/{application_id}/hire",  "--  --  --  --  --  ok  ok"),
    "hiring.message_templates":     ("/hiring/messages",                            "--  --  --  --  --  ok  ok"),
    "hiring.message_template":      ("/hiring/messages/screening",                  "--  --  --  --  --  ok  ok"),
    "hiring.message_candidate":     ("/hiring/applications/{application_id}/message", "--  --  --  --  --  ok  ok"),
    # Offers: {offer_id} is Rosa's draft written by Hana (HR), so only the admin's approval goes through.
    "hiring.new_offer":             ("/hiring/applications/{application_id}/offers/new", "--  --  --  --  --  ok  ok"),
    "hiring.offer":                 ("/hiring/offers/{offer_id}",                   "--  --  --  --  --  ok  ok"),
    "hiring.approve_offer":         ("/hiring/offers/{offer_id}/approve",           "--  --  --  --  --  ok  ok"),
    "hiring.send_offer":            ("/hiring/offers/{offer_id}/send",              "--  --  --  --  --  ok  ok"),
    "hiring.offer_letter":          ("/hiring/offers/{offer_id}/letter",            "--  --  --  --  --  ok  ok"),
    "hiring.offer_letter_template": ("/hiring/offer-letter",                        "--  --  --  --  --  ok  ok"),
    # Only HR and admins schedule; {scheduled_interview_id} is Rosa's interview with Ivy on its panel.
    "hiring.schedule_interview":    ("/hiring/applications/{application_id}/schedule", "--  --  --  --  --  ok  ok"),
    "hiring.reschedule_interview":  ("/hiring/scheduled-interviews/{scheduled_interview_id}", "--  --  --  --  --  ok  ok"),
    "hiring.cancel_interview":      ("/hiring/scheduled-interviews/{scheduled_interview_id}/cancel", "--  --  --  --  --  ok  ok"),
    # Credentials are HR's (and admin's) to record; {credential_id} is Tess's BLS card.
    "credentials.person":           ("/credentials/people/{other_id}",              "--  --  --  --  --  ok  ok"),
    "credentials.verify":           ("/credentials/{credential_id}/verify",         "--  --  --  --  --  ok  ok"),
    "credentials.archive":          ("/credentials/{credential_id}/archive",        "--  --  --  --  --  ok  ok"),
    "credentials.upload_scan":      ("/credentials/{credential_id}/scan",           "--  --  --  --  --  ok  ok"),
    # A scanned copy is the person's own (Sam's here), HR's and an admin's; anyone else finds nothing, even Sam's
    # manager. tests/credentials/test_scans.py checks the same answer for a credential that does not exist.
    "credentials.scan":             ("/credentials/{sam_credential_id}/scan/file",  "--  ok  404 404 404 ok  ok"),
    "credentials.recredentialed":   ("/credentials/people/{other_id}/recredentialed", "--  --  --  --  --  ok  ok"),
    "credentials.add_privilege":    ("/credentials/people/{other_id}/privileges",   "--  --  --  --  --  ok  ok"),
    "credentials.archive_privilege_page": ("/credentials/privileges/{privilege_id}/archive", "--  --  --  --  --  ok  ok"),
    "credentials.recredentialing":  ("/credentials/recredentialing",                "--  --  --  --  --  ok  ok"),
    "credentials.credentialing_file": ("/credentials/people/{other_id}/file",       "--  --  --  --  --  ok  ok"),
    "credentials.types":            ("/credentials/types",                          "--  --  --  --  --  ok  ok"),
    "credentials.new_type":         ("/credentials/types/new",                      "--  --  --  --  --  ok  ok"),
    "credentials.edit_type":        ("/credentials/types/{credential_type_id}/edit", "--  --  --  --  --  ok  ok"),
    "credentials.archive_type_page": ("/credentials/types/{credential_type_id}/archive", "--  --  --  --  --  ok  ok"),
    "credentials.restore_type_page": ("/credentials/types/{credential_type_id}/restore", "--  --  --  --  --  ok  ok"),
}

# What a person who may use a write route would send (tests/test_csrf.py sends the same without a token).
NEW_PASSWORD = "a long enough pass phrase"
REQUESTS = itertools.count()
FORMS = {
    "auth.login": lambda w: {"email": w.emails["tess"], "password": "correct horse battery staple"},
    "auth.accept_invite": lambda w: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "auth.change_password": lambda w: {"current": "correct horse battery staple", "password": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD},
    # A new address each time: reset requests are limited per e-mail, and every kind of user asks.
    "auth.forgot_password": lambda w: {"email": f"someone.{next(REQUESTS)}@example.org"},
    "auth.reset_password": lambda w: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "content.edit_value": lambda w: {"name": "Care Coordination", "summary": "Closing every loop.",
                                     "description": "We track referrals to the end.", "behaviors": "Closes loops"},
    "admin.invite": lambda w: {"email": "new.person@example.org", "name": "New Person", "role": "staff"},
    "admin.user": lambda w: {"name": "Tess Teammate", "role": "manager", "manager_id": str(w.mona_id)},
    "admin.site": lambda w: {"name": "Harbor Clinic", "city": "Mobile", "region": "AL", "time_zone": "America/Chicago"},
    "admin.new_api_token": lambda w: {"name": "Payroll export", "scopes": "read:employees",
                                      "expires_on": (date.today() + timedelta(days=30)).isoformat()},
    "admin.import_staff": lambda w: {"file": (io.BytesIO(example_csv().encode()), "staff.csv")},
    "admin.confirm_import": lambda w: {"payload": URLSafeTimedSerializer(TestingConfig.SECRET_KEY, salt="staff-import")
                                       .dumps({"uid": w.hr_id, "csv": example_csv()})},
    "webhooks.new": lambda w: {"url": "https://93.184.215.14/payroll", "description": "Payroll",
                               "events": ["employee.hired", "training.completed"]},
    "webhooks.endpoint": lambda w: {"url": "https://93.184.215.14/hooks/v2", "description": "HRIS",
                                    "events": ["employee.hired"]},
    "onboarding.attest": lambda w: {"confirm": "y"},
    "onboarding.quiz": lambda w: {"items": str(w.quiz_item_id), f"item-{w.quiz_item_id}": "0"},
    "onboarding.send_back": lambda w: {"comment": "Lead the huddle once more with me there."},
    "onboarding.preferences": lambda w: {"due_soon": ""},
    "onboarding.check_in_schedule": lambda w: {"schedule": "front-desk", "days": "14, 45, 90"},
    "onboarding.new_track": lambda w: {"name": "Front desk basics", "kind": "role", "role_families": "front-desk"},
    "onboarding.track": lambda w: {"name": "Foundations for everyone", "kind": "all-staff"},
    "onboarding.assign_track": lambda w: {"by": "people", "emails": w.emails["xena"]},
    "onboarding.new_module": lambda w: {"title": "Warm hand-offs", "content": "Walk the patient over.", "minutes": "10",
                                        "due_offset_days": "7", "method": "attest", "values": str(w.value_id)},
    "onboarding.edit_module": lambda w: {"title": "Huddle basics, revised", "content": "Stand up, ten minutes.",
                                         "minutes": "10", "due_offset_days": "7", "method": "attest",
                                         "values": str(w.value_id), "material": "y", "recomplete": "y"},
    "onboarding.move_module": lambda w: {"direction": "down"},
    "onboarding.check_in": lambda w: {f"rating_{w.value_id}": "4", f"evidence_{w.value_id}": "Closed a referral loop."},
    "onboarding.amend_check_in": lambda w: {f"rating_{w.value_id}": "4", f"evidence_{w.value_id}": "Chased three.",
                                            "reason": "Counted one referral twice."},
    "team.check_in": lambda w: {f"rating_{w.value_id}": "3", f"evidence_{w.value_id}": "Closed most loops.",
                                "next_steps": "Shadow the care manager on Tuesdays."},
    "team.amend_check_in": lambda w: {f"rating_{w.value_id}": "3", f"evidence_{w.value_id}": "It was closed Monday.",
                                      "reason": "The referral was closed after all.", "next_steps": "Keep going."},
    "team.assign_check_in_modules": lambda w: {"value_ids": str(w.value_id)},
    "careers.withdraw": lambda w: {},
    "careers.offer": lambda w: {"accept": "Accept this offer"},
    "hiring.new_offer": lambda w: {"title": "Medical assistant", "start_date": w.offer_dates[0], "pay": "24.50",
                                   "pay_period": "hour", "employment_type": "FULL_TIME", "expires_on": w.offer_dates[1]},
    "hiring.offer_letter_template": lambda w: {"subject": "Your offer", "body": "Dear {candidate_name}, welcome."},
    "careers.posting": lambda w: {"name": "Pat Applicant", "email": "pat@applicant.example", "phone": "",
                                  "why": "I want to help patients keep one team that knows them.", "website": ""},
    "hiring.new_question": lambda w: {"value_id": str(w.value_id), "kind": "behavioral",
                                      "text": "Tell me about a referral you closed.", "probes": "What got in the way?",
                                      "strong_answer": "Names the loop and closes it.", "weak_answer": "Blames others."},
    "hiring.question": lambda w: {"value_id": str(w.value_id), "kind": "situational",
                                  "text": "A referral went silent. What do you do?", "probes": "Who do you call?",
                                  "strong_answer": "Calls the specialist.", "weak_answer": "Waits."},
    "hiring.new_rubric": lambda w: {"source": str(w.rubric_id), "name": "Medical assistant, 2026"},
    "hiring.rubric": lambda w: {"name": "Medical assistant", "description": "Revised.",
                                "criteria-0-id": str(w.criterion_id), "criteria-0-value_id": str(w.value_id),
                                "criteria-0-title": "Closes every loop", "criteria-0-weight": "100",
                                "criteria-0-anchor_1": "Never", "criteria-0-anchor_3": "Sometimes",
                                "criteria-0-anchor_5": "Always", "save": "1"},
    "hiring.new_posting": lambda w: {"role_family": "medical-assistant", "title": "Medical assistant, nights",
                                     "site_id": str(w.site_id), "employment_type": "FULL_TIME"},
    "hiring.posting": lambda w: {"title": "Medical assistant (days)", "site_id": str(w.site_id),
                                 "employment_type": "PART_TIME", "description": "Days."},
    "hiring.add_to_kit": lambda w: {"question_id": str(w.spare_question_id)},
    "hiring.move_kit_item": lambda w: {"direction": "down"},
    "hiring.open_posting": lambda w: {"reason": "Every value is assessed."},
    "hiring.move_application": lambda w: {"to_stage": "rejected", "reason": "Took another job."},
    "hiring.interviews": lambda w: {"interviewer_id": str(w.paz_id), "add": "1"},
    "hiring.interview": lambda w: {f"rating_{w.criterion_id}": "3", f"evidence_{w.criterion_id}": "Solid answer.",
                                   "recommendation": "yes", "save": "1"},
    "hiring.amend": lambda w: {"reason": "Misread my notes."},
    "credentials.person": lambda w: {"credential_type_id": str(w.credential_type_id), "number": "BLS-2",
                                     "issuer": "American Heart Association", "expires_on": "2028-06-30"},
    "credentials.verify": lambda w: {"method": "copy-seen", "source": "Card seen at orientation"},
    "hiring.schedule_interview": lambda w: {"day": "2031-01-07", "start": "09:00", "minutes": "45",
                                            "location": "Room 3", "interviewer_ids": str(w.paz_id)},
    "hiring.reschedule_interview": lambda w: {"day": "2031-01-06", "start": "11:00", "minutes": "60",
                                              "location": "Room 2", "interviewer_ids": str(w.ivy_id)},
    "credentials.upload_scan": lambda w: {"scan": (io.BytesIO(PNG), "licence.png")},
    "credentials.recredentialed": lambda w: {"credentialed_on": date.today().isoformat(), "note": "Committee"},
    "credentials.add_privilege": lambda w: {"text": "Performs joint injections", "granted_on": "2026-01-05",
                                            "granted_by": "Board of Directors"},
    "credentials.new_type": lambda w: {"name": "CLIA competency", "role_families": "medical-assistant",
                                       "renewal_months": "12"},
    "credentials.edit_type": lambda w: {"name": "BLS/CPR card", "role_families": "medical-assistant",
                                        "renewal_months": "24"},
    "hiring.hire": lambda w: {"start_date": "2031-01-06", "site_id": str(w.site_id),
                              "role_family": "medical-assistant", "manager_id": str(w.mona_id)},
    "hiring.message_template": lambda w: {"subject": "About {posting_title}", "body": "Hello {candidate_name}.",
                                          "submit": "1"},
    "hiring.message_candidate": lambda w: {"subject": "Parking at the clinic", "body": "Park behind the building."},
}


def urls_of(endpoint: str) -> tuple[str, ...]:
    urls = RULES[endpoint][0]
    return (urls,) if isinstance(urls, str) else urls


def form_for(endpoint: str, world) -> dict:
    return FORMS[endpoint](world) if endpoint in FORMS else {}


SAMPLE = type("Sample", (dict,), {"__missing__": lambda self, key: "1"})()  # every placeholder -> "1"


def rule_for(url_map: Map, url: str):
    """The rule a URL reaches, whatever method the rule takes."""
    adapter = url_map.bind("localhost")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            return adapter.match(url, method=method, return_rule=True)[0]
        except MethodNotAllowed:
            continue
    raise AssertionError(f"no method reaches {url}")


def unlisted(url_map: Map) -> list[str]:
    """Endpoints without a row. The REST API's (api.*) answer bearer tokens, not signed-in browsers: their
    matrix of scopes and token states is tests/api/test_api_access.py, which checks it covers them all."""
    return sorted({rule.endpoint for rule in url_map.iter_rules() if not is_api(rule.endpoint)} - set(RULES))


def is_api(endpoint: str) -> bool:
    return endpoint.startswith("api.")


# The table covers the URL map, and only the URL map ----------------------------------------------
def test_every_endpoint_has_a_row(app):
    missing = unlisted(app.url_map)
    assert not missing, f"add these endpoints to RULES in tests/test_access.py: {missing}"
    stale = sorted(set(RULES) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert not any(is_api(endpoint) for endpoint in RULES), "api.* endpoints belong in tests/api/test_api_access.py"
    assert not stale, f"these RULES rows name endpoints that no longer exist: {stale}"


def test_a_route_added_without_a_row_is_caught(app):
    grown = Map([rule.empty() for rule in app.url_map.iter_rules()])
    grown.add(Rule("/hiring/referrals/<int:referral_id>", endpoint="hiring.referral"))
    assert unlisted(grown) == ["hiring.referral"]


def test_every_row_url_matches_its_endpoint(app):
    wrong = []
    for endpoint in RULES:
        reached = set()
        for template in urls_of(endpoint):
            rule = rule_for(app.url_map, template.format_map(SAMPLE))
            if rule.endpoint != endpoint:
                wrong.append(f"{endpoint}: {template} reaches {rule.endpoint}")
            reached.add(rule.rule)
        unreached = {r.rule for r in app.url_map.iter_rules(endpoint)} - reached
        if unreached:
            wrong.append(f"{endpoint}: no URL for the rule(s) {sorted(unreached)}")
    assert not wrong, "\n".join(wrong)


def test_every_row_has_a_cell_for_each_kind_of_user():
    for endpoint, (_, cells) in RULES.items():
        assert len(cells.split()) == len(ACTORS), endpoint
        assert set(cells.split()) <= {OK, READ, NO, HIDDEN}, endpoint
    assert set(FORMS) <= set(RULES)


# Every cell, over HTTP -----------------------------------------------------------------------------
@pytest.fixture
def world(app, db, make_user, tmp_path, monkeypatch, oidc_on):
    app.config["PASSWORD_LOGIN"] = "on"  # the browsers sign in with passwords; oidc_on restores it
    return make_world(app, db, make_user, tmp_path, monkeypatch)


@pytest.fixture
def browsers(app, world):
    return Browsers(app, world)


def expected(cell: str, actor: str, method: str) -> str:
    if cell == OK or (cell == READ and method == "GET"):
        return "reach"
    if actor == ANON:
        return "sign-in"
    return "404" if cell == HIDDEN else "403"


def answer(response) -> str:
    """What a person sees: refused users are sent to /login?next=… (/ and sign-out send to plain /login)."""
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/login?next="):
        return "sign-in"
    if response.status_code in (200, 302):
        return "reach"
    return str(response.status_code)


@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_every_cell_holds(app, world, browsers, endpoint):
    wrong = []
    for actor, cell in zip(ACTORS, RULES[endpoint][1].split(), strict=True):
        for template in urls_of(endpoint):
            url = template.format(**vars(world))
            for method in sorted(rule_for(app.url_map, url).methods - {"HEAD", "OPTIONS"}):
                want = expected(cell, actor, method)
                with isolated():
                    guard = method in WRITES and want != "reach"
                    before = fingerprint() if guard else None
                    data = form_for(endpoint, world) if method in WRITES else None
                    response = browsers.call(actor, method, url, data=data)
                    got = answer(response)
                    if got != want:
                        wrong.append(f"{actor} {method} {url}: expected {want}, got {got}")
                    elif guard and changed(before, fingerprint()):
                        wrong.append(f"{actor} {method} {url}: refused, yet changed {changed(before, fingerprint())}")
    assert not wrong, "\n".join(wrong)
