"""Benchmark: a round of Slack pairs against Slack's rate limits, on a simulated clock
(``python -m bench.round_slack``)."""
