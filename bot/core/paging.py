"""Long lists as pages of one message each, with **Newer** and **Older** buttons.

A list (a pair's goals, its meetings) is rendered whole into entries, newest first where time
matters, then cut into pages that each fit one message on every platform (Discord's 2,000
characters are the tightest). A page is named by the index of its first entry, so the buttons
carry ``page:LIST:SUBJECT:START`` (SUBJECT: whose list, e.g. the pair's id) and a click re-reads
the list as it is now and shows that page in place of the clicked message. An entry longer
than a page is cut with "…".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.grammar import DIGITS
from bot.core.replies import SAID_END, SAID_START, Button, Message, unmarked
from prompts.messages import render

PAGE_PREFIX = "page:"
PAGE_CHARS = 1700  # of a page's entries, leaving room for its footer and a heading…
HEADING_ROOM = 200  # …of up to this many characters; a longer heading leaves less for entries


@dataclass(frozen=True)
class PageAction:
    """A parsed page button: which list, whose (a pair's id, a summary's scope), from which
    entry."""

    listing: str
    subject: str | int
    start: int

    def __str__(self) -> str:
        return f"{PAGE_PREFIX}{self.listing}:{self.subject}:{self.start}"

    @classmethod
    def parse(cls, action: str) -> PageAction | None:
        parts = action.removeprefix(PAGE_PREFIX).split(":")
        if len(parts) != 3 or not parts[1] or not DIGITS.fullmatch(parts[2]):
            return None
        return cls(parts[0], parts[1], int(parts[2]))


def page_starts(entries: Sequence[str], budget: int = PAGE_CHARS) -> list[int]:
    """The index of each page's first entry, packing entries greedily into ``budget``."""
    starts, used = [0], 0
    for index, entry in enumerate(entries):
        size = min(len(unmarked(entry)), budget) + 1
        if used and used + size > budget:
            starts.append(index)
            used = 0
        used += size
    return starts


def fit(entry: str, budget: int = PAGE_CHARS) -> str:
    """An entry cut to about ``budget`` characters with "…", at a word where one is near;
    a cut inside what a person wrote keeps it marked as theirs."""
    if len(unmarked(entry)) <= budget:
        return entry
    cut = entry[: budget - 1]
    space = cut.rfind(" ", budget - 80)
    cut = cut[:space] if space > 0 else cut
    if cut.count(SAID_START) > cut.count(SAID_END):
        cut += SAID_END
    return cut + "…"


def paged(
    heading: str,
    entries: Sequence[str],
    start: int,
    action: Callable[[int], str],
    labels: tuple[str, str] | None = None,
) -> Message:
    """The page of ``entries`` beginning at ``start`` (snapped to a page boundary), under
    ``heading``, with buttons to the neighbouring pages and a line saying where it is."""
    labels = labels or (render("paging.newer"), render("paging.older"))
    budget = PAGE_CHARS - max(0, len(unmarked(heading)) - HEADING_ROOM)
    fitted = [fit(entry, budget) for entry in entries]
    starts = page_starts(fitted, budget)
    page = max((i for i, s in enumerate(starts) if s <= start), default=0)
    first = starts[page]
    last = starts[page + 1] if page + 1 < len(starts) else len(fitted)
    lines = [heading, *fitted[first:last]]
    buttons = []
    if len(starts) > 1:
        lines.append(render("paging.position", first=first + 1, last=last, total=len(fitted)))
        if page > 0:
            buttons.append(Button(labels[0], action(starts[page - 1])))
        if page + 1 < len(starts):
            buttons.append(Button(labels[1], action(starts[page + 1])))
    return Message("\n".join(lines), buttons=tuple(buttons))
