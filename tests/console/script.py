"""Driving the console chat with scripted lines, in-process, printing to a buffer."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console

from bot.app import build_ticker
from bot.console.chat import ConsoleChat
from bot.core.service import Core


def scripted_chat(core: Core, *lines: str) -> str:
    """Everything the chat printed (prompts and typed lines included) while ``lines`` were
    typed, one at a time, until they ran out."""
    printed = io.StringIO()
    console = Console(file=printed, width=200, no_color=True, highlight=False)
    typed = iter(lines)

    def read_line(prompt: str) -> str:
        printed.write(prompt)
        line = next(typed, None)
        if line is None:
            raise EOFError
        printed.write(line + "\n")
        return line

    chat = ConsoleChat(
        core, lambda outbound: build_ticker(core, {"console": outbound}), read_line, console
    )
    asyncio.run(chat.run())
    return printed.getvalue()
