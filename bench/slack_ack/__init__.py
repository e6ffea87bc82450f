"""Benchmark: how fast the Slack app acknowledges slash commands (``python -m bench.slack_ack``)."""
