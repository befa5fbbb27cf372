"""A small known team: four direct reports in every state, an indirect report, and another team."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.models import Assignment, Method, Module, Progress, ProgressStatus, Role, Track, TrackKind
from tests.factories import SiteFactory

TODAY = date.today()
DONE, WAIVED, OPEN = ProgressStatus.COMPLETED, ProgressStatus.WAIVED, ProgressStatus.NOT_STARTED


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def track(db):
    """A track of four modules plus one archived module."""
    track = Track(name="Medical home foundations", kind=TrackKind.ALL_STAFF)
    db.session.add(track)
    db.session.flush()
    modules = [Module(track_id=track.id, position=i, title=f"Module {i + 1}", method=Method.ATTEST) for i in range(4)]
    modules[3].method = Method.SIGN_OFF
    modules[3].observation = "Leads the morning huddle."
    retired = Module(track_id=track.id, position=9, title="Retired module", archived_at=datetime(2024, 1, 1))
    db.session.add_all([*modules, retired])
    db.session.flush()
    track.test_modules = modules
    track.retired = retired
    return track


@pytest.fixture
def give(db, track):
    """give(person, [(status, due), ...]): put the person on the track with these module states."""

    def give_(person, states, *, on=None, unassigned=False):
        on = on or track
        assignment = Assignment(employee_id=person.id, track_id=on.id,
                                unassigned_at=datetime(2025, 1, 1) if unassigned else None)
        db.session.add(assignment)
        db.session.flush()
        modules = on.test_modules if on is track else on.other_modules
        for module, (status, due) in zip(modules, states, strict=False):
            db.session.add(Progress(
                employee_id=person.id, module_id=module.id, assignment_id=assignment.id, status=status,
                due_date=due, completed_at=datetime.combine(due, datetime.min.time()) if status is DONE else None,
                completed_version=1 if status is DONE else None,
            ))
        db.session.flush()
        return assignment

    return give_


@pytest.fixture
def team(db, make_user, give, track):
    """Mona manages Ann (complete), Ben (overdue), Cal (due soon), Dee (on track, new), Sam (a manager
    with no training) and, through Sam, Eve (overdue). Olga manages Xena. Ina is deactivated."""
    site = SiteFactory(name="Riverside Family Health")
    mona = make_user(Role.MANAGER, name="Mona Manager", email="mona@example.org")
    olga = make_user(Role.MANAGER, name="Olga Other", email="olga@example.org")
    people = {"mona": mona, "olga": olga, "site": site}
    for key, name, start in [("ann", "Ann Alvarez", 400), ("ben", "Ben Brooks", 200), ("cal", "Cal Chen", 120),
                             ("dee", "Dee Diaz", 10)]:
        people[key] = make_user(Role.STAFF, name=name, email=f"{key}@example.org", manager=mona, site=site,
                                start_date=days(-start))
    people["sam"] = make_user(Role.MANAGER, name="Sam Sub", email="sam@example.org", manager=mona,
                              start_date=days(-800))
    people["eve"] = make_user(Role.STAFF, name="Eve Evans", email="eve@example.org", manager=people["sam"],
                              start_date=days(-30))
    people["xena"] = make_user(Role.STAFF, name="Xena Xu", email="xena@example.org", manager=olga,
                               start_date=days(-20))
    people["ina"] = make_user(Role.STAFF, name="Ina Inactive", email="ina@example.org", manager=mona, active=False)

    give(people["ann"], [(DONE, days(-300)), (DONE, days(-290)), (WAIVED, days(-280)), (DONE, days(-270))])
    give(people["ben"], [(DONE, days(-60)), (OPEN, days(-3)), (OPEN, days(3)), (OPEN, days(30))])
    give(people["cal"], [(DONE, days(-60)), (DONE, days(-30)), (OPEN, days(5)), (OPEN, days(40))])
    give(people["dee"], [(OPEN, days(20)), (OPEN, days(30)), (OPEN, days(40)), (OPEN, days(50))])
    give(people["eve"], [(OPEN, days(-1)), (OPEN, days(10)), (OPEN, days(20)), (OPEN, days(30))])
    give(people["xena"], [(OPEN, days(-5)), (OPEN, days(10)), (OPEN, days(20)), (OPEN, days(30))])
    give(people["ina"], [(OPEN, days(-5)), (OPEN, days(10)), (OPEN, days(20)), (OPEN, days(30))])
    # Neither an archived module nor a track taken off the plan counts.
    db.session.add(Progress(employee_id=people["ann"].id, module_id=track.retired.id, status=OPEN, due_date=days(-9),
                            assignment_id=db.session.scalar(db.select(Assignment.id).where(
                                Assignment.employee_id == people["ann"].id))))
    old = Track(name="Old track")
    db.session.add(old)
    db.session.flush()
    old.other_modules = [Module(track_id=old.id, title="Old module")]
    db.session.add_all(old.other_modules)
    db.session.flush()
    give(people["ben"], [(OPEN, days(-50))], on=old, unassigned=True)
    return people
