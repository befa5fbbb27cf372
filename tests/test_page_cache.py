"""Cached page parts: the data token changes with every committed write and with nothing else, a
part is built once per token and viewer, and the team and report pages show a change at once."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text, update

from app import mail, page_cache
from app.extensions import cache
from app.models import AuditEvent, Role, Site, User
from tests.conftest import PASSWORD

ALL_AREAS = page_cache.AREAS


def token(db) -> str:
    return page_cache.current_token(db.session)


@pytest.fixture
def committed(db):
    """Start from a committed state: the test's earlier flushes are written and the token is fresh."""
    db.session.commit()
    cache.clear()
    return db


# The token --------------------------------------------------------------------------------------
@pytest.mark.parametrize("write", [
    pytest.param(lambda s: s.add(Site(name="East Clinic")), id="orm-flush"),
    pytest.param(lambda s: s.execute(update(Site).values(name="Renamed")), id="orm-bulk-update"),
    pytest.param(lambda s: s.connection().execute(insert(Site.__table__).values(name="Core Clinic")),
                 id="core-insert"),
    pytest.param(lambda s: s.execute(text("UPDATE site SET name = 'By hand'")), id="textual-sql"),
])
def test_every_kind_of_committed_write_gives_a_new_token(committed, make_user, write):
    make_user(Role.HR)
    committed.session.commit()
    before = token(committed)
    write(committed.session)
    committed.session.commit()
    assert token(committed) not in ("", before)


def test_reads_keep_the_token(committed, make_user):
    make_user(Role.HR)
    committed.session.commit()
    before = token(committed)
    committed.session.scalars(select(User)).all()
    committed.session.commit()
    assert token(committed) == before


def test_signing_in_and_sending_mail_keep_the_token(committed, make_user, client):
    """They write only the audit log and the outbox, which no cached part shows."""
    user = make_user(Role.HR)
    committed.session.commit()
    before = token(committed)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    mail.queue(kind="test", dedupe_key="token-test", recipient=user.email, subject="Hi", body="Body")
    committed.session.commit()
    assert mail.deliver_due() == (1, 0)
    assert token(committed) == before
    committed.session.add(AuditEvent(action="test.note", entity_type="site", note="only the audit log"))
    committed.session.commit()
    assert token(committed) == before


def test_a_rolled_back_transaction_forgets_its_writes(db):
    with db.engine.connect() as connection:
        connection.begin()
        connection.info[page_cache.WROTE] = True
        connection.rollback()
        assert page_cache.WROTE not in connection.info


def test_the_tokens_are_read_once_per_transaction(committed, make_user, count_queries):
    with count_queries() as statements:
        first = page_cache.current_tokens(committed.session)
        assert page_cache.current_tokens(committed.session) == first
    assert sum("data_version" in statement for statement in statements) == 1
    committed.session.add(Site(name="North Clinic"))
    committed.session.commit()  # renews the people token: the next transaction reads them again
    with count_queries() as statements:
        after = page_cache.current_tokens(committed.session)
    assert sum("data_version" in statement for statement in statements) == 1
    assert after[page_cache.PEOPLE] != first[page_cache.PEOPLE]
    assert after[page_cache.TRAINING] == first[page_cache.TRAINING]


# Caching ----------------------------------------------------------------------------------------
def test_a_part_is_built_once_per_token_and_key(committed, app, make_user):
    make_user(Role.HR)
    committed.session.commit()
    built = []

    def build(label):
        built.append(label)
        return f"<p>{label}</p>"

    with app.test_request_context():
        assert page_cache.cached("demo", ("a",), lambda: build("a"), areas=ALL_AREAS) == "<p>a</p>"
        assert page_cache.cached("demo", ("a",), lambda: build("again"), areas=ALL_AREAS) == "<p>a</p>"
        assert page_cache.cached("demo", ("b",), lambda: build("b"), areas=ALL_AREAS) == "<p>b</p>"
        committed.session.add(Site(name="West Clinic"))
        committed.session.commit()
        assert page_cache.cached("demo", ("a",), lambda: build("after"), areas=ALL_AREAS) == "<p>after</p>"
    assert built == ["a", "b", "after"]


def test_parts_served_from_the_cache_and_built_are_counted_for_the_bench(committed, app, make_user):
    make_user(Role.HR)
    committed.session.commit()
    app.config["PAGE_CACHE_COUNT_SEEN"] = True
    before = dict(page_cache.SEEN)
    try:
        with app.test_request_context():
            page_cache.cached("counted", (), lambda: "first", areas=ALL_AREAS)
            page_cache.cached("counted", (), lambda: "again", areas=ALL_AREAS)
            page_cache.cached("counted", (), lambda: "again", areas=ALL_AREAS)
    finally:
        app.config["PAGE_CACHE_COUNT_SEEN"] = False
    assert page_cache.SEEN["built"] - before.get("built", 0) == 1
    assert page_cache.SEEN["hit"] - before.get("hit", 0) == 2


def test_outside_the_bench_serving_a_part_counts_nothing(committed, app, make_user, monkeypatch):
    """Production takes no process-wide lock per part: counting is off unless the bench turns it on."""
    make_user(Role.HR)
    committed.session.commit()
    assert app.config["PAGE_CACHE_COUNT_SEEN"] is False
    monkeypatch.setattr(page_cache, "_seen", lambda outcome, name: pytest.fail(f"counted a {outcome} part"))
    before = dict(page_cache.SEEN)
    with app.test_request_context():
        assert page_cache.cached("uncounted", (), lambda: "first", areas=ALL_AREAS) == "first"
        assert page_cache.cached("uncounted", (), lambda: "again", areas=ALL_AREAS) == "first"
    assert dict(page_cache.SEEN) == before


@pytest.mark.parametrize(("value", "counting"), [("1", True), ("", False), ("0", False)])
def test_only_the_bench_environment_turns_counting_on(monkeypatch, value, counting):
    from config import TestingConfig

    monkeypatch.setenv("BENCH_COUNT_SEEN", value)
    assert TestingConfig().PAGE_CACHE_COUNT_SEEN is counting


def test_a_transaction_that_wrote_gets_a_fresh_part_and_caches_nothing(committed, app, make_user):
    make_user(Role.HR)
    committed.session.commit()
    with app.test_request_context():
        assert page_cache.cached("demo", (), lambda: "first", areas=ALL_AREAS) == "first"
        committed.session.add(Site(name="Unsaved Clinic"))  # not yet flushed
        assert page_cache.cached("demo", (), lambda: "own change", areas=ALL_AREAS) == "own change"
        committed.session.flush()
        assert page_cache.cached("demo", (), lambda: "own change, flushed", areas=ALL_AREAS) == "own change, flushed"


def test_a_part_with_a_csrf_token_is_refused_rather_than_shared(committed, app, make_user):
    make_user(Role.HR)
    committed.session.commit()
    with app.test_request_context(), pytest.raises(RuntimeError, match="holds a CSRF token"):
        page_cache.cached("demo", (), lambda: '<input type="hidden" name="csrf_token" value="abc">', areas=ALL_AREAS)


def test_null_cache_builds_every_time(app, committed, make_user):
    make_user(Role.HR)
    committed.session.commit()
    app.config.update(CACHE_TYPE="NullCache")
    cache.init_app(app)
    try:
        with app.test_request_context():
            assert page_cache.cached("demo", (), lambda: "one", areas=ALL_AREAS) == "one"
            assert page_cache.cached("demo", (), lambda: "two", areas=ALL_AREAS) == "two"
    finally:
        app.config["CACHE_TYPE"] = "SimpleCache"
        cache.init_app(app)


def test_rebuilding_the_summaries_gives_a_new_token(committed, make_user, runner):
    """The README's advice after data was changed behind the app's back."""
    make_user(Role.HR)
    committed.session.commit()
    before = token(committed)
    result = runner.invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert token(committed) not in ("", before)
