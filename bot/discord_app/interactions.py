"""Slash commands, clicks and modal submissions, translated for the core and answered in time.

Every handler does the same three things: who is asking (an ``Actor``, with the names of their
Discord roles so a coordinator role is recognised), the core's answer computed in a worker
thread (no blocking database call on the event loop), and that answer played out on Discord.

Discord waits 3 seconds for the first answer. The core usually answers in milliseconds, and then
its reply is the first answer (which is what lets a form open as a modal). When it has not
answered within ``ack_within`` seconds the interaction is deferred first (a private "thinking…"
for commands and forms, a silent acknowledgement for clicks) and the reply follows; a form that
can no longer open as a modal then comes as a button that opens it. Whatever goes wrong, the
caller gets a plain sentence, never silence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TypeVar

import discord

from bot.core.coordinators import ROLE_NAME
from bot.core.errors import apology
from bot.core.grammar import Invocation
from bot.core.outbound import DeliveryError
from bot.core.replies import (
    Actor,
    Button,
    DirectPost,
    Form,
    Message,
    MessageRef,
    PairPost,
    Reply,
    render,
)
from bot.core.service import Core, echo
from bot.discord_app.components import Submission, form_modal
from bot.discord_app.outbound import DM_CONVERSATION, PLATFORM, DiscordOutbound
from bot.discord_app.render import edit_kwargs, parts

log = logging.getLogger(__name__)

T = TypeVar("T")
ACK_WITHIN = 2.0  # seconds; Discord allows 3 for the first answer

Work = Callable[[Actor, str | None], Reply]


def actor_for(interaction: discord.Interaction, guild_id: int | None) -> Actor:
    """The caller as the core knows them, with the roles that may make them a coordinator
    (``Actor.roles``): role ids from any server (an id is unique to its server) and role names
    only from ``DISCORD_GUILD_ID``, so a look-alike role in a server of someone else's grants
    nothing."""
    user = interaction.user
    held = [role for role in getattr(user, "roles", ()) if not role.is_default()]
    roles = {str(role.id) for role in held}
    if guild_id is not None and interaction.guild_id == guild_id:
        roles |= {ROLE_NAME + role.name for role in held}
    return Actor(PLATFORM, str(user.id), user.display_name, None, frozenset(roles))


def clicked_message(interaction: discord.Interaction) -> MessageRef | None:
    """The clicked message as the outbound recorded it: in a thread (or channel) by its id, in
    a direct message as ``dm`` with the clicker's id, as each member's copy is recorded."""
    if interaction.message is None:
        return None
    if interaction.guild_id:
        return MessageRef(str(interaction.channel_id), str(interaction.message.id))
    return MessageRef(DM_CONVERSATION, f"{interaction.user.id}/{interaction.message.id}")


class Interactions:
    """Answers Discord interactions with the core's replies."""

    def __init__(
        self, core: Core, outbound: DiscordOutbound, *, ack_within: float = ACK_WITHIN
    ) -> None:
        self.core = core
        self.outbound = outbound
        self.ack_within = ack_within

    # -- entry points -------------------------------------------------------------------------

    async def invoke(self, interaction: discord.Interaction, invocation: Invocation) -> None:
        """A slash command, with its options as Discord typed them."""
        await self._answer(
            interaction, lambda actor, where: self.core.invoke(actor, invocation, where)
        )

    async def click(self, interaction: discord.Interaction, action: str) -> None:
        """A button of a core message, with the message it was on."""
        clicked = clicked_message(interaction)
        await self._answer(
            interaction, lambda actor, where: self.core.press(actor, action, where, clicked)
        )

    async def submit(self, interaction: discord.Interaction, submission: Submission) -> None:
        """A modal this bot opened, in this run or an earlier one."""

        def work(actor: Actor, where: str | None) -> Reply:
            return self.core.submit(
                actor, submission.form_id, submission.context, submission.values, where
            )

        await self._answer(interaction, work, submission)

    # -- answering ------------------------------------------------------------------------------

    async def _answer(
        self, interaction: discord.Interaction, work: Work, submission: Submission | None = None
    ) -> None:
        actor = actor_for(interaction, self.core.settings.discord_guild_id)
        where = str(interaction.channel_id) if interaction.channel_id else None
        try:
            reply = await self._in_time(interaction, lambda: work(actor, where))
            await self._play(interaction, actor, reply, submission)
        except Exception:
            await self.apologise(interaction, "Discord interaction from %s failed", actor.user_id)

    async def _in_time(self, interaction: discord.Interaction, call: Callable[[], T]) -> T:
        """Run ``call`` in a worker thread, deferring the interaction if it is slow."""
        task = asyncio.ensure_future(asyncio.to_thread(call))
        done, _ = await asyncio.wait({task}, timeout=self.ack_within)
        if not done:
            if interaction.type == discord.InteractionType.component:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
        return await task

    async def _play(
        self,
        interaction: discord.Interaction,
        actor: Actor,
        reply: Reply,
        submission: Submission | None,
    ) -> None:
        """Form, in-place update, private answer, then the posts for others, in that order."""
        if reply.field_errors and submission is not None:
            await self._field_errors(interaction, actor, reply.field_errors, submission)
        elif reply.form is not None:
            await self._open_form(interaction, actor, reply.form)
        if reply.replacement is not None and interaction.message is not None:
            await self._replace(interaction, reply.replacement)
            for copy in reply.copies:
                await self._update_copy(copy, reply.replacement)
        if reply.message is not None:
            await self.tell(interaction, reply.message)
        if not interaction.response.is_done():
            await self.tell(interaction, Message(render("discord_app.done")))
        problems = [problem for post in reply.posts if (problem := await self._post(post))]
        if problems:
            warnings = (render("discord_app.problem", problem=problem) for problem in problems)
            await self.tell(interaction, Message("\n".join(warnings)))

    async def tell(self, interaction: discord.Interaction, message: Message) -> None:
        """Show ``message`` to the caller only, as the first answer or as follow-ups."""
        for part in parts(message):
            kwargs = part.send_kwargs()
            if interaction.response.is_done():
                await interaction.followup.send(ephemeral=True, **kwargs)
            else:
                await interaction.response.send_message(ephemeral=True, **kwargs)

    async def _open_form(self, interaction: discord.Interaction, actor: Actor, form: Form) -> None:
        can_open = interaction.type != discord.InteractionType.modal_submit
        if can_open and not interaction.response.is_done():
            await interaction.response.send_modal(form_modal(form))
            return
        # Too late for a modal (the answer was deferred, or this answers a modal): a button
        # opens the form instead, with what it already holds.
        values = {f.name: f.initial for f in form.fields if f.initial}
        button = await asyncio.to_thread(self.core.draft, actor, form.form_id, form.context, values)
        opener = (button,) if button is not None else ()
        await self.tell(
            interaction, Message(render("discord_app.open_form", title=form.title), opener)
        )

    async def _field_errors(
        self,
        interaction: discord.Interaction,
        actor: Actor,
        errors: Mapping[str, str],
        submission: Submission,
    ) -> None:
        """Discord cannot show errors beside a modal's fields, so they come as a private
        message with what was typed (each field shortened as a refusal gives text back, so it
        is one message) and a button that opens the form again filled in with all of it."""
        lines = [render("discord_app.check_fields")]
        lines += [
            render("discord_app.field_error", field=_label(name), error=error)
            for name, error in errors.items()
        ]
        kept = {name: value for name, value in submission.values.items() if value}
        typed = "\n".join(
            f"{name}: {echo(', '.join(value) if isinstance(value, list) else value)}"
            for name, value in kept.items()
        )
        button = await asyncio.to_thread(
            self.core.draft, actor, submission.form_id, submission.context, kept
        )
        fix = (
            (Button(render("discord_app.fix_form"), button.action, button.style),)
            if button is not None
            else ()
        )
        await self.tell(interaction, Message("\n".join(lines), fix, typed=typed))

    async def _replace(self, interaction: discord.Interaction, message: Message) -> None:
        """Update the clicked message in place (as the answer, or after a modal or defer)."""
        if not interaction.response.is_done():
            await interaction.response.edit_message(**edit_kwargs(message))
        elif interaction.message is not None:
            await interaction.message.edit(**edit_kwargs(message))

    async def _update_copy(self, ref: str, message: Message) -> None:
        """The partner's copy of a clicked DM message; one that cannot be edited (deleted,
        DMs closed) keeps its old buttons, which then answer "already answered"."""
        try:
            await self.outbound.update_copy(ref, message)
        except Exception as error:
            log.warning("could not update the copy %s of a clicked message: %s", ref, error)

    async def _post(self, post: PairPost | DirectPost) -> str | None:
        """Deliver a post for others; returns a sentence for the caller when it failed (the
        caller's own change is already saved, so this never turns into an apology)."""
        who = render(
            "discord_app.pair_conversation"
            if isinstance(post, PairPost)
            else "discord_app.a_coordinator"
        )
        try:
            if isinstance(post, PairPost):
                await self.outbound.post_to_pair(post)
            elif post.platform == PLATFORM and post.user_id.isdigit():
                await self.outbound.send_direct(post.user_id, post.message)
            else:  # e.g. a Slack id among MENTORBOT_COORDINATORS: not reachable from here
                log.info("not a Discord user id, so not messaged: %s", post.user_id)
        except DeliveryError as error:
            log.warning("could not deliver a %s: %s", type(post).__name__, error.reason)
            return render("discord_app.not_told", who=who, reason=error.reason)
        except Exception:
            log.exception("could not deliver a %s", type(post).__name__)
            return render("discord_app.not_told_now", who=who)
        return None

    async def apologise(
        self,
        interaction: discord.Interaction,
        what: str,
        *args: object,
        error: BaseException | None = None,
    ) -> None:
        """Log what failed with a reference, and tell the caller "sorry, nothing was changed"
        with the same reference, as the answer or a follow-up."""
        sorry = apology(log, what, *args, error=error)
        try:
            await self.tell(interaction, Message(sorry))
        except Exception:
            log.exception("could not even apologise to %s", interaction.user.id)


def _label(field: str) -> str:
    """``next_steps`` as "Next steps", to name a field of the form."""
    return field.replace("_", " ").capitalize()
