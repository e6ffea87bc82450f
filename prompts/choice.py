"""Which activity a pair gets next.

The rules, in order of weight: never repeat an activity for a pair until the catalog is used
up (least-offered first); offer a time-bound item only when its date is near, and then
prominently; prefer the year's phase (kickoff, midpoint, closing); prefer activities whose tags
match the pair's open goals; rotate categories; offer less of a category the pair skipped or
swapped away. Ties are broken by a seeded hash, so a given seed always gives the same choice.
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

from prompts.catalog import Activity, Catalog

PHASE_WEIGHT = 8.0
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
    """The best activity for the pair now, or None when nothing can be offered."""
    excluded = set(exclude)
    available = [
        activity
        for activity in catalog.activities
        if activity.id not in excluded
        and (activity.schedule is None or activity.schedule.is_near(now, horizon, zone))
    ]
    if not available:
        return None
    fewest = min(history.offered[a.id] for a in available)
    candidates = [a for a in available if history.offered[a.id] == fewest]
    return max(candidates, key=lambda a: (_score(a, history, phase), _tiebreak(seed, a.id)))


def _score(activity: Activity, history: PairHistory, phase: str | None) -> float:
    score = 0.0
    if phase and phase in activity.phases:
        score += PHASE_WEIGHT
    if activity.schedule is not None:
        score += TIMELY_WEIGHT
    score += GOAL_TAG_WEIGHT * min(MAX_GOAL_TAGS, len(history.goal_tags & set(activity.tags)))
    if activity.category not in history.recent_categories:
        score += FRESH_CATEGORY_WEIGHT
    elif history.recent_categories and activity.category == history.recent_categories[-1]:
        score -= FRESH_CATEGORY_WEIGHT
    score -= DISLIKE_WEIGHT * history.disliked_categories[activity.category]
    return score
