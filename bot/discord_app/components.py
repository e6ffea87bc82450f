"""Buttons and modals whose custom ids carry everything needed to answer them, even after a restart.

- ``ActionButton``: ``mb:`` + the core's action string (``mb:s:42:swap``). Registered as a
  ``DynamicItem``, so a bot started later answers a click on a message an earlier run sent; the
  action goes back to ``Core.press`` unchanged and no mapping is kept anywhere.
  A button that opens a form again with what was typed is one of these too: its action names a
  draft the core keeps (``form:TOKEN``), so it works after a restart and only for its writer.
- Modals: ``mbm:FORM_ID:CONTEXT``. A modal is never kept by discord.py (it is stopped before it
  is sent); its submission is read from the interaction payload in ``on_interaction``, so a form
  opened before a restart is still accepted after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord

from bot.core.replies import FieldKind, Form, FormField

if TYPE_CHECKING:
    from bot.discord_app.interactions import Interactions

CUSTOM_ID_LIMIT = 100
ACTION_PREFIX = "mb:"
MODAL_PREFIX = "mbm:"
MODAL_INPUTS = 5  # Discord's limit of inputs in one modal
LABEL_LIMIT = 45
HINT_LIMIT = 100
TITLE_LIMIT = 45
SELECT_OPTIONS = 25
TEXT_LIMIT = 4000


class _Bot(Protocol):
    interactions: Interactions


def _handler(interaction: discord.Interaction) -> Interactions:
    return cast(_Bot, interaction.client).interactions


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(re.escape(ACTION_PREFIX) + r"(?P<action>\S+)"),
):
    """A button of a core message; clicking it calls ``Core.press`` with its action."""

    def __init__(
        self,
        action: str,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            discord.ui.Button(label=label[:80], style=style, custom_id=ACTION_PREFIX + action)
        )
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        return cls(match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).click(interaction, self.action)


@dataclass(frozen=True)
class Submission:
    """A submitted modal: the core's form id and context, and the values."""

    form_id: str
    context: str
    values: dict[str, str | list[str]]


def modal_custom_id(form: Form) -> str:
    custom_id = f"{MODAL_PREFIX}{form.form_id}:{form.context}"
    if len(custom_id) > CUSTOM_ID_LIMIT:
        raise ValueError(f"form context too long for a Discord custom id: {custom_id!r}")
    return custom_id


def read_submission(data: Mapping[str, Any]) -> Submission | None:
    """A modal submit payload's ``data`` as a ``Submission``; None when the modal is not ours."""
    custom_id = str(data.get("custom_id") or "")
    if not custom_id.startswith(MODAL_PREFIX):
        return None
    form_id, _, context = custom_id.removeprefix(MODAL_PREFIX).partition(":")
    values: dict[str, str | list[str]] = {}
    _collect(data.get("components") or (), values)
    return Submission(form_id, context, values)


def _collect(components: Iterable[Mapping[str, Any]], into: dict[str, str | list[str]]) -> None:
    """Inputs inside action rows (type 1) or labels (type 18): text values and select values."""
    for component in components:
        if "custom_id" in component and "value" in component:
            into[component["custom_id"]] = str(component["value"])
        elif "custom_id" in component and "values" in component:
            into[component["custom_id"]] = [str(v) for v in component["values"]]
        _collect(component.get("components") or (), into)
        if "component" in component:
            _collect((component["component"],), into)


def fitted(fields: Iterable[FormField]) -> list[FormField]:
    """At most five fields, as a Discord modal holds: the required ones, then the others in
    order. (The meeting form has six when the pair has open goals; see the README.)"""
    fields = list(fields)
    keep = {f.name for f in fields if f.required}
    for field in fields:
        if len(keep) >= MODAL_INPUTS:
            break
        keep.add(field.name)
    return [f for f in fields if f.name in keep][:MODAL_INPUTS]


def modal_title(form: Form) -> str:
    """The title, with what the form is about (a modal has no room for an intro line): "Log a
    meeting: Mock interview", cut with "…" to Discord's 45 characters."""
    title = f"{form.title}: {form.topic}" if form.topic else form.title
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def form_modal(form: Form) -> discord.ui.Modal:
    """The modal for ``form``; selects become select menus, the rest text inputs."""
    modal = discord.ui.Modal(title=modal_title(form), custom_id=modal_custom_id(form))
    for field in fitted(form.fields):
        modal.add_item(
            discord.ui.Label(
                text=field.label[:LABEL_LIMIT],
                description=field.hint[:HINT_LIMIT] or None,
                component=_input(field),
            )
        )
    modal.stop()  # not kept in memory: on_interaction answers it, before or after a restart
    return modal


def _input(field: FormField) -> discord.ui.Item[Any]:
    initial = field.initial
    chosen = set(initial) if isinstance(initial, tuple) else {initial} if initial else set()
    if field.kind in (FieldKind.SELECT, FieldKind.MULTI_SELECT) and field.options:
        options = [
            discord.SelectOption(
                label=o.label[:100], value=o.value[:100], default=o.value in chosen
            )
            for o in field.options[:SELECT_OPTIONS]
        ]
        many = field.kind == FieldKind.MULTI_SELECT
        return discord.ui.Select(
            custom_id=field.name,
            options=options,
            min_values=1 if field.required else 0,
            max_values=len(options) if many else 1,
            required=field.required,
        )
    text = ", ".join(sorted(chosen)) if isinstance(initial, tuple) else (initial or None)
    limit = min(field.max_length or TEXT_LIMIT, TEXT_LIMIT)
    if text and len(text) > limit:  # what was typed, over the limit: shown whole, to shorten
        limit = TEXT_LIMIT
    return discord.ui.TextInput(
        custom_id=field.name,
        style=discord.TextStyle.long
        if field.kind == FieldKind.LONG_TEXT
        else discord.TextStyle.short,
        default=text[:limit] if text else None,
        required=field.required,
        max_length=limit,
    )
