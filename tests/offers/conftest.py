"""Offer fixtures: an application at interview, two HR users and an admin, and a helper that writes an offer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.hiring import offer_services as offers
from app.models import EmploymentType, PayPeriod, Role, Stage
from tests.hiring.test_scoring import make_application, make_posting

TODAY = date.today()


def terms(**changes) -> offers.Terms:
    fields = {"title": "Medical assistant", "start_date": TODAY + timedelta(days=30), "pay_cents": 2450,
              "pay_period": PayPeriod.HOUR, "employment_type": EmploymentType.FULL_TIME,
              "expires_on": TODAY + timedelta(days=7)}
    return offers.Terms(**(fields | changes))


@pytest.fixture
def application(db):
    posting = make_posting(db)
    return make_application(db, posting, name="Rosa Diaz", email="rosa@applicant.example", stage=Stage.INTERVIEW)


@pytest.fixture
def other_application(db, application):
    return make_application(db, application.posting, name="Bo Bradley", email="bo@applicant.example",
                            stage=Stage.INTERVIEW)


@pytest.fixture
def people(make_user):
    """hana writes offers, harper is a second HR user, ada an admin, mona a manager."""
    return {"hana": make_user(Role.HR, name="Hana Writer"), "harper": make_user(Role.HR, name="Harper Second"),
            "ada": make_user(Role.ADMIN, name="Ada Admin"), "mona": make_user(Role.MANAGER, name="Mona Manager")}


@pytest.fixture
def sent_offer(application, people):
    """Version 1 written by Hana, approved by Harper and sent."""

    def make(app_row=None, **changes):
        target = app_row or application
        offer = offers.make_offer(target, terms(**changes), actor=people["hana"], today=TODAY)
        offers.approve_offer(offer, actor=people["harper"])
        offers.send_offer(offer, actor=people["hana"], today=TODAY)
        return offer

    return make
