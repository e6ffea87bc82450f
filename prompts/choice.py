"""Which activity a pair gets next.

An activity tagged for phases of the year (kickoff, midpoint, closing) is kept for them: it is
offered only in a round of one of its phases (``phase_of``), so the phase's round always finds
one left. Among what a round may offer, the rules in order of weight: never repeat an activity
for a pair until those are used up (least-offered first); in a phase's round, an activity of
that phase (one not also kept for a phase still to come, when there is a choice); a time-bound
item only when its date is near, and then prominently; activities whose tags match the pair's
open goals; rotate categories; less of a category the pair skipped or swapped away. Ties are
broken by a seeded hash, so a given seed always gives the same choice.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from prompts.catalog import PHASE_ORDER, Activity, Catalog

# The phase of a round, from what it carries (a delivery kind's value): the welcome and the
# first ``KICKOFF_ROUNDS`` rounds after it are the kickoff; the midpoint and closing
# reflections are their phases; any other round is in none.
PHASE_OF_KIND = {"welcome": "kickoff", "midpoint": "midpoint", "closing": "closing"}
KICKOFF_ROUNDS = 2
ROUND_KEY = re.compile(r"r([0-9]+)")
LATER_PHASE_WEIGHT = 1.0
TIMELY_WEIGHT = 4.0
GOAL_TAG_WEIGHT = 3.0
MAX_GOAL_TAGS = 2
FRESH_CATEGORY_WEIGHT = 2.0
DISLIKE_WEIGHT = 1.5
RECENT_CATEGORY_COUNT = 3

# Words in a goal that point at a catalog tag.
GOAL_KEYWORDS: dict[str, tuple[str, ...]] = {
    "interviews": ("interview",),
    "career": ("career", "resume", "cv", "job", "promotion"),
    "leadership": ("lead", "manager", "director", "supervis"),
    "management": ("manag", "director", "budget", "challenge"),
    "books": ("book", "title", "newbery", "caldecott", "award"),
    "reading": ("read", "article", "journal"),
    "diversity": ("divers", "inclusi", "equity", "edi"),
    "technology": ("technolog", "website", "digital", "online"),
    "association": ("alsc", "association", "committee", "member"),
    "conferences": ("conference", "training", "workshop"),
    "networking": ("network", "contact", "colleague"),
    "writing": ("writ", "blog", "publish", "author"),
    "programs": ("program", "craft", "storytime", "event"),
    "school-libraries": ("school",),
    "mentoring": ("mentor",),
    "early-literacy": ("literacy", "early", "ready to read"),
}


GOAL_PATTERNS = {
    tag: re.compile("|".join(rf"\b{re.escape(stem)}" for stem in stems))
    for tag, stems in GOAL_KEYWORDS.items()
}


@lru_cache(maxsize=4096)
def _tags_of(text: str) -> frozenset[str]:
    words = text.casefold()
    return frozenset(tag for tag, pattern in GOAL_PATTERNS.items() if pattern.search(words))


def goal_tags(goal_texts: Iterable[str]) -> frozenset[str]:
    """The catalog tags the pair's open goals talk about."""
    return frozenset().union(*map(_tags_of, goal_texts))


@dataclass(frozen=True)
class PairHistory:
    """What the choice needs to know of a pair's past."""

    offered: Counter[str] = field(default_factory=Counter)
    recent_categories: tuple[str, ...] = ()
    disliked_categories: Counter[str] = field(default_factory=Counter)
    goal_tags: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        catalog: Catalog,
        offered: Sequence[str],
        turned_away: Iterable[tuple[str, str]],
        open_goals: Iterable[str],
    ) -> PairHistory:
        """A pair's history from its offered activity ids (in order), the (activity id, action)
        of its skips and swaps, and its open goals' texts; unknown activities are ignored."""
        known = catalog.activity_ids
        counts: Counter[str] = Counter(a for a in offered if a in known)
        categories = [catalog.activity(a).category for a in offered if a in known]
        disliked: Counter[str] = Counter()
        for activity_id, action in turned_away:
            if activity_id in known:
                disliked[catalog.activity(activity_id).category] += 1
                if action == "swap":  # a swapped-away activity was offered, too
                    counts[activity_id] += 1
        return cls(
            offered=counts,
            recent_categories=tuple(categories[-RECENT_CATEGORY_COUNT:]),
            disliked_categories=disliked,
            goal_tags=goal_tags(open_goals),
        )


def phase_of(kind: str, round_key: str) -> str | None:
    """The phase of the year the round ``round_key`` of a delivery ``kind`` is in, if any."""
    if kind != "suggestion":
        return PHASE_OF_KIND.get(kind)
    number = ROUND_KEY.fullmatch(round_key)
    return "kickoff" if number and int(number[1]) <= KICKOFF_ROUNDS else None


def offerable_in(activity: Activity, phase: str | None) -> bool:
    """Whether a round in ``phase`` (None: no phase) may offer ``activity``: one tagged for
    phases is kept for them."""
    return not activity.phases or phase in activity.phases


def _tiebreak(seed: int, activity_id: str) -> float:
    return zlib.crc32(f"{seed}:{activity_id}".encode()) / 2**32


def choose_activity(
    catalog: Catalog,
    history: PairHistory,
    *,
    now: dt.datetime,
    horizon: dt.timedelta,
    zone: ZoneInfo,
    seed: int,
    phase: str | None = None,
    exclude: Iterable[str] = (),
) -> Activity | None:
    """The best activity for the pair now in a round of ``phase`` (see ``phase_of``), or None
    when nothing can be offered."""
    excluded = set(exclude)
    available = [
        activity
        for activity in catalog.activities
        if activity.id not in excluded
        and offerable_in(activity, phase)
        and (activity.schedule is None or activity.schedule.is_near(now, horizon, zone))
    ]
    if not available:
        return None
    fewest = min(history.offered[a.id] for a in available)
    candidates = [a for a in available if history.offered[a.id] == fewest]
    in_phase = [a for a in candidates if phase in a.phases]
    return max(
        in_phase or candidates, key=lambda a: (_score(a, history, phase), _tiebreak(seed, a.id))
    )


def _later_phases(activity: Activity, phase: str | None) -> int:
    """How many phases still to come after ``phase`` also keep ``activity``."""
    if phase not in PHASE_ORDER:
        return 0
    return len(activity.phases & set(PHASE_ORDER[PHASE_ORDER.index(phase) + 1 :]))


def _score(activity: Activity, history: PairHistory, phase: str | None) -> float:
    score = -LATER_PHASE_WEIGHT * _later_phases(activity, phase)
    if activity.schedule is not None:
        score += TIMELY_WEIGHT
    score += GOAL_TAG_WEIGHT * min(MAX_GOAL_TAGS, len(history.goal_tags & set(activity.tags)))
    if activity.category not in history.recent_categories:
        score += FRESH_CATEGORY_WEIGHT
    elif history.recent_categories and activity.category == history.recent_categories[-1]:
        score -= FRESH_CATEGORY_WEIGHT
    score -= DISLIKE_WEIGHT * history.disliked_categories[activity.category]
    return score
