"""Sites carry an IANA time zone: the admin sets it on the site form; a name zoneinfo does not know is refused."""

from datetime import date, time

import pytest
from sqlalchemy import func, select

from app.admin import services
from app.models import Role, Site
from app.timezones import NoSuchLocalTime, local_label, to_utc
from tests.factories import SiteFactory


def test_a_new_site_starts_in_the_default_zone_and_the_admin_changes_it(client, login_as, db):
    login_as(Role.ADMIN)
    client.post("/admin/sites/new", data={"name": "Bayou Clinic", "time_zone": "America/Chicago"})
    site = db.session.scalar(select(Site).where(Site.name == "Bayou Clinic"))
    assert site.time_zone == "America/Chicago"
    form = client.get(f"/admin/sites/{site.id}").get_data(as_text=True)
    assert 'value="America/Chicago"' in form and "Time zone" in form
    client.post(f"/admin/sites/{site.id}", data={"name": "Bayou Clinic", "time_zone": " America/Denver "})
    db.session.refresh(site)
    assert site.time_zone == "America/Denver"
    assert "America/Denver" in client.get("/admin/sites").get_data(as_text=True)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "EST5EDT;DROP", "../../etc/passwd", "localtime"])
def test_a_name_that_is_not_a_time_zone_is_refused_and_changes_nothing(client, login_as, db, name):
    login_as(Role.ADMIN)
    site = SiteFactory(name="Gulf Clinic", time_zone="America/Chicago")
    html = client.post(f"/admin/sites/{site.id}", data={"name": "Gulf Clinic", "time_zone": name}).get_data(as_text=True)
    assert "is not a time zone name" in html
    db.session.refresh(site)
    assert site.time_zone == "America/Chicago"


def test_the_service_refuses_an_unknown_zone_too(db, make_user):
    admin = make_user(Role.ADMIN)
    before = db.session.scalar(select(func.count(Site.id)))
    with pytest.raises(services.AdminError, match="Atlantis/Capital is not a time zone name"):
        services.save_site(None, actor=admin, name="Sunken Clinic", time_zone="Atlantis/Capital")
    assert db.session.scalar(select(func.count(Site.id))) == before


@pytest.mark.parametrize(("day", "utc_hour", "label"), [
    (date(2026, 3, 6), 14, "Fri, Mar 6, 2026, 9:00 AM EST"),    # before the change on March 8
    (date(2026, 3, 9), 13, "Mon, Mar 9, 2026, 9:00 AM EDT"),    # after it
    (date(2026, 10, 30), 13, "Fri, Oct 30, 2026, 9:00 AM EDT"),  # before the change on November 1
    (date(2026, 11, 2), 14, "Mon, Nov 2, 2026, 9:00 AM EST"),   # after it
])
def test_nine_in_new_york_is_the_right_utc_on_both_sides_of_daylight_saving(day, utc_hour, label):
    instant = to_utc(day, time(9, 0), "America/New_York")
    assert (instant.date(), instant.hour, instant.minute, instant.tzinfo) == (day, utc_hour, 0, None)
    assert local_label(instant, "America/New_York") == label


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_taken_the_first_time():
    with pytest.raises(NoSuchLocalTime, match="2:30 AM does not exist on Mar 8, 2026 in America/New_York"):
        to_utc(date(2026, 3, 8), time(2, 30), "America/New_York")
    first = to_utc(date(2026, 11, 1), time(1, 30), "America/New_York")
    assert (first.hour, first.minute) == (5, 30)  # 1:30 EDT, not 1:30 EST


def test_the_demo_gives_each_of_its_gulf_coast_sites_the_central_time_zone(app, db):
    from datetime import date as day

    from app.demo import build_demo
    from tests.test_demo import load_content

    load_content(app)
    build_demo(12, "medical-home-demo", today=day(2026, 11, 23))
    zones = dict(db.session.execute(select(Site.name, Site.time_zone)).all())
    assert zones and set(zones.values()) == {"America/Chicago"}
