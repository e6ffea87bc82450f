"""The Discord adapter: slash commands, buttons, modals and pair threads over discord.py 2.x.

``bot.py`` builds the client and ``DiscordRunner``; ``commands.py`` turns options into the core's
command text; ``interactions.py`` answers within Discord's 3 seconds; ``outbound.py`` is the
scheduler's port (private threads, DMs, exactly-once nonces); ``render.py`` and ``components.py``
turn core messages and forms into Discord messages, buttons and modals.
"""
