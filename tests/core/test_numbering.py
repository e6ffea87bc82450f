"""Goal and meeting numbers are given out without races: many members adding at once all get
a number, each once, and every text is stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from storage.db import session_scope, upgrade
from storage.models import Goal, Meeting
from tests.support.bot import Clock, actor, add_pair, add_program, make_core, text_of

ADDS = 100
START = "2026-11-10T15:00:00+00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def numbering_core(request, db_url):
    import datetime as dt

    url = db_url
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        upgrade(url)
    # A hundred commands in one instant: the commands-a-minute limit (tested on its own) is off.
    clock = Clock(dt.datetime.fromisoformat(START))
    core = make_core(url, clock, MENTORBOT_COMMANDS_PER_MINUTE=0)
    add_pair(core, add_program(core))
    return core


def add_at_once(core, command: str, texts: list[str]) -> list[str]:
    """Each text sent as its own command from its own thread, all at the same time; the
    members alternate (Ada and Ben)."""
    members = [actor("ada"), actor("ben")]
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = pool.map(
            lambda item: core.command(members[item[0] % 2], command, item[1]), enumerate(texts)
        )
        return [text_of(reply) for reply in replies]


def test_seventy_goals_added_at_once_are_fifty_numbered_one_to_fifty(numbering_core):
    """A pair holds at most 50 open goals, however many arrive at the same instant: the
    first 50 are numbered 1 to 50, the other 20 refused, each saying why."""
    texts = [f"Goal number {index}" for index in range(70)]
    answers = add_at_once(numbering_core, "goal", [f"add {text}" for text in texts])
    added = [answer for answer in answers if answer.startswith("Added goal")]
    refused = [answer for answer in answers if "already has 50 open goals" in answer]
    assert (len(added), len(refused)) == (50, 20), answers
    with session_scope(numbering_core.sessions) as session:
        stored = session.execute(select(Goal.number, Goal.text)).all()
    assert sorted(number for number, _ in stored) == list(range(1, 51))
    assert {text for _, text in stored} <= set(texts)


def test_a_hundred_meetings_logged_at_once_are_numbered_one_to_a_hundred(numbering_core):
    notes = [f"meeting notes {index}" for index in range(ADDS)]
    answers = add_at_once(numbering_core, "log-meeting", [f"yesterday 5m {n}" for n in notes])
    assert all(answer.startswith("Logged meeting") for answer in answers), answers
    with session_scope(numbering_core.sessions) as session:
        stored = session.execute(select(Meeting.number, Meeting.notes)).all()
    assert sorted(number for number, _ in stored) == list(range(1, ADDS + 1))
    assert sorted(note for _, note in stored) == sorted(notes)


def test_a_deleted_number_is_not_given_again(numbering_core):
    core = numbering_core
    core.command(actor("ada"), "log-meeting", "yesterday 30m first")
    core.command(actor("ada"), "log-meeting", "yesterday 30m second")
    assert "Deleted meeting **2**" in text_of(core.command(actor("ada"), "log-meeting", "delete 2"))
    assert "Logged meeting **3**" in text_of(
        core.command(actor("ada"), "log-meeting", "today third")
    )


def test_a_newcomer_typing_twice_at_once_is_one_person(numbering_core):
    """First commands from the same new person at the same instant all get an answer, and
    make one person."""
    from storage.models import Person

    newcomer = actor("zed")
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: core_help(numbering_core, newcomer), range(8)))
    assert all("/goal" in reply for reply in replies)
    with session_scope(numbering_core.sessions) as session:
        assert (
            len(session.scalars(select(Person).where(Person.platform_user_id == "zed")).all()) == 1
        )


def core_help(core, who) -> str:
    return text_of(core.command(who, "goal", "help"))
