"""The application (slash) commands: Discord's options turned into the core's command text.

The grammar is the core's (``/goal done 3``); Discord adds subcommands, typed options and
autocomplete on top. A ``partner`` option names the partner for members of several pairs (it
becomes ``@USER_ID``, which the core matches against the partner's id). ``/log-meeting`` takes the
meeting form's fields as options and opens the form as a modal when none is given; its ``manage``
option reaches the rest of the grammar (list, delete, share, help), since a Discord command with
options cannot also have subcommands.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.core.replies import Actor
from bot.core.service import Core
from bot.discord_app.choices import activity_choices, goal_choices
from bot.discord_app.interactions import Interactions, actor_for

log = logging.getLogger(__name__)

AUTOCOMPLETE_WITHIN = 2.0  # seconds; Discord drops an autocomplete answer after 3
PARTNER = "Your partner, if you are in more than one pair"
GoalNumber = app_commands.Range[int, 1, 100_000]
GoalText = app_commands.Range[str, 1, 500]
Complete = Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[Any]]]]


def mention(partner: object) -> str:
    """A ``partner`` option as the core's ``@USER_ID`` (a user, or the bare id autocomplete
    may give for an option not resolved yet)."""
    return f"@{getattr(partner, 'id', partner)}" if partner else ""


def words(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


def build_commands(
    core: Core, interactions: Interactions
) -> list[app_commands.Command[Any, Any, Any] | app_commands.Group]:
    """``/goal``, ``/log-meeting``, ``/mentoring`` and ``/mentoring-summary``."""
    return [
        _goal(core, interactions),
        _log_meeting(core, interactions),
        _mentoring(interactions),
        _summary(interactions),
    ]


async def _suggest(call: Callable[[], list[tuple[Any, str]]]) -> list[app_commands.Choice[Any]]:
    """Choices computed in a worker thread; none when that is too slow for Discord."""
    try:
        found = await asyncio.wait_for(asyncio.to_thread(call), AUTOCOMPLETE_WITHIN)
    except TimeoutError:
        log.warning(
            "autocomplete took over %s s; answered with no suggestions", AUTOCOMPLETE_WITHIN
        )
        return []
    except Exception:
        log.exception("autocomplete failed")
        return []
    return [app_commands.Choice(name=name, value=value) for value, name in found]


def _asker(interaction: discord.Interaction) -> tuple[Actor, str | None, str]:
    """Who is typing, where, and the partner already chosen in the ``partner`` option."""
    where = str(interaction.channel_id) if interaction.channel_id else None
    partner = getattr(interaction.namespace, "partner", None)
    return actor_for(interaction), where, mention(partner)


def _goal_numbers(core: Core, verb: str) -> Complete:
    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[Any]]:
        actor, where, pair_text = _asker(interaction)
        return await _suggest(
            lambda: goal_choices(core, actor, where, pair_text, verb, str(current))
        )

    return complete


def _goal(core: Core, interactions: Interactions) -> app_commands.Group:
    goal = app_commands.Group(name="goal", description="Your pair's goals: list, add, mark done")

    async def run(interaction: discord.Interaction, *parts: object) -> None:
        await interactions.command(interaction, "goal", words(*parts))

    @goal.command(name="list", description="Your pair's goals, numbered, open ones first")
    @app_commands.describe(partner=PARTNER)
    async def goal_list(
        interaction: discord.Interaction, partner: discord.User | None = None
    ) -> None:
        await run(interaction, "list", mention(partner))

    @goal.command(name="add", description="Add a goal for your pair")
    @app_commands.describe(text="The goal, up to 500 characters", partner=PARTNER)
    async def goal_add(
        interaction: discord.Interaction, text: GoalText, partner: discord.User | None = None
    ) -> None:
        await run(interaction, "add", mention(partner), text)

    def status_command(verb: str, description: str) -> app_commands.Command[Any, Any, Any]:
        @app_commands.describe(number="The goal's number (see /goal list)", partner=PARTNER)
        @app_commands.autocomplete(number=_goal_numbers(core, verb))
        async def change(
            interaction: discord.Interaction,
            number: GoalNumber,
            partner: discord.User | None = None,
        ) -> None:
            await run(interaction, verb, mention(partner), number)

        return app_commands.Command(name=verb, description=description, callback=change)

    goal.add_command(status_command("done", "Mark a goal done"))
    goal.add_command(status_command("reopen", "Open a done or dropped goal again"))
    goal.add_command(status_command("drop", "Drop a goal you no longer pursue"))

    @goal.command(name="edit", description="Reword a goal")
    @app_commands.describe(
        number="The goal's number (see /goal list)", text="The new wording", partner=PARTNER
    )
    @app_commands.autocomplete(number=_goal_numbers(core, "edit"))
    async def goal_edit(
        interaction: discord.Interaction,
        number: GoalNumber,
        text: GoalText,
        partner: discord.User | None = None,
    ) -> None:
        await run(interaction, "edit", mention(partner), number, text)

    @goal.command(name="ideas", description="Example goals from the program, to copy")
    async def goal_ideas(interaction: discord.Interaction) -> None:
        await run(interaction, "ideas")

    @goal.command(name="help", description="How /goal works")
    async def goal_help(interaction: discord.Interaction) -> None:
        await run(interaction, "help")

    return goal


MANAGE = [
    app_commands.Choice(name="list your pair's meetings", value="list"),
    app_commands.Choice(name="delete meeting NUMBER (one you logged)", value="delete"),
    app_commands.Choice(name="share the notes of meeting NUMBER with coordinators", value="share"),
    app_commands.Choice(name="help", value="help"),
]


def _log_meeting(core: Core, interactions: Interactions) -> app_commands.Command[Any, Any, Any]:
    async def activities(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[Any]]:
        actor, where, pair_text = _asker(interaction)
        return await _suggest(lambda: activity_choices(core, actor, where, pair_text, current))

    @app_commands.command(
        name="log-meeting", description="Log a meeting (a form opens when you give no details)"
    )
    @app_commands.describe(
        date="today, yesterday, 2026-11-03, tuesday or 3 days ago (default today)",
        duration="How long you met, e.g. 45m, 1h, 1h30m",
        activity="What you did: one of your recent suggestions, or something else",
        notes="Notes, private to your pair",
        next_steps="What you agreed to do next",
        goals="Numbers of the goals this meeting moved, e.g. 1 3",
        partner=PARTNER,
        manage="Instead of logging: list, delete or share meetings",
        number="The meeting's number, for delete and share",
    )
    @app_commands.choices(manage=MANAGE)
    @app_commands.autocomplete(activity=activities)
    async def log_meeting(
        interaction: discord.Interaction,
        date: app_commands.Range[str, 1, 40] | None = None,
        duration: app_commands.Range[str, 1, 20] | None = None,
        activity: app_commands.Range[str, 1, 100] | None = None,
        notes: app_commands.Range[str, 1, 2000] | None = None,
        next_steps: app_commands.Range[str, 1, 1000] | None = None,
        goals: app_commands.Range[str, 1, 100] | None = None,
        partner: discord.User | None = None,
        manage: app_commands.Choice[str] | None = None,
        number: app_commands.Range[int, 1, 100_000] | None = None,
    ) -> None:
        details = {
            "date": date,
            "duration": duration,
            "activity": activity,
            "notes": notes,
            "next_steps": next_steps,
            "goals": goals,
        }
        given = {name: value for name, value in details.items() if value is not None}
        if manage is not None:
            if given:
                await interactions.say(
                    interaction,
                    "Give either the meeting's details or `manage`, not both: "
                    "`/log-meeting manage:list`, or `/log-meeting duration:45m notes:…`.",
                )
                return
            await interactions.command(
                interaction, "log-meeting", words(manage.value, mention(partner), number)
            )
        elif given:
            await interactions.log_meeting(interaction, mention(partner), given)
        else:
            await interactions.command(interaction, "log-meeting", mention(partner))

    return log_meeting


def _mentoring(interactions: Interactions) -> app_commands.Group:
    mentoring = app_commands.Group(
        name="mentoring", description="Your pair: status, pausing and resuming suggestions"
    )

    async def run(interaction: discord.Interaction, *parts: object) -> None:
        await interactions.command(interaction, "mentoring", words(*parts))

    @mentoring.command(name="status", description="Your pair, the next suggestion, meetings, goals")
    @app_commands.describe(partner=PARTNER)
    async def status(interaction: discord.Interaction, partner: discord.User | None = None) -> None:
        await run(interaction, "status", mention(partner))

    @mentoring.command(name="pause", description="Hold your pair's suggestions for a while")
    @app_commands.describe(weeks="How many weeks (default 4, at most 26)", partner=PARTNER)
    async def pause(
        interaction: discord.Interaction,
        weeks: app_commands.Range[int, 1, 26] | None = None,
        partner: discord.User | None = None,
    ) -> None:
        await run(interaction, "pause", mention(partner), weeks)

    @mentoring.command(name="resume", description="Start your pair's suggestions again")
    @app_commands.describe(partner=PARTNER)
    async def resume(interaction: discord.Interaction, partner: discord.User | None = None) -> None:
        await run(interaction, "resume", mention(partner))

    @mentoring.command(name="export", description="Everything kept about your goals and meetings")
    async def export(interaction: discord.Interaction) -> None:
        await run(interaction, "export")

    @mentoring.command(name="help", description="How /mentoring works")
    async def help_(interaction: discord.Interaction) -> None:
        await run(interaction, "help")

    return mentoring


def _summary(interactions: Interactions) -> app_commands.Command[Any, Any, Any]:
    @app_commands.command(
        name="mentoring-summary", description="Coordinators: participation totals and pairs to help"
    )
    @app_commands.describe(
        cohort="Only this cohort",
        period="A quarter, e.g. 2027Q1",
        start="From this date, e.g. 2027-01-01",
        end="To this date, e.g. 2027-03-31",
    )
    @app_commands.rename(start="from", end="to")
    async def summary(
        interaction: discord.Interaction,
        cohort: str | None = None,
        period: str | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> None:
        options = [("--period", period), ("--from", start), ("--to", end)]
        text = words(
            shlex.quote(cohort) if cohort else "",
            *(f"{name} {shlex.quote(value)}" for name, value in options if value),
        )
        await interactions.command(interaction, "mentoring-summary", text)

    return summary
