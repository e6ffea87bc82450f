"""Whatever a member types, the core answers with a sentence and never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.service import COMMANDS, SORRY
from tests.support.bot import actor

WORDS = st.sampled_from(
    [
        "add",
        "done",
        "edit",
        "drop",
        "reopen",
        "list",
        "ideas",
        "pause",
        "resume",
        "status",
        "share",
        "delete",
        "today",
        "45m",
        "next:",
        "2026-02-30",
        "@ben",
        "--period",
        "2027Q1",
        "1",
        "-3",
        "0m",
        "…",
    ]
)
TEXT = st.one_of(st.text(max_size=80), st.lists(WORDS, max_size=5).map(" ".join))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    command=st.sampled_from(sorted(COMMANDS)),
    text=TEXT,
    who=st.sampled_from(["ada", "ben", "casey", "zoe"]),
)
def test_any_text_gets_an_answer(core, pair_id, command, text, who):
    """Every command answers any text with a message or a form, never an internal error."""
    reply = core.command(actor(who), command, text)
    assert reply.message is not None or reply.form is not None
    if reply.message is not None:
        assert reply.message.text.strip()
        assert reply.message.text != SORRY
