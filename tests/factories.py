"""factory_boy factories that add rows through the test's session."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import Role, Site, User


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class SiteFactory(BaseFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Test Clinic {n}")
    city = "Mobile"
    region = "AL"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.STAFF
