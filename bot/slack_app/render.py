"""A core ``Message`` as Block Kit: mrkdwn sections, a table as a code block, and buttons.

Buttons: each button's ``action_id`` is the core's action string itself (``s:42:swap``), which is
unique within a message as Slack requires; the click listener hands it back to ``Core.press``
unchanged, so no mapping is kept anywhere. Files are not blocks; ``answers`` uploads them.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.replies import ButtonStyle, Message, Table, render
from bot.slack_app.text import escape, mrkdwn, plain

Block = dict[str, Any]

SECTION_LIMIT = 3000  # characters in one section's text
MAX_BLOCKS = 50  # blocks in one message
TEXT_LIMIT = 11_000  # all sections together: Slack answers msg_blocks_too_long near 12,000
ENTITY = re.compile(r"&[a-z]{0,4}$")  # a cut that would split &amp; &lt; &gt;
FALLBACK_LIMIT = 3000  # characters of the notification text
BUTTON_LABEL_LIMIT = 75
STYLES = {ButtonStyle.PRIMARY: "primary", ButtonStyle.DANGER: "danger"}


def message_blocks(message: Message, note: str = "") -> list[Block]:
    """The blocks for ``message``; ``note`` is a small grey line under it (e.g. files sent)."""
    blocks = [_section(chunk) for chunk in _chunks(mrkdwn(message.text))]
    if message.table is not None:
        blocks += [_section(chunk) for chunk in _table_chunks(message.table)]
    if message.typed:
        blocks.append(_typed(message.typed))
    if message.buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": "mentorbot-buttons",
                "elements": [
                    _button(b.label, b.action, STYLES.get(b.style)) for b in message.buttons
                ],
            }
        )
    if note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(note)}]})
    sections = [b for b in blocks if b["type"] == "section"]
    kept, used = [], 0
    for section in sections:
        used += len(section["text"]["text"])
        if used > TEXT_LIMIT:
            break
        kept.append(section)
    if len(blocks) <= MAX_BLOCKS and len(kept) == len(sections):
        return blocks
    tail = [b for b in blocks if b["type"] != "section"]
    body = kept[: MAX_BLOCKS - len(tail) - 1]
    return [*body, _section(mrkdwn(render("slack_app.cut_short"))), *tail]


def fallback_text(message: Message) -> str:
    """The ``text`` Slack shows in notifications and where blocks cannot be drawn."""
    typed = f"\n{render('slack_app.you_typed')} {message.typed}" if message.typed else ""
    text = escape(plain(message.text) + typed).strip() or "mentorbot"
    return text if len(text) <= FALLBACK_LIMIT else text[: FALLBACK_LIMIT - 1] + "…"


def _typed(typed: str) -> Block:
    """What the member typed, under a refusal: plain text, so Slack shows it exactly as typed."""
    return {
        "type": "context",
        "block_id": "mentorbot-typed",
        "elements": [
            {"type": "mrkdwn", "text": mrkdwn(render("slack_app.you_typed"))},
            {"type": "plain_text", "text": typed[:SECTION_LIMIT], "emoji": False},
        ],
    }


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(label: str, action: str, style: str | None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label[:BUTTON_LABEL_LIMIT], "emoji": True},
        "action_id": action,
    }
    if style:
        button["style"] = style
    return button


def _chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at line ends so each section stays under Slack's limit; a line too long for one
    is cut at a word (or at least outside an escape) with "…" and goes on in the next."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines() or [""]:
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            head, line = _cut(line, limit - 1)
            chunks.append(head + "…")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            candidate = line
        current = candidate
    if current.strip():
        chunks.append(current)
    return chunks or [" "]


def _cut(line: str, at: int) -> tuple[str, str]:
    """``line`` split near ``at``: at the last space within a few words, else at ``at`` moved
    back out of any ``&amp;``-style escape."""
    space = line.rfind(" ", at - 200, at)
    if space > 0:
        return line[:space], line[space + 1 :]
    entity = ENTITY.search(line[:at])
    cut = entity.start() if entity else at
    return line[:cut], line[cut:]


def _table_chunks(table: Table) -> list[str]:
    """The table as aligned columns inside code fences, split across sections if long."""
    lines = table.aligned_lines()
    fence = "```"
    chunks = _chunks(mrkdwn("\n".join(lines)), SECTION_LIMIT - 2 * len(fence) - 2)
    return [f"{fence}\n{chunk}\n{fence}" for chunk in chunks]
