"""A core ``Form`` as a Slack modal, and a ``view_submission`` back as the core's values.

The modal carries everything needed to finish the job without server-side state: ``callback_id``
is the core's ``form_id``; ``private_metadata`` holds the core's context, the conversation the
form was opened from and that request's ``response_url`` (to answer the user privately there).
Each field is one input block whose ``block_id`` and ``action_id`` are the field's name, so the
core's ``field_errors`` map straight onto ``response_action: errors``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.replies import FieldKind, Form, FormField, Option, render
from bot.slack_app.text import mrkdwn

Block = dict[str, Any]

TITLE_LIMIT = 24  # characters in a modal's title and submit label
OPTION_LIMIT = 75  # characters in an option's text
MAX_OPTIONS = 100
METADATA_LIMIT = 3000
INPUT_LIMIT = 3000  # characters a plain-text input holds


@dataclass(frozen=True)
class Submission:
    """A submitted modal, as the core needs it."""

    form_id: str
    context: str
    conversation_id: str | None
    response_url: str | None
    values: dict[str, str | list[str]]


def modal_view(form: Form, conversation_id: str | None, response_url: str | None) -> Block:
    """The ``views.open`` view for ``form``."""
    metadata = {"context": form.context, "conversation": conversation_id, "url": response_url}
    packed = json.dumps(metadata, separators=(",", ":"))
    if len(packed) > METADATA_LIMIT:  # a very long URL: answer by DM instead
        packed = json.dumps({**metadata, "url": None}, separators=(",", ":"))
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "title": _plain(_clip(form.title, TITLE_LIMIT)),
        "submit": _plain(_clip(form.submit_label, TITLE_LIMIT)),
        "close": _plain(render("slack_app.cancel")),
        "private_metadata": packed,
        "blocks": _intro(form.intro) + [_input(field) for field in form.fields],
    }


def _intro(text: str) -> list[Block]:
    if not text:
        return []
    section = {"type": "mrkdwn", "text": mrkdwn(text)}
    return [{"type": "section", "block_id": "intro", "text": section}]


def read_submission(view: Mapping[str, Any]) -> Submission:
    """The form id, context and field values of a submitted view."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    state = view.get("state", {}).get("values", {})
    values = {
        block_id: _value(element)
        for block_id, actions in state.items()
        for element in actions.values()
    }
    return Submission(
        form_id=str(view.get("callback_id", "")),
        context=str(metadata.get("context") or ""),
        conversation_id=metadata.get("conversation") or None,
        response_url=metadata.get("url") or None,
        values=values,
    )


def error_blocks(view: Mapping[str, Any], field_errors: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` keyed by block id; an error for a field the modal does not
    show is put on its first field, so no error is ever dropped."""
    shown = list(view.get("state", {}).get("values", {}))
    errors: dict[str, str] = {}
    for name, sentence in field_errors.items():
        block = name if name in shown or not shown else shown[0]
        errors[block] = f"{errors[block]} {sentence}" if block in errors else sentence
    return errors


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(option: Option) -> Block:
    return {"text": _plain(_clip(option.label, OPTION_LIMIT)), "value": option.value}


def _input(field: FormField) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label),
        "element": _element(field),
        "optional": not field.required,
    }
    if field.hint and field.kind != FieldKind.DATE:  # the picker takes no typed words
        block["hint"] = _plain(field.hint)
    return block


def _element(field: FormField) -> Block:
    kind = field.kind
    if kind in (FieldKind.SELECT, FieldKind.MULTI_SELECT) and field.options:
        return _select(field)
    if kind == FieldKind.DATE:
        element: Block = {"type": "datepicker", "action_id": field.name}
        if isinstance(field.initial, str) and _is_date(field.initial):
            element["initial_date"] = field.initial
        return element
    if kind == FieldKind.NUMBER:
        element = {"type": "number_input", "action_id": field.name, "is_decimal_allowed": False}
    else:
        element = {"type": "plain_text_input", "action_id": field.name}
        element["multiline"] = kind == FieldKind.LONG_TEXT
        too_long = isinstance(field.initial, str) and len(field.initial) > (field.max_length or 0)
        if field.max_length and not too_long:  # what was typed, over the limit, is shown whole
            element["max_length"] = field.max_length
    if isinstance(field.initial, str) and field.initial:
        element["initial_value"] = field.initial[:INPUT_LIMIT]
    return element


def _select(field: FormField) -> Block:
    options = field.options[:MAX_OPTIONS]
    chosen = {field.initial} if isinstance(field.initial, str) else set(field.initial or ())
    initial = [_option(o) for o in options if o.value in chosen]
    element: Block = {
        "action_id": field.name,
        "options": [_option(o) for o in options],
        "placeholder": _plain(render("slack_app.choose")),
    }
    if field.kind == FieldKind.MULTI_SELECT:
        element["type"] = "multi_static_select"
        if initial:
            element["initial_options"] = initial
    else:
        element["type"] = "static_select"
        if initial:
            element["initial_option"] = initial[0]
    return element


def _value(element: Mapping[str, Any]) -> str | list[str]:
    """One input's value: text for inputs, pickers and single selects; a list for multi."""
    if "selected_options" in element:
        return [str(o["value"]) for o in element["selected_options"] or ()]
    if "selected_option" in element:
        option = element["selected_option"]
        return str(option["value"]) if option else ""
    for key in ("selected_date", "value"):
        if key in element:
            return str(element[key] or "")
    return ""


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
