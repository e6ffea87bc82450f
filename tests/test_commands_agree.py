"""A walk over every declared command: its verbs, help, the Discord command tree, the Slack
manifests and the console's completion say the same thing, and no two names clash."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.console.chat import CONSOLE_COMMANDS, completions
from bot.core.commands import COMMANDS
from bot.core.grammar import Number, Text, help_text, option_name, usage, usage_hint
from bot.discord_app.bot import MentorBot

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def discord_tree(core):
    """The commands a real MentorBot registers, as the Discord API receives them."""
    bot = MentorBot(core)
    return {c.name: c.to_dict(bot.tree) for c in bot.tree.get_commands()}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_verb_names_and_aliases_do_not_clash(command):
    names = [v.name for v in command.verbs] + [a for v in command.verbs for a in v.aliases]
    assert len(names) == len(set(names))
    for verb in command.verbs:
        args = [a.name for a in verb.args]
        assert len(args) == len(set(args))
        assert verb.example.startswith(command.slash)


def test_console_commands_do_not_shadow_bot_commands():
    assert not {c.slash for c in COMMANDS} & set(CONSOLE_COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_help_completion_and_manifests_agree_with_the_declaration(command):
    text = help_text(command)
    assert all(f"`{usage(command, v)}`" in text for v in command.verbs)
    assert command.slash in completions("/")
    shown = [v.name for v in command.verbs if v.shown_name]
    assert completions(f"{command.slash} ") == shown
    for name in ("manifest.yaml", "manifest.socket.yaml"):
        manifest = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        [entry] = [
            c for c in manifest["features"]["slash_commands"] if c["command"] == command.slash
        ]
        assert entry["usage_hint"] == usage_hint(command)


def check_options(options: list[dict], args: list, takes_partner: bool) -> None:
    """Discord's options are exactly the arguments, typed and bounded as declared."""
    by_name = {o["name"]: o for o in options}
    for arg in args:
        option = by_name.pop(option_name(arg))
        if isinstance(arg, Number):
            assert (option["type"], option["min_value"], option["max_value"]) == (
                4,
                arg.minimum,
                arg.maximum,
            )
        else:
            assert option["type"] == 3
        if isinstance(arg, Text):
            assert option["max_length"] == arg.maximum
    assert ("partner" in by_name) == takes_partner
    by_name.pop("partner", None)
    by_name.pop("manage", None)
    assert by_name == {}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_the_discord_tree_is_the_declaration(discord_tree, command):
    """Subcommands are the verbs (or one command and `manage` where the default verb takes
    arguments); options carry each argument's type and limits."""
    synced = discord_tree[command.name]
    default = command.default_verb
    if not default.args:
        subcommands = {o["name"]: o.get("options", []) for o in synced["options"]}
        assert list(subcommands) == [v.name for v in command.verbs]
        for verb in command.verbs:
            check_options(subcommands[verb.name], list(verb.args), verb.needs_pair)
        return
    others = [v for v in command.verbs if v is not default]
    manage = next(o for o in synced["options"] if o["name"] == "manage")
    assert [c["value"] for c in manage["choices"]] == [v.name for v in others]
    args = {option_name(a): a for v in (default, *others) for a in v.args}
    check_options(synced["options"], list(args.values()), any(v.needs_pair for v in command.verbs))
