"""Text both ways: the core's tiny markup to Slack mrkdwn, and Slack command text to core text.

Slack escapes ``&``, ``<`` and ``>`` in the text it sends and expects them escaped in the text it
shows; with ``should_escape`` on (see the manifest) it also sends mentions as ``<@U123|name>``,
which the core matches as ``@U123`` against a partner's user id.
"""

from __future__ import annotations

import re

BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
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


def command_text(text: str) -> str:
    """A slash command's text as the core reads it: mentions as ``@U123``, entities undone."""
    text = USER.sub(r"@\1", text)
    text = CHANNEL.sub(r"#\1", text)
    text = LINK.sub(r"\1", text)
    return unescape(text).strip()
