"""Whatever a member types, the core answers with a sentence, never an internal error; a refused
command changes nothing; an action that is done is the one asked for."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from bot.core.commands import BY_NAME
from bot.core.grammar import parse
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
        "export",
        "help",
        "today",
        "yesterday",
        "45m",
        "13h",
        "next:",
        "2026-02-30",
        "@ben",
        "@ada",
        "@cy",
        "--period",
        "--from",
        "2027Q1",
        "9999Q4",
        "1",
        "2",
        "-3",
        "0m",
        "③",
        "18446744073709551616",
        "…",
    ]
)
TEXT = st.one_of(st.text(max_size=80), st.lists(WORDS, max_size=6).map(" ".join))
# The audit entries each verb may write when it succeeds; any other means an action was swapped.
AUDITED = {
    "add": {"goal.add"},
    "done": {"goal.done"},
    "reopen": {"goal.reopen"},
    "drop": {"goal.drop"},
    "edit": {"goal.edit"},
    "log": {"meeting.log"},
    "delete": {"meeting.delete"},
    "share": {"meeting.share"},
    "pause": {"pair.pause"},
    "resume": {"pair.resume"},
}
KEPT_ON_REFUSAL = {"drafts"}  # a refusal keeps what was typed for the form button, nothing else


def snapshot(core) -> dict[str, list[tuple]]:
    with core.sessions() as session:
        tables = inspect(session.get_bind()).get_table_names()
        return {
            name: sorted(map(tuple, session.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
            for name in tables
            if name not in KEPT_ON_REFUSAL
        }


def audit_actions(core) -> list[str]:
    with core.sessions() as session:
        return list(session.scalars(text("SELECT action FROM audit_events ORDER BY id")))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    command=st.sampled_from(sorted(BY_NAME)),
    typed=TEXT,
    who=st.sampled_from(["ada", "ben", "casey", "zoe"]),
)
def test_any_text_gets_an_answer_and_a_refusal_changes_nothing(core, pair_id, command, typed, who):
    """Every command answers any text with a message or a form, never the apology; a refusal
    leaves every table as it was and gives back what was typed."""
    before = snapshot(core)
    actions = len(audit_actions(core))
    reply = core.command(actor(who), command, typed)
    assert reply.message is not None or reply.form is not None
    if reply.message is not None:
        assert reply.message.text.strip()
        assert "something went wrong" not in reply.message.text
    if reply.message is not None and reply.message.typed:
        assert reply.message.typed == f"/{command} {typed.strip()}".strip()[:300] or (
            reply.message.typed.endswith("…") and len(reply.message.typed) == 300
        )
        assert snapshot(core) == before
        return
    verb = parse(BY_NAME[command], typed).verb
    assert set(audit_actions(core)[actions:]) <= AUDITED.get(verb, set())
