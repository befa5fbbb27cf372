"""The main navigation: what each person sees, in one table instead of template conditions."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.models import Role

ALL = None
LEADERS = (Role.MANAGER, Role.HR, Role.ADMIN)
STAFF_OFFICE = (Role.HR, Role.ADMIN)
INTERVIEWERS = "interviewers"


@dataclass
class Link:
    label: str
    endpoint: str
    who: object = ALL  # ALL, a tuple of roles, or INTERVIEWERS
    active: tuple[str, ...] = ()  # endpoint prefixes that mark this link as the current page

    def visible(self) -> bool:
        if self.endpoint not in current_app.view_functions:
            return False
        if self.who is ALL:
            return True
        if self.who == INTERVIEWERS:
            return bool(current_user.is_interviewer)
        return current_user.role in self.who

    @property
    def url(self) -> str:
        return url_for(self.endpoint)

    @property
    def current(self) -> bool:
        endpoint = request.endpoint or ""
        return endpoint == self.endpoint or endpoint.startswith(self.active)


@dataclass
class Group:
    label: str
    links: list[Link] = field(default_factory=list)

    def visible_links(self) -> list[Link]:
        return [link for link in self.links if link.visible()]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.visible_links())


NAVIGATION: list[Link | Group] = [
    Link("Home", "main.home", active=("main.",)),
    Link("My onboarding", "onboarding.my_onboarding",
         active=("onboarding.my_onboarding", "onboarding.module", "onboarding.transcript", "onboarding.preferences")),
    Link("My interviews", "hiring.my_interviews", INTERVIEWERS, active=("hiring.my_interviews", "hiring.interview")),
    Link("My team", "team.index", LEADERS, active=("team.",)),
    Link("Sign-offs", "onboarding.sign_offs", LEADERS),
    Group("Hiring", [
        Link("Postings", "hiring.postings", STAFF_OFFICE,
             active=("hiring.posting", "hiring.new_posting", "hiring.pipeline", "hiring.candidate", "hiring.compare",
                     "hiring.hire", "hiring.interviews", "hiring.archive_posting")),
        Link("Question bank", "hiring.questions", STAFF_OFFICE,
             active=("hiring.question", "hiring.new_question", "hiring.archive_question")),
        Link("Rubrics", "hiring.rubrics", STAFF_OFFICE, active=("hiring.rubric", "hiring.new_rubric")),
        Link("Candidate letters", "hiring.message_templates", STAFF_OFFICE, active=("hiring.message_template",)),
        Link("Careers page", "careers.index", STAFF_OFFICE),
    ]),
    Group("Training", [
        Link("Tracks", "onboarding.tracks", STAFF_OFFICE,
             active=("onboarding.track", "onboarding.new_track", "onboarding.archive_track", "onboarding.new_module",
                     "onboarding.edit_module", "onboarding.archive_module", "onboarding.unassign")),
        Link("Check-in schedule", "onboarding.check_in_schedule", STAFF_OFFICE),
        Link("Reports", "reports.index", STAFF_OFFICE, active=("reports.",)),
        Link("Import staff", "admin.import_staff", STAFF_OFFICE, active=("admin.import", "admin.confirm_import")),
        Link("Re-credentialing", "credentials.recredentialing", STAFF_OFFICE),
        Link("Credential types", "credentials.types", STAFF_OFFICE,
             active=("credentials.types", "credentials.new_type", "credentials.edit_type",
                     "credentials.archive_type_page")),
    ]),
    Link("PCMH values", "content.index", active=("content.",)),
    Group("Admin", [
        Link("Users", "admin.users", (Role.ADMIN,), active=("admin.user", "admin.invite", "admin.deactivate")),
        Link("Sites", "admin.sites", (Role.ADMIN,), active=("admin.site", "admin.archive_site")),
        Link("Audit log", "admin.audit", (Role.ADMIN,)),
        Link("API tokens", "admin.api_tokens", (Role.ADMIN,), active=("admin.api_token", "admin.new_api_token",
                                                                      "admin.revoke_api_token")),
        Link("Webhooks", "webhooks.index", (Role.ADMIN,), active=("webhooks.",)),
    ]),
]


def navigation() -> list[Link | Group]:
    """The entries the signed-in user may see; groups with one link collapse to that link."""
    entries: list[Link | Group] = []
    for entry in NAVIGATION:
        if isinstance(entry, Group):
            links = entry.visible_links()
            if len(links) > 1:
                entries.append(Group(entry.label, links))
            elif links:
                entries.append(links[0])
        elif entry.visible():
            entries.append(entry)
    return entries


MENUS_KEPT = 2048  # menus kept per app before the store starts over (roles x interviewer x pages in use)


def navigation_menu() -> Markup:
    """The main menu's HTML for the signed-in user on this page (templates/_nav_menu.html). It depends
    only on the user's role and interviewer flag, the page's endpoint and the app's URL rules, so each
    combination is rendered once per process and kept."""
    menus: dict = current_app.extensions.setdefault("navigation_menus", {})
    key = (current_user.role, bool(current_user.is_interviewer), request.endpoint, request.script_root)
    menu = menus.get(key)
    if menu is None:
        if len(menus) >= MENUS_KEPT:
            menus.clear()
        menu = menus[key] = Markup(render_template("_nav_menu.html", entries=navigation()))
    return menu
