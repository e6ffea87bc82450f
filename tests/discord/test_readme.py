"""The install guide says what the code does: invite link, permissions, intents, commands."""

from __future__ import annotations

import re
from pathlib import Path

import discord

from bot.discord_app.bot import INTENTS, PERMISSIONS, SCOPES, MentorBot
from tests.discord.harness import GUILD_ID

GUIDE = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
README = GUIDE[GUIDE.index("## Connect to Discord") : GUIDE.index("## Configuration")]


def test_the_invite_link_asks_for_exactly_the_scopes_and_permissions_used():
    [link] = re.findall(r"https://discord\.com/oauth2/authorize\?\S+", README)
    assert f"scope={'+'.join(SCOPES)}" in link
    assert f"permissions={PERMISSIONS.value}" in link


def test_the_permission_table_lists_each_permission_granted():
    listed = set(re.findall(r"^\| ([A-Z][A-Za-z ]+) \| ", README, re.MULTILINE)) - {"permission"}
    names = {
        "View Channels": "view_channel",
        "Send Messages": "send_messages",
        "Create Private Threads": "create_private_threads",
        "Send Messages in Threads": "send_messages_in_threads",
        "Read Message History": "read_message_history",
        "Attach Files": "attach_files",
    }
    assert listed == set(names)
    assert discord.Permissions(**dict.fromkeys(names.values(), True)) == PERMISSIONS


def test_no_privileged_intent_is_needed():
    assert not (INTENTS.members or INTENTS.presences or INTENTS.message_content)
    assert "leave all three **Privileged Gateway Intents**" in README


def test_the_command_table_names_every_command_and_option(core):
    """Each command has a row naming its subcommands and options (``partner`` is in the text)."""
    for command in MentorBot(core).tree.get_commands(guild=discord.Object(GUILD_ID)):
        [row] = [line for line in README.splitlines() if line.startswith(f"| `/{command.name}` |")]
        subcommands = getattr(command, "commands", None) or [command]
        for sub in subcommands:
            if sub is not command:
                assert re.search(rf"`{sub.name}\b", row), sub.name
            for option in sub.parameters:
                if option.name != "partner":
                    assert re.search(rf"\b{option.display_name}\b", row), option.display_name
    assert "optional `partner`" in README
