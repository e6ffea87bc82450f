"""At most 30 commands a minute per member, counted in the database so every process shares
the count: the 31st is refused with what was typed, the next minute is fresh, the partner has
their own count, and the limit holds however the commands arrive."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from storage.db import session_scope, upgrade
from storage.models import CommandCount, Goal
from tests.support.bot import actor, add_pair, add_program, make_core, text_of

ADA, BEN = actor("ada"), actor("ben")
REFUSED = "more than 30 commands in a minute"


def test_the_thirty_first_command_in_a_minute_waits_for_the_next(core, pair_id, clock):
    for number in range(1, 31):
        assert "Added goal" in text_of(core.command(ADA, "goal", f"add Goal {number}"))
    refused = core.command(ADA, "goal", "add Goal 31")
    assert REFUSED in text_of(refused)
    assert refused.message.typed == "/goal add Goal 31"
    assert "Added goal" in text_of(core.command(BEN, "goal", "add Ben's own count"))
    clock.advance(minutes=1)
    assert "Added goal" in text_of(core.command(ADA, "goal", "add Goal 31"))
    with session_scope(core.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Goal)) == 32
        # the old minute's count is gone: one row per member who typed this minute or last
        assert session.scalar(select(func.count()).select_from(CommandCount)) == 2


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_forty_commands_at_once_are_thirty_done_and_ten_refused(request, db_url, clock, database):
    url = db_url
    if database == "postgresql":
        url = request.getfixturevalue("postgres_url")
        upgrade(url)
    core = make_core(url, clock)
    add_pair(core, add_program(core))
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: text_of(core.command(ADA, "goal", "list")), range(40)))
    assert sum(REFUSED in answer for answer in answers) == 10


def test_a_refused_command_counts_too(core, pair_id):
    """Typing garbage fast is no way around the limit."""
    for _ in range(30):
        assert "is not a /goal command" in text_of(core.command(ADA, "goal", "frobnicate"))
    assert REFUSED in text_of(core.command(ADA, "goal", "list"))
