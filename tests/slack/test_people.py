"""Who is asking (users.info, cached), and people imported by e-mail linked to Slack ids."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.core.replies import Actor
from bot.slack_app.people import SlackPeople, resolve_pending_people
from storage.db import run_in_transaction
from storage.models import Pair, Person
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(30)


def test_actor_has_slack_name_and_time_zone_and_is_cached(fake, client):
    """users.info gives the display name and time zone; a second lookup asks Slack nothing."""
    people = SlackPeople(client)

    async def scenario() -> list[Actor]:
        return [await people.actor("U1"), await people.actor("U1")]

    first, again = asyncio.run(scenario())
    assert first == Actor("slack", "U1", "Ada", "America/New_York")
    assert again == first
    assert len(fake.calls_to("users.info")) == 1


def test_actor_without_users_info_keeps_the_stored_name(fake, client):
    """When users.info fails the actor has only the id (an empty name overwrites nothing)."""
    fake.fail_next("users.info", error="missing_scope")
    assert asyncio.run(SlackPeople(client).actor("U1")) == Actor("slack", "U1")


def test_imported_email_is_linked_to_the_slack_user(core, fake, client, program_id):
    """An e-mail-only person gets the Slack id, name and time zone lookupByEmail finds."""

    def work(session) -> None:
        ada = Person(platform="slack", platform_user_id="U1", display_name="Ada")
        ben = Person(
            platform="slack",
            email="ben@example.org",
            display_name="ben",
            unreachable_reason="not matched to a Slack account yet",
        )
        session.add(
            Pair(
                program_id=program_id,
                platform="slack",
                mentor=ada,
                mentee=ben,
                start_date=dt.date(2026, 11, 17),
            )
        )

    run_in_transaction(core.sessions, work)
    assert asyncio.run(resolve_pending_people(core, client)) == 2  # Ben linked, Ada's zone
    [ben] = rows(core, Person, Person.email == "ben@example.org")
    assert (ben.platform_user_id, ben.display_name, ben.timezone) == (
        "U2",
        "Ben",
        "America/Chicago",
    )
    assert ben.unreachable_reason is None
    [ada] = rows(core, Person, Person.platform_user_id == "U1")
    assert ada.timezone == "America/New_York"


def test_imported_email_of_a_known_member_merges_into_them(core, fake, client, program_id):
    """If the e-mail's Slack user already used the bot, the pair moves to that person."""

    def work(session) -> None:
        ada = Person(platform="slack", platform_user_id="U1", display_name="Ada", timezone="UTC")
        known = Person(
            platform="slack", platform_user_id="U2", display_name="Ben", timezone="America/Chicago"
        )
        imported = Person(platform="slack", email="ben@example.org", display_name="ben")
        session.add_all(
            [
                known,
                Pair(
                    program_id=program_id,
                    platform="slack",
                    mentor=ada,
                    mentee=imported,
                    start_date=dt.date(2026, 11, 17),
                ),
            ]
        )

    run_in_transaction(core.sessions, work)
    assert asyncio.run(resolve_pending_people(core, client)) == 1
    [pair] = rows(core, Pair)
    [ben] = rows(core, Person, Person.platform_user_id == "U2")
    assert pair.mentee_id == ben.id
    assert ben.email == "ben@example.org"
    assert rows(core, Person, Person.platform_user_id.is_(None)) == []


def test_email_unknown_to_slack_stays_pending(core, fake, client, program_id):
    """users_not_found leaves the person as imported, to be tried again later."""

    def work(session) -> None:
        ada = Person(platform="slack", platform_user_id="U1", display_name="Ada", timezone="UTC")
        who = Person(platform="slack", email="nobody@example.org", display_name="nobody")
        session.add(
            Pair(
                program_id=program_id,
                platform="slack",
                mentor=ada,
                mentee=who,
                start_date=dt.date(2026, 11, 17),
            )
        )

    run_in_transaction(core.sessions, work)
    assert asyncio.run(resolve_pending_people(core, client)) == 0
    assert rows(core, Person, Person.email == "nobody@example.org")[0].platform_user_id is None
