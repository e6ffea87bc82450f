"""The one grammar: how each command's words are read, as tables, and properties over any text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import BY_NAME, COMMANDS
from bot.core.errors import InputError
from bot.core.grammar import (
    Invocation,
    Number,
    Style,
    Text,
    bind,
    example_of,
    help_text,
    parse,
    usage,
    usage_hint,
)
from bot.core.limits import GOAL_TEXT, MAX_PAUSE_WEEKS
from bot.core.limits import MAX_MEETING_MINUTES as MAX_MINUTES
from bot.core.limits import NEXT_STEPS as MAX_NEXT_STEPS
from bot.core.limits import NOTES as MAX_NOTES
from bot.core.meetings import LOG, LOG_MEETING

TODAY = dt.date(2026, 11, 22)  # a Sunday
D = dt.date


def read(command: str, text: str) -> Invocation:
    return parse(BY_NAME[command], text)


def checked(command: str, text: str) -> tuple[dict, dict]:
    """The values and errors of ``text`` read and bound as the core binds them."""
    declared = BY_NAME[command]
    invocation = parse(declared, text)
    return bind(declared, declared.verb(invocation.verb), invocation.raw, TODAY)


def refusal(command: str, text: str) -> str:
    with pytest.raises(InputError) as refused:
        read(command, text)
    return refused.value.message


def read_meeting(text: str) -> dict:
    invocation = parse(LOG_MEETING, text)
    assert invocation.verb == "log"
    values, errors = bind(LOG_MEETING, LOG, invocation.raw, TODAY)
    assert errors == {}
    return values


def meeting_errors(text: str) -> dict[str, str]:
    invocation = parse(LOG_MEETING, text)
    return bind(LOG_MEETING, LOG, invocation.raw, TODAY)[1]


# -- which verb, which partner, which words -------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "text", "verb", "raw", "partners"),
    [
        ("goal", "", "list", {}, ()),
        ("goal", "list", "list", {}, ()),
        ("goal", "LIST", "list", {}, ()),
        ("goal", "@ben", "list", {}, ("ben",)),
        ("goal", "@ben list", "list", {}, ("ben",)),
        ("goal", "list @ben", "list", {}, ("ben",)),
        ("goal", "add Plan storytime", "add", {"text": "Plan storytime"}, ()),
        ("goal", "@ben add Plan storytime", "add", {"text": "Plan storytime"}, ("ben",)),
        ("goal", "add @ben Plan storytime", "add", {"text": "Plan storytime"}, ("ben",)),
        ("goal", "@ben, add Plan", "add", {"text": "Plan"}, ("ben",)),
        ("goal", "add Shadow @ana at storytime", "add", {"text": "Shadow @ana at storytime"}, ()),
        ("goal", "add", "add", {}, ()),
        ("goal", "done 1", "done", {"number": "1"}, ()),
        ("goal", "@ben done 1", "done", {"number": "1"}, ("ben",)),
        ("goal", "done @ben 1", "done", {"number": "1"}, ("ben",)),
        ("goal", "@U0123 drop 2", "drop", {"number": "2"}, ("U0123",)),
        ("goal", "reopen 3", "reopen", {"number": "3"}, ()),
        ("goal", "edit 2 New words  here", "edit", {"number": "2", "text": "New words  here"}, ()),
        ("goal", "@ben edit 2 x", "edit", {"number": "2", "text": "x"}, ("ben",)),
        ("goal", "@ben add @ben twice", "add", {"text": "twice"}, ("ben", "ben")),
        ("goal", "ideas", "ideas", {}, ()),
        ("goal", "help", "help", {}, ()),
        ("goal", "--help", "help", {}, ()),
        ("goal", "?", "help", {}, ()),
        ("log-meeting", "", "log", {}, ()),
        ("log-meeting", "@ben", "log", {}, ("ben",)),
        (
            "log-meeting",
            "@ben yesterday 45m talked",
            "log",
            {"date": "yesterday", "duration": "45m", "notes": "talked"},
            ("ben",),
        ),
        (
            "log-meeting",
            "yesterday @ben 45m",
            "log",
            {"date": "yesterday", "notes": "@ben 45m"},
            (),
        ),
        ("log-meeting", "@ben list", "list", {}, ("ben",)),
        ("log-meeting", "list @ben", "list", {}, ("ben",)),
        ("log-meeting", "@U0123 delete 2", "delete", {"number": "2"}, ("U0123",)),
        ("log-meeting", "share 3", "share", {"number": "3"}, ()),
        ("log-meeting", "next: send CVs", "log", {"next_steps": "send CVs"}, ()),
        (
            "log-meeting",
            "today 1h talked next: read",
            "log",
            {"date": "today", "duration": "1h", "notes": "talked", "next_steps": "read"},
            (),
        ),
        ("mentoring", "", "help", {}, ()),
        ("mentoring", "@ben pause 4", "pause", {"weeks": "4"}, ("ben",)),
        ("mentoring", "pause @ben 4", "pause", {"weeks": "4"}, ("ben",)),
        ("mentoring", "pause", "pause", {}, ()),
        ("mentoring", "status @ben", "status", {}, ("ben",)),
        ("mentoring", "export", "export", {}, ()),
        ("mentoring-summary", "", "show", {}, ()),
        ("mentoring-summary", "Fall", "show", {"cohort": "Fall"}, ()),
        ("mentoring-summary", '"Spring 2027"', "show", {"cohort": '"Spring 2027"'}, ()),
        ("mentoring-summary", "“Spring 2027”", "show", {"cohort": "“Spring 2027”"}, ()),
        ("mentoring-summary", "--period 2027Q1", "show", {"period": "2027Q1"}, ()),
        (
            "mentoring-summary",
            "--period=2027Q1 Fall",
            "show",
            {"period": "2027Q1", "cohort": "Fall"},
            (),
        ),
        ("mentoring-summary", "--from 2027-01-01", "show", {"start": "2027-01-01"}, ()),
        (
            "mentoring-summary",
            "Fall --from 2027-01-01 --to 2027-03-31",
            "show",
            {"cohort": "Fall", "start": "2027-01-01", "end": "2027-03-31"},
            (),
        ),
        ("mentoring-summary", "help", "help", {}, ()),
    ],
)
def test_words_are_read_as_verb_arguments_and_partner(command, text, verb, raw, partners):
    """Each verb takes its arguments; a partner stands right after the command or the verb."""
    invocation = read(command, text)
    assert (invocation.verb, dict(invocation.raw), invocation.partners) == (verb, raw, partners)
    assert invocation.typed == f"/{command} {text}".strip()


@pytest.mark.parametrize(
    ("command", "text", "words"),
    [
        ("goal", "done 1 garbage", ["“garbage”", "`/goal done 2`"]),
        ("goal", "list @cy whatever", ["“whatever”"]),
        ("goal", "ideas please", ["“please”"]),
        (
            "goal",
            "Read more books",
            ["“Read” is not a /goal command", "`/goal add Read more books`"],
        ),
        ("goal", "ad Plan", ["Did you mean `/goal add Plan`?"]),
        ("goal", "@", ["“@” is not a /goal command"]),
        ("log-meeting", "lsit", ["looks like `/log-meeting list`", "`/log-meeting today lsit`"]),
        ("log-meeting", "delte 2", ["looks like `/log-meeting delete`"]),
        (
            "log-meeting",
            "list of books we read",
            ["“of books we read”", "`/log-meeting today list of books we read`"],
        ),
        ("log-meeting", "help me", ["“me”"]),
        ("mentoring", "@ben pause 4 extra", ["“extra”", "`/mentoring pause 4`"]),
        ("mentoring", "statsu", ["Did you mean `/mentoring status`?"]),
        ("mentoring", "pause 4 weeks", ["“weeks”"]),
        ("mentoring-summary", "Fall extra", ["“extra”", "in quotes"]),
        ("mentoring-summary", "--bogus", ["“--bogus” is not an option", "--period 2027Q1"]),
        ("mentoring-summary", "--period", ["--period needs a value", "`--period 2027Q1`"]),
        ("mentoring-summary", "--period 2027Q1 --period 2027Q2", ["given twice"]),
        ("mentoring-summary", '"Spring 2027', ["never closed"]),
    ],
)
def test_what_cannot_be_read_is_refused_naming_it(command, text, words):
    """Left-over words, unknown verbs, typos and bad options are refused, never ignored."""
    message = refusal(command, text)
    for word in words:
        assert word in message


# -- values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", ["③", "²", "１", "18446744073709551616", "-3", "0", "1.5", "two", "100001", "1e3"]
)
def test_goal_numbers_are_ascii_digits_in_range(number):
    """Unicode digits, signs, huge numbers and words are not goal numbers, and say so."""
    errors = checked("goal", f"done {number}")[1]
    assert "from 1 to 100,000" in errors["number"]
    assert "`/goal done 2`" in errors["number"]


@pytest.mark.parametrize(("text", "number"), [("1", 1), ("007", 7), ("100000", 100_000)])
def test_goal_numbers_read(text, number):
    assert checked("goal", f"done {text}")[0]["number"] == number


@pytest.mark.parametrize(("weeks", "ok"), [("1", True), ("26", True), ("27", False), ("²", False)])
def test_pause_weeks(weeks, ok):
    """A pause is 1 to 26 weeks, in ASCII digits."""
    values, errors = checked("mentoring", f"pause {weeks}")
    assert (values["weeks"] == int(weeks)) if ok else "from 1 to 26" in errors["weeks"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("--period 9999Q4", "between 2000 and 2099"),
        ("--period 2027Q5", "not a quarter"),
        ("--from 2027-02-30", "not a date like 2027-01-31"),
        ("--from 2027-1-5", "not a date like 2027-01-31"),
        ("--to 1999-12-31", "between 2000 and 2099"),
    ],
)
def test_periods_that_do_not_exist_are_refused(text, error):
    assert error in " ".join(checked("mentoring-summary", text)[1].values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2027Q1", (D(2027, 1, 1), D(2027, 3, 31))), ("2027-q4", (D(2027, 10, 1), D(2027, 12, 31)))],
)
def test_quarters(text, expected):
    assert checked("mentoring-summary", f"--period {text}")[0]["period"] == expected


def test_quoted_cohort_loses_its_quotes():
    assert checked("mentoring-summary", '"Spring 2027"')[0]["cohort"] == "Spring 2027"


def test_goal_text_limit_and_spacing():
    """A goal is at most 500 characters; runs of spaces fold into one."""
    assert checked("goal", "add  a   b")[0]["text"] == "a b"
    assert checked("goal", "add " + "y" * GOAL_TEXT)[1] == {}
    errors = checked("goal", "add " + "y" * (GOAL_TEXT + 1))[1]
    assert "501 characters" in errors["text"] and "at most 500" in errors["text"]


def test_a_required_argument_left_out_says_what_to_type():
    errors = checked("goal", "done")[1]
    assert errors == {
        "number": "`/goal done` needs a goal number; type e.g. `/goal done 2` "
        "(`/goal list` shows the numbers)."
    }


# -- the meeting text form --------------------------------------------------------------------
def meeting(met_on: dt.date, minutes: int | None, notes: str, next_steps: str = "") -> dict:
    return {"date": met_on, "duration": minutes, "notes": notes, "next_steps": next_steps}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", meeting(TODAY, None, "")),
        ("talked about CVs", meeting(TODAY, None, "talked about CVs")),
        (
            "yesterday 45m mock interview next: send CVs",
            meeting(D(2026, 11, 21), 45, "mock interview", "send CVs"),
        ),
        ("2026-11-03 1h30m went well", meeting(D(2026, 11, 3), 90, "went well")),
        ("tue 1h 30m two-token duration", meeting(D(2026, 11, 17), 90, "two-token duration")),
        ("3 days ago 45 minutes chat", meeting(D(2026, 11, 19), 45, "chat")),
        ("last friday 2 hours long walk", meeting(D(2026, 11, 20), 120, "long walk")),
        ("99 days ago", meeting(D(2026, 8, 15), None, "")),
        ("1 hour 30 minutes site visit", meeting(TODAY, 90, "site visit")),
        ("Tuesday we talked", meeting(D(2026, 11, 17), None, "we talked")),
        ("Yesterday, 1h. we talked", meeting(D(2026, 11, 21), 60, "we talked")),
        ("45m only a duration", meeting(TODAY, 45, "only a duration")),
        ("45m yesterday either order", meeting(D(2026, 11, 21), 45, "either order")),
        ("1:30 mock panel", meeting(TODAY, 90, "mock panel")),
        ("3 books discussed", meeting(TODAY, None, "3 books discussed")),
        ("today 3 books discussed", meeting(TODAY, None, "3 books discussed")),
        ("1h 30 people came", meeting(TODAY, 60, "30 people came")),
        ("10-15 minutes on goals", meeting(TODAY, None, "10-15 minutes on goals")),
        ("last time we met", meeting(TODAY, None, "last time we met")),
        ("Sat down with the CV", meeting(TODAY, None, "Sat down with the CV")),
        ("sat 45m mock", meeting(D(2026, 11, 21), 45, "mock")),
        ("sun", meeting(D(2026, 11, 15), None, "")),
        ("today 1h  line one\nline two  ", meeting(TODAY, 60, "line one\nline two")),
        ("NEXT: only next steps", meeting(TODAY, None, "", "only next steps")),
        ("today 1h notes Next: a next: b", meeting(TODAY, 60, "notes", "a next: b")),
        ("today 1h next:", meeting(TODAY, 60, "", "")),
        ("next: 2026-02-30", meeting(TODAY, None, "", "2026-02-30")),
        ("yesterday 45m rating:4 mock", {**meeting(D(2026, 11, 21), 45, "mock"), "rating": 4}),
        ("rating:5 first", {**meeting(TODAY, None, "first"), "rating": 5}),
        ("45m mock interview Rating:3", {**meeting(TODAY, 45, "mock interview"), "rating": 3}),
        ("chat next: call rating:2", {**meeting(TODAY, None, "chat", "call"), "rating": 2}),
        ("a rating of 4", {**meeting(TODAY, None, "a rating of 4"), "rating": None}),
    ],
)
def test_meeting_text_reads_as_date_duration_notes_next_steps(text, expected):
    """The text form splits into date, duration, notes and next steps."""
    values = read_meeting(text)
    assert {name: values[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("2026-13-01 planning", "date", ["no month 13"]),
        ("2026-02-30", "date", ["February 2026 has 28 days"]),
        ("2026/11/31 45m x", "date", ["30 days"]),
        ("-3 days ago we met", "date", ["whole number"]),
        ("tomorrow 1h plan", "date", ["future"]),
        ("03.11.2026 1h", "date", ["not a date"]),
        ("today 0m x", "duration", ["at least a minute"]),
        ("0m", "duration", ["at least a minute"]),
        ("13h", "duration", ["at most 12h"]),
        ("yesterday 13 hours marathon", "duration", ["at most 12h"]),
        ("today 0 minutes", "duration", ["at least a minute"]),
        ("tue -5m x", "duration", ["not a duration"]),
        ("today 1:75 x", "duration", ["not a duration"]),
        ("today 1h " + "x" * (MAX_NOTES + 1), "notes", [f"{MAX_NOTES + 1:,}", f"{MAX_NOTES:,}"]),
        ("ok next: " + "y" * (MAX_NEXT_STEPS + 1), "next_steps", [f"{MAX_NEXT_STEPS:,}"]),
        ("today 1h rating:6", "rating", ["“6” is not how useful the meeting was from 1 to 5"]),
        ("rating:0 chat", "rating", ["from 1 to 5"]),
        ("rating:four chat", "rating", ["“four”", "from 1 to 5"]),
        ("rating:٤ chat", "rating", ["from 1 to 5"]),
    ],
)
def test_meeting_text_refuses_invalid_leading_parts(text, field, words):
    """A leading word that tries to be a date or duration but is wrong is refused, not noted."""
    errors = meeting_errors(text)
    assert field in errors
    for word in words:
        assert word in errors[field]


def test_notes_at_the_limit_are_kept():
    """Exactly MAX_NOTES characters of notes is allowed."""
    notes = "x" * MAX_NOTES
    assert read_meeting(f"today {notes}")["notes"] == notes


# -- properties over any text ---------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "add",
        "done",
        "edit",
        "drop",
        "reopen",
        "list",
        "ideas",
        "help",
        "pause",
        "resume",
        "status",
        "share",
        "delete",
        "export",
        "today",
        "yesterday",
        "tue",
        "sat",
        "3",
        "days",
        "ago",
        "45m",
        "1h",
        "0m",
        "13h",
        "next:",
        "2026-02-30",
        "@ben",
        "@",
        "--period",
        "--from",
        "--to",
        "2027Q1",
        "9999Q4",
        '"Spring',
        '2027"',
        "③",
        "18446744073709551616",
        "-3",
        "…",
    ]
)
ANY_TEXT = st.one_of(st.text(max_size=120), st.lists(WORDS, max_size=8).map(" ".join))


@given(command=st.sampled_from(COMMANDS), text=ANY_TEXT)
def test_any_text_is_read_or_refused_with_a_sentence(command, text):
    """Reading never fails but with a sentence; binding never raises; values keep limits."""
    try:
        invocation = parse(command, text)
    except InputError as error:
        assert error.message.strip()
        return
    verb = command.verb(invocation.verb)
    values, errors = bind(command, verb, invocation.raw, TODAY)
    for arg in verb.args:
        value = values[arg.name]
        if arg.name in errors:
            assert errors[arg.name].strip()
        elif isinstance(arg, Text):
            assert len(value) <= arg.maximum
        elif isinstance(arg, Number) and value is not None:
            assert arg.minimum <= value <= arg.maximum
    if "duration" in values and values["duration"] is not None and "duration" not in errors:
        assert 1 <= values["duration"] <= MAX_MINUTES


TEXT_WORDS = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).filter(
        lambda w: not w.startswith("@") and not any(c.isspace() for c in w)
    ),
    min_size=1,
    max_size=6,
).map(" ".join)
NAMES = st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True)


@given(name=NAMES, words=TEXT_WORDS, first=st.booleans())
def test_a_partner_named_at_either_place_leaves_the_text_whole(name, words, first):
    """`/goal @ben add TEXT` and `/goal add @ben TEXT` both read TEXT exactly as typed."""
    text = f"@{name} add {words}" if first else f"add @{name} {words}"
    invocation = read("goal", text)
    assert invocation.partners == (name,)
    assert invocation.raw["text"] == words.strip()


@given(words=TEXT_WORDS, name=NAMES, at=st.integers(0, 6))
def test_a_mention_inside_the_text_is_kept_as_typed(words, name, at):
    """Any @word that is not at a partner position is part of the goal's text."""
    parts = words.split(" ")
    parts.insert(min(at, len(parts)) or 1, f"@{name}")
    goal = " ".join(parts)
    invocation = read("goal", f"add {goal}")
    assert invocation.partners == ()
    assert invocation.raw["text"] == goal


@given(text=st.text(max_size=12))
def test_numbers_are_whole_ascii_digits(text):
    """A number argument accepts exactly ASCII digits within its range."""
    arg = Number("n", "N", "a number", minimum=1, maximum=MAX_PAUSE_WEEKS)
    try:
        value = arg.convert(text, TODAY, "/x 1")
    except InputError:
        assert not (text.strip().isascii() and text.strip().isdigit()) or not (
            1 <= int(text.strip()) <= MAX_PAUSE_WEEKS
        )
    else:
        assert text.strip().isascii() and text.strip().isdigit() and value == int(text.strip())


# -- explanations made from the declarations --------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_help_shows_every_verb_with_its_usage(command):
    text = help_text(command)
    for verb in command.verbs:
        assert f"`{usage(command, verb)}`" in text
        assert verb.help in text


def test_usage_hints_read_like_the_manual():
    assert usage_hint(BY_NAME["goal"]).startswith("[list | add TEXT | done N |")
    assert usage_hint(LOG_MEETING).startswith(
        "[DATE] [DURATION] [NOTES…] [next: NEXT STEPS] [rating:N] |"
    )


@pytest.mark.parametrize(
    ("command", "lines"),
    [
        ("goal", ["• `/goal done number:N`: mark goal N done", "the `partner` option"]),
        (
            "log-meeting",
            [
                "• `/log-meeting manage:delete number:N`",
                "`/log-meeting date:DATE duration:DURATION",
            ],
        ),
        ("mentoring-summary", ["`/mentoring-summary cohort:COHORT period:QUARTER from:DATE"]),
    ],
)
def test_help_for_typed_options_is_written_as_options(command, lines):
    """Where the platform types options (Discord), help shows them that way, not as text."""
    text = help_text(BY_NAME[command], Style.OPTIONS)
    for line in lines:
        assert line in text
    assert "@sam" not in text and "in quotes" not in text


def test_examples_follow_the_platforms_way_of_typing():
    assert example_of(BY_NAME["goal"], BY_NAME["goal"].verb("done"), Style.OPTIONS) == (
        "/goal done number:2"
    )
    assert example_of(LOG_MEETING, LOG_MEETING.verb("share"), Style.OPTIONS) == (
        "/log-meeting manage:share number:2"
    )
    summary = BY_NAME["mentoring-summary"]
    assert example_of(summary, summary.default_verb, Style.OPTIONS) == (
        "/mentoring-summary period:2027Q1"
    )
