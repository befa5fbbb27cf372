"""Error pages in the app's own look, and a 500 that rolls the session back."""

from sqlalchemy import func, select

from app import create_app
from app.extensions import db as _db
from app.models import Role, Site
from config import TestingConfig


def test_forbidden_page_is_the_apps_own(client, login_as):
    login_as(Role.STAFF)
    response = client.get("/admin/users")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Not allowed" in html and "Medical Home" in html


def test_unhandled_error_rolls_back_and_shows_a_calm_500(app):
    broken = create_app(TestingConfig)
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.get("/boom")
    def boom():
        _db.session.add(Site(name="Half-written site"))
        _db.session.flush()
        raise RuntimeError("something broke")

    with broken.app_context():
        response = broken.test_client().get("/boom")
        assert response.status_code == 500
        assert "Something went wrong" in response.get_data(as_text=True)
        assert _db.session.scalar(select(func.count(Site.id)).where(Site.name == "Half-written site")) == 0
        _db.session.remove()
        _db.engine.dispose()
