"""The private PostgreSQL fixtures: a real server, and one isolated database per test."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres


def _scalar(url: str, query: str) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def test_url_connects_to_a_real_postgresql_server(postgres_url):
    url = make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "127.0.0.1"
    assert "PostgreSQL" in str(_scalar(postgres_url, "SELECT version()"))
    assert _scalar(postgres_url, "SELECT current_database()") == url.database


def test_each_test_gets_its_own_empty_database(postgres_server: PostgresServer, postgres_url):
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE leftover (id integer PRIMARY KEY)"))
            conn.execute(text("INSERT INTO leftover VALUES (1)"))
    finally:
        engine.dispose()

    # A second database made the way the fixture makes one must not see that table.
    other = "t_isolation_probe"
    postgres_server.create_database(other)
    try:
        other_url = postgres_server.url(other)
        assert _scalar(other_url, "SELECT current_database()") == other
        assert _scalar(other_url, "SELECT to_regclass('public.leftover') IS NULL") is True
    finally:
        postgres_server.drop_database(other)
    assert _scalar(postgres_url, "SELECT count(*) FROM leftover") == 1


_seen_databases: list[str] = []


@pytest.mark.parametrize("round_", [1, 2])
def test_databases_differ_between_tests_and_start_empty(postgres_url, round_):
    name = _scalar(postgres_url, "SELECT current_database()")
    assert name not in _seen_databases
    _seen_databases.append(str(name))
    tables = _scalar(
        postgres_url,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    assert tables == 0


def test_dropped_database_is_gone_after_teardown(postgres_server: PostgresServer):
    name = "t_drop_probe"
    postgres_server.create_database(name)
    postgres_server.drop_database(name)
    exists = _scalar(
        postgres_server.url("postgres"),
        f"SELECT count(*) FROM pg_database WHERE datname = '{name}'",
    )
    assert exists == 0
