"""The platform-neutral words the core speaks: who asks, and what it answers.

Adapters turn platform payloads into an ``Actor`` and a command text, and turn a ``Reply`` into
Block Kit, Discord components or console lines. Text uses a tiny markup every platform can
render: ``**bold**`` and ``_italic_``, plain lines otherwise. What a person wrote (a goal, notes,
a name) is marked with ``said``, so each adapter shows it exactly as typed: never read as
markup, a mention or a link (``render_said``). The adapters' own words (a form's Cancel, "You
typed:") come from ``prompts/messages`` too, through ``render`` here: adapters import the core,
never ``prompts``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from prompts.messages import render as render  # the adapters' way to the wording file

SAID_START, SAID_END = "\ue000", "\ue001"  # private-use marks around what a person wrote
SAID = re.compile(f"{SAID_START}(.*?){SAID_END}", re.DOTALL)
HELD = re.compile("\ue002([0-9]+)\ue003")


MARKS = str.maketrans("", "", "\ue000\ue001\ue002\ue003")


def said(text: str) -> str:
    """``text`` as a person wrote it, marked so that no platform reads it as markup."""
    return SAID_START + text.translate(MARKS) + SAID_END


def render_said(text: str, markup: Callable[[str], str], literal: Callable[[str], str]) -> str:
    """``text`` for one platform: the core's own markup through ``markup``, each piece a person
    wrote through ``literal`` (which makes it show as typed there). The pieces are held out of
    the way while ``markup`` runs, so markup around a name (``**Ann**``) still applies."""
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match[1])
        return f"\ue002{len(held) - 1}\ue003"

    rendered = markup(SAID.sub(hold, text))
    return HELD.sub(
        lambda match: literal(held[int(match[1])]) if int(match[1]) < len(held) else "", rendered
    )


def unmarked(text: str) -> str:
    """``text`` with the marks of ``said`` removed (what a reader sees, minus markup)."""
    return text.translate(MARKS)


@dataclass(frozen=True)
class Actor:
    """Who is asking, as the platform knows them; ``workspace`` is where the user id is
    theirs (a Slack team of a many-workspace install; empty where there is just one)."""

    platform: str
    user_id: str
    display_name: str = ""
    timezone: str | None = None
    roles: frozenset[str] = frozenset()
    workspace: str = ""


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A button whose ``action`` string comes back to ``Core.press`` unchanged when clicked."""

    label: str
    action: str
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True)
class MessageRef:
    """The message whose button was clicked, named as the outbound port names a sent one:
    its conversation (``Sent.conversation_id``) and its id (one of ``Sent.message_ref``'s)."""

    conversation: str
    message: str


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    NUMBER = "number"
    SELECT = "select"
    MULTI_SELECT = "multi_select"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    initial: str | tuple[str, ...] | None = None
    options: tuple[Option, ...] = ()
    hint: str = ""
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    """A form to fill in; its submission comes back to ``Core.submit`` with ``form_id`` and
    ``context`` (a short string the core uses to remember which pair or suggestion it is for)."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Save"
    context: str = ""
    intro: str = ""  # a line above the fields, where the platform can show one
    topic: str = ""  # what it is about, for a platform that can say so only in the title

    def filled(self, values: Mapping[str, object]) -> Form:
        """This form with ``values`` (what was typed) as its fields' initial values."""

        def initial(value: object) -> str | tuple[str, ...]:
            if isinstance(value, list | tuple):
                return tuple(str(v) for v in value)
            return str(value)

        fields = tuple(
            dataclasses.replace(f, initial=initial(values[f.name]))
            if values.get(f.name) not in (None, "", [], ())
            else f
            for f in self.fields
        )
        return dataclasses.replace(self, fields=fields)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def aligned_lines(self) -> list[str]:
        """The header and rows as lines with padded columns, for a monospaced block."""
        rows = [self.columns, *self.rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(self.columns))]
        return [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]


@dataclass(frozen=True)
class Attachment:
    """A file to hand the user (a CSV, a PNG chart)."""

    filename: str
    content: bytes
    title: str
    mime_type: str


@dataclass(frozen=True)
class Message:
    """What is shown: text, then optional buttons, a table and files.

    ``typed`` is what the member typed, given back with a refusal: adapters show it verbatim
    (never read as markup) under the text.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    table: Table | None = None
    attachments: tuple[Attachment, ...] = ()
    typed: str = ""


@dataclass(frozen=True)
class PairPost:
    """A message for a pair's shared conversation (visible to both members).

    ``by`` is the member whose action it reports and ``quoting`` the member whose words it
    quotes, where that is someone else; a post with either is recorded where the platform put
    it, so forgetting that member deletes it there too.
    """

    pair_id: int
    message: Message
    by: int | None = None
    quoting: int | None = None


@dataclass(frozen=True)
class DirectPost:
    """A private message to one person (by platform, user id and, where the platform has
    several, workspace), e.g. to a coordinator."""

    platform: str
    user_id: str
    message: Message
    workspace: str = ""


@dataclass(frozen=True)
class Reply:
    """The answer to a command, click or form.

    ``message`` goes privately to the caller. ``form`` asks the adapter to open a form.
    ``field_errors`` (field name to sentence) means a submitted form is kept open with those
    errors shown beside the fields. ``replacement`` asks the adapter to update the clicked
    message in place; ``copies`` names the clicked message's other copies (a message sent to each
    member separately, named as ``Sent.message_ref`` names them), updated alike. ``posts`` are
    messages for others (the pair's conversation, a coordinator), which the adapter delivers
    after answering the caller.
    """

    message: Message | None = None
    form: Form | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    replacement: Message | None = None
    copies: tuple[str, ...] = ()
    posts: tuple[PairPost | DirectPost, ...] = ()

    @classmethod
    def text(cls, text: str, **kwargs: object) -> Reply:
        return cls(message=Message(text), **kwargs)  # type: ignore[arg-type]
