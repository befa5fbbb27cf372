"""factory_boy factories that add rows through the test's session."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import Application, Posting, PostingStatus, Role, RoleFamily, Rubric, Site, Stage, StageChange, User


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


def open_posting(site_name: str = "Riverside") -> Posting:
    """An open Medical assistant posting, with its rubric, at a new site named `site_name`."""
    rubric = Rubric(name="Medical assistant", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    posting = Posting(title="Medical assistant", site_id=SiteFactory(name=site_name).id,
                      role_family=RoleFamily.MEDICAL_ASSISTANT, rubric_id=rubric.id, status=PostingStatus.OPEN)
    db.session.add(posting)
    db.session.flush()
    return posting


def applied(posting: Posting, *, name: str, email: str, **fields) -> Application:
    """An application to `posting` (at Applied unless `stage` says otherwise), with the history row the
    careers page writes."""
    application = Application(posting_id=posting.id, name=name, email=email, **fields)
    db.session.add(application)
    db.session.flush()
    db.session.add(StageChange(application_id=application.id, from_stage=None, to_stage=Stage.APPLIED))
    db.session.flush()
    return application
