"""The wording users read, kept as data in ``prompts/messages/*.yaml``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

MESSAGES_FILE = Path(__file__).parent / "messages" / "en.yaml"


@cache
def _templates() -> dict[str, str]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return {key: str(value).strip() for key, value in loaded.items()}


def render(key: str, **values: object) -> str:
    """The template ``key`` with ``values`` filled in."""
    return _templates()[key].format(**values)
