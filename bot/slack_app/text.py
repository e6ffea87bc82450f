"""Text both ways: the core's tiny markup to Slack mrkdwn, and Slack command text to core text.

Slack escapes ``&``, ``<`` and ``>`` in the text it sends and expects them escaped in the text it
shows; with ``should_escape`` on (see the manifest) it also sends mentions as ``<@U123|name>``.
The core gets them back as typed, ``@name``, with the user id beside each name, so a partner is
matched by id and any other mention stays the words the member typed; ``@channel`` and
``@here`` come back as those words, never as a ping.
"""

from __future__ import annotations

import re

from bot.core.replies import render_said

BOLD = re.compile(r"\*\*(.+?)\*\*")
FORMATTING = re.compile(r"([*_~`])")
USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")  # <!channel>, <!subteam^S1|@team>
LINK = re.compile(r"<(?:mailto:)?([^>|]+)(?:\|[^>]*)?>")


def escape(text: str) -> str:
    """Escape the three characters Slack reserves for links and mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn(text: str) -> str:
    """``**bold**`` becomes ``*bold*``; ``_italic_`` and backticks already mean the same.
    What a person wrote (``said``) shows as typed: escaped, its formatting characters kept
    from pairing up by zero-width spaces (mrkdwn has no escape character)."""
    return render_said(text, lambda core: BOLD.sub(r"*\1*", escape(core)), literal)


def literal(text: str) -> str:
    """Text a person wrote, as Slack mrkdwn that shows it as typed."""
    return FORMATTING.sub("\u200b\\1\u200b", escape(text))


def plain(text: str) -> str:
    """The text without markup, for places Slack shows verbatim (notifications, labels)."""
    return render_said(text, lambda core: BOLD.sub(r"\1", core), lambda written: written)


def command_text(text: str) -> tuple[str, dict[str, str]]:
    """A slash command's text as the member typed it (mentions as ``@name``, entities undone),
    and the Slack user id of each name mentioned."""
    mentions: dict[str, str] = {}

    def mention(match: re.Match[str]) -> str:
        user_id, name = match[1], (match[2] or "").strip().replace(" ", "")
        mentions[name or user_id] = user_id  # an id without a name is named by the listener
        return f"@{name or user_id}"

    text = USER.sub(mention, text)
    text = SPECIAL.sub(lambda match: "@" + (match[2] or match[1]).lstrip("@"), text)
    text = CHANNEL.sub(r"#\1", text)
    text = LINK.sub(r"\1", text)
    return unescape(text).strip(), mentions
