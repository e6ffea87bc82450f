"""The world a soak runs in: a Slack workspace whose members chat, and a migrated database
holding one program and its Slack pairs, every one owed its welcome at the same moment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from bench.fixtures import add_pairs, add_program
from storage.db import make_engine, make_session_factory, session_scope, upgrade
from tests.fakes.slack_api import FakeSlack

START = dt.date(2026, 11, 17)  # a Tuesday: the program's first day and every pair's
WELCOME = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York, the welcome
PROGRAM_ZONE = "America/New_York"
TABLES_WITH_IDS = ("programs", "cohorts", "people", "pairs")


def member_ids(pair: int) -> tuple[str, str]:
    """The Slack user ids of pair ``pair``'s mentor and mentee (as ``bench.fixtures`` makes)."""
    return f"U{2 * pair - 1:07d}", f"U{2 * pair:07d}"


def chat(slack: FakeSlack, channel: str, count: int) -> int:
    """The conversation's members post ``count`` messages, taking turns; how many went in."""
    members = slack.conversation_users(channel)
    for number in range(count if members else 0):
        member = members[number % len(members)]
        slack.member_says(channel, member, f"chat {number + 1}: shall we meet on Thursday?")
    return count if members else 0


def populate(url: str, pairs: int, slack: FakeSlack, *, opened_ahead: bool = False) -> None:
    """Make every member a user of ``slack``, migrate ``url`` and add the program and its
    ``pairs`` Slack pairs, all starting on ``START``: with no conversation yet, or, when
    ``opened_ahead``, with their group DM opened and stored already (as a tick before the
    start day does), so the welcome round needs no ``conversations.open``."""
    conversations: dict[int, str] = {}
    for pair in range(1, pairs + 1):
        mentor, mentee = member_ids(pair)
        slack.add_user(mentor, name=f"mentor{pair}", real_name=f"Mentor {pair}", tz=PROGRAM_ZONE)
        slack.add_user(mentee, name=f"mentee{pair}", real_name=f"Mentee {pair}", tz=PROGRAM_ZONE)
        if opened_ahead:
            conversations[pair] = slack.open_conversation(mentor, mentee)
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            add_program(
                session, start=START, end=START + dt.timedelta(days=364), timezone=PROGRAM_ZONE
            )
            add_pairs(
                session,
                pairs,
                start=lambda i: START,
                conversation=conversations.get,
                platform="slack",
            )
            if engine.dialect.name == "postgresql":
                # Rows went in with their ids; move the sequences past them, as a real import would.
                for table in TABLES_WITH_IDS:
                    session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
    finally:
        engine.dispose()
