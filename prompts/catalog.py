"""The activity catalog: data in YAML files, checked into typed, immutable objects.

The catalog is data so a coordinator can read and extend it without touching code: the built-in
file ``prompts/catalog/alsc.yaml`` carries every activity and goal example of the program's seed
documents, and an operator's files (``MENTORBOT_CATALOG_FILES``) add entries or replace built-in
ones by id. A mistake in any file is reported with the file and the entry it is in.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

BUILTIN_DIR = Path(__file__).parent / "catalog"
# The year's phases in the order a pair lives them; an activity tagged for one is kept for it.
PHASE_ORDER = ("kickoff", "midpoint", "closing")
PHASES = frozenset(PHASE_ORDER)
WEEKDAYS = tuple(day.casefold() for day in calendar.day_name)  # monday first, as datetime counts
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]


class CatalogError(ValueError):
    """A catalog file that cannot be used, with the file and entry at fault."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _at(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, clock, tzinfo=zone)


@dataclass(frozen=True)
class NextDate:
    """When a time-bound activity next happens, on the pair's clock: ``at`` in the pair's
    zone, with a time of day only when ``timed``; a season also has its last day (``until``)
    and is ``ongoing`` when it has already begun."""

    at: dt.datetime
    timed: bool
    until: dt.date | None = None
    ongoing: bool = False


class MonthlyWeekday(_Frozen):
    """Every month on the Nth weekday (``week: -1`` is the last), at a time in a fixed zone."""

    kind: Literal["monthly_weekday"]
    week: int = Field(ge=-1, le=5)
    weekday: str
    time: dt.time
    timezone: str

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value.casefold() not in WEEKDAYS:
            raise ValueError(f"weekday must be one of {', '.join(WEEKDAYS)}")
        return value.casefold()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def _in_month(self, year: int, month: int) -> dt.datetime | None:
        weekday = WEEKDAYS.index(self.weekday)
        days = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday] != 0]
        if self.week == 0 or abs(self.week) > len(days):
            return None
        day = days[self.week - 1] if self.week > 0 else days[-1]
        return _at(dt.date(year, month, day), self.time, ZoneInfo(self.timezone))

    def next_occurrence(self, after: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """The first occurrence at or after ``after`` (the schedule's own zone rules)."""
        own = after.astimezone(ZoneInfo(self.timezone))  # its month, not UTC's
        year, month = own.year, own.month
        for _ in range(14):
            found = self._in_month(year, month)
            if found is not None and found >= after:
                return found
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise CatalogError("monthly schedule never occurs")  # week 5 always occurs within 14

    def is_near(self, now: dt.datetime, horizon: dt.timedelta, zone: ZoneInfo) -> bool:
        return self.next_occurrence(now, zone) - now <= horizon

    def next_date(self, after: dt.datetime, zone: ZoneInfo) -> NextDate:
        """The next occurrence at the pair's local time (the event's own time elsewhere)."""
        return NextDate(self.next_occurrence(after, zone).astimezone(zone), timed=True)


class Yearly(_Frozen):
    """Once a year on a date (in the pair's zone), offered from ``lead_days`` before it."""

    kind: Literal["yearly"]
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    lead_days: int = Field(0, ge=0, le=90)

    def _on(self, year: int) -> dt.date:
        return dt.date(year, self.month, min(self.day, calendar.monthrange(year, self.month)[1]))

    def next_occurrence(self, after: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """Midnight starting the event's day, or the day after ``after`` has passed it."""
        local = after.astimezone(zone)
        for year in (local.year, local.year + 1):
            day = self._on(year)
            if day >= local.date():
                return max(_at(day, dt.time(), zone), local)
        raise CatalogError("yearly schedule never occurs")

    def is_near(self, now: dt.datetime, horizon: dt.timedelta, zone: ZoneInfo) -> bool:
        window = max(horizon, dt.timedelta(days=self.lead_days))
        return self.next_occurrence(now, zone) - now <= window

    def next_date(self, after: dt.datetime, zone: ZoneInfo) -> NextDate:
        """The event's day (a date without a time), on the pair's calendar."""
        return NextDate(self.next_occurrence(after, zone), timed=False)


class Season(_Frozen):
    """A stretch of every year, from ``start`` to ``end`` inclusive (``MM-DD``; may wrap)."""

    kind: Literal["season"]
    start: str = Field(pattern=r"^\d\d-\d\d$")
    end: str = Field(pattern=r"^\d\d-\d\d$")

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        month, day = map(int, value.split("-"))
        try:
            dt.date(2024, month, day)  # a leap year admits 02-29
        except ValueError:
            raise ValueError(f"{value!r} is not a month and day (MM-DD)") from None
        return value

    @staticmethod
    def _key(day: dt.date) -> str:
        return f"{day.month:02d}-{day.day:02d}"

    def contains(self, day: dt.date) -> bool:
        key = self._key(day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end

    def next_occurrence(self, after: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """``after`` itself during the season, else the start of the next one."""
        local = after.astimezone(zone)
        if self.contains(local.date()):
            return local
        month, day = map(int, self.start.split("-"))
        for year in (local.year, local.year + 1):
            try:
                start = dt.date(year, month, day)
            except ValueError:  # 02-29 outside a leap year
                continue
            if start > local.date():
                return _at(start, dt.time(), zone)
        return _at(dt.date(local.year + 4, month, day), dt.time(), zone)

    def is_near(self, now: dt.datetime, horizon: dt.timedelta, zone: ZoneInfo) -> bool:
        return self.next_occurrence(now, zone) - now <= horizon

    def last_day(self, first: dt.date) -> dt.date:
        """The last day of the season that ``first`` is in (or begins)."""
        month, day = map(int, self.end.split("-"))
        for year in (first.year, first.year + 1):
            last = dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))
            if last >= first:
                return last
        raise CatalogError("season never ends")  # the next year's end always comes after

    def next_date(self, after: dt.datetime, zone: ZoneInfo) -> NextDate:
        """The season's next first day and its last, or its last when it is on already."""
        start = self.next_occurrence(after, zone)
        ongoing = self.contains(after.astimezone(zone).date())
        return NextDate(start, timed=False, until=self.last_day(start.date()), ongoing=ongoing)


Schedule = Annotated[MonthlyWeekday | Yearly | Season, Field(discriminator="kind")]


class Category(_Frozen):
    id: Id
    title: str = Field(min_length=1, max_length=80)


class GoalExample(_Frozen):
    id: Id
    text: str = Field(min_length=1, max_length=500)
    tags: tuple[str, ...] = ()


class Activity(_Frozen):
    """One suggestion a pair can receive; ``sources`` names the seed documents it came from."""

    id: Id
    category: Id
    title: str = Field(min_length=1, max_length=150)
    what: str = Field(min_length=1, max_length=1500)
    tags: tuple[str, ...] = ()
    phases: frozenset[str] = frozenset()
    schedule: Schedule | None = None
    sources: tuple[str, ...] = ()

    @field_validator("phases")
    @classmethod
    def _known_phases(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = value - PHASES
        if unknown:
            known = ", ".join(sorted(PHASES))
            raise ValueError(f"unknown phase {sorted(unknown)[0]!r}; use {known}")
        return value


class Catalog(_Frozen):
    categories: tuple[Category, ...]
    activities: tuple[Activity, ...]
    goal_examples: tuple[GoalExample, ...]

    @cached_property
    def _by_id(self) -> Mapping[str, Activity]:
        return {activity.id: activity for activity in self.activities}

    @property
    def activity_ids(self) -> frozenset[str]:
        return frozenset(self._by_id)

    def activity(self, activity_id: str) -> Activity:
        return self._by_id[activity_id]


class _CatalogFile(_Frozen):
    categories: tuple[Category, ...] = ()
    activities: tuple[Activity, ...] = ()
    goal_examples: tuple[GoalExample, ...] = ()


def _describe(path: Path, raw: object, error: ValidationError) -> str:
    first = error.errors()[0]
    location = list(first["loc"])
    entry = ""
    if len(location) >= 2 and isinstance(location[1], int) and isinstance(raw, dict):
        section, index = str(location[0]), location[1]
        items = raw.get(section) or []
        item = items[index] if index < len(items) else None
        name = item.get("id") if isinstance(item, dict) else None
        entry = f" {section} entry {index + 1}" + (f" ({name})" if name else "")
        location = location[2:]
    where = ".".join(str(part) for part in location if not str(part).startswith("function"))
    field = f", field {where}" if where else ""
    return f"{path}:{entry}{field}: {first['msg'].removeprefix('Value error, ')}"


def read_mapping(path: Path, what: str, keys: str) -> dict[str, Any]:
    """The YAML mapping in ``path`` (``what`` it is, the ``keys`` it should have, for the
    refusal), or a ``CatalogError`` of one line naming the file and what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the {what} ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "cannot be parsed"
        raise CatalogError(f"{path}:{line}: not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: expected a mapping with {keys}")
    return raw


def _read(path: Path) -> _CatalogFile:
    raw = read_mapping(path, "catalog file", "categories, activities and goal_examples")
    try:
        return _CatalogFile.model_validate(raw)
    except ValidationError as error:
        raise CatalogError(_describe(path, raw, error)) from None


def _merge(files: Iterable[tuple[Path, _CatalogFile]]) -> Catalog:
    """Later files add entries or replace earlier ones with the same id."""
    categories: dict[str, Category] = {}
    activities: dict[str, Activity] = {}
    goals: dict[str, GoalExample] = {}
    origin: dict[str, Path] = {}
    for path, part in files:
        for section, target, entries in (
            ("categories", categories, part.categories),
            ("activities", activities, part.activities),
            ("goal_examples", goals, part.goal_examples),
        ):
            seen: set[str] = set()
            for entry in entries:
                if entry.id in seen:
                    raise CatalogError(f"{path}: {section} entry {entry.id} appears twice")
                seen.add(entry.id)
                target[entry.id] = entry  # type: ignore[index]
                if section == "activities":
                    origin[entry.id] = path
    for activity in activities.values():
        if activity.category not in categories:
            known = ", ".join(categories)
            raise CatalogError(
                f"{origin[activity.id]}: activities entry {activity.id}, field category: "
                f"unknown category {activity.category!r}; use one of {known}"
            )
    if not activities:
        raise CatalogError("the catalog has no activities; check MENTORBOT_CATALOG_FILES")
    return Catalog(
        categories=tuple(categories.values()),
        activities=tuple(activities.values()),
        goal_examples=tuple(goals.values()),
    )


def load_catalog(extra_paths: Iterable[Path] = ()) -> Catalog:
    """The built-in catalog, then each operator file in order."""
    paths = [*sorted(BUILTIN_DIR.glob("*.yaml")), *map(Path, extra_paths)]
    return _merge((path, _read(path)) for path in paths)
