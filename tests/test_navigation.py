"""The main menu: each role sees its own links, the current page is marked, and a menu is rendered
once per role, interviewer flag and page, then reused."""

from __future__ import annotations

import re

from app.models import Role


def menu(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index('<ul class="navbar-nav'):html.index('<div class="d-flex align-items-center gap-2 nav-user">')]


def labels(menu_html: str) -> list[str]:
    return re.findall(r'class="nav-link[^"]*"[^>]*>([^<]+)<', menu_html)


def current(menu_html: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)<', menu_html)


def test_each_role_sees_its_own_menu_with_the_current_page_marked(client, make_user, auth, app):
    app.extensions.pop("navigation_menus", None)
    staff, hr = make_user(Role.STAFF), make_user(Role.HR)
    auth.login(staff)
    staff_menu = menu(client.get("/onboarding"))
    assert "My team" not in labels(staff_menu) and "Reports" not in labels(staff_menu)
    assert current(staff_menu) == ["My onboarding"]
    auth.logout()
    auth.login(hr)
    hr_home, hr_reports = menu(client.get("/onboarding")), menu(client.get("/reports"))
    assert {"My team", "Postings", "Reports"} <= set(labels(hr_home))
    assert current(hr_home) == ["My onboarding"] and current(hr_reports) == ["Reports"]


def test_a_menu_is_rendered_once_per_role_and_page(client, make_user, auth, app, monkeypatch):
    from app import navigation

    app.extensions.pop("navigation_menus", None)
    built = []
    original = navigation.navigation
    monkeypatch.setattr(navigation, "navigation", lambda: built.append(1) or original())
    first, second = make_user(Role.MANAGER), make_user(Role.MANAGER)
    auth.login(first)
    one = menu(client.get("/team"))
    auth.logout()
    auth.login(second)
    assert menu(client.get("/team")) == one
    assert len(built) == 1
    client.get("/onboarding")
    assert len(built) == 2  # another page: its own menu
