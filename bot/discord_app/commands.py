"""The application (slash) commands, made from the core's command declarations.

Each declared verb becomes a subcommand (``/goal add``) whose options are the verb's arguments,
typed as Discord types them (integers in their range, strings up to their limit), plus a
``partner`` option for members of several pairs. Discord cannot give a command both options and
subcommands, so a command whose default verb takes arguments (``/log-meeting``, which opens its
form when given nothing) is one command with those options and a ``manage`` choice for its other
verbs. The options arrive typed and go to the core as they are (``Core.invoke``), never re-joined
into text to be parsed again.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import typing
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord import app_commands

from bot.core.commands import COMMANDS
from bot.core.grammar import (
    PARTNER_OPTION,
    VERB_OPTION,
    Arg,
    Command,
    Invocation,
    Number,
    Style,
    Text,
    Verb,
    Zone,
    as_options,
    option_name,
)
from bot.core.replies import Option
from bot.discord_app.interactions import Interactions, actor_for

log = logging.getLogger(__name__)

AUTOCOMPLETE_WITHIN = 2.0  # seconds; Discord drops an autocomplete answer after 3
DESCRIPTION_LIMIT = 100
PARTNER = PARTNER_OPTION
PARTNER_HELP = "Your partner, if you are in more than one pair"
MANAGE = VERB_OPTION
COMPLETED = {"number", "activity"}  # arguments whose values autocomplete offers (and any Zone)


def option_type(arg: Arg) -> Any:
    """The annotation discord.py turns into the option's type and limits."""
    if isinstance(arg, Number):
        return app_commands.Range[int, arg.minimum, arg.maximum]
    if isinstance(arg, Text):
        return app_commands.Range[str, 1, arg.maximum]
    return app_commands.Range[str, 1, arg.longest]


def option_help(arg: Arg) -> str:
    text = arg.about[0].upper() + arg.about[1:]
    if isinstance(arg, Text):
        text += f", up to {arg.maximum:,} characters"
    elif isinstance(arg, Number):
        text += f", {arg.minimum} to {arg.maximum:,}"
    if arg.example:
        text += f", e.g. {arg.example}"
    return text[:DESCRIPTION_LIMIT]


def build_commands(
    interactions: Interactions,
) -> list[app_commands.Command[Any, Any, Any] | app_commands.Group]:
    """One Discord command (or group) per declared command."""
    return [_for_command(interactions, declared) for declared in COMMANDS]


def _for_command(
    interactions: Interactions, command: Command
) -> app_commands.Command[Any, Any, Any] | app_commands.Group:
    default = command.default_verb
    if default.args:
        others = [v for v in command.verbs if v is not default]
        return _command(interactions, command, command.name, default, others)
    group = app_commands.Group(name=command.name, description=_short(command.summary))
    for verb in command.verbs:
        group.add_command(_command(interactions, command, verb.name, verb, ()))
    return group


def _required_on_discord(verb: Verb, arg: Arg) -> bool:
    """Required, unless it is the free text that the verb's form asks for when it is left out."""
    return arg.required and not (verb.form and isinstance(arg, Text))


def _command(
    interactions: Interactions,
    command: Command,
    name: str,
    verb: Verb,
    others: Sequence[Verb],
) -> app_commands.Command[Any, Any, Any]:
    """``verb`` as the Discord command ``name``; ``others`` become its ``manage`` choice, their
    options added to this verb's (all optional, since which apply depends on the choice)."""
    verbs = [verb, *others]
    args: dict[str, Arg] = {}
    for each in verbs:
        for arg in each.args:
            args.setdefault(arg.name, arg)
    required = {a.name for a in verb.args if not others and _required_on_discord(verb, a)}
    by_name = {v.name: v for v in verbs}

    async def callback(interaction: discord.Interaction, **options: Any) -> None:
        partner = options.pop(PARTNER, None)
        chosen = options.pop(MANAGE, None)
        picked = by_name[chosen.value] if chosen is not None else verb
        given = {key: value for key, value in options.items() if value is not None}
        name = partner.display_name if partner is not None else None
        invocation = Invocation(
            command.name,
            picked.name,
            given,
            (name,) if name else (),
            as_options(command, picked, given, name),
            mentions={name: str(partner.id)} if name else {},
            style=Style.OPTIONS,
        )
        await interactions.invoke(interaction, invocation)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    descriptions: dict[str, str] = {}
    renames: dict[str, str] = {}
    completers: dict[str, Any] = {}
    for key, arg in args.items():
        parameters.append(_parameter(key, option_type(arg), key in required))
        descriptions[key] = option_help(arg)
        if option_name(arg) != key:
            renames[key] = option_name(arg)
        if key in COMPLETED or isinstance(arg, Zone):
            completers[key] = _completer(interactions, command, verb, arg)
    if any(v.needs_pair for v in verbs):
        parameters.append(_parameter(PARTNER, discord.User, False))
        descriptions[PARTNER] = PARTNER_HELP
    if others:
        parameters.append(_parameter(MANAGE, app_commands.Choice[str], False))
        descriptions[MANAGE] = _short(
            f"Instead of {verb.help.split(';')[0]}: " + ", ".join(v.name for v in others)
        )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    decorated: Any = app_commands.describe(**descriptions)(callback)
    if renames:
        decorated = app_commands.rename(**renames)(decorated)
    if completers:
        decorated = app_commands.autocomplete(**completers)(decorated)
    if others:
        choices = [
            app_commands.Choice(name=_short(f"{v.name}: {v.help}"), value=v.name) for v in others
        ]
        decorated = app_commands.choices(**{MANAGE: choices})(decorated)
    description = verb.help[0].upper() + verb.help[1:]
    return app_commands.Command(name=name, description=_short(description), callback=decorated)


def _parameter(name: str, annotation: Any, required: bool) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=annotation if required else typing.Optional[annotation],  # noqa: UP045
        default=inspect.Parameter.empty if required else None,
    )


def _completer(
    interactions: Interactions, command: Command, verb: Verb, arg: Arg
) -> Callable[..., Awaitable[list[app_commands.Choice[Any]]]]:
    """Autocomplete for ``arg``: what the core would accept there, for the pair being named."""

    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[Any]]:
        namespace = interaction.namespace
        partner = getattr(namespace, PARTNER, None)
        manage = getattr(namespace, MANAGE, None)
        chosen = str(getattr(manage, "value", manage)) if manage is not None else verb.name
        partners = (str(getattr(partner, "id", partner)),) if partner else ()
        where = str(interaction.channel_id) if interaction.channel_id else None
        actor = actor_for(interaction, interactions.core.settings.discord_guild_id)

        def call() -> list[Option]:
            return interactions.core.complete(
                actor, command.name, chosen, arg.name, str(current), partners, where
            )

        found = await _in_time(call)
        typed = int if isinstance(arg, Number) else str
        return [app_commands.Choice(name=o.label[:100], value=typed(o.value)) for o in found]

    return complete


async def _in_time(call: Callable[[], list[Option]]) -> list[Option]:
    """Choices computed in a worker thread; none when that is too slow for Discord."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(call), AUTOCOMPLETE_WITHIN)
    except TimeoutError:
        log.warning(
            "autocomplete took over %s s; answered with no suggestions", AUTOCOMPLETE_WITHIN
        )
    except Exception:
        log.exception("autocomplete failed")
    return []


def _short(text: str) -> str:
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"
