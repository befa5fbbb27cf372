"""The data token by area (app.page_cache): a write renews only the areas of the tables it wrote, and
no cached part is ever served stale: every table a part reads lies in its areas, and a write to any
of them makes the part build again, while writes elsewhere leave it cached."""

from __future__ import annotations

import pytest
from sqlalchemy import false, text, update

from app import page_cache
from app.extensions import cache
from app.models import Base, Role
from tests.conftest import PASSWORD

PAGES = {"team": "/team", "team-warnings": "/team", "report": "/reports", "validity": "/reports/validity",
         "compliance": "/reports/compliance"}


def tokens(db) -> dict[str, str]:
    return page_cache.current_tokens(db.session)


def write_to(db, table_name: str) -> None:
    """A real UPDATE statement on the table (of no row), committed: the app notices it like any write."""
    db.session.execute(_no_row_update(table_name))
    db.session.commit()


def _no_row_update(table_name: str):
    table = Base.metadata.tables[table_name]
    key = next(iter(table.primary_key.columns))
    return update(table).values({key: key}).where(false())


@pytest.fixture
def counting(app):
    app.config["PAGE_CACHE_COUNT_SEEN"] = True
    yield page_cache.SEEN
    app.config["PAGE_CACHE_COUNT_SEEN"] = False


def test_every_table_belongs_to_an_area_or_is_never_shown():
    """A new table needs a row in TABLE_AREAS (until then a write to it renews every area)."""
    missing = set(Base.metadata.tables) - set(page_cache.TABLE_AREAS) - page_cache.NOT_SHOWN
    assert not missing, f"add these tables to app.page_cache.TABLE_AREAS: {sorted(missing)}"
    assert set(page_cache.TABLE_AREAS.values()) <= set(page_cache.AREAS)


@pytest.mark.parametrize("table_name", sorted(page_cache.TABLE_AREAS))
def test_a_write_renews_the_token_of_its_tables_area_only(db, table_name):
    db.session.commit()
    write_to(db, "site")  # every area has a row from here on
    page_cache.mark_changed(db.session)
    db.session.commit()
    before = tokens(db)
    write_to(db, table_name)
    after = tokens(db)
    assert {area for area in page_cache.AREAS if after[area] != before[area]} == {page_cache.TABLE_AREAS[table_name]}


@pytest.mark.parametrize("statement", ["UPDATE site SET name = name WHERE 1 = 0", "CREATE TABLE scratch_note (id INTEGER)"])
def test_a_write_the_app_cannot_place_renews_every_area(db, statement):
    db.session.commit()
    page_cache.mark_changed(db.session)
    db.session.commit()
    before = tokens(db)
    db.session.execute(text(statement))
    db.session.commit()
    after = tokens(db)
    assert all(after[area] != before[area] for area in page_cache.AREAS)
    if statement.startswith("CREATE"):
        db.session.execute(text("DROP TABLE scratch_note"))
        db.session.commit()


def test_writes_to_the_audit_log_and_outbox_renew_nothing(db):
    db.session.commit()
    page_cache.mark_changed(db.session)
    db.session.commit()
    before = tokens(db)
    write_to(db, "audit_event")
    write_to(db, "outbox_message")
    assert tokens(db) == before


def test_one_commit_renews_its_areas_in_one_statement_in_a_fixed_order(db):
    db.session.commit()
    db.session.execute(_no_row_update("progress"))
    db.session.execute(_no_row_update("user"))
    assert page_cache.areas_of(db.session.connection().info[page_cache.WROTE]) == (page_cache.PEOPLE,
                                                                                   page_cache.TRAINING)
    db.session.commit()


def _clients(app, org):
    hr, manager = app.test_client(), app.test_client()
    for client, user in ((hr, org.hr), (manager, org.people["mona"])):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return {"team": manager, "team-warnings": manager, "report": hr, "validity": hr, "compliance": hr}


@pytest.fixture
def hr_and_manager(app, org, make_user, db):
    org.hr = make_user(Role.HR, email="hr-areas@example.org")
    db.session.commit()
    cache.clear()
    return _clients(app, org)


def _built(seen, clients, part) -> bool:
    before = seen[part, "built"]
    assert clients[part].get(PAGES[part]).status_code == 200
    return seen[part, "built"] > before


def test_every_cached_part_is_built_again_after_a_write_to_any_table_it_reads(db, hr_and_manager, counting):
    clients = hr_and_manager
    for part in PAGES:
        _built(counting, clients, part)  # fills the cache and notes the tables read
        read = page_cache.LAST_READ[part]
        assert {"user"} <= read and len(read) >= 3, (part, read)
        assert not _built(counting, clients, part), f"{part} was not served from the cache"
        for table_name in sorted(read):
            write_to(db, table_name)
            assert _built(counting, clients, part), f"{part} was served stale after a write to {table_name}"
            assert not _built(counting, clients, part), part


def _visit(seen, clients) -> set[str]:
    """GET each page once; the parts built doing so."""
    before = {part: seen[part, "built"] for part in PAGES}
    for page, client in {PAGES[part]: clients[part] for part in PAGES}.items():
        assert client.get(page).status_code == 200
    return {part for part in PAGES if seen[part, "built"] > before[part]}


@pytest.mark.parametrize(("table_name", "rebuilt"), [
    ("employee_credential", {"team", "report", "compliance"}),
    ("scorecard", {"report", "validity"}),
    ("progress", {"team", "team-warnings", "report", "compliance"}),
    ("check_in_rating", set(PAGES) - {"compliance"}),
])
def test_a_write_elsewhere_leaves_a_part_cached(db, hr_and_manager, counting, table_name, rebuilt):
    """A completion no longer rebuilds the validity report, nor a scorecard the team page or the compliance view."""
    clients = hr_and_manager
    assert _visit(counting, clients) == set(PAGES)
    assert _visit(counting, clients) == set()
    write_to(db, table_name)
    assert _visit(counting, clients) == rebuilt
    assert _visit(counting, clients) == set()


def test_a_part_reading_a_table_outside_its_areas_is_refused(app, db):
    from sqlalchemy import select

    from app.models import Scorecard

    db.session.commit()
    with app.test_request_context(), pytest.raises(RuntimeError, match=r"reads \['scorecard'\] outside its areas"):
        page_cache.cached("sneaky", (), lambda: db.session.scalars(select(Scorecard.id)).all(),
                          areas=(page_cache.PEOPLE,))
