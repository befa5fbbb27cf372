"""HR's offer pages over HTTP: write, approve (not the author), send, the printable letter, the template editor,
and what the application page and the hire form show once the candidate answers."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.careers import links
from app.hiring import offer_services as offers
from app.models import Offer, OfferLetterTemplate, OfferStatus, Stage
from tests.helpers import text as page_text
from tests.offers.conftest import TODAY


def text(response) -> str:
    """The page as a person reads it, runs of white space as one space."""
    return re.sub(r"\s+", " ", page_text(response))


def form(**changes) -> dict:
    return {"title": "Medical assistant", "start_date": (TODAY + timedelta(days=30)).isoformat(), "pay": "24.50",
            "pay_period": "hour", "employment_type": "FULL_TIME",
            "expires_on": (TODAY + timedelta(days=7)).isoformat()} | changes


def test_hr_writes_a_second_hr_user_approves_and_the_author_sends(client, db, auth, application, people):
    auth.login(people["hana"])
    response = client.post(f"/hiring/applications/{application.id}/offers/new", data=form(), follow_redirects=True)
    page = text(response)
    assert "Version 1 of the offer to Rosa Diaz is saved. It needs approval" in page
    assert "You wrote this offer, so another HR user or an admin must approve it" in page
    assert "Dear Rosa Diaz" in page and "$24.50 an hour" in page
    offer = db.session.scalar(select(Offer))
    refused = text(client.post(f"/hiring/offers/{offer.id}/approve", follow_redirects=True))
    assert "You wrote this offer, so another HR user or an admin must approve it." in refused
    refused = text(client.post(f"/hiring/offers/{offer.id}/send", follow_redirects=True))
    assert "needs approval" in refused
    db.session.expire_all()
    assert offer.approved_at is None and offer.status is OfferStatus.DRAFT

    auth.logout()
    auth.login(people["harper"])
    page = text(client.post(f"/hiring/offers/{offer.id}/approve", follow_redirects=True))
    assert "Version 1 of the offer is approved" in page and "approved by Harper Second" in page
    auth.logout()
    auth.login(people["hana"])
    page = text(client.post(f"/hiring/offers/{offer.id}/send", follow_redirects=True))
    assert "The offer letter is on its way to Rosa Diaz" in page and "The letter as sent" in page
    db.session.expire_all()
    assert offer.status is OfferStatus.SENT and application.stage is Stage.OFFER
    candidate = text(client.get(f"/hiring/applications/{application.id}"))
    assert "Your offer: Medical assistant" in candidate  # in the e-mails to the candidate
    assert "Sent, awaiting the answer" in candidate and "/careers/offer/" not in candidate


def test_bad_terms_get_a_message_and_save_nothing(client, db, login_as, application):
    login_as(offers.Role.HR)
    page = text(client.post(f"/hiring/applications/{application.id}/offers/new",
                            data=form(start_date=(TODAY + timedelta(days=3)).isoformat())))
    assert "The offer must expire on or before the start date" in page
    page = text(client.post(f"/hiring/applications/{application.id}/offers/new", data=form(pay="-3")))
    assert "It must be more than zero" in page
    assert db.session.scalars(select(Offer)).all() == []


def test_a_revision_starts_from_the_latest_terms(client, db, login_as, application, sent_offer):
    sent_offer(title="Senior medical assistant")
    login_as(offers.Role.HR)
    page = text(client.get(f"/hiring/applications/{application.id}/offers/new"))
    assert "Revise the offer to Rosa Diaz" in page and 'value="Senior medical assistant"' in page
    assert "This becomes version 2" in page


def test_once_accepted_hr_is_told_and_the_hire_form_has_the_start_date(client, db, login_as, application,
                                                                         sent_offer):
    offer = sent_offer()
    offers.answer_offer(links.offer_token(offer), accept=True, today=TODAY)
    login_as(offers.Role.HR)
    page = text(client.get(f"/hiring/applications/{application.id}"))
    assert f"Rosa Diaz accepted version 1 on {TODAY:%b %-d, %Y}, to start on {offer.start_date:%b %-d, %Y}." in page
    assert "Make an offer" not in page and "Revise the offer" not in page
    hire = text(client.get(f"/hiring/applications/{application.id}/hire"))
    assert f'value="{offer.start_date.isoformat()}"' in hire


def test_a_declined_offer_shows_on_the_application_page(client, db, login_as, application, sent_offer):
    offer = sent_offer()
    offers.answer_offer(links.offer_token(offer), accept=False, today=TODAY)
    login_as(offers.Role.HR)
    page = text(client.get(f"/hiring/applications/{application.id}"))
    assert "Rosa Diaz declined version 1" in page and "Revise the offer" in page


def test_an_application_without_an_offer_says_so(client, db, login_as, application):
    login_as(offers.Role.HR)
    page = text(client.get(f"/hiring/applications/{application.id}"))
    assert "No offer yet." in page and "Make an offer" in page


def test_the_printable_letter_is_the_letter_as_sent_with_print_styles(client, db, login_as, sent_offer):
    offer = sent_offer()
    login_as(offers.Role.ADMIN)
    page = text(client.get(f"/hiring/offers/{offer.id}/letter"))
    assert "offer-letter.css" in page and "Dear Rosa Diaz" in page and offer.letter_subject in page
    assert "/careers/offer/" not in page  # HR's copy never carries the candidate's link
    response = client.get("/static/offer-letter.css")
    assert "@media print" in response.get_data(as_text=True)
    response.close()


def test_the_template_editor_refuses_unknown_fields_beside_the_field(client, db, login_as):
    login_as(offers.Role.HR)
    page = text(client.post("/hiring/offer-letter", data={"subject": "Your offer", "body": "Dear {first_name},"}))
    assert "{first_name} is not a field the letter knows" in page and "Nothing was saved" in page
    assert db.session.scalars(select(OfferLetterTemplate)).all() == []
    page = text(client.post("/hiring/offer-letter", data={"subject": "Your offer", "body": "Dear {candidate_name},"},
                            follow_redirects=True))
    assert "The offer letter is saved." in page and "Dear {candidate_name}," in page


def test_the_offer_pages_cost_the_same_queries_with_more_versions(client, db, login_as, application, people,
                                                                   sent_offer, count_queries):
    first = sent_offer()
    login_as(offers.Role.HR)

    def measured() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            for url in (f"/hiring/offers/{first.id}", f"/hiring/applications/{application.id}"):
                assert client.get(url).status_code == 200
        return len(statements)

    few = measured()
    for pay in (2500, 2600, 2700):
        offers.make_offer(application, offers.Terms("Medical assistant", TODAY + timedelta(days=30), pay,
                                                    offers.PayPeriod.HOUR, offers.EmploymentType.FULL_TIME,
                                                    TODAY + timedelta(days=7)), actor=people["ada"], today=TODAY)
    assert measured() == few
