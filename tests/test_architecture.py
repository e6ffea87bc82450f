"""Imports run one way: adapters → core → storage/prompts; scheduler → core → storage/prompts;
nothing but the composition root (``bot.app``, ``bot.cli``) reaches an adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("bot", "scheduler", "storage", "prompts")
PLATFORM_LIBRARIES = {"slack_bolt", "slack_sdk", "discord"}
ANYTHING = {"*"}
# Each package and the packages it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "storage": set(),
    "prompts": set(),
    "bot.settings": set(),
    "bot.core": {"storage", "prompts", "bot.settings"},
    "scheduler": {"bot.core", "bot.settings", "storage", "prompts"},
    "bot.slack_app": {"bot.core", "bot.settings"},
    "bot.discord_app": {"bot.core", "bot.settings"},
    "bot.console": {"bot.core", "bot.settings"},
    "bot.app": ANYTHING,
    "bot.cli": ANYTHING,
    "bot.__main__": {"bot.cli"},
    "bot": set(),
}
NEUTRAL = ("storage", "scheduler", "prompts", "bot.core", "bot.console", "bot.settings")


def package_of(module: str) -> str:
    """The entry of ``ALLOWED`` a module belongs to (the longest matching prefix)."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in ALLOWED:
            return candidate
    raise KeyError(module)


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every absolute module imported anywhere in the file (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in OURS:  # ``from bot import cli`` imports the module bot.cli
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
    return found


SOURCES = sorted(p for top in OURS for p in (ROOT / top).rglob("*.py"))


def wrong_imports(path: Path, module: str) -> list[str]:
    """What ``path`` (the module ``module``) imports that its layer may not."""
    own = package_of(module)
    allowed = ALLOWED[own]
    wrong = set()
    for imported in imports_of(path):
        if imported.split(".")[0] not in OURS:
            continue
        try:
            target = package_of(imported)
        except KeyError:
            continue  # an attribute import of a package we already checked
        if target != own and allowed != ANYTHING and target not in allowed:
            wrong.add(imported)
    return sorted(wrong)


def test_every_source_file_belongs_to_a_layer():
    assert len(SOURCES) > 50
    for path in SOURCES:
        assert package_of(module_name(path)) in ALLOWED


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way(path):
    """A module imports only from its own package and the packages its layer may use."""
    assert wrong_imports(path, module_name(path)) == []


@pytest.mark.parametrize("path", [p for p in SOURCES if package_of(module_name(p)) in NEUTRAL])
def test_the_core_imports_no_platform_library(path):
    """Nothing outside the adapters imports slack_bolt, slack_sdk or discord."""
    roots = {name.split(".")[0] for name in imports_of(path)}
    assert roots & PLATFORM_LIBRARIES == set()


@pytest.mark.parametrize(
    ("module", "source", "wrong"),
    [
        ("bot.core.probe", "from scheduler.tick import Ticker\n", ["scheduler.tick"]),
        ("bot.slack_app.probe", "def f():\n    import storage.db\n", ["storage.db"]),
        ("scheduler.probe", "from bot.discord_app import bot\n", ["bot.discord_app"]),
        ("bot.core.probe", "from storage.models import Pair\n", []),
    ],
)
def test_the_rules_catch_a_wrong_import(tmp_path, module, source, wrong):
    """The check itself: imports against the grain are reported, allowed ones are not."""
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert wrong_imports(probe, module) == wrong


def test_tests_see_none_of_the_callers_settings():
    """The suite's autouse fixture hides the developer's environment and .env."""
    import os

    from bot.settings import load_settings

    assert not [n for n in os.environ if n.startswith(("MENTORBOT_", "SLACK_", "DISCORD_"))]
    assert not Path(".env").exists()
    assert load_settings().database_url == "sqlite:///mentorbot.db"
