"""The table behind the bad-input tests: every form class, where it is posted, by whom, with valid data.

A form added to the app without a row here fails test_every_form_has_a_case, so new forms are
covered by the same attacks automatically. Text fields are found by looking at the form class;
the row only says which of them are shown back as typed (free text) and which are Markdown.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, Form, IntegerField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import app as app_package
from app.careers import links as candidate_links
from app.extensions import db
from app.models import Application, Role, User

World = object
SCAN_PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@dataclass(frozen=True)
class Case:
    form: str                                   # "module.ClassName"
    role: Role | None                           # who may use the form (None: anyone)
    url: Callable[[World], str]
    base: Callable[[World], dict]               # valid data: posting it succeeds
    free_text: tuple[str, ...] = ()             # stored and shown exactly as typed
    markdown: tuple[str, ...] = ()              # stored as typed, shown as sanitized Markdown
    shown_at: Callable[[World], str] | None = None  # the page showing free text (default: where a save redirects)
    prefix: str = ""                            # a sub-form's field names carry its parent's prefix
    bad: tuple[tuple[str, dict, str], ...] = ()  # (label, fields to change, message the person sees)
    method: str = "POST"
    changes: bool = True                        # posting the valid data changes the database
    user: str | None = None                     # a world attribute to sign in as, instead of a new user
    required: dict[str, str] = field(default_factory=dict)  # message when a required field is left empty
    absent: tuple[str, ...] = ()                # fields people do not type on this page (not there, or a honeypot)
    viewer: str | None = None                   # a world attribute who sees the free text (default: the poster)


CASES: dict[str, Case] = {}


def case(form: str, role: Role | None, url, base, **options) -> None:
    CASES[form] = Case(form, role, url, base, **options)


HR = Role.HR


def _id(model, **where) -> int:
    """The id of the row a valid submission created."""
    return db.session.scalar(select(model.id).filter_by(**where))
MISSING = "This field is required."

# Sign-in and invitations ----------------------------------------------------------------------
case("auth.forms.LoginForm", None, lambda w: "/login",
     lambda w: {"email": w.employee.email, "password": "correct horse battery staple"},
     bad=(("missing e-mail", {"email": ""}, MISSING),), changes=False)
case("auth.forms.SetPasswordForm", None, lambda w: f"/invite/{w.invite_token}",
     lambda w: {"password": "a long enough pass phrase", "confirm": "a long enough pass phrase"},
     bad=(("passwords differ", {"confirm": "another long pass phrase"}, "The two passwords do not match."),))
case("auth.forms.ChangePasswordForm", Role.STAFF, lambda w: "/account/password",
     lambda w: {"current": "correct horse battery staple", "password": "a long enough pass phrase",
                "confirm": "a long enough pass phrase"},
     bad=(("wrong current password", {"current": "not the password at all"}, "That is not your current password."),
          ("passwords differ", {"confirm": "another long pass phrase"}, "The two passwords do not match.")))
case("auth.forms.ForgotPasswordForm", None, lambda w: "/forgot", lambda w: {"email": w.employee.email},
     bad=(("missing e-mail", {"email": ""}, MISSING),))
case("auth.forms.EmptyForm", Role.ADMIN, lambda w: f"/admin/users/{w.employee.id}/deactivate", lambda w: {})

# Administration -------------------------------------------------------------------------------
PROFILE = {"role": "staff", "site_id": "", "department": "Front desk", "role_family": "medical-assistant",
           "manager_id": "", "start_date": ""}
DATES = (("year 0001", {"start_date": "0001-01-01"}, "Enter a date between"),
         ("year 9999", {"start_date": "9999-12-31"}, "Enter a date between"),
         ("February 30", {"start_date": "2026-02-30"}, "Not a valid date value."),
         ("role that does not exist", {"role": "superuser"}, "Not a valid choice."))
case("admin.forms.InviteUserForm", Role.ADMIN, lambda w: "/admin/users/new",
     lambda w: {**PROFILE, "name": "Quinn Newcomer", "email": "quinn@example.org"},
     free_text=("name", "department"), shown_at=lambda w: f"/admin/users/{_id(User, email='quinn@example.org')}",
     bad=(("missing name", {"name": ""}, MISSING), ("not an e-mail", {"email": "quinn at example"},
                                                     "Invalid email address."), *DATES))
case("admin.forms.EditUserForm", Role.ADMIN, lambda w: f"/admin/users/{w.employee.id}",
     lambda w: {**PROFILE, "name": "Nia Hire", "department": "Clinic floor", "start_date": date.today().isoformat()},
     free_text=("name", "department"), shown_at=lambda w: f"/admin/users/{w.employee.id}",
     bad=(("missing name", {"name": ""}, MISSING), *DATES,
          ("eleven years ago", {"start_date": (date.today() - timedelta(days=4100)).isoformat()}, "Enter a date between")))
case("admin.forms.SiteForm", Role.ADMIN, lambda w: "/admin/sites/new",
     lambda w: {"name": "Bayside Clinic", "street": "1 Main St", "city": "Mobile", "region": "AL", "postal_code": "36602",
                "time_zone": "America/Chicago"},
     free_text=("name", "street", "city", "region", "postal_code"), shown_at=lambda w: "/admin/sites",
     bad=(("missing name", {"name": ""}, MISSING),
          ("time zone that does not exist", {"time_zone": "America/Atlantis"}, "is not a time zone name"),
          ("time zone as an offset", {"time_zone": "-05:00"}, "is not a time zone name")),
     required={"time_zone": "Enter the site's time zone"})
case("admin.import_forms.StaffImportForm", Role.ADMIN, lambda w: "/admin/import", lambda w: {}, changes=False,
     bad=(("no file", {}, "Choose a CSV file to upload."),))
case("admin.import_forms.ConfirmImportForm", Role.ADMIN, lambda w: "/admin/import/confirm",
     lambda w: {"payload": "tampered"}, changes=False,
     bad=(("missing payload", {"payload": ""}, "This preview has expired or was changed."),),
     required={"payload": "This preview has expired or was changed."})
case("webhooks.forms.WebhookForm", Role.ADMIN, lambda w: f"/admin/webhooks/{w.webhook.id}",
     lambda w: {"url": "https://93.184.215.14/hooks/v2", "description": "HRIS: new hires",
                "events": ["employee.hired", "training.completed"]},
     free_text=("description",), shown_at=lambda w: f"/admin/webhooks/{w.webhook.id}",
     bad=(("not a web address", {"url": "ftp://hris.example.org/hooks"}, "Use an http:// or https:// URL"),
          ("a password in the URL", {"url": "https://me:secret@hris.example.org/"}, "Put no user name or password"),
          ("an event that does not exist", {"events": ["employee.fired"]}, "is not a valid choice"),
          ("no event", {"events": []}, "Choose at least one event")))

# Issuing answers with the secret on the page rather than a redirect (the secret must not travel in the
# session cookie), so the free-text round trip of the name is in tests/api/test_tokens.py.
case("admin.api_token_forms.ApiTokenForm", Role.ADMIN, lambda w: "/admin/api-tokens/new",
     lambda w: {"name": "LMS export", "scopes": ["read:training"], "expires_on": TOMORROW},
     bad=(("no scope", {"scopes": []}, "Tick at least one scope."),
          ("scope that does not exist", {"scopes": ["write:everything"]}, "is not a valid choice"),
          ("expiry today", {"expires_on": date.today().isoformat()}, "Choose an expiry date from tomorrow"),
          ("expiry in two years", {"expires_on": (date.today() + timedelta(days=730)).isoformat()},
           "Choose an expiry date from tomorrow"),
          ("February 30", {"expires_on": "2027-02-30"}, "Not a valid date value.")),
     required={"name": "Name the integration the token is for.", "expires_on": "Choose when the token stops working."})

# Content, careers -----------------------------------------------------------------------------
case("content.forms.ValueForm", HR, lambda w: f"/content/values/{w.value.key}/edit",
     lambda w: {"name": "Care Coordination", "summary": "Joins up care.", "description": "Across the neighborhood.",
                "behaviors": "Calls the specialist\nTracks referrals\nCloses the loop"},
     free_text=("name", "summary", "description", "behaviors"),
     bad=(("two behaviors", {"behaviors": "One\nTwo"}, "Write three to five behaviors"),))
case("careers.forms.ApplicationForm", None, lambda w: f"/careers/{w.open_posting.id}",
     lambda w: {"name": "Rae Applicant", "email": "rae@example.org", "phone": "(251) 555-0143",
                "why": "I want to work where the whole team knows the patient."},
     free_text=("name", "why"), absent=("website",), viewer="hr",
     shown_at=lambda w: f"/hiring/applications/{_id(Application, email='rae@example.org')}",
     bad=(("phone with letters", {"phone": "call me maybe"}, "Enter a phone number"),
          ("too short a reason", {"why": "Because."}, "Write between 20 and 2,000 characters")))
case("careers.forms.WithdrawForm", None, lambda w: f"/careers/withdraw/{candidate_links.link_token(w.offer)}",
     lambda w: {})

# The question bank and rubrics ----------------------------------------------------------------
case("hiring.bank_forms.QuestionForm", HR, lambda w: "/hiring/questions/new",
     lambda w: {"value_id": str(w.value.id), "kind": "behavioral", "text": "Tell me about a hand-off.",
                "role_families": ["medical-assistant"], "probes": "What happened next?",
                "strong_answer": "Closes the loop.", "weak_answer": "Assumes someone else will."},
     free_text=("text", "probes", "strong_answer", "weak_answer"),
     bad=(("value that does not exist", {"value_id": "999999"}, "Not a valid choice."),
          ("kind that does not exist", {"kind": "trick"}, "Not a valid choice."),
          ("no probes", {"probes": ""}, "Give between 1 and")))
case("hiring.bank_forms.QuestionFilterForm", HR, lambda w: "/hiring/questions", lambda w: {"q": "hand-off"},
     method="GET", changes=False)
RUBRIC_ROW = "criteria-0-"


def _rubric(w, **row) -> dict:
    data = {"name": w.rubric.name, "description": "", "save": "1"}
    for index, c in enumerate(w.rubric.criteria):
        data |= {f"criteria-{index}-{k}": v for k, v in {
            "id": str(c.id), "value_id": str(c.value_id), "title": c.title, "weight": str(c.weight),
            "anchor_1": c.anchor_1, "anchor_3": c.anchor_3, "anchor_5": c.anchor_5}.items()}
    return data | {RUBRIC_ROW + k: v for k, v in row.items()}


case("hiring.bank_forms.RubricForm", HR, lambda w: f"/hiring/rubrics/{w.rubric.id}",
     lambda w: _rubric(w) | {"description": "For medical assistants."}, free_text=("name", "description"),
     bad=(("missing name", {"name": ""}, "Give the rubric a name."),))
case("hiring.bank_forms.CriterionForm", HR, lambda w: f"/hiring/rubrics/{w.rubric.id}",
     lambda w: _rubric(w, title="Coordinates care well"), prefix=RUBRIC_ROW,
     free_text=("title", "anchor_1", "anchor_3", "anchor_5"),
     bad=(("weight in words", {RUBRIC_ROW + "weight": "fifty"}, "Enter a whole number."),
          ("weight over 100", {RUBRIC_ROW + "weight": "150"}, "Between 0 and 100%.")))
case("hiring.bank_forms.NewRubricForm", HR, lambda w: "/hiring/rubrics/new",
     lambda w: {"source": str(w.rubric.id), "name": "Front desk rubric"}, free_text=("name",),
     bad=(("source that does not exist", {"source": "abc"}, "Not a valid choice."),))

# Postings and the pipeline --------------------------------------------------------------------
POSTING = {"site_id": None, "department": "Clinic", "employment_type": "FULL_TIME", "closing_date": "",
           "description": "Join us."}
case("hiring.posting_forms.PostingForm", HR, lambda w: f"/hiring/postings/{w.posting.id}",
     lambda w: {**POSTING, "site_id": str(w.site.id), "title": "Medical assistant, days"},
     free_text=("title", "department"), markdown=("description",), absent=("role_family",),
     bad=(("closing year 9999", {"closing_date": "9999-12-31"}, "Enter a date between"),
          ("closing in two years", {"closing_date": (date.today() + timedelta(days=800)).isoformat()},
           "Choose a closing date up to a year from today."),
          ("closing yesterday", {"closing_date": (date.today() - timedelta(days=1)).isoformat()},
           "The closing date is in the past"),
          ("employment type that does not exist", {"employment_type": "forever"}, "Not a valid choice."),
          ("missing title", {"title": ""}, "Give the posting a title.")))
case("hiring.posting_forms.AddQuestionForm", HR, lambda w: f"/hiring/postings/{w.posting.id}/kit",
     lambda w: {"question_id": str(w.open_posting.kit[1].question_id)},
     bad=(("question id in words", {"question_id": "first"}, "Choose a question from the bank to add."),
          ("question id too large", {"question_id": "99999999999999999999"}, "Choose a question from the bank to add.")),
     required={"question_id": "Choose a question from the bank to add."})
case("hiring.posting_forms.MoveKitItemForm", HR, lambda w: f"/hiring/kit-items/{w.kit_item.id}/move",
     lambda w: {"direction": "down"}, bad=(("sideways", {"direction": "sideways"}, "Choose Move up or Move down."),))
case("hiring.posting_forms.OpenPostingForm", HR, lambda w: f"/hiring/postings/{w.posting.id}/open",
     lambda w: {"reason": "Hiring now; the QI question is being written."}, free_text=("reason",))
case("hiring.posting_forms.MoveForm", HR, lambda w: f"/hiring/applications/{w.application.id}/move",
     lambda w: {"to_stage": "rejected", "reason": "Chose another candidate."},
     shown_at=lambda w: f"/hiring/applications/{w.application.id}", free_text=("reason",),
     bad=(("stage that does not exist", {"to_stage": "promoted"}, "Not a valid choice."),))

# Candidate letters and HR's one-off message --------------------------------------------------
case("hiring.message_forms.LetterTemplateForm", HR, lambda w: "/hiring/messages/interview",
     lambda w: {"subject": "Interview for {posting_title}", "body": "Hello {candidate_name},\nSee you soon.",
                "submit": "1"},
     free_text=("subject", "body"), shown_at=lambda w: "/hiring/messages/interview",
     bad=(("unknown field", {"body": "Hello {first_name}"}, "{first_name} is not a field we can fill in"),
          ("attribute of a field", {"subject": "{candidate_name.__class__}"},
           "{candidate_name.__class__} is not a field we can fill in"),
          ("unmatched brace", {"body": "Hello {candidate_name"}, "has no partner")))
case("hiring.message_forms.CandidateMessageForm", HR, lambda w: f"/hiring/applications/{w.application.id}/message",
     lambda w: {"subject": "Parking at the clinic", "body": "Park behind the building.\nThe door is blue."},
     free_text=("subject",), shown_at=lambda w: f"/hiring/applications/{w.application.id}")

# Interviews and hiring ------------------------------------------------------------------------
case("hiring.interview_forms.AddInterviewerForm", HR, lambda w: f"/hiring/applications/{w.application.id}/interviews",
     lambda w: {"interviewer_id": str(w.panelist.id), "add": "1"},
     bad=(("interviewer in words", {"interviewer_id": "pat"}, "Not a valid choice."),))
case("hiring.interview_forms.RemoveInterviewerForm", HR,
     lambda w: f"/hiring/applications/{w.application.id}/interviews",
     lambda w: {"assignment_id": str(w.assignment.id), "remove": "1"},
     bad=(("assignment id too large", {"assignment_id": "99999999999999999999"}, "could not be understood"),),
     required={"assignment_id": "could not be understood"})

# Interview scheduling (app/hiring/schedule_forms.py) ----------------------------------------------
case("hiring.schedule_forms.ScheduleForm", HR, lambda w: f"/hiring/applications/{w.application.id}/schedule",
     lambda w: {"day": "2031-02-04", "start": "09:00", "minutes": "60", "location": "Room 2, 100 Main St",
                "video_url": "", "interviewer_ids": str(w.panelist.id)},
     free_text=("location",), shown_at=lambda w: f"/hiring/applications/{w.application.id}",
     bad=(("nobody on the panel", {"interviewer_ids": []}, "Choose at least one interviewer."),
          ("an interviewer who does not exist", {"interviewer_ids": "99999"}, "is not a valid choice"),
          ("no place and no link", {"location": "", "video_url": ""}, "Give the place or the video link"),
          ("a link that is not https", {"video_url": "javascript:alert(1)"}, "starting with https://"),
          ("nine hours long", {"minutes": "540"}, "between 5 and 480 minutes"),
          ("a time that has passed", {"day": "2020-02-04"}, "has already passed"),
          ("25 o'clock", {"start": "25:00"}, "Not a valid time value."),
          ("April 31", {"day": "2031-04-31"}, "Not a valid date value.")))


def _scorecard(w, **fields) -> dict:
    from tests.hiring.test_scoring import criteria_of

    data = {"recommendation": "yes", "save": "1"}
    for criterion in criteria_of(w.open_posting):
        data |= {f"rating_{criterion.id}": "3", f"evidence_{criterion.id}": "Walked through the referral log."}
    return data | fields


case("hiring.interview_forms.ScorecardForm", Role.STAFF, lambda w: f"/hiring/interviews/{w.assignment.id}",
     _scorecard, user="interviewer", free_text=("evidence_*",),
     shown_at=lambda w: f"/hiring/interviews/{w.assignment.id}",
     bad=(("rating of 7", {"rating_*": "7"}, "Not a valid choice."),
          ("rating in words", {"rating_*": "good"}, "Not a valid choice."),
          ("recommendation that does not exist", {"recommendation": "maybe"}, "Not a valid choice.")))
case("hiring.interview_forms.AmendForm", HR, lambda w: f"/hiring/interviews/{w.submitted.id}/amend",
     lambda w: {"reason": "Typo in the evidence."}, user="hr", free_text=("reason",),
     shown_at=lambda w: f"/hiring/interviews/{w.submitted.id}",
     bad=(("missing reason", {"reason": ""}, "Say why you are amending the scorecard."),))
case("hiring.interview_forms.HireForm", HR, lambda w: f"/hiring/applications/{w.offer.id}/hire",
     lambda w: {"start_date": date.today().isoformat(), "site_id": str(w.site.id),
                "role_family": "medical-assistant", "manager_id": str(w.manager.id)},
     bad=(("year 9999", {"start_date": "9999-12-31"}, "Enter a date between"),
          ("year 0001", {"start_date": "0001-01-01"}, "Enter a date between"),
          ("two years ahead", {"start_date": (date.today() + timedelta(days=730)).isoformat()}, "Enter a date between"),
          ("April 31", {"start_date": "2026-04-31"}, "Not a valid date value."),
          ("missing start date", {"start_date": ""}, "Enter the start date."),
          ("site in words", {"site_id": "harbor"}, "Not a valid choice"),
          ("role family that does not exist", {"role_family": "wizard"}, "Not a valid choice.")))

# Offers ---------------------------------------------------------------------------------------
def _offer_terms(**changes) -> dict:
    return {"title": "Medical assistant", "start_date": (date.today() + timedelta(days=30)).isoformat(),
            "pay": "24.50", "pay_period": "hour", "employment_type": "FULL_TIME",
            "expires_on": (date.today() + timedelta(days=7)).isoformat()} | changes


PAY = "Enter the pay in dollars, like 24.50 or 52000."
case("hiring.offer_forms.OfferForm", HR, lambda w: f"/hiring/applications/{w.offer.id}/offers/new",
     lambda w: _offer_terms(), free_text=("title",),
     bad=(("pay in words", {"pay": "lots"}, "Not a valid decimal value."),
          ("negative pay", {"pay": "-3"}, "It must be more than zero"),
          ("pay NaN", {"pay": "NaN"}, "It must be more than zero"),
          ("pay of a fraction of a cent", {"pay": "24.505"}, "with at most two decimals"),
          ("pay of ten million", {"pay": "10000000"}, "It must be more than zero"),
          ("period that does not exist", {"pay_period": "fortnight"}, "Not a valid choice."),
          ("employment type that does not exist", {"employment_type": "forever"}, "Not a valid choice."),
          ("start yesterday", {"start_date": (date.today() - timedelta(days=1)).isoformat()},
           "Choose a start date from today to a year ahead."),
          ("start year 9999", {"start_date": "9999-12-31"}, "Enter a date between"),
          ("expiry after the start", {"start_date": (date.today() + timedelta(days=3)).isoformat()},
           "The offer must expire on or before the start date"),
          ("expiry in a year", {"expires_on": (date.today() + timedelta(days=365)).isoformat()},
           "Choose an expiry date from today to 90 days ahead.")),
     required={"pay": PAY})
case("hiring.offer_forms.OfferLetterForm", HR, lambda w: "/hiring/offer-letter",
     lambda w: {"subject": "Your offer from {organization}", "body": "Dear {candidate_name}, welcome to the team."},
     free_text=("subject", "body"),
     bad=(("unknown field", {"body": "Dear {first_name},"}, "{first_name} is not a field the letter knows"),
          ("attribute of a field", {"body": "Dear {title.__class__},"}, "is not a field the letter knows"),
          ("stray brace", {"subject": "Your offer {"}, "A single { or } cannot stand alone")))
case("hiring.offer_forms.OfferAnswerForm", None,
     lambda w: f"/careers/offer/{candidate_links.offer_token(w.sent_offer)}", lambda w: {"accept": "Accept this offer"})

# Onboarding -----------------------------------------------------------------------------------
case("onboarding.authoring_forms.TrackForm", HR, lambda w: "/onboarding/tracks/new",
     lambda w: {"name": "Front desk onboarding", "kind": "role", "role_families": ["front-desk"],
                "description": "For the front desk."}, free_text=("name", "description"),
     bad=(("kind that does not exist", {"kind": "secret"}, "Not a valid choice."),
          ("role track without roles", {"role_families": []}, "Tick at least one role family")))
MODULE = {"title": "Huddles", "content": "Run a huddle.", "minutes": "20", "due_offset_days": "14",
          "method": "attest", "pass_mark": "", "quiz": "", "observation": "", "responsible": "", "renew_months": ""}
case("onboarding.authoring_forms.ModuleForm", HR, lambda w: f"/onboarding/tracks/{w.track.id}/modules/new",
     lambda w: {**MODULE, "values": [str(w.value.id)], "submit": "1"}, free_text=("title",),
     markdown=("content",), shown_at=lambda w: f"/onboarding/tracks/{w.track.id}",
     bad=(("minutes in words", {"minutes": "twenty"}, "Enter a whole number."),
          ("minutes 0", {"minutes": "0"}, "Between 1 and 600 minutes."),
          ("minutes too large", {"minutes": "99999999999999999999"}, "far too large"),
          ("due -1 days", {"due_offset_days": "-1"}, "Between 0 and 730 days."),
          ("method that does not exist", {"method": "osmosis"}, "Not a valid choice."),
          ("value that does not exist", {"values": ["999999"]}, "is not a valid choice"),
          ("quiz without a pass mark", {"method": "quiz", "quiz": "Who?\n* Us\n- Them"}, "A quiz needs a pass mark")))
case("onboarding.authoring_forms.MoveForm", HR, lambda w: f"/onboarding/modules/{w.attest_module.id}/move",
     lambda w: {"direction": "down"}, bad=(("sideways", {"direction": "sideways"}, "Choose"),),
     required={"direction": "Choose"})
case("onboarding.authoring_forms.AssignForm", HR, lambda w: f"/onboarding/tracks/{w.track.id}/assign",
     lambda w: {"by": "people", "emails": w.interviewer.email},
     bad=(("unknown e-mail", {"emails": "nobody@example.org"}, "No account uses: nobody@example.org."),
          ("site in words", {"by": "site", "site_id": "harbor"}, "Not a valid choice.")))
case("onboarding.forms.AttestForm", Role.STAFF, lambda w: f"/onboarding/modules/{w.attest_module.id}/attest",
     lambda w: {"confirm": "y"}, user="employee", bad=(("box not ticked", {"confirm": ""}, "Tick the box"),))
case("onboarding.forms.SendBackForm", Role.MANAGER, lambda w: f"/onboarding/sign-offs/{w.sign_off.id}/send-back",
     lambda w: {"comment": "Lead Tuesday's huddle with me watching."}, user="manager", free_text=("comment",),
     viewer="employee",
     shown_at=lambda w: f"/onboarding/modules/{w.sign_off_module.id}",
     bad=(("missing comment", {"comment": ""}, "Write a comment"),), required={"comment": "Write a comment"})
case("onboarding.check_in_schedule.CheckInScheduleForm", HR, lambda w: "/onboarding/check-in-schedule",
     lambda w: {"schedule": "front-desk", "days": "14, 45, 90"},
     bad=(("no days", {"days": " , "}, "Enter the days after the start date, separated by commas"),
          ("days in words", {"days": "30, sixty"}, "“sixty” is not a whole number of days"),
          ("half a day", {"days": "30.5"}, "“30.5” is not a whole number of days"),
          ("negative day", {"days": "-30"}, "“-30” is not a whole number of days"),
          ("day 0", {"days": "0, 30"}, "Day 0 is not between 1 and 730"),
          ("three years", {"days": "30, 1095"}, "Day 1095 is not between 1 and 730"),
          ("a day twice", {"days": "30, 60, 30"}, "Day 30 is listed twice"),
          ("a check-in a week", {"days": ", ".join(str(7 * n) for n in range(1, 14))}, "at most 12"),
          ("role family that does not exist", {"schedule": "wizard"}, "Not a valid choice.")))
case("onboarding.preferences.ReminderPreferencesForm", Role.STAFF, lambda w: "/onboarding/preferences",
     lambda w: {"due_soon": ""}, user="employee")

# Credentials ----------------------------------------------------------------------------------
case("credentials.forms.AddCredentialForm", HR, lambda w: f"/credentials/people/{w.employee.id}",
     lambda w: {"credential_type_id": str(w.credential_type.id), "number": "RN-2044", "issuer": "Oregon board",
                "issued_on": "2026-01-05", "expires_on": "2028-01-31"},
     free_text=("number", "issuer"),
     bad=(("type that does not exist", {"credential_type_id": "999999"}, "Not a valid choice"),
          ("type in words", {"credential_type_id": "licence"}, "Not a valid choice"),
          ("expiry before issue", {"expires_on": "2025-01-01"}, "The expiry date is before the issue date"),
          ("no expiry for a type that expires", {"expires_on": ""}, "give its expiry date"),
          ("date in words", {"expires_on": "next year"}, "Not a valid date value")),
     required={"number": "Give the credential's number.", "issuer": "Give the issuing state or body."})
case("credentials.forms.VerifyCredentialForm", HR, lambda w: f"/credentials/{w.credential.id}/verify",
     lambda w: {"method": "primary-source", "source": "Board licence lookup"}, free_text=("source",),
     shown_at=lambda w: f"/credentials/people/{w.employee.id}",
     bad=(("method that does not exist", {"method": "hearsay"}, "Not a valid choice"),
          ("copy for a primary-source type", {"method": "copy-seen"}, "must be verified with the primary source"),
          ("primary source not named", {"source": " "}, "Name the primary source you checked")),
     required={"method": "Choose how you verified it."})
case("credentials.forms.ScanForm", HR, lambda w: f"/credentials/{w.credential.id}/scan",
     lambda w: {"scan": (io.BytesIO(SCAN_PNG), "licence.png")},
     bad=(("a program named .pdf", {"scan": (io.BytesIO(b"MZ\x90\x00 not a scan"), "licence.pdf")},
           "must be a PDF, PNG or JPEG file"),
          ("an empty file", {"scan": (io.BytesIO(b""), "licence.png")}, "The scan file is empty."),
          ("a GIF", {"scan": (io.BytesIO(b"GIF89a" + bytes(40)), "licence.gif")}, "must be a PDF, PNG or JPEG file")),
     required={"scan": "Choose the scan to upload."})
case("credentials.forms.ArchiveCredentialForm", HR, lambda w: f"/credentials/{w.credential.id}/archive",
     lambda w: {})
case("credentials.forms.CredentialTypeForm", HR, lambda w: f"/credentials/types/{w.credential_type.id}/edit",
     lambda w: {"name": "Test licence (revised)", "role_families": "nurse-care-manager", "primary_source_required": "y",
                "renewal_months": "24"},
     free_text=("name",), shown_at=lambda w: "/credentials/types",
     bad=(("role family that does not exist", {"role_families": "surgeon"}, "is not a valid choice"),
          ("renewal in words", {"renewal_months": "two years"}, "Enter a whole number."),
          ("renewal of no months", {"renewal_months": "0"}, "Give a number of months from 1 to 120."),
          ("renewal of centuries", {"renewal_months": "1200"}, "Give a number of months from 1 to 120.")),
     required={"name": "Give the credential type a name."})
case("credentials.forms.RecredentialForm", HR, lambda w: f"/credentials/people/{w.employee.id}/recredentialed",
     lambda w: {"credentialed_on": date.today().isoformat(), "note": "Credentialing committee"},
     free_text=("note",), shown_at=lambda w: f"/credentials/people/{w.employee.id}",
     bad=(("date in words", {"credentialed_on": "last week"}, "Not a valid date value"),
          ("a date to come", {"credentialed_on": TOMORROW}, "The credentialing date is in the future")),
     required={"credentialed_on": "Give the date the credentialing decision was made."})
case("credentials.forms.PrivilegeForm", HR, lambda w: f"/credentials/people/{w.employee.id}/privileges",
     lambda w: {"text": "Performs IUD insertion", "granted_on": "2026-02-01", "granted_by": "Board of Directors"},
     free_text=("text", "granted_by"), shown_at=lambda w: f"/credentials/people/{w.employee.id}",
     bad=(("date in words", {"granted_on": "soon"}, "Not a valid date value"),
          ("a grant to come", {"granted_on": TOMORROW}, "The grant date is in the future")),
     required={"text": "Describe the privilege.", "granted_on": "Give the date it was granted.",
               "granted_by": "Say who granted it."})
case("credentials.forms.ArchivePrivilegeForm", HR, lambda w: f"/credentials/privileges/{w.privilege.id}/archive",
     lambda w: {})
case("credentials.forms.ArchiveCredentialTypeForm", HR,
     lambda w: f"/credentials/types/{w.credential_type.id}/archive", lambda w: {})

# Check-ins ------------------------------------------------------------------------------------
def _ratings(check_in, **fields) -> dict:
    from app.onboarding.check_ins import values_for

    data = {}
    for value in values_for(check_in):
        data |= {f"rating_{value.id}": "4", f"evidence_{value.id}": "Walked a patient's referral through to the visit."}
    return data | fields


RATING_BAD = (("rating of 7", {"rating_*": "7"}, "from 1 to 5."),
              ("rating in words", {"rating_*": "good"}, "from 1 to 5."),
              ("missing rating", {"rating_*": ""}, "from 1 to 5."),
              ("missing evidence", {"evidence_*": "  "}, "at this level."))
case("onboarding.check_in_forms.RatingsForm", Role.STAFF, lambda w: f"/onboarding/check-ins/{w.check_in.id}",
     lambda w: _ratings(w.check_in), user="employee", free_text=("evidence_*",), bad=RATING_BAD)
case("onboarding.check_in_forms.ManagerRatingsForm", Role.MANAGER, lambda w: f"/team/check-ins/{w.check_in.id}",
     lambda w: _ratings(w.check_in, next_steps="Shadow the care manager on Tuesdays."), user="manager",
     free_text=("evidence_*", "next_steps"), bad=RATING_BAD)
case("onboarding.check_in_forms.AmendRatingsForm", Role.STAFF,
     lambda w: f"/onboarding/check-ins/{w.rated_check_in.id}/amend",
     lambda w: _ratings(w.rated_check_in, reason="I rated the wrong month."), user="employee",
     free_text=("evidence_*", "reason"), shown_at=lambda w: f"/onboarding/check-ins/{w.rated_check_in.id}",
     bad=(*RATING_BAD, ("blank reason", {"reason": "   "}, "Say why the ratings change.")))
case("onboarding.check_in_forms.ManagerAmendForm", Role.MANAGER,
     lambda w: f"/team/check-ins/{w.rated_check_in.id}/amend",
     lambda w: _ratings(w.rated_check_in, reason="Mixed up two new hires.", next_steps="Lead one huddle a week."),
     user="manager", free_text=("evidence_*", "reason", "next_steps"),
     shown_at=lambda w: f"/team/check-ins/{w.rated_check_in.id}",
     bad=(("rating of 7", {"rating_*": "7"}, "from 1 to 5."),))
case("onboarding.check_in_forms.AssignModulesForm", Role.MANAGER,
     lambda w: f"/team/check-ins/{w.rated_check_in.id}/assign", lambda w: {"value_ids": str(w.value.id)},
     user="manager",
     bad=(("value not on this check-in", {"value_ids": "999999"}, "is not a valid choice"),
          ("value in words", {"value_ids": "care"}, "Tick at least one value."),
          ("nothing ticked", {"value_ids": []}, "Tick at least one value.")))

# Team -----------------------------------------------------------------------------------------
case("team.forms.TeamFilterForm", Role.MANAGER, lambda w: "/team", lambda w: {"q": "Nia"}, method="GET",
     changes=False, user="manager")

# Reports --------------------------------------------------------------------------------------
case("reports.forms.ValidityFilterForm", HR, lambda w: "/reports/validity",
     lambda w: {"family": "medical-assistant", "hired_from": "2025-01-01", "hired_to": "2026-01-01"},
     method="GET", changes=False,
     bad=(("role family that does not exist", {"family": "astronaut"}, "Role family: Not a valid choice."),
          ("February 30", {"hired_from": "2026-02-30"}, "Hired from: Not a valid date value."),
          ("year 9999", {"hired_to": "9999-12-31"}, "Hired to: Enter a date between")))

case("reports.compliance_forms.ComplianceFilterForm", HR, lambda w: "/reports/compliance",
     lambda w: {"family": "medical-assistant"}, method="GET", changes=False,
     bad=(("role family that does not exist", {"family": "astronaut"}, "Role family: Not a valid choice."),
          ("site that does not exist", {"site": "999999"}, "Site: Not a valid choice.")))

# A base class posted only through its subclasses (which have cases of their own).
BASES = {"admin.forms.ProfileFields": ("admin.forms.InviteUserForm", "admin.forms.EditUserForm")}


# Finding the forms ----------------------------------------------------------------------------
def app_form_classes() -> dict[str, type]:
    """Every form class defined in the app's modules, by "module.ClassName" relative to app."""
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    found, todo = {}, [FlaskForm, Form]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            module = subclass.__module__
            if module.startswith("app.") and "<locals>" not in subclass.__qualname__ and module != "app.forms":
                found[f"{module[4:]}.{subclass.__name__}"] = subclass
    return found


def declared_fields(form_class: type) -> dict[str, UnboundField]:
    return {name: value for name in dir(form_class)
            if isinstance(value := getattr(form_class, name, None), UnboundField)}


def text_fields(form_class: type) -> dict[str, int | None]:
    """Text fields of a form class and the most characters each accepts (None: no limit)."""
    found = {}
    for name, unbound in declared_fields(form_class).items():
        if issubclass(unbound.field_class, StringField):
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            limits = [v.max for v in validators if isinstance(v, Length) and v.max >= 0]
            found[name] = min(limits) if limits else None
    return found


def typed_fields(form_class: type) -> list[str]:
    return [name for name, unbound in declared_fields(form_class).items()
            if issubclass(unbound.field_class, IntegerField | DateField)]


@dataclass
class Posted:
    """What a submission produced: the response, the page a person then sees, and the database change."""

    response: object
    page: str
    changed: list[str] = field(default_factory=list)
