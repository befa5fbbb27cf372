"""Report figures on a small known organization: completion, overdue, new hires, hiring, evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import PostingStatus, Stage
from app.reports import services
from app.reports.evidence import evidence
from app.reports.services import ReportFilters, parse_filters
from tests.reports.conftest import TODAY, days


def figures(shares) -> dict:
    return {share.label: (share.done, share.assigned, share.overdue) for share in shares}


def test_completion_counts_done_over_assigned_by_site_department_and_role_family(org):
    result = services.completion(ReportFilters(), today=TODAY)
    # Ina is deactivated and left out; waived counts as done.
    assert (result.total.done, result.total.assigned, result.total.overdue) == (6, 12, 3)
    assert figures(result.by_site) == {"North Clinic": (4, 6, 1), "South Clinic": (2, 6, 2)}
    assert figures(result.by_department) == {"Adult medicine": (4, 6, 1), "Care management": (2, 6, 2)}
    assert figures(result.by_role_family) == {"Medical assistant": (4, 6, 1),
                                              "Registered nurse / care manager": (2, 6, 2)}
    assert round(result.by_site[0].percent, 1) == 66.7
    assert result.by_site[1].percent_text == "33%"


def test_completion_by_value_puts_the_least_built_value_first(org):
    shares = services.completion(ReportFilters(), today=TODAY).by_value
    assert [(s.label, s.done, s.assigned) for s in shares] == [
        ("Empanelment", 0, 0),  # no module builds it
        ("Care Coordination", 3, 8),  # modules 1 and 2
        ("Engaged Leadership", 4, 8),  # modules 2 and 3
    ]
    assert [s.percent_text for s in shares] == ["—", "38%", "50%"]


def test_filters_pick_a_site_and_a_start_date_range(org):
    south = services.completion(ReportFilters(site_id=org.sites["south"].id), today=TODAY)
    assert figures(south.by_site) == {"South Clinic": (2, 6, 2)}
    recent = services.completion(ReportFilters(start=days(-100), end=TODAY), today=TODAY)
    assert figures(recent.by_role_family) == {"Medical assistant": (1, 3, 1), "Registered nurse / care manager": (1, 3, 0)}
    assert services.completion(ReportFilters(end=days(-1000)), today=TODAY).total.assigned == 0


def test_overdue_list_has_the_most_overdue_first_and_counts_everyone_behind(org):
    result = services.overdue_people(ReportFilters(), today=TODAY)
    assert [(row.name, row.overdue, row.oldest_due) for row in result.rows] == [
        ("Dee Diaz", 2, days(-100)), ("Ben Brooks", 1, days(-3))]
    assert result.people == 2
    assert (result.rows[0].site, result.rows[0].manager) == ("South Clinic", "Mona Manager")
    limited = services.overdue_people(ReportFilters(), today=TODAY, limit=1)
    assert ([row.name for row in limited.rows], limited.people) == (["Dee Diaz"], 2)


def test_new_hires_in_their_first_90_days_show_whether_they_are_on_track(org):
    result = services.new_hires(ReportFilters(), today=TODAY)
    assert [(h.name, h.on_track, h.overdue, h.done, h.assigned, h.day) for h in result.rows] == [
        ("Ben Brooks", False, 1, 1, 3, 31), ("Cal Chen", True, 0, 1, 3, 11)]
    assert (result.people, result.on_track, result.behind) == (2, 1, 1)
    assert services.new_hires(ReportFilters(site_id=org.sites["north"].id), today=TODAY).people == 1


def test_hiring_figures_per_posting_count_stages_time_to_fill_and_current_scores(org):
    result = services.hiring(ReportFilters())
    assert [p.title for p in result.postings] == ["Medical assistant, North", "Nurse, South"]  # no drafts
    north, old = result.postings
    assert north.status is PostingStatus.OPEN
    assert {stage: n for stage, n in north.stages.items() if n} == {
        Stage.APPLIED: 1, Stage.INTERVIEW: 1, Stage.REJECTED: 1, Stage.HIRED: 2}
    assert north.applications == 5
    assert north.days_to_fill == 12  # the first move to hired, 12 days after opening
    assert old.days_to_fill is None and old.applications == 0
    # Mona's and Ann's second revision count; Ann's superseded revision and Ben's draft do not.
    assert [(v.name, v.mean, v.counts) for v in north.values] == [
        ("Care Coordination", 3.0, {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}),
        ("Engaged Leadership", 4.0, {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}),
    ]
    assert result.stages[Stage.HIRED] == 2 and result.mean_days_to_fill == 12


def test_hiring_filters_by_posting_site_and_opening_date(org):
    assert [p.title for p in services.hiring(ReportFilters(site_id=org.sites["south"].id)).postings] == ["Nurse, South"]
    assert [p.title for p in services.hiring(ReportFilters(start=days(-100))).postings] == ["Medical assistant, North"]
    assert services.hiring(ReportFilters(end=days(-500))).postings == []


def test_evidence_shares_are_of_active_staff_completing_in_the_period(org):
    year = evidence(ReportFilters(start=days(-364), end=TODAY))
    by_name = {value.name: value for value in year.values}
    assert list(by_name) == ["Care Coordination", "Engaged Leadership", "Empanelment"]  # catalog order
    assert year.staff == 5  # Mona, Ann, Ben, Cal, Dee
    cc, el, emp = by_name["Care Coordination"], by_name["Engaged Leadership"], by_name["Empanelment"]
    assert (cc.completed, el.completed, emp.completed) == (2, 2, 0)  # Ann and Ben; Ann and Cal
    assert cc.percent == pytest.approx(40.0)
    assert [(m.title, m.completed, m.assigned) for m in cc.modules] == [("Module 1", 2, 4), ("Module 2", 1, 4)]
    assert (cc.first.date(), cc.last.date()) == (days(-150), days(-20))
    month = {v.name: v.completed for v in evidence(ReportFilters(start=days(-29), end=TODAY)).values}
    assert month == {"Care Coordination": 1, "Engaged Leadership": 1, "Empanelment": 0}


def test_evidence_site_filter_narrows_staff_and_posting_rubrics(org):
    north = evidence(ReportFilters(site_id=org.sites["north"].id, start=days(-364), end=TODAY))
    cc, el, _ = north.values
    assert north.staff == 2 and (cc.completed, el.completed) == (2, 1)
    assert (cc.percent, el.percent) == (100.0, 50.0)
    south = evidence(ReportFilters(site_id=org.sites["south"].id))
    assert [(r.name, r.postings) for r in south.values[0].rubrics] == [("MA template", ["Nurse, South"])]


def test_evidence_lists_rubrics_questions_and_source_labels(org):
    result = evidence(ReportFilters())
    cc, el, emp = result.values
    assert [(r.name, r.template, r.postings) for r in cc.rubrics] == [
        ("MA template", True, ["Nurse, South"]), ("MA rubric", False, ["Medical assistant, North"])]  # not the draft
    assert [(r.name, r.template) for r in el.rubrics] == [("MA rubric", False)]
    assert (len(cc.questions), cc.kit_uses, len(el.questions), el.kit_uses) == (2, 1, 1, 0)
    assert emp.modules == [] and emp.rubrics == []
    assert cc.modules[0].sources == ["ncqa-tc-02"]
    assert result.short("ncqa-tc-02") == "NCQA TC 02"
    assert result.label("ncqa-tc-02").startswith("NCQA TC 02: hiring")
    assert result.label("unknown-key") == "unknown-key"


def test_parse_filters_reads_site_and_dates_and_explains_bad_input():
    good = parse_filters({"site": "3", "from": "2025-01-01", "to": "2025-03-31"})
    assert (good.site_id, good.start.isoformat(), good.end.isoformat(), good.problems) == (
        3, "2025-01-01", "2025-03-31", ())
    assert good.args() == {"site": "3", "from": "2025-01-01", "to": "2025-03-31"}
    swapped = parse_filters({"from": "2025-03-31", "to": "2025-01-01"})
    assert (swapped.start.isoformat(), swapped.end.isoformat()) == ("2025-01-01", "2025-03-31")
    assert "swapped" in swapped.problems[0]
    bad = parse_filters({"site": "north", "from": "31/01/2025"})
    assert (bad.site_id, bad.start) == (None, None) and len(bad.problems) == 2
    default = parse_filters({}, default_days=365, today=TODAY)
    assert (default.start, default.end) == (TODAY - timedelta(days=364), TODAY)
