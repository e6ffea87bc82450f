"""Storage tests run on SQLite and on a private PostgreSQL server."""

from __future__ import annotations

import pytest

from storage.db import upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, db_url: str) -> str:
    """A migrated database of each kind (PostgreSQL skipped, with the reason, where absent)."""
    if request.param == "sqlite":
        return db_url
    url = request.getfixturevalue("postgres_url")
    upgrade(url)
    return url
