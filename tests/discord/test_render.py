"""Pure translations, by table: messages to Discord parts, nonces, modals and their payloads."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.replies import (
    Attachment,
    Button,
    ButtonStyle,
    FieldKind,
    Form,
    FormField,
    Message,
    Option,
    Table,
    said,
)
from bot.discord_app.components import fitted, form_modal, read_submission
from bot.discord_app.outbound import nonce_for
from bot.discord_app.render import CONTENT_LIMIT, edit_kwargs, parts
from tests.discord.harness import CASEY


def in_loop(work):
    """discord.py views need a running loop."""

    async def run():
        return work()

    return asyncio.run(run())


def test_a_short_message_is_one_part_with_its_buttons_and_files():
    """Text, buttons (custom id mb:ACTION, styles kept) and files all go in one message."""
    message = Message(
        "**Try** _this_",
        buttons=(Button("Go", "s:1:accept", ButtonStyle.PRIMARY), Button("No", "s:1:skip")),
        attachments=(Attachment("a.csv", b"x", "A table", "text/csv"),),
    )

    def render():
        [part] = parts(message)
        kwargs = part.send_kwargs()
        return part, kwargs["view"].to_components(), kwargs["files"]

    part, rows, files = in_loop(render)
    assert part.content == "**Try** _this_"
    [row] = rows
    assert [(b["custom_id"], b["label"], b["style"]) for b in row["components"]] == [
        ("mb:s:1:accept", "Go", 1),
        ("mb:s:1:skip", "No", 2),
    ]
    assert [(f.filename, f.description) for f in files] == [("a.csv", "A table")]


def test_long_text_is_split_at_line_ends_with_buttons_on_the_last_part():
    """Over 2,000 characters: several messages, split between lines, buttons at the end."""
    lines = [f"line {n} " + "x" * 90 for n in range(60)]
    message = Message("\n".join(lines), buttons=(Button("Go", "s:1:accept"),))
    pieces = parts(message)
    assert len(pieces) == 3
    assert all(len(p.content) <= CONTENT_LIMIT for p in pieces)
    assert "\n".join(p.content for p in pieces) == message.text
    assert [bool(p.buttons) for p in pieces] == [False, False, True]


@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=7000))
def test_no_part_is_ever_over_discords_limit(text):
    """Whatever the text, every part fits in a Discord message and none is empty."""
    for part in parts(Message(text)):
        assert 0 < len(part.content) <= CONTENT_LIMIT


def test_a_table_is_aligned_in_a_code_block():
    table = Table(("pair", "why"), (("1", "no meeting"), ("12", "asked for help")))
    [part] = parts(Message("**Needing attention**", table=table))
    assert part.content == (
        "**Needing attention**\n```\npair  why\n1     no meeting\n12    asked for help\n```"
    )


def test_a_button_too_long_for_discord_is_left_out():
    """A custom id over 100 characters would be refused; that button is dropped, not sent."""

    def render():
        view = edit_kwargs(
            Message("x", buttons=(Button("Ok", "s:1:ok"), Button("Long", "s:1:" + "y" * 97)))
        )["view"]
        return [item.custom_id for item in view.children]

    assert in_loop(render) == ["mb:s:1:ok"]


def test_an_update_without_buttons_removes_them():
    assert edit_kwargs(Message("done")) == {"content": "done", "view": None}


@pytest.mark.parametrize(
    "key", ["mentorbot-delivery-1", "mentorbot-delivery-123456789012", "k" * 300]
)
def test_nonces_fit_discord_and_differ_per_place(key):
    """At most 25 characters, the same for the same key and place, different otherwise."""
    slots = ["t", "d0", "d1", "t0", "d19"]
    nonces = [nonce_for(key, slot) for slot in slots]
    assert all(len(n) <= 25 for n in nonces)
    assert len(set(nonces)) == len(slots)
    assert nonce_for(key, "t") == nonces[0] != nonce_for(key + "x", "t")


FIELDS = (
    FormField("date", "Date", FieldKind.DATE, required=True, initial="2026-11-20"),
    FormField("duration", "Duration", required=True, hint="e.g. 45m"),
    FormField(
        "activity",
        "Activity",
        FieldKind.SELECT,
        required=True,
        initial="other",
        options=(Option("a1", "A walk"), Option("other", "Something else")),
    ),
    FormField("notes", "Notes", FieldKind.LONG_TEXT, max_length=2000),
    FormField("next_steps", "Next steps", FieldKind.LONG_TEXT),
    FormField(
        "goals", "Goals moved", FieldKind.MULTI_SELECT, options=(Option("1", "1. Read more"),)
    ),
)


def test_a_modal_holds_five_inputs_required_first():
    """Discord modals take five inputs: the sixth (optional) field is left out."""
    assert [f.name for f in fitted(FIELDS)] == [
        "date",
        "duration",
        "activity",
        "notes",
        "next_steps",
    ]
    late_required = (*FIELDS[3:], FormField("must", "Must", required=True))
    assert [f.name for f in fitted((*FIELDS[:3], *late_required))][-1] == "must"


def test_the_meeting_modal_uses_labels_selects_and_text_inputs():
    form = Form("log-meeting", "Log a meeting", FIELDS, context="pair:12")

    def render():
        modal = form_modal(form)
        return modal.is_finished(), modal.to_dict()

    finished, payload = in_loop(render)
    assert finished  # never kept by discord.py: on_interaction answers it
    assert payload["custom_id"] == "mbm:log-meeting:pair:12"
    labels = payload["components"]
    assert [c["type"] for c in labels] == [18] * 5
    assert labels[0]["component"]["value"] == "2026-11-20"
    assert labels[1]["description"] == "e.g. 45m"
    select = labels[2]["component"]
    assert select["type"] == 3 and select["min_values"] == 1 and select["max_values"] == 1
    assert [o["value"] for o in select["options"] if o.get("default")] == ["other"]
    assert labels[3]["component"]["style"] == 2 and labels[3]["component"]["max_length"] == 2000


def test_a_submission_is_read_from_rows_and_labels():
    data = {
        "custom_id": "mbm:log-meeting:pair:12:delivery:7",
        "components": [
            {"type": 18, "component": {"type": 4, "custom_id": "duration", "value": "1h"}},
            {"type": 18, "component": {"type": 3, "custom_id": "activity", "values": ["a1"]}},
            {"type": 1, "components": [{"type": 4, "custom_id": "notes", "value": ""}]},
        ],
    }
    submission = read_submission(data)
    assert submission is not None
    assert (submission.form_id, submission.context) == (
        "log-meeting",
        "pair:12:delivery:7",
    )
    assert submission.values == {"duration": "1h", "activity": ["a1"], "notes": ""}
    assert read_submission({"custom_id": "someone-elses-modal", "components": []}) is None


@pytest.mark.parametrize(
    ("core_text", "shown"),
    [
        (f"🎯 Ben set goal **1**: {said('[click me](https://evil.example)')}", "\\[click me]"),
        (f"**1.** {said('Read ``` aloud')}\n**2.** Next", "Read \\`\\`\\` aloud\n**2.** Next"),
        (f"**{said('A*B')}** done", "**A\\*B** done"),
        (said("# not a heading\n> not a quote"), "\\# not a heading\n\\> not a quote"),
    ],
)
def test_what_a_person_wrote_shows_as_typed(core_text, shown):
    """A masked link in a goal is no link, an unbalanced code fence turns nothing after it into
    code, and a name with `*` keeps its bold line whole."""
    [part] = parts(Message(core_text))
    assert shown in part.content


def test_every_help_and_idea_answer_is_one_discord_message(core, pair_id):
    """Answers that are not lists are one message too: each command's help (and each verb's,
    as `/goal help add` shows it) and the goal ideas, for a coordinator who sees them all."""
    from bot.core.commands import COMMANDS
    from bot.core.replies import Actor

    casey = Actor("discord", str(CASEY), "Casey")
    asked = [(command.name, "help") for command in COMMANDS]
    asked += [(c.name, f"help {verb.name}") for c in COMMANDS for verb in c.verbs]
    asked.append(("goal", "ideas"))
    for command, text in asked:
        message = core.command(casey, command, text).message
        assert message is not None, (command, text)
        assert len(parts(message)) == 1, (command, text, len(message.text))
