"""The shipped check-in schedules: validated like the rest of the library, loaded once, and never put back
over a schedule HR changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit import acting_as
from app.models import CheckInSchedule, RoleFamily
from app.onboarding import check_ins
from tests.content.test_library import SEEDS, assert_refused, check, edit_yaml, load
from tests.helpers import count

FILE = "check-ins.yaml"


@pytest.fixture
def library_copy(tmp_path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def schedules(db) -> dict:
    return {row.role_family: row.offsets for row in db.session.scalars(select(CheckInSchedule))}


def schedule_of(data: dict, family: str) -> dict:
    return next(item for item in data["schedules"] if item["role_family"] == family)


def test_seed_loads_the_default_and_the_providers_schedule(runner, db):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "check-in schedules: 2 new" in result.output
    assert schedules(db) == {None: [30, 60, 90], RoleFamily.PRIMARY_CARE_PROVIDER: [30, 90, 180]}
    assert check_ins.offsets_for(RoleFamily.PRIMARY_CARE_PROVIDER) == [30, 90, 180]
    assert check_ins.offsets_for(RoleFamily.FRONT_DESK) == [30, 60, 90]


def test_seeding_twice_adds_no_second_schedule(runner, db, library_copy):
    assert load(runner, library_copy).exit_code == 0
    second = load(runner, library_copy)
    assert "up to date" in second.output, second.output
    assert count(db, CheckInSchedule) == 2


def test_seed_keeps_a_schedule_hr_changed_and_says_so(runner, db, library_copy):
    assert load(runner, library_copy).exit_code == 0
    with acting_as(db.session, None):
        check_ins.set_offsets(RoleFamily.PRIMARY_CARE_PROVIDER, [45, 120], actor=None)
    db.session.commit()
    result = load(runner, library_copy)
    assert result.exit_code == 0, result.output
    assert "up to date; nothing changed" in result.output
    assert "kept as HR set them" in result.output and "primary-care-provider" in result.output
    assert schedules(db)[RoleFamily.PRIMARY_CARE_PROVIDER] == [45, 120]


def test_seed_adds_a_missing_schedule_and_leaves_the_others(runner, db, library_copy):
    with acting_as(db.session, None):
        check_ins.set_offsets(None, [14, 60], actor=None)  # HR set the default before the seed ran
    db.session.commit()
    result = load(runner, library_copy)
    assert "check-in schedules: 1 new" in result.output, result.output
    assert schedules(db) == {None: [14, 60], RoleFamily.PRIMARY_CARE_PROVIDER: [30, 90, 180]}


def test_a_seed_folder_without_check_ins_loads_and_schedules_fall_back_to_30_60_90(runner, db, library_copy):
    (library_copy / FILE).unlink()
    assert check(runner, library_copy).exit_code == 0
    assert load(runner, library_copy).exit_code == 0
    assert count(db, CheckInSchedule) == 0
    assert check_ins.offsets_for(RoleFamily.MEDICAL_ASSISTANT) == [30, 60, 90]


def test_seed_check_prints_each_role_familys_days(runner):
    result = runner.invoke(args=["seed", "--check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert next(line for line in lines if line.startswith("primary-care-provider ")).split()[1:] == [
        "30/90/180", "own", "schedule"]
    assert next(line for line in lines if line.startswith("front-desk ")).split()[1:] == ["30/60/90", "default"]
    assert "2 check-in schedules" in result.output


@pytest.mark.parametrize("change, message", [
    (lambda s: s.update(days=[0, 30]), "item default: days: check-in days are counted from the start date: "
                                       "use days from 1 to 730"),
    (lambda s: s.update(days=[30, 30, 90]), "item default: days: lists the same day twice"),
    (lambda s: s.update(days=[]), "item default: days: List should have at least 1 item"),
    (lambda s: s.update(days=["soon"]), "item default: days: item #1: Input should be a valid integer"),
    (lambda s: s.update(sources=["nowhere"]), "item default: sources: unknown reference 'nowhere'"),
    (lambda s: s.update(every="month"), "item default: every: Extra inputs are not permitted"),
])
def test_a_broken_default_schedule_is_refused_with_its_field_named(runner, library_copy, change, message):
    edit_yaml(library_copy / FILE, lambda data: change(schedule_of(data, "default")))
    assert_refused(check(runner, library_copy), f"{FILE}: ", message)


def test_an_unknown_role_family_is_refused(runner, library_copy):
    edit_yaml(library_copy / FILE, lambda data: schedule_of(data, "primary-care-provider").update(
        role_family="physician"))
    assert_refused(check(runner, library_copy), f"{FILE}: schedules: item physician: role_family: Input should be")


def test_two_schedules_for_one_role_family_are_refused(runner, library_copy):
    edit_yaml(library_copy / FILE, lambda data: data["schedules"].append(
        {"role_family": "primary-care-provider", "days": [60]}))
    assert_refused(check(runner, library_copy), f"{FILE}: item primary-care-provider: role_family: has more than one")


def test_schedules_without_a_default_fail_the_check(runner, library_copy):
    edit_yaml(library_copy / FILE, lambda data: data["schedules"].remove(schedule_of(data, "default")))
    assert_refused(check(runner, library_copy), f"{FILE}: schedules: no default schedule")


def test_a_refused_schedule_file_loads_nothing(runner, db, library_copy):
    edit_yaml(library_copy / FILE, lambda data: schedule_of(data, "default").update(days=[800]))
    result = load(runner, library_copy)
    assert result.exit_code == 1 and "nothing was loaded" in result.output
    assert count(db, CheckInSchedule) == 0
