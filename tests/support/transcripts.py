"""What every conversation table shares, whichever surface it plays on (the core, Slack's
HTTP requests, Discord's interactions): the fragments expected and forbidden, the check of
one answer, and the chat log a failing test shows."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

APOLOGY = "Sorry, something went wrong"
REFERENCE = re.compile(r"the reference ([0-9a-f]{6})\b")


class Not(str):
    """A fragment the member must *not* be shown (``Not("Logged meeting")``)."""

    __slots__ = ()


Expected = str | tuple[str, ...]


class Turn(Protocol):
    """One turn of a conversation as a surface records it."""

    @property
    def header(self) -> str: ...  # who typed what (and where)

    @property
    def text(self) -> str: ...  # everything the answer showed

    @property
    def buttons(self) -> dict[str, str]: ...


def transcript(turns: Sequence[Turn], problem: str = "") -> str:
    """The conversation so far, as a chat log, for a failing test's message."""
    lines = []
    for turn in turns:
        lines.append(turn.header)
        lines += [f"    bot: {line}" for line in turn.text.splitlines()]
        if turn.buttons:
            lines.append(f"    buttons: {list(turn.buttons)}")
    if problem:
        lines.append(f"!!! {problem}")
    return "\n".join(lines)


def check_shown(text: str, expected: Expected, fail: Callable[[str], str]) -> None:
    """``text`` shows every fragment expected and no ``Not`` one, and no apology unless one is
    expected, and then with its reference; ``fail(problem)`` words the failure."""
    wanted = expected if isinstance(expected, tuple) else (expected,)
    for fragment in wanted:
        if isinstance(fragment, Not) and fragment in text:
            raise AssertionError(fail(f"shown, but must not be: {str(fragment)!r}"))
        if not isinstance(fragment, Not) and fragment not in text:
            raise AssertionError(fail(f"not shown: {fragment!r}"))
    if APOLOGY in text and APOLOGY not in wanted:
        raise AssertionError(fail("answered with an apology"))
    if APOLOGY in text and not REFERENCE.search(text):
        raise AssertionError(fail("an apology without a reference"))
