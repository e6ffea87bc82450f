"""The core stays platform-neutral, and every command answers help."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.core.service import COMMANDS
from tests.support.bot import actor, text_of

ROOT = Path(__file__).resolve().parents[1]
NEUTRAL = ["storage", "scheduler", "prompts", "bot/core", "bot/console"]
PLATFORM_LIBRARIES = {"slack_bolt", "slack_sdk", "discord"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("folder", NEUTRAL)
def test_core_imports_no_platform_library(folder):
    """Nothing outside the adapters imports slack_bolt, slack_sdk or discord."""
    files = list((ROOT / folder).rglob("*.py"))
    assert files
    leaks = {str(f.relative_to(ROOT)): imported_roots(f) & PLATFORM_LIBRARIES for f in files}
    assert {name: libs for name, libs in leaks.items() if libs} == {}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(core, command):
    """`/COMMAND help` explains the command to anyone who asks (the summary to coordinators)."""
    who = actor("casey") if command == "mentoring-summary" else actor("stranger")
    assert f"/{command}" in text_of(core.command(who, command, "help"))
