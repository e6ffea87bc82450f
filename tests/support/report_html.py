"""A simulated mentoring year for the funder report's tests, and a reader of the report's HTML.

The year has two programs (both with a cohort called "Fall"), pairs with and without a cohort,
meetings with and without ratings (each with notes and next steps that must never reach the
report), goals, suggestions, midpoint and closing reflections (shared and not, one answered
after its quarter), kickoff and closing competency ratings, pairs that ended early (with and
without a reason), a re-match, and a pair the year's end closed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bot.core.service import Core
from storage.db import session_scope
from storage.models import CompetencyRating, Delivery, Goal, Meeting, Pair, Reflection
from tests.support.bot import PairSpec, add_pair, add_program

RIVERSIDE, LAKESIDE = "Riverside Libraries", "Lakeside Branches"
YEAR_START, YEAR_END = dt.date(2025, 9, 1), dt.date(2026, 8, 31)
AFTER_THE_YEAR = dt.datetime(2026, 9, 15, 12, 0, tzinfo=dt.UTC)
MEMBERS = {  # user id: display name, distinctive so a stray one is found
    "rm1": "Zelda Quill",
    "re1": "Yusuf Marlow",
    "rm2": "Xavier Nuth",
    "re2": "Wanda Okoro",
    "rm3": "Violet Pryce",
    "re3": "Umar Quist",
    "rm4": "Tobias Reed",
    "rm5": "Sasha Tull",
    "re5": "Rhea Vance",
    "lm1": "Quentin Ware",
    "le1": "Petra Xu",
}
NOT_EARLY = "the program ended"


def at(day: str, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), dt.UTC)


@dataclass
class Year:
    """What the year holds: pair ids by name, and the words that must stay out of a report."""

    pairs: dict[str, int] = field(default_factory=dict)
    private: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    late_shared: str = "LATE-SHARED-WORDS"


def simulated_year(core: Core) -> Year:
    year = Year()
    riverside = add_program(
        core, name=RIVERSIDE, start=YEAR_START, end=YEAR_END, timezone="America/New_York"
    )
    lakeside = add_program(
        core, name=LAKESIDE, start=YEAR_START, end=YEAR_END, timezone="America/Chicago"
    )
    specs = {
        "p1": (riverside, "rm1", "re1", "Fall", "2025-09-01"),
        "p2": (riverside, "rm2", "re2", "Fall", "2025-09-01"),
        "p3": (riverside, "rm3", "re3", "Spring", "2025-09-01"),
        "p4": (riverside, "rm4", "re3", "Spring", "2025-12-01"),
        "p5": (riverside, "rm5", "re5", None, "2025-09-01"),
        "p6": (lakeside, "lm1", "le1", "Fall", "2025-09-01"),
    }
    for name, (program, mentor, mentee, cohort, start) in specs.items():
        spec = PairSpec(
            mentor,
            mentee,
            dt.date.fromisoformat(start),
            cohort,
            mentor_name=MEMBERS[mentor],
            mentee_name=MEMBERS[mentee],
        )
        year.pairs[name] = add_pair(core, program, spec)
    with session_scope(core.sessions) as session:
        _meetings(session, year)
        _goals(session, year)
        _suggestions(session, year)
        _reflections(session, year)
        _competencies(session, year)
        _endings(session, year)
    return year


def _meetings(session: object, year: Year) -> None:
    held = {
        "p1": [
            ("2025-10-05", 60, 5),
            ("2025-11-02", 45, 4),
            ("2025-12-10", 30, None),
            ("2026-01-20", 90, 3),
        ],
        "p2": [("2025-10-15", 60, 2), ("2026-02-01", 30, 4)],
        "p3": [("2025-10-20", 60, 1)],
        "p4": [("2025-12-15", 45, 5)],
        "p5": [("2025-11-11", 50, None)],
        "p6": [("2025-10-08", 60, 4), ("2025-12-01", 60, 5)],
    }
    for name, meetings in held.items():
        for number, (day, minutes, rating) in enumerate(meetings, 1):
            notes, steps = f"PRIVATE-NOTE-{name}-{number}", f"PRIVATE-NEXT-{name}-{number}"
            year.private += [notes, steps]
            session.add(  # type: ignore[attr-defined]
                Meeting(
                    pair_id=year.pairs[name],
                    number=number,
                    met_on=dt.date.fromisoformat(day),
                    duration_minutes=minutes,
                    rating=rating,
                    notes=notes,
                    next_steps=steps,
                    created_at=at(day),
                )
            )


def _goals(session: object, year: Year) -> None:
    goals = {
        "p1": [("2025-10-01", "2025-12-01"), ("2025-10-02", None), ("2026-01-05", "2026-02-01")],
        "p6": [("2025-11-01", "2025-11-30")],
    }
    for name, found in goals.items():
        for number, (made, done) in enumerate(found, 1):
            text = f"PRIVATE-GOAL-{name}-{number}"
            year.private.append(text)
            session.add(  # type: ignore[attr-defined]
                Goal(
                    pair_id=year.pairs[name],
                    number=number,
                    text=text,
                    status="done" if done else "open",
                    created_at=at(made),
                    closed_at=at(done) if done else None,
                )
            )


def _delivery(session: object, pair_id: int, kind: str, key: str, day: str, **more: object) -> int:
    delivery = Delivery(
        pair_id=pair_id,
        kind=kind,
        round_key=key,
        due_at=at(day),
        status="sent",
        sent_at=at(day),
        **more,
    )
    session.add(delivery)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return delivery.id


def _suggestions(session: object, year: Year) -> None:
    answered = {"answer": "accept", "answered_at": at("2025-10-08")}
    _delivery(session, year.pairs["p1"], "suggestion", "r1", "2025-10-07", **answered)
    _delivery(session, year.pairs["p1"], "suggestion", "r2", "2025-10-28")
    _delivery(session, year.pairs["p6"], "suggestion", "r1", "2025-10-07", answer="skip")


def _reflections(session: object, year: Year) -> None:
    """Midpoints for the pairs still going in February, closings in August; each answer
    ``(member, score, shared, worked, change, answered on)``."""
    people = {
        name: session.get(Pair, pair_id)  # type: ignore[attr-defined]
        for name, pair_id in year.pairs.items()
    }
    answers = {
        ("p1", "midpoint"): [
            ("mentor", 4, True, "SHARED-WORKED-1", "SHARED-CHANGE-1", "2026-02-26"),
            ("mentee", 5, False, "PRIVATE-WORKED-1", "PRIVATE-CHANGE-1", "2026-02-27"),
        ],
        ("p4", "midpoint"): [("mentee", 3, True, "SHARED-WORKED-2", "", "2026-03-01")],
        ("p5", "midpoint"): [("mentee", 1, True, year.late_shared, "", "2026-04-03")],
        ("p6", "midpoint"): [("mentor", 2, False, "PRIVATE-WORKED-3", "", "2026-02-25")],
        ("p1", "closing"): [
            ("mentor", 5, True, "SHARED-WORKED-4", "", "2026-08-26"),
            ("mentee", 4, False, "", "PRIVATE-CHANGE-5", "2026-08-27"),
        ],
        ("p4", "closing"): [],
        ("p6", "closing"): [("mentee", 4, False, "PRIVATE-CHANGE-6", "", "2026-08-27")],
    }
    for (name, phase), given in answers.items():
        day = "2026-02-24" if phase == "midpoint" else "2026-08-25"
        delivery = _delivery(session, year.pairs[name], phase, phase, day)
        pair = people[name]
        for role, score, shared, worked, change, answered in given:
            person = pair.mentor_id if role == "mentor" else pair.mentee_id
            words = [w for w in (worked, change) if w]
            if shared and worked != year.late_shared:
                year.shared += words
            elif not shared:
                year.private += words
            session.add(  # type: ignore[attr-defined]
                Reflection(
                    delivery_id=delivery,
                    pair_id=pair.id,
                    person_id=person,
                    phase=phase,
                    score=score,
                    worked=worked,
                    change=change,
                    shared=shared,
                    created_at=at(answered),
                )
            )


def _competencies(session: object, year: Year) -> None:
    ratings = {  # (pair, member): {area: (kickoff, closing or None)}
        ("p1", "mentor"): {"client-group": (1, 3), "programming": (2, 3)},
        ("p1", "mentee"): {"client-group": (2, 4), "programming": (1, None)},
        ("p4", "mentee"): {"materials": (2, 2)},
        ("p6", "mentor"): {"client-group": (2, 3)},
    }
    for (name, role), areas in ratings.items():
        pair = session.get(Pair, year.pairs[name])  # type: ignore[attr-defined]
        person = pair.mentor_id if role == "mentor" else pair.mentee_id
        for area, (kickoff, closing) in areas.items():
            levels = [("kickoff", kickoff, "2025-09-10"), ("closing", closing, "2026-08-20")]
            for phase, level, day in levels:
                if level is not None:
                    session.add(  # type: ignore[attr-defined]
                        CompetencyRating(
                            pair_id=pair.id,
                            person_id=person,
                            phase=phase,
                            area=area,
                            level=level,
                            created_at=at(day),
                        )
                    )


def _endings(session: object, year: Year) -> None:
    """p3 re-matched into p4 in December, p2 (with a reason) and p5 (without) ended in the
    first quarter, and p6 closed by the year's end."""
    endings = {
        "p3": ("mentor changed roles", "2025-12-01"),
        "p2": ("moved to another library", "2026-02-10"),
        "p5": (None, "2026-03-01"),
        "p6": (NOT_EARLY, "2026-09-01"),
    }
    for name, (reason, day) in endings.items():
        pair = session.get(Pair, year.pairs[name])  # type: ignore[attr-defined]
        pair.status, pair.ended_at, pair.end_reason = "ended", at(day), reason
    rematched = session.get(Pair, year.pairs["p4"])  # type: ignore[attr-defined]
    rematched.rematched_from_id = year.pairs["p3"]
    rematched.created_at = at("2025-12-01")


# -- reading the report ----------------------------------------------------------------------


Scope = tuple[str, str | None]  # a program, and a cohort (None: the program as a whole)


class ReportPage(HTMLParser):
    """What a reader (and a printer) meets in the report: its sections, each scope's figures
    and table rows, every image, link, tag, attribute and word."""

    def __init__(self, content: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.programs: list[str] = []
        self.cohorts: dict[str, list[str]] = defaultdict(list)
        self.figures: dict[Scope, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.rows: dict[Scope, list[list[str]]] = defaultdict(list)
        self.images: list[str] = []
        self.links: list[str] = []
        self.tags: set[str] = set()
        self.attributes: list[str] = []
        self.words: list[str] = []
        self.style = ""
        self._scope: Scope | None = None
        self._figure: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_style = False
        self.feed(content.decode("utf-8"))
        self.close()

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.add(tag)
        for name, value in attrs:
            if value is not None and not (tag == "img" and name == "src"):
                self.attributes.append(value)
        if tag == "section" and "data-program" in values:
            self.programs.append(values["data-program"] or "")
            self._scope = (self.programs[-1], None)
        elif tag == "section" and "data-cohort" in values:
            cohort = values["data-cohort"] or ""
            self.cohorts[self.programs[-1]].append(cohort)
            self._scope = (self.programs[-1], cohort)
        elif tag == "img":
            self.images.append(values.get("src") or "")
        elif tag == "a":
            self.links.append(values.get("href") or "")
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            self._figure = values.get("data-figure")
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            cell = "".join(self._cell).strip()
            if self._row is not None:
                self._row.append(cell)
            if self._figure and self._scope:
                self.figures[self._scope][self._figure].append(cell)
            self._cell, self._figure = None, None
        elif tag == "tr" and self._row is not None and self._scope:
            self.rows[self._scope].append(self._row)
            self._row = None
        elif tag == "section" and self._scope:
            self._scope = (self._scope[0], None) if self._scope[1] is not None else None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
            return
        self.words.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def figure(self, scope: Scope, name: str) -> str:
        """The one value of figure ``name`` in ``scope``."""
        [value] = self.figures[scope][name]
        return value
