"""The reflection on Discord, through real discord.py: `/mentoring reflect` alone opens its
modal (score and share as select menus), its options answer it in one go, and a refused option
comes back with what was typed; the self-assessment comes five areas to a modal."""

from __future__ import annotations

from typing import Any

import pytest

from storage.models import CompetencyRating, Reflection
from tests.discord.harness import BEN, LOBBY, STEP, buttons, inputs, make_bot, running, scenario
from tests.fakes.discord_api import FakeDiscord
from tests.support.bot import a_sent_midpoint, rows

pytestmark = pytest.mark.timeout(60)


def test_reflect_opens_its_modal_and_options_answer_it(core, fake: FakeDiscord, pair_id):
    a_sent_midpoint(core, "1")

    async def body() -> tuple[Any, Any, Any, Any]:
        async with running(make_bot(core), fake):
            opened = await fake.interact(fake.slash("mentoring", BEN, LOBBY, "reflect"), STEP)
            values = {"score": ["4"], "worked": "Story time together", "share": ["yes"]}
            submitted = await fake.interact(
                fake.modal_submit(opened.data["custom_id"], BEN, LOBBY, values), STEP
            )
            typed = {"score": 2, "share": "maybe"}
            refused = await fake.interact(
                fake.slash("mentoring", BEN, LOBBY, "reflect", typed), STEP
            )
            again = await fake.interact(
                fake.slash("mentoring", BEN, LOBBY, "reflect", {"score": 2}), STEP
            )
            return opened, submitted, refused, again

    opened, submitted, refused, again = scenario(body())
    assert opened.type == 9 and inputs(opened.data) == ["score", "worked", "change", "share"]
    assert "went to your coordinators" in (submitted.content or "")
    assert "`yes` or `no`" in (refused.content or "") and "share:maybe" in (refused.content or "")
    assert "Open the form" in buttons(fake.message(refused.message_id or 0) or {})
    assert "reflection is updated" in (again.content or "")
    [answer] = rows(core, Reflection)
    assert (answer.score, answer.worked, answer.shared) == (2, "", False)


def test_the_self_assessment_comes_five_areas_at_a_time(core, fake: FakeDiscord, pair_id):
    async def body() -> tuple[Any, Any]:
        async with running(make_bot(core), fake):
            first = await fake.interact(fake.slash("mentoring", BEN, LOBBY, "competencies"), STEP)
            areas = inputs(first.data)
            saved = await fake.interact(
                fake.modal_submit(first.data["custom_id"], BEN, LOBBY, {a: ["2"] for a in areas}),
                STEP,
            )
            more = buttons(fake.message(saved.message_id or 0) or {})["Rate the next areas"]
            second = await fake.interact(fake.button(more, BEN, LOBBY, saved.message_id), STEP)
            rest = inputs(second.data)
            await fake.interact(
                fake.modal_submit(second.data["custom_id"], BEN, LOBBY, {a: ["3"] for a in rest}),
                STEP,
            )
            return first, second

    first, second = scenario(body())
    assert first.data["title"] == "Where you start (1 of 2)" and len(inputs(first.data)) == 5
    assert second.data["title"] == "Where you start (2 of 2)" and len(inputs(second.data)) == 2
    assert sorted(r.level for r in rows(core, CompetencyRating)) == [2] * 5 + [3] * 2
