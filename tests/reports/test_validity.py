"""The validity report: interview scores paired with 90-day manager ratings, per value, rubric, interviewer
and question; the blind rule; filters; the CSV; and early warnings from 30-day check-ins."""

from __future__ import annotations

import csv
import io
import re
import statistics
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import cache
from app.models import (
    CheckInRating,
    Module,
    Rater,
    Rating,
    Role,
    RoleFamily,
    Scorecard,
    ScorecardStatus,
    Track,
    TrackKind,
    User,
)
from app.models.base import utcnow
from app.onboarding.early_warnings import early_warnings
from app.reports.forms import ValidityFilters
from app.reports.validity import validity
from app.reports.validity_stats import correlation, format_r
from tests.helpers import text
from tests.reports.validity_world import TODAY, Hiring

MA, RN = RoleFamily.MEDICAL_ASSISTANT, RoleFamily.NURSE_CARE_MANAGER
# Twelve hires: interviewer A's and B's ratings of Care Coordination and Engaged Leadership, and the manager's.
A_CC = [1, 2, 3, 4, 5, 3, 2, 4, 5, 1, 3, 4]
B_CC = [2, 2, 3, 5, 4, 3, 1, 4, 5, 2, 4, 3]
M_CC = [1, 2, 3, 4, 5, 4, 2, 3, 5, 2, 3, 4]
A_EL = [3, 4, 2, 5, 1, 3, 4, 2, 5, 3, 4, 1]
B_EL = [3, 5, 2, 4, 2, 3, 3, 2, 4, 3, 5, 2]
M_EL = [2, 4, 3, 4, 2, 2, 4, 3, 5, 3, 3, 2]
WIDE = ValidityFilters(start=TODAY - timedelta(days=3650), end=TODAY)


@pytest.fixture
def hiring(db, make_user) -> Hiring:
    return Hiring(db, make_user).setup()


@pytest.fixture
def twelve(hiring) -> Hiring:
    for i in range(12):
        hiring.hire(f"Hire {i:02}", [{"cc": A_CC[i], "el": A_EL[i]}, {"cc": B_CC[i], "el": B_EL[i]}],
                    {"cc": M_CC[i], "el": M_EL[i]})
    return hiring


def mean(*numbers):
    return sum(numbers) / len(numbers)


def pearson(pairs):
    """Pearson's r by the textbook formula (the standard library's), independent of the report's code."""
    return statistics.correlation([x for x, _ in pairs], [y for _, y in pairs])


def cc_pairs():
    return [(mean(a, b), m) for a, b, m in zip(A_CC, B_CC, M_CC, strict=True)]


def el_pairs():
    return [(mean(a, b), m) for a, b, m in zip(A_EL, B_EL, M_EL, strict=True)]


def overall_pairs():
    return [(mean(mean(a, b), mean(c, d)), mean(m, n))
            for a, b, c, d, m, n in zip(A_CC, B_CC, A_EL, B_EL, M_CC, M_EL, strict=True)]


def by_label(rows):
    return {row.label: row for row in rows}


# Pairs and their correlations ------------------------------------------------------------------------
def test_pairs_are_the_interview_means_against_the_managers_90_day_ratings(db, twelve):
    result = validity(WIDE)
    assert (result.hires, result.paired, result.without_scorecards) == (12, 12, 0)
    values = by_label(result.by_value)
    assert sorted(values["Care Coordination"].pairs) == sorted(cc_pairs())
    assert sorted(values["Engaged Leadership"].pairs) == sorted(el_pairs())
    assert values["Care Coordination"].result.r == pytest.approx(pearson(cc_pairs()), abs=1e-12)
    assert values["Engaged Leadership"].result.r == pytest.approx(pearson(el_pairs()), abs=1e-12)
    assert sorted(result.overall.pairs) == sorted(overall_pairs())
    assert result.overall.result == correlation(overall_pairs())
    [rubric] = result.by_rubric
    assert rubric.label == "MA validity rubric" and rubric.result == result.overall.result


def test_each_interviewer_is_judged_on_their_own_ratings(db, twelve):
    interviewers = by_label(validity(WIDE).by_interviewer)
    ivan = [(mean(a, c), mean(m, n)) for a, c, m, n in zip(A_CC, A_EL, M_CC, M_EL, strict=True)]
    iris = [(mean(b, d), mean(m, n)) for b, d, m, n in zip(B_CC, B_EL, M_CC, M_EL, strict=True)]
    assert interviewers["Ivan Interviewer"].result.r == pytest.approx(pearson(ivan), abs=1e-12)
    assert interviewers["Iris Interviewer"].result.r == pytest.approx(pearson(iris), abs=1e-12)
    assert interviewers["Ivan Interviewer"].result.n == 12


def test_a_kit_question_takes_the_interview_score_of_its_value(db, twelve):
    questions = {row.detail: row for row in validity(WIDE).by_question}
    assert sorted(questions["Care Coordination"].pairs) == sorted(cc_pairs())
    assert questions["Care Coordination"].label == "Tell us about a time you showed Care Coordination."
    assert sorted(questions["Engaged Leadership"].pairs) == sorted(el_pairs())


def words(response) -> str:
    """The page's text without its tags, spaces collapsed (a figure may span two lines of markup)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def test_the_page_shows_the_r_of_the_pairs_with_its_interval_and_reading(db, twelve, login_as, client):
    login_as(Role.HR)
    response = client.get(f"/reports/validity?hired_from={WIDE.start}")
    page = words(response)
    assert response.status_code == 200
    for pairs in (cc_pairs(), el_pairs(), overall_pairs()):
        shown = correlation(pairs)
        assert format_r(shown) in page and "95% CI" in format_r(shown)
        assert shown.reading in page
    assert "Too few hires to tell" not in page
    assert "one circle per hire" in page
    assert "runs from −1 to 1" in page and "95% interval" in page
    assert "Ivan Interviewer" in page and "Tell us about a time you showed Engaged Leadership." in page
    html = response.get_data(as_text=True)
    assert 'role="img"' in html and "style=" not in html and "<script" not in html


def test_under_ten_hires_the_page_says_too_few_to_tell(db, hiring, login_as, client):
    for i in range(3):
        hiring.hire(f"Hire {i}", [{"cc": A_CC[i], "el": A_EL[i]}], {"cc": M_CC[i], "el": M_EL[i]})
    login_as(Role.ADMIN)
    page = text(client.get("/reports/validity"))
    assert "Too few hires to tell (n = 3; at least 10 are needed)." in page


def test_empty_states_without_hires_or_without_scores(db, hiring, login_as, client):
    login_as(Role.HR)
    assert "No hire these filters select has a done 90-day check-in yet." in text(client.get("/reports/validity"))
    hiring.hire("No Cards", None, {"cc": 3, "el": 4})
    page = text(client.get("/reports/validity"))
    assert "None of these hires has interview scores" in page


# What is left out -------------------------------------------------------------------------------------
def test_a_hire_without_scorecards_is_left_out_and_noted(db, twelve, login_as, client):
    twelve.hire("Never Interviewed", None, {"cc": 5, "el": 5})
    drafted = twelve.hire("Only A Draft", [{"cc": 1, "el": 1}], {"cc": 5, "el": 5})
    db.session.execute(Scorecard.__table__.update().where(Scorecard.application_id == drafted.application.id)
                       .values(status=ScorecardStatus.DRAFT))
    result = validity(WIDE)
    assert (result.hires, result.paired, result.without_scorecards) == (14, 12, 2)
    assert {pair.hire.name for pair in result.pairs} == {f"Hire {i:02}" for i in range(12)}
    login_as(Role.HR)
    assert "2 hires are left out: no submitted interview scorecard" in text(client.get("/reports/validity"))


def test_a_rubric_changed_between_hiring_and_check_in_still_pairs_by_value(db, hiring):
    _, newer = hiring.new_posting("MA validity rubric", version=2)
    new_rubric_id = next(iter(newer.values())).rubric_id
    assert {c.id for c in newer.values()}.isdisjoint({c.id for c in hiring.criteria.values()})
    hiring.hire("Changed Rubric", [{"cc": 2, "el": 4}], {"cc": 3, "el": 5}, check_in_rubric_id=new_rubric_id)
    result = validity(WIDE)
    assert hiring.posting.rubric_id != new_rubric_id
    assert {(p.value, p.interview, p.rating) for p in result.pairs} == {
        ("Care Coordination", 2, 3), ("Engaged Leadership", 4, 5)}


def test_a_superseded_rating_or_scorecard_does_not_count(db, hiring):
    hire = hiring.hire("Amended", [{"cc": 2, "el": 2}], {"cc": 1, "el": 1})
    now = utcnow()
    for rating in db.session.scalars(select(CheckInRating).where(CheckInRating.rater == Rater.MANAGER)):
        rating.superseded_at = now
        db.session.add(CheckInRating(check_in_id=rating.check_in_id, rater=Rater.MANAGER, rater_id=rating.rater_id,
                                     value_id=rating.value_id, score=4, revision=2, amendment_reason="Mixed up"))
    old_card = db.session.scalar(select(Scorecard).where(Scorecard.application_id == hire.application.id))
    old_card.superseded_at = now
    newer = Scorecard(application_id=hire.application.id, interviewer_id=old_card.interviewer_id, revision=2,
                      rubric_id=old_card.rubric_id, status=ScorecardStatus.SUBMITTED, submitted_at=now)
    newer.ratings = [Rating(criterion_id=c.id, score=5) for c in hiring.criteria.values()]
    db.session.add(newer)
    db.session.flush()
    assert {(p.value, p.interview, p.rating) for p in validity(WIDE).pairs} == {
        ("Care Coordination", 5, 4), ("Engaged Leadership", 5, 4)}


def test_a_check_in_before_day_90_or_not_done_is_no_90_day_rating(db, hiring):
    hiring.hire("At Day 60", [{"cc": 2, "el": 2}], {"cc": 1, "el": 1}, day=60)
    hiring.hire("Not Done", [{"cc": 2, "el": 2}], {"cc": 1, "el": 1}, done=False)
    later = hiring.hire("Day 120 Only", [{"cc": 2, "el": 3}], {"cc": 4, "el": 4}, day=120)
    hiring.check_in(later, later.application, 180, {"cc": 1, "el": 1}, {"cc": 1, "el": 1})
    result = validity(WIDE)
    assert {p.hire.name for p in result.pairs} == {"Day 120 Only"}
    assert {(p.hire.day, p.rating) for p in result.pairs} == {(120, 4)}  # the earliest on or after day 90


def test_the_blind_rule_leaves_a_pending_panel_candidate_out(db, twelve, login_as, client):
    hr = login_as(Role.HR)
    pending = twelve.hire("On My Panel", [{"cc": 5, "el": 5}], {"cc": 1, "el": 1})
    twelve.panel(pending.application, hr)
    page = words(client.get("/reports/validity"))
    assert format_r(correlation(cc_pairs())) in page  # the twelve, without the pending candidate
    assert "1 hire is left out until you submit your own scorecard" in page
    rows = list(csv.reader(io.StringIO(client.get("/reports/validity.csv").get_data(as_text=True))))
    assert "On My Panel" not in {row[1] for row in rows}
    assert len(rows) == 1 + 24
    assert len(validity(WIDE).pairs) == 26  # without the blind rule the candidate is in


# Filters ----------------------------------------------------------------------------------------------
def test_filters_narrow_the_set(db, hiring, login_as, client):
    hiring.hire("North Assistant", [{"cc": 3, "el": 3}], {"cc": 3, "el": 3})
    hiring.hire("South Assistant", [{"cc": 4, "el": 4}], {"cc": 4, "el": 4}, site="south")
    hiring.hire("North Nurse", [{"cc": 2, "el": 2}], {"cc": 2, "el": 2}, family=RN)
    hiring.hire("Long Ago", [{"cc": 5, "el": 5}], {"cc": 5, "el": 5}, start=TODAY - timedelta(days=1000))

    def names(**filters) -> set[str]:
        return {p.hire.name for p in validity(ValidityFilters(**filters)).pairs}

    everyone = {"North Assistant", "South Assistant", "North Nurse", "Long Ago"}
    assert names(start=TODAY - timedelta(days=3650)) == everyone
    assert names(site_id=hiring.sites["south"].id, start=TODAY - timedelta(days=3650)) == {"South Assistant"}
    assert names(role_family=RN, start=TODAY - timedelta(days=3650)) == {"North Nurse"}
    assert names(start=TODAY - timedelta(days=1100), end=TODAY - timedelta(days=900)) == {"Long Ago"}
    login_as(Role.HR)
    page = text(client.get("/reports/validity"))  # the default period: the last two years
    assert "hired " + (TODAY.replace(year=TODAY.year - 2)).isoformat()[:4] in page
    csv_names = {row[1] for row in csv.reader(io.StringIO(client.get(
        f"/reports/validity.csv?site={hiring.sites['north'].id}&family=medical-assistant").get_data(as_text=True)))}
    assert csv_names == {"Name", "North Assistant"}


@pytest.mark.parametrize(("query", "message"), [
    ("family=astronaut", "Role family: Not a valid choice. That filter was ignored."),
    ("site=99999999999999999999", "Site: Not a valid choice. That filter was ignored."),
    ("hired_from=2026-02-30", "Hired from: Not a valid date value. That filter was ignored."),
    ("hired_to=9999-12-31", "Hired to: Enter a date between"),
    ("hired_from=2026-05-01&hired_to=2026-01-01", "Hired from was after Hired to, so the two were swapped."),
])
def test_filters_that_cannot_be_used_are_ignored_with_a_message(db, hiring, login_as, client, query, message):
    login_as(Role.HR)
    response = client.get(f"/reports/validity?{query}")
    assert response.status_code == 200 and message in text(response)


# The CSV ------------------------------------------------------------------------------------------------
def test_the_csv_has_names_only_for_hr_and_cannot_run_formulas(db, hiring, login_as, client, auth):
    hire = hiring.hire("=HYPERLINK(\"http://x\")", [{"cc": 2, "el": 4}], {"cc": 3, "el": 5})
    hr = login_as(Role.HR)
    rows = list(csv.reader(io.StringIO(client.get("/reports/validity.csv").get_data(as_text=True))))
    assert rows[0] == ["Hire id", "Name", "Value", "Interview score", "90-day rating", "Check-in day", "Rubric",
                       "Site", "Role family", "Hire date"]
    assert rows[1][:6] == [str(hire.id), "'=HYPERLINK(\"http://x\")", "Care Coordination", "2.00", "3", "90"]
    assert rows[2][2:5] == ["Engaged Leadership", "4.00", "5"]
    assert rows[1][6:] == ["MA validity rubric", "North Validity Clinic", "Medical assistant",
                           hire.start_date.isoformat()]
    auth.logout()
    assert hr.role is Role.HR
    login_as(Role.ADMIN)
    response = client.get("/reports/validity.csv")
    body = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store" and "attachment" in response.headers["Content-Disposition"]
    admin_rows = list(csv.reader(io.StringIO(body)))
    assert "Name" not in admin_rows[0] and "HYPERLINK" not in body
    assert admin_rows[1][:2] == [str(hire.id), "Care Coordination"]


# Early warnings -----------------------------------------------------------------------------------------
@pytest.fixture
def development(db, hiring):
    """A development module that builds Care Coordination; none builds Engaged Leadership."""
    track = Track(name="Growing in care coordination", kind=TrackKind.DEVELOPMENT)
    db.session.add(track)
    db.session.flush()
    module = Module(track_id=track.id, position=0, title="Closing the referral loop")
    module.values = [hiring.values["cc"]]
    db.session.add(module)
    db.session.flush()
    return module


def test_early_warnings_flag_a_gap_of_two_or_a_low_rating_with_the_modules_that_build_it(db, hiring, development):
    apart = hiring.hire("Sees It Differently", None, {"cc": 3, "el": 3}, self_ratings={"cc": 5, "el": 4}, day=30)
    low = hiring.hire("Rated Low", None, {"cc": 4, "el": 2}, self_ratings={"cc": 4, "el": 3}, day=30)
    fine = hiring.hire("Doing Fine", None, {"cc": 4, "el": 3}, self_ratings={"cc": 5, "el": 4}, day=30)
    warnings = {w.name: w for w in early_warnings([apart.id, low.id, fine.id], TODAY)}
    assert set(warnings) == {"Sees It Differently", "Rated Low"}
    [gap] = warnings["Sees It Differently"].values
    assert (gap.value, gap.self_score, gap.manager_score, gap.reasons) == ("Care Coordination", 5, 3, ("2 points apart",))
    assert [m.title for m in gap.modules] == ["Closing the referral loop"]
    [rated_low] = warnings["Rated Low"].values
    assert (rated_low.value, rated_low.reasons, rated_low.modules) == ("Engaged Leadership", ("manager rated 2",), ())
    assert warnings["Rated Low"].day == 30


def test_an_early_warning_lasts_until_the_90_day_check_in_is_done(db, hiring):
    hire = hiring.hire("Low Start", None, {"cc": 1, "el": 3}, day=30)
    assert [w.name for w in early_warnings([hire.id], TODAY)] == ["Low Start"]
    hiring.check_in(hire, None, 60, {"cc": 3, "el": 3}, {"cc": 3, "el": 3})
    assert [w.name for w in early_warnings([hire.id], TODAY)] == ["Low Start"]
    hiring.check_in(hire, None, 90, {"cc": 4, "el": 4}, {"cc": 4, "el": 4})
    assert early_warnings([hire.id], TODAY) == []


def test_a_manager_never_sees_another_teams_early_warnings(db, hiring, make_user, auth, client, development):
    other = make_user(Role.MANAGER, name="Olga Othermanager")
    hiring.hire("Mona's Hire", None, {"cc": 1, "el": 3}, day=30)
    hiring.hire("Olga's Hire", None, {"cc": 1, "el": 3}, day=30, manager=other)
    auth.login(hiring.manager)
    page = text(client.get("/team"))
    assert "Early warnings from 30-day check-ins" in page
    assert "Mona's Hire" in page and "Olga's Hire" not in page and "Closing the referral loop" in page
    auth.logout()
    auth.login(other)
    page = text(client.get("/team"))
    assert "Olga's Hire" in page and "Mona's Hire" not in page


def test_hr_sees_every_early_warning_on_the_report(db, hiring, make_user, login_as, client):
    other = make_user(Role.MANAGER, name="Olga Othermanager")
    hiring.hire("Mona's Hire", None, {"cc": 1, "el": 3}, day=30)
    hiring.hire("Olga's Hire", None, {"cc": 3, "el": 3}, self_ratings={"cc": 5, "el": 3}, day=30, manager=other)
    login_as(Role.HR)
    page = text(client.get("/reports"))
    assert "Early warnings from 30-day check-ins" in page and "2 new hires have a value" in page
    assert "Mona's Hire" in page and "Olga's Hire" in page and "2 points apart" in page
    assert "Hiring validity" in page


# A fixed number of statements -----------------------------------------------------------------------------
def _grow(hiring: Hiring, start: int, count: int) -> None:
    for i in range(start, start + count):
        hiring.hire(f"Hire {i:02}", [{"cc": A_CC[i % 12], "el": A_EL[i % 12]}, {"cc": B_CC[i % 12], "el": 3}],
                    {"cc": M_CC[i % 12], "el": M_EL[i % 12]}, self_ratings={"cc": 5, "el": 1})
        hiring.hire(f"New {i:02}", None, {"cc": 1, "el": 3}, self_ratings={"cc": 4, "el": 3}, day=30)


@pytest.mark.parametrize("url", ["/reports/validity", "/reports/validity.csv", "/team", "/reports"])
def test_query_count_does_not_grow_with_the_number_of_hires(db, hiring, development, auth, make_user, client,
                                                            count_queries, url):
    viewer = hiring.manager if url == "/team" else make_user(Role.HR)
    _grow(hiring, 0, 3)
    auth.login(viewer)
    client.get(url)  # warm up
    counts = []
    for start, count in ((3, 0), (3, 30)):
        _grow(hiring, start, count)
        db.session.commit()  # as every request does in production; the commit makes cached parts stale
        cache.clear()
        with count_queries() as statements:
            body = client.get(url).get_data(as_text=True)
        last = start + count - 1
        assert {"/reports/validity": f'fs-4 fw-semibold">{last + 1}</span>', "/reports/validity.csv": f"Hire {last:02}",
                "/team": f"New {last:02}", "/reports": f"New {last:02}"}[url] in body
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25, counts


def test_early_warnings_take_the_same_statements_for_3_or_30_hires(db, hiring, development, count_queries):
    counts = []
    for count in (3, 27):
        _grow(hiring, 100, count)
        ids = select(User.id)
        with count_queries() as statements:
            found = early_warnings(ids, TODAY)
        assert found
        counts.append(len(statements))
    assert counts[0] == counts[1] == 2  # the ratings, then the development modules of the flagged values
