"""A fuzz of the public surface: thousands of generated inputs per command, as typed text, as
Discord-typed options and as form submissions, by members, a stranger and the coordinator,
inside and outside the pair's conversation.

Whatever comes in: an answer (a sentence or a form), never the apology; a refusal changes no
table and gives back what was typed; an action that is done is the one asked for (its audit
entries); nothing is stored over its limit. ``FUZZ_EXAMPLES`` sets the inputs per command and
path (``make fuzz`` runs thousands; ``make test`` a few hundred).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from bot.core.commands import BY_NAME, COMMANDS
from bot.core.grammar import Invocation, parse
from bot.core.limits import GOAL_TEXT, MAX_MEETING_MINUTES, NEXT_STEPS, NOTES, REFLECTION_TEXT
from storage.models import CompetencyRating, Delivery, Goal, Meeting, Reflection
from tests.support.bot import PairSpec, actor, add_pair, make_core, snapshot

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WHO = st.sampled_from(["ada", "ben", "casey", "zoe"])
WHERE = st.sampled_from([None, "G-ada-ben", "G-elsewhere"])
MENTIONS = st.sampled_from(["@ada", "@ben", "@Ben,", "@cy", "@", "@U0123"])
VALUES = st.sampled_from(
    [
        "1",
        "2",
        "3",
        "0",
        "-3",
        "007",
        "③",
        "²",
        "１",
        "18446744073709551616",
        "1.5",
        "today",
        "yesterday",
        "tomorrow",
        "tue",
        "sat",
        "3 days ago",
        "2026-02-30",
        "2026-11-03",
        "45m",
        "1h30m",
        "0m",
        "13h",
        "99999999999m",
        "next:",
        "NEXT:",
        "rating:4",
        "rating:9",
        "rating:",
        "Rating:٣",
        "yes",
        "maybe",
        "--period",
        "--period=2026Q4",
        "9999Q4",
        "2027Q5",
        "--from",
        "2026-10-01",
        "--to",
        '"Spring',
        '2027"',
        "Fall",
        "…",
        "📚",
        "<b>",
        "*bold*",
        "`code`",
        "",
    ]
)
FREE = st.text(max_size=40)
# The AUDITED actions each verb may write when it succeeds; any other means a swapped action.
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
    "program": {"program.edit"},
    "announce": {"program.announce"},
    "reflect": {"reflection.answer", "goal.done"},
    "competencies": {"competencies.rate"},
}


def verbs_and_typos(command) -> st.SearchStrategy[str]:
    names = [v.name for v in command.verbs] + [a for v in command.verbs for a in v.aliases]
    typos = [n[:-1] for n in names if len(n) > 2] + [n.upper() for n in names]
    return st.sampled_from(names + typos)


def typed_text(command) -> st.SearchStrategy[str]:
    """Words shaped like the grammar: [mention] [verb] [mention] arguments…, or anything."""
    shaped = st.tuples(
        st.one_of(st.none(), MENTIONS),
        st.one_of(st.none(), verbs_and_typos(command)),
        st.one_of(st.none(), MENTIONS),
        st.lists(st.one_of(VALUES, MENTIONS, FREE), max_size=5),
    ).map(lambda parts: " ".join(p for p in [*parts[:3], *parts[3]] if p))
    return st.one_of(shaped, st.text(max_size=120))


def audit_actions(core) -> list[str]:
    with core.sessions() as session:
        return list(session.scalars(text("SELECT action FROM audit_events ORDER BY id")))


def nothing_over_its_limit(core) -> None:
    with core.sessions() as session:
        assert (session.scalar(select(func.max(func.length(Goal.text)))) or 0) <= GOAL_TEXT
        notes, steps, shortest = session.execute(
            select(
                func.max(func.length(Meeting.notes)),
                func.max(func.length(Meeting.next_steps)),
                func.min(Meeting.duration_minutes),
            )
        ).one()
        assert (notes or 0) <= NOTES and (steps or 0) <= NEXT_STEPS
        assert shortest is None or shortest >= 1
        ratings = session.scalars(select(Meeting.rating).where(Meeting.rating.is_not(None)))
        assert all(1 <= rating <= 5 for rating in ratings)
        for answer in session.scalars(select(Reflection)):
            assert 1 <= answer.score <= 5
            assert len(answer.worked) <= REFLECTION_TEXT and len(answer.change) <= REFLECTION_TEXT
        assert all(1 <= r.level <= 4 for r in session.scalars(select(CompetencyRating)))
        days = session.scalars(
            select(func.sum(Meeting.duration_minutes)).group_by(Meeting.pair_id, Meeting.met_on)
        )
        assert all((total or 0) <= MAX_MEETING_MINUTES for total in days)


def answered(core, reply, before, actions, verb: str | None) -> None:
    """The invariants every answer keeps."""
    assert reply.message is not None or reply.form is not None or reply.field_errors
    if reply.message is not None:
        assert reply.message.text.strip()
        assert "something went wrong" not in reply.message.text
    refused = bool(reply.field_errors) or (reply.message is not None and reply.message.typed)
    if refused:
        assert snapshot(core) == before
    elif verb is not None:
        assert set(audit_actions(core)[actions:]) <= AUDITED.get(verb, set())
    nothing_over_its_limit(core)


@pytest.fixture
def core(db_url, clock):
    """Thousands of commands in one frozen minute: the commands-a-minute limit (tested on its
    own) is off here."""
    return make_core(db_url, clock, MENTORBOT_COMMANDS_PER_MINUTE=0)


@pytest.fixture
def world(core, program_id):
    add_pair(core, program_id, PairSpec("ada", "ben", conversation_id="G-ada-ben"))
    add_pair(core, program_id, PairSpec("ada", "cy", conversation_id="G-ada-cy"))
    core.command(actor("ben"), "goal", "add A first goal")
    core.command(actor("ben"), "log-meeting", "@ada yesterday 30m a first meeting")
    midpoint = Delivery(  # delivery 1: pair 1's midpoint reflection, sent
        pair_id=1,
        kind="midpoint",
        round_key="r4",
        due_at=core.clock(),
        status="sent",
        message_ref="1.0",
        sent_at=core.clock(),
    )
    core.transaction(lambda session: session.add(midpoint))
    return core


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_typed_text(world, command):
    @FUZZ
    @given(typed=typed_text(command), who=WHO, where=WHERE)
    def typed(typed, who, where):
        before, actions = snapshot(world), len(audit_actions(world))
        reply = world.command(actor(who), command.name, typed, where)
        try:
            verb = parse(command, typed).verb
        except Exception:
            verb = None
        if reply.message is not None and reply.message.typed:
            assert reply.message.typed == f"/{command.name} {typed.strip()}".strip()[:300] or (
                reply.message.typed.endswith("…") and len(reply.message.typed) == 300
            )
        answered(world, reply, before, actions, verb)

    typed()


RAW = st.one_of(
    VALUES, FREE, st.integers(-(2**70), 2**70), st.lists(VALUES, max_size=3), st.booleans()
)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_options_sent_already_typed(world, command):
    """What Discord sends: a verb, typed option values (any type), a partner id."""
    names = sorted({a.name for v in command.verbs for a in v.args} | {"bogus"})

    @FUZZ
    @given(
        verb=st.sampled_from([v.name for v in command.verbs] + ["nope"]),
        raw=st.dictionaries(st.sampled_from(names), RAW, max_size=4),
        partners=st.lists(st.sampled_from(["ada", "ben", "cy", "U9"]), max_size=2),
        who=WHO,
        where=WHERE,
    )
    def options(verb, raw, partners, who, where):
        before, actions = snapshot(world), len(audit_actions(world))
        invocation = Invocation(command.name, verb, raw, tuple(partners), f"/{command.name}")
        reply = world.invoke(actor(who), invocation, where)
        answered(world, reply, before, actions, verb)

    options()


FORM_VERBS = {"log-meeting": "log", "reflection": "reflect", "competencies": "competencies"}


@pytest.mark.parametrize("form_id", ["log-meeting", "goal", "reflection", "competencies"])
def test_forms_submitted_with_anything(world, form_id):
    fields = ["date", "duration", "activity", "notes", "next_steps", "goals", "text", "rating"]
    fields += ["score", "worked", "change", "reached", "share", "client-group", "programming"]

    @FUZZ
    @given(
        context=st.sampled_from(
            [
                "pair:1",
                "pair:2",
                "pair:1:goal:1",
                "pair:1:goal:9",
                "pair:1:delivery:5",
                "pair:1:reflect:1",
                "pair:2:reflect:1",
                "pair:1:reflect:x",
                "pair:1:kickoff:0",
                "pair:1:closing:1",
                "pair:1:closing:9",
                "x",
                "",
            ]
        ),
        values=st.dictionaries(st.sampled_from(fields), RAW, max_size=6),
        who=WHO,
    )
    def submitted(context, values, who):
        before, actions = snapshot(world), len(audit_actions(world))
        reply = world.submit(actor(who), form_id, context, values)
        verb = FORM_VERBS.get(form_id) or ("edit" if ":goal:" in context else "add")
        answered(world, reply, before, actions, verb)

    submitted()


def test_every_command_is_fuzzed():
    assert {c.name for c in COMMANDS} == set(BY_NAME)
