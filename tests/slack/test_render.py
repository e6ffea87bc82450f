"""Pure translations: markup, command text, Block Kit messages and modals, tested by tables."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
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
from bot.slack_app.forms import error_blocks, modal_view, read_submission
from bot.slack_app.render import (
    MAX_BLOCKS,
    SECTION_LIMIT,
    TEXT_LIMIT,
    fallback_text,
    message_blocks,
)
from bot.slack_app.text import command_text, mrkdwn
from tests.fakes.slack_requests import (
    checkboxes_value,
    datepicker_value,
    plain_text_value,
    static_select_value,
)


@pytest.mark.parametrize(
    ("core_text", "slack_text"),
    [
        ("**Your goals**", "*Your goals*"),
        ("_logged by Ada_", "_logged by Ada_"),
        ("type `/goal add TEXT`", "type `/goal add TEXT`"),
        ("Q&A <today>", "Q&amp;A &lt;today&gt;"),
        ("**1.** Read **more**", "*1.* Read *more*"),
        # what a person wrote shows as typed: its formatting kept from pairing up
        (f"**{said('A*B')}**", "*A\u200b*\u200bB*"),
        (said("*bold* _it_"), "\u200b*\u200bbold\u200b*\u200b \u200b_\u200bit\u200b_\u200b"),
        (
            said("<https://evil.example|click me> @channel"),
            "&lt;https://evil.example|click me&gt; @channel",
        ),
        (f"_({said('Ann')}, 2 Dec)_", "_(Ann, 2 Dec)_"),
    ],
)
def test_markup_becomes_mrkdwn(core_text, slack_text):
    """The core's markup reads the same in Slack, and Slack's reserved characters are escaped."""
    assert mrkdwn(core_text) == slack_text


@pytest.mark.parametrize(
    ("sent", "core_text"),
    [
        ("add <@U3|cleo> Visit the library", ("add @cleo Visit the library", {"cleo": "U3"})),
        ("<@W012ABC> list", ("@W012ABC list", {"W012ABC": "W012ABC"})),
        ("<@U3|Cleo Smith> list", ("@CleoSmith list", {"CleoSmith": "U3"})),
        ("add Read &lt;Holes&gt; &amp; more", ("add Read <Holes> & more", {})),
        ("add see <#C42|general>", ("add see #general", {})),
        ("add mail <mailto:a@b.org|a@b.org>", ("add mail a@b.org", {})),
        ("  list  ", ("list", {})),
        ("add tell <!channel> and <!here>", ("add tell @channel and @here", {})),
        ("add ask <!subteam^S012|@librarians>", ("add ask @librarians", {})),
    ],
)
def test_command_text_reaches_the_core_as_typed(sent, core_text):
    """Escaped mentions, channels, links and entities become what the member typed; each
    mention's user id travels beside its name."""
    assert command_text(sent) == core_text


def test_buttons_carry_the_core_action_as_action_id():
    """Each button's action_id is the core's action string; styles map to Slack's."""
    message = Message(
        "Pick one",
        buttons=(
            Button("We'll do this", "s:7:accept", ButtonStyle.PRIMARY),
            Button("Show me another", "s:7:swap"),
            Button("We need help", "c:8:help", ButtonStyle.DANGER),
        ),
    )
    [section, actions] = message_blocks(message)
    assert section["text"] == {"type": "mrkdwn", "text": "Pick one"}
    assert [(e["action_id"], e.get("style")) for e in actions["elements"]] == [
        ("s:7:accept", "primary"),
        ("s:7:swap", None),
        ("c:8:help", "danger"),
    ]


def test_table_is_a_code_block_with_aligned_columns():
    """A table shows as monospaced columns inside a code fence."""
    table = Table(("pair", "why"), (("1", "no meeting"), ("12", "asked for help")))
    [_, block] = message_blocks(Message("**Needing attention**", table=table))
    assert block["text"]["text"] == ("```\npair  why\n1     no meeting\n12    asked for help\n```")


def test_files_become_a_note_not_blocks():
    """Attachments are uploaded separately; the message only carries the note given."""
    message = Message("Here", attachments=(Attachment("a.csv", b"x", "A", "text/csv"),))
    blocks = message_blocks(message, note="📎 a.csv: sent to you")
    assert [b["type"] for b in blocks] == ["section", "context"]


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20_000))
def test_any_text_fits_slacks_block_limits(text):
    """However long the text, every section stays under 3,000 characters and 50 blocks."""
    blocks = message_blocks(Message(text))
    assert 1 <= len(blocks) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks)
    assert len(fallback_text(Message(text))) <= 3000


def test_overlong_text_is_cut_short_with_a_note_and_keeps_its_buttons():
    """Text past what Slack takes in one message (about 12,000 characters: beyond that it
    answers msg_blocks_too_long) is cut with a visible note; the buttons still come last."""
    message = Message("line of text\n" * 20_000, buttons=(Button("Skip", "s:1:skip"),))
    blocks = message_blocks(message)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sum(map(len, sections)) <= TEXT_LIMIT + 100
    assert "cut short" in blocks[-2]["text"]["text"]
    assert blocks[-1]["type"] == "actions"


@pytest.mark.parametrize("filler", ["&" * 3000, "a&b " * 800, "word " * 700])
def test_a_line_too_long_for_a_section_is_cut_outside_escapes_and_at_a_word(filler):
    """A 3,000-character line never splits an escape (`&a` + `mp;`) and, where it has
    spaces, splits between words; each piece but the last ends with "…"."""
    sections = [b["text"]["text"] for b in message_blocks(Message(filler))]
    assert len(sections) > 1
    for text in sections:
        assert not re.search(r"&(?!amp;|lt;|gt;)", text)
    for text in sections[:-1]:
        assert text.endswith("…")
        if " " in filler:  # a whole word ends the piece
            assert text.removesuffix("…").endswith(filler.split()[0][-1])


def meeting_form() -> Form:
    return Form(
        "log-meeting",
        "Log a meeting with your pair",
        (
            FormField(
                "date",
                "Date",
                FieldKind.DATE,
                required=True,
                initial="2026-11-20",
                hint="today, yesterday…",
            ),
            FormField(
                "duration",
                "Duration",
                FieldKind.TEXT,
                required=True,
                max_length=20,
                hint="e.g. 45m",
            ),
            FormField(
                "activity",
                "Activity",
                FieldKind.SELECT,
                required=True,
                initial="other",
                options=(Option("a1", "Mock interview"), Option("other", "Something else")),
            ),
            FormField("notes", "Notes", FieldKind.LONG_TEXT, max_length=2000),
            FormField("count", "People", FieldKind.NUMBER, initial="2"),
            FormField(
                "goals",
                "Goals moved",
                FieldKind.MULTI_SELECT,
                initial=("2",),
                options=(Option("1", "1. Read"), Option("2", "2. Write")),
            ),
        ),
        submit_label="Log it",
        context="pair:3",
    )


def test_form_becomes_a_modal_with_one_input_per_field():
    """Each field is an input block named after it, with the right Slack element."""
    view = modal_view(meeting_form(), "G1", "https://hooks.slack.com/r/1")
    assert (view["callback_id"], view["title"]["text"]) == (
        "log-meeting",
        "Log a meeting with your…",
    )
    assert json.loads(view["private_metadata"]) == {
        "context": "pair:3",
        "conversation": "G1",
        "url": "https://hooks.slack.com/r/1",
    }
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert {name: b["element"]["type"] for name, b in blocks.items()} == {
        "date": "datepicker",
        "duration": "plain_text_input",
        "activity": "static_select",
        "notes": "plain_text_input",
        "count": "number_input",
        "goals": "multi_static_select",
    }
    assert blocks["date"]["element"]["initial_date"] == "2026-11-20"
    assert "hint" not in blocks["date"]  # a picker takes no typed words
    assert blocks["duration"]["hint"]["text"] == "e.g. 45m"
    assert blocks["activity"]["element"]["initial_option"]["value"] == "other"
    assert [o["value"] for o in blocks["goals"]["element"]["initial_options"]] == ["2"]
    assert blocks["notes"]["element"]["multiline"] is True
    assert (blocks["date"]["optional"], blocks["notes"]["optional"]) == (False, True)


def test_submission_values_come_back_by_field_name():
    """state.values become the core's values: text, dates, the chosen option, lists."""
    view = modal_view(meeting_form(), "G1", None)
    view["state"] = {
        "values": {
            "date": {"date": datepicker_value("2026-11-19")},
            "duration": {"duration": plain_text_value("45m")},
            "activity": {"activity": static_select_value(None)},
            "notes": {"notes": plain_text_value(None)},
            "goals": {"goals": checkboxes_value(["1", "2"])},
        }
    }
    submission = read_submission(view)
    assert (submission.form_id, submission.context, submission.conversation_id) == (
        "log-meeting",
        "pair:3",
        "G1",
    )
    assert submission.response_url is None
    assert submission.values == {
        "date": "2026-11-19",
        "duration": "45m",
        "activity": "",
        "notes": "",
        "goals": ["1", "2"],
    }


def test_field_errors_map_onto_block_ids():
    """Errors land on their field's block; an error for an unknown field on the first block."""
    view = {"state": {"values": {"date": {}, "duration": {}}}}
    errors = error_blocks(view, {"duration": "Type it like 45m.", "form": "Try again."})
    assert errors == {"duration": "Type it like 45m.", "date": "Try again."}
