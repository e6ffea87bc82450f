"""The reflection and the competency self-assessment as Slack modals, through real slack-bolt:
the form says where its answers go, a refused answer stays open beside its field, and a good
one is stored for the member who gave it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from storage.models import CompetencyRating, Reflection
from tests.fakes.slack_requests import plain_text_value, static_select_value
from tests.slack.harness import serve
from tests.support.bot import a_sent_midpoint, rows

pytestmark = pytest.mark.timeout(30)


def answers(score: str | None, worked: str | None) -> dict[str, dict[str, Any]]:
    return {
        "score": {"score": static_select_value(score)},
        "worked": {"worked": plain_text_value(worked)},
        "change": {"change": plain_text_value(None)},
        "share": {"share": static_select_value("no", "No")},
    }


def test_the_reflection_modal_refuses_beside_its_field_and_stores_a_good_answer(
    app, fake, core, pair_id
):
    a_sent_midpoint(core, "1.0")

    async def scenario() -> tuple[dict[str, Any], Any, Any]:
        async with serve(app, fake) as slack:
            await slack.command("/mentoring", "reflect", "U1")
            view = (await fake.wait_for(lambda: fake.views))[0]
            wrong = await slack.submit(view, answers(None, "x" * 1001), "U1")
            right = await slack.submit(view, answers("4", "The mock interview"), "U1")
            return view, wrong, right

    view, wrong, right = asyncio.run(scenario())
    assert view["callback_id"] == "reflection"
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert "coordinators" in blocks["intro"]["text"]["text"]
    assert blocks["score"]["element"]["type"] == "static_select"
    assert blocks["worked"]["element"]["max_length"] == 1000
    assert blocks["share"]["element"]["initial_option"]["value"] == "no"
    assert wrong.body["response_action"] == "errors"
    assert set(wrong.body["errors"]) == {"score", "worked"}
    assert right.status == 200 and right.text == ""
    [answer] = rows(core, Reflection)
    assert (answer.score, answer.worked, answer.shared) == (4, "The mock interview", False)


def test_the_self_assessment_is_one_modal_of_every_area(app, fake, core, pair_id):
    async def scenario() -> tuple[dict[str, Any], Any]:
        async with serve(app, fake) as slack:
            await slack.command("/mentoring", "competencies", "U2")
            view = (await fake.wait_for(lambda: fake.views))[0]
            areas = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
            values = {area: {area: static_select_value("3")} for area in areas}
            return view, await slack.submit(view, values, "U2")

    view, answer = asyncio.run(scenario())
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == len(core.competencies.areas)
    assert [o["value"] for o in inputs[0]["element"]["options"]] == ["1", "2", "3", "4"]
    assert answer.status == 200
    assert {(r.phase, r.level) for r in rows(core, CompetencyRating)} == {("kickoff", 3)}
