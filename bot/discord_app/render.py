"""A core ``Message`` as Discord messages: content, buttons and files.

The core's markup (``**bold**``, ``_italic_``, backticks) is Discord markdown already; what a
person wrote is escaped with discord.py's markdown and mention escaping. Discord
allows 2,000 characters a message, so longer text is split at line ends into several messages;
the buttons and files go with the last one. A table becomes aligned columns in a code block.
Each button's custom id is ``mb:`` + the core's action string (see ``components``); one that
would pass Discord's 100 characters is left out and logged, never sent broken.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import discord

from bot.core.replies import Attachment, Button, ButtonStyle, Message, Table, render, render_said
from bot.discord_app.components import ACTION_PREFIX, CUSTOM_ID_LIMIT, ActionButton

log = logging.getLogger(__name__)

CONTENT_LIMIT = 2000
FENCE = "```"
STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}


@dataclass(frozen=True)
class Part:
    """One Discord message's worth of a core ``Message``."""

    content: str
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def custom_ids(self) -> set[str]:
        return {ACTION_PREFIX + b.action for b in self.buttons}

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``send``/``send_message``; files are made fresh each time,
        as discord.py consumes them."""
        kwargs: dict[str, Any] = {"content": self.content}
        view = button_view(self.buttons)
        if view is not None:
            kwargs["view"] = view
        if self.attachments:
            kwargs["files"] = [
                discord.File(io.BytesIO(a.content), filename=a.filename, description=a.title)
                for a in self.attachments
            ]
        return kwargs


def parts(message: Message) -> list[Part]:
    """``message`` as one or more Discord messages, in order."""
    blocks = [line[:CONTENT_LIMIT] for line in markdown(message.text).splitlines()]
    if message.table is not None:
        blocks += _table_blocks(message.table)
    if message.typed:
        typed = markdown(render("discord_app.you_typed"))
        blocks += [typed, *(typed_line(line) for line in message.typed.splitlines())]
    contents = _pack(blocks) or ["\u200b"]
    last = Part(contents[-1], message.buttons, message.attachments)
    return [Part(content) for content in contents[:-1]] + [last]


def markdown(text: str) -> str:
    """The core's markup is Discord's already; what a person wrote has its markdown (and
    masked links) escaped, so it shows as typed. Mentions in it show as names and ping no one:
    the client sends every message with no mentions allowed."""
    return render_said(text, lambda core: core, discord.utils.escape_markdown)


def typed_line(line: str) -> str:
    """A line the member typed, quoted and shown as typed (markdown and mentions inert)."""
    return "> " + discord.utils.escape_mentions(discord.utils.escape_markdown(line))[:1990]


def edit_kwargs(message: Message) -> dict[str, Any]:
    """Keyword arguments to update a message in place (one message: cut short if need be);
    ``view=None`` removes buttons the new version no longer has."""
    text = markdown(message.text)
    if len(text) > CONTENT_LIMIT:
        text = text[: CONTENT_LIMIT - 1] + "…"
    return {"content": text, "view": button_view(message.buttons)}


def button_view(buttons: Sequence[Button]) -> discord.ui.View | None:
    """A view of ``ActionButton``s, or None when there are none."""
    view = discord.ui.View(timeout=None)
    for button in buttons:
        if len(ACTION_PREFIX + button.action) > CUSTOM_ID_LIMIT:
            log.error("button %r left out: its action is too long for Discord", button.label)
            continue
        style = STYLES.get(button.style, discord.ButtonStyle.secondary)
        view.add_item(ActionButton(button.action, button.label, style))
    if not view.children:
        return None
    view.stop()  # fully dynamic: nothing to keep per message
    return view


def _pack(blocks: Sequence[str], limit: int = CONTENT_LIMIT) -> list[str]:
    """Join blocks with line breaks into as few pieces of at most ``limit`` characters as fit
    (each block already fits)."""
    out: list[str] = []
    current: str | None = None
    for block in blocks:
        candidate = block if current is None else f"{current}\n{block}"
        if len(candidate) > limit and current is not None:
            out.append(current)
            candidate = block
        current = candidate
    if current is not None and current.strip():
        out.append(current)
    return out


def _table_blocks(table: Table) -> list[str]:
    """The table as aligned columns inside code fences, several fences if it is long."""
    lines = table.aligned_lines()
    room = CONTENT_LIMIT - 2 * len(FENCE) - 2
    return [f"{FENCE}\n{chunk}\n{FENCE}" for chunk in _pack([line[:room] for line in lines], room)]
