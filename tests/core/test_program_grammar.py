"""A program's settings as coordinators type them (issue 11): how often, on which weekday, at
what time, in which time zone, for which cohorts and Discord channel. Tables of what is read and
what is refused (with the very sentence), properties over any text, and the same words through
the one parser, bind and a coordinator's conversation."""

from __future__ import annotations

import datetime as dt
import re
import string
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import InputError
from bot.core.grammar import Arg, Style, bind, parse, shorten, usage
from bot.core.mentoring_admin import ADMIN, PROGRAM, cli_change, read_change
from bot.core.programs import AT, EVERY, ON, ZONE, ProgramChange, change_of
from bot.core.replies import unmarked
from storage.models import Cohort, Program
from tests.support.bot import actor, rows, snapshot, text_of
from tests.support.dialog import verify_dialog

TODAY = dt.date(2026, 11, 22)
T = dt.time
MANY = settings(max_examples=3000, deadline=None)
CHAT_EXAMPLE = "/mentoring-admin program --every 2w --on thursday --at 15:00"
ZONES = sorted(zoneinfo.available_timezones() - {"localtime"})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CASEY = actor("casey")


def read(arg: Arg, raw: object, style: Style = Style.CLI) -> tuple[object, str | None]:
    """The value of ``raw`` given for ``arg`` alone, and its refusal (None when read)."""
    values, errors = bind(ADMIN, PROGRAM, {arg.name: raw}, TODAY, style)
    return values[arg.name], errors.get(arg.name)


def accepted(arg: Arg, raw: object) -> object:
    value, error = read(arg, raw)
    assert error is None, error
    return value


def refused(arg: Arg, raw: object) -> str:
    value, error = read(arg, raw)
    assert error is not None, f"{raw!r} was read as {value!r}"
    assert value is None
    return error


def refusal(text: str) -> str:
    """What the parser says about ``text`` typed after ``/mentoring-admin``."""
    with pytest.raises(InputError) as caught:
        parse(ADMIN, text)
    return caught.value.message


# -- how often: Weeks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "weeks"),
    [
        ("3w", 3),
        ("3", 3),
        ("3 weeks", 3),
        ("1 week", 1),
        ("1w", 1),
        ("12w", 12),
        ("03w", 3),
        ("3W", 3),
        ("3 WEEKS", 3),
        ("3wk", 3),
        ("3wks", 3),
        ("3 wks", 3),
        ("3weeks", 3),
        (" 4w ", 4),
        ("3  weeks", 3),  # spaces fold, as the refusal would show them
        (3, 3),  # an option a platform sent already typed
        (12, 12),
    ],
)
def test_weeks_read(raw, weeks):
    """How often is a count of weeks, with or without its unit."""
    assert accepted(EVERY, raw) == weeks


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("0w", "0w"),
        ("0", "0"),
        ("13w", "13w"),
        ("100w", "100w"),
        ("３w", "３w"),  # full-width digits: ASCII digits only
        ("³w", "³w"),
        ("٣w", "٣w"),
        ("-1w", "-1w"),
        ("1.5w", "1.5w"),
        ("w", "w"),
        ("weeks", "weeks"),
        ("three weeks", "three weeks"),
        ("3 days", "3 days"),
        ("3d", "3d"),
        ("3w2", "3w2"),
        ("3 w w", "3 w w"),
        ("2-3w", "2-3w"),
        (0, "0"),
        (13, "13"),
        (True, "True"),
    ],
)
def test_weeks_refused(raw, shown):
    """Anything else is refused, quoted, with an example of what to type."""
    assert refused(EVERY, raw) == (
        f"“{shown}” is not a number of weeks from 1 to 12; type e.g. `--every 3w`."
    )


# -- which day: Weekday --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("monday", 0),
        ("Mon", 0),
        ("tue", 1),
        ("Tues", 1),
        ("TUESDAY", 1),
        ("tuesday", 1),
        ("wed", 2),
        ("WEDNES", 2),
        ("thu", 3),
        ("Thurs", 3),
        ("thursday", 3),
        ("fri", 4),
        ("Friday", 4),
        ("sat", 5),
        ("satur", 5),
        ("Sun", 6),
        (" sunday ", 6),
    ],
)
def test_weekdays_read(raw, day):
    """A weekday's name or a prefix of at least three letters, in any case, as 0 (Monday)..6."""
    assert accepted(ON, raw) == day


@pytest.mark.parametrize(
    "raw",
    [
        "tu",
        "th",
        "t",
        "mo",
        "Su",
        "tuesdays",
        "thursd ay",
        "tue thu",
        "mon.",
        "1",
        "0",
        "montag",
        "lundi",
        "ｍｏｎ",
        "weekday",
    ],
)
def test_weekdays_refused(raw):
    """Two letters are not enough (tu: Tuesday or…?), and anything else is not a weekday."""
    assert refused(ON, raw) == f"“{raw}” is not a day of the week; type e.g. `--on tuesday`."


def test_a_wrong_weekday_in_chat_shows_the_chat_example():
    """In chat the refusal's example is a whole command, as it would be typed there."""
    assert read(ON, "th", Style.TEXT)[1] == (
        f"“th” is not a day of the week; type e.g. `{CHAT_EXAMPLE}`."
    )


# -- what time: ClockTime ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "time"),
    [
        ("10:00", T(10, 0)),
        ("9:30", T(9, 30)),
        ("09:30", T(9, 30)),
        ("9.30", T(9, 30)),
        ("9h30", T(9, 30)),
        ("9H30", T(9, 30)),
        ("7:05", T(7, 5)),
        ("0:00", T(0, 0)),
        ("00:00", T(0, 0)),
        ("23:59", T(23, 59)),
        ("10", T(10, 0)),
        ("10am", T(10, 0)),
        ("10 am", T(10, 0)),
        ("10  am", T(10, 0)),
        ("10AM", T(10, 0)),
        ("1am", T(1, 0)),
        ("2:30pm", T(14, 30)),
        ("2:30 PM", T(14, 30)),
        ("9.30pm", T(21, 30)),
        ("11pm", T(23, 0)),
        ("12am", T(0, 0)),  # midnight
        ("12:30am", T(0, 30)),
        ("12pm", T(12, 0)),  # noon
        ("12:59pm", T(12, 59)),
    ],
)
def test_clock_times_read(raw, time):
    """24-hour times with :, . or h, and 12-hour times with am or pm."""
    assert accepted(AT, raw) == time


@pytest.mark.parametrize(
    "raw",
    [
        "0am",
        "00pm",
        "13pm",
        "13:00pm",
        "24:00",
        "25:00",
        "7:5",
        "1:60",
        "9:300",
        "930",
        "9h",
        "10:00:00",
        "２:30",
        "1０:00",
        "noon",
        "midnight",
        "-1:00",
        "10 a.m.",
        "10 am am",
        "9:30 pmx",
        "9,30",
        ":30",
    ],
)
def test_clock_times_refused(raw):
    """No 0am nor 13pm, no 24:00, minutes in two ASCII digits."""
    assert refused(AT, raw) == f"“{raw}” is not a time of day; type e.g. `--at 10:00`."


# -- which time zone: Zone -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "zone"),
    [
        ("utc", "UTC"),
        ("UTC", "UTC"),
        ("Europe/london", "Europe/London"),
        ("europe/berlin", "Europe/Berlin"),
        ("  Asia/Kolkata ", "Asia/Kolkata"),
        ("America/New York", "America/New_York"),
        ("america/new_york", "America/New_York"),
        ("America/New  York", "America/New_York"),
        ("America/Argentina/Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("etc/gmt+5", "Etc/GMT+5"),
        ("america/port-au-prince", "America/Port-au-Prince"),
    ],
)
def test_time_zones_read(raw, zone):
    """IANA names in any case, a space standing for an underscore, given as spelled by IANA."""
    assert accepted(ZONE, raw) == zone


@pytest.mark.parametrize(
    ("raw", "meant"),
    [
        ("America/Chicgo", "America/Chicago"),
        ("Europe/Berln", "Europe/Berlin"),
        ("Europe London", "Europe/London"),
        ("Europe\\London", "Europe/London"),
        ("Europe/London/x", "Europe/London"),
        ("asia/calcuta", "Asia/Calcutta"),
        ("america/new yrok", "America/New_York"),
    ],
)
def test_a_near_miss_of_a_zone_says_what_it_may_have_meant(raw, meant):
    """A near miss is refused with up to two names it may have meant, the closest first."""
    error = refused(ZONE, raw)
    form = (
        f"“{re.escape(raw)}” is not a time zone name \\(did you mean `{re.escape(meant)}`"
        "( or `[^`]+`)?\\?\\); type e.g. `--timezone America/Chicago`\\."
    )
    assert re.fullmatch(form, error), error


@pytest.mark.parametrize("raw", ["Mars", "localtime", "posixrules", "GMT+13", "x" * 30, "🌍"])
def test_what_is_not_a_zone_is_refused(raw):
    """``localtime`` is the machine's own zone, not an IANA name: refused like any other word."""
    assert refused(ZONE, raw) == (
        f"“{raw}” is not a time zone name; type e.g. `--timezone America/Chicago`."
    )


def test_a_long_refused_value_is_quoted_shortened():
    error = refused(ZONE, "Europe/" + "x" * 200)
    assert error.startswith("“Europe/" + "x" * 32 + "…” is not a time zone name")


# -- left out ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", [], ()])
@pytest.mark.parametrize("arg", [EVERY, ON, AT, ZONE], ids=lambda a: a.name)
def test_a_setting_left_out_is_not_an_error_and_changes_nothing(arg, raw):
    """Every setting is optional: missing or empty leaves it as it is."""
    values, errors = bind(ADMIN, PROGRAM, {arg.name: raw}, TODAY, Style.CLI)
    assert errors == {} and values[arg.name] is None
    assert change_of(values) == ProgramChange()


def test_every_wrong_setting_is_said_at_once():
    """The CLI refuses all wrong settings in one line, each with its own option's example."""
    with pytest.raises(InputError) as caught:
        cli_change({"every": "13w", "on": "th", "at": "24:00", "timezone": None}, TODAY)
    assert caught.value.message == (
        "“13w” is not a number of weeks from 1 to 12; type e.g. `--every 3w`. "
        "“th” is not a day of the week; type e.g. `--on tuesday`. "
        "“24:00” is not a time of day; type e.g. `--at 10:00`."
    )


# -- properties over any text --------------------------------------------------------------------

TRICKY = "0123456789３٣²:.,hH amAMpPwWeEkKsS-+/_\t\u3000ſK"
NEAR = st.tuples(st.sampled_from(ZONES), st.integers(0, 30), st.sampled_from(["", "x", " ", "/"]))
ANY_RAW = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=TRICKY, max_size=10),
    st.from_regex(r"\d{1,3}([:.h]\d{1,3})? ?(am|pm|AM|Pm|w|weeks?)?", fullmatch=True),
    st.from_regex(r"(mon|tue|wed|thu|fri|sat|sun)[a-z]{0,7}", fullmatch=True),
    NEAR.map(lambda n: n[0][: n[1]] + n[2] + n[0][n[1] + 1 :]),
    st.integers(-(2**40), 2**40),
    st.booleans(),
)
ARGS = [EVERY, ON, AT, ZONE]


def in_range(arg: Arg, value: object) -> bool:
    if arg is EVERY:
        return type(value) is int and 1 <= value <= 12
    if arg is ON:
        return type(value) is int and 0 <= value <= 6
    if arg is AT:
        return type(value) is dt.time and (value.second, value.microsecond) == (0, 0)
    return value in ZONES and zoneinfo.ZoneInfo(str(value)).key == value


@pytest.mark.parametrize("arg", ARGS, ids=lambda a: a.name)
@MANY
@given(raw=ANY_RAW)
def test_any_text_is_a_value_or_a_sentence_quoting_it(arg, raw):
    """A setting is a value of its type and range, or a refusal that quotes what was typed
    and says what to type; never another exception."""
    value, error = read(arg, raw)
    if raw == "":
        assert (value, error) == (None, None)
    elif error is None:
        assert in_range(arg, value), value
        assert all(c in string.digits for c in str(raw) if c.isdigit()), "ASCII digits only"
    else:
        assert value is None
        assert f"“{shorten(str(raw), 40)}”" in error
        assert error.endswith(f"; type e.g. `{arg.flag} {arg.example}`.")


def cased(text: str, flips: list[bool]) -> str:
    """``text`` with the letters whose flip is set in upper case, the others in lower."""
    return "".join(c.upper() if flips[i % len(flips)] else c.lower() for i, c in enumerate(text))


FLIPS = st.lists(st.booleans(), min_size=1, max_size=12)


@MANY
@given(
    weeks=st.integers(1, 12),
    form=st.sampled_from(["{n}w", "{n}", "{n} weeks", "{n} week", "{n}wk", "{n:02d}w", "{n}W"]),
)
def test_weeks_written_either_way_read_back(weeks, form):
    assert accepted(EVERY, form.format(n=weeks)) == weeks


@MANY
@given(day=st.integers(0, 6), length=st.integers(3, 9), flips=FLIPS)
def test_a_weekday_prefix_in_any_case_reads_back(day, length, flips):
    assert accepted(ON, cased(WEEKDAYS[day][:length], flips)) == day


@MANY
@given(
    time=st.builds(T, st.integers(0, 23), st.integers(0, 59)),
    separator=st.sampled_from([":", ".", "h", "H"]),
    padded=st.booleans(),
)
def test_a_24_hour_time_reads_back(time, separator, padded):
    hour = f"{time.hour:02d}" if padded else str(time.hour)
    assert accepted(AT, f"{hour}{separator}{time.minute:02d}") == time


@MANY
@given(
    time=st.builds(T, st.integers(0, 23), st.integers(0, 59)),
    space=st.sampled_from(["", " "]),
    flips=FLIPS,
    whole=st.booleans(),
)
def test_a_12_hour_time_reads_back(time, space, flips, whole):
    hour = time.hour % 12 or 12
    suffix = cased("am" if time.hour < 12 else "pm", flips)
    minutes = "" if whole and time.minute == 0 else f":{time.minute:02d}"
    assert accepted(AT, f"{hour}{minutes}{space}{suffix}") == time


@MANY
@given(zone=st.sampled_from(ZONES), flips=FLIPS, spaced=st.booleans())
def test_a_zone_in_any_case_reads_back_as_iana_spells_it(zone, flips, spaced):
    typed = cased(zone, flips)
    assert accepted(ZONE, typed.replace("_", " ") if spaced else typed) == zone


# -- through the parser --------------------------------------------------------------------------

WHOLE = (
    'program "Spring 2027" --every 2w --on thu --at 3pm --timezone europe/berlin '
    '--cohorts "Fall, Spring"'
)
BERLIN = ProgramChange(
    interval_weeks=2,
    weekday=3,
    local_time=T(15, 0),
    timezone="Europe/Berlin",
    cohorts=("Fall", "Spring"),
)


@pytest.mark.parametrize(
    "text",
    [
        WHOLE,
        WHOLE.removeprefix("program "),  # the default verb
        '--cohorts "Fall, Spring" --timezone Europe/Berlin --at 15:00 --on Thursday --every 2 '
        '"Spring 2027"',
        "program “Spring 2027” --every=2w --on=THU --at=3PM --timezone=EUROPE/BERLIN "
        "--cohorts=“Fall, Spring”",
        "program 'Spring 2027' --EVERY 2W --On thurs --at 15h00 --timezone 'Europe/Berlin' "
        "--cohorts ' Fall ,  Spring '",
    ],
)
def test_a_whole_change_reads_through_the_parser(text):
    """Flags in any order and case, values quoted when they hold spaces, = or a space."""
    invocation = parse(ADMIN, text)
    assert invocation.verb == "program"
    assert invocation.typed == f"/mentoring-admin {text}"
    values, errors = bind(ADMIN, PROGRAM, invocation.raw, TODAY)
    assert errors == {}
    assert values["program"] == "Spring 2027"
    assert change_of(values) == BERLIN


def test_the_raw_values_are_as_typed_and_a_quoted_value_loses_its_quotes():
    assert dict(parse(ADMIN, WHOLE).raw) == {
        "program": '"Spring 2027"',
        "every": "2w",
        "on": "thu",
        "at": "3pm",
        "timezone": "europe/berlin",
        "cohorts": "Fall, Spring",
    }


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ('--timezone "America/New York"', {"timezone": "America/New York"}),
        ('--name "Spring 2028" 1', {"new_name": "Spring 2028", "program": "1"}),
        ("--cohorts Fall,Spring", {"cohorts": "Fall,Spring"}),
        ("--channel <#123456789012345678>", {"channel": "<#123456789012345678>"}),
        ('--cohorts "Fall" --on tue', {"cohorts": "Fall", "on": "tue"}),
        ('--cohorts "--every 2w"', {"cohorts": "--every 2w"}),
    ],
)
def test_flag_values_read(text, raw):
    assert dict(parse(ADMIN, f"program {text}").raw) == raw


USAGE = usage(ADMIN, PROGRAM)
QUOTES_HINT = ' (put a name with spaces in quotes, like "Spring 2027")'
OPTIONS = (
    '`--name "Spring 2028"`, `--start 2027-01-12`, `--end 2027-12-14`, `--every 3w`, '
    "`--on tuesday`, `--at 10:00`, `--timezone America/Chicago`, "
    '`--cohorts "Fall 2026, Spring 2027"`, `--channel 123456789012345678`'
)


def leftover(words: str) -> str:
    return (
        f"Nothing was done: “{words}” is more than `{USAGE}` takes{QUOTES_HINT}. "
        f"Type e.g. `{CHAT_EXAMPLE}`."
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('program "Spring 2027" extra words', leftover("extra words")),
        ("program Spring 2027 --every 2w", leftover("2027")),
        ('program "Spring 2027" --every 3 weeks', leftover("weeks")),
        ('program "Spring 2027" --at 2:30 pm', leftover("pm")),
        ('program "Spring 2027" --timezone America/New York', leftover("York")),
        (
            "program --weekday tue",
            f"“--weekday” is not an option of /mentoring-admin; use {OPTIONS}.",
        ),
        ("program --bogus", f"“--bogus” is not an option of /mentoring-admin; use {OPTIONS}."),
        (
            "--every=2w --cadence=3",
            f"“--cadence” is not an option of /mentoring-admin; use {OPTIONS}.",
        ),
        ("program --on tue --on wed", "--on is given twice; give it once."),
        ("program --every 2w --EVERY=3w", "--every is given twice; give it once."),
        ("program --cohorts A --cohorts B", "--cohorts is given twice; give it once."),
        ("program --at", "--at needs a value, e.g. `--at 10:00`."),
        ("program --at --on tue", "--at needs a value, e.g. `--at 10:00`."),
        ("program --timezone=", "--timezone needs a value, e.g. `--timezone America/Chicago`."),
        ('program --name ""', '--name needs a value, e.g. `--name "Spring 2028"`.'),
        (
            'program --cohorts "Fall, Spring',
            'The quote in “"Fall,” is never closed; type e.g. '
            '`--cohorts "Fall 2026, Spring 2027"`.',
        ),
        (
            'program "Spring 2027',
            'The quote in “"Spring” is never closed; type e.g. `"Spring 2027"`.',
        ),
        (
            "help me",
            "Nothing was done: “me” is more than `/mentoring-admin help` takes. "
            "Type e.g. `/mentoring-admin help`.",
        ),
    ],
)
def test_what_the_parser_cannot_read_is_refused_naming_it(text, said):
    """Left-over words, unknown and repeated flags, a flag without a value, an open quote."""
    assert refusal(text) == said


def test_each_wrong_value_typed_in_chat_is_named():
    """The parser reads the words; bind says of each wrong value what was wrong."""
    invocation = parse(ADMIN, "program --every 13w --on th --at 24:00 --timezone America/Chicgo")
    errors = bind(ADMIN, PROGRAM, invocation.raw, TODAY)[1]
    assert set(errors) == {"every", "on", "at", "timezone"}
    assert errors["every"] == (
        f"“13w” is not a number of weeks from 1 to 12; type e.g. `{CHAT_EXAMPLE}`."
    )
    assert errors["on"] == f"“th” is not a day of the week; type e.g. `{CHAT_EXAMPLE}`."
    assert errors["at"] == f"“24:00” is not a time of day; type e.g. `{CHAT_EXAMPLE}`."
    assert "(did you mean `America/Chicago`" in errors["timezone"]


NAME = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ]{0,18}[A-Za-z0-9]|[A-Za-z0-9]", fullmatch=True)


@MANY
@given(
    weeks=st.integers(1, 12),
    day=st.integers(0, 6),
    time=st.builds(T, st.integers(0, 23), st.integers(0, 59)),
    zone=st.sampled_from(ZONES),
    cohorts=st.lists(
        NAME, min_size=1, max_size=4, unique_by=lambda n: " ".join(n.split()).casefold()
    ),
    channel=st.from_regex(r"[1-9][0-9]{16,19}", fullmatch=True),
    order=st.randoms(use_true_random=False),
)
def test_a_change_typed_as_flags_reads_back(weeks, day, time, zone, cohorts, channel, order):
    """Any change, typed as flags in any order (quoted where a value has spaces), is read
    back as that change."""
    flags = [
        f"--every {weeks}w",
        f"--on {WEEKDAYS[day]}",
        f"--at {time:%H:%M}",
        f'--timezone "{zone.replace("_", " ")}"',
        f'--cohorts "{", ".join(cohorts)}"',
        f"--channel <#{channel}>",
    ]
    order.shuffle(flags)
    change = read_change(ADMIN, PROGRAM, parse(ADMIN, " ".join(flags)).raw, TODAY, Style.TEXT)
    assert change == ProgramChange(
        interval_weeks=weeks,
        weekday=day,
        local_time=time,
        timezone=zone,
        cohorts=tuple(" ".join(n.split()) for n in cohorts),
        pairs_channel_id=channel,
    )


FLAG_WORDS = st.sampled_from(
    [
        "program",
        "help",
        "--every",
        "--on",
        "--at",
        "--timezone",
        "--cohorts",
        "--channel",
        "--name",
        "--start",
        "--end",
        "--Every",
        "--bogus",
        "--every=2w",
        "--on=thu",
        "--at=",
        "--",
        "-h",
    ]
)
VALUE_WORDS = st.sampled_from(
    [
        "2w",
        "3",
        "weeks",
        "13w",
        "３w",
        "thu",
        "th",
        "3pm",
        "2:30",
        "pm",
        "24:00",
        "europe/berlin",
        "America/Chicgo",
        "localtime",
        '"Fall,',
        'Spring"',
        '"Spring 2027"',
        "“Fall,",
        "Spring”",
        '"',
        "'",
        '""',
        "<#123456789012345678>",
        "12345",
        "x" * 101,
        "Fall,fall",
        "2027-01-12",
        "2027-02-30",
        "@ben",
    ]
)
TYPED = st.one_of(
    st.lists(st.one_of(FLAG_WORDS, VALUE_WORDS, st.text(max_size=8)), max_size=9).map(" ".join),
    st.text(max_size=60),
)


@MANY
@given(text=TYPED)
def test_any_text_typed_is_a_change_or_a_sentence(text):
    """Reading, binding and checking a typed change gives a change whose every setting is in
    range, or one sentence; never another exception."""
    try:
        invocation = parse(ADMIN, text)
        if invocation.verb != "program":
            return
        change = read_change(ADMIN, PROGRAM, invocation.raw, TODAY, Style.TEXT)
    except InputError as error:
        assert error.message.strip()
        return
    for arg, value in [
        (EVERY, change.interval_weeks),
        (ON, change.weekday),
        (AT, change.local_time),
        (ZONE, change.timezone),
    ]:
        assert value is None or in_range(arg, value)
    assert change.cohorts is None or all(0 < len(n) <= 100 for n in change.cohorts)
    assert change.pairs_channel_id is None or re.fullmatch("[0-9]{17,20}", change.pairs_channel_id)


# -- cohorts and the pairs channel ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Fall", ("Fall",)),
        ("Fall, Spring", ("Fall", "Spring")),
        ("Fall,Spring,", ("Fall", "Spring")),
        ("  Fall   2026 ,, Spring 2027  ", ("Fall 2026", "Spring 2027")),
        ("Été, Ősz, 春", ("Été", "Ősz", "春")),
        ("x" * 100, ("x" * 100,)),
        ("Fall 2026, Fall 2027", ("Fall 2026", "Fall 2027")),
    ],
)
def test_cohort_names_read(text, names):
    """Names are split at commas, their spaces folded, empty ones dropped."""
    assert change_of({"cohorts": text}).cohorts == names


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "x" * 101,
            "The cohort name “" + "x" * 40 + "…” is 101 characters long; a cohort's name can "
            "be at most 100.",
        ),
        (
            "Fall, " + "y" * 150,
            "The cohort name “" + "y" * 40 + "…” is 150 characters long; a cohort's name can "
            "be at most 100.",
        ),
        ("Fall, fall", "The cohort “fall” is named twice."),
        ("Fall, Spring, FALL", "The cohort “FALL” is named twice."),
        ("Fall 2026, fall   2026", "The cohort “fall 2026” is named twice."),
        ("Straße, STRASSE", "The cohort “STRASSE” is named twice."),
    ],
)
def test_cohort_names_refused(text, said):
    """A name over 100 characters, or one named twice in any letter case (as typed again)."""
    with pytest.raises(InputError) as caught:
        change_of({"cohorts": text})
    assert unmarked(caught.value.message) == said
    assert caught.value.field == "cohorts"


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("<#123456789012345678>", "123456789012345678"),
        ("#123456789012345678", "123456789012345678"),
        ("123456789012345678", "123456789012345678"),
        (" 123456789012345678 ", "123456789012345678"),
        ("12345678901234567", "12345678901234567"),  # 17 digits, the oldest ids
        ("12345678901234567890", "12345678901234567890"),  # 20
    ],
)
def test_channel_ids_read(text, channel):
    """A channel id, bare, with # or as Discord's channel mention."""
    assert change_of({"channel": text}).pairs_channel_id == channel


@pytest.mark.parametrize(
    "text",
    [
        "12345",
        "1234567890123456",
        "123456789012345678901",
        "pairs",
        "#pairs",
        "<#12345>",
        "<@123456789012345678>",
        "１２３４５６７８９０１２３４５６７８",
        "123456789012345678 x",
        "https://discord.com/channels/1/123456789012345678",
    ],
)
def test_what_is_not_a_channel_id_is_refused(text):
    with pytest.raises(InputError) as caught:
        change_of({"channel": text})
    assert unmarked(caught.value.message) == (
        f"“{text[:40]}” is not a Discord channel id; copy it from the channel's menu "
        "(Copy Channel ID, with Developer Mode on), e.g. `123456789012345678`."
    )
    assert caught.value.field == "channel"


@pytest.mark.parametrize("values", [{}, {"cohorts": "", "channel": ""}, {"cohorts": None}])
def test_no_cohorts_or_channel_given_changes_neither(values):
    assert change_of(values) == ProgramChange()


# -- in a coordinator's conversation -------------------------------------------------------------


def test_a_coordinator_changes_the_program_in_chat_and_refusals_give_back_what_was_typed(
    core, clock, pair_id
):
    """Casey's typos are refused with what Casey typed and nothing changes; the whole change
    typed in one line is done; a member is refused."""
    before = snapshot(core)
    typo = "program --every 2w --on th --at 3pm"
    verify_dialog(
        core,
        [
            (
                "casey",
                f"/mentoring-admin {typo}",
                (
                    f"“th” is not a day of the week; type e.g. `{CHAT_EXAMPLE}`.",
                    f"You typed: /mentoring-admin {typo}",
                    "!Rhythm:",
                ),
            ),
            (
                "casey",
                "/mentoring-admin program --every 3 weeks",
                (
                    "There is no program “weeks”",
                    "You typed: /mentoring-admin program --every 3 weeks",
                ),
            ),
            (
                "casey",
                '/mentoring-admin program "Test program" --timezone Mars --cohorts "Fall, fall"',
                (
                    "“Mars” is not a time zone name; type e.g.",
                    'You typed: /mentoring-admin program "Test program" --timezone Mars '
                    '--cohorts "Fall, fall"',
                ),
            ),
            (
                "casey",
                '/mentoring-admin program "Test program" --cohorts "Fall, fall"',
                "The cohort “fall” is named twice.",
            ),
        ],
    )
    assert snapshot(core) == before
    long = "program --on " + "x" * 400
    reply = core.command(CASEY, "mentoring-admin", long)
    assert reply.message is not None
    assert reply.message.typed == f"/mentoring-admin {long}"[:299] + "…"
    assert text_of(reply).startswith("“" + "x" * 39 + "…” is not a day of the week")

    done = core.command(
        CASEY,
        "mentoring-admin",
        '"Test program" --every 2w --on thu --at 3pm --timezone europe/berlin '
        '--cohorts "Fall, Spring"',
    )
    assert text_of(done).splitlines() == [
        "Rhythm: every 2 weeks on Thursday at 15:00 (Europe/Berlin) (was every 3 weeks on "
        "Tuesday at 10:00 (America/New_York)), from the next round on.",
        "Cohorts added: “Spring”.",
    ]
    [program] = rows(core, Program)
    assert (program.interval_weeks, program.weekday, program.local_time, program.timezone) == (
        2,
        3,
        T(15, 0),
        "Europe/Berlin",
    )
    assert sorted(c.name for c in rows(core, Cohort)) == ["Fall", "Spring"]
    member = core.command(actor("ben"), "mentoring-admin", "program --every 2w")
    assert text_of(member).startswith("Sorry, /mentoring-admin is for program coordinators.")
