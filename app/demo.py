"""A demo organization built with bulk inserts: sites, managers, postings, applications,
scorecards, employees at every stage of onboarding (some overdue) and hires with check-ins."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from app.audit import record
from app.credentials import standing
from app.demo_credentials import build_credentials
from app.demo_hires import build_hires
from app.extensions import db
from app.hiring.bank_services import copy_rubric
from app.models import (
    Application,
    Assignment,
    Completion,
    Criterion,
    EmploymentType,
    InterviewAssignment,
    KitItem,
    Method,
    Module,
    Posting,
    PostingStatus,
    Progress,
    ProgressStatus,
    Question,
    Rating,
    Recommendation,
    Role,
    RoleFamily,
    Rubric,
    Scorecard,
    ScorecardStatus,
    Site,
    Stage,
    StageChange,
    Track,
    TrackKind,
    User,
    utcnow,
)
from app.models.people import new_token
from app.onboarding import summaries
from app.onboarding.services import add_months

DEMO_ACCOUNTS = {
    "admin@demo.clinic": "Admin",
    "hr@demo.clinic": "HR",
    "manager@demo.clinic": "Manager",
    "newhire@demo.clinic": "New hire",
}
SITES = [
    ("Riverside Family Health", "120 River Road", "Baton Rouge", "LA", "70801", "America/Chicago"),
    ("Eastside Community Clinic", "45 East Main Street", "Mobile", "AL", "36602", "America/Chicago"),
    ("Northgate Health Center", "9 Northgate Avenue", "Gulfport", "MS", "39501", "America/Chicago"),
    ("Harbor View Clinic", "300 Harbor Drive", "Pensacola", "FL", "32502", "America/Chicago"),
]
DEPARTMENTS = {
    RoleFamily.MEDICAL_ASSISTANT: "Adult medicine",
    RoleFamily.NURSE_CARE_MANAGER: "Care management",
    RoleFamily.PRIMARY_CARE_PROVIDER: "Adult medicine",
    RoleFamily.FRONT_DESK: "Patient services",
    RoleFamily.COMMUNITY_HEALTH_WORKER: "Community health",
    RoleFamily.BEHAVIORAL_HEALTH_CONSULTANT: "Behavioral health",
    RoleFamily.PRACTICE_MANAGER: "Operations",
}
FIRST = ["Ana", "Ben", "Carla", "Deshawn", "Elena", "Farah", "Gabe", "Hoa", "Imani", "Jorge",
         "Keisha", "Luis", "Mai", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq"]
LAST = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Fofana", "Garcia", "Huang", "Ibrahim",
        "Johnson", "Kim", "Lopez", "Moreno", "Nguyen", "Okafor", "Patel", "Reyes", "Smith"]
TEAM_SIZE = 50


class DemoError(Exception):
    pass


@dataclass
class DemoReport:
    employees: int
    managers: int
    postings: int
    applications: int
    scorecards: int
    progress: int
    hires: int = 0
    check_ins: int = 0
    credentials: int = 0

    def summary(self) -> str:
        return (
            f"{self.employees} employees, {self.managers} managers, {self.postings} postings, "
            f"{self.applications} applications, {self.scorecards} scorecards, "
            f"{self.progress} module progress rows, {self.hires} hires with {self.check_ins} check-ins, "
            f"{self.credentials} credentials"
        )


def _bulk(model, rows: list[dict]) -> list[int]:
    """Insert rows in one statement and return their ids in order."""
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(stmt, rows))


def build_demo(employees: int, password: str, *, today: date | None = None, seed: int = 7) -> DemoReport:
    """Create the demo organization; refuses when the database already has users."""
    if db.session.scalar(select(func.count(User.id))):
        raise DemoError("The database already has users; the demo loads only into an empty database.")
    tracks = db.session.scalars(select(Track).where(Track.archived_at.is_(None))).all()
    templates = db.session.scalars(select(Rubric).where(Rubric.is_template, Rubric.archived_at.is_(None))).all()
    if not tracks or not templates:
        raise DemoError("Load the content library first: flask --app app seed")
    today = today or date.today()
    rng = random.Random(seed)
    password_hash = generate_password_hash(password)
    now = utcnow()

    site_ids = _bulk(Site, [
        {"name": name, "street": street, "city": city, "region": region, "postal_code": code,
         "time_zone": time_zone, "created_at": now, "updated_at": now}
        for name, street, city, region, code, time_zone in SITES
    ])

    def person(email, name, role, *, site, family=None, manager=None, start=None, interviewer=False):
        return {
            "email": email, "name": name, "password_hash": password_hash, "role": role,
            "is_interviewer": interviewer, "site_id": site, "department": DEPARTMENTS.get(family, "Operations"),
            "role_family": family, "manager_id": manager, "start_date": start, "active": True,
            "session_token": new_token(), "calendar_token": new_token(), "due_soon_reminders": True,
            "password_changed_at": now, "created_at": now, "updated_at": now,
        }

    admin_id, hr_id = _bulk(User, [
        person("admin@demo.clinic", "Avery Admin", Role.ADMIN, site=site_ids[0], start=today - timedelta(days=900)),
        person("hr@demo.clinic", "Harper Reyes", Role.HR, site=site_ids[0], start=today - timedelta(days=700), interviewer=True),
    ])
    manager_count = max(1, -(-employees // TEAM_SIZE))
    manager_rows = [
        person("manager@demo.clinic", "Morgan Lee", Role.MANAGER, site=site_ids[0],
               family=RoleFamily.PRACTICE_MANAGER, start=today - timedelta(days=800), interviewer=True)
    ] + [
        person(f"manager{i}@demo.clinic", f"{rng.choice(FIRST)} {rng.choice(LAST)}", Role.MANAGER,
               site=site_ids[i % len(site_ids)], family=RoleFamily.PRACTICE_MANAGER,
               start=today - timedelta(days=rng.randint(200, 1500)), interviewer=i % 2 == 0)
        for i in range(1, manager_count)
    ]
    manager_ids = _bulk(User, manager_rows)
    manager_sites = {mid: row["site_id"] for mid, row in zip(manager_ids, manager_rows, strict=False)}

    families = list(RoleFamily)
    staff_rows = [
        person("newhire@demo.clinic", "Nia Jackson", Role.STAFF, site=site_ids[0],
               family=RoleFamily.MEDICAL_ASSISTANT, manager=manager_ids[0], start=today - timedelta(days=10))
    ]
    for i in range(1, employees):
        manager_id = manager_ids[i % manager_count]
        family = families[i % len(families)]
        # A spread of start dates: a third in their first 90 days, the rest up to three years in.
        days_in = rng.randint(0, 89) if i % 3 == 0 else rng.randint(90, 1100)
        staff_rows.append(person(
            f"staff{i}@demo.clinic", f"{rng.choice(FIRST)} {rng.choice(LAST)}", Role.STAFF,
            site=manager_sites[manager_id], family=family, manager=manager_id,
            start=today - timedelta(days=days_in), interviewer=i % 15 == 0,
        ))
    staff_ids = _bulk(User, staff_rows)

    progress_count = _build_onboarding(rng, tracks, list(zip(staff_ids, staff_rows, strict=False)), hr_id, today)
    interviewers = [hr_id, manager_ids[0]] + [sid for sid, row in zip(staff_ids, staff_rows, strict=False) if row["is_interviewer"]][:6]
    postings, applications, scorecards = _build_hiring(rng, templates, site_ids, hr_id, interviewers, today)
    # A generator of its own, so the check-in histories leave the rest of the demo as it was.
    hires = build_hires(seed + 1, templates, list(zip(staff_ids, staff_rows, strict=True)), hr_id=hr_id,
                        interviewers=interviewers, site_ids=site_ids, departments=DEPARTMENTS, today=today)

    credentials = build_credentials(seed + 2, list(zip(staff_ids, staff_rows, strict=True)), hr_id=hr_id,
                                    newhire_id=staff_ids[0], manager_id=manager_ids[0], today=today)
    standing.refresh_everyone(db.session)  # the Core inserts above bypass the session listener
    record(db.session, "demo.created", note=f"{employees} employees")
    db.session.flush()
    _refresh_planner_statistics()
    return DemoReport(len(staff_ids), len(manager_ids), postings + hires.postings, applications + hires.hires,
                      scorecards + hires.scorecards, progress_count, hires.hires, hires.check_ins, credentials)


def _refresh_planner_statistics() -> None:
    """Tell PostgreSQL's planner how big the tables now are. Right after a bulk load it still believes
    they are nearly empty and, until autovacuum comes round, picks nested loops that made the HR
    report take seconds instead of milliseconds at 1,000 employees."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))


def _build_onboarding(rng, tracks, staff, assigned_by: int, today: date) -> int:
    foundations = [t for t in tracks if t.kind is TrackKind.ALL_STAFF]
    by_family = {
        family: [t for t in tracks if t.kind is TrackKind.ROLE and family.value in t.role_families]
        for family in RoleFamily
    }
    modules = db.session.scalars(
        select(Module).where(Module.archived_at.is_(None)).order_by(Module.track_id, Module.position)
    ).all()
    modules_by_track: dict[int, list[Module]] = {}
    for module in modules:
        modules_by_track.setdefault(module.track_id, []).append(module)

    now = utcnow()
    assignment_rows, plans = [], []
    for employee_id, row in staff:
        for track in foundations + by_family[row["role_family"]]:
            assignment_rows.append({
                "employee_id": employee_id, "track_id": track.id, "assigned_by_id": assigned_by,
                "reason": "Assigned on hire", "created_at": now, "updated_at": now,
            })
            plans.append((employee_id, row, track))
    assignment_ids = _bulk(Assignment, assignment_rows)

    progress_rows, completion_rows = [], []
    for assignment_id, (employee_id, row, track) in zip(assignment_ids, plans, strict=False):
        start = row["start_date"]
        diligence = rng.random()  # how far ahead of their due dates this person keeps
        for module in modules_by_track.get(track.id, []):
            due = start + timedelta(days=module.due_offset_days)
            progress = {
                "employee_id": employee_id, "module_id": module.id, "assignment_id": assignment_id,
                "status": ProgressStatus.NOT_STARTED, "due_date": due, "created_at": now, "updated_at": now,
                "started_at": None, "completed_at": None, "completed_version": None, "best_score": None,
                "signed_off_by_id": None, "signed_off_at": None, "sign_off_requested_at": None,
                "sign_off_comment": "", "renew_by": None,
            }
            days_to_due = (due - today).days
            done = days_to_due < 0 and diligence > 0.15 or days_to_due < 14 and diligence > 0.6
            if done:
                finished = min(today, due - timedelta(days=rng.randint(0, 5)))
                finished_at = now.replace(year=finished.year, month=finished.month, day=finished.day)
                signer = row["manager_id"] if module.method in (Method.SIGN_OFF, Method.TASK) else None
                score = rng.randint(module.pass_mark or 80, 100) if module.method is Method.QUIZ else None
                progress.update(status=ProgressStatus.COMPLETED, started_at=finished_at, completed_at=finished_at,
                                completed_version=module.version, best_score=score,
                                signed_off_by_id=signer, signed_off_at=finished_at if signer else None,
                                renew_by=add_months(finished, module.renew_months) if module.renew_months else None)
                completion_rows.append({
                    "employee_id": employee_id, "module_id": module.id, "module_version": module.version,
                    "completed_at": finished_at, "score": score, "signed_off_by_id": signer,
                })
            elif days_to_due < 21 and rng.random() < 0.4:
                progress.update(status=ProgressStatus.IN_PROGRESS, started_at=now)
                if module.method is Method.SIGN_OFF:
                    progress["sign_off_requested_at"] = now
            progress_rows.append(progress)
    # Core inserts with one key set per table, so the driver sends multi-row batches.
    for chunk in range(0, len(progress_rows), 5000):
        db.session.execute(Progress.__table__.insert(), progress_rows[chunk : chunk + 5000])
    for chunk in range(0, len(completion_rows), 5000):
        db.session.execute(Completion.__table__.insert(), completion_rows[chunk : chunk + 5000])
    summaries.refresh_everyone(db.session, today=today)  # the Core inserts above bypass the session listener
    return len(progress_rows)


def _build_hiring(rng, templates, site_ids, hr_id, interviewers, today) -> tuple[int, int, int]:
    questions = {q.key: q.id for q in db.session.scalars(select(Question).where(Question.key.is_not(None)))}
    statuses = [PostingStatus.OPEN] * 4 + [PostingStatus.DRAFT, PostingStatus.CLOSED]
    posting_count = application_count = scorecard_count = 0
    now = utcnow()
    for index, (template, status) in enumerate(zip(sorted(templates, key=lambda r: r.key), statuses, strict=False)):
        rubric = copy_rubric(template, actor=None)
        posting = Posting(
            title=template.name, site_id=site_ids[index % len(site_ids)],
            department=DEPARTMENTS[template.role_family], role_family=template.role_family,
            employment_type=EmploymentType.FULL_TIME if index % 3 else EmploymentType.PART_TIME,
            description=(
                f"Join our {template.name.lower()} team at a community health center that works as a "
                "patient-centered medical home. You will work with the same care team and patients "
                "over time, take part in daily huddles, and get protected time for improvement work."
            ),
            rubric_id=rubric.id, status=status, created_by_id=hr_id,
            closing_date=today + timedelta(days=30 + index * 7),
            opened_at=now if status is not PostingStatus.DRAFT else None,
            closed_at=now if status is PostingStatus.CLOSED else None,
        )
        db.session.add(posting)
        db.session.flush()
        for position, key in enumerate(k for k in template.suggested_kit if k in questions):
            db.session.add(KitItem(posting_id=posting.id, question_id=questions[key], position=position))
        posting_count += 1
        if status is PostingStatus.DRAFT:
            continue
        criteria = db.session.scalars(select(Criterion).where(Criterion.rubric_id == rubric.id)).all()
        for stage_index, stage in enumerate(Stage):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            application = Application(
                posting_id=posting.id, name=name,
                email=f"candidate{posting.id}-{stage_index}@example.org",
                phone=f"555-01{stage_index:02d}", stage=stage,
                why_medical_home="I want to know my patients over time and work on a team that plans care together.",
            )
            db.session.add(application)
            db.session.flush()
            db.session.add(StageChange(application_id=application.id, from_stage=None,
                                       to_stage=Stage.APPLIED, actor_id=None))
            if stage is not Stage.APPLIED:
                db.session.add(StageChange(
                    application_id=application.id, from_stage=Stage.APPLIED, to_stage=stage, actor_id=hr_id,
                    reason="Did not meet the posting's license requirement" if stage is Stage.REJECTED else "",
                ))
            application_count += 1
            if stage in (Stage.INTERVIEW, Stage.OFFER, Stage.HIRED):
                for interviewer_id in interviewers[:2]:
                    db.session.add(InterviewAssignment(application_id=application.id, interviewer_id=interviewer_id))
                    submitted = stage is not Stage.INTERVIEW or interviewer_id == interviewers[0]
                    card = Scorecard(
                        application_id=application.id, interviewer_id=interviewer_id, rubric_id=rubric.id,
                        status=ScorecardStatus.SUBMITTED if submitted else ScorecardStatus.DRAFT,
                        recommendation=rng.choice(list(Recommendation)) if submitted else None,
                        submitted_at=now if submitted else None,
                    )
                    db.session.add(card)
                    db.session.flush()
                    for criterion in criteria:
                        score = rng.randint(2, 5)
                        db.session.add(Rating(
                            scorecard_id=card.id, criterion_id=criterion.id, score=score,
                            evidence="Gave a specific example with the situation, what they did and the result."
                            if score in (1, 5) else "",
                        ))
                    scorecard_count += 1
    db.session.flush()
    return posting_count, application_count, scorecard_count
