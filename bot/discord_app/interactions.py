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
import dataclasses
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import discord

from bot.core.outbound import DeliveryError
from bot.core.replies import Actor, DirectPost, Form, Message, PairPost, Reply
from bot.core.service import SORRY, Core
from bot.discord_app.components import DraftButton, Submission, form_modal
from bot.discord_app.outbound import PLATFORM, DiscordOutbound
from bot.discord_app.render import edit_kwargs, parts

log = logging.getLogger(__name__)

T = TypeVar("T")
ACK_WITHIN = 2.0  # seconds; Discord allows 3 for the first answer
KEPT_FORMS = 500
EXPIRED_FORM = (
    "That form has expired (the bot was restarted). What you typed is in the message above; "
    "type `/log-meeting` to open a new form."
)

# The core's answer, and the form to reopen (filled with what was typed) if it has field errors.
Work = Callable[[Actor, str | None], tuple[Reply, Form | None]]


def actor_for(interaction: discord.Interaction) -> Actor:
    """The caller as the core knows them; their role names travel along (``Actor.roles``)."""
    user = interaction.user
    roles = frozenset(role.name for role in getattr(user, "roles", ()) if not role.is_default())
    return Actor(PLATFORM, str(user.id), user.display_name, None, roles)


class Drafts:
    """Forms waiting to be opened by a button, kept in memory (the newest ``limit``)."""

    def __init__(self, limit: int = KEPT_FORMS) -> None:
        self.limit = limit
        self._forms: OrderedDict[str, Form] = OrderedDict()

    def keep(self, form: Form) -> str:
        token = secrets.token_hex(8)
        self._forms[token] = form
        while len(self._forms) > self.limit:
            self._forms.popitem(last=False)
        return token

    def get(self, token: str) -> Form | None:
        return self._forms.get(token)


def filled(form: Form, values: Mapping[str, object]) -> Form:
    """``form`` with what was typed as the fields' initial values."""

    def initial(value: object) -> str | tuple[str, ...]:
        return tuple(str(v) for v in value) if isinstance(value, list | tuple) else str(value)

    fields = tuple(
        dataclasses.replace(f, initial=initial(values[f.name])) if f.name in values else f
        for f in form.fields
    )
    return dataclasses.replace(form, fields=fields)


class Interactions:
    """Answers Discord interactions with the core's replies."""

    def __init__(
        self, core: Core, outbound: DiscordOutbound, *, ack_within: float = ACK_WITHIN
    ) -> None:
        self.core = core
        self.outbound = outbound
        self.ack_within = ack_within
        self.drafts = Drafts()

    # -- entry points -------------------------------------------------------------------------

    async def command(self, interaction: discord.Interaction, name: str, text: str) -> None:
        """``/name`` with its options already turned into the core's command text."""
        await self._answer(
            interaction, lambda actor, where: (self.core.command(actor, name, text, where), None)
        )

    async def log_meeting(
        self, interaction: discord.Interaction, pair_text: str, values: Mapping[str, str]
    ) -> None:
        """``/log-meeting`` with options: the meeting form (which finds the pair), submitted
        with the options as its values, so each is checked as the form's fields are."""

        def work(actor: Actor, where: str | None) -> tuple[Reply, Form | None]:
            opened = self.core.command(actor, "log-meeting", pair_text, where)
            if opened.form is None:
                return opened, None
            form = opened.form
            reply = self.core.submit(actor, form.form_id, form.context, values, where)
            return reply, filled(form, values)

        await self._answer(interaction, work, typed=values)

    async def click(self, interaction: discord.Interaction, action: str) -> None:
        """A button of a core message."""
        await self._answer(
            interaction, lambda actor, where: (self.core.press(actor, action, where), None)
        )

    async def submit(self, interaction: discord.Interaction, submission: Submission) -> None:
        """A modal this bot opened, in this run or an earlier one."""

        def work(actor: Actor, where: str | None) -> tuple[Reply, Form | None]:
            reply = self.core.submit(
                actor, submission.form_id, submission.context, submission.values, where
            )
            kept = self.drafts.get(submission.token)
            return reply, filled(kept, submission.values) if kept else None

        await self._answer(interaction, work, typed=submission.values)

    async def reopen(self, interaction: discord.Interaction, token: str) -> None:
        """The "Open the form" button: the kept form as a modal, or why it cannot be."""
        form = self.drafts.get(token)
        try:
            if form is None:
                await interaction.response.send_message(EXPIRED_FORM, ephemeral=True)
            else:
                await interaction.response.send_modal(form_modal(form, token))
        except Exception:
            log.exception("could not reopen a form for %s", interaction.user.id)
            await self.apologise(interaction)

    # -- answering ------------------------------------------------------------------------------

    async def _answer(
        self,
        interaction: discord.Interaction,
        work: Work,
        typed: Mapping[str, str | list[str]] | None = None,
    ) -> None:
        actor = actor_for(interaction)
        where = str(interaction.channel_id) if interaction.channel_id else None
        try:
            reply, retry = await self._in_time(interaction, lambda: work(actor, where))
            await self._play(interaction, reply, retry, typed)
        except Exception:
            log.exception("Discord interaction from %s failed", actor.user_id)
            await self.apologise(interaction)

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
        reply: Reply,
        retry: Form | None,
        typed: Mapping[str, str | list[str]] | None,
    ) -> None:
        """Form, in-place update, private answer, then the posts for others, in that order."""
        if reply.field_errors:
            await self._field_errors(interaction, reply.field_errors, retry, typed or {})
        elif reply.form is not None:
            await self._open_form(interaction, reply.form)
        if reply.replacement is not None and interaction.message is not None:
            await self._replace(interaction, reply.replacement)
        if reply.message is not None:
            await self.tell(interaction, reply.message)
        if not interaction.response.is_done():
            await self.tell(interaction, Message("Done."))
        problems = [problem for post in reply.posts if (problem := await self._post(post))]
        if problems:
            await self.tell(interaction, Message("⚠️ " + "\n⚠️ ".join(problems)))

    async def tell(
        self,
        interaction: discord.Interaction,
        message: Message,
        extra: Sequence[discord.ui.Item[Any]] = (),
    ) -> None:
        """Show ``message`` to the caller only, as the first answer or as follow-ups."""
        pieces = parts(message)
        for index, part in enumerate(pieces):
            kwargs = part.send_kwargs(extra if index == len(pieces) - 1 else ())
            if interaction.response.is_done():
                await interaction.followup.send(ephemeral=True, **kwargs)
            else:
                await interaction.response.send_message(ephemeral=True, **kwargs)

    async def say(self, interaction: discord.Interaction, text: str) -> None:
        """A private sentence from the adapter itself (e.g. options that do not go together)."""
        await self.tell(interaction, Message(text))

    async def _open_form(self, interaction: discord.Interaction, form: Form) -> None:
        token = self.drafts.keep(form)
        can_open = interaction.type != discord.InteractionType.modal_submit
        if can_open and not interaction.response.is_done():
            await interaction.response.send_modal(form_modal(form, token))
            return
        await self.tell(
            interaction,
            Message(f"**{form.title}**: press the button to fill it in."),
            [DraftButton(token)],
        )

    async def _field_errors(
        self,
        interaction: discord.Interaction,
        errors: Mapping[str, str],
        retry: Form | None,
        typed: Mapping[str, str | list[str]],
    ) -> None:
        """Discord cannot show errors beside a modal's fields, so they come as a private
        message, with what was typed (nothing is lost) and a button to fix the form."""
        labels = {f.name: f.label for f in retry.fields} if retry else {}
        lines = ["**Nothing was saved yet; please check:**"]
        lines += [f"• **{labels.get(name, name)}**: {error}" for name, error in errors.items()]
        kept = {name: value for name, value in typed.items() if value}
        if kept:
            lines.append("_What you typed:_")
            for name, value in kept.items():
                shown = ", ".join(value) if isinstance(value, list) else value
                lines.append(f"> **{labels.get(name, name)}**: {shown}")
        extra: list[discord.ui.Item[Any]] = []
        if retry is not None:
            extra.append(DraftButton(self.drafts.keep(retry), "Fix the form"))
        await self.tell(interaction, Message("\n".join(lines)), extra)

    async def _replace(self, interaction: discord.Interaction, message: Message) -> None:
        """Update the clicked message in place (as the answer, or after a modal or defer)."""
        if not interaction.response.is_done():
            await interaction.response.edit_message(**edit_kwargs(message))
        elif interaction.message is not None:
            await interaction.message.edit(**edit_kwargs(message))

    async def _post(self, post: PairPost | DirectPost) -> str | None:
        """Deliver a post for others; returns a sentence for the caller when it failed (the
        caller's own change is already saved, so this never turns into an apology)."""
        who = "your pair's conversation" if isinstance(post, PairPost) else "a coordinator"
        try:
            if isinstance(post, PairPost):
                await self.outbound.post_to_pair(post.pair_id, post.message)
            elif post.platform == PLATFORM and post.user_id.isdigit():
                await self.outbound.send_direct(post.user_id, post.message)
            else:  # e.g. a Slack id among MENTORBOT_COORDINATORS: not reachable from here
                log.info("not a Discord user id, so not messaged: %s", post.user_id)
        except DeliveryError as error:
            log.warning("could not deliver a %s: %s", type(post).__name__, error.reason)
            return f"I could not tell {who}: {error.reason}."
        except Exception:
            log.exception("could not deliver a %s", type(post).__name__)
            return f"I could not tell {who} just now; your change is saved."
        return None

    async def apologise(self, interaction: discord.Interaction) -> None:
        """The core's "sorry, nothing was changed", as the answer or a follow-up."""
        try:
            await self.tell(interaction, Message(SORRY))
        except Exception:
            log.exception("could not even apologise to %s", interaction.user.id)
