"""The Slack adapter: slack-bolt listeners that translate Slack payloads to and from the core.

Named ``slack_app`` so it never shadows the ``slack_sdk`` or ``slack_bolt`` libraries. This is the
only package that imports them; everything it does goes through ``bot.core.service.Core`` and the
scheduler's ``Outbound`` port.
"""
