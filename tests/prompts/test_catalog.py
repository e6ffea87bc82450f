"""The catalog holds every activity and goal example of the seed documents, and its loader
explains mistakes by file and entry."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from prompts.catalog import Catalog, CatalogError, load_catalog

SEEDS = Path(__file__).parents[1] / "data" / "seeds"
SOURCE_NAMES = {"000": "program-page", "001": "suggested-activities"}
SECTION_CATEGORY = {
    "create!": "create",
    "practice interviews": "interviews",
    "topic discussions": "discussion",
    "topic discussion": "discussion",
    "reading and writing": "reading-writing",
    "participate in association events": "association",
}
STOP_WORDS = {
    "a",
    "an",
    "and",
    "the",
    "of",
    "to",
    "for",
    "in",
    "or",
    "you",
    "your",
    "with",
    "such",
    "as",
    "i",
    "e",
    "see",
    "resources",
    "below",
    "that",
    "is",
    "at",
    "on",
}
NEW_YORK = ZoneInfo("America/New_York")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9#]+", text.casefold().replace("’", "'"))} - STOP_WORDS


def seed_bullets() -> list[tuple[str, str, str]]:
    """(source, section, bullet text) for every bullet of both seed documents."""
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        section = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("•"):
                found.append((SOURCE_NAMES[path.name[:3]], section, stripped.lstrip("• ").strip()))
            elif stripped and len(stripped) < 40:
                section = stripped.casefold()
        assert found, f"no bullets read from {path}"
    return found


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


ACTIVITY_BULLETS = [b for b in seed_bullets() if b[1] in SECTION_CATEGORY]


@pytest.mark.parametrize(("source", "section", "bullet"), ACTIVITY_BULLETS)
def test_every_seed_activity_is_in_its_category(catalog, source, section, bullet):
    wanted = _words(bullet)
    best = max(catalog.activities, key=lambda a: len(wanted & _words(a.title + " " + a.what)))
    covered = len(wanted & _words(best.title + " " + best.what)) / len(wanted)
    assert covered >= 0.85, f"{bullet!r} is not in the catalog (closest: {best.id})"
    assert best.category == SECTION_CATEGORY[section]
    assert source in best.sources


def test_the_seeds_hold_the_expected_number_of_activities():
    # 12 bullets on the program page, 16 in the longer list (guards the bullet reader itself).
    assert sum(1 for b in ACTIVITY_BULLETS if b[0] == "program-page") == 12
    assert sum(1 for b in ACTIVITY_BULLETS if b[0] == "suggested-activities") == 16


def test_every_goal_example_is_in_the_catalog(catalog):
    goals = [b[2] for b in seed_bullets() if b[1] == "goals"]
    assert len(goals) == 6
    texts = {g.text.rstrip(".") for g in catalog.goal_examples}
    for goal in goals:
        assert goal.rstrip(".") in texts


def test_every_further_reading_is_named_without_invented_titles(catalog):
    resources = [b[2] for b in seed_bullets() if b[1] == "more resources"]
    text = catalog.activity("mentoring-article").what
    for resource in resources:
        author_or_outlet = (
            re.sub(r'^[^"]*?"\."\s*', "", resource)
            if resource.startswith('"')
            else resource.split(".")[0].split(",")[0]
        )
        first_word = author_or_outlet.split()[0]
        assert first_word.rstrip(".") in text, resource


def test_prose_items_of_the_seeds_are_activities(catalog):
    competencies = catalog.activity("alsc-competencies")
    assert "Competencies for Librarians Serving Children" in competencies.what
    assert "kickoff" in competencies.phases
    assert "ALSC Blog" in catalog.activity("alsc-blog-match-projects").what


def test_no_contact_details_or_urls_are_invented(catalog):
    for activity in catalog.activities:
        assert not re.search(r"https?://|\d{3}-\d{3}-\d{4}|@\w", activity.what), activity.id


def test_each_phase_has_at_least_two_activities(catalog):
    for phase in ("kickoff", "midpoint", "closing"):
        assert sum(phase in a.phases for a in catalog.activities) >= 2, phase


def test_alscchat_is_the_second_thursday_at_nine_eastern(catalog):
    assert catalog.activity("alscchat").title == "Join an #alscchat discussion"
    schedule = catalog.activity("alscchat").schedule
    after = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    when = schedule.next_occurrence(after, ZoneInfo("UTC"))
    assert when == dt.datetime(2027, 3, 11, 21, 0, tzinfo=NEW_YORK)
    # Past this month's chat, the next is in the following month.
    later = schedule.next_occurrence(dt.datetime(2027, 3, 12, 3, 0, tzinfo=dt.UTC), NEW_YORK)
    assert later.astimezone(NEW_YORK).date() == dt.date(2027, 4, 8)


def test_dia_is_near_from_three_weeks_before_april_30(catalog):
    schedule = catalog.activity("dia-childrens-day").schedule
    three_weeks = dt.timedelta(weeks=3)
    assert not schedule.is_near(dt.datetime(2027, 4, 1, tzinfo=dt.UTC), dt.timedelta(0), NEW_YORK)
    assert schedule.is_near(dt.datetime(2027, 4, 10, tzinfo=dt.UTC), dt.timedelta(0), NEW_YORK)
    assert not schedule.is_near(dt.datetime(2027, 5, 2, tzinfo=dt.UTC), three_weeks, NEW_YORK)


def test_mock_elections_season_spans_new_year(catalog):
    schedule = catalog.activity("mock-newbery-caldecott").schedule
    zero = dt.timedelta(0)
    assert schedule.is_near(dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC), zero, NEW_YORK)
    assert schedule.is_near(dt.datetime(2026, 10, 2, 12, tzinfo=dt.UTC), zero, NEW_YORK)
    assert not schedule.is_near(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC), zero, NEW_YORK)
    assert schedule.is_near(
        dt.datetime(2027, 9, 20, 12, tzinfo=dt.UTC), dt.timedelta(weeks=3), NEW_YORK
    )


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extra.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_operator_file_adds_and_replaces_by_id(tmp_path):
    extra = _write(
        tmp_path,
        """
activities:
  - id: mock-interview
    category: interviews
    title: Mock interview, our way
    what: Use our county's interview questions.
  - id: storytime-swap
    category: create
    title: Swap storytime plans
    what: Each bring a storytime plan and trade.
    tags: [programs]
""",
    )
    catalog = load_catalog([extra])
    assert catalog.activity("mock-interview").title == "Mock interview, our way"
    assert "storytime-swap" in catalog.activity_ids
    assert len(catalog.activities) == len(load_catalog().activities) + 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "activities:\n  - id: x\n    category: nowhere\n    title: T\n    what: W\n",
            "activities entry x, field category: unknown category 'nowhere'",
        ),
        (
            "activities:\n  - id: x\n    category: create\n    title: T\n",
            "activities entry 1 (x), field what: Field required",
        ),
        (
            "activities:\n  - id: x\n    category: create\n    title: T\n    what: W\n"
            "    schedule: {kind: yearly, month: 13, day: 1}\n",
            "activities entry 1 (x), field schedule.yearly.month",
        ),
        (
            "activities:\n  - id: x\n    category: create\n    title: T\n    what: W\n"
            "    phases: [someday]\n",
            "unknown phase 'someday'",
        ),
        ("activities: [\n", "not valid YAML"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_mistakes_name_the_file_and_entry(tmp_path, text, message):
    extra = _write(tmp_path, text)
    with pytest.raises(CatalogError) as raised:
        load_catalog([extra])
    assert str(extra) in str(raised.value)
    assert message in str(raised.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog([tmp_path / "nope.yaml"])
