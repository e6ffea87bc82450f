"""Block Kit checked the way Slack documents it, so the fake refuses what Slack would refuse.

``problems(payload, surface)`` walks a message's ``blocks`` (pointers under ``/blocks``) or a
view (pointers under ``/view``) and returns one string per problem, worded like Slack's
``response_metadata.messages`` without the ``[ERROR]`` prefix, e.g.
``"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"``. An empty list means
Slack would accept it. Block and element types the app does not use are accepted unchecked; a type
that is checked is refused when a documented field is missing, of the wrong kind or too long.

Limits are those of the Block Kit reference (docs.slack.dev/reference/block-kit: blocks, block
elements, composition objects; reference/views for modal and Home tab views).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

MESSAGE_BLOCKS = 50  # blocks in one message
VIEW_BLOCKS = 100  # blocks in a modal or Home tab
TEXT_LIMIT = 40_000  # a message's top-level ``text``; beyond it chat.* answer msg_too_long
# Slack refuses chat.postMessage with ``msg_blocks_too_long`` once the text inside its blocks adds
# up to about 12,000 characters (undocumented; Slack staff quote 12,000 "with a buffer for block
# containers", and payloads measured at ~11,300 have been refused), whatever each block's own limit.
BLOCKS_TEXT_LIMIT = 12_000

TEXT_TYPES = ("plain_text", "mrkdwn")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def problems(payload: Any, surface: str) -> list[str]:
    """What Slack would refuse in ``payload``, one ``"... [json-pointer:/...]"`` string each.

    ``surface``: ``"message"`` (payload is the ``blocks`` array), ``"modal"`` or ``"home"``
    (payload is the ``view`` object of that type) or ``"view"`` (a view of either type).
    """
    check = _Check()
    if surface == "message":
        check.blocks(payload, "/blocks", MESSAGE_BLOCKS)
    elif surface in ("modal", "home", "view"):
        check.view(payload, "/view", surface)
    else:
        raise ValueError(f"unknown surface {surface!r}")
    return check.found


def blocks_text_length(blocks: Any) -> int:
    """The characters of every ``text`` string in ``blocks``: what msg_blocks_too_long counts."""
    if isinstance(blocks, list):
        return sum(blocks_text_length(item) for item in blocks)
    if isinstance(blocks, dict):
        total = 0
        for key, value in blocks.items():
            if key == "text" and isinstance(value, str):
                total += len(value)
            else:
                total += blocks_text_length(value)
        return total
    return 0


class _Check:
    """Collects problems while walking one payload."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.block_ids: set[str] = set()

    def add(self, message: str, pointer: str) -> None:
        self.found.append(f"{message} [json-pointer:{pointer}]")

    # ------------------------------------------------------------------ primitives

    def is_object(self, value: Any, pointer: str) -> bool:
        if isinstance(value, Mapping):
            return True
        self.add("must be an object", pointer)
        return False

    def string(
        self,
        parent: Mapping[str, Any],
        key: str,
        pointer: str,
        *,
        required: bool = False,
        maximum: int | None = None,
        minimum: int = 0,
    ) -> str | None:
        """``parent[key]`` as a string within its length limits; None when absent or wrong."""
        where = f"{pointer}/{key}"
        if key not in parent or parent[key] is None:
            if required:
                self.add(f"missing required field: {key}", pointer)
            return None
        value = parent[key]
        if not isinstance(value, str):
            self.add("must be a string", where)
            return None
        if len(value) < minimum:
            self.add(f"must be more than {minimum - 1} characters", where)
        if maximum is not None and len(value) > maximum:
            self.add(f"must be less than {maximum + 1} characters", where)
        return value

    def boolean(self, parent: Mapping[str, Any], key: str, pointer: str) -> None:
        if key in parent and not isinstance(parent[key], bool):
            self.add("must be a boolean", f"{pointer}/{key}")

    def array(
        self,
        parent: Mapping[str, Any],
        key: str,
        pointer: str,
        *,
        required: bool = False,
        minimum: int = 0,
        maximum: int | None = None,
    ) -> list[Any]:
        """``parent[key]`` as a list within its item limits; empty when absent or wrong."""
        where = f"{pointer}/{key}"
        if key not in parent:
            if required:
                self.add(f"missing required field: {key}", pointer)
            return []
        value = parent[key]
        if not isinstance(value, list):
            self.add("must be an array", where)
            return []
        if len(value) < minimum:
            self.add(f"must provide at least {minimum} items", where)
        if maximum is not None and len(value) > maximum:
            self.add(f"no more than {maximum} items allowed", where)
        return value

    def text(
        self,
        parent: Mapping[str, Any],
        key: str,
        pointer: str,
        *,
        required: bool = False,
        plain: bool = False,
        maximum: int = 3000,
    ) -> None:
        """A text object at ``parent[key]``: plain_text or mrkdwn, 1..``maximum`` characters."""
        if key not in parent:
            if required:
                self.add(f"missing required field: {key}", pointer)
            return
        self.text_object(parent[key], f"{pointer}/{key}", plain=plain, maximum=maximum)

    def text_object(
        self, value: Any, pointer: str, *, plain: bool = False, maximum: int = 3000
    ) -> None:
        if not self.is_object(value, pointer):
            return
        kind = value.get("type")
        if kind is None:
            self.add("missing required field: type", pointer)
        elif kind not in (("plain_text",) if plain else TEXT_TYPES):
            self.add("must be a valid enum value", f"{pointer}/type")
        self.string(value, "text", pointer, required=True, minimum=1, maximum=min(maximum, 3000))
        if "emoji" in value:
            self.boolean(value, "emoji", pointer)
            if kind == "mrkdwn":
                self.add("emoji is only allowed when type is plain_text", f"{pointer}/emoji")
        if "verbatim" in value:
            self.boolean(value, "verbatim", pointer)
            if kind == "plain_text":
                self.add("verbatim is only allowed when type is mrkdwn", f"{pointer}/verbatim")

    # ------------------------------------------------------------------ surfaces

    def view(self, view: Any, pointer: str, surface: str) -> None:
        if not self.is_object(view, pointer):
            return
        kinds = {"modal": ("modal",), "home": ("home",)}.get(surface, ("modal", "home"))
        kind = view.get("type")
        if kind is None:
            self.add("missing required field: type", pointer)
        elif kind not in kinds:
            self.add("must be a valid enum value", f"{pointer}/type")
        if "blocks" not in view:
            self.add("missing required field: blocks", pointer)
        else:
            self.blocks(view["blocks"], f"{pointer}/blocks", VIEW_BLOCKS)
        self.string(view, "private_metadata", pointer, maximum=3000)
        self.string(view, "callback_id", pointer, maximum=255)
        self.string(view, "external_id", pointer, maximum=255)
        if kind != "modal":
            return
        self.text(view, "title", pointer, required=True, plain=True, maximum=24)
        self.text(view, "close", pointer, plain=True, maximum=24)
        self.text(view, "submit", pointer, plain=True, maximum=24)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            self.add("missing required field: submit (the view has input blocks)", pointer)
        for key in ("clear_on_close", "notify_on_close", "submit_disabled"):
            self.boolean(view, key, pointer)

    def blocks(self, blocks: Any, pointer: str, limit: int) -> None:
        if not isinstance(blocks, list):
            self.add("must be an array", pointer)
            return
        if len(blocks) > limit:
            self.add(f"no more than {limit} items allowed", pointer)
        for index, block in enumerate(blocks):
            self.block(block, f"{pointer}/{index}")

    # ------------------------------------------------------------------ blocks

    def block(self, block: Any, pointer: str) -> None:
        if not self.is_object(block, pointer):
            return
        kind = block.get("type")
        if not isinstance(kind, str):
            self.add("missing required field: type", pointer)
            return
        block_id = self.string(block, "block_id", pointer, minimum=1, maximum=255)
        if block_id is not None:
            if block_id in self.block_ids:
                self.add(f"duplicate block_id {block_id!r}", f"{pointer}/block_id")
            self.block_ids.add(block_id)
        check = getattr(self, f"block_{kind}", None)
        if check is not None:
            check(block, pointer)

    def block_section(self, block: Mapping[str, Any], pointer: str) -> None:
        if "text" not in block and "fields" not in block:
            self.add("must define either text or fields", pointer)
        self.text(block, "text", pointer)
        fields = self.array(block, "fields", pointer, minimum=1, maximum=10)
        for index, item in enumerate(fields):
            self.text_object(item, f"{pointer}/fields/{index}", maximum=2000)
        if "accessory" in block:
            self.element(block["accessory"], f"{pointer}/accessory", set())
        self.boolean(block, "expand", pointer)

    def block_context(self, block: Mapping[str, Any], pointer: str) -> None:
        elements = self.array(block, "elements", pointer, required=True, minimum=1, maximum=10)
        for index, item in enumerate(elements):
            where = f"{pointer}/elements/{index}"
            if not self.is_object(item, where):
                continue
            if item.get("type") in TEXT_TYPES:
                self.text_object(item, where)
            elif item.get("type") == "image":
                self.element_image(item, where)
            else:
                self.add("must be an image element or a text object", f"{where}/type")

    def block_actions(self, block: Mapping[str, Any], pointer: str) -> None:
        elements = self.array(block, "elements", pointer, required=True, minimum=1, maximum=25)
        action_ids: set[str] = set()
        for index, item in enumerate(elements):
            self.element(item, f"{pointer}/elements/{index}", action_ids)

    def block_header(self, block: Mapping[str, Any], pointer: str) -> None:
        self.text(block, "text", pointer, required=True, plain=True, maximum=150)

    def block_input(self, block: Mapping[str, Any], pointer: str) -> None:
        self.text(block, "label", pointer, required=True, plain=True, maximum=2000)
        self.text(block, "hint", pointer, plain=True, maximum=2000)
        if "element" not in block:
            self.add("missing required field: element", pointer)
        else:
            self.element(block["element"], f"{pointer}/element", set())
        self.boolean(block, "optional", pointer)
        self.boolean(block, "dispatch_action", pointer)

    def block_image(self, block: Mapping[str, Any], pointer: str) -> None:
        self.element_image(block, pointer)
        self.text(block, "title", pointer, plain=True, maximum=2000)

    # ------------------------------------------------------------------ elements

    def element(self, element: Any, pointer: str, action_ids: set[str]) -> None:
        """One block element; ``action_ids`` are those already used in the same block."""
        if not self.is_object(element, pointer):
            return
        kind = element.get("type")
        if not isinstance(kind, str):
            self.add("missing required field: type", pointer)
            return
        action_id = self.string(element, "action_id", pointer, minimum=1, maximum=255)
        if action_id is not None:
            # Documented: "unique among all other action_ids in the containing block".
            if action_id in action_ids:
                self.add(f"duplicate action_id {action_id!r}", f"{pointer}/action_id")
            action_ids.add(action_id)
        if "confirm" in element:
            self.confirm(element["confirm"], f"{pointer}/confirm")
        check = getattr(self, f"element_{kind}", None)
        if check is not None:
            check(element, pointer)

    def element_button(self, element: Mapping[str, Any], pointer: str) -> None:
        self.text(element, "text", pointer, required=True, plain=True, maximum=75)
        self.string(element, "url", pointer, maximum=3000)
        self.string(element, "value", pointer, maximum=2000)
        self.string(element, "accessibility_label", pointer, maximum=75)
        if "style" in element and element["style"] not in ("primary", "danger"):
            self.add("must be a valid enum value", f"{pointer}/style")

    def element_image(self, element: Mapping[str, Any], pointer: str) -> None:
        if "image_url" not in element and "slack_file" not in element:
            self.add("must define either image_url or slack_file", pointer)
        self.string(element, "image_url", pointer, minimum=1, maximum=3000)
        self.string(element, "alt_text", pointer, required=True, maximum=2000)

    def element_plain_text_input(self, element: Mapping[str, Any], pointer: str) -> None:
        self.placeholder(element, pointer)
        self.boolean(element, "multiline", pointer)
        self.boolean(element, "focus_on_load", pointer)
        minimum = self.integer(element, "min_length", pointer, 0, 3000)
        maximum = self.integer(element, "max_length", pointer, 1, 3000)
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add("min_length cannot be greater than max_length", f"{pointer}/min_length")
        limit = 3000 if maximum is None else min(maximum, 3000)
        self.string(element, "initial_value", pointer, maximum=limit)

    def element_static_select(self, element: Mapping[str, Any], pointer: str) -> None:
        values = self.select_options(element, pointer)
        if "initial_option" in element:
            self.chosen(element["initial_option"], f"{pointer}/initial_option", values)

    def element_multi_static_select(self, element: Mapping[str, Any], pointer: str) -> None:
        values = self.select_options(element, pointer)
        for index, option in enumerate(self.array(element, "initial_options", pointer)):
            self.chosen(option, f"{pointer}/initial_options/{index}", values)
        if "max_selected_items" in element:
            self.integer(element, "max_selected_items", pointer, 1, None)

    def element_datepicker(self, element: Mapping[str, Any], pointer: str) -> None:
        self.placeholder(element, pointer)
        self.boolean(element, "focus_on_load", pointer)
        initial = self.string(element, "initial_date", pointer)
        if initial is not None and not _is_date(initial):
            self.add("must be a date in the format YYYY-MM-DD", f"{pointer}/initial_date")

    def element_number_input(self, element: Mapping[str, Any], pointer: str) -> None:
        self.placeholder(element, pointer)
        self.boolean(element, "focus_on_load", pointer)
        if "is_decimal_allowed" not in element:
            self.add("missing required field: is_decimal_allowed", pointer)
        self.boolean(element, "is_decimal_allowed", pointer)
        decimal = element.get("is_decimal_allowed") is True
        numbers = {
            key: self.number(element, key, pointer, decimal)
            for key in ("initial_value", "min_value", "max_value")
        }
        low, high = numbers["min_value"], numbers["max_value"]
        if low is not None and high is not None and low > high:
            self.add("min_value cannot be greater than max_value", f"{pointer}/min_value")

    # ------------------------------------------------------------------ composition objects

    def placeholder(self, element: Mapping[str, Any], pointer: str) -> None:
        self.text(element, "placeholder", pointer, plain=True, maximum=150)

    def confirm(self, value: Any, pointer: str) -> None:
        if not self.is_object(value, pointer):
            return
        self.text(value, "title", pointer, required=True, plain=True, maximum=100)
        self.text(value, "text", pointer, required=True, plain=True, maximum=300)
        self.text(value, "confirm", pointer, required=True, plain=True, maximum=30)
        self.text(value, "deny", pointer, required=True, plain=True, maximum=30)
        if "style" in value and value["style"] not in ("primary", "danger"):
            self.add("must be a valid enum value", f"{pointer}/style")

    def select_options(self, element: Mapping[str, Any], pointer: str) -> list[tuple[Any, Any]]:
        """Check ``options`` or ``option_groups``; the (value, text) of every option offered."""
        self.placeholder(element, pointer)
        self.boolean(element, "focus_on_load", pointer)
        offered: list[tuple[Any, Any]] = []
        if ("options" in element) == ("option_groups" in element):
            self.add("must provide exactly one of options or option_groups", pointer)
        for index, option in enumerate(
            self.array(element, "options", pointer, minimum=1, maximum=100)
        ):
            offered.append(self.option(option, f"{pointer}/options/{index}"))
        groups = self.array(element, "option_groups", pointer, minimum=1, maximum=100)
        for index, group in enumerate(groups):
            where = f"{pointer}/option_groups/{index}"
            if not self.is_object(group, where):
                continue
            self.text(group, "label", where, required=True, plain=True, maximum=75)
            options = self.array(group, "options", where, required=True, minimum=1, maximum=100)
            for number, option in enumerate(options):
                offered.append(self.option(option, f"{where}/options/{number}"))
        return offered

    def option(self, option: Any, pointer: str) -> tuple[Any, Any]:
        if not self.is_object(option, pointer):
            return (None, None)
        self.text(option, "text", pointer, required=True, plain=True, maximum=75)
        self.text(option, "description", pointer, plain=True, maximum=75)
        value = self.string(option, "value", pointer, required=True, minimum=1, maximum=150)
        return (value, _text_of(option))

    def chosen(self, option: Any, pointer: str, offered: list[tuple[Any, Any]]) -> None:
        """An initial option must be one of the options, the same text and value."""
        key = self.option(option, pointer)
        if key != (None, None) and key not in offered:
            self.add("must exactly match one of the options", pointer)

    def integer(
        self,
        parent: Mapping[str, Any],
        key: str,
        pointer: str,
        low: int,
        high: int | None,
    ) -> int | None:
        if key not in parent:
            return None
        value = parent[key]
        where = f"{pointer}/{key}"
        if not isinstance(value, int) or isinstance(value, bool):
            self.add("must be an integer", where)
            return None
        if value < low:
            self.add(f"must be at least {low}", where)
        if high is not None and value > high:
            self.add(f"must be no more than {high}", where)
        return value

    def number(
        self, parent: Mapping[str, Any], key: str, pointer: str, decimal: bool
    ) -> Decimal | None:
        """A number_input bound or value: a string holding a number (whole unless decimal)."""
        text = self.string(parent, key, pointer)
        if text is None:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.add("must be a number", f"{pointer}/{key}")
            return None
        if not decimal and value != value.to_integral_value():
            self.add("must be a whole number when is_decimal_allowed is false", f"{pointer}/{key}")
        return value


def _text_of(option: Mapping[str, Any]) -> Any:
    text = option.get("text")
    return text.get("text") if isinstance(text, Mapping) else None


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
