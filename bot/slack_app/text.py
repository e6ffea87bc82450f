"""Text both ways: the core's tiny markup to Slack mrkdwn, and Slack command text to core text.

Slack escapes ``&``, ``<`` and ``>`` in the text it sends and expects them escaped in the text it
shows; with ``should_escape`` on (see the manifest) it also sends mentions as ``<@U123|name>``.
The core gets them back as typed, ``@name``, with the user id beside each name, so a partner is
matched by id and any other mention stays the words the member typed.
"""

from __future__ import annotations

import re

BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
LINK = re.compile(r"<(?:mailto:)?([^>|]+)(?:\|[^>]*)?>")


def escape(text: str) -> str:
    """Escape the three characters Slack reserves for links and mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn(text: str) -> str:
    """``**bold**`` becomes ``*bold*``; ``_italic_`` and backticks already mean the same."""
    return BOLD.sub(r"*\1*", escape(text))


def plain(text: str) -> str:
    """The text without markup, for places Slack shows verbatim (notifications, labels)."""
    return BOLD.sub(r"\1", text)


def command_text(text: str) -> tuple[str, dict[str, str]]:
    """A slash command's text as the member typed it (mentions as ``@name``, entities undone),
    and the Slack user id of each name mentioned."""
    mentions: dict[str, str] = {}

    def mention(match: re.Match[str]) -> str:
        user_id, name = match[1], (match[2] or "").strip().replace(" ", "")
        if not name:
            return f"@{user_id}"
        mentions[name] = user_id
        return f"@{name}"

    text = USER.sub(mention, text)
    text = CHANNEL.sub(r"#\1", text)
    text = LINK.sub(r"\1", text)
    return unescape(text).strip(), mentions
