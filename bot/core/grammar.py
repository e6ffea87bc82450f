"""One grammar for every command: how a command is declared, read and explained.

Each command is declared once, beside its handlers: its verbs, each verb's arguments with their
types and limits, who may run it and its help line. ``parse`` reads what a member typed against
that declaration and gives an ``Invocation`` (or a sentence saying what was wrong and what to
type); ``bind`` turns an invocation's raw values into checked ones. The raw values may be words
typed in Slack or the console, options Discord sends already typed, or a form's fields: ``bind``
applies the same checks and limits to all of them. The help texts, the Discord command tree,
Slack's usage hints and the console's completion are all made from the same declarations.

The rules (SPEC "How commands read"):

- A partner is named by ``@name`` as the word right after the command or right after its verb;
  any other ``@word`` is text and is kept as typed.
- Words left over after a verb's arguments are refused, naming them; nothing is ignored.
- Numbers are ASCII digits within their range.

Everything here is pure: no database, no clock (``today`` is passed in).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from bot.core.dates import date_length, duration_length, parse_date, parse_duration
from bot.core.errors import InputError
from prompts.messages import render

PARTNER_PUNCTUATION = ",;:."
QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’"}
QUARTER = re.compile(r"([0-9]{4})-?[Qq]([1-4])")
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DIGITS = re.compile(r"[0-9]+")
WEEKS = re.compile(r"([0-9]{1,2}) ?(?:w|wk|wks|week|weeks)?")
CLOCK = re.compile(r"([0-9]{1,2})(?:[:.h]([0-9]{2}))? ?(am|pm)?")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # what a reporting period spans
_WORD = re.compile(r"\S+")


class Audience(StrEnum):
    """Who may run a command."""

    ANYONE = "anyone"
    COORDINATORS = "coordinators"


class Style(StrEnum):
    """How a platform has members write a command, so refusals show what they can type there."""

    TEXT = "text"  # /goal @sam done 2
    OPTIONS = "options"  # /goal done number:2 partner:@sam (Discord's typed options)
    CLI = "cli"  # mentorbot program edit 1 --every 2w (an option's own example)


PARTNER_OPTION = "partner"
VERB_OPTION = "manage"  # where one command stands for several verbs (see ``as_options``)


@dataclass(frozen=True)
class Word:
    """A word of the typed text, with where it stands in it."""

    text: str
    start: int
    end: int


def words_of(text: str) -> list[Word]:
    return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quoted(text: str, limit: int = 40) -> str:
    return f"“{shorten(text, limit)}”"


# -- arguments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument of a verb.

    ``label`` names it in usage lines (``N``, ``TEXT``), ``about`` says what it is ("a goal
    number"), ``example`` is a value to show in usage examples. ``flag`` makes it an option
    (``--period 2027Q1``) read anywhere after the verb; ``marker`` makes it the text after a
    word such as ``next:``; ``tag`` makes it one word written with that prefix anywhere in
    what was typed (``rating:4``); ``in_text=False`` keeps it out of typed text altogether (a
    Discord option and a form field only).
    """

    name: str
    label: str
    about: str
    example: str = ""
    required: bool = False
    flag: str | None = None
    marker: str | None = None
    tag: str | None = None
    in_text: bool = True
    hint: str = ""  # a pointer added to refusals, e.g. "`/goal list` shows the numbers"

    floating = False  # recognised by its shape, in any order, before the other words
    rest = False  # takes every word that is left
    longest = 100  # characters a value may have where a platform asks (an option, a field)

    def span(self, words: Sequence[Word], at: int) -> int:
        """How many words from ``at`` this argument takes (0: it is not there)."""
        return 1 if at < len(words) else 0

    def raw_of(self, text: str, words: Sequence[Word]) -> str:
        """The raw value of the words it took: as typed, with their spacing."""
        return text[words[0].start : words[-1].end]

    def convert(self, value: object, today: dt.date, example: str) -> Any:
        """The checked value, or an ``InputError`` saying what was wrong and what to type."""
        return str(value)

    def missing(self, today: dt.date) -> Any:
        """The value when it is not given."""
        return None

    def usage(self) -> str:
        shown = f"{self.flag} {self.label}" if self.flag else self.label
        shown = f"{self.marker} {shown}" if self.marker else shown
        shown = f"{self.tag}{shown}" if self.tag else shown
        return shown if self.required else f"[{shown}]"

    def _wrong(self, what: str, example: str) -> InputError:
        if self.hint:
            refusal = render("grammar.wrong_hint", what=what, example=example, hint=self.hint)
        else:
            refusal = render("grammar.wrong", what=what, example=example)
        return InputError(refusal, field=self.name)


@dataclass(frozen=True)
class Number(Arg):
    """A whole number in ASCII digits, within ``minimum``..``maximum``."""

    minimum: int = 1
    maximum: int = 100_000

    def convert(self, value: object, today: dt.date, example: str) -> int:
        if isinstance(value, list | tuple) and len(value) == 1:  # a select's one choice
            value = value[0]
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            number = int(text) if DIGITS.fullmatch(text) and len(text) <= 9 else None
        if number is None or not self.minimum <= number <= self.maximum:
            what = render(
                "grammar.not_a_number",
                value=_quoted(str(value)),
                about=self.about,
                least=self.minimum,
                most=f"{self.maximum:,}",
            )
            raise self._wrong(what, example)
        return number


@dataclass(frozen=True)
class Text(Arg):
    """Free text: every word left (as typed), or the text after a ``marker``, at most
    ``maximum`` characters. ``squeeze`` folds runs of spaces and line breaks into one space."""

    maximum: int = 2000
    squeeze: bool = False
    plural: bool = False  # "your notes are…"

    rest = True

    def span(self, words: Sequence[Word], at: int) -> int:
        return max(len(words) - at, 0)

    def missing(self, today: dt.date) -> str:
        return ""

    def convert(self, value: object, today: dt.date, example: str) -> str:
        text = " ".join(str(value).split()) if self.squeeze else str(value).strip()
        about = self.about.capitalize()
        if not text and self.required:
            empty = "grammar.empty_plural" if self.plural else "grammar.empty"
            raise self._wrong(render(empty, about=about), example)
        if len(text) > self.maximum:
            too_long = "grammar.too_long_plural" if self.plural else "grammar.too_long"
            length, most = f"{len(text):,}", f"{self.maximum:,}"
            raise InputError(
                render(too_long, about=about, length=length, most=most), field=self.name
            )
        return text


@dataclass(frozen=True)
class Name(Arg):
    """One word, or several in quotes ("Spring 2027")."""

    def span(self, words: Sequence[Word], at: int) -> int:
        if at >= len(words):
            return 0
        closing = QUOTES.get(words[at].text[0])
        if closing is None:
            return 1
        for index in range(at, len(words)):
            text = words[index].text
            if text.endswith(closing) and (index > at or len(text) > 1):
                return index - at + 1
        raise InputError(
            render("grammar.unclosed_quote", quoted=_quoted(words[at].text), example=self.example),
            field=self.name,
        )

    def convert(self, value: object, today: dt.date, example: str) -> str:
        text = str(value).strip()
        if text and text[0] in QUOTES and text.endswith(QUOTES[text[0]]) and len(text) > 1:
            text = text[1:-1].strip()
        return text


@dataclass(frozen=True)
class Member(Name):
    """A person: a mention (``@dee``, read as the user id the platform gave for it), or a
    person id, user id, e-mail address or name as typed."""

    def resolve(self, value: str, mentions: Mapping[str, str]) -> str:
        name = value.removeprefix("@")
        return mentions.get(name, name)


@dataclass(frozen=True)
class When(Arg):
    """A day a meeting happened: today, yesterday, 2026-11-03, a weekday, N days ago."""

    longest = 40

    floating = True

    def span(self, words: Sequence[Word], at: int) -> int:
        return date_length(_folded(words), at)

    def raw_of(self, text: str, words: Sequence[Word]) -> str:
        return " ".join(_folded(words))

    def convert(self, value: object, today: dt.date, example: str) -> dt.date:
        return parse_date(str(value), today)

    def missing(self, today: dt.date) -> dt.date:
        return today


@dataclass(frozen=True)
class HowLong(Arg):
    """How long a meeting took: 45m, 1h, 1h30m, 90min."""

    longest = 20

    floating = True

    def span(self, words: Sequence[Word], at: int) -> int:
        return duration_length(_folded(words), at)

    def raw_of(self, text: str, words: Sequence[Word]) -> str:
        return " ".join(_folded(words))

    def convert(self, value: object, today: dt.date, example: str) -> int:
        return parse_duration(str(value))


@dataclass(frozen=True)
class Quarter(Arg):
    """A quarter of a year, like 2027Q1, as its first and last day."""

    longest = 10

    def convert(self, value: object, today: dt.date, example: str) -> tuple[dt.date, dt.date]:
        match = QUARTER.fullmatch(str(value).strip())
        year = int(match[1]) if match else 0
        if match is None or not EARLIEST.year <= year <= LATEST.year:
            what = render(
                "grammar.not_a_quarter",
                value=_quoted(str(value)),
                first=EARLIEST.year,
                last=LATEST.year,
            )
            raise self._wrong(what, example)
        quarter = int(match[2])
        first = dt.date(year, 3 * quarter - 2, 1)
        after = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return first, after - dt.timedelta(days=1)


@dataclass(frozen=True)
class Day(Arg):
    """A calendar day written 2027-01-31, within the years reports cover."""

    longest = 10

    def convert(self, value: object, today: dt.date, example: str) -> dt.date:
        text = str(value).strip()
        try:
            day = dt.date.fromisoformat(text) if ISO_DAY.fullmatch(text) else None
        except ValueError:
            day = None
        if day is None or not EARLIEST <= day <= LATEST:
            what = render(
                "grammar.not_a_day", value=_quoted(text), first=EARLIEST.year, last=LATEST.year
            )
            raise self._wrong(what, example)
        return day


@dataclass(frozen=True)
class Weeks(Arg):
    """How often, in whole weeks: ``3w``, ``3``, ``3 weeks``, within 1..``maximum``."""

    maximum: int = 12
    longest = 10

    def convert(self, value: object, today: dt.date, example: str) -> int:
        match = WEEKS.fullmatch(" ".join(str(value).split()).casefold())
        weeks = int(match[1]) if match else 0
        if not 1 <= weeks <= self.maximum:
            what = render("grammar.not_weeks", value=_quoted(str(value)), most=self.maximum)
            raise self._wrong(what, example)
        return weeks


@dataclass(frozen=True)
class Weekday(Arg):
    """A day of the week by name (``tuesday``, ``Tue``), as ``datetime``'s 0 (Monday)..6."""

    longest = 10

    def convert(self, value: object, today: dt.date, example: str) -> int:
        text = str(value).strip().casefold()
        for number, name in enumerate(WEEKDAYS):
            if len(text) >= 3 and name.startswith(text):
                return number
        raise self._wrong(render("grammar.not_a_weekday", value=_quoted(str(value))), example)


@dataclass(frozen=True)
class ClockTime(Arg):
    """A time of day: ``10:00``, ``9:30``, ``14:05``, ``10am``, ``2:30pm``."""

    longest = 10

    def convert(self, value: object, today: dt.date, example: str) -> dt.time:
        match = CLOCK.fullmatch(" ".join(str(value).split()).casefold())
        hour, minute = (int(match[1]), int(match[2] or 0)) if match else (99, 0)
        if match and match[3]:  # 12-hour: 12am is midnight, 12pm noon
            hour = hour % 12 + (12 if match[3] == "pm" else 0) if 1 <= hour <= 12 else 99
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise self._wrong(render("grammar.not_a_time", value=_quoted(str(value))), example)
        return dt.time(hour, minute)


@dataclass(frozen=True)
class Zone(Arg):
    """A time zone by its IANA name (``America/Chicago``), in any letter case; a near miss is
    answered with the names it may have meant."""

    longest = 64

    def convert(self, value: object, today: dt.date, example: str) -> str:
        text = " ".join(str(value).split())
        names = _zone_names()
        key = text.casefold().replace(" ", "_")
        found = names.get(key)
        if found is not None:
            return found
        close = difflib.get_close_matches(key, names, n=2, cutoff=0.75)
        meant = " or ".join(f"`{names[c]}`" for c in close)
        what = (
            render("grammar.not_a_zone_meant", value=_quoted(text), meant=meant)
            if meant
            else render("grammar.not_a_zone", value=_quoted(text))
        )
        raise self._wrong(what, example)


@cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone name, by its folded form (read once). ``localtime`` is no IANA name but
    the machine's own zone, which some systems list among the others."""
    names = zoneinfo.available_timezones() - {"localtime"}
    return {name.casefold(): name for name in names}


@dataclass(frozen=True)
class Pick(Arg):
    """One value chosen from a list the handler checks (a form's select, a Discord option)."""

    def convert(self, value: object, today: dt.date, example: str) -> str:
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        return str(value).strip()


@dataclass(frozen=True)
class Numbers(Arg):
    """Several whole numbers (a multi-select, or "1 3" or "1, 3" typed)."""

    def convert(self, value: object, today: dt.date, example: str) -> list[int]:
        items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
        numbers = []
        for item in map(str, items):
            item = item.strip()
            if not DIGITS.fullmatch(item) or len(item) > 9:
                what = render("grammar.not_one_of", value=_quoted(item), about=self.about)
                raise self._wrong(what, example)
            numbers.append(int(item))
        return list(dict.fromkeys(numbers))


def _folded(words: Sequence[Word]) -> list[str]:
    """The words as the date and duration shapes read them."""
    return [word.text.casefold().rstrip(",;.") for word in words]


# -- verbs and commands ---------------------------------------------------------------------


Run = Callable[..., Any] | None  # None: the verb answers with the command's help


@dataclass(frozen=True)
class Verb:
    """What a command can do: ``/goal done N`` is the verb ``done`` of ``/goal``.

    ``run`` is the handler: ``run(request, pair, values)`` when ``needs_pair``, else
    ``run(request, values)``; a verb without one answers with the command's help. ``form``
    names the form that does the same job, opened when the verb is given nothing (or misses a
    required argument) and offered when it is refused.
    """

    name: str
    help: str
    run: Run
    args: tuple[Arg, ...] = ()
    example: str = ""
    needs_pair: bool = True
    form: str | None = None
    aliases: tuple[str, ...] = ()
    shown_name: bool = True  # False: the default verb is written without its name

    def arg(self, name: str) -> Arg:
        return next(a for a in self.args if a.name == name)


def help_verb(slash: str) -> Verb:
    """The ``help`` every command has."""
    return Verb(
        "help",
        "this help",
        None,
        example=f"{slash} help",
        needs_pair=False,
        aliases=("-h", "--help", "?"),
    )


@dataclass(frozen=True)
class Command:
    """A slash command and its verbs; the ``default`` verb runs when no verb is named."""

    name: str
    summary: str
    verbs: tuple[Verb, ...]
    default: str
    audience: Audience = Audience.ANYONE
    notes: tuple[str, ...] = ()  # lines closing the help text
    text_notes: tuple[str, ...] = ()  # …and those that are only true where commands are typed
    unknown_hint: str = ""  # added when a word is not a verb; ``{text}`` is what was typed
    words_hint: str = ""  # how to have the default verb take words another verb refused

    @property
    def slash(self) -> str:
        return f"/{self.name}"

    def verb(self, name: str) -> Verb:
        return next(v for v in self.verbs if v.name == name)

    def find_verb(self, word: str) -> Verb | None:
        wanted = word.casefold()
        for verb in self.verbs:
            if wanted == verb.name or wanted in verb.aliases:
                return verb
        return None

    @property
    def default_verb(self) -> Verb:
        return self.verb(self.default)


@dataclass(frozen=True)
class Invocation:
    """A command as the member asked for it, before it is checked against their pair.

    ``raw`` holds each given argument as typed (or as Discord or a form sent it); ``partners``
    the partner names given at the partner positions (without ``@``), and ``mentions`` the
    platform's user id for the names it resolved (a Slack or Discord mention); ``typed`` what
    the member typed, to give back with a refusal, and ``said`` the same without the partners.
    """

    command: str
    verb: str
    raw: Mapping[str, object] = field(default_factory=dict)
    partners: tuple[str, ...] = ()
    typed: str = ""
    verb_typed: bool = False  # the verb's name was typed (rather than the default verb read)
    said: str = ""
    mentions: Mapping[str, str] = field(default_factory=dict)
    style: Style = Style.TEXT


# -- reading typed text ------------------------------------------------------------------------


def as_typed(command: str, text: str) -> str:
    """``/command text`` as a member typed it, to give back with a refusal."""
    return f"/{command} {text.strip()}".strip()


def partner_named(word: Word) -> str | None:
    """The name in ``@name`` (trailing punctuation dropped), or None when not a mention."""
    if not word.text.startswith("@"):
        return None
    name = word.text[1:].rstrip(PARTNER_PUNCTUATION)
    return name or None


def parse(command: Command, text: str) -> Invocation:
    """Read ``text`` (what followed ``/command``) as one of ``command``'s verbs."""
    words = words_of(text)
    typed = as_typed(command.name, text)
    partners: list[str] = []
    naming: list[Word] = []  # the words that named a partner
    at = 0
    if at < len(words) and (name := partner_named(words[at])):
        partners.append(name)
        naming.append(words[at])
        at += 1
    verb = command.find_verb(words[at].text) if at < len(words) else None
    named = verb is not None
    if verb is not None:
        at += 1
        if at < len(words) and (name := partner_named(words[at])):
            partners.append(name)
            naming.append(words[at])
            at += 1
    else:
        verb = command.default_verb
        if (meant := _mistyped_verb(command, words[at:])) is not None:
            rest = _joined(text, words[at:])
            raise InputError(
                render(
                    "grammar.looks_like_verb",
                    typed=_quoted(rest),
                    slash=command.slash,
                    verb=meant.name,
                    hint=command.words_hint.format(text=rest),
                )
            )
    said = " ".join(word.text for word in words if word not in naming)
    raw, left = _read_args(command, verb, text, words[at:])
    if left:
        first = left[0]
        if not named and first is words[at]:
            raise _not_a_verb(command, words[at:], text)
        quoting = any(isinstance(a, Name) for a in verb.args)
        refusal = render(
            "grammar.too_many_words_quoting" if quoting else "grammar.too_many_words",
            words=_quoted(text[first.start : left[-1].end], 80),
            usage=usage(command, verb),
            example=verb.example or usage(command, verb),
            other=command.words_hint.format(text=said) if named and not raw else "",
        )
        raise InputError(refusal.strip())
    return Invocation(command.name, verb.name, raw, tuple(partners), typed, named, said)


def _joined(text: str, words: Sequence[Word]) -> str:
    """The words as typed, with the spacing between them."""
    return text[words[0].start : words[-1].end] if words else ""


def _close_verb(command: Command, word: str) -> Verb | None:
    names = [v.name for v in command.verbs if v.shown_name]
    found = difflib.get_close_matches(word.casefold(), names, n=1, cutoff=0.75)
    return command.verb(found[0]) if found else None


def _mistyped_verb(command: Command, words: Sequence[Word]) -> Verb | None:
    """A verb the words look like a typo of ("lsit", "delte 2"), where the default verb would
    otherwise take them as its text: one word, or one and a number."""
    if not command.words_hint or not 1 <= len(words) <= 2:
        return None
    if len(words) == 2 and not DIGITS.fullmatch(words[1].text):
        return None
    return _close_verb(command, words[0].text)


def _not_a_verb(command: Command, words: Sequence[Word], text: str) -> InputError:
    first = words[0].text
    close = _close_verb(command, first)
    rest = " ".join(w.text for w in words[1:])
    if close is not None:
        meant = f"{command.slash} {close.name} {rest}".strip()
        hint = render("grammar.did_you_mean", meant=meant)
    else:
        hint = command.unknown_hint.format(text=" ".join(text.split()))
    if not hint:
        return InputError(render("grammar.not_a_verb", word=_quoted(first), slash=command.slash))
    return InputError(
        render("grammar.not_a_verb_hint", word=_quoted(first), slash=command.slash, hint=hint)
    )


def _read_args(
    command: Command, verb: Verb, text: str, words: list[Word]
) -> tuple[dict[str, object], list[Word]]:
    """The raw values of ``verb``'s arguments in ``words``, and the words left over."""
    raw: dict[str, object] = {}
    words = _take_flags(command, verb, text, words, raw)
    words = _take_tags(verb, words, raw)
    words = _take_markers(verb, text, words, raw)
    positional = [a for a in verb.args if a.in_text and not (a.flag or a.marker or a.tag)]
    at = 0
    floating = [a for a in positional if a.floating]
    while floating:
        found = next((a for a in floating if a.span(words, at)), None)
        if found is None:
            break
        length = found.span(words, at)
        raw[found.name] = found.raw_of(text, words[at : at + length])
        at += length
        floating.remove(found)
    for arg in (a for a in positional if not a.floating):
        length = arg.span(words, at)
        if not length:
            break
        raw[arg.name] = arg.raw_of(text, words[at : at + length])
        at += length
    return raw, words[at:]


def _take_flags(
    command: Command, verb: Verb, text: str, words: list[Word], raw: dict[str, object]
) -> list[Word]:
    """Options like ``--period 2027Q1`` or ``--period=2027Q1``, wherever they stand."""
    flags = {a.flag: a for a in verb.args if a.flag}
    if not flags:
        return words
    kept = []
    index = 0
    while index < len(words):
        word = words[index]
        name, equals, inline = word.text.partition("=")
        if not name.startswith("--"):
            kept.append(word)
            index += 1
            continue
        arg = flags.get(name.casefold())
        if arg is None:
            known = ", ".join(f"`{a.flag} {a.example}`" for a in flags.values())
            raise InputError(
                render(
                    "grammar.not_an_option", name=_quoted(name), slash=command.slash, known=known
                )
            )
        if arg.name in raw:
            raise InputError(render("grammar.given_twice", flag=arg.flag), field=arg.name)
        if equals:
            start, value, index = word.start + len(name) + 1, inline, index + 1
        elif index + 1 < len(words) and not words[index + 1].text.startswith("--"):
            start, value, index = words[index + 1].start, words[index + 1].text, index + 2
        else:
            start, value, index = word.end, "", index + 1
        if (closing := QUOTES.get(value[:1])) is not None:  # --cohorts "Fall 2026, Spring 2027"
            if len(value) == 1 or not value.endswith(closing):
                end = next(
                    (i for i in range(index, len(words)) if words[i].text.endswith(closing)), None
                )
                if end is None:
                    raise InputError(
                        render(
                            "grammar.unclosed_quote",
                            quoted=_quoted(value),
                            example=f"{arg.flag} {arg.example}",
                        ),
                        field=arg.name,
                    )
                value, index = text[start : words[end].end], end + 1
            value = value[1:-1].strip()
        if not value:
            raise InputError(
                render("grammar.needs_value", flag=arg.flag, example=f"{arg.flag} {arg.example}"),
                field=arg.name,
            )
        raw[arg.name] = value
    return kept


def _take_tags(verb: Verb, words: list[Word], raw: dict[str, object]) -> list[Word]:
    """Words like ``rating:4``, wherever they stand (even among the notes or next steps)."""
    tags = [a for a in verb.args if a.tag]
    kept = []
    for word in words:
        arg = next((a for a in tags if word.text.casefold().startswith(a.tag or "")), None)
        if arg is None:
            kept.append(word)
            continue
        if arg.name in raw:
            raise InputError(render("grammar.given_twice", flag=arg.tag), field=arg.name)
        raw[arg.name] = word.text[len(arg.tag or "") :]
    return kept


def _take_markers(verb: Verb, text: str, words: list[Word], raw: dict[str, object]) -> list[Word]:
    """Text introduced by a marker word (``next: …``) runs to the end of what was typed."""
    for arg in (a for a in verb.args if a.marker):
        marker = arg.marker or ""
        for index, word in enumerate(words):
            if word.text.casefold().startswith(marker):
                after = text[word.start + len(marker) : words[-1].end]
                raw[arg.name] = after.strip()
                words = words[:index]
                break
    return words


# -- checking values ---------------------------------------------------------------------------


def bind(
    command: Command,
    verb: Verb,
    raw: Mapping[str, object],
    today: dt.date,
    style: Style = Style.TEXT,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Each argument's checked value (its default when not given), and the sentence for each
    argument that is wrong or missing (with an example written as ``style`` writes it)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for arg in verb.args:
        if style == Style.CLI and arg.flag:
            example = f"{arg.flag} {arg.example}"
        else:
            example = example_of(command, verb, style)
        value = raw.get(arg.name)
        if value is None or value == "" or value == [] or value == ():
            if arg.required:
                shown = f"{command.slash} {verb.name}"
                errors[arg.name] = (
                    render(
                        "grammar.needs_hint",
                        usage=shown,
                        about=arg.about,
                        example=example,
                        hint=arg.hint,
                    )
                    if arg.hint
                    else render("grammar.needs", usage=shown, about=arg.about, example=example)
                )
            values[arg.name] = arg.missing(today)
            continue
        try:
            values[arg.name] = arg.convert(value, today, example)
        except InputError as error:
            values[arg.name] = None
            errors[arg.name] = error.message
    return values, errors


def missing_required(verb: Verb, raw: Mapping[str, object]) -> bool:
    return any(a.required and raw.get(a.name) in (None, "") for a in verb.args)


# -- explaining --------------------------------------------------------------------------------


def usage(command: Command, verb: Verb) -> str:
    """``/goal done N``, ``/log-meeting [DATE] [DURATION] [NOTES…] [next: NEXT STEPS]``."""
    parts = [command.slash]
    if verb.shown_name:
        parts.append(verb.name)
    parts += [a.usage() for a in verb.args if a.in_text]
    return " ".join(parts)


def option_name(arg: Arg) -> str:
    """The argument as a named option: ``from`` for ``--from``, else its own name."""
    return arg.flag.lstrip("-") if arg.flag else arg.name


def as_options(
    command: Command, verb: Verb, values: Mapping[str, object], partner: str | None = None
) -> str:
    """The command written with named options, as Discord has members type it: each verb its
    own subcommand, or, where the default verb takes arguments, one command whose other verbs
    are chosen with ``manage``."""
    parts = [command.slash]
    if not command.default_verb.args:
        parts.append(verb.name)
    elif verb is not command.default_verb:
        parts.append(f"{VERB_OPTION}:{verb.name}")
    if partner is not None:
        parts.append(f"{PARTNER_OPTION}:@{partner}")
    shown = {a.name: option_name(a) for a in verb.args}
    parts += [f"{shown.get(name, name)}:{value}" for name, value in values.items()]
    return " ".join(parts)


def example_of(command: Command, verb: Verb, style: Style) -> str:
    """The verb's example, written the way ``style`` has members write commands."""
    if style != Style.OPTIONS or not verb.example:
        return verb.example
    return as_options(command, verb, parse(command, verb.example.partition(" ")[2]).raw)


def usage_in(command: Command, verb: Verb, style: Style) -> str:
    """The verb's usage as ``style`` writes it (with named options, values left out)."""
    return usage(command, verb) if style == Style.TEXT else as_options(command, verb, {})


def help_text(command: Command, style: Style = Style.TEXT) -> str:
    """The command's help, made from its declaration, written as ``style`` writes commands."""
    lines = [f"**{command.slash}**: {command.summary}"]
    for verb in command.verbs:
        if style == Style.TEXT:
            shown = f"`{usage(command, verb)}`"
            if verb.name == command.default and verb.shown_name and not verb.args:
                shown = f"`{command.slash}` or {shown}"
        else:
            labels = {a.name: a.label for a in verb.args}
            shown = f"`{as_options(command, verb, labels)}`"
        lines.append(f"• {shown}: {verb.help}")
    if any(verb.needs_pair for verb in command.verbs):
        example = next(v for v in command.verbs if v.needs_pair)
        if style == Style.TEXT:
            named = example.example.replace(command.slash, f"{command.slash} @sam", 1)
            lines.append(render("grammar.several_pairs", example=named))
        else:
            lines.append(render("grammar.several_pairs_option", option=PARTNER_OPTION))
    lines += command.notes
    if style == Style.TEXT:
        lines += command.text_notes
    return "\n".join(lines)


def description(command: Command) -> str:
    """One line saying what the command is for (Slack's and Discord's command lists)."""
    return command.summary[0].upper() + command.summary[1:].rstrip(".")


def usage_hint(command: Command) -> str:
    """What Slack shows after the command name while it is typed."""
    shown = []
    for verb in command.verbs:
        text = usage(command, verb).removeprefix(command.slash).strip()
        if text:
            shown.append(text)
    hint = " | ".join(shown)
    return hint if command.default_verb.args else f"[{hint}]"
