"""The wording users read, kept as data in ``prompts/messages/*.yaml``.

Top-level keys are the messages the scheduler delivers (``welcome``, ``suggestion``…) and the
help texts; the replies and refusals of each core module sit under a mapping named for it
(``goals:`` → ``added:``), and are named with a dot: ``render("goals.added", …)``; the
adapters' own words sit under ``slack_app:``, ``discord_app:`` and ``console:``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from string import Formatter

import yaml

MESSAGES_FILE = Path(__file__).parent / "messages" / "en.yaml"


class MessageError(LookupError):
    """A message key the wording file lacks, or a placeholder the caller left out."""


def _flatten(loaded: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in loaded.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= _flatten(value, f"{name}.")
        else:
            flat[name] = str(value).strip()
    return flat


@cache
def _templates() -> dict[str, str]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return _flatten(loaded)


def keys() -> frozenset[str]:
    """Every message key the wording file holds (nested keys joined with dots)."""
    return frozenset(_templates())


def placeholders(key: str) -> frozenset[str]:
    """The ``{names}`` the template ``key`` needs filled in."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in Formatter().parse(template(key))
        if field
    )


def template(key: str) -> str:
    """The raw template ``key``, placeholders unfilled."""
    try:
        return _templates()[key]
    except KeyError:
        raise MessageError(f"{MESSAGES_FILE.name} has no message {key!r}") from None


def render(key: str, **values: object) -> str:
    """The template ``key`` with ``values`` filled in."""
    try:
        return template(key).format(**values)
    except KeyError as missing:
        raise MessageError(f"message {key!r} needs a value for {missing}") from None
