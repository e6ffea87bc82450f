"""Coordinator rights cannot be borrowed on Discord: the coordinator role named in the settings
counts by name only in DISCORD_GUILD_ID; a role of the same name in anyone else's server (or
anywhere, when no server is set) grants nothing. A role id is unique to its server, so it
counts wherever it is held. Written as the attack: Robin holds a role called "Coordinators"
and asks for the summary of every pair."""

from __future__ import annotations

import pytest

from bot.app import build_core
from bot.settings import Settings
from tests.discord.harness import (
    COORDINATOR_ROLE,
    LOBBY,
    ROBIN,
    STEP,
    add_discord_pair,
    add_program,
    make_bot,
    running,
    scenario,
)


def summary_for_robin(fake, settings_values, clock, **changes):
    values = {**settings_values, **changes}
    values = {key: value for key, value in values.items() if value is not None}
    core = build_core(Settings(**values), clock)
    add_discord_pair(core, add_program(core))

    async def body():
        async with running(make_bot(core), fake):
            return await fake.interact(fake.slash("mentoring-summary", ROBIN, LOBBY), STEP)

    return scenario(body())


def test_with_no_server_set_a_role_called_coordinators_gets_no_summary(
    fake, settings_values, clock
):
    """The bot's commands are then global: anyone who adds it to a server of their own and
    makes a role of that name would otherwise read every pair's summary."""
    answer = summary_for_robin(fake, settings_values, clock, DISCORD_GUILD_ID=None)
    assert "for program coordinators" in (answer.content or "")
    assert "Mentoring summary" not in (answer.content or "")
    assert answer.files == []


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="by name in DISCORD_GUILD_ID"),
        pytest.param(
            {
                "DISCORD_GUILD_ID": None,
                "MENTORBOT_DISCORD_COORDINATOR_ROLE": str(COORDINATOR_ROLE),
            },
            id="by id, with no server set",
        ),
    ],
)
def test_the_role_in_the_programs_server_or_by_id_is_a_coordinator(
    fake, settings_values, clock, changes
):
    """(With DISCORD_GUILD_ID set the commands exist in that server only, so Discord sends no
    other server's interactions at all.)"""
    answer = summary_for_robin(fake, settings_values, clock, **changes)
    assert "**Mentoring summary**" in (answer.content or "")
