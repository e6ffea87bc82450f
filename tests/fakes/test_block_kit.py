"""The fake refuses Block Kit that Slack refuses, at its documented limits, and accepts the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.block_kit import problems
from tests.fakes.slack_api import FakeSlack

pytestmark = pytest.mark.timeout(20)


# ---------------------------------------------------------------------- payload builders


def text(n: int, kind: str = "mrkdwn", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "text": "x" * n, **extra}


def plain(n: int, **extra: Any) -> dict[str, Any]:
    return text(n, "plain_text", **extra)


def section(n: int = 5, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": text(n), **extra}


def button(action_id: str = "b", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(4), "action_id": action_id, **extra}


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **extra}


def context(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "context", "elements": list(elements)}


def image() -> dict[str, Any]:
    return {"type": "image", "image_url": "https://example.org/a.png", "alt_text": "a"}


def field(element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": "f", "label": plain(5), "element": element, **extra}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    view = {"type": "modal", "title": plain(5), "submit": plain(4), "blocks": list(blocks)}
    return {**view, **extra}


def without(view: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k != key}


def home(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "home", "blocks": list(blocks)}


def text_input(**extra: Any) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": "a", **extra}


def number_input(**extra: Any) -> dict[str, Any]:
    return {"type": "number_input", "action_id": "n", "is_decimal_allowed": False, **extra}


def option(label: str = "One", value: str = "1") -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def options(n: int) -> list[dict[str, Any]]:
    return [option(f"Option {i}", str(i)) for i in range(n)]


def select(choices: list[dict[str, Any]], kind: str = "static_select", **extra: Any) -> Any:
    return {"type": kind, "action_id": "s", "options": choices, **extra}


def datepicker(initial: str) -> dict[str, Any]:
    return {"type": "datepicker", "action_id": "d", "initial_date": initial}


# ---------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class Rule:
    """One documented limit: a payload just inside it, one just outside, and where it breaks."""

    name: str
    surface: str  # "message" (a blocks array), "modal" or "home" (a view)
    inside: Any
    outside: Any
    pointer: str


RULES = [
    # message
    Rule("message_50_blocks", "message", [section()] * 50, [section()] * 51, "/blocks"),
    Rule(
        "block_id_255",
        "message",
        [section(block_id="b" * 255)],
        [section(block_id="b" * 256)],
        "/blocks/0/block_id",
    ),
    Rule(
        "block_id_unique",
        "message",
        [section(block_id="a"), section(block_id="b")],
        [section(block_id="a"), section(block_id="a")],
        "/blocks/1/block_id",
    ),
    Rule(
        "action_id_255",
        "message",
        [actions(button("a" * 255))],
        [actions(button("a" * 256))],
        "/blocks/0/elements/0/action_id",
    ),
    Rule(
        "action_id_unique_in_block",
        "message",
        [actions(button("a"), button("b"))],
        [actions(button("a"), button("a"))],
        "/blocks/0/elements/1/action_id",
    ),
    Rule("section_text_3000", "message", [section(3000)], [section(3001)], "/blocks/0/text/text"),
    Rule("text_at_least_1", "message", [section(1)], [section(0)], "/blocks/0/text/text"),
    Rule(
        "section_10_fields",
        "message",
        [{"type": "section", "fields": [text(3)] * 10}],
        [{"type": "section", "fields": [text(3)] * 11}],
        "/blocks/0/fields",
    ),
    Rule(
        "section_field_2000",
        "message",
        [{"type": "section", "fields": [text(2000)]}],
        [{"type": "section", "fields": [text(2001)]}],
        "/blocks/0/fields/0/text",
    ),
    Rule(
        "section_needs_text_or_fields",
        "message",
        [{"type": "section", "fields": [text(3)]}],
        [{"type": "section", "accessory": button()}],
        "/blocks/0]",
    ),
    Rule(
        "context_10_elements",
        "message",
        [context(*[text(3)] * 10)],
        [context(*[text(3)] * 11)],
        "/blocks/0/elements",
    ),
    Rule("context_1_element", "message", [context(text(3))], [context()], "/blocks/0/elements"),
    Rule(
        "context_text_3000",
        "message",
        [context(text(3000))],
        [context(text(3001))],
        "/blocks/0/elements/0/text",
    ),
    Rule(
        "context_image_or_text",
        "message",
        [context(image(), plain(3))],
        [context(button())],
        "/blocks/0/elements/0/type",
    ),
    Rule(
        "actions_25_elements",
        "message",
        [actions(*[button(f"b{i}") for i in range(25)])],
        [actions(*[button(f"b{i}") for i in range(26)])],
        "/blocks/0/elements",
    ),
    Rule(
        "button_text_75",
        "message",
        [actions(button(text=plain(75)))],
        [actions(button(text=plain(76)))],
        "/blocks/0/elements/0/text/text",
    ),
    Rule(
        "button_text_plain",
        "message",
        [actions(button(text=plain(5)))],
        [actions(button(text=text(5)))],
        "/blocks/0/elements/0/text/type",
    ),
    Rule(
        "button_value_2000",
        "message",
        [actions(button(value="v" * 2000))],
        [actions(button(value="v" * 2001))],
        "/blocks/0/elements/0/value",
    ),
    Rule(
        "button_url_3000",
        "message",
        [actions(button(url="https://x.org/" + "u" * 2986))],
        [actions(button(url="https://x.org/" + "u" * 2987))],
        "/blocks/0/elements/0/url",
    ),
    Rule(
        "button_style",
        "message",
        [actions(button("a", style="primary"), button("b", style="danger"))],
        [actions(button(style="secondary"))],
        "/blocks/0/elements/0/style",
    ),
    Rule(
        "header_150",
        "message",
        [{"type": "header", "text": plain(150)}],
        [{"type": "header", "text": plain(151)}],
        "/blocks/0/text/text",
    ),
    Rule(
        "header_plain_text",
        "message",
        [{"type": "header", "text": plain(5)}],
        [{"type": "header", "text": text(5)}],
        "/blocks/0/text/type",
    ),
    Rule(
        "text_type",
        "message",
        [section(), {"type": "section", "text": plain(5)}],
        [{"type": "section", "text": text(5, "markdown")}],
        "/blocks/0/text/type",
    ),
    Rule(
        "emoji_only_plain_text",
        "message",
        [{"type": "section", "text": plain(5, emoji=True)}],
        [{"type": "section", "text": text(5, emoji=True)}],
        "/blocks/0/text/emoji",
    ),
    # modal view
    Rule(
        "modal_100_blocks",
        "modal",
        modal(*[section()] * 100),
        modal(*[section()] * 101),
        "/view/blocks",
    ),
    Rule(
        "modal_title_24",
        "modal",
        modal(title=plain(24)),
        modal(title=plain(25)),
        "/view/title/text",
    ),
    Rule("modal_title_required", "modal", modal(), without(modal(), "title"), "/view]"),
    Rule(
        "modal_title_plain",
        "modal",
        modal(title=plain(5)),
        modal(title=text(5)),
        "/view/title/type",
    ),
    Rule(
        "modal_submit_24",
        "modal",
        modal(submit=plain(24)),
        modal(submit=plain(25)),
        "/view/submit/text",
    ),
    Rule(
        "modal_close_24",
        "modal",
        modal(close=plain(24)),
        modal(close=plain(25)),
        "/view/close/text",
    ),
    Rule(
        "modal_submit_with_inputs",
        "modal",
        modal(field(text_input())),
        without(modal(field(text_input())), "submit"),
        "/view]",
    ),
    Rule(
        "modal_private_metadata_3000",
        "modal",
        modal(private_metadata="m" * 3000),
        modal(private_metadata="m" * 3001),
        "/view/private_metadata",
    ),
    Rule(
        "modal_callback_id_255",
        "modal",
        modal(callback_id="c" * 255),
        modal(callback_id="c" * 256),
        "/view/callback_id",
    ),
    Rule(
        "input_label_2000",
        "modal",
        modal(field(text_input(), label=plain(2000))),
        modal(field(text_input(), label=plain(2001))),
        "/view/blocks/0/label/text",
    ),
    Rule(
        "input_hint_2000",
        "modal",
        modal(field(text_input(), hint=plain(2000))),
        modal(field(text_input(), hint=plain(2001))),
        "/view/blocks/0/hint/text",
    ),
    Rule(
        "input_element_required",
        "modal",
        modal(field(text_input())),
        modal(without(field(text_input()), "element")),
        "/view/blocks/0]",
    ),
    Rule(
        "text_input_max_length_3000",
        "modal",
        modal(field(text_input(max_length=3000))),
        modal(field(text_input(max_length=3001))),
        "/view/blocks/0/element/max_length",
    ),
    Rule(
        "text_input_min_length_3000",
        "modal",
        modal(field(text_input(min_length=3000))),
        modal(field(text_input(min_length=3001))),
        "/view/blocks/0/element/min_length",
    ),
    Rule(
        "text_input_initial_within_max_length",
        "modal",
        modal(field(text_input(max_length=10, initial_value="i" * 10))),
        modal(field(text_input(max_length=10, initial_value="i" * 11))),
        "/view/blocks/0/element/initial_value",
    ),
    Rule(
        "text_input_initial_3000",
        "modal",
        modal(field(text_input(initial_value="i" * 3000))),
        modal(field(text_input(initial_value="i" * 3001))),
        "/view/blocks/0/element/initial_value",
    ),
    Rule(
        "placeholder_150",
        "modal",
        modal(field(text_input(placeholder=plain(150)))),
        modal(field(text_input(placeholder=plain(151)))),
        "/view/blocks/0/element/placeholder/text",
    ),
    Rule(
        "select_100_options",
        "modal",
        modal(field(select(options(100)))),
        modal(field(select(options(101)))),
        "/view/blocks/0/element/options",
    ),
    Rule(
        "select_1_option",
        "modal",
        modal(field(select(options(1)))),
        modal(field(select([]))),
        "/view/blocks/0/element/options",
    ),
    Rule(
        "option_text_75",
        "modal",
        modal(field(select([option("o" * 75)]))),
        modal(field(select([option("o" * 76)]))),
        "/view/blocks/0/element/options/0/text/text",
    ),
    Rule(
        "option_value_150",
        "modal",
        modal(field(select([option(value="v" * 150)]))),
        modal(field(select([option(value="v" * 151)]))),
        "/view/blocks/0/element/options/0/value",
    ),
    Rule(
        "initial_option_among_options",
        "modal",
        modal(field(select(options(3), initial_option=option("Option 1", "1")))),
        modal(field(select(options(3), initial_option=option("Option 9", "9")))),
        "/view/blocks/0/element/initial_option]",
    ),
    Rule(
        "initial_options_among_options",
        "modal",
        modal(field(select(options(3), "multi_static_select", initial_options=options(2)))),
        modal(field(select(options(3), "multi_static_select", initial_options=options(4)))),
        "/view/blocks/0/element/initial_options/3]",
    ),
    Rule(
        "datepicker_format",
        "modal",
        modal(field(datepicker("2024-02-29"))),
        modal(field(datepicker("2024-2-29"))),
        "/view/blocks/0/element/initial_date",
    ),
    Rule(
        "datepicker_real_date",
        "modal",
        modal(field(datepicker("2024-02-29"))),
        modal(field(datepicker("2023-02-29"))),
        "/view/blocks/0/element/initial_date",
    ),
    Rule(
        "number_is_decimal_allowed_required",
        "modal",
        modal(field(number_input())),
        modal(field(without(number_input(), "is_decimal_allowed"))),
        "/view/blocks/0/element]",
    ),
    Rule(
        "number_whole_unless_decimal",
        "modal",
        modal(field(number_input(initial_value="-3"))),
        modal(field(number_input(initial_value="3.5"))),
        "/view/blocks/0/element/initial_value",
    ),
    Rule(
        "number_as_string",
        "modal",
        modal(field(number_input(initial_value="3"))),
        modal(field(number_input(initial_value=3))),
        "/view/blocks/0/element/initial_value",
    ),
    Rule(
        "number_min_not_above_max",
        "modal",
        modal(field(number_input(min_value="5", max_value="5"))),
        modal(field(number_input(min_value="6", max_value="5"))),
        "/view/blocks/0/element/min_value",
    ),
    # Home tab
    Rule(
        "home_100_blocks",
        "home",
        home(*[section()] * 100),
        home(*[section()] * 101),
        "/view/blocks",
    ),
    Rule("home_type", "home", home(section()), {**home(section()), "type": "modal"}, "/view/type"),
]


def rule_ids(rule: Rule) -> str:
    return rule.name


# ---------------------------------------------------------------------- the validator itself


@pytest.mark.parametrize("rule", RULES, ids=rule_ids)
def test_validator_accepts_inside_and_refuses_outside(rule: Rule) -> None:
    """Each limit: the payload just inside has no problem, the one just outside names its path."""
    assert problems(rule.inside, rule.surface) == []
    found = problems(rule.outside, rule.surface)
    assert found, rule.name
    assert any(f"[json-pointer:{rule.pointer}" in p for p in found), found


def test_validator_words_problems_like_slack() -> None:
    """Problems read like Slack's messages, json-pointer included."""
    assert problems([section(3001)], "message") == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]


def test_unknown_types_are_accepted_unchecked() -> None:
    """Block and element types the fake does not check pass as they are."""
    blocks = [
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]},
        {"type": "divider"},
        actions({"type": "overflow", "action_id": "o", "options": options(2)}),
    ]
    assert problems(blocks, "message") == []


def test_action_id_may_repeat_in_another_block() -> None:
    """Slack documents action_id as unique within its block, so two blocks may share one."""
    assert problems([actions(button("same")), actions(button("same"))], "message") == []


# ---------------------------------------------------------------------- through slack_sdk


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U1", name="ada")
        yield fake


def client_for(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.url)


async def send(slack: FakeSlack, rule: Rule, payload: Any) -> Any:
    client = client_for(slack)
    if rule.surface == "message":
        return await client.chat_postMessage(channel="C1", text="fallback", blocks=payload)
    if rule.surface == "modal":
        return await client.views_open(trigger_id="trig-1", view=payload)
    return await client.views_publish(user_id="U1", view=payload)


@pytest.mark.parametrize("rule", RULES, ids=rule_ids)
def test_slack_sdk_call_is_accepted_inside_and_refused_outside(
    slack: FakeSlack, rule: Rule
) -> None:
    """Through AsyncWebClient: inside is ok; outside gets Slack's error and messages."""

    async def scenario() -> tuple[Any, SlackApiError]:
        accepted = await send(slack, rule, rule.inside)
        with pytest.raises(SlackApiError) as refused:
            await send(slack, rule, rule.outside)
        return accepted, refused.value

    accepted, refused = asyncio.run(scenario())
    assert accepted["ok"]
    body = refused.response.data
    messages = body["response_metadata"]["messages"]
    assert all(m.startswith("[ERROR] ") for m in messages)
    assert any(f"[json-pointer:{rule.pointer}" in m for m in messages), messages
    if rule.surface == "message":
        assert body["error"] == "invalid_blocks"
        assert body["errors"] == [m.removeprefix("[ERROR] ") for m in messages]
    else:
        assert body["error"] == "invalid_arguments"


def test_every_chat_and_views_method_checks_blocks(slack: FakeSlack) -> None:
    """chat.update, chat.postEphemeral, views.update and views.push refuse bad blocks too."""
    bad_blocks, bad_view = [section(3001)], modal(title=plain(25))

    async def scenario() -> list[str]:
        client = client_for(slack)
        posted = await client.chat_postMessage(channel="C2", text="v1", blocks=[section()])
        opened = await client.views_open(trigger_id="trig-2", view=modal(section()))
        calls = [
            client.chat_update(channel="C2", ts=posted["ts"], text="v2", blocks=bad_blocks),
            client.chat_postEphemeral(channel="C2", user="U1", text="e", blocks=bad_blocks),
            client.views_update(view_id=opened["view"]["id"], view=bad_view),
            client.views_push(trigger_id="trig-3", view=bad_view),
        ]
        errors = []
        for call in calls:
            try:
                await call
            except SlackApiError as exc:
                errors.append(exc.response["error"])
        return errors

    errors = asyncio.run(scenario())
    assert errors == ["invalid_blocks", "invalid_blocks", "invalid_arguments", "invalid_arguments"]
    assert slack.messages("C2")[0]["blocks"] == [section()]  # the refused update changed nothing
    assert slack.refusals[-1] == (
        "views.push",
        ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"],
    )


def test_views_publish_keeps_each_users_home_tab(slack: FakeSlack) -> None:
    """views.publish stores the Home tab by user, and a republish replaces it."""

    async def scenario() -> Any:
        client = client_for(slack)
        await client.views_publish(user_id="U1", view=home(section(3)))
        return await client.views_publish(user_id="U1", view=home(section(4), section(5)))

    published = asyncio.run(scenario())
    assert published["view"]["type"] == "home"
    assert len(slack.home_views["U1"]["blocks"]) == 2


def test_message_text_over_40000_is_msg_too_long(slack: FakeSlack) -> None:
    """The top-level text may be 40,000 characters; one more answers msg_too_long."""

    async def scenario() -> tuple[bool, str]:
        client = client_for(slack)
        ok = await client.chat_postMessage(channel="C3", text="t" * 40_000)
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C3", text="t" * 40_001)
        return ok["ok"], refused.value.response["error"]

    assert asyncio.run(scenario()) == (True, "msg_too_long")


def test_block_text_over_12000_is_msg_blocks_too_long(slack: FakeSlack) -> None:
    """chat.postMessage takes 12,000 characters of block text; one more is msg_blocks_too_long."""
    inside = [section(3000)] * 4
    outside = [*inside, section(1)]

    async def scenario() -> tuple[bool, str]:
        client = client_for(slack)
        ok = await client.chat_postMessage(channel="C4", text="t", blocks=inside)
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C4", text="t", blocks=outside)
        return ok["ok"], refused.value.response["error"]

    assert asyncio.run(scenario()) == (True, "msg_blocks_too_long")


def test_blocks_that_are_not_an_array_are_invalid_blocks_format(slack: FakeSlack) -> None:
    """A blocks argument that is not a JSON array answers invalid_blocks_format."""

    async def scenario() -> str:
        with pytest.raises(SlackApiError) as refused:
            await client_for(slack).chat_postMessage(channel="C5", text="t", blocks="nope")
        return refused.value.response["error"]

    assert asyncio.run(scenario()) == "invalid_blocks_format"


def test_response_url_refuses_bad_blocks_with_400(slack: FakeSlack) -> None:
    """A response_url answers 400 invalid_blocks to bad blocks and keeps only good payloads."""

    async def scenario() -> tuple[tuple[int, str], tuple[int, str]]:
        hook = AsyncWebhookClient(slack.response_url("rk"))
        good = await hook.send(text="hi", blocks=[section(3000)])
        bad = await hook.send(text="hi", blocks=[section(3001)])
        return (good.status_code, good.body), (bad.status_code, bad.body)

    good, bad = asyncio.run(scenario())
    assert good == (200, "ok")
    assert bad == (400, "invalid_blocks")
    assert [r["blocks"] for r in slack.responses_to("rk")] == [[section(3000)]]
    assert slack.refusals[-1] == (
        "response_url",
        ["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
    )
