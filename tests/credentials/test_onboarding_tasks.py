"""Required credentials as onboarding tasks: a hire gets a task for each credential their role family requires,
ticked when HR verifies one of that type; assigning a role track adds them for staff already here."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.credentials.services import verify_credential
from app.hiring.hire import hire_applicant
from app.models import (
    CredentialType,
    Method,
    Module,
    Progress,
    ProgressStatus,
    Responsible,
    Role,
    RoleFamily,
    Stage,
    Track,
    TrackKind,
    User,
    VerificationMethod,
)
from app.onboarding.services import bulk_assign
from tests.factories import SiteFactory
from tests.helpers import text
from tests.hiring.test_scoring import make_application, make_posting

TODAY = date.today()


def tasks_of(db, employee) -> dict[str, Progress]:
    return {
        progress.module.title: progress
        for progress in db.session.scalars(
            select(Progress).join(Module).where(Progress.employee_id == employee.id, Module.key.like("credential-type-%"))
        )
    }


def hire(db, make_user, family=RoleFamily.NURSE_CARE_MANAGER):
    hr = make_user(Role.HR)
    posting = make_posting(db, (("care-coordination", 100),))
    application = make_application(db, posting, stage=Stage.OFFER, name="Nia Nurse", email="nia@example.org")
    result = hire_applicant(application, actor=hr, start_date=TODAY + timedelta(days=7), site=SiteFactory(),
                            role_family=family, manager=make_user(Role.MANAGER), today=TODAY)
    return result.employee, hr


def test_a_hired_nurse_gets_a_task_for_each_credential_her_role_requires(db, make_user, kinds):
    employee, _ = hire(db, make_user)
    tasks = tasks_of(db, employee)
    assert set(tasks) == {"Provide your RN licence for verification", "Provide your BLS for verification",
                          "Provide your ACLS card for verification"}
    task = tasks["Provide your RN licence for verification"]
    assert (task.module.method, task.module.responsible) == (Method.TASK, Responsible.HR)
    assert task.status is ProgressStatus.NOT_STARTED and task.due_date == TODAY + timedelta(days=14)
    assert "checks it with the issuing board" in task.module.content
    assert db.session.get(Track, task.module.track_id).kind is TrackKind.DEVELOPMENT


def test_a_role_that_requires_nothing_gets_no_credential_tasks(db, make_user, kinds):
    employee, _ = hire(db, make_user, family=RoleFamily.FRONT_DESK)
    assert tasks_of(db, employee) == {}


def test_an_archived_type_makes_no_task(db, make_user, kinds):
    kinds["acls"].archive()
    employee, _ = hire(db, make_user)
    assert "Provide your ACLS card for verification" not in tasks_of(db, employee)


def test_hr_verifying_the_licence_ticks_its_task_only(db, make_user, kinds, hold):
    employee, hr = hire(db, make_user)
    licence = hold(employee, kinds["rn"], actor=hr)
    assert tasks_of(db, employee)["Provide your RN licence for verification"].status is ProgressStatus.NOT_STARTED
    verify_credential(licence, method=VerificationMethod.PRIMARY_SOURCE, source="Oregon board lookup", actor=hr)
    tasks = tasks_of(db, employee)
    done = tasks["Provide your RN licence for verification"]
    assert done.status is ProgressStatus.COMPLETED and done.signed_off_by_id == hr.id
    assert tasks["Provide your BLS for verification"].status is ProgressStatus.NOT_STARTED


def test_one_task_per_type_however_often_tracks_are_assigned(db, make_user, kinds, hold):
    employee, hr = hire(db, make_user)
    hold(employee, kinds["bls"], verified=True, actor=hr)
    role_track = Track(name="Nursing onboarding", kind=TrackKind.ROLE, role_families=["nurse-care-manager"])
    db.session.add(role_track)
    db.session.flush()
    bulk_assign(role_track, [employee], actor=hr, today=TODAY)
    bulk_assign(role_track, [employee], actor=hr, today=TODAY)
    titles = [p.module.title for p in db.session.scalars(
        select(Progress).join(Module).where(Progress.employee_id == employee.id, Module.key.like("credential-type-%")))]
    assert sorted(titles) == sorted(set(titles)) and len(titles) == 3


def test_assigning_a_role_track_to_staff_already_here_adds_the_tasks_not_yet_verified(db, make_user, kinds, hold):
    hr = make_user(Role.HR)
    nurse = make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER, start_date=TODAY)
    hold(nurse, kinds["bls"], verified=True, actor=hr)
    role_track = Track(name="Nursing onboarding", kind=TrackKind.ROLE, role_families=["nurse-care-manager"])
    db.session.add(role_track)
    db.session.flush()
    bulk_assign(role_track, [nurse], actor=hr, today=TODAY)
    assert set(tasks_of(db, nurse)) == {"Provide your RN licence for verification",
                                        "Provide your ACLS card for verification"}


def test_the_new_hire_sees_the_task_on_my_onboarding(client, db, make_user, kinds, auth):
    employee, _ = hire(db, make_user)
    employee.password_hash = make_user(Role.STAFF).password_hash
    db.session.commit()
    auth.login(employee)
    page = text(client.get("/onboarding"))
    assert "Credentials for verification" in page and "Provide your RN licence for verification" in page


def test_an_imported_verified_credential_ticks_the_task_the_import_gave(runner, db, tmp_path):
    from tests.credentials.test_import_credentials import HEADER, STAFF_HEADER

    SiteFactory(name="Harbor Clinic")
    db.session.add_all([CredentialType(name="BLS card", role_families=["medical-assistant"], renewal_months=24),
                        CredentialType(name="CLIA competency", role_families=["medical-assistant"])])
    db.session.flush()
    staff, held = tmp_path / "staff.csv", tmp_path / "credentials.csv"
    staff.write_text(f"{STAFF_HEADER}\nSam Carter,sam@example.org,Harbor Clinic,medical-assistant,,{TODAY}\n")
    held.write_text(f"{HEADER}\nsam@example.org,BLS card,B-1,American Heart Association,,"
                    f"{TODAY + timedelta(days=400)},copy-seen,\n")
    result = runner.invoke(args=["import-staff", str(staff), "--credentials", str(held)])
    assert result.exit_code == 0, result.output
    sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    tasks = tasks_of(db, sam)
    assert tasks["Provide your BLS card for verification"].status is ProgressStatus.COMPLETED
    assert tasks["Provide your CLIA competency for verification"].status is ProgressStatus.NOT_STARTED
