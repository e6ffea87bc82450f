"""Showing neutral messages in a terminal with rich."""

from __future__ import annotations

import re
import textwrap

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.core.replies import Message, render_said

BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<!\w)_(.+?)_(?!\w)")
CODE = re.compile(r"`([^`]+)`")


def to_rich(text: str) -> str:
    """Our tiny markup as rich markup (square brackets escaped first)."""
    text = text.replace("[", r"\[")
    text = BOLD.sub(r"[bold]\1[/bold]", text)
    text = ITALIC.sub(r"[italic]\1[/italic]", text)
    return CODE.sub(r"[cyan]\1[/cyan]", text)


def print_message(message: Message, console: Console | None = None, indent: str = "") -> None:
    console = console or Console()
    rendered = render_said(message.text, to_rich, escape)  # what people wrote, as typed
    console.print(textwrap.indent(rendered, indent) if indent else rendered, highlight=False)
    if message.table:
        table = Table(*message.table.columns)
        for row in message.table.rows:
            table.add_row(*row)
        console.print(table)
