"""Showing neutral messages in a terminal with rich."""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table

from bot.core.replies import Message

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
    for line in message.text.splitlines() or [""]:
        console.print(indent + to_rich(line), highlight=False)
    if message.table:
        table = Table(*message.table.columns)
        for row in message.table.rows:
            table.add_row(*row)
        console.print(table)
