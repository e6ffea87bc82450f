"""Meeting dates and durations, parsed without I/O.

Everything here is a pure function of its arguments: ``today`` is always passed in, so the
same text means the same date in a test, in the console and on every platform. Every
rejection is an :class:`InputError` whose message is one sentence saying what was wrong and
what to type instead, with ``field`` naming the form field at fault.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.core.errors import InputError
from bot.core.limits import MAX_MEETING_MINUTES
from prompts.messages import render

DATE_HINT = render("dates.date_hint")
DURATION_HINT = render("dates.duration_hint")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}
# Abbreviations that are also English words: at the start of the text form they are a date
# only when a duration or nothing follows ("sat 45m" is a date, "Sat down with…" is notes).
_AMBIGUOUS_WEEKDAYS = frozenset({"sat", "sun"})
_ONE = frozenset({"a", "an", "one"})
_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}

_ISO = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")
_DATE_SHAPE = re.compile(r"[0-9]+(?:[-/.][0-9]+){2}|[0-9]{4}[-/][0-9]{1,2}")
_AGO = re.compile(r"(?:last )?(\S+) (days?|weeks?) ago")
_IN = re.compile(r"in (\S+) (days?|weeks?)")

_UNIT_H = r"(?:h|hrs?|hours?)"
_UNIT_M = r"(?:m|mins?|minutes?)"
_DURATION = re.compile(
    rf"(?:(?P<hours>[0-9]+(?:[.,][0-9]+)?) ?{_UNIT_H})? ?(?:(?P<minutes>[0-9]+) ?{_UNIT_M}?)?"
)
_CLOCK = re.compile(r"(?P<hours>[0-9]+):(?P<minutes>[0-5][0-9])")
# What a duration looks like in the text form, valid or not: a number with a unit, or H:MM.
# Anything of this shape is parsed strictly, so "0m", "13h" or "-5m" are refused, not notes.
_NUM = r"[-+]?[0-9]+(?:[.,][0-9]+)?"
_DURATION_SHAPE = re.compile(
    rf"{_NUM} ?{_UNIT_H}(?:{_NUM}| ?{_NUM} ?{_UNIT_M})?|{_NUM} ?{_UNIT_M}|[-+]?[0-9]+:[0-9]+"
)


def _quote(text: str, limit: int = 40) -> str:
    """The user's text in quotes, shortened so a pasted essay does not fill the error."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _not_a_date(text: str, reason: str | None = None) -> InputError:
    if reason:
        refusal = render("dates.not_a_date_why", text=_quote(text), why=reason, hint=DATE_HINT)
    else:
        refusal = render("dates.not_a_date", text=_quote(text), hint=DATE_HINT)
    return InputError(refusal, field="date")


def _too_far_back(text: str) -> InputError:
    return InputError(render("dates.too_far_back", text=_quote(text), hint=DATE_HINT), field="date")


def _in_future(text: str) -> InputError:
    return InputError(render("dates.in_future", text=_quote(text)), field="date")


def _days_before(today: date, days: int, text: str) -> date:
    """``today`` minus ``days``, refusing dates the calendar cannot hold."""
    try:
        return today - timedelta(days=days)
    except OverflowError:
        raise _too_far_back(text) from None


def _count(word: str, text: str) -> int:
    """The N of "N days ago": digits, or "a"/"one"."""
    if word in _ONE:
        return 1
    if not word.isascii() or not word.isdigit():
        raise _not_a_date(text, render("dates.whole_days"))
    if len(word) > 7:
        raise _too_far_back(text)
    return int(word)


def _calendar_date(match: re.Match[str], text: str) -> date:
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    try:
        return date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            reason = render("dates.no_such_month", month=month)
        elif year < 1:
            reason = render("dates.no_year_zero")
        else:
            days = calendar.monthrange(year, month)[1]
            reason = render("dates.month_days", month=_MONTHS[month - 1], year=year, days=days)
        raise _not_a_date(text, reason) from None


def parse_date(text: str, today: date) -> date:
    """The date a member means by ``text``, relative words counted back from ``today``.

    Accepts today, yesterday, YYYY-MM-DD (or YYYY/MM/DD), a weekday ("tuesday", "tue",
    "last tuesday": the latest one strictly before today), "N days ago" and "N weeks ago".
    A calendar date may lie in the future; :func:`check_meeting_date` refuses that.
    """
    words = " ".join(text.casefold().split())
    if not words:
        raise InputError(render("dates.no_date"), field="date")
    if words == "today":
        return today
    if words == "yesterday":
        return _days_before(today, 1, text)
    if words == "tomorrow":
        raise _in_future(text)
    if match := _ISO.fullmatch(words):
        return _calendar_date(match, text)
    weekday = words.removeprefix("last ")
    if weekday in _WEEKDAYS:
        return _days_before(today, (today.weekday() - _WEEKDAYS[weekday] - 1) % 7 + 1, text)
    if words.startswith("next ") and words.removeprefix("next ") in _WEEKDAYS:
        raise _in_future(text)
    if match := _AGO.fullmatch(words):
        return _days_before(today, _count(match[1], text) * _UNITS[match[2]], text)
    if _IN.fullmatch(words):
        raise _in_future(text)
    raise _not_a_date(text)


def check_meeting_date(met_on: date, today: date, pair_started: date) -> None:
    """Refuse a meeting dated in the future or before the pair began, naming both dates."""
    if met_on > today:
        raise InputError(
            render("dates.future", date=met_on.isoformat(), today=today.isoformat()),
            field="date",
        )
    if met_on < pair_started:
        raise InputError(
            render("dates.before_pair", date=met_on.isoformat(), started=pair_started.isoformat()),
            field="date",
        )


def parse_duration(text: str) -> int:
    """How many minutes ``text`` means: "45m", "1h30m", "1.5h", "1:30", "2 hours" or "45".

    A bare number is minutes, as the form's duration field asks for. Refuses 0 and anything
    over 12 hours, which is a typo rather than a meeting.
    """
    words = " ".join(text.casefold().split())
    if not words:
        raise InputError(render("dates.no_duration"), field="duration")
    match = _CLOCK.fullmatch(words) or _DURATION.fullmatch(words)
    if match is None or not (match["hours"] or match["minutes"]):
        raise InputError(
            render("dates.not_a_duration", text=_quote(text), hint=DURATION_HINT),
            field="duration",
        )
    hours = (match["hours"] or "0").replace(",", ".")
    minutes = match["minutes"] or "0"
    if len(hours.partition(".")[0]) > 4 or len(minutes) > 6:
        total = MAX_MEETING_MINUTES + 1
    else:
        exact = Decimal(hours) * 60
        total = int(exact.to_integral_value(rounding=ROUND_HALF_UP)) + int(minutes)
    if total < 1:
        raise InputError(
            render("dates.no_time", text=_quote(text), hint=DURATION_HINT), field="duration"
        )
    if total > MAX_MEETING_MINUTES:
        raise InputError(
            render("dates.too_long", text=_quote(text), hint=DURATION_HINT), field="duration"
        )
    return total


def format_duration(minutes: int) -> str:
    """Minutes as people say them: 45 -> "45 min", 60 -> "1 h", 90 -> "1 h 30 min"."""
    if minutes < 0:
        raise ValueError(f"a duration cannot be negative: {minutes}")
    hours, rest = divmod(minutes, 60)
    if not hours:
        return render("dates.minutes", minutes=rest)
    if not rest:
        return render("dates.hours", hours=hours)
    return render("dates.hours_minutes", hours=hours, minutes=rest)


def _looks_like_duration(words: list[str]) -> bool:
    return bool(words) and _DURATION_SHAPE.fullmatch(" ".join(words)) is not None


def duration_length(words: list[str], start: int) -> int:
    """How many words from ``start`` are shaped like a duration (0 when none)."""
    for length in (4, 3, 2, 1):
        if start + length <= len(words) and _looks_like_duration(words[start : start + length]):
            return length
    return 0


def date_length(words: list[str], start: int) -> int:
    """How many words from ``start`` try to be a date (0 when none); they may be invalid."""
    first = words[start] if start < len(words) else ""
    rest = words[start + 1 : start + 3]
    if len(rest) == 2 and rest[0] in _UNITS and rest[1] == "ago":
        return 3
    if first == "last" and rest and rest[0] in _WEEKDAYS:
        return 2
    if first in _AMBIGUOUS_WEEKDAYS:
        after = start + 1
        return 1 if after == len(words) or duration_length(words, after) else 0
    if first in ("today", "yesterday", "tomorrow") or first in _WEEKDAYS:
        return 1
    return 1 if _DATE_SHAPE.fullmatch(first) else 0
