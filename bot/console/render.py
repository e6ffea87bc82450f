"""Showing neutral messages in a terminal with rich."""

from __future__ import annotations

import re
import textwrap

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

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


class KeepingTail:
    """``head`` then ``tail`` on one line; where the column is too narrow for both, the head is
    shortened with "…" and the tail (a person's id, say) is still shown whole."""

    def __init__(self, head: str, tail: str = "") -> None:
        self.head = Text(head)  # what people typed: never read as markup
        self.tail = Text(tail)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        whole = self.head.cell_len + self.tail.cell_len
        return Measurement(min(whole, self.tail.cell_len + 2), whole)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        head, tail = self.head.copy(), self.tail
        room = options.max_width - tail.cell_len
        if head.cell_len > room and room < 2:  # no room for a letter and "…": the tail alone
            head, tail = Text(), tail.copy()
            tail.plain = tail.plain.strip()
        elif head.cell_len > room:
            head.truncate(room, overflow="ellipsis")
        line = head + tail
        line.no_wrap = True
        line.overflow = "ellipsis"
        yield line
